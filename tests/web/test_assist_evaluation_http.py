"""The page of the AI's agreement with people over real HTTP, on SQLite and
PostgreSQL: the offline suggester's cross-validation, a run (figures derived by
hand in tests/assist/test_evaluation.py), refusals, roles."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest

from sociaparis.accounts.roles import Role
from sociaparis.core.db import transaction
from tests.assist.study import add_run, build
from tests.assist.test_evaluation import SUGGESTED
from tests.web.test_qual_coding_http import _log_in

URL = "/qual/assist/evaluation"
ROW = re.compile(
    r'<tr(?: class="overall")? data-code="([^"]*)">\s*<th scope="row">([^<]*)</th>'
    r'\s*<td class="number">(.*?)</td>\s*<td class="number">(.*?)</td>'
    r'\s*<td class="number">(.*?)</td>\s*<td class="number">(.*?)</td>'
    r'\s*<td class="number">([^<]*)</td>\s*<td>([^<]*)</td>',
    re.S,
)


@pytest.fixture
def site(live_server_any: Any) -> Iterator[dict[str, Any]]:
    server = live_server_any
    people = {
        "boss": _log_in(server, "boss", Role.RESEARCHER),
        "ana": _log_in(server, "ana", Role.CODER),
        "vic": _log_in(server, "vic", Role.VIEWER),
    }
    with transaction(server.app.state.engine) as session:
        ids = build(session)
        run = add_run(session, ids, SUGGESTED)
    yield {"people": people, "run": run}
    for http in people.values():
        http.close()


def _rows(text: str) -> dict[str, tuple[str, ...]]:
    plain = [tuple(re.sub(r"<[^>]+>", "", html.unescape(c)).strip() for c in row)
             for row in ROW.findall(text)]  # fmt: skip
    return {row[0]: row[1:] for row in plain}


def test_the_offline_suggester_evaluated_by_cross_validation(site: dict) -> None:
    boss = site["people"]["boss"]
    empty = boss.get(URL)
    assert empty.status_code == 200
    assert 'id="evaluation-form"' in empty.text and 'id="result"' not in empty.text
    assert '<option value="ana">ana</option>' in empty.text
    assert f"n° {site['run']} · ai:test-model" in html.unescape(empty.text)
    page = boss.get(URL, params={"go": "true", "source": "offline", "coder": "ana"})
    assert page.status_code == 200
    rows = _rows(page.text)
    assert list(rows) == ["Budget", "IA", "(overall)"]
    for code in ("Budget", "IA"):
        assert rows[code][-1] == "fiable"
        assert rows[code][-2].endswith("/ 20 / " + rows[code][-2].split(" / ")[2])
    text = html.unescape(page.text)
    assert "On peut se fier à l'IA (alpha ≥ 0,800) pour : Budget, IA." in text
    assert "offline:tfidf comparé à ana : offline, 5-fold" in text
    svg = page.text.split('<svg class="chart"')[1].split("</svg>")[0]
    assert svg.count("<circle") == 2 and svg.count('class="chart-label"') == 2
    assert 'aria-current="page">Accord de l&#39;IA</a>' in page.text


def test_a_run_against_a_person_in_english(site: dict) -> None:
    page = site["people"]["boss"].get(
        URL, params={"go": "true", "source": "run", "run": site["run"], "coder": "ana",
                     "lang": "en"},
    )  # fmt: skip
    assert page.status_code == 200
    rows = _rows(page.text)
    assert list(rows) == ["IA", "Budget", "(overall)"]
    for code in ("IA", "Budget"):
        label, kappa, alpha, precision, recall, units, reading = rows[code]
        assert kappa.startswith("0.400 [") and alpha.startswith("0.420 [")
        assert precision.startswith("0.667 [") and recall.startswith("0.500 [")
        assert (units, reading.split(" (")[0]) == ("3 / 4 / 2", "unreliable")
    assert "No code reaches alpha ≥ 0.800" in html.unescape(page.text)


def test_refusals_and_roles(site: dict) -> None:
    boss = site["people"]["boss"]
    page = boss.get(URL, params={"go": "true", "coder": "ana", "folds": "11"})
    assert page.status_code == 422
    assert (
        "ASSIST_067 : La validation croisée par document demande au moins 11 "
        "documents codés par « ana » ; il y en a 10." in html.unescape(page.text)
    )
    page = boss.get(URL, params={"go": "true", "coder": "<b>zoe</b>"})
    assert page.status_code == 422 and "&lt;b&gt;zoe&lt;/b&gt;" in page.text
    for who in ("ana", "vic"):
        assert site["people"][who].get(URL).status_code == 403
