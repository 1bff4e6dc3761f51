"""One import for the design-based survey statistics.

>>> from sociaparis.analysis import survey as sv
>>> sv.rake is sv.__dict__["rake"] and "svydesign" in sv.__all__
True
"""

from __future__ import annotations

from sociaparis.analysis.crosstab import chisq_test, crosstab, pearson_chisq
from sociaparis.analysis.design import SurveyDesign, svydesign
from sociaparis.analysis.disclosure import suppress
from sociaparis.analysis.domains import by_domain
from sociaparis.analysis.estimators import ciprop, mean, proportion, ratio, total
from sociaparis.analysis.glm import glm
from sociaparis.analysis.likert import (
    diverging,
    likert_distribution,
    likert_means,
    multiple_choice,
)
from sociaparis.analysis.quantiles import quantile
from sociaparis.analysis.weights import (
    calibrate,
    poststratify,
    rake,
    trim_weights,
    weight_report,
)

__all__ = [
    "SurveyDesign",
    "by_domain",
    "calibrate",
    "chisq_test",
    "ciprop",
    "crosstab",
    "diverging",
    "glm",
    "likert_distribution",
    "likert_means",
    "mean",
    "multiple_choice",
    "pearson_chisq",
    "poststratify",
    "proportion",
    "quantile",
    "rake",
    "ratio",
    "suppress",
    "svydesign",
    "total",
    "trim_weights",
    "weight_report",
]
