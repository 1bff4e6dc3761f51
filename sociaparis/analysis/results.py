"""Frozen result objects of the survey estimators (``to_frame()`` / ``to_dict()``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


def _num(value: Any) -> Any:
    """A numpy scalar as a plain Python number (NaN as ``None``) for JSON."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


@dataclass(frozen=True, slots=True)
class Estimate:
    """Design-based estimates of one or more quantities with linearised SEs.

    Attributes
    ----------
    statistic
        ``"mean"``, ``"total"``, ``"proportion"`` or ``"ratio"``.
    names
        One name per quantity, as R names them (``api00``, ``stypeE`` for the
        level ``E`` of the factor ``stype``).
    estimate, se
        Point estimates and standard errors (Taylor linearisation).
    variance
        Their covariance matrix.
    ci_low, ci_high, ci_level
        Normal-theory confidence interval (R's ``confint()`` default).
    df
        Design degrees of freedom (PSUs minus strata).
    n
        Respondents that entered the estimate.
    deff
        Design effect: variance over the variance of simple random sampling
        without replacement of the same size (R's ``deff = TRUE``); NaN where
        not defined.
    """

    statistic: str
    names: tuple[str, ...]
    estimate: np.ndarray
    se: np.ndarray
    variance: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    ci_level: float
    df: int
    n: int
    deff: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """One row per quantity: estimate, se, ci_low, ci_high, deff."""
        return pd.DataFrame(
            {
                "estimate": self.estimate,
                "se": self.se,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
                "deff": self.deff,
            },
            index=pd.Index(self.names, name="name"),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict keyed by quantity name."""

        def keyed(values: np.ndarray) -> dict[str, Any]:
            return {k: _num(v) for k, v in zip(self.names, values, strict=True)}

        return {
            "statistic": self.statistic,
            "estimate": keyed(self.estimate),
            "se": keyed(self.se),
            "ci_low": keyed(self.ci_low),
            "ci_high": keyed(self.ci_high),
            "deff": keyed(self.deff),
            "ci_level": self.ci_level,
            "df": self.df,
            "n": self.n,
        }


@dataclass(frozen=True, slots=True)
class DomainEstimate:
    """Estimates by domain (R's ``svyby``), variance from the full design.

    Attributes
    ----------
    statistic
        ``"mean"`` or ``"total"``.
    by
        The grouping columns.
    names
        The estimated quantities (R names).
    table
        One row per domain: the ``by`` columns, then for each quantity ``name``
        the columns ``name``, ``se.name``, ``ci_low.name``, ``ci_high.name``, and
        ``n`` (respondents in the domain).
    ci_level
        Level of the normal-theory intervals.
    """

    statistic: str
    by: tuple[str, ...]
    names: tuple[str, ...]
    table: pd.DataFrame
    ci_level: float

    def to_frame(self) -> pd.DataFrame:
        """The domain table (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with one record per domain."""
        rows = [
            {k: _num(v) for k, v in rec.items()}
            for rec in self.table.to_dict(orient="records")
        ]
        return {
            "statistic": self.statistic,
            "by": list(self.by),
            "names": list(self.names),
            "ci_level": self.ci_level,
            "rows": rows,
        }

    def r_rows(self) -> list[dict[str, Any]]:
        """Rows as R's ``as.data.frame(svyby(...))``: by, estimates, ``se`` columns."""
        out = []
        single = len(self.names) == 1
        for rec in self.table.to_dict(orient="records"):
            row: dict[str, Any] = {b: _num(rec[b]) for b in self.by}
            for name in self.names:
                row[name] = _num(rec[name])
            for name in self.names:
                row["se" if single else f"se.{name}"] = _num(rec[f"se.{name}"])
            out.append(row)
        return out
