"""Qualitative Comparative Analysis whose results agree with R's QCA package.

Public API (see ``docs/qca.md``)::

    from sociaparis.compare.qca import (
        calibrate, calibrate_sets, truth_table, minimize, superset_subset, pof_necessity,
        truth_table_plot, solution_xy_plot, term_xy_plot, xy_plot,
    )
"""

from .calibrate import calibrate, calibrate_sets
from .data import QCAData, prepare
from .fit import SolutionFit, TermFit
from .minimize import minimize, parse_dir_exp
from .necessity import NecessityResult, NecessityTerm, pof_necessity, superset_subset
from .plots import (
    calibration_plot,
    solution_xy_plot,
    term_xy_plot,
    truth_table_plot,
    xy_plot,
)
from .results import IntermediateSolution, Minimization, Model
from .truth_table import TruthTable, TruthTableRow, truth_table

__all__ = [
    "IntermediateSolution",
    "Minimization",
    "Model",
    "NecessityResult",
    "NecessityTerm",
    "QCAData",
    "SolutionFit",
    "TermFit",
    "TruthTable",
    "TruthTableRow",
    "calibrate",
    "calibration_plot",
    "calibrate_sets",
    "minimize",
    "parse_dir_exp",
    "pof_necessity",
    "prepare",
    "solution_xy_plot",
    "superset_subset",
    "term_xy_plot",
    "truth_table",
    "truth_table_plot",
    "xy_plot",
]
