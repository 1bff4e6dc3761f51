"""Benchmark: server-side evaluation of one full survey page by the form-logic engine.

Builds a staff-survey-like questionnaire (a Likert page of 23 items with relevance,
score calculations and constraints, after filter, tool and profile pages), then
times ``validate_page`` on the Likert page (relevance, calculations, constraints
and requirements of everything the page needs) and a full-form evaluation.
When the bundled staff survey (``studies/sociaparis/``) is there, its largest
page is timed too.

Run: ``.venv/bin/python benchmarks/form_logic.py [--n 5000]``. Target: < 1 ms a page.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from sociaparis.survey.instrument import Instrument, Question
from sociaparis.survey.logic import evaluate_form, validate_page
from sociaparis.survey.xlsform import parse_xlsform, read_xlsform

ROOT = Path(__file__).resolve().parent.parent
EFFECTS = [
    "quality",
    "speed",
    "expertise",
    "autonomy",
    "colleagues",
    "managers",
    "public",
    "workload",
    "creativity",
    "errors",
    "learning",
    "meaning",
]
CONCERNS = [
    "hallucination",
    "confidentiality",
    "environment",
    "deskilling",
    "job_content",
    "dependence",
    "bias",
    "surveillance",
]


def _row(*cells: str) -> str:
    return "| | " + " | ".join(cells) + " |"


def staff_like_form() -> str:
    """A markdown XLSForm shaped like the staff survey's Likert page and its filters."""
    header = _row(
        "type",
        "name",
        "label::Français (fr)",
        "label::English (en)",
        "relevant",
        "calculation",
        "required",
        "constraint",
        "constraint_message::Français (fr)",
        "constraint_message::English (en)",
        "appearance",
        "repeat_count",
    )

    def line(
        kind: str,
        name: str,
        label: str = "",
        relevant: str = "",
        calculation: str = "",
        required: str = "",
        constraint: str = "",
        message: str = "",
        appearance: str = "",
        count: str = "",
    ) -> str:
        return _row(
            kind,
            name,
            label,
            label,
            relevant,
            calculation,
            required,
            constraint,
            message,
            message,
            appearance,
            count,
        )

    rows = [
        line(
            "select_one yn",
            "uses_llm",
            "Utilisez-vous des IA génératives ?",
            required="yes",
        ),
        line(
            "select_multiple tools",
            "tools",
            "Quels outils ?",
            relevant="${uses_llm} = 'yes'",
            constraint="count-selected(.) <= 4",
            message="Quatre outils au plus",
        ),
        line("calculate", "n_tools", calculation="count-selected(${tools})"),
        line(
            "begin repeat", "per_tool", "Par outil", "${n_tools} > 0", count="${n_tools}"
        ),
        line("calculate", "tool", calculation="selected-at(${tools}, position(..) - 1)"),
        line("select_one freq", "freq", "Fréquence", required="yes"),
        line("end repeat", ""),
        line("calculate", "answered_tools", calculation="count(${freq})"),
        line("select_one cat", "category", "Catégorie", required="yes"),
        line(
            "integer",
            "seniority",
            "Ancienneté (années)",
            required="yes",
            constraint=". >= 0 and . <= 50",
            message="Entre 0 et 50",
        ),
        line(
            "begin group",
            "effects",
            "Effets perçus",
            relevant="${uses_llm} = 'yes'",
            appearance="field-list",
        ),
    ]
    rows += [
        line(
            "select_one likert",
            f"eff_{name}",
            f"Effet sur {name}",
            required="yes",
            appearance="likert",
        )
        for name in EFFECTS
    ]
    rows += [
        line(
            "select_one likert",
            f"con_{name}",
            f"Inquiétude : {name}",
            appearance="likert",
            relevant="${category} != 'C' or ${seniority} > 2",
        )
        for name in CONCERNS
    ]
    effect_sum = " + ".join(f"coalesce(${{eff_{n}}}, 0)" for n in EFFECTS)
    answered = " + ".join(f"(string-length(${{eff_{n}}}) > 0)" for n in EFFECTS)
    rows += [
        line("calculate", "eff_answered", calculation=answered),
        line(
            "calculate",
            "eff_score",
            calculation=(
                f"if(${{eff_answered}} > 0, ({effect_sum}) div ${{eff_answered}}, '')"
            ),
        ),
        line(
            "calculate",
            "con_high",
            calculation=" + ".join(f"(${{con_{n}}} >= 4)" for n in CONCERNS),
        ),
        line(
            "text",
            "eff_comment",
            "Précisez",
            relevant="${eff_score} >= 4 or ${con_high} >= 3",
            constraint="string-length(.) <= 500",
            message="500 caractères au plus",
            appearance="multiline",
        ),
        line(
            "integer",
            "hours_saved",
            "Heures gagnées par semaine",
            relevant="${eff_speed} >= 4",
            constraint=". >= 0 and . <= 40",
            message="Entre 0 et 40",
        ),
        line(
            "decimal",
            "share_tasks",
            "Part des tâches (%)",
            constraint=". >= 0 and . <= 100",
            message="Entre 0 et 100",
        ),
        line("end group", ""),
        line("note", "bye", "Merci !"),
    ]
    survey = "| survey |\n" + header + "\n" + "\n".join(rows)
    choices = ["| choices |", _row("list_name", "name", "label")]
    choices += [_row("yn", "yes", "Oui"), _row("yn", "no", "Non")]
    choices += [
        _row("tools", t, t) for t in ["copilot", "chatgpt", "city", "mistral", "other"]
    ]
    choices += [_row("freq", f, f) for f in ["daily", "weekly", "monthly"]]
    choices += [_row("cat", c, c) for c in "ABC"]
    choices += [_row("likert", str(v), str(v)) for v in range(1, 6)]
    settings = "| settings |\n" + _row("form_id", "default_language") + "\n"
    settings += _row("bench_staff", "Français (fr)")
    return survey + "\n" + "\n".join(choices) + "\n" + settings + "\n"


def answers_for(rng: random.Random) -> dict[str, object]:
    """A plausible full set of answers for the staff-like form."""
    tools = rng.sample(["copilot", "chatgpt", "city", "mistral"], rng.randint(1, 3))
    answers: dict[str, object] = {
        "uses_llm": "yes",
        "tools": " ".join(tools),
        "per_tool": [{"freq": rng.choice(["daily", "weekly"])} for _ in tools],
        "category": rng.choice("ABC"),
        "seniority": str(rng.randint(0, 30)),
        "hours_saved": str(rng.randint(0, 10)),
        "share_tasks": f"{rng.uniform(0, 100):.1f}",
        "eff_comment": "Gain de temps sur les notes.",
    }
    for name in EFFECTS:
        answers[f"eff_{name}"] = str(rng.randint(1, 5))
    for name in CONCERNS:
        answers[f"con_{name}"] = str(rng.randint(1, 5))
    return answers


def random_answers(instrument: Instrument, rng: random.Random) -> dict[str, object]:
    """Answers of the right form for every answerable question (two repeat instances)."""

    def value(question: Question) -> str:
        choices = [c.name for c in instrument.choice_list(question)]
        if question.type == "select_one":
            return rng.choice(choices)
        if question.type == "select_multiple":
            return " ".join(rng.sample(choices, min(len(choices), rng.randint(1, 3))))
        if question.type in {"integer", "range"}:
            return str(rng.randint(1, 5))
        if question.type == "decimal":
            return f"{rng.uniform(0, 10):.1f}"
        if question.type == "date":
            return "2026-03-15"
        if question.type == "acknowledge":
            return "OK"
        return "Réponse libre"

    answers: dict[str, object] = {}
    for item in instrument.items:
        if isinstance(item, Question) and item.answerable and item.repeat is None:
            answers[item.name] = value(item)
    for repeat in instrument.repeats:
        inside = [
            q for q in instrument.descendants(repeat.name) if isinstance(q, Question)
        ]
        answers[repeat.name] = [
            {q.name: value(q) for q in inside if q.answerable} for _ in range(2)
        ]
    return answers


def timed(call: Callable[[], object], n: int) -> tuple[float, float]:
    """Mean and 99th percentile of ``call``'s duration in milliseconds."""
    for _ in range(min(200, n)):
        call()
    samples = []
    for _ in range(n):
        start = time.perf_counter_ns()
        call()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    samples.sort()
    return statistics.fmean(samples), samples[min(n - 1, int(n * 0.99))]


def report(label: str, call: Callable[[], object], n: int) -> None:
    mean, p99 = timed(call, n)
    print(f"{label:<58} mean {mean:7.3f} ms   p99 {p99:7.3f} ms   (n={n})")


def _bundled_staff_survey() -> Path | None:
    folder = ROOT / "studies" / "sociaparis"
    if not folder.is_dir():
        return None
    for pattern in ("*staff*", "*agent*", "*personnel*"):
        for path in sorted(folder.rglob(pattern)):
            if path.suffix.lower() in {".xlsx", ".xls", ".md", ".csv"}:
                return path
    return None


def _largest_page(instrument: Instrument) -> str:
    return max(instrument.pages(), key=lambda page: len(page.questions)).name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="evaluations per measurement")
    args = parser.parse_args()
    rng = random.Random(20260315)
    form = parse_xlsform(
        staff_like_form().encode("utf-8"), filename="bench.md"
    ).instrument
    page = form.page("effects")
    assert page is not None  # built above: the benchmark's own form
    answer_sets = [answers_for(rng) for _ in range(50)]
    cycle = itertools.cycle(answer_sets)
    print(
        f"staff-like form: {len(form.items)} items, Likert page of {len(page.questions)}"
    )
    report(
        "validate_page(Likert page: relevance, calcs, constraints)",
        lambda: validate_page(form, next(cycle), "effects", "fr"),
        args.n,
    )
    report(
        "evaluate_form (whole form) + errors()",
        lambda: evaluate_form(form, next(cycle)).errors(),
        args.n,
    )
    bundled = _bundled_staff_survey()
    if bundled is None:
        print("bundled staff survey not found in studies/sociaparis/: skipped")
        return
    staff = read_xlsform(bundled).instrument
    name = _largest_page(staff)
    staff_answers = itertools.cycle([random_answers(staff, rng) for _ in range(50)])
    count = len(staff.page(name).questions)  # type: ignore[union-attr]
    report(
        f"{bundled.name}: validate_page('{name}', {count} questions)",
        lambda: validate_page(staff, next(staff_answers), name, "fr"),
        args.n,
    )
    report(
        f"{bundled.name}: evaluate_form (whole form) + errors()",
        lambda: evaluate_form(staff, next(staff_answers)).errors(),
        args.n,
    )
    answerable = sum(isinstance(q, Question) and q.answerable for q in staff.items)
    print(f"{bundled.name}: {len(staff.items)} items, {answerable} answerable")


if __name__ == "__main__":
    main()
