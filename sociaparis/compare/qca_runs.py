"""QCA over the stored case matrix of a frame: calibration plans and saved runs.

The twins ``sociaparis qca plan|analyse|runs|show`` and the pages under
``/qca`` call these functions; the statistics are those of
:mod:`sociaparis.compare.qca` (which agree with R's ``QCA``).

- A frame's **calibration plan** says how its dimensions become sets: used as
  they are (memberships already), calibrated directly (``e``/``c``/``i``
  thresholds, logistic or linear), indirectly, into crisp sets, or mapped from
  categories. It has the layout of a calibration plan file (``[sets.NAME]``).
- A **run** is a truth table, its minimization and the necessity analysis for
  an outcome and conditions chosen among the sets, with R's settings.
- A **saved run** keeps its settings, the plan, the raw values of the
  dimensions it used and their SHA-256 (the *matrix version*), and its result.
  Regenerating it recomputes from the kept values (the published table,
  identical); re-running it recomputes from the matrix as it is now; the
  version tells whether the matrix changed since.

Viewers (every role) read plans and saved runs; researchers and
administrators run, save and change plans (``QCA_050`` otherwise).  Functions
take the session keyword-only and never commit.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from sociaparis.accounts.service import Account
from sociaparis.compare.matrix.service import (
    can_edit_matrix,
    dimensions_of,
    frame_row,
    matrix_frame,
)
from sociaparis.compare.models import QCAPlan, QCARun
from sociaparis.compare.qca import minimize, pof_necessity, superset_subset, truth_table
from sociaparis.compare.qca.calibrate import calibrate_sets, parse_thresholds
from sociaparis.compare.qca.conformance import to_json
from sociaparis.compare.qca.errors import QCAError
from sociaparis.compare.qca.necessity import NecessityResult
from sociaparis.compare.qca.rcode import r_code
from sociaparis.compare.qca.results import Minimization, Model
from sociaparis.compare.qca.truth_table import TruthTable
from sociaparis.core.db import utcnow
from sociaparis.core.errors import Reason, SociaparisError

#: how a dimension becomes a set (the calibration page's choices)
METHODS = ("none", "asis", "direct", "linear", "indirect", "crisp", "map")
#: the kinds of solution R's minimize() gives
SOLUTIONS = ("conservative", "parsimonious", "intermediate")

# ------------------------------------------------------------------ roles


def can_run_qca(actor: Account) -> bool:
    """Whether ``actor`` may run and save QCA and change calibration plans
    (researchers and administrators, as for the case matrix)."""
    return can_edit_matrix(actor.role)


def _require_runner(actor: Account, action: str) -> None:
    if not can_run_qca(actor):
        raise SociaparisError(
            QCAError.RUN_NOT_ALLOWED,
            user=actor.username,
            role=str(actor.role),
            action=action,
        )


# ------------------------------------------------------------------ plans


def plan_entry(
    source: str,
    method: str,
    *,
    thresholds: str = "",
    mapping: str = "",
    idm: float = 0.95,
    negate: bool = False,
) -> dict[str, Any] | None:
    """The plan options of a set calibrated from ``source`` by ``method``.

    Parameters
    ----------
    source
        The frame's dimension.
    method
        One of :data:`METHODS` (``none``: not a set).
    thresholds
        ``"e=2, c=5, i=8"`` (direct, linear), cut points ``"550, 850"`` (crisp,
        indirect).
    mapping
        Categories: ``"charter=1; guide=0.67; none=0"`` (``;`` or new lines).
    idm, negate
        Inclusion degree (logistic) and ``1 - x``.

    Returns
    -------
    dict or None
        The options, or ``None`` for ``method="none"``.

    Examples
    --------
    >>> plan_entry("cio", "direct", thresholds="e=2, c=5, i=8")
    {'source': 'cio', 'type': 'fuzzy', 'thresholds': 'e=2, c=5, i=8'}
    >>> plan_entry("tool", "map", mapping="semi=1; other=0")
    {'source': 'tool', 'map': {'semi': 1.0, 'other': 0.0}}
    """
    if method not in METHODS:
        raise SociaparisError(
            QCAError.BAD_SETTING,
            name="method",
            value=method,
            reason=Reason(en="unknown method", fr="méthode inconnue"),
        )
    if method == "none":
        return None
    entry: dict[str, Any] = {"source": source}
    if method == "map":
        pairs = [p for p in mapping.replace("\n", ";").split(";") if p.strip()]
        table: dict[str, float] = {}
        for pair in pairs:
            key, sep, value = pair.rpartition("=")
            try:
                table[key.strip()] = float(value)
            except ValueError:
                raise SociaparisError(
                    QCAError.BAD_PLAN,
                    reason=Reason(
                        en=f"'{pair.strip()}' is not 'category = membership' "
                        f"(set from {source})",
                        fr=f"« {pair.strip()} » n'a pas la forme « catégorie = "
                        f"appartenance » (ensemble tiré de {source})",
                    ),
                ) from None
            if not sep or not key.strip():
                raise SociaparisError(
                    QCAError.BAD_PLAN,
                    reason=Reason(
                        en=f"'{pair.strip()}' names no category (set from {source})",
                        fr=f"« {pair.strip()} » ne nomme aucune catégorie (ensemble "
                        f"tiré de {source})",
                    ),
                )
        if not table:
            raise SociaparisError(
                QCAError.BAD_PLAN,
                reason=Reason(
                    en=f"the set from {source} has an empty map",
                    fr=f"l'ensemble tiré de {source} a une table de correspondance vide",
                ),
            )
        entry["map"] = table
    elif method != "asis":
        if not thresholds.strip():
            raise SociaparisError(
                QCAError.BAD_PLAN,
                reason=Reason(
                    en=f"the set from {source} needs thresholds",
                    fr=f"l'ensemble tiré de {source} demande des seuils",
                ),
            )
        parse_thresholds(thresholds)
        entry["type"] = "crisp" if method == "crisp" else "fuzzy"
        if method == "indirect":
            entry["method"] = "indirect"
        entry["thresholds"] = thresholds.strip()
        if method == "linear":
            entry["logistic"] = False
        if method == "direct" and float(idm) != 0.95:
            entry["idm"] = float(idm)
    if negate:
        entry["negate"] = True
    return entry


def entry_method(entry: Mapping[str, Any]) -> str:
    """The :data:`METHODS` name of a plan entry (the inverse of :func:`plan_entry`)."""
    if "map" in entry:
        return "map"
    if "thresholds" not in entry:
        return "asis"
    if entry.get("type", "fuzzy") == "crisp":
        return "crisp"
    if entry.get("method", "direct") == "indirect":
        return "indirect"
    return "linear" if entry.get("logistic", True) is False else "direct"


#: options a plan row of the calibration form does not show, kept when it is saved
KEPT_OPTIONS = ("label", "note", "idm", "negate", "ecdf", "below", "above")


def plan_from_rows(
    rows: Sequence[Mapping[str, str]], previous: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A plan from the calibration form's rows (``set``, ``source``, ``method``,
    ``thresholds``, ``map``), in order; a set that keeps its name, dimension and
    method keeps the options the form does not show (label, idm, negation…).

    Examples
    --------
    >>> old = {"sets": {"CIO": {"source": "cio", "thresholds": "1,2,3", "label": "L"}}}
    >>> rows = [{"set": "CIO", "source": "cio", "method": "direct",
    ...          "thresholds": "e=1, c=2, i=3"}, {"source": "x", "method": "none"}]
    >>> plan_from_rows(rows, old)["sets"]["CIO"]["label"]
    'L'
    """
    before = (previous or {}).get("sets", {})
    sets: dict[str, Any] = {}
    for row in rows:
        entry = plan_entry(
            row["source"],
            row.get("method", "none"),
            thresholds=row.get("thresholds", ""),
            mapping=row.get("map", ""),
        )
        if entry is None:
            continue
        name = row.get("set", "").strip() or entry["source"]
        old = before.get(name)
        if (
            old is not None
            and str(old.get("source", name)) == entry["source"]
            and entry_method(old) == entry_method(entry)
        ):
            entry.update({k: old[k] for k in KEPT_OPTIONS if k in old})
        sets[name] = entry
    return {"sets": sets}


def _check_plan(plan: Mapping[str, Any]) -> dict[str, Any]:
    sets = plan.get("sets") if isinstance(plan, Mapping) else None
    if not isinstance(sets, Mapping):
        raise SociaparisError(
            QCAError.BAD_PLAN,
            reason=Reason(en="it has no [sets] table", fr="il n'a pas de table [sets]"),
        )
    out: dict[str, Any] = {}
    for name, options in sets.items():
        if not str(name).replace("_", "").replace(".", "").isalnum():
            raise SociaparisError(
                QCAError.BAD_PLAN,
                reason=Reason(
                    en=f"set name '{name}' must be letters, digits, '_' or '.'",
                    fr=f"le nom d'ensemble « {name} » ne peut contenir que des "
                    "lettres, des chiffres, « _ » ou « . »",
                ),
            )
        if not isinstance(options, Mapping):
            raise SociaparisError(
                QCAError.BAD_PLAN,
                reason=Reason(
                    en=f"set '{name}' is not a table of options",
                    fr=f"l'ensemble « {name} » n'est pas une table d'options",
                ),
            )
        out[str(name)] = dict(options)
    return {"sets": out}


def default_plan(raw: pd.DataFrame) -> dict[str, Any]:
    """The plan of a frame that has none: every number dimension whose values are
    memberships (in [0, 1], or codes 0, 1, 2… for multi-value) is a set as it is."""
    sets: dict[str, Any] = {}
    for column in raw.columns:
        if raw[column].dtype.kind != "f":
            continue
        present = raw[column].dropna()
        whole = bool((present == present.round()).all())
        if len(present) and present.min() >= 0 and (present.max() <= 1 or whole):
            sets[str(column)] = {"source": str(column)}
    return {"sets": sets}


def get_plan(*, session: Session, frame: str) -> dict[str, Any]:
    """The frame's calibration plan (saved, or :func:`default_plan`)."""
    row = frame_row(session, frame)
    saved = session.scalar(select(QCAPlan).where(QCAPlan.frame_id == row.id))
    if saved is not None:
        return {"sets": dict(saved.plan.get("sets", {}))}
    return default_plan(matrix_frame(session=session, frame=frame))


def save_plan(
    *, session: Session, actor: Account, frame: str, plan: Mapping[str, Any]
) -> dict[str, Any]:
    """Check and save ``plan`` (``{"sets": {NAME: options}}``) as the frame's plan.

    Every set's source must be a dimension of the frame; the plan is tried on the
    matrix, and a set that cannot be calibrated is refused (``QCA_056``).
    """
    _require_runner(actor, "change a calibration plan")
    row = frame_row(session, frame)
    checked = _check_plan(plan)
    dims = [d.name for d in dimensions_of(session, row)]
    for name, options in checked["sets"].items():
        source = str(options.get("source", name))
        if source not in dims:
            raise SociaparisError(
                QCAError.BAD_PLAN,
                reason=Reason(
                    en=f"set '{name}' reads '{source}', which is not a dimension of "
                    f"frame '{row.name}' ({', '.join(dims)})",
                    fr=f"l'ensemble « {name} » lit « {source} », qui n'est pas une "
                    f"dimension du cadre « {row.name} » ({', '.join(dims)})",
                ),
            )
    raw = matrix_frame(session=session, frame=frame)
    for name, options in checked["sets"].items():
        try:
            calibrated_sets(raw, {name: options})
        except SociaparisError as error:
            # The calibration's own error, quoted: a page shows it in its language.
            raise SociaparisError(
                QCAError.SET_NOT_CALIBRATED, name=name, reason=error
            ) from None
    saved = session.scalar(select(QCAPlan).where(QCAPlan.frame_id == row.id))
    if saved is None:
        saved = QCAPlan(frame_id=row.id)
        session.add(saved)
    saved.plan = checked
    saved.updated_by = actor.username
    saved.updated_at = utcnow()
    session.flush()
    return checked


def calibrated_sets(
    raw: pd.DataFrame, sets: Mapping[str, Mapping[str, Any]]
) -> pd.DataFrame:
    """The sets of a plan computed on the raw matrix, in plan order.

    A set without ``thresholds`` or ``map`` takes its source's values as they are
    (``1 - x`` with ``negate``); the others go through
    :func:`~sociaparis.compare.qca.calibrate_sets` (R's ``calibrate()``).
    """
    out = pd.DataFrame(index=raw.index)
    for name, options in sets.items():
        if "thresholds" in options or "map" in options:
            out[name] = calibrate_sets(raw, {name: options})[name]
            continue
        source = str(options.get("source", name))
        if source not in raw.columns:
            raise SociaparisError(
                QCAError.UNKNOWN_COLUMN,
                column=source,
                available=", ".join(map(str, raw.columns)),
            )
        values = pd.to_numeric(raw[source], errors="coerce")
        if values.isna().any():
            bad = raw[source][values.isna()]
            if bad.notna().any():
                raise SociaparisError(
                    QCAError.NOT_NUMERIC, column=source, value=bad[bad.notna()].iloc[0]
                )
        out[name] = 1 - values if options.get("negate") else values
    return out


# ------------------------------------------------------------------ calibration view


@dataclass(frozen=True, slots=True)
class SetCalibration:
    """One set of a plan on the matrix: parameters, raw and calibrated values.

    Attributes
    ----------
    name, source, method, options
        The set, its dimension, its :data:`METHODS` name and plan options.
    cases
        Case names, in frame order.
    raw
        The dimension's values (numbers or text; ``None`` where missing).
    calibrated
        Memberships (or crisp codes), or ``None`` when calibration failed.
    crossover
        Cases whose membership is exactly 0.5 (in no corner of the property
        space: the truth table cannot place them).
    error
        Why calibration failed, else ``None``.
    """

    name: str
    source: str
    method: str
    options: Mapping[str, Any]
    cases: tuple[str, ...]
    raw: tuple[Any, ...]
    calibrated: tuple[float, ...] | None
    crossover: tuple[str, ...]
    error: SociaparisError | None = None

    @property
    def numeric(self) -> bool:
        """Whether the raw values are numbers (a plot can be drawn)."""
        return all(isinstance(v, (int, float)) and v == v for v in self.raw)

    @property
    def thresholds(self) -> tuple[float, ...]:
        """The threshold values, for the plot."""
        if "thresholds" not in self.options:
            return ()
        return tuple(parse_thresholds(self.options["thresholds"]).values)

    @property
    def rows(self) -> list[tuple[str, Any, float | None]]:
        """(case, raw, calibrated) per case."""
        values = self.calibrated or (None,) * len(self.cases)
        return list(zip(self.cases, self.raw, values, strict=True))


def _plain(value: Any) -> Any:
    if isinstance(value, (np.floating, float)):
        number = float(value)
        return None if math.isnan(number) else number
    if isinstance(value, np.integer):
        return int(value)
    return value


def calibration_overview(
    *, session: Session, frame: str, plan: Mapping[str, Any] | None = None
) -> list[SetCalibration]:
    """Every set of the frame's plan (or of ``plan``) calibrated on its matrix; a
    set that fails carries its error instead of values."""
    sets = (plan or get_plan(session=session, frame=frame))["sets"]
    raw = matrix_frame(session=session, frame=frame)
    cases = tuple(str(c) for c in raw.index)
    out = []
    for name, options in sets.items():
        source = str(options.get("source", name))
        values = (
            tuple(_plain(v) for v in raw[source])
            if source in raw.columns
            else (None,) * len(cases)
        )
        try:
            column = calibrated_sets(raw, {name: options})[name]
        except SociaparisError as error:
            out.append(
                SetCalibration(
                    name,
                    source,
                    entry_method(options),
                    options,
                    cases,
                    values,
                    None,
                    (),
                    error,
                )  # fmt: skip
            )
            continue
        calibrated = tuple(float(v) for v in column)
        crossover = tuple(
            c for c, v in zip(cases, calibrated, strict=True) if abs(v - 0.5) < 1e-9
        )
        out.append(
            SetCalibration(
                name,
                source,
                entry_method(options),
                options,
                cases,
                values,
                calibrated,
                crossover,
            )  # fmt: skip
        )
    return out


# ------------------------------------------------------------------ settings


def _cut(value: Any, name: str, low: float = 0.0, high: float = 1.0) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SociaparisError(
            QCAError.BAD_SETTING,
            name=name,
            value=value,
            reason=Reason(en="not a number", fr="ce n'est pas un nombre"),
        ) from None
    if not low <= number <= high:
        raise SociaparisError(
            QCAError.BAD_SETTING,
            name=name,
            value=value,
            reason=Reason(
                en=f"it must be between {low:g} and {high:g}",
                fr=f"il doit être compris entre {low:g} et {high:g}",
            ),
        )
    return number


@dataclass(frozen=True, slots=True)
class QCASettings:
    """The arguments of a run, named as in R's ``truthTable()`` and ``minimize()``.

    Attributes
    ----------
    outcome, conditions, negate_outcome
        Sets of the plan (``negate_outcome``: analyse ``~outcome``).
    incl_cut
        One cut-off, or two (``ic1, ic0``: rows between them are contradictions).
    n_cut, pri_cut
        Rows with fewer cases are remainders; rows under ``pri_cut`` are OUT 0.
    solution
        ``conservative`` (``include = ""``), ``parsimonious`` (``"?"``) or
        ``intermediate`` (``"?"`` with directional expectations).
    include_contradictions
        Add ``"C"`` to ``include``.
    dir_exp
        Directional expectations, e.g. ``"MOD, ~CIO, NET=-"`` (intermediate).
    row_dom
        Remove dominated prime implicants (R's ``row.dom``).
    necessity_incl_cut, necessity_cov_cut
        ``superSubset()``'s cut-offs.
    """

    outcome: str
    conditions: tuple[str, ...]
    negate_outcome: bool = False
    incl_cut: tuple[float, ...] = (1.0,)
    n_cut: int = 1
    pri_cut: float = 0.0
    solution: str = "conservative"
    include_contradictions: bool = False
    dir_exp: str = ""
    row_dom: bool = False
    necessity_incl_cut: float = 0.9
    necessity_cov_cut: float = 0.6

    def __post_init__(self) -> None:
        if self.solution not in SOLUTIONS:
            raise SociaparisError(
                QCAError.BAD_SETTING,
                name="solution",
                value=self.solution,
                reason=Reason(
                    en=f"choose one of {', '.join(SOLUTIONS)}",
                    fr=f"choisissez parmi {', '.join(SOLUTIONS)}",
                ),
            )
        if not 1 <= len(self.incl_cut) <= 2:
            raise SociaparisError(QCAError.BAD_INCL_CUT, value=list(self.incl_cut))
        if self.solution == "intermediate" and not self.dir_exp.strip():
            raise SociaparisError(
                QCAError.BAD_SETTING,
                name="dir_exp",
                value=self.dir_exp,
                reason=Reason(
                    en="an intermediate solution needs directional expectations",
                    fr="une solution intermédiaire demande des attentes directionnelles",
                ),
            )

    @classmethod
    def parse(
        cls,
        *,
        outcome: str,
        conditions: Sequence[str],
        negate_outcome: bool = False,
        incl_cut: str | float | Sequence[float] = 1.0,
        n_cut: Any = 1,
        pri_cut: Any = 0.0,
        solution: str = "conservative",
        include_contradictions: bool = False,
        dir_exp: str = "",
        row_dom: bool = False,
        necessity_incl_cut: Any = 0.9,
        necessity_cov_cut: Any = 0.6,
    ) -> QCASettings:
        """Settings from form or command-line text, checked (``QCA_053``).

        Examples
        --------
        >>> QCASettings.parse(outcome="Y", conditions=["A"], incl_cut="0.8, 0.6").incl_cut
        (0.8, 0.6)
        """
        if isinstance(incl_cut, str):
            parts = [p for p in incl_cut.replace(";", ",").split(",") if p.strip()]
        elif isinstance(incl_cut, (int, float)):
            parts = [incl_cut]
        else:
            parts = list(incl_cut)
        cuts = tuple(_cut(p, "incl_cut") for p in parts)
        try:
            n = int(str(n_cut).strip())
        except ValueError:
            raise SociaparisError(
                QCAError.BAD_SETTING,
                name="n_cut",
                value=n_cut,
                reason=Reason(en="not a whole number", fr="ce n'est pas un entier"),
            ) from None
        if n < 1:
            raise SociaparisError(
                QCAError.BAD_SETTING,
                name="n_cut",
                value=n_cut,
                reason=Reason(
                    en="it must be >= 1", fr="il doit être supérieur ou égal à 1"
                ),
            )
        return cls(
            outcome=outcome.strip(),
            conditions=tuple(c.strip() for c in conditions if c.strip()),
            negate_outcome=bool(negate_outcome),
            incl_cut=cuts,
            n_cut=n,
            pri_cut=_cut(pri_cut, "pri_cut"),
            solution=solution,
            include_contradictions=bool(include_contradictions),
            dir_exp=dir_exp.strip() if solution == "intermediate" else "",
            row_dom=bool(row_dom),
            necessity_incl_cut=_cut(necessity_incl_cut, "necessity_incl_cut"),
            necessity_cov_cut=_cut(necessity_cov_cut, "necessity_cov_cut"),
        )

    @property
    def include(self) -> str:
        """R's ``include`` argument."""
        text = "" if self.solution == "conservative" else "?"
        return text + ("C" if self.include_contradictions else "")

    @property
    def incl_cut_value(self) -> float | list[float]:
        """``incl_cut`` as the engine and R take it."""
        return self.incl_cut[0] if len(self.incl_cut) == 1 else list(self.incl_cut)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (kept with a saved run)."""
        return {
            "outcome": self.outcome,
            "conditions": list(self.conditions),
            "negate_outcome": self.negate_outcome,
            "incl_cut": list(self.incl_cut),
            "n_cut": self.n_cut,
            "pri_cut": self.pri_cut,
            "solution": self.solution,
            "include": self.include,
            "include_contradictions": self.include_contradictions,
            "dir_exp": self.dir_exp,
            "row_dom": self.row_dom,
            "necessity_incl_cut": self.necessity_incl_cut,
            "necessity_cov_cut": self.necessity_cov_cut,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QCASettings:
        """The inverse of :meth:`to_dict`."""
        return cls(
            outcome=data["outcome"],
            conditions=tuple(data["conditions"]),
            negate_outcome=bool(data.get("negate_outcome", False)),
            incl_cut=tuple(float(v) for v in data.get("incl_cut", [1.0])),
            n_cut=int(data.get("n_cut", 1)),
            pri_cut=float(data.get("pri_cut", 0.0)),
            solution=data.get("solution", "conservative"),
            include_contradictions=bool(data.get("include_contradictions", False)),
            dir_exp=data.get("dir_exp", ""),
            row_dom=bool(data.get("row_dom", False)),
            necessity_incl_cut=float(data.get("necessity_incl_cut", 0.9)),
            necessity_cov_cut=float(data.get("necessity_cov_cut", 0.6)),
        )


# ------------------------------------------------------------------ the run


@dataclass(frozen=True, slots=True)
class ModelGroup:
    """Models shown together: the conservative or parsimonious models, or the
    intermediate models of one ``C{i}P{j}`` pair."""

    label: str
    models: tuple[Model, ...]
    essential: tuple[str, ...] = ()
    easy_counterfactuals: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class QCAAnalysis:
    """A run on a frame: truth table, minimization and necessity.

    Attributes
    ----------
    frame, settings, plan
        What was run (``plan``: the sets used, as in the calibration plan).
    data
        The raw values of the dimensions used: ``{"cases": [...], "columns":
        {dimension: [...]}}``.
    matrix_version
        SHA-256 of ``data`` (:func:`matrix_version`).
    truth_table
        The truth table.
    minimization
        The minimization, or ``None`` when it cannot run (``minimization_error``:
        e.g. no row has OUT 1).
    pof, necessary
        The necessity of each condition (R's ``pof``) and the necessary terms
        (``superSubset``; ``None`` when none passes the cut-offs).
    """

    frame: str
    settings: QCASettings
    plan: Mapping[str, Any]
    data: Mapping[str, Any]
    matrix_version: str
    truth_table: TruthTable
    minimization: Minimization | None
    minimization_error: SociaparisError | None
    pof: NecessityResult
    necessary: NecessityResult | None
    r_code: str = field(default="")

    @property
    def groups(self) -> list[ModelGroup]:
        """The models to show, with their label."""
        res = self.minimization
        if res is None:
            return []
        if res.intermediate:
            return [
                ModelGroup(
                    f"intermediate {i.key}",
                    i.models,
                    i.essential,
                    i.easy_counterfactuals,
                )  # fmt: skip
                for i in res.intermediate
            ]
        kind = "parsimonious" if "?" in res.include else "conservative"
        return [ModelGroup(kind, res.models, res.essential)]

    @property
    def model_count(self) -> int:
        """How many minimal models explain the outcome equally well."""
        return sum(len(g.models) for g in self.groups)

    def result(self) -> dict[str, Any]:
        """The result as JSON-ready data (kept with a saved run)."""
        res = self.minimization
        return json_ready(
            {
                "truth_table": self.truth_table.to_dict(),
                "minimization": res.to_dict() if res is not None else None,
                "minimization_error": None
                if self.minimization_error is None
                else self.minimization_error.code,
                "pof": self.pof.to_dict(),
                "superSubset": self.necessary.to_dict() if self.necessary else None,
            }
        )


def json_ready(value: Any) -> Any:
    """``value`` through JSON (numpy numbers plain, NaN and infinities ``None``),
    so that a result compares equal to its stored copy."""

    def clean(item: Any) -> Any:
        if isinstance(item, float) and not math.isfinite(item):
            return None
        if isinstance(item, dict):
            return {k: clean(v) for k, v in item.items()}
        if isinstance(item, list):
            return [clean(v) for v in item]
        return item

    return clean(json.loads(to_json(value)))


def matrix_version(data: Mapping[str, Any]) -> str:
    """SHA-256 of the raw values a run used (cases and columns, canonical JSON).

    Examples
    --------
    >>> len(matrix_version({"cases": ["a"], "columns": {"x": [1.0]}}))
    64
    """
    text = json.dumps(json_ready(data), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _sources(plan: Mapping[str, Any], names: Sequence[str]) -> list[str]:
    seen: list[str] = []
    for name in names:
        source = str(plan[name].get("source", name))
        if source not in seen:
            seen.append(source)
    return seen


def matrix_data(
    *, session: Session, frame: str, plan: Mapping[str, Any], names: Sequence[str]
) -> dict[str, Any]:
    """The raw values of the dimensions that the sets ``names`` of ``plan`` read."""
    raw = matrix_frame(session=session, frame=frame, dimensions=_sources(plan, names))
    return {
        "cases": [str(c) for c in raw.index],
        "columns": {str(c): [_plain(v) for v in raw[c]] for c in raw.columns},
    }


def _frame_of(data: Mapping[str, Any]) -> pd.DataFrame:
    columns = {
        name: pd.Series(
            values,
            dtype="float64"
            if all(v is None or isinstance(v, (int, float)) for v in values)
            else "object",
        )
        for name, values in data["columns"].items()
    }
    out = pd.DataFrame(columns)
    out.index = pd.Index(list(data["cases"]), name="case")
    return out


def compute(
    *,
    frame: str,
    plan: Mapping[str, Any],
    data: Mapping[str, Any],
    settings: QCASettings,
) -> QCAAnalysis:
    """Run the QCA of ``settings`` on kept raw ``data`` (pure: no database).

    Raises
    ------
    SociaparisError
        ``QCA_054``/``QCA_055`` for missing or unknown sets, and the engine's
        errors (``QCA_001`` to ``QCA_019``) for data it cannot use.
    """
    sets = plan["sets"] if "sets" in plan else plan
    available = ", ".join(sets) or Reason(en="none", fr="aucun")
    if not settings.outcome or not settings.conditions:
        raise SociaparisError(QCAError.NO_CONDITIONS, available=available)
    for name in (settings.outcome, *settings.conditions):
        if name not in sets:
            raise SociaparisError(
                QCAError.UNKNOWN_SET, name=name, frame=frame, available=available
            )
    used = [settings.outcome, *settings.conditions]
    chosen = {name: dict(sets[name]) for name in used}
    calibrated = calibrated_sets(_frame_of(data), chosen)
    common = {
        "outcome": settings.outcome,
        "conditions": list(settings.conditions),
        "negate_outcome": settings.negate_outcome,
    }
    tt = truth_table(
        calibrated,
        incl_cut=settings.incl_cut_value,
        n_cut=settings.n_cut,
        pri_cut=settings.pri_cut,
        **common,
    )
    minimization: Minimization | None = None
    failure: SociaparisError | None = None
    try:
        minimization = minimize(
            tt,
            include=settings.include,
            dir_exp=settings.dir_exp or None,
            row_dom=settings.row_dom,
        )
    except SociaparisError as error:
        if error.code not in ("QCA_009", "QCA_019"):
            raise
        failure = error
    pof = pof_necessity(calibrated, **common)
    try:
        necessary: NecessityResult | None = superset_subset(
            calibrated,
            incl_cut=settings.necessity_incl_cut,
            cov_cut=settings.necessity_cov_cut,
            **common,
        )
    except SociaparisError as error:
        if error.error is not QCAError.NO_NECESSARY:
            raise
        necessary = None
    code = r_code(
        plan=chosen,
        outcome=settings.outcome,
        conditions=settings.conditions,
        negate_outcome=settings.negate_outcome,
        incl_cut=settings.incl_cut_value,
        n_cut=settings.n_cut,
        pri_cut=settings.pri_cut,
        include=settings.include,
        dir_exp=settings.dir_exp or None,
        row_dom=settings.row_dom,
        necessity_incl_cut=settings.necessity_incl_cut,
        necessity_cov_cut=settings.necessity_cov_cut,
        data_file=f"{frame}.csv",
    )
    return QCAAnalysis(
        frame=frame,
        settings=settings,
        plan={"sets": chosen},
        data=data,
        matrix_version=matrix_version(data),
        truth_table=tt,
        minimization=minimization,
        minimization_error=failure,
        pof=pof,
        necessary=necessary,
        r_code=code,
    )


def analyse(
    *,
    session: Session,
    actor: Account,
    frame: str,
    settings: QCASettings,
    plan: Mapping[str, Any] | None = None,
) -> QCAAnalysis:
    """Run QCA on the frame's current matrix with its plan (or ``plan``).

    Raises
    ------
    SociaparisError
        ``QCA_050`` for a role that may not run QCA, and those of :func:`compute`.
    """
    _require_runner(actor, "run a QCA")
    frame_row(session, frame)
    plan = plan or get_plan(session=session, frame=frame)
    sets = plan["sets"]
    names = [n for n in (settings.outcome, *settings.conditions) if n in sets]
    data = matrix_data(session=session, frame=frame, plan=sets, names=names)
    return compute(frame=frame, plan=plan, data=data, settings=settings)


# ------------------------------------------------------------------ saved runs


@dataclass(frozen=True, slots=True)
class SavedRun:
    """A saved run, and whether the matrix changed since.

    Attributes
    ----------
    id, frame, name, settings, plan, data, matrix_version, result
        As saved.
    created_by, created_at
        Who saved it, and when.
    current_version
        The version of the same dimensions in the matrix now (``None`` when the
        frame, a dimension or every case is gone).
    """

    id: int
    frame: str
    name: str
    settings: QCASettings
    plan: Mapping[str, Any]
    data: Mapping[str, Any]
    matrix_version: str
    result: Mapping[str, Any]
    created_by: str
    created_at: datetime | None
    current_version: str | None

    @property
    def matrix_changed(self) -> bool:
        """Whether the matrix's values for this run differ from those it used."""
        return self.current_version != self.matrix_version

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``sociaparis qca show --json``)."""
        return {
            "id": self.id,
            "frame": self.frame,
            "name": self.name,
            "settings": self.settings.to_dict(),
            "plan": dict(self.plan),
            "matrix_version": self.matrix_version,
            "current_version": self.current_version,
            "matrix_changed": self.matrix_changed,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "result": dict(self.result),
        }


def _current_version(session: Session, row: QCARun) -> str | None:
    if row.frame_id is None:
        return None
    settings = QCASettings.from_dict(row.settings)
    try:
        data = matrix_data(
            session=session,
            frame=row.frame_name,
            plan=row.plan["sets"],
            names=[settings.outcome, *settings.conditions],
        )
    except SociaparisError:
        return None
    return matrix_version(data)


def _saved(session: Session, row: QCARun, *, check: bool = True) -> SavedRun:
    return SavedRun(
        id=row.id,
        frame=row.frame_name,
        name=row.name,
        settings=QCASettings.from_dict(row.settings),
        plan=row.plan,
        data=row.data,
        matrix_version=row.matrix_version,
        result=row.result,
        created_by=row.created_by,
        created_at=row.created_at,
        current_version=_current_version(session, row) if check else None,
    )


def save_run(
    *,
    session: Session,
    actor: Account,
    frame: str,
    settings: QCASettings,
    name: str = "",
) -> SavedRun:
    """Run QCA on the frame (as :func:`analyse`) and save the run."""
    result = analyse(session=session, actor=actor, frame=frame, settings=settings)
    return save_analysis(session=session, actor=actor, analysis=result, name=name)


def save_analysis(
    *, session: Session, actor: Account, analysis: QCAAnalysis, name: str = ""
) -> SavedRun:
    """Save a computed run with its settings, plan, raw values and version."""
    _require_runner(actor, "save a QCA run")
    frame = frame_row(session, analysis.frame)
    row = QCARun(
        frame_id=frame.id,
        frame_name=frame.name,
        name=name.strip()[:200],
        settings=analysis.settings.to_dict(),
        plan=json_ready(dict(analysis.plan)),
        data=json_ready(dict(analysis.data)),
        matrix_version=analysis.matrix_version,
        result=analysis.result(),
        created_by=actor.username,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return replace(_saved(session, row, check=False), current_version=row.matrix_version)


def _run_row(session: Session, run: int) -> QCARun:
    row = session.get(QCARun, run)
    if row is None:
        raise SociaparisError(QCAError.UNKNOWN_RUN, run=run)
    return row


def list_runs(
    *, session: Session, actor: Account, frame: str | None = None
) -> list[SavedRun]:
    """Saved runs, newest first (of one frame with ``frame``); each says whether
    the matrix changed since.  Every role may read them."""
    query = select(QCARun).order_by(QCARun.id.desc())
    if frame is not None:
        query = query.where(QCARun.frame_name == frame)
    return [_saved(session, row) for row in session.scalars(query)]


def get_run(*, session: Session, actor: Account, run: int) -> SavedRun:
    """One saved run (``QCA_051`` if none), with the matrix-changed check."""
    return _saved(session, _run_row(session, run))


def regenerate(*, session: Session, actor: Account, run: int) -> tuple[QCAAnalysis, bool]:
    """Recompute a saved run from the raw values it kept (the published table).

    Returns
    -------
    (QCAAnalysis, bool)
        The run, and whether its result equals the saved one.
    """
    saved = get_run(session=session, actor=actor, run=run)
    result = compute(
        frame=saved.frame, plan=saved.plan, data=saved.data, settings=saved.settings
    )
    return result, result.result() == json_ready(dict(saved.result))


def rerun(
    *, session: Session, actor: Account, run: int, save: bool = False
) -> tuple[QCAAnalysis, SavedRun | None]:
    """Run a saved run's settings and plan again on the matrix as it is now; with
    ``save``, keep it as a new saved run."""
    saved = get_run(session=session, actor=actor, run=run)
    result = analyse(
        session=session,
        actor=actor,
        frame=saved.frame,
        settings=saved.settings,
        plan=saved.plan,
    )
    kept = None
    if save:
        label = saved.name or f"run {saved.id}"
        kept = save_analysis(
            session=session, actor=actor, analysis=result, name=f"{label} (re-run)"
        )
    return result, kept
