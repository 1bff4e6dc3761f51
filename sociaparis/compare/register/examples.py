"""Synthetic transport responses, clearly labelled, for the demo and the tests.

Every response stored here is flagged ``synthetic`` and every organisation's
name starts with "Exemple synthétique": no real organisation answered them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

TRANSPORT_FORM_ID = "sociaparis_transport_vision"
SYNTHETIC_PREFIX = "Exemple synthétique"


def _tool(name: str, mode: str, status: str, personal: str, **more: str) -> dict:
    return {
        "tool_name": name,
        "mode": mode,
        "tool_status": status,
        "vendor_type": more.pop("vendor_type", "french_sme"),
        "data_sources": more.pop("data_sources", "cctv"),
        "processing": more.pop("processing", "real_time"),
        "personal_data": personal,
    }


def _detail(
    use_case: str, oversight: str, evaluation: str, public: str, **more: str
) -> dict:
    detail = {
        "use_case": use_case,
        "oversight": oversight,
        "evaluation": evaluation,
        "public_info": public,
    }
    detail.update(more)
    return detail


def _organisation(
    name: str,
    org_type: str,
    city: str,
    consent: str,
    tools: Sequence[tuple[dict, dict]],
) -> dict[str, Any]:
    return {
        "consent": "OK",
        "org_name": f"{SYNTHETIC_PREFIX} — {name}",
        "org_type": org_type,
        "org_city": city,
        "country": "france",
        "uses_vision": "live",
        "n_tools": str(len(tools)),
        "tool": [tool for tool, _ in tools],
        "tool_detail": [detail for _, detail in tools],
        "ai_act_readiness": "in_progress",
        "publish_consent": consent,
    }


_PERSONAL = {"legal_basis": "gdpr_6_1_e", "dpia": "done", "dpa_consulted": "yes"}

#: Five organisations, eight systems: one of each screening outcome at least.
EXAMPLE_ORGANISATIONS: tuple[dict[str, Any], ...] = (
    _organisation(
        "Régie métropolitaine A",
        "public_operator",
        "Paris",
        "yes",
        [
            (
                _tool("Affluence des quais", "metro", "live", "anonymised"),
                _detail("crowding", "statistics", "independent", "signage website"),
            ),
            (
                _tool("Objets abandonnés", "metro", "pilot", "identifying"),
                _detail(
                    "abandoned_object",
                    "every_alert",
                    "internal",
                    "signage",
                    retention_days="30",
                    legal_basis="experiment_law",
                    dpia="done",
                    dpa_consulted="yes",
                    enforcement_use="no",
                ),  # fmt: skip
            ),
        ],
    ),
    _organisation(
        "Service de la voirie B",
        "road_manager",
        "Paris",
        "no",
        [
            (
                _tool("Lecture de plaques", "parking", "live", "identifying"),
                _detail(
                    "plate_reading",
                    "automatic",
                    "vendor",
                    "none",
                    retention_days="5",
                    **_PERSONAL,
                    enforcement_use="yes",
                ),  # fmt: skip
            ),
            (
                _tool("Comptage des véhicules", "road", "live", "no", processing="both"),
                _detail("vehicle_count", "statistics", "internal", "website"),
            ),
        ],
    ),
    _organisation(
        "Autorité des mobilités C",
        "authority",
        "Lyon",
        "yes",
        [
            (
                _tool(
                    "Reconnaissance faciale aux portiques", "metro", "pilot", "biometric"
                ),
                _detail(
                    "fare_evasion",
                    "sampled",
                    "none",
                    "none",
                    retention_days="90",
                    legal_basis="dont_know",
                    dpia="no",
                    dpa_consulted="no",
                    enforcement_use="yes",
                ),  # fmt: skip
            ),
        ],
    ),
    _organisation(
        "Opérateur D",
        "private_operator",
        "Lyon",
        "no",
        [
            (
                _tool(
                    "Recherche de personnes",
                    "bus_tram",
                    "stopped",
                    "biometric",
                    processing="deferred",
                    data_sources="onboard",
                ),  # fmt: skip
                _detail(
                    "other",
                    "every_alert",
                    "vendor",
                    "press",
                    use_case_other="Recherche a posteriori",
                    retention_days="30",
                    legal_basis="gdpr_6_1_f",
                    dpia="in_progress",
                    dpa_consulted="no",
                    enforcement_use="no",
                ),  # fmt: skip
            ),
        ],
    ),
    _organisation(
        "Ville E",
        "city",
        "Marseille",
        "yes",
        [
            (
                _tool("Couloirs de bus", "bus_tram", "live", "identifying"),
                _detail(
                    "bus_lane",
                    "every_alert",
                    "independent",
                    "signage register",
                    retention_days="10",
                    **_PERSONAL,
                    enforcement_use="yes",
                ),  # fmt: skip
            ),
            (
                _tool(
                    "Vélos mal garés",
                    "cycling",
                    "live",
                    "anonymised",
                    processing="deferred",
                    vendor_type="in_house",
                ),
                _detail("misparked", "sampled", "none", "website"),
            ),
        ],
    ),
)


def add_example_responses(
    *,
    session: Session,
    organisations: Sequence[Mapping[str, Any]] = EXAMPLE_ORGANISATIONS,
    form_id: str = TRANSPORT_FORM_ID,
    today: date | None = None,
) -> list[str]:
    """Store one completed synthetic response per organisation (answers as given,
    kept as fielding keeps them) to the newest version of a fielded form.

    Returns
    -------
    list of str
        The response ids, in the order of ``organisations``.
    """
    from sociaparis.survey.synthetic import add_given_synthetic_responses

    return add_given_synthetic_responses(
        session=session,
        form_id=form_id,
        answers=organisations,
        today=today or date(2026, 11, 2),
        seed=19,
    )
