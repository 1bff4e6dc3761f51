"""XY plots and truth-table plots as PNG or SVG bytes (matplotlib, Agg backend)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .data import QCAData
from .minimize import Minimization
from .necessity import necessity_fit
from .notation import parse_term
from .truth_table import TruthTable, sufficiency_fit

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_OUT_COLOURS = {"1": "#1b7837", "0": "#b2182b", "C": "#e08214", "?": "#878787"}


def _figure(width: float, height: float) -> Figure:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=110)


def _save(fig: Figure, fmt: str) -> bytes:
    if fmt not in ("png", "svg"):
        raise ValueError(f"fmt must be 'png' or 'svg', got {fmt!r}")
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, bbox_inches="tight")
    return buffer.getvalue()


def xy_plot(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    *,
    x_label: str,
    y_label: str,
    labels: Sequence[str] | None = None,
    relation: str = "sufficiency",
    fmt: str = "png",
) -> bytes:
    """XY plot of membership in X against membership in Y, with the diagonal.

    Parameters
    ----------
    x, y
        Memberships of each case.
    x_label, y_label
        Axis titles (e.g. the solution and the outcome).
    labels
        Case labels written next to the points.
    relation
        ``"sufficiency"`` (title gives inclS, PRI, covS) or ``"necessity"`` (inclN,
        RoN, covN).
    fmt
        ``"png"`` or ``"svg"``.

    Returns
    -------
    bytes
        The image.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if relation == "necessity":
        incl, second, cov = necessity_fit(x, y)
        title = f"Necessity: inclN {incl:.3f}, RoN {second:.3f}, covN {cov:.3f}"
    else:
        incl, second, cov = sufficiency_fit(x, y)
        title = f"Sufficiency: inclS {incl:.3f}, PRI {second:.3f}, covS {cov:.3f}"
    fig = _figure(5.6, 5.6)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color="#555555", linewidth=0.8, linestyle="--")
    ax.axhline(0.5, color="#bbbbbb", linewidth=0.6)
    ax.axvline(0.5, color="#bbbbbb", linewidth=0.6)
    ax.scatter(x, y, s=28, color="#2166ac", alpha=0.8, edgecolor="white", linewidth=0.5)
    if labels is not None:
        for xi, yi, label in zip(x, y, labels, strict=True):
            ax.annotate(
                str(label),
                (xi, yi),
                xytext=(3, 3),
                textcoords="offset points",
                fontsize=7,
                color="#333333",
            )
    ax.set_xlim(-0.03, 1.03)
    ax.set_ylim(-0.03, 1.03)
    ax.set_aspect("equal")
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.set_title(title, fontsize=10)
    return _save(fig, fmt)


def term_xy_plot(
    qdata: QCAData, term: str, *, relation: str = "sufficiency", fmt: str = "png"
) -> bytes:
    """XY plot of a term (``A*~B``, or a disjunction ``A + B``) against the outcome.

    Examples
    --------
    >>> import pandas as pd
    >>> from sociaparis.compare.qca import prepare
    >>> df = pd.DataFrame({"A": [1, 1, 0], "B": [0.2, 0.8, 0.4], "Y": [1, 1, 0]})
    >>> term_xy_plot(prepare(df, outcome="Y"), "A + ~B", fmt="svg")[:5]
    b'<?xml'
    """
    membership = np.zeros(len(qdata.cases))
    for part in term.split("+"):
        cube = parse_term(part.strip(), qdata.conditions)
        membership = np.maximum(membership, qdata.term_membership(cube))
    outcome = ("~" if qdata.negate_outcome else "") + qdata.outcome
    return xy_plot(
        membership,
        qdata.y,
        x_label=term,
        y_label=outcome,
        labels=qdata.cases,
        relation=relation,
        fmt=fmt,
    )


def solution_xy_plot(result: Minimization, *, model: int = 0, fmt: str = "png") -> bytes:
    """XY plot of a model of a minimization against the outcome.

    Examples
    --------
    >>> import pandas as pd
    >>> from sociaparis.compare.qca import truth_table, minimize
    >>> df = pd.DataFrame({"A": [1, 1, 0, 0], "B": [1, 0, 1, 0], "Y": [1, 1, 0, 0]})
    >>> solution_xy_plot(minimize(truth_table(df, outcome="Y"))).startswith(b"\\x89PNG")
    True
    """
    chosen = (
        [m for i in result.intermediate for m in i.models]
        if result.intermediate
        else list(result.models)
    )[model]
    qdata = result.truth_table.data
    membership = np.zeros(len(qdata.cases))
    for cube in chosen.cubes:
        membership = np.maximum(membership, qdata.term_membership(cube))
    outcome = ("~" if qdata.negate_outcome else "") + qdata.outcome
    return xy_plot(
        membership,
        qdata.y,
        x_label=chosen.expression,
        y_label=outcome,
        labels=qdata.cases,
        fmt=fmt,
    )


def calibration_plot(
    raw: Sequence[float] | np.ndarray,
    calibrated: Sequence[float] | np.ndarray,
    *,
    labels: Sequence[str],
    raw_label: str,
    set_label: str,
    thresholds: Sequence[float] = (),
    fmt: str = "svg",
) -> bytes:
    """Raw values against calibrated memberships, each case labelled.

    The crossover line (0.5) and the thresholds are drawn; a case at exactly 0.5
    is drawn as a hollow red point (it belongs to no corner of the property space).

    Examples
    --------
    >>> calibration_plot([1, 5, 9], [0.05, 0.5, 0.95], labels=["a", "b", "c"],
    ...                  raw_label="x", set_label="X")[:5]
    b'<?xml'
    """
    x = np.asarray(raw, dtype=float)
    y = np.asarray(calibrated, dtype=float)
    fig = _figure(5.6, 4.2)
    ax = fig.add_subplot()
    ax.axhline(0.5, color="#bbbbbb", linewidth=0.6)
    for value in thresholds:
        ax.axvline(float(value), color="#878787", linewidth=0.7, linestyle=":")
    crossover = np.abs(y - 0.5) < 1e-9
    ax.scatter(x[~crossover], y[~crossover], s=28, color="#2166ac", alpha=0.85)
    if crossover.any():
        ax.scatter(
            x[crossover], y[crossover], s=40, facecolor="none", edgecolor="#b2182b"
        )
    for xi, yi, label in zip(x, y, labels, strict=True):
        ax.annotate(
            str(label),
            (xi, yi),
            xytext=(3, 3),
            textcoords="offset points",
            fontsize=7,
            color="#333333",
        )
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel(raw_label)
    ax.set_ylabel(f"membership in {set_label}")
    ax.set_title(f"Calibration of {set_label}", fontsize=10)
    return _save(fig, fmt)


def truth_table_plot(tt: TruthTable, *, fmt: str = "png") -> bytes:
    """The truth table as a picture: configurations, OUT, n and consistency.

    Each observed row is a line: the condition values as shaded cells (dark = 1, or
    higher levels for multi-value conditions), then a bar of its consistency coloured
    by OUT (green 1, red 0, orange C, grey remainder) with the cut-off(s) drawn.

    Returns
    -------
    bytes
        The image (``fmt`` ``"png"`` or ``"svg"``).
    """
    rows = tt.rows
    k = len(tt.conditions)
    height = max(2.5, 0.32 * len(rows) + 1.4)
    fig = _figure(2.2 + 0.55 * k + 4.0, height)
    grid = fig.add_gridspec(1, 2, width_ratios=[max(k, 1) * 0.55 + 1.2, 4.0], wspace=0.05)
    left = fig.add_subplot(grid[0])
    right = fig.add_subplot(grid[1], sharey=left)
    matrix = np.array([row.values for row in rows], dtype=float).reshape(len(rows), k)
    scale = np.array([max(level - 1, 1) for level in tt.levels], dtype=float)
    left.imshow(matrix / scale, cmap="Greys", vmin=-0.15, vmax=1.15, aspect="auto")
    for i, row in enumerate(rows):
        for j, value in enumerate(row.values):
            colour = "white" if value / scale[j] > 0.5 else "black"
            left.text(
                j, i, str(value), ha="center", va="center", fontsize=8, color=colour
            )
    left.set_xticks(range(k), tt.conditions, rotation=45, ha="right", fontsize=8)
    left.set_yticks(range(len(rows)), [f"{row.rownum}" for row in rows], fontsize=8)
    left.set_ylabel("truth-table row")
    incl = [row.incl for row in rows]
    colours = [_OUT_COLOURS.get(row.out, "#878787") for row in rows]
    right.barh(range(len(rows)), incl, color=colours, height=0.7)
    for i, row in enumerate(rows):
        right.text(
            min(row.incl, 1.0) + 0.01,
            i,
            f"OUT {row.out}  n={row.n}",
            va="center",
            fontsize=7,
        )
    ic1, ic0 = tt.incl_cut
    right.axvline(ic1, color="#1b7837", linestyle="--", linewidth=0.9)
    if ic0 != ic1:
        right.axvline(ic0, color="#b2182b", linestyle="--", linewidth=0.9)
    right.set_xlim(0, 1.35)
    right.set_xlabel("consistency (incl)")
    right.tick_params(axis="y", left=False, labelleft=False)
    outcome = ("~" if tt.data.negate_outcome else "") + tt.data.outcome
    fig.suptitle(
        f"Truth table for {outcome} (incl_cut {ic1:g}, n_cut {tt.n_cut})", fontsize=10
    )
    return _save(fig, fmt)
