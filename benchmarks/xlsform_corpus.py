"""Measure: how many public XLSForms that pyxform converts sociaparis accepts.

Run from the repository root::

    .venv/bin/python benchmarks/xlsform_corpus.py [CORPUS_DIR]

For each form of the corpus (default ``tests/survey/forms/corpus/``, whose README
says where each file comes from) it prints whether pyxform converts it to an
XForm (``pyxform.xls2xform.convert``, no ODK Validate), whether
:func:`~sociaparis.survey.xlsform.read_xlsform` (what ``sociaparis instrument
check`` runs) accepts it, and the first refusal's code and message; then the
share accepted among those pyxform converts, and the refusals counted by code.
Issue 20's target is at least 95 %.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from pyxform.xls2xform import convert

from sociaparis.core.errors import SociaparisError
from sociaparis.survey.xlsform import SUFFIXES, read_xlsform

CORPUS = Path(__file__).resolve().parent.parent / "tests/survey/forms/corpus"


def _pyxform_converts(path: Path) -> str:
    """'' when pyxform converts the form, else its reason (first line)."""
    try:
        convert(xlsform=str(path), validate=False)
    except Exception as exc:  # pyxform fails in many ways on the corpus's bad forms
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return ""


def _sociaparis_refusal(path: Path) -> str:
    """'' when sociaparis accepts the form, else the refusal's code and message."""
    # pyxform's examples keep their attachments (fruits.csv) beside the form.
    media = path.parent / "media" if (path.parent / "media").is_dir() else path.parent
    try:
        read_xlsform(path, media=media)
    except SociaparisError as exc:
        return f"{exc.code} {exc.message}"
    return ""


def main(corpus: Path) -> None:
    """Print one line per form, then the summary."""
    forms = sorted(
        p
        for p in corpus.rglob("*")
        if p.suffix.lower() in SUFFIXES and p.is_file() and p.name != "README.md"
    )
    converted = accepted = 0
    causes: Counter[str] = Counter()
    for path in forms:
        name = path.relative_to(corpus)
        pyxform_reason = _pyxform_converts(path)
        refusal = _sociaparis_refusal(path)
        if pyxform_reason:
            verdict = "sociaparis refuses" if refusal else "sociaparis accepts"
            print(f"{name}: pyxform NO ({pyxform_reason[:100]}); {verdict}")
            continue
        converted += 1
        if refusal:
            causes[refusal.split()[0]] += 1
            print(f"{name}: pyxform yes; sociaparis NO: {refusal[:300]}")
        else:
            accepted += 1
            print(f"{name}: pyxform yes; sociaparis yes")
    share = accepted / converted if converted else 0.0
    print(
        f"\n{len(forms)} forms; pyxform converts {converted}; sociaparis accepts "
        f"{accepted} of those ({share:.0%})"
    )
    for code, count in causes.most_common():
        print(f"  refused {count} x {code}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=CORPUS)
    main(parser.parse_args().corpus)
