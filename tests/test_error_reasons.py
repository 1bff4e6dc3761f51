"""No error gives its reason in English only.

A French page shows a catalogue error with its French template, formatted with
the error's context (:func:`sociaparis.web.i18n.error_text`); a ``reason=``
written as a plain string or f-string of our own words would read as an English
clause inside the French sentence. Our reasons are
:class:`~sociaparis.core.errors.Reason` (English and French); another program's
message (``str(exc)``, ``exc.msg``) has no French and is passed as it is. The
same holds for the other keywords that carry a clause of ours (:data:`CLAUSES`). This
test reads the package's source and names the file and line of each error
raised with a reason of English words. A warning made from the catalogue
(``Issue.of``, ``skipped_block``, a REFI-QDA reader's ``warn``, the XLSForm
check's ``_warn_once``) keeps its
context for the pages too (:func:`~sociaparis.web.i18n.error_text`), and is
read the same way.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

import pytest

import sociaparis

PACKAGE = Path(sociaparis.__file__).resolve().parent
#: ``path:line`` of a reason that may stay a plain string, each with its why
ALLOWED: dict[str, str] = {}
#: other context keywords whose value is, in some catalogue entries, a clause of
#: ours set inside the sentence (``detail`` of XPath and XLSForm errors, ``what``
#: of ``ANALYSIS_013``, ``kind`` of ``QUAL_301``, ``expected`` and ``got``,
#: ``codes`` and ``counts`` of ``ASSIST_060``, ``declared`` and ``found`` of
#: ``QUAL_004`` and ``STUDY_022``, ``allowed`` and ``value`` of ``ANALYSIS_003``,
#: ``folder`` of ``SURVEY_045``, ``known`` when a list is empty, ``where`` of
#: ``QUAL_208`` and ``QUAL_300``); the same
#: keywords elsewhere hold names, so only a value with two words is taken for a
#: clause
CLAUSES = frozenset(
    {
        "detail",
        "what",
        "kind",
        "expected",
        "got",
        "codes",
        "counts",
        "declared",
        "found",
        "allowed",
        "value",
        "folder",
        "known",
        "where",
    }
)
#: two words side by side: a clause, not a name ('code', 'CodeBook', 'ids/fpc')
_TWO_WORDS = re.compile(r"[^\W\d_]\s+[^\W\d_]")


def _has_words(text: str) -> bool:
    return any(character.isalpha() for character in text)


def _has_two_words(text: str) -> bool:
    return _TWO_WORDS.search(text) is not None


def _english_only(node: ast.expr, words: Callable[[str], bool] = _has_words) -> bool:
    """Whether ``node`` is text of our own words: a string or f-string whose
    literal parts hold ``words`` (by default a letter), or an expression built
    from one."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and words(node.value)
    if isinstance(node, ast.JoinedStr):
        return any(
            isinstance(part, ast.Constant) and words(str(part.value))
            for part in node.values
        )
    if isinstance(node, ast.BinOp):
        return _english_only(node.left, words) or _english_only(node.right, words)
    if isinstance(node, ast.BoolOp):
        return any(_english_only(value, words) for value in node.values)
    if isinstance(node, ast.IfExp):
        return _english_only(node.body, words) or _english_only(node.orelse, words)
    if isinstance(node, ast.Subscript):
        return _english_only(node.value, words)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        # "...".format(...), "; ".join(...), f"...".rstrip(".")
        return _english_only(node.func.value, words)
    return False


def _flagged(keyword: ast.keyword) -> bool:
    if keyword.arg == "reason":
        return _english_only(keyword.value)
    return keyword.arg in CLAUSES and _english_only(keyword.value, _has_two_words)


#: the calls, besides ``Issue.of``, that make a warning from a catalogue entry
#: and its context (a transcript's skipped part, a REFI-QDA reader's warning, an
#: XLSForm check's warning given once per column or appearance)
WARNINGS = frozenset({"skipped_block", "warn", "_warn_once"})


def _raises_an_error(call: ast.Call) -> bool:
    """A ``SociaparisError(...)`` or one of its subclasses (``XPathError``), or
    a warning made from a catalogue entry (``Issue.of(...)``, :data:`WARNINGS`)."""
    func = call.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    if name == "of" and isinstance(func, ast.Attribute):
        return isinstance(func.value, ast.Name) and func.value.id == "Issue"
    return (
        name == "SociaparisError"
        or name in WARNINGS
        or (name[:1].isupper() and name.endswith("Error"))
    )


def english_only_reasons(root: Path = PACKAGE) -> list[str]:
    """``path:line`` of each error raised, or warning made, with an English-only
    ``reason=`` (or clause keyword, :data:`CLAUSES`)."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not _raises_an_error(node):
                continue
            found.extend(
                f"{path.relative_to(root.parent)}:{keyword.value.lineno}"
                for keyword in node.keywords
                if _flagged(keyword)
            )
    return found


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ('SociaparisError(E.X, reason="not a number")', True),
        ('SociaparisError(E.X, reason=f"choose one of {names}")', True),
        ('XPathError(E.X, reason="unsupported")', True),
        ('SociaparisError(E.X, reason="not one of " + ", ".join(tags))', True),
        ('SociaparisError(E.X, reason=error or "no answer")', True),
        ('SociaparisError(E.X, reason=f"{exc.msg} at line {exc.lineno}")', True),
        (
            'SociaparisError(E.X, reason=Reason(en="not a number", fr="pas un nombre"))',
            False,
        ),
        ("SociaparisError(E.X, reason=str(exc))", False),
        ("SociaparisError(E.X, reason=exc.strerror or exc)", False),
        ('SociaparisError(E.X, reason=f"{exc.code}: {exc.message}")', False),
        ('SociaparisError(E.X, reason=f"{type(exc).__name__}: {exc}"[:300])', False),
        ('skipped_block(path=p, reason="no timing line", row=3)', True),
        ('skipped_block(path=p, reason=f"cue timing: {exc}", row=3)', True),
        ("skipped_block(path=p, reason=Reason(en=e, fr=f), row=3)", False),
        ('Issue.of(E.X, reason=f"segment {n}: {exc}")', True),
        ('Issue.of(E.X, location, what="the speaker name")', True),
        ("Issue.of(E.X, reason=str(exc))", False),
        ('Issue("X", f"segment {n}: {exc}")', False),
        ('self.warn(E.X, detail=" (a network view)")', True),
        ("self.warn(E.X, detail=inside(name))", False),
        ('self._warn_once(k, E.X, where, detail="draws on the screen")', True),
        ("self._warn_once(k, E.X, where, detail=_NO_DRAWING_PAD)", False),
        ('XPathError(E.X, detail=f"{name!r} is not a question name")', True),
        ('SociaparisError(E.X, what="the estimate")', True),
        ('XPathError(E.X, got=repr(v) if s else "an expression")', True),
        ('SociaparisError(E.X, codes=", ".join(codes) or "any code")', True),
        ('SociaparisError(E.X, expected=f"at least {minimum}")', True),
        ('SociaparisError(E.X, detail=Reason(en="not closed", fr="pas fermé"))', False),
        ('SociaparisError(E.X, expected="CodeBook", kind="code")', False),
        ('SociaparisError(E.X, what="ids/fpc", got=repr(value))', False),
        ('SociaparisError(E.X, expected=f"{n}", detail=str(exc))', False),
        ('SociaparisError(E.X, detail=f"{exc.code}: {exc.message}")', False),
        ('SociaparisError(E.X, declared="an HTML file", found=f)', True),
        ('SociaparisError(E.X, found=", ".join(header) or "no column")', True),
        ('SociaparisError(E.X, allowed=f"1 to {n} (the classifiable answers)")', True),
        ('SociaparisError(E.X, value="non-integer counts", allowed=_NAN)', True),
        ('SociaparisError(E.X, folder=str(m) if m else "the attachments given")', True),
        ('SociaparisError(E.X, known=", ".join(k) or "(none)", value=value)', False),
        ('SociaparisError(E.X, name=n, where="the top level")', True),
        ('SociaparisError(E.X, where=Reason(en="the top level", fr=f))', False),
        ('SociaparisError(E.X, where="PostgreSQL", reason=exc)', False),
        ('SociaparisError(E.X, found=len(row), value="-3", allowed=_RULES)', False),
    ],
)
def test_the_guard_tells_our_words_from_other_messages(
    tmp_path: Path, source: str, flagged: bool
) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "module.py").write_text(f"raise {source}\n", encoding="utf-8")
    assert bool(english_only_reasons(tmp_path / "pkg")) is flagged


def test_no_error_gives_its_reason_in_english_only() -> None:
    found = [where for where in english_only_reasons() if where not in ALLOWED]
    assert found == [], (
        "give these reasons (or clauses) in English and French, as "
        "Reason(en=..., fr=...) (sociaparis.core.errors): " + ", ".join(found)
    )
