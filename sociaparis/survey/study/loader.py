"""Reading ``study.toml`` and the population margins CSV, with catalog errors."""

from __future__ import annotations

import csv
import re
import tomllib
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from sociaparis.core.errors import Location, Reason, SociaparisError
from sociaparis.survey.study.definition import (
    ACCESS_MODES,
    DEFAULT_MIN_CELL_COUNT,
    MIN_CELL_FLOOR,
    NOTICE_OPTIONAL_TEXTS,
    NOTICE_TEXTS,
    STUDY_FILE,
    InformationNotice,
    LocalizedText,
    MarginCell,
    PopulationMargins,
    Study,
    StudyInstrument,
)
from sociaparis.survey.study.errors import StudyError

#: The keys allowed at the top level and in each kind of table (docs/study.md).
STUDY_KEYS = (
    "id",
    "title",
    "description",
    "languages",
    "default_language",
    "min_cell_count",
    "instruments",
    "notices",
    "population",
)
INSTRUMENT_KEYS = (
    "id",
    "file",
    "anonymous",
    "access",
    "opens",
    "closes",
    "notice",
    "invitation_attributes",
)
NOTICE_KEYS = (*NOTICE_TEXTS, *NOTICE_OPTIONAL_TEXTS, "illustrative")
POPULATION_KEYS = (
    "instrument",
    "file",
    "dimensions",
    "reference_date",
    "synthetic",
    "source",
)
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")
_COUNT_RE = re.compile(r"^[0-9]+$")


def load_study(path: str | Path) -> Study:
    """Read and check a study file.

    Parameters
    ----------
    path
        A study folder (its ``study.toml`` is read) or the TOML file itself.

    Returns
    -------
    Study
        The study; instrument files are not opened (see :func:`check_study`), the
        population margins CSV is read and checked.

    Raises
    ------
    SociaparisError
        With a :class:`StudyError` code naming the key or CSV cell at fault.

    Examples
    --------
    >>> from pathlib import Path
    >>> study = load_study(Path("studies/sociaparis"))
    >>> [instrument.id for instrument in study.instruments]
    ['staff_llm', 'cio_cities', 'transport_vision']
    >>> study.instrument("staff_llm").anonymous, study.min_cell_count
    (True, 10)
    """
    path = Path(path)
    if path.is_dir():
        path = path / STUDY_FILE
    if not path.is_file():
        raise SociaparisError(StudyError.FILE_MISSING, path=str(path))
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise SociaparisError(StudyError.SYNTAX, path=str(path), reason=exc) from exc
    except UnicodeDecodeError as exc:
        raise SociaparisError(
            StudyError.SYNTAX,
            path=str(path),
            reason=Reason(
                en=f"not UTF-8 ({exc.reason})",
                fr=f"ce n'est pas du texte UTF-8 ({exc.reason})",
            ),
        ) from exc
    return _StudyReader(path.resolve(), data).study()


class _Table:
    """Typed access to one TOML table, with errors that name the key."""

    def __init__(self, data: Mapping[str, Any], prefix: str, path: Path) -> None:
        self.data = data
        self.prefix = prefix
        self.path = path

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def fail(self, error: StudyError, **context: Any) -> SociaparisError:
        return SociaparisError(error, path=str(self.path), **context)

    def allow(self, *known: str) -> None:
        for name in self.data:
            if name not in known:
                raise self.fail(
                    StudyError.UNKNOWN_KEY, key=self.key(name), known=", ".join(known)
                )

    def raw(self, name: str, *, required: bool) -> Any:
        if name not in self.data:
            if required:
                raise self.fail(StudyError.KEY_MISSING, key=self.key(name))
            return None
        return self.data[name]

    def _typed(self, name: str, kinds: tuple[type, ...], expected: str, required: bool):
        value = self.raw(name, required=required)
        if value is None:
            return None
        if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
            raise self.fail(
                StudyError.WRONG_TYPE, key=self.key(name), expected=expected, value=value
            )
        return value

    def text(self, name: str, *, required: bool = True) -> str | None:
        return self._typed(name, (str,), "a text in quotes", required)

    def name(self, name: str, *, required: bool = True) -> str | None:
        value = self.text(name, required=required)
        if value is not None and not _NAME_RE.match(value):
            raise self.fail(StudyError.BAD_NAME, key=self.key(name), value=value)
        return value

    def flag(self, name: str, *, required: bool = True, default: bool = False) -> bool:
        value = self._typed(name, (bool,), "true or false", required)
        return default if value is None else value

    def integer(self, name: str, *, required: bool = True) -> int | None:
        return self._typed(name, (int,), "a whole number", required)

    def names(self, name: str, *, required: bool = True) -> tuple[str, ...]:
        value = self._typed(name, (list,), "a list of names in quotes", required)
        if value is None:
            return ()
        seen: list[str] = []
        for item in value:
            if not isinstance(item, str):
                raise self.fail(
                    StudyError.WRONG_TYPE,
                    key=self.key(name),
                    expected="a list of names in quotes",
                    value=value,
                )
            if not _NAME_RE.match(item):
                raise self.fail(StudyError.BAD_NAME, key=self.key(name), value=item)
            if item in seen:
                raise self.fail(StudyError.DUPLICATE, key=self.key(name), value=item)
            seen.append(item)
        return tuple(seen)

    def day(self, name: str) -> date | None:
        value = self.raw(name, required=False)
        if value is None:
            return None
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail(StudyError.BAD_DATE, key=self.key(name), value=value)

    def table(self, name: str) -> _Table | None:
        value = self._typed(name, (dict,), "a table", False)
        if value is None:
            return None
        return _Table(value, f"{self.key(name)}.", self.path)

    def require_table(self, name: str) -> _Table:
        value = self._typed(name, (dict,), "a table", True)
        return _Table(value, f"{self.key(name)}.", self.path)


class _StudyReader:
    """Builds a :class:`Study` from the parsed TOML, checking as it goes."""

    def __init__(self, path: Path, data: Mapping[str, Any]) -> None:
        self.path = path
        self.root = _Table(data, "", path)
        self.languages: tuple[str, ...] = ()

    def study(self) -> Study:
        root = self.root
        root.allow(*STUDY_KEYS)
        study_id = root.name("id")
        self.languages = root.names("languages", required=False) or ("fr",)
        for language in self.languages:
            if not _LANGUAGE_RE.match(language):
                raise root.fail(
                    StudyError.BAD_CHOICE,
                    key="languages",
                    value=language,
                    allowed="two- or three-letter ISO 639 codes such as 'fr' or 'en'",
                )
        default_language = root.text("default_language", required=False)
        default_language = default_language or self.languages[0]
        if default_language not in self.languages:
            raise root.fail(
                StudyError.BAD_CHOICE,
                key="default_language",
                value=default_language,
                allowed=", ".join(self.languages),
            )
        min_cell_count = root.integer("min_cell_count", required=False)
        if min_cell_count is None:
            min_cell_count = DEFAULT_MIN_CELL_COUNT
        if min_cell_count < MIN_CELL_FLOOR:
            raise root.fail(
                StudyError.MIN_CELL_COUNT, value=min_cell_count, floor=MIN_CELL_FLOOR
            )
        notices = self.notices()
        instruments = self.instruments(notices)
        return Study(
            id=study_id,
            path=self.path,
            title=self.localized(root, "title"),
            description=self.localized(root, "description", required=False),
            languages=self.languages,
            default_language=default_language,
            min_cell_count=min_cell_count,
            instruments=instruments,
            notices=MappingProxyType(notices),
            population=self.population(instruments),
        )

    def localized(
        self, table: _Table, name: str, *, required: bool = True
    ) -> LocalizedText | None:
        value = table.raw(name, required=required)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise table.fail(
                StudyError.WRONG_TYPE,
                key=table.key(name),
                expected='a table with one text per language (fr = "…", en = "…")',
                value=value,
            )
        texts = _Table(value, f"{table.key(name)}.", self.path)
        texts.allow(*self.languages)
        out: dict[str, str] = {}
        for language in self.languages:
            text = texts.text(language, required=False)
            if not text or not text.strip():
                raise table.fail(
                    StudyError.TEXT_MISSING,
                    key=table.key(name),
                    language=language,
                    languages=", ".join(self.languages),
                )
            out[language] = text.strip()
        return LocalizedText(MappingProxyType(out))

    def notices(self) -> dict[str, InformationNotice]:
        table = self.root.require_table("notices")
        notices: dict[str, InformationNotice] = {}
        for notice_id in table.data:
            if not _NAME_RE.match(notice_id):
                raise table.fail(StudyError.BAD_NAME, key="notices", value=notice_id)
            notice = table.require_table(notice_id)
            notice.allow(*NOTICE_KEYS)
            texts = {key: self.localized(notice, key) for key in NOTICE_TEXTS}
            notices[notice_id] = InformationNotice(
                id=notice_id,
                data=self.localized(notice, "data", required=False),
                illustrative=notice.flag("illustrative", required=False),
                **texts,  # type: ignore[arg-type]
            )
        return notices

    def instruments(
        self, notices: Mapping[str, InformationNotice]
    ) -> tuple[StudyInstrument, ...]:
        value = self.root.raw("instruments", required=True)
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(item, dict) for item in value)
        ):
            raise self.root.fail(
                StudyError.WRONG_TYPE,
                key="instruments",
                expected="one or more [[instruments]] tables",
                value=value,
            )
        found: list[StudyInstrument] = []
        for number, data in enumerate(value, start=1):
            table = _Table(data, f"instruments[{number}].", self.path)
            table.allow(*INSTRUMENT_KEYS)
            instrument_id = table.name("id")
            if any(other.id == instrument_id for other in found):
                raise table.fail(
                    StudyError.DUPLICATE, key="instruments.id", value=instrument_id
                )
            access = table.text("access", required=False) or "invitation"
            if access not in ACCESS_MODES:
                raise table.fail(
                    StudyError.BAD_CHOICE,
                    key=table.key("access"),
                    value=access,
                    allowed=", ".join(ACCESS_MODES),
                )
            notice = table.name("notice")
            if notice not in notices:
                raise table.fail(
                    StudyError.UNKNOWN_REFERENCE,
                    key=table.key("notice"),
                    value=notice,
                    kind="notice",
                    known=", ".join(notices) or Reason(en="none", fr="aucun"),
                )
            opens, closes = table.day("opens"), table.day("closes")
            if opens is not None and closes is not None and closes < opens:
                raise table.fail(
                    StudyError.DATES_ORDER,
                    instrument=instrument_id,
                    opens=opens.isoformat(),
                    closes=closes.isoformat(),
                )
            found.append(
                StudyInstrument(
                    id=instrument_id,
                    file=self.path.parent / table.text("file"),
                    anonymous=table.flag("anonymous"),
                    access=access,
                    notice=notice,
                    opens=opens,
                    closes=closes,
                    invitation_attributes=table.names(
                        "invitation_attributes", required=False
                    ),
                )
            )
        return tuple(found)

    def population(
        self, instruments: tuple[StudyInstrument, ...]
    ) -> PopulationMargins | None:
        table = self.root.table("population")
        if table is None:
            return None
        table.allow(*POPULATION_KEYS)
        instrument = table.name("instrument")
        known = [item.id for item in instruments]
        if instrument not in known:
            raise table.fail(
                StudyError.UNKNOWN_REFERENCE,
                key=table.key("instrument"),
                value=instrument,
                kind="instrument",
                known=", ".join(known),
            )
        dimensions = table.names("dimensions")
        if not dimensions:
            raise table.fail(
                StudyError.WRONG_TYPE,
                key=table.key("dimensions"),
                expected="a non-empty list of question names",
                value=[],
            )
        if "count" in dimensions:
            raise table.fail(
                StudyError.BAD_CHOICE,
                key=table.key("dimensions"),
                value="count",
                allowed="question names other than 'count' (the column of counts)",
            )
        file = self.path.parent / table.text("file")
        return PopulationMargins(
            instrument=instrument,
            file=file,
            dimensions=dimensions,
            cells=read_margins(file, dimensions),
            reference_date=table.day("reference_date"),
            synthetic=table.flag("synthetic", required=False),
            source=self.localized(table, "source", required=False),
        )


def read_margins(path: Path, dimensions: tuple[str, ...]) -> tuple[MarginCell, ...]:
    """Read a margins CSV: one column per dimension, then ``count``.

    Raises
    ------
    SociaparisError
        With a :class:`StudyError` code and the row and column at fault (rows are
        numbered as in a spreadsheet: the header is row 1).
    """
    if not path.is_file():
        raise SociaparisError(StudyError.MARGINS_MISSING, path=str(path))
    expected = [*dimensions, "count"]
    cells: list[MarginCell] = []
    first_row: dict[tuple[str, ...], int] = {}
    header_seen = False
    for row_number, row in _csv_rows(path):
        if row_number == 1:
            header_seen = True
            header = [name.strip() for name in row]
            if header != expected:
                raise SociaparisError(
                    StudyError.MARGINS_COLUMNS,
                    path=str(path),
                    found=", ".join(header) or Reason(en="nothing", fr="absentes"),
                    expected=", ".join(expected),
                    location=Location(row=1),
                )
            continue
        if not any(value.strip() for value in row):
            continue
        if len(row) != len(expected):
            raise SociaparisError(
                StudyError.MARGINS_ROW_LENGTH,
                path=str(path),
                found=len(row),
                expected=len(expected),
                location=Location(row=row_number),
            )
        values = [value.strip() for value in row]
        for column, value in zip(expected, values, strict=True):
            if not value:
                raise SociaparisError(
                    StudyError.MARGINS_EMPTY_CELL,
                    path=str(path),
                    location=Location(row=row_number, column=column),
                )
        if not _COUNT_RE.match(values[-1]):
            raise SociaparisError(
                StudyError.MARGINS_COUNT,
                path=str(path),
                value=values[-1],
                location=Location(row=row_number, column="count"),
            )
        levels = tuple(values[:-1])
        if levels in first_row:
            raise SociaparisError(
                StudyError.MARGINS_DUPLICATE,
                path=str(path),
                cell=", ".join(
                    f"{d}={v}" for d, v in zip(dimensions, levels, strict=True)
                ),
                first=first_row[levels],
                location=Location(row=row_number),
            )
        first_row[levels] = row_number
        cells.append(MarginCell(levels, int(values[-1])))
    if not header_seen:
        raise SociaparisError(
            StudyError.MARGINS_COLUMNS,
            path=str(path),
            found=Reason(
                en="nothing (the file is empty)", fr="absentes (le fichier est vide)"
            ),
            expected=", ".join(expected),
        )
    if not cells:
        raise SociaparisError(
            StudyError.MARGINS_NO_ROWS, path=str(path), dimensions=" x ".join(dimensions)
        )
    return tuple(cells)


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Numbered rows of a UTF-8 CSV (a byte-order mark is allowed)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            yield from enumerate(csv.reader(handle), start=1)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise SociaparisError(
            StudyError.MARGINS_UNREADABLE, path=str(path), reason=exc
        ) from exc
