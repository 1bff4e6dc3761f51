"""The fielding benchmark's own arithmetic: how many invitations a run needs, and
the target verdicts it prints (a run that ran out of invitations measures nothing)."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.survey_fielding import (
    RESPONSES_PER_S_ALLOWED,
    invitations_needed,
    main,
    targets,
)


def _run(
    run: str, pages_per_s: float, p99: float, ran_out: float | None = None
) -> dict[str, Any]:
    return {
        "backend": "sqlite",
        "run": run,
        "pages_per_s": pages_per_s,
        "page_p99_ms": p99,
        "invitations_ran_out_after_s": ran_out,
        "missing": 0,
        "unacknowledged": 0,
    }


def test_a_run_gets_its_respondents_and_a_bounded_completion_rate() -> None:
    assert invitations_needed(200, 15, 2) == 2 * (200 + 15 * RESPONSES_PER_S_ALLOWED)
    assert invitations_needed(10, 0.5, 1) == 10 + -(-RESPONSES_PER_S_ALLOWED // 2)


@pytest.mark.parametrize(
    ("result", "verdict"),
    [
        (_run("flat out", 510.0, 300.0), "serves >= 500 pages/s: met (510.0"),
        (_run("flat out", 490.0, 300.0), "serves >= 500 pages/s: MISSED (490.0"),
        (_run("flat out", 490.0, 300.0, ran_out=3.0), "pages/s: not measured"),
        (_run("at 500 pages/s", 499.0, 99.0), "at 500 pages/s: met (p99 99.0 ms"),
        (_run("at 500 pages/s", 499.0, 100.0), "at 500 pages/s: MISSED (p99 100.0"),
        # a paced run that fell more than 3% short of its rate did not keep up
        (_run("at 500 pages/s", 480.0, 20.0), "at 500 pages/s: MISSED (p99 20.0"),
        (_run("at 500 pages/s", 400.0, 20.0, ran_out=9.5), "pages/s: not measured"),
    ],
)
def test_target_verdicts(result: dict[str, Any], verdict: str) -> None:
    lines, safe = targets([result], 500)
    assert safe
    assert verdict in lines[0]


@pytest.mark.parametrize(
    ("backend", "pages_per_s", "p99", "ran_out", "verdict"),
    [
        (
            "sqlite",
            499.0,
            99.0,
            None,
            "with 3 exports and 1 report as jobs: met (p99 99.0",
        ),
        ("postgresql", 499.0, 100.0, None, "as jobs: MISSED (p99 100.0 ms"),
        ("postgresql", 470.0, 20.0, None, "as jobs: MISSED (p99 20.0 ms"),
        ("sqlite", 470.0, 20.0, 4.0, "as jobs: not measured"),
    ],
)
def test_jobs_run_verdicts_on_each_backend(
    backend: str, pages_per_s: float, p99: float, ran_out: float | None, verdict: str
) -> None:
    result = {
        **_run("at 500 pages/s + jobs", pages_per_s, p99, ran_out),
        "backend": backend,
        "jobs_started": 12,
    }
    lines, safe = targets([result], 500)
    assert safe
    assert lines[0].startswith(f"target {backend} page p99 < 100 ms at 500 pages/s")
    assert verdict in lines[0]


def test_a_lost_page_is_unsafe_whatever_the_speed() -> None:
    lost = {**_run("flat out", 900.0, 10.0), "missing": 1}
    lines, safe = targets([lost], 500)
    assert not safe
    assert "0 acknowledged pages missing: MISSED (1 missing" in lines[-1]


def test_skipping_the_flat_out_run_needs_a_paced_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--skip-flat-out", "--rate", "0"])
    assert exited.value.code == 2
    assert "--skip-flat-out needs the paced run" in capsys.readouterr().err
