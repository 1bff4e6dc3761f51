"""Qualitative Comparative Analysis that agrees with R's QCA package.

Public API::

    from sociaparis.compare.qca import (
        calibrate, truth_table, minimize, necessity, superset_subset, pof_necessity,
    )
"""

from .data import QCAData, prepare
from .fit import SolutionFit, TermFit
from .minimize import minimize, parse_dir_exp
from .results import IntermediateSolution, Minimization, Model
from .truth_table import TruthTable, TruthTableRow, truth_table

__all__ = [
    "IntermediateSolution",
    "Minimization",
    "Model",
    "QCAData",
    "SolutionFit",
    "TermFit",
    "TruthTable",
    "TruthTableRow",
    "minimize",
    "parse_dir_exp",
    "prepare",
    "truth_table",
]
