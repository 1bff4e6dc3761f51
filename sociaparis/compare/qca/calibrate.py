"""Calibration of raw values into set memberships (R: ``calibrate()``)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sociaparis.core.errors import Reason, SociaparisError

from .errors import QCAError

_NAMED3 = ("e", "c", "i")
_NAMED6 = ("e1", "c1", "i1", "i2", "c2", "e2")


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Parsed thresholds: values, with their names when given (``e``, ``c``, ``i``…)."""

    values: tuple[float, ...]
    names: tuple[str, ...] | None


def parse_thresholds(
    thresholds: str | float | Sequence[float] | Mapping[str, float],
) -> Thresholds:
    """Read thresholds given as ``"e=165, c=175, i=185"``, a number, a list or a dict.

    Examples
    --------
    >>> parse_thresholds("e=165, c=175, i=185")
    Thresholds(values=(165.0, 175.0, 185.0), names=('e', 'c', 'i'))
    >>> parse_thresholds([170, 180]).values
    (170.0, 180.0)
    """
    if isinstance(thresholds, Mapping):
        names = tuple(str(k) for k in thresholds)
        return Thresholds(tuple(float(v) for v in thresholds.values()), names)
    if isinstance(thresholds, int | float):
        return Thresholds((float(thresholds),), None)
    if isinstance(thresholds, str):
        parts = [p.strip() for p in re.split(r"[,;]", thresholds) if p.strip()]
        names: list[str] = []
        values: list[float] = []
        try:
            for part in parts:
                if "=" in part:
                    name, value = part.split("=", 1)
                    names.append(name.strip())
                    values.append(float(value))
                else:
                    values.append(float(part))
        except ValueError:
            raise SociaparisError(
                QCAError.BAD_THRESHOLDS,
                value=thresholds,
                reason=Reason(en="they are not numbers", fr="ce ne sont pas des nombres"),
            ) from None
        if names and len(names) != len(values):
            raise SociaparisError(
                QCAError.BAD_THRESHOLDS,
                value=thresholds,
                reason=Reason(
                    en="name all of them or none", fr="nommez-les tous, ou aucun"
                ),
            )
        return Thresholds(tuple(values), tuple(names) if names else None)
    return Thresholds(tuple(float(v) for v in thresholds), None)


def _ordered(th: Thresholds, order: tuple[str, ...]) -> list[float]:
    if th.names is not None and set(th.names) == set(order):
        lookup = dict(zip(th.names, th.values, strict=True))
        return [lookup[name] for name in order]
    return list(th.values)


def _ecdf(sample: np.ndarray, at: np.ndarray | float) -> np.ndarray:
    sample = np.sort(sample)
    return np.searchsorted(sample, at, side="right") / len(sample)


def _linear3(
    x: np.ndarray,
    ex: float,
    cr: float,
    inc: float,
    below: float,
    above: float,
    ecdf: bool,
) -> np.ndarray:
    fn_cr = 0.0
    sample = x
    if ecdf:
        low, high = min(ex, cr, inc), max(ex, cr, inc)
        sample = x[(x >= low) & (x <= high)]
        fn_cr = float(_ecdf(sample, cr))
    out = np.empty(len(x))
    increasing = not (inc < cr < ex)
    for i, value in enumerate(x):
        fn = float(_ecdf(sample, value)) if ecdf else 0.0
        if increasing:
            if value < ex or np.isclose(value, ex):
                out[i] = 0.0
            elif value < cr or np.isclose(value, cr):
                out[i] = (
                    fn / fn_cr / 2 if ecdf else ((ex - value) / (ex - cr)) ** below / 2
                )
            elif value < inc or np.isclose(value, inc):
                out[i] = (
                    1 - (1 - fn) / (1 - fn_cr) / 2
                    if ecdf
                    else 1 - ((inc - value) / (inc - cr)) ** above / 2
                )
            else:
                out[i] = 1.0
        else:
            if value < inc or np.isclose(value, inc):
                out[i] = 1.0
            elif value < cr or np.isclose(value, cr):
                out[i] = (
                    1 - fn / fn_cr / 2
                    if ecdf
                    else 1 - ((inc - value) / (inc - cr)) ** above / 2
                )
            elif value < ex or np.isclose(value, ex):
                out[i] = (
                    (1 - fn) / (1 - fn_cr) / 2
                    if ecdf
                    else ((ex - value) / (ex - cr)) ** below / 2
                )
            else:
                out[i] = 0.0
    return out


def _bell(x: np.ndarray, th: list[float], below: float, above: float) -> np.ndarray:
    ex1, cr1, in1, in2, cr2, ex2 = th
    if not (min(ex1, in1) <= cr1 <= max(ex1, in1)) or not (
        min(ex2, in2) <= cr2 <= max(ex2, in2)
    ):
        raise SociaparisError(
            QCAError.BAD_THRESHOLDS,
            value=th,
            reason=Reason(
                en="each crossover must lie between its exclusion and inclusion values",
                fr="chaque point de croisement doit se situer entre ses seuils "
                "d'exclusion et d'inclusion",
            ),
        )
    increasing = not (in1 < cr1 < ex1 <= ex2 < cr2 < in2)
    out = np.empty(len(x))
    for i, v in enumerate(x):
        if increasing:
            if v < ex1 or np.isclose(v, ex1):
                out[i] = 0.0
            elif v < cr1 or np.isclose(v, cr1):
                out[i] = ((ex1 - v) / (ex1 - cr1)) ** below / 2
            elif v < in1:
                out[i] = 1 - ((in1 - v) / (in1 - cr1)) ** above / 2
            elif v < in2 or np.isclose(v, in2):
                out[i] = 1.0
            elif v < cr2 or np.isclose(v, cr2):
                out[i] = 1 - ((in2 - v) / (in2 - cr2)) ** above / 2
            elif v < ex2 or np.isclose(v, ex2):
                out[i] = ((ex2 - v) / (ex2 - cr2)) ** below / 2
            else:
                out[i] = 0.0
        else:
            if v < in1 or np.isclose(v, in1):
                out[i] = 1.0
            elif v < cr1 or np.isclose(v, cr1):
                out[i] = 1 - ((in1 - v) / (in1 - cr1)) ** above / 2
            elif v < ex1:
                out[i] = ((ex1 - v) / (ex1 - cr1)) ** below / 2
            elif v < ex2 or np.isclose(v, ex2):
                out[i] = 0.0
            elif v < cr2 or np.isclose(v, cr2):
                out[i] = ((ex2 - v) / (ex2 - cr2)) ** below / 2
            elif v < in2 or np.isclose(v, in2):
                out[i] = 1 - ((in2 - v) / (in2 - cr2)) ** above / 2
            else:
                out[i] = 1.0
    return out


def _logistic(x: np.ndarray, ex: float, cr: float, inc: float, idm: float) -> np.ndarray:
    flip = ex > inc
    if flip:
        ex, inc = inc, ex
    scale = np.log(idm / (1 - idm))
    above = x >= cr
    slope = np.where(above, scale / (inc - cr), -scale / (ex - cr))
    out = 1.0 / (1.0 + np.exp(-((x - cr) * slope)))
    return 1.0 - out if flip else out


def _indirect(x: np.ndarray, th: list[float]) -> np.ndarray:
    import statsmodels.api as sm

    th = sorted(th)
    values = np.round(np.linspace(0, 1, len(th) + 1), 3)
    y = np.zeros(len(x))
    for i, t in enumerate(th):
        y[x > t] = values[i + 1]
    if np.any(x <= 0):
        raise SociaparisError(
            QCAError.BAD_THRESHOLDS,
            value=th,
            reason=Reason(
                en="the indirect method takes log(x) and needs positive values",
                fr="la méthode indirecte prend log(x) et demande des valeurs positives",
            ),
        )
    design = np.column_stack([np.ones(len(x)), np.log(x), np.sqrt(x), x, x**2])
    model = sm.GLM(y, design, family=sm.families.Binomial())
    fitted = model.fit(tol=1e-10, maxiter=100).predict(design)
    return np.round(fitted, 6)


def calibrate(
    x: Sequence[float] | np.ndarray | pd.Series,
    *,
    thresholds: str | float | Sequence[float] | Mapping[str, float],
    type: str = "fuzzy",
    method: str = "direct",
    logistic: bool = True,
    idm: float = 0.95,
    ecdf: bool = False,
    below: float = 1.0,
    above: float = 1.0,
) -> np.ndarray:
    """Calibrate raw values into crisp or fuzzy set memberships (R: ``calibrate()``).

    Parameters
    ----------
    x
        Raw numeric values.
    thresholds
        Crisp: one or more cut points (several give a multi-value condition 0, 1, 2…).
        Fuzzy direct: ``"e=…, c=…, i=…"`` (exclusion, crossover, inclusion; put ``i``
        first for a decreasing set) or six for a bell shape ``"e1, c1, i1, i2, c2,
        e2"`` (inverse bell with ``i1, c1, e1, e2, c2, i2``). Fuzzy indirect: the
        category cut points.
    type
        ``"crisp"`` or ``"fuzzy"``.
    method
        ``"direct"`` or ``"indirect"`` (fuzzy only).
    logistic
        Direct method with three thresholds: logistic function (default) or linear
        (``False``; ``below``/``above`` bend it, ``ecdf`` uses the empirical CDF).
    idm
        Inclusion degree of membership at the inclusion threshold (logistic).
    ecdf, below, above
        See ``logistic``.

    Returns
    -------
    numpy.ndarray
        Memberships (fuzzy, values below 1e-4 set to 0 and above 0.9999 to 1, as R)
        or crisp codes.

    Notes
    -----
    Logistic: ``1 / (1 + exp(-(x - c) * log(idm / (1 - idm)) / (t - c)))`` with t the
    inclusion threshold above the crossover and the exclusion one below it. Indirect:
    a quasi-binomial GLM of the category scores (0, 1/k, …, 1) on ``log(x)``,
    ``sqrt(x)``, ``x`` and ``x^2``, predictions rounded to 6 decimals.

    Examples
    --------
    >>> calibrate([1, 5, 9], type="crisp", thresholds=5).tolist()
    [0, 1, 1]
    >>> calibrate([5, 10, 15], thresholds="e=5, c=10, i=15").round(3).tolist()
    [0.05, 0.5, 0.95]
    """
    values = pd.to_numeric(pd.Series(np.asarray(x)), errors="coerce").to_numpy(
        dtype=float
    )
    if np.isnan(values).any():
        raise SociaparisError(
            QCAError.BAD_CALIBRATION,
            column="x",
            reason=Reason(
                en="it holds non-numeric or missing values",
                fr="la colonne contient des valeurs non numériques ou manquantes",
            ),
        )
    if type not in ("crisp", "fuzzy"):
        raise SociaparisError(
            QCAError.BAD_CALIBRATION,
            column="x",
            reason=Reason(en=f"unknown type {type!r}", fr=f"type {type!r} inconnu"),
        )
    if method not in ("direct", "indirect"):
        raise SociaparisError(
            QCAError.BAD_CALIBRATION,
            column="x",
            reason=Reason(
                en=f"unknown method {method!r}", fr=f"méthode {method!r} inconnue"
            ),
        )
    th = parse_thresholds(thresholds)
    if any(t < values.min() or t > values.max() for t in th.values):
        raise SociaparisError(
            QCAError.BAD_THRESHOLDS,
            value=thresholds,
            reason=Reason(
                en=f"outside the range of x [{values.min()}, {values.max()}]",
                fr=f"hors de l'étendue de x [{values.min()}, {values.max()}]",
            ),
        )
    if type == "crisp":
        if th.names is not None:
            raise SociaparisError(
                QCAError.BAD_THRESHOLDS,
                value=thresholds,
                reason=Reason(
                    en="named thresholds are fuzzy",
                    fr="les seuils nommés sont réservés au calibrage flou",
                ),
            )
        return np.searchsorted(np.sort(th.values), values, side="right").astype(int)
    if method == "indirect":
        out = _indirect(values, list(th.values))
    elif len(th.values) == 3:
        ex, cr, inc = _ordered(th, _NAMED3)
        if not 0.5 < idm < 1:
            raise SociaparisError(
                QCAError.BAD_THRESHOLDS,
                value=idm,
                reason=Reason(
                    en="idm must be in (0.5, 1)",
                    fr="idm doit être strictement compris entre 0,5 et 1",
                ),
            )
        if logistic:
            out = _logistic(values, ex, cr, inc, idm)
        else:
            out = _linear3(values, ex, cr, inc, below, above, ecdf)
    elif len(th.values) == 6:
        out = _bell(values, _ordered(th, _NAMED6), below, above)
    else:
        raise SociaparisError(
            QCAError.BAD_THRESHOLDS,
            value=thresholds,
            reason=Reason(
                en="fuzzy direct calibration needs 3 or 6 thresholds",
                fr="le calibrage flou direct demande 3 ou 6 seuils",
            ),
        )
    out = np.where(out < 0.0001, 0.0, out)
    out = np.where(out > 0.9999, 1.0, out)
    return out


def calibrate_sets(
    data: pd.DataFrame, spec: Mapping[str, Mapping[str, Any]]
) -> pd.DataFrame:
    """Calibrate raw columns into named sets, as described by a calibration plan.

    Parameters
    ----------
    data
        Raw data, one row per case.
    spec
        Set name -> options: ``source`` (raw column, default the set name) and either
        ``map`` (raw value -> membership or multi-value code, for categories) or the
        keyword arguments of :func:`calibrate` (``type``, ``method``,
        ``thresholds``, ``logistic``, ``idm``, ``ecdf``, ``below``, ``above``);
        ``negate: true`` takes ``1 - x``. Other keys (``label``, ``note``) document
        the choice and are ignored here.

    Returns
    -------
    pandas.DataFrame
        One column per set, in ``spec`` order, same index as ``data``.

    Examples
    --------
    >>> raw = pd.DataFrame({"gdp": [400, 550, 900], "driver": ["mod", "reg", "mod"]})
    >>> plan = {"RICH": {"source": "gdp", "thresholds": "e=400, c=550, i=900"},
    ...         "MOD": {"source": "driver", "map": {"mod": 1, "reg": 0}}}
    >>> calibrate_sets(raw, plan).round(2).to_dict("list")
    {'RICH': [0.05, 0.5, 0.95], 'MOD': [1, 0, 1]}
    """
    out = pd.DataFrame(index=data.index)
    documentation = {"label", "note", "source", "negate", "map"}
    for name, options in spec.items():
        source = str(options.get("source", name))
        if source not in data.columns:
            raise SociaparisError(
                QCAError.UNKNOWN_COLUMN, column=source, available=", ".join(data.columns)
            )
        if "map" in options:
            mapping = {str(k): v for k, v in dict(options["map"]).items()}
            raw = data[source].astype(str).str.strip()
            unknown = sorted(set(raw) - set(mapping))
            if unknown:
                raise SociaparisError(
                    QCAError.BAD_CALIBRATION,
                    column=source,
                    reason=Reason(
                        en=f"value(s) {unknown} have no entry in its map",
                        fr=f"valeur(s) {unknown} absente(s) de sa table de "
                        "correspondance",
                    ),
                )
            values = raw.map(mapping).to_numpy()
        else:
            arguments = {k: v for k, v in options.items() if k not in documentation}
            values = calibrate(data[source], **arguments)
        out[name] = 1 - values if options.get("negate", False) else values
    return out
