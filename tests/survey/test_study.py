"""The study file: loading, every kind of bad input, checking a folder, and the
three bundled SOCIAPARIS questionnaires (their languages, names and skip logic)."""

from __future__ import annotations

import csv
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from sociaparis.core.errors import Location, SociaparisError
from sociaparis.survey.instrument import Group, Instrument, Question
from sociaparis.survey.logic import evaluate_form
from sociaparis.survey.simulate import check_answers, simulate
from sociaparis.survey.study import (
    PopulationMargins,
    StudyError,
    check_study,
    load_study,
)
from sociaparis.survey.study.loader import (
    INSTRUMENT_KEYS,
    NOTICE_KEYS,
    POPULATION_KEYS,
    STUDY_KEYS,
)
from sociaparis.survey.xlsform import read_xlsform

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "studies" / "sociaparis"
FORMS = {
    "staff_llm": "staff_llm_survey.xlsx",
    "cio_cities": "cio_city_survey.xlsx",
    "transport_vision": "transport_vision_survey.xlsx",
}
NAME = re.compile(r"^[a-z][a-z0-9_]*$")

# A small valid study; each bad-input case below changes one thing in it.
NOTICE = "\n".join(
    f'{key} = {{ fr = "{key} fr", en = "{key} en" }}'
    for key in (
        "controller",
        "purpose",
        "legal_basis",
        "recipients",
        "retention",
        "rights",
        "contact",
        "consent",
    )
)
BASE_TOML = f"""
id = "demo"
languages = ["fr", "en"]
min_cell_count = 10

[title]
fr = "Titre"
en = "Title"

[[instruments]]
id = "staff"
file = "form.md"
anonymous = true
access = "invitation"
opens = 2026-01-05
closes = 2026-02-27
notice = "main"
invitation_attributes = ["directorate"]

[notices.main]
{NOTICE}

[population]
instrument = "staff"
file = "margins.csv"
dimensions = ["directorate", "job_category"]
"""
BASE_CSV = "directorate,job_category,count\nd1,A,120\nd1,B,80\nd2,A,40\nd2,B,0\n"
FORM_MD = """
| survey |
| | type | name | label::Français (fr) | label::English (en) |
| | select_one dir | directorate | Direction | Directorate |
| | select_one cat | job_category | Catégorie | Category |
| choices |
| | list_name | name | label::Français (fr) | label::English (en) |
| | dir | d1 | Direction 1 | Directorate 1 |
| | dir | d2 | Direction 2 | Directorate 2 |
| | cat | A | Catégorie A | Category A |
| | cat | B | Catégorie B | Category B |
| settings |
| | form_title | form_id | version | default_language |
| | Démo | demo | 1 | Français (fr) |
"""


def write_study(
    folder: Path,
    toml: str = BASE_TOML,
    margins: str | bytes | None = BASE_CSV,
    form: str | None = FORM_MD,
) -> Path:
    """Write a study folder; returns the resolved path of its study.toml."""
    (folder / "study.toml").write_text(toml, encoding="utf-8")
    if isinstance(margins, bytes):
        (folder / "margins.csv").write_bytes(margins)
    elif margins is not None:
        (folder / "margins.csv").write_text(margins, encoding="utf-8")
    if form is not None:
        (folder / "form.md").write_text(form, encoding="utf-8")
    return (folder / "study.toml").resolve()


def changed(old: str, new: str) -> str:
    """BASE_TOML with ``old`` replaced (once) by ``new``."""
    if BASE_TOML.count(old) != 1:
        raise ValueError(f"{old!r} is not once in the base study")
    return BASE_TOML.replace(old, new)


# ----------------------------------------------------------------- the bundled study
def test_bundled_study_loads_with_its_instruments_and_notices() -> None:
    study = load_study(BUNDLED)
    assert study.id == "sociaparis"
    assert study.languages == ("fr", "en") and study.default_language == "fr"
    assert study.min_cell_count == 10
    assert [(i.id, i.file.name) for i in study.instruments] == list(FORMS.items())
    staff = study.instrument("staff_llm")
    assert staff.anonymous is True
    assert staff.invitation_attributes == ("directorate", "job_category")
    assert (staff.opens, staff.closes) == (date(2026, 10, 5), date(2027, 1, 29))
    assert not study.instrument("cio_cities").anonymous
    assert study.instrument("transport_vision").access == "open"
    for instrument in study.instruments:
        notice = study.notice_for(instrument.id)
        assert notice.illustrative
        for key in ("controller", "purpose", "legal_basis", "retention", "rights"):
            texts = getattr(notice, key)
            assert texts["fr"] and texts["en"] and texts["fr"] != texts["en"]
        assert "Ville de Paris" in notice.controller["fr"]
        assert "RGPD" in notice.legal_basis["fr"] and "GDPR" in notice.legal_basis["en"]


def test_bundled_margins_match_the_csv_and_the_staff_form() -> None:
    study = load_study(BUNDLED)
    margins = study.population
    assert isinstance(margins, PopulationMargins)
    assert margins.synthetic and margins.instrument == "staff_llm"
    with (BUNDLED / "population_margins.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_category: dict[str, int] = {}
    for row in rows:
        by_category[row["job_category"]] = by_category.get(row["job_category"], 0) + int(
            row["count"]
        )
    assert margins.margin("job_category") == by_category
    assert margins.total == sum(int(row["count"]) for row in rows)
    assert 45_000 <= margins.total <= 55_000  # "about 50,000 staff"
    frame = margins.to_frame()
    assert list(frame.columns) == ["directorate", "job_category", "count"]
    assert len(frame) == 30 and int(frame["count"].sum()) == margins.total
    # every directorate x category of the staff form, once
    form = read_xlsform(BUNDLED / FORMS["staff_llm"]).instrument
    directorates = [c.name for c in form.choices["directorate"]]
    categories = [c.name for c in form.choices["job_category"]]
    assert len(directorates) == 10 and categories == ["A", "B", "C"]
    assert sorted(
        zip(frame["directorate"], frame["job_category"], strict=True)
    ) == sorted((d, c) for d in directorates for c in categories)


def test_bundled_study_checks_clean() -> None:
    result = check_study(load_study(BUNDLED))
    assert result.ok, result.to_dict()
    assert [c.form_id for c in result.instruments] == [
        "sociaparis_staff_llm",
        "sociaparis_cio_cities",
        "sociaparis_transport_vision",
    ]
    assert list(result.to_frame()["errors"]) == [0, 0, 0]


# ----------------------------------------------------------------- the three forms
@pytest.fixture(scope="module")
def forms() -> dict[str, Instrument]:
    return {key: read_xlsform(BUNDLED / name).instrument for key, name in FORMS.items()}


@pytest.mark.parametrize("key", list(FORMS))
def test_form_is_bilingual_with_french_default(
    forms: dict[str, Instrument], key: str
) -> None:
    form = forms[key]
    assert form.default_language == "fr" and set(form.languages) == {"fr", "en"}
    assert form.form_id.startswith("sociaparis_") and form.version
    for item in form.items:
        if isinstance(item, Question) and item.row is None:
            continue  # generated by or_other
        labels = dict(item.labels)
        if isinstance(item, Group) and not labels:
            continue  # an unlabelled page inside a repeat
        if isinstance(item, Question) and item.type == "calculate":
            continue
        assert labels.get("fr") and labels.get("en"), item.name
        for texts in (
            getattr(item, "hints", {}),
            getattr(item, "constraint_messages", {}),
        ):
            assert bool(texts.get("fr")) == bool(texts.get("en")), item.name
    for list_name, choices in form.choices.items():
        for choice in choices:
            if choice.name == "other" and list_name == "task":
                continue
            assert choice.labels.get("fr") and choice.labels.get("en"), (
                list_name,
                choice,
            )


@pytest.mark.parametrize("key", list(FORMS))
def test_form_names_are_export_safe(forms: dict[str, Instrument], key: str) -> None:
    """Question and choice names become variable names: short snake_case ASCII."""
    for item in forms[key].items:
        assert NAME.match(item.name) and len(item.name) <= 32, item.name
    for choices in forms[key].choices.values():
        for choice in choices:
            assert re.match(r"^[A-Za-z0-9_]+$", choice.name), choice.name


def staff_answers(**changes: object) -> dict[str, object]:
    """A complete answer set of a staff member who uses two kinds of tool."""
    answers: dict[str, object] = {
        "directorate": "dsin",
        "job_category": "A",
        "work_area": "digital",
        "manager": "no",
        "public_contact": "no",
        "age_band": "age_30_39",
        "seniority": "yrs_2_5",
        "ai_use": "weekly",
        "tools_used": "personal_account general_pro",
        "ai_hours_week": "4.5",
        "tool": [
            {
                "tool_frequency": "weekly",
                "tool_tasks": "drafting summarising",
                "tool_checking": "always",
                "tool_satisfaction": "4",
            },
            {
                "tool_frequency": "daily",
                "tool_tasks": "coding",
                "tool_checking": "often",
                "tool_satisfaction": "5",
            },
        ],
        "charter_known": "read",
        "training_received": "no",
        "training_wanted": "no",
        "no_identifying": "OK",
    }
    answers.update(changes)
    return answers


def run_staff(forms: dict[str, Instrument], answers: dict[str, object]) -> dict:
    return simulate(forms["staff_llm"], answers, now=datetime(2026, 11, 2, 10, 0))


def test_staff_repeat_has_one_page_per_selected_tool_in_answer_order(
    forms: dict[str, Instrument],
) -> None:
    result = run_staff(forms, staff_answers())
    assert result["errors"] == []
    values = result["values"]
    assert values["n_tools"] == "2" and values["uses_personal"] == "1"
    assert [row["tool_id"] for row in values["tool"]] == [
        "personal_account",
        "general_pro",
    ]
    assert values["tool"][1]["tool_label"].startswith("Assistant généraliste")
    pages = [page["name"] for page in result["pages"]]
    assert "tool" in pages and "personal_data_input" in pages
    assert "nonuse_reasons" not in values


def test_staff_non_user_skips_tools_effects_and_experience(
    forms: dict[str, Instrument],
) -> None:
    answers = staff_answers(ai_use="never", nonuse_reasons="no_need distrust")
    for key in ("tools_used", "ai_hours_week", "tool"):
        del answers[key]
    result = run_staff(forms, answers)
    assert result["errors"] == []
    values = result["values"]
    assert values["is_user"] == "0" and values["nonuse_reasons"] == "no_need distrust"
    pages = [page["name"] for page in result["pages"]]
    for skipped in ("tool", "effects_work", "effects_expertise", "effects_relations"):
        assert skipped not in pages
    assert "open_experience" not in values and "open_city_role" in values
    assert "personal_data_input" not in values  # no personal account selected


@pytest.mark.parametrize(
    ("changes", "question", "kind", "message"),
    [
        (
            {"ai_hours_week": "75"},
            "ai_hours_week",
            "constraint",
            "Indiquez un nombre d'heures entre 0 et 60.",
        ),
        (
            {"ai_hours_week": "-1"},
            "ai_hours_week",
            "constraint",
            "Indiquez un nombre d'heures entre 0 et 60.",
        ),
        (
            {"directorate": None},
            "directorate",
            "required",
            "Merci de répondre à cette question.",
        ),
        (
            {"no_identifying": None},
            "no_identifying",
            "required",
            "Merci de répondre à cette question.",
        ),
        (
            {"tool": [{"tool_frequency": "weekly", "tool_tasks": "coding"}, {}]},
            "tool_satisfaction",
            "required",
            "Merci de répondre à cette question.",
        ),
    ],
)
def test_staff_constraints_and_requirements(
    forms: dict[str, Instrument],
    changes: dict[str, object],
    question: str,
    kind: str,
    message: str,
) -> None:
    result = run_staff(forms, staff_answers(**changes))
    assert {"question": question, "kind": kind, "message": message} in result["errors"]


def test_staff_hours_boundaries_are_accepted(forms: dict[str, Instrument]) -> None:
    for hours in ("0", "60"):
        assert run_staff(forms, staff_answers(ai_hours_week=hours))["errors"] == []


def test_staff_public_items_only_for_staff_in_contact_with_the_public(
    forms: dict[str, Instrument],
) -> None:
    without = run_staff(forms, staff_answers())["values"]
    with_public = run_staff(forms, staff_answers(public_contact="yes"))["values"]
    assert "rel_public_change" not in without
    assert "rel_public_change" in with_public and "rel_public_quality" in with_public


TRANSPORT_ANSWERS = {
    "consent": "OK",
    "org_name": "Régie",
    "org_type": "public_operator",
    "org_city": "Paris",
    "country": "france",
    "uses_vision": "live",
    "n_tools": "2",
    "tool": [
        {
            "tool_name": "Affluence quais",
            "mode": "metro",
            "tool_status": "live",
            "vendor_type": "french_sme",
            "data_sources": "cctv",
            "processing": "real_time",
            "personal_data": "biometric",
        },
        {
            "tool_name": "Places livraison",
            "mode": "parking",
            "tool_status": "pilot",
            "vendor_type": "in_house",
            "data_sources": "dedicated",
            "processing": "deferred",
            "personal_data": "no",
        },
    ],
    "tool_detail": [
        {
            "use_case": "crowding",
            "retention_days": "30",
            "legal_basis": "experiment_law",
            "dpia": "done",
            "oversight": "every_alert",
            "evaluation": "none",
            "public_info": "signage",
        },
        {
            "use_case": "occupancy",
            "oversight": "statistics",
            "evaluation": "internal",
            "eval_metrics": "false_alarms",
            "false_alarm_pct": "4.5",
            "public_info": "website",
        },
    ],
    "ai_act_readiness": "in_progress",
}


def test_transport_second_pass_reads_the_first_and_counts_biometric_tools(
    forms: dict[str, Instrument],
) -> None:
    result = simulate(
        forms["transport_vision"], TRANSPORT_ANSWERS, now=datetime(2026, 11, 2)
    )
    assert result["errors"] == []
    values = result["values"]
    assert [row["tool_number"] for row in values["tool"]] == ["1", "2"]
    details = values["tool_detail"]
    assert [row["detail_name"] for row in details] == [
        "Affluence quais",
        "Places livraison",
    ]
    assert [row["detail_mode"] for row in details] == ["metro", "parking"]
    assert [row["is_biometric"] for row in details] == ["1", "0"]
    assert values["n_biometric"] == "1" and "biometric_framework" in values
    # the legal questions are asked only about the tool that processes personal data
    assert "legal_basis" in details[0] and "legal_basis" not in details[1]
    assert "vendor_name" in values["tool"][0] and "vendor_name" not in values["tool"][1]


def test_transport_use_cases_offered_depend_on_the_mode(
    forms: dict[str, Instrument],
) -> None:
    form = forms["transport_vision"]
    state = evaluate_form(
        form, check_answers(form, TRANSPORT_ANSWERS), now=datetime(2026, 11, 2)
    )
    generic = ["passenger_count", "crowding", "abandoned_object"]
    metro = [choice.name for choice in state.offered("use_case", 1)]
    parking = [choice.name for choice in state.offered("use_case", 2)]
    assert metro == [*generic, "track_intrusion", "fare_evasion", "maintenance", "other"]
    assert parking == [*generic, "plate_reading", "occupancy", "maintenance", "other"]


CIO_ANSWERS = {
    "consent": "OK",
    "city_name": "Lyon",
    "country": "france",
    "population": "520000",
    "staff_total": "8000",
    "it_staff": "250",
    "respondent_role": "cio",
    "strategy_status": "adopted",
    "strategy_date": "2025-06-30",
    "main_driver": "modernisation",
    "tools_deployed": "general sector",
    "licences": "300",
    "maturity": "4",
    "charter": "internal",
    "env_assessment": "none",
    "chatbot_status": "no",
    "hallucination_concern": "3",
    "elected_portfolio": "digital",
    "partners": "cio_network",
}


def run_cio(forms: dict[str, Instrument], **changes: object) -> dict:
    answers = {**CIO_ANSWERS, **changes}
    return simulate(forms["cio_cities"], answers, now=datetime(2026, 11, 2))


def test_cio_licence_share_and_detail_pages(forms: dict[str, Instrument]) -> None:
    result = run_cio(forms)
    assert result["errors"] == []
    values = result["values"]
    assert values["licence_share"] == "3.8"  # round(100 * 300 / 8000, 1) = round(3.75, 1)
    pages = [page["name"] for page in result["pages"]]
    assert "tools_detail" in pages and "governance_detail" in pages
    assert "chatbot_detail" not in pages and "interview_email" not in pages
    assert "sector_domains" in values and "env_method" not in values
    assert values["country"] == "france"


@pytest.mark.parametrize(
    ("changes", "question", "kind"),
    [
        ({"tools_deployed": "general none"}, "tools_deployed", "constraint"),
        ({"it_staff": "9000"}, "it_staff", "constraint"),
        ({"licences": "8001"}, "licences", "constraint"),
        ({"population": "5000"}, "population", "constraint"),
        ({"strategy_date": "2027-01-04"}, "strategy_date", "constraint"),
        (
            {"interview_ok": "yes", "interview_email": "dsi at lyon"},
            "interview_email",
            "constraint",
        ),
        ({"interview_ok": "yes"}, "interview_email", "required"),
        ({"city_name": None}, "city_name", "required"),
    ],
)
def test_cio_constraints_and_requirements(
    forms: dict[str, Instrument], changes: dict[str, object], question: str, kind: str
) -> None:
    errors = run_cio(forms, **changes)["errors"]
    assert [(error["question"], error["kind"]) for error in errors] == [(question, kind)]


def test_cio_without_consent_asks_nothing_more(forms: dict[str, Instrument]) -> None:
    result = simulate(forms["cio_cities"], {}, now=datetime(2026, 11, 2))
    assert [page["name"] for page in result["pages"]] == ["intro", "consent", "thanks"]
    assert [(e["question"], e["kind"]) for e in result["errors"]] == [
        ("consent", "required")
    ]


# ----------------------------------------------------------------- bad study files
TOML_ERRORS = [
    # (id, toml text, error, context)
    ("syntax", changed('id = "demo"', "id = demo"), StudyError.SYNTAX, None),
    (
        "impossible date",
        changed("opens = 2026-01-05", "opens = 2026-02-30"),
        StudyError.SYNTAX,
        None,
    ),
    ("missing id", changed('id = "demo"\n', ""), StudyError.KEY_MISSING, {"key": "id"}),
    (
        "missing title",
        changed('[title]\nfr = "Titre"\nen = "Title"\n', ""),
        StudyError.KEY_MISSING,
        {"key": "title"},
    ),
    (
        "missing anonymous",
        changed("anonymous = true\n", ""),
        StudyError.KEY_MISSING,
        {"key": "instruments[1].anonymous"},
    ),
    (
        "missing notice text",
        changed('rights = { fr = "rights fr", en = "rights en" }\n', ""),
        StudyError.KEY_MISSING,
        {"key": "notices.main.rights"},
    ),
    (
        "no notices",
        changed(f"[notices.main]\n{NOTICE}\n", ""),
        StudyError.KEY_MISSING,
        {"key": "notices"},
    ),
    (
        "anonymous as text",
        changed("anonymous = true", 'anonymous = "yes"'),
        StudyError.WRONG_TYPE,
        {"key": "instruments[1].anonymous", "expected": "true or false", "value": "yes"},
    ),
    (
        "min_cell_count as text",
        changed("min_cell_count = 10", 'min_cell_count = "10"'),
        StudyError.WRONG_TYPE,
        {"key": "min_cell_count", "expected": "a whole number", "value": "10"},
    ),
    (
        "misspelt key",
        changed("anonymous = true", "anonymus = true"),
        StudyError.UNKNOWN_KEY,
        {
            "key": "instruments[1].anonymus",
            "known": "id, file, anonymous, access, opens, closes, notice, "
            "invitation_attributes",
        },
    ),
    (
        "date in French order",
        changed("opens = 2026-01-05", 'opens = "05/01/2026"'),
        StudyError.BAD_DATE,
        {"key": "instruments[1].opens", "value": "05/01/2026"},
    ),
    (
        "date with a time",
        changed("closes = 2026-02-27", "closes = 2026-02-27T18:00:00"),
        StudyError.BAD_DATE,
        {"key": "instruments[1].closes", "value": datetime(2026, 2, 27, 18, 0)},
    ),
    (
        "closes before it opens",
        changed("closes = 2026-02-27", "closes = 2025-12-31"),
        StudyError.DATES_ORDER,
        {"instrument": "staff", "opens": "2026-01-05", "closes": "2025-12-31"},
    ),
    (
        "title without English",
        changed('en = "Title"\n', ""),
        StudyError.TEXT_MISSING,
        {"key": "title", "language": "en", "languages": "fr, en"},
    ),
    (
        "blank consent text",
        changed(
            'consent = { fr = "consent fr", en = "consent en" }',
            'consent = { fr = " ", en = "c" }',
        ),
        StudyError.TEXT_MISSING,
        {"key": "notices.main.consent", "language": "fr", "languages": "fr, en"},
    ),
    (
        "min_cell_count 4",
        changed("min_cell_count = 10", "min_cell_count = 4"),
        StudyError.MIN_CELL_COUNT,
        {"value": 4, "floor": 5},
    ),
    (
        "same instrument twice",
        changed(
            'notice = "main"\n',
            'notice = "main"\n[[instruments]]\nid = "staff"\nfile = "b.md"\n'
            'anonymous = false\nnotice = "main"\n',
        ),
        StudyError.DUPLICATE,
        {"key": "instruments.id", "value": "staff"},
    ),
    (
        "attribute twice",
        changed('["directorate"]', '["directorate", "directorate"]'),
        StudyError.DUPLICATE,
        {"key": "instruments[1].invitation_attributes", "value": "directorate"},
    ),
    (
        "unknown notice",
        changed('notice = "main"', 'notice = "staff"'),
        StudyError.UNKNOWN_REFERENCE,
        {
            "key": "instruments[1].notice",
            "value": "staff",
            "kind": "notice",
            "known": "main",
        },
    ),
    (
        "margins of an unknown instrument",
        changed('instrument = "staff"', 'instrument = "agents"'),
        StudyError.UNKNOWN_REFERENCE,
        {
            "key": "population.instrument",
            "value": "agents",
            "kind": "instrument",
            "known": "staff",
        },
    ),
    (
        "instrument id with spaces",
        changed('id = "staff"', 'id = "Staff survey"'),
        StudyError.BAD_NAME,
        {"key": "instruments[1].id", "value": "Staff survey"},
    ),
    (
        "attribute with a dash",
        changed('["directorate"]', '["job-category"]'),
        StudyError.BAD_NAME,
        {"key": "instruments[1].invitation_attributes", "value": "job-category"},
    ),
    (
        "unknown access mode",
        changed('access = "invitation"', 'access = "public"'),
        StudyError.BAD_CHOICE,
        {
            "key": "instruments[1].access",
            "value": "public",
            "allowed": "invitation, open",
        },
    ),
    (
        "default language not in languages",
        changed(
            'languages = ["fr", "en"]',
            'languages = ["fr", "en"]\ndefault_language = "de"',
        ),
        StudyError.BAD_CHOICE,
        {"key": "default_language", "value": "de", "allowed": "fr, en"},
    ),
]


@pytest.mark.parametrize(
    ("toml", "error", "context"),
    [case[1:] for case in TOML_ERRORS],
    ids=[case[0] for case in TOML_ERRORS],
)
def test_bad_study_file(
    tmp_path: Path, toml: str, error: StudyError, context: dict | None
) -> None:
    path = write_study(tmp_path, toml)
    with pytest.raises(SociaparisError) as info:
        load_study(tmp_path)
    assert info.value.code == error.code
    if context is not None:  # the TOML parser's own words are not ours to pin down
        assert info.value.message == error.format(path=str(path), **context)


def test_missing_study_file(tmp_path: Path) -> None:
    with pytest.raises(SociaparisError) as info:
        load_study(tmp_path)
    expected = StudyError.FILE_MISSING.format(path=str(tmp_path / "study.toml"))
    assert (info.value.code, info.value.message) == ("STUDY_001", expected)


def test_min_cell_count_of_five_is_allowed_and_ten_is_the_default(tmp_path: Path) -> None:
    write_study(tmp_path, changed("min_cell_count = 10", "min_cell_count = 5"))
    assert load_study(tmp_path).min_cell_count == 5
    write_study(tmp_path, changed("min_cell_count = 10\n", ""))
    assert load_study(tmp_path / "study.toml").min_cell_count == 10


def test_dates_may_be_iso_strings_or_absent(tmp_path: Path) -> None:
    toml = changed("opens = 2026-01-05", 'opens = "2026-01-05"')
    write_study(tmp_path, toml.replace("closes = 2026-02-27\n", ""))
    instrument = load_study(tmp_path).instrument("staff")
    assert (instrument.opens, instrument.closes) == (date(2026, 1, 5), None)
    assert not instrument.is_open(date(2026, 1, 4))
    assert instrument.is_open(date(2026, 1, 5)) and instrument.is_open(date(2030, 1, 1))


def test_fielding_window_includes_both_days(tmp_path: Path) -> None:
    write_study(tmp_path)
    instrument = load_study(tmp_path).instrument("staff")
    days = [date(2026, 1, 4), date(2026, 1, 5), date(2026, 2, 27), date(2026, 2, 28)]
    assert [instrument.is_open(day) for day in days] == [False, True, True, False]


HEADER = "directorate,job_category,count\n"
MARGIN_ERRORS = [
    # (id, csv text or None for no file, error, location, context)
    ("no file", None, StudyError.MARGINS_MISSING, None, {}),
    (
        "renamed column",
        "directorate,category,count\nd1,A,3\n",
        StudyError.MARGINS_COLUMNS,
        Location(row=1),
        {
            "found": "directorate, category, count",
            "expected": "directorate, job_category, count",
        },
    ),
    (
        "empty file",
        "",
        StudyError.MARGINS_COLUMNS,
        None,
        {
            "found": "nothing (the file is empty)",
            "expected": "directorate, job_category, count",
        },
    ),
    (
        "negative count",
        HEADER + "d1,A,12\nd1,B,-3\n",
        StudyError.MARGINS_COUNT,
        Location(row=3, column="count"),
        {"value": "-3"},
    ),
    (
        "decimal count",
        HEADER + "d1,A,12.5\n",
        StudyError.MARGINS_COUNT,
        Location(row=2, column="count"),
        {"value": "12.5"},
    ),
    (
        "thousands separator",
        HEADER + 'd1,A,"1 200"\n',
        StudyError.MARGINS_COUNT,
        Location(row=2, column="count"),
        {"value": "1 200"},
    ),
    (
        "empty level",
        HEADER + "d1,A,12\n,B,4\n",
        StudyError.MARGINS_EMPTY_CELL,
        Location(row=3, column="directorate"),
        {},
    ),
    (
        "same cell twice",
        HEADER + "d1,A,12\nd2,A,4\nd1,A,7\n",
        StudyError.MARGINS_DUPLICATE,
        Location(row=4),
        {"cell": "directorate=d1, job_category=A", "first": 2},
    ),
    (
        "header only",
        HEADER,
        StudyError.MARGINS_NO_ROWS,
        None,
        {"dimensions": "directorate x job_category"},
    ),
    (
        "missing comma",
        HEADER + "d1,A12\n",
        StudyError.MARGINS_ROW_LENGTH,
        Location(row=2),
        {"found": 2, "expected": 3},
    ),
]


@pytest.mark.parametrize(
    ("margins", "error", "location", "context"),
    [case[1:] for case in MARGIN_ERRORS],
    ids=[case[0] for case in MARGIN_ERRORS],
)
def test_bad_margins(
    tmp_path: Path,
    margins: str | None,
    error: StudyError,
    location: Location | None,
    context: dict,
) -> None:
    write_study(tmp_path, margins=margins)
    with pytest.raises(SociaparisError) as info:
        load_study(tmp_path)
    path = str((tmp_path / "margins.csv").resolve())
    expected = SociaparisError(error, location=location, path=path, **context)
    assert str(info.value) == str(expected)


def test_margins_not_utf8(tmp_path: Path) -> None:
    write_study(tmp_path, margins=HEADER.encode() + "Écoles,A,3\n".encode("latin-1"))
    with pytest.raises(SociaparisError) as info:
        load_study(tmp_path)
    assert info.value.code == StudyError.MARGINS_UNREADABLE.code


def test_margins_with_bom_and_blank_lines_are_read(tmp_path: Path) -> None:
    write_study(tmp_path, margins=("\ufeff" + BASE_CSV + "\n,,\n").encode("utf-8"))
    margins = load_study(tmp_path).population
    assert margins is not None
    assert margins.margin("directorate") == {"d1": 200, "d2": 40}
    assert margins.margin("job_category") == {"A": 160, "B": 80}
    assert margins.total == 240
    with pytest.raises(ValueError, match="'age' is not a dimension"):
        margins.margin("age")


# ----------------------------------------------------------------- checking a folder
def check_messages(folder: Path) -> tuple[bool, list[str], list[str]]:
    result = check_study(load_study(folder))
    (instrument,) = result.instruments
    return result.ok, [*instrument.errors, *result.errors], list(instrument.warnings)


def test_check_passes_on_a_small_study(tmp_path: Path) -> None:
    write_study(tmp_path)
    assert check_messages(tmp_path) == (True, [], [])


def test_check_reports_a_missing_instrument_file(tmp_path: Path) -> None:
    write_study(tmp_path, form=None)
    ok, errors, _ = check_messages(tmp_path)
    path = str((tmp_path / "form.md").resolve())
    message = StudyError.INSTRUMENT_FILE_MISSING.format(instrument="staff", path=path)
    assert (ok, errors) == (False, [f"STUDY_030: {message}"])


def test_check_reports_a_rejected_form(tmp_path: Path) -> None:
    write_study(tmp_path, form=FORM_MD.replace("select_one dir", "select_one nolist"))
    ok, errors, _ = check_messages(tmp_path)
    assert not ok and len(errors) == 1 and errors[0].startswith("SURVEY_")


def test_check_reports_margin_levels_that_are_not_choices(tmp_path: Path) -> None:
    write_study(tmp_path, margins=BASE_CSV.replace("d2,B", "d3,B"))
    ok, errors, _ = check_messages(tmp_path)
    path = str((tmp_path / "margins.csv").resolve())
    expected = SociaparisError(
        StudyError.MARGIN_VALUE_UNKNOWN,
        location=Location(row=5, column="directorate"),
        path=path,
        dimension="directorate",
        value="d3",
        instrument="staff",
        choices="d1, d2",
    )
    assert (ok, errors) == (False, [str(expected)])


def test_check_reports_a_dimension_that_is_not_a_question(tmp_path: Path) -> None:
    write_study(tmp_path, form=FORM_MD.replace("| job_category |", "| grade |"))
    ok, errors, _ = check_messages(tmp_path)
    message = StudyError.MARGIN_DIMENSION_UNKNOWN.format(
        dimension="job_category", instrument="staff"
    )
    assert (ok, errors) == (False, [f"STUDY_032: {message}"])


def test_check_warns_when_a_form_lacks_a_study_language(tmp_path: Path) -> None:
    french_only = """
| survey |
| | type | name | label::Français (fr) |
| | select_one dir | directorate | Direction |
| | select_one cat | job_category | Catégorie |
| choices |
| | list_name | name | label::Français (fr) |
| | dir | d1 | Direction 1 |
| | dir | d2 | Direction 2 |
| | cat | A | Catégorie A |
| | cat | B | Catégorie B |
| settings |
| | form_title | form_id | default_language |
| | Démo | demo | Français (fr) |
"""
    write_study(tmp_path, form=french_only)
    ok, errors, warnings = check_messages(tmp_path)
    message = StudyError.LANGUAGE_NOT_IN_FORM.format(instrument="staff", language="en")
    assert ok and errors == [] and f"STUDY_033: {message}" in warnings


def test_check_reports_two_instruments_with_one_form_id(tmp_path: Path) -> None:
    second = (
        '[[instruments]]\nid = "again"\nfile = "form.md"\nanonymous = false\n'
        'notice = "main"\n'
    )
    write_study(tmp_path, BASE_TOML.replace("[notices.main]", second + "[notices.main]"))
    result = check_study(load_study(tmp_path))
    message = StudyError.SAME_FORM_ID.format(
        first="staff", second="again", form_id="demo"
    )
    assert (result.ok, list(result.errors)) == (False, [f"STUDY_034: {message}"])


def test_study_to_dict_is_plain_data(tmp_path: Path) -> None:
    write_study(tmp_path)
    data = load_study(tmp_path).to_dict()
    assert data["instruments"][0]["opens"] == "2026-01-05"
    assert data["notices"]["main"]["rights"] == {"fr": "rights fr", "en": "rights en"}
    assert data["population"]["total"] == 240


# ----------------------------------------------------------------- documentation
DOC = (REPO / "docs" / "study.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("error", list(StudyError), ids=lambda error: error.code)
def test_every_error_code_is_documented(error: StudyError) -> None:
    assert f"| `{error.code}` |" in DOC


@pytest.mark.parametrize(
    "key",
    sorted({*STUDY_KEYS, *INSTRUMENT_KEYS, *NOTICE_KEYS, *POPULATION_KEYS}),
)
def test_every_study_key_is_documented(key: str) -> None:
    assert f"| `{key}` |" in DOC
