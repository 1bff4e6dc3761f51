"""The register mapped to published algorithmic-transparency field lists.

Three targets, each a list of field names taken from the published text (see
docs/transport-register.md for the sources and what was checked):

- ``atrs``: the UK Algorithmic Transparency Recording Standard, the fields of
  its published CSV data standard (v1.1, gov.uk, updated 2 December 2021) that
  the transport survey can fill or must leave empty;
- ``annex-viii``: Regulation (EU) 2024/1689, Annex VIII Section C, the
  information a deployer that is a public authority registers under Art. 49(3);
- ``etalab``: the French inventory of the main algorithmic processing a public
  body uses (CRPA art. L312-1-3), after Etalab's practical sheet "l'inventaire
  des principaux traitements algorithmiques" (guides.data.gouv.fr, updated
  11 February 2021); the sheet publishes no machine-readable field list, so the
  field names here are ours, one per item of information it recommends.

A field the survey does not ask stays empty (``""``): nothing is invented. Only
systems whose organisation agreed to be named are exported (the register's
rule).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sociaparis.core.errors import SociaparisError

from .errors import RegisterError
from .service import Register, System

Getter = Callable[[System], str]


def _label(field: str) -> Getter:
    return lambda system: system.labels.get(field, "") or ""


def _empty(system: System) -> str:
    return ""


def _description(system: System) -> str:
    parts = [
        system.labels.get("use_case", ""),
        system.labels.get("use_case_other", ""),
        system.labels.get("mode", ""),
        system.labels.get("processing", ""),
    ]
    return " — ".join(p for p in parts if p)


def _supplier(system: System) -> str:
    name = system.values.get("vendor_name")
    if name:
        return str(name)
    return system.labels.get("vendor_type", "")


def _oversight(system: System) -> str:
    return system.labels.get("oversight", "")


def _data(system: System) -> str:
    parts = [
        system.labels.get("data_sources", ""),
        system.labels.get("personal_data", ""),
    ]
    return " — ".join(p for p in parts if p)


#: standard -> (title, version, source, field -> getter)
STANDARDS: dict[str, tuple[str, str, str, Mapping[str, Getter]]] = {
    "atrs": (
        "UK Algorithmic Transparency Recording Standard (data standard)",
        "1.1",
        "https://assets.publishing.service.gov.uk/media/61a8a4118fa8f50382034ea3/"
        "Algorithmic_transparency_data_standard.csv",
        {
            "name": _label("tool_name"),
            "description": _description,
            "website": _empty,
            "contact_email": _empty,
            "organisation": lambda s: s.organisation,
            "team": _empty,
            "senior_responsible_owner": _empty,
            "external_supplier": _supplier,
        },
    ),
    "annex-viii": (
        "Regulation (EU) 2024/1689, Annex VIII Section C (deployers, Art. 49(3))",
        "OJ L, 2024/1689, 12.7.2024",
        "https://eur-lex.europa.eu/eli/reg/2024/1689/oj",
        {
            "1_deployer_name_address_contact": lambda s: s.organisation,
            "2_submitter_name_address_contact": _empty,
            "3_provider_database_entry_url": _empty,
            "4_fundamental_rights_impact_assessment_summary": _empty,
            "5_data_protection_impact_assessment_summary": _empty,
        },
    ),
    "etalab": (
        "Inventaire des principaux traitements algorithmiques (CRPA art. L312-1-3)",
        "fiche pratique Etalab, mise à jour le 11 février 2021",
        "https://guides.data.gouv.fr/autres-ressources-utiles/les-algorithmes-publics-"
        "pourquoi-et-comment-les-expliquer/fiche-pratique-linventaire-des-principaux-"
        "traitements-algorithmiques",
        {
            "nom": _label("tool_name"),
            "administration": lambda s: s.organisation,
            "finalite": _description,
            "statut": _label("tool_status"),
            "donnees_utilisees": _data,
            "intervention_humaine": _oversight,
            "fournisseur": _supplier,
            "documentation_publique": _label("public_info"),
            "contact": _empty,
        },
    ),
}


def standard_fields(standard: str) -> tuple[str, ...]:
    """The field names of ``standard`` (``REGISTER_021`` if unknown)."""
    if standard not in STANDARDS:
        raise SociaparisError(
            RegisterError.UNKNOWN_FORMAT, format=standard, allowed=", ".join(STANDARDS)
        )
    return tuple(STANDARDS[standard][3])


def standard_records(register: Register, standard: str) -> dict[str, Any]:
    """The named systems of ``register`` as records of ``standard``.

    Returns
    -------
    dict
        ``standard``, ``title``, ``version``, ``source``, ``not_legal_advice``
        and ``records`` (one dict per system: every field of the standard, an
        empty string where the survey has no answer, plus ``sociaparis_system``
        naming the system it comes from).
    """
    fields = standard_fields(standard)
    title, version, source, getters = STANDARDS[standard]
    records = []
    for system in register.systems:
        record = {name: getters[name](system) for name in fields}
        record["sociaparis_system"] = system.key
        records.append(record)
    return {
        "standard": standard,
        "title": title,
        "version": version,
        "source": source,
        "not_legal_advice": register.disclaimer,
        "records": records,
    }
