"""sociaparis: a research workbench for studying AI adoption in administrations.

The Python API is the same as the CLI's, for work in Jupyter. Modules load on
first use, so ``import sociaparis`` stays fast:

>>> import sociaparis as sp
>>> sp.qca.truth_table.__module__
'sociaparis.compare.qca.truth_table'
>>> sorted(sp.API_MODULES)
['pseudonymization', 'qca', 'reliability', 'stats']

- ``sp.read_xlsform(path)``, ``sp.simulate(instrument, answers)``,
  ``sp.evaluate_form(instrument, answers)``: questionnaires and their logic;
- ``sp.load_study(folder)``: a study folder (study.toml);
- ``sp.stats``: design-based survey statistics (``svydesign``, ``mean``, ``rake``…);
- ``sp.qca``: Qualitative Comparative Analysis (``calibrate``, ``truth_table``,
  ``minimize``…);
- ``sp.reliability``: agreement between coders;
- ``sp.read_document(path)``, ``sp.pseudonymization``, ``sp.read_qdpx``,
  ``sp.write_qdpx``: interviews and REFI-QDA projects.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: short name -> module, loaded on first attribute access
API_MODULES = {
    "pseudonymization": "sociaparis.qual.pseudonymization",
    "qca": "sociaparis.compare.qca",
    "reliability": "sociaparis.analysis.reliability",
    "stats": "sociaparis.analysis.survey",
}
#: short name -> "module:attribute"
API_FUNCTIONS = {
    "evaluate_form": "sociaparis.survey.logic:evaluate_form",
    "load_study": "sociaparis.survey.study:load_study",
    "read_document": "sociaparis.qual.io:read_document",
    "read_qdpx": "sociaparis.qual.io.refi_qda:read_qdpx",
    "read_xlsform": "sociaparis.survey.xlsform:read_xlsform",
    "simulate": "sociaparis.survey.simulate:simulate",
    "write_qdpx": "sociaparis.qual.io.refi_qda:write_qdpx",
}

__all__ = ["__version__", *sorted(API_MODULES), *sorted(API_FUNCTIONS)]


def __getattr__(name: str) -> Any:
    if name in API_MODULES:
        return importlib.import_module(API_MODULES[name])
    if name in API_FUNCTIONS:
        module, attribute = API_FUNCTIONS[name].split(":")
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'sociaparis' has no attribute {name!r}")
