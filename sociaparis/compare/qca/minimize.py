"""Boolean minimization to all minimal solutions (R: ``minimize()``)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sociaparis.core.errors import Reason, SociaparisError

from .cover import dominated, minimum_covers
from .errors import QCAError
from .fit import TermFit, solution_fit, terms_fit
from .notation import format_term, term_complexity
from .primes import coverage_bits, primes_avoiding, primes_within, r_order
from .results import IntermediateSolution, Minimization, Model
from .search import FULL_SEARCH_MAX_CONDITIONS, minimal_covers_on_demand
from .truth_table import TruthTable, TruthTableRow, rownum

Cube = tuple[int, ...]

#: largest number of configurations enumerated to list simplifying assumptions
MAX_SA_CONFIGURATIONS = 200_000


def parse_dir_exp(
    dir_exp: str | Mapping[str, int | str] | None, conditions: Sequence[str]
) -> dict[str, int | str] | None:
    """Read directional expectations: ``"A, ~B, C[2], D=-"`` or ``{"A": 1, "D": "-"}``.

    Conditions left out have no expectation: their value is kept as observed.

    Examples
    --------
    >>> parse_dir_exp("A, ~B, C=-", ["A", "B", "C"])
    {'A': 1, 'B': 0, 'C': '-'}
    """
    if dir_exp is None:
        return None
    names = ", ".join(conditions)
    out: dict[str, int | str] = {}
    if isinstance(dir_exp, str):
        items = [s.strip() for s in dir_exp.split(",") if s.strip()]
        for item in items:
            match = re.match(
                r"^(~?)([\w.]+)(?:\[(\d+)\]|=(-|\d+))?$", item.replace(" ", "")
            )
            if match is None or match.group(2) not in conditions:
                raise SociaparisError(QCAError.BAD_DIR_EXP, value=item, conditions=names)
            negated, name, bracket, equals = match.groups()
            if equals == "-":
                out[name] = "-"
            elif bracket is not None or equals is not None:
                out[name] = int(bracket if bracket is not None else equals)
            else:
                out[name] = 0 if negated else 1
        return out
    for name, value in dir_exp.items():
        if name not in conditions or not (value == "-" or str(value).isdigit()):
            raise SociaparisError(
                QCAError.BAD_DIR_EXP, value=f"{name}={value}", conditions=names
            )
        out[name] = value if value == "-" else int(value)
    return out


def _sort_key(cube: Cube) -> tuple[int, tuple[int, ...]]:
    # by number of literals, then conditions in order, negated (0) before plain (1)
    return term_complexity(cube), tuple(v if v >= 0 else 99 for v in cube)


def _configurations(cube: Cube, levels: Sequence[int]) -> list[Cube]:
    axes = [range(levels[j]) if v < 0 else (v,) for j, v in enumerate(cube)]
    return [tuple(c) for c in itertools.product(*axes)]


def _cube_size(cube: Cube, levels: Sequence[int]) -> int:
    return int(np.prod([levels[j] for j, v in enumerate(cube) if v < 0] or [1]))


def _simplifying(
    cubes: Sequence[Cube], levels: Sequence[int], on: set[Cube]
) -> list[Cube] | None:
    if sum(_cube_size(c, levels) for c in cubes) > MAX_SA_CONFIGURATIONS:
        return None
    found: set[Cube] = set()
    for cube in cubes:
        found.update(_configurations(cube, levels))
    return sorted(found - on, key=lambda c: rownum(c, levels))


def _inside(config: Cube, cube: Cube) -> bool:
    return all(v < 0 or v == c for c, v in zip(config, cube, strict=True))


def _models(
    tt: TruthTable,
    cubes: Sequence[Cube],
    covers: Sequence[tuple[int, ...]],
    on: set[Cube],
    *,
    with_sa: bool,
) -> tuple[Model, ...]:
    qdata = tt.data
    models = []
    for cover in covers:
        chosen = [cubes[i] for i in sorted(cover)]
        sa = None
        if with_sa:
            configs = _simplifying(chosen, qdata.levels, on)
            if configs is not None:
                sa = tuple(rownum(c, qdata.levels) for c in configs)
        models.append(
            Model(
                terms=tuple(
                    format_term(c, qdata.conditions, mv=qdata.mv) for c in chosen
                ),
                cubes=tuple(chosen),
                fit=solution_fit(qdata, chosen),
                simplifying_assumptions=sa,
            )
        )
    return tuple(models)


def _overall(tt: TruthTable, models: Sequence[Model]) -> tuple[TermFit, ...]:
    seen: list[Cube] = []
    for model in models:
        for cube in model.cubes:
            if cube not in seen:
                seen.append(cube)
    if len(models) == 1:
        return models[0].fit.terms
    return terms_fit(tt.data, seen)


def _solve_chart(
    cubes: list[Cube], on_rows: np.ndarray, *, row_dom: bool
) -> tuple[list[Cube], list[int], list[tuple[int, ...]], list[int]]:
    bits = [coverage_bits(c, on_rows) for c in cubes]
    keep = [i for i, b in enumerate(bits) if b]
    cubes = [cubes[i] for i in keep]
    bits = [bits[i] for i in keep]
    if row_dom:
        drop = dominated(bits)
        cubes = [c for i, c in enumerate(cubes) if i not in drop]
        bits = [b for i, b in enumerate(bits) if i not in drop]
    universe = (1 << len(on_rows)) - 1
    covers = minimum_covers(bits, universe)
    common = set(covers[0]).intersection(*covers[1:]) if covers else set()
    return cubes, bits, covers, sorted(common)


def _chart_frame(
    tt: TruthTable,
    cubes: Sequence[Cube],
    bits: Sequence[int],
    on_rows: list[TruthTableRow],
) -> pd.DataFrame:
    names = [format_term(c, tt.conditions, mv=tt.data.mv) for c in cubes]
    matrix = [[bool(b >> i & 1) for i in range(len(on_rows))] for b in bits]
    return pd.DataFrame(
        matrix, index=names, columns=[r.rownum for r in on_rows], dtype=bool
    ).rename_axis(index="PI", columns="rownum")


def _easy_region(
    comp: Cube, pars: Cube, expectations: Sequence[int | str | None]
) -> Cube:
    """The region of easy counterfactuals of a conservative term in a parsimonious one.

    R's ``C_getEC``: the conservative term ``comp`` keeps every condition the
    parsimonious term ``pars`` fixes, every condition without an expectation and every
    condition at its expected value; a condition fixed against its expectation is
    freed. The region is inside ``pars`` by construction.
    """
    out = list(comp)
    for j, value in enumerate(comp):
        expected = expectations[j]
        if value < 0 or pars[j] >= 0 or expected is None or expected == "-":
            continue
        if expected != value:
            out[j] = -1
    return tuple(out)


def _easy_counterfactuals(
    conservative: Sequence[Cube],
    parsimonious: Sequence[Cube],
    remainders: Sequence[Cube],
    expectations: Sequence[int | str | None],
) -> list[Cube]:
    """The simplifying assumptions of a parsimonious model that are easy (R's EC).

    Each conservative term is paired with every parsimonious term that contains it
    (a conservative term inside none gives no counterfactual); a remainder is easy
    when it lies in the region of one such pair.
    """
    regions = [
        _easy_region(comp, pars, expectations)
        for comp in conservative
        for pars in parsimonious
        if _inside(comp, pars)
    ]
    return [r for r in remainders if any(_inside(r, region) for region in regions)]


def _intermediate(
    tt: TruthTable,
    dir_exp: dict[str, int | str],
    conservative: Minimization,
    parsimonious: tuple[Model, ...],
    allowed: Sequence[Cube],
    *,
    row_dom: bool,
) -> tuple[IntermediateSolution, ...]:
    levels = tt.levels
    expectations = [dir_exp.get(name) for name in tt.conditions]
    no_expectation = all(e is None or e == "-" for e in expectations)
    on_rows = tt.rows_with("1")
    on = {r.values for r in on_rows}
    on_array = np.array([r.values for r in on_rows])
    out = []
    for ci, cmodel in enumerate(conservative.models, start=1):
        for pi, pmodel in enumerate(parsimonious, start=1):
            key = f"C{ci}P{pi}"
            if no_expectation:
                # R: without any expectation the intermediate model is the conservative
                out.append(
                    IntermediateSolution(
                        key=key,
                        models=(cmodel,),
                        essential=conservative.essential,
                        easy_counterfactuals=(),
                        overall_terms=cmodel.fit.terms,
                    )
                )
                continue
            remainders = _simplifying(pmodel.cubes, levels, on)
            if remainders is None:
                raise SociaparisError(
                    QCAError.TOO_COMPLEX,
                    reason=Reason(
                        en=f"the parsimonious model {pmodel.expression} covers more "
                        f"than {MAX_SA_CONFIGURATIONS} remainders to check as "
                        "counterfactuals",
                        fr=f"le modèle parcimonieux {pmodel.expression} couvre plus de "
                        f"{MAX_SA_CONFIGURATIONS} rémanents logiques à examiner comme "
                        "contrefactuels",
                    ),
                )
            easy = _easy_counterfactuals(
                cmodel.cubes, pmodel.cubes, remainders, expectations
            )
            cubes = r_order(primes_within([*allowed, *easy], levels))
            cubes, bits, covers, ess = _solve_chart(cubes, on_array, row_dom=row_dom)
            models = _models(tt, cubes, covers, on, with_sa=False)
            out.append(
                IntermediateSolution(
                    key=key,
                    models=models,
                    essential=tuple(
                        format_term(cubes[i], tt.conditions, mv=tt.data.mv) for i in ess
                    ),
                    easy_counterfactuals=tuple(rownum(r, levels) for r in easy),
                    overall_terms=_overall(tt, models),
                )
            )
    return tuple(out)


def minimize(
    tt: TruthTable,
    *,
    include: str = "",
    dir_exp: str | Mapping[str, int | str] | None = None,
    row_dom: bool = False,
) -> Minimization:
    """Minimize a truth table to all its minimal solutions (R: ``minimize()``).

    Parameters
    ----------
    tt
        The truth table (see :func:`truth_table`).
    include
        ``""`` conservative (complex) solution, ``"?"`` parsimonious (remainders may be
        used); add ``"C"`` to let contradictions be used as well.
    dir_exp
        Directional expectations for the intermediate solution, e.g.
        ``"DEV, URB, ~STB"`` or ``{"DEV": 1, "STB": 0, "URB": "-"}``; needs
        ``include="?"``.
    row_dom
        Remove prime implicants dominated by another before solving the chart.

    Returns
    -------
    Minimization
        All minimal models with their fit, the prime implicant chart, the essential
        prime implicants, the simplifying assumptions and, with ``dir_exp``, the
        intermediate solutions.

    Notes
    -----
    Minimal means the fewest prime implicants (R's default, ``all.sol = FALSE``);
    every cover of that size is returned. Prime implicants are found exactly (see
    :mod:`sociaparis.compare.qca.primes`); above
    ``FULL_SEARCH_MAX_CONDITIONS`` conditions with remainders, the models are found
    by an exact branch-and-bound search that generates prime implicants on demand.

    Examples
    --------
    >>> df = pd.DataFrame({"A": [1, 1, 0, 0], "B": [1, 0, 1, 0], "Y": [1, 1, 0, 0]})
    >>> from sociaparis.compare.qca import truth_table
    >>> res = minimize(truth_table(df, outcome="Y"), include="?")
    >>> res.solutions
    [['A']]
    """
    if not set(include) <= {"?", "C", ",", " "}:
        raise SociaparisError(QCAError.BAD_INCLUDE, value=include)
    include = "".join(ch for ch in include if ch in "?C")
    expectations = parse_dir_exp(dir_exp, tt.conditions)
    if expectations is not None and "?" not in include:
        raise SociaparisError(QCAError.BAD_INCLUDE, value=include)
    on_rows = tt.rows_with("1")
    if not on_rows:
        raise SociaparisError(
            QCAError.NO_POSITIVE_ROWS, incl_cut=tt.incl_cut[0], n_cut=tt.n_cut
        )
    on = {r.values for r in on_rows}
    on_array = np.array([r.values for r in on_rows])
    dont_care = [r.values for r in tt.rows if r.out == "C" and "C" in include]
    # R's pos.matrix: positive rows and included contradictions, in row order
    allowed = [
        r.values for r in tt.rows if r.out == "1" or (r.out == "C" and "C" in include)
    ]
    remainders = "?" in include
    complete = True
    if remainders:
        negative = [
            r.values
            for r in tt.rows
            if r.out in ("0", "C") and r.values not in set(dont_care)
        ]
        off_array = np.array(negative).reshape(-1, len(tt.levels))
        if not len(off_array):
            raise SociaparisError(QCAError.ALL_MINIMIZED)
        if len(tt.levels) <= FULL_SEARCH_MAX_CONDITIONS:
            cubes = r_order(primes_avoiding(on_array, off_array, tt.levels))
            cubes, bits, covers, ess = _solve_chart(cubes, on_array, row_dom=row_dom)
        else:
            complete = False
            cubes, _ = minimal_covers_on_demand(on_array, off_array, tt.levels)
            cubes = sorted(cubes, key=_sort_key)
            cubes, bits, covers, ess = _solve_chart(cubes, on_array, row_dom=False)
    else:
        cubes = r_order(primes_within(allowed, tt.levels))
        cubes, bits, covers, ess = _solve_chart(cubes, on_array, row_dom=row_dom)
    models = _models(tt, cubes, covers, on, with_sa=remainders)
    intermediate: tuple[IntermediateSolution, ...] = ()
    if expectations is not None:
        conservative = minimize(tt, include=include.replace("?", ""), row_dom=row_dom)
        intermediate = _intermediate(
            tt,
            expectations,
            conservative,
            models,
            allowed,
            row_dom=row_dom,
        )
    names = [format_term(c, tt.conditions, mv=tt.data.mv) for c in cubes]
    return Minimization(
        truth_table=tt,
        include=include,
        dir_exp=expectations,
        row_dom=row_dom,
        prime_implicants=tuple(names),
        pi_chart=_chart_frame(tt, cubes, bits, on_rows),
        pi_chart_complete=complete,
        essential=tuple(names[i] for i in ess),
        models=models,
        overall_terms=_overall(tt, models),
        intermediate=intermediate,
    )
