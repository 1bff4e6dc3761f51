"""Read an XLSForm (.xlsx, .xls, .csv or markdown tables) into an :class:`Instrument`.

pyxform reads the spreadsheet and checks its structure (``xls2json``: the survey
tree as a dict, no XML written); this module then checks what sociaparis
supports, resolves every ``${name}`` reference, parses every expression and
looks for dependency cycles. Every problem becomes a
:class:`~sociaparis.core.errors.SociaparisError` from
:class:`~sociaparis.survey.errors.SurveyError` naming the sheet, row and column.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

from pyxform import aliases, constants
from pyxform.aliases import select_from_file
from pyxform.errors import PyXFormError
from pyxform.question_type_dictionary import QUESTION_TYPE_DICT
from pyxform.xls2json import (
    RE_BEGIN_CONTROL,
    RE_END_CONTROL,
    RE_SELECT,
    workbook_to_json,
)
from pyxform.xls2json_backends import DefinitionData, get_xlsform

from sociaparis.core.archives import check_archive
from sociaparis.core.errors import CoreError, Issue, Location, Reason, SociaparisError
from sociaparis.core.spreadsheets import ZIP_SPREADSHEETS
from sociaparis.survey.attachments import (
    MAX_ATTACHMENT_BYTES,
    Attachment,
    read_attachment,
)
from sociaparis.survey.errors import SurveyError
from sociaparis.survey.expressions import check_expressions, unknown_choice_columns
from sociaparis.survey.instrument import (
    FILE_TYPES,
    METADATA_TYPES,
    QUESTION_TYPES,
    SELECT_TYPES,
    UNRECORDED_TYPES,
    Choice,
    Group,
    Instrument,
    Item,
    Question,
    item_key,
)

#: Deepest nesting of groups and repeats (each level is a step of the form's
#: reading, which must stay within Python's recursion limit).
MAX_GROUP_DEPTH = 32
#: Deepest nesting of repeats (a household, its members, each member's jobs).
MAX_REPEAT_DEPTH = 3
SUFFIXES = {
    ".xlsx": ".xlsx",
    ".xlsm": ".xlsm",
    ".xls": ".xls",
    ".csv": ".csv",
    ".md": ".md",
}

#: Legacy spellings of supported types that pyxform reads (its question type
#: dictionary defines each exactly as the type it stands for).
TYPE_ALIASES = {
    "string": "text",
    "q string": "text",
    "add text prompt": "text",
    "int": "integer",
    "q int": "integer",
    "add integer prompt": "integer",
    "q decimal": "decimal",
    "add decimal prompt": "decimal",
    "q date": "date",
    "add date prompt": "date",
    "q note": "note",
    "add note prompt": "note",
    "q acknowledge": "acknowledge",
    "add acknowledge prompt": "acknowledge",
    "q calculate": "calculate",
    "add calculate prompt": "calculate",
}
_UPLOAD_KINDS = {"image": "image", "audio": "audio", "video": "video"}
#: Every spelling pyxform reads for a file question (``photo``, ``q image``,
#: ``add file prompt``...) to its type, from the media type pyxform gives it.
FILE_SPELLINGS: dict[str, str] = {
    spelling: _UPLOAD_KINDS.get(str(control["mediatype"]).split("/")[0], "file")
    for spelling, spec in QUESTION_TYPE_DICT.items()
    if (control := spec.get("control") or {}).get("tag") == "upload"
}
#: Other spellings pyxform reads with the data type and control of a supported
#: type (``phone number`` is a text input with its own hint, ``gps`` a geopoint,
#: ``trigger`` an acknowledgement...): read as that type.
TYPE_EQUIVALENTS = {
    "trigger": "acknowledge",
    "phone number": "text",
    "percentage": "integer",
    "number of days in last month": "integer",
    "number of days in last six months": "integer",
    "number of days in last year": "integer",
    **{
        # gps, location, q geopoint, date time, q dateTime, add dateTime prompt...
        spelling: str(spec["bind"]["type"])
        for spelling, spec in QUESTION_TYPE_DICT.items()
        if spec.get("bind", {}).get("type")
        in {"time", "dateTime", "geopoint", "geotrace", "geoshape"}
        and spec.get("control", {}).get("tag") == "input"
    },
}
#: Types a web browser cannot offer as ODK Collect does, read as another type
#: (with the warning ``SURVEY_W06`` saying so, as Enketo shows them).
WEB_SUBSTITUTES = {
    spelling: "text"
    for spelling, spec in QUESTION_TYPE_DICT.items()
    if spec.get("bind", {}).get("type") == "barcode"
}
#: pyxform's type names to ours.
_TYPES = {
    "select one": "select_one",
    "select all that apply": "select_multiple",
    "select one external": "select_one",
    **{name: name for name in QUESTION_TYPES},
    **TYPE_ALIASES,
    **FILE_SPELLINGS,
    **TYPE_EQUIVALENTS,
    **WEB_SUBSTITUTES,
    "rank": "rank",
}
#: Appearances of an image question that draw on the picture in ODK Collect.
_DRAWING_APPEARANCES = frozenset({"signature", "draw", "annotate"})
#: The types named in a refusal of an unsupported type.
_SUPPORTED_TYPES = (
    f"{', '.join(sorted(QUESTION_TYPES - METADATA_TYPES))} (or a metadata type: "
    f"{', '.join(sorted(METADATA_TYPES))})"
)
#: Every spelling pyxform reads for a metadata type (``get start time``,
#: ``uri:deviceid``, ``imei``...) to the property it fills.
METADATA_SPELLINGS: dict[str, str] = {
    spelling: params.removeprefix("uri:")
    for spelling, spec in QUESTION_TYPE_DICT.items()
    if (params := str(spec.get("bind", {}).get("jr:preloadParams", "")))
    and params.removeprefix("uri:") in METADATA_TYPES
}
#: What the warning on a metadata question (``SURVEY_W03``) says it holds in ODK.
_METADATA_WARNINGS: dict[str, Reason] = {
    "start": Reason(
        en="the time the respondent opened the form",
        fr="l'heure à laquelle le répondant a ouvert le formulaire",
    ),
    "end": Reason(
        en="the time the respondent last saved the form",
        fr="l'heure à laquelle le répondant a enregistré le formulaire pour la "
        "dernière fois",
    ),
    "today": Reason(
        en="the date the respondent filled in the form",
        fr="la date à laquelle le répondant a rempli le formulaire",
    ),
    "deviceid": Reason(
        en="the respondent's device identifier",
        fr="l'identifiant de l'appareil du répondant",
    ),
    "subscriberid": Reason(
        en="the respondent's SIM subscriber identifier",
        fr="l'identifiant d'abonné de la carte SIM du répondant",
    ),
    "simserial": Reason(
        en="the respondent's SIM serial number",
        fr="le numéro de série de la carte SIM du répondant",
    ),
    "phonenumber": Reason(
        en="the respondent's phone number", fr="le numéro de téléphone du répondant"
    ),
    "username": Reason(
        en="the respondent's user name", fr="le nom d'utilisateur du répondant"
    ),
    "email": Reason(
        en="the respondent's e-mail address", fr="l'adresse électronique du répondant"
    ),
    "start-geopoint": Reason(
        en="the device's location when the form was opened",
        fr="la position de l'appareil à l'ouverture du formulaire",
    ),
    "background-geopoint": Reason(
        en="the device's location when a question was answered",
        fr="la position de l'appareil au moment de répondre à une question",
    ),
}
#: What the server gives the metadata it fills (sociaparis.survey.metadata), in exports.
_METADATA_FILLED: dict[str, Reason] = {
    "start": Reason(
        en="the date the response was started, and its time in a named survey only "
        "(an anonymous survey keeps dates, never times)",
        fr="la date à laquelle la réponse a été commencée, et son heure dans un "
        "questionnaire nominatif seulement (un questionnaire anonyme garde les "
        "dates, jamais les heures)",
    ),
    "end": Reason(
        en="the date the response was sent, or the time it was last saved in a "
        "named survey only (an anonymous survey keeps dates, never times)",
        fr="la date à laquelle la réponse a été envoyée, ou l'heure de son dernier "
        "enregistrement dans un questionnaire nominatif seulement (un questionnaire "
        "anonyme garde les dates, jamais les heures)",
    ),
    "today": Reason(
        en="the date the response was started",
        fr="la date à laquelle la réponse a été commencée",
    ),
}
#: ``SURVEY_W03``'s detail for an ``audit`` (pyxform puts it in the meta group).
_AUDIT_IGNORED = Reason(
    en=": sociaparis keeps no audit log of the respondent's moves through the form; "
    "the audit is ignored.",
    fr=" : sociaparis ne tient aucun journal des déplacements du répondant dans le "
    "formulaire ; l'audit est ignoré.",
)
#: ``SURVEY_W03``'s detail for an ``osm`` question.
_OSM_AS_FILE = Reason(
    en=" opens OpenMapKit in ODK Collect to tag a map feature; a web page cannot, "
    "so it is a file question: the respondent may upload an .osm file, and its tags "
    "are not shown.",
    fr=" ouvre OpenMapKit dans ODK Collect pour étiqueter un élément de carte ; une "
    "page web ne le peut pas, c'est donc une question de fichier : le répondant "
    "peut déposer un fichier .osm, dont les étiquettes ne sont pas affichées.",
)
#: ``SURVEY_W05``'s detail for ``search()``.
_SEARCH_IGNORED = Reason(
    en="reads an external CSV in ODK Collect; sociaparis does not: the question "
    "offers the choices of its own list, without search.",
    fr="lit un fichier CSV externe dans ODK Collect ; sociaparis ne le fait pas : la "
    "question propose les choix de sa propre liste, sans recherche.",
)
#: ``SURVEY_W05``'s detail for an image's drawing appearance.
_NO_DRAWING_PAD = Reason(
    en="draws on the screen in ODK Collect; a web page offers no drawing pad, so the "
    "respondent uploads an image file instead (a photo of a signature or drawing).",
    fr="dessine sur l'écran dans ODK Collect ; une page web n'offre pas de zone de "
    "dessin, le répondant dépose donc un fichier image à la place (une photo de la "
    "signature ou du dessin).",
)
#: Name pyxform gives the select it adds to show a table-list's choice labels.
_TABLE_LIST_HEADER = "reserved_name_for_field_list_labels_"
#: Marks the group pyxform makes of each choice of a ``begin loop over LIST``
#: (it has no row of its own on the survey sheet).
_LOOP_COLUMN = "_sociaparis_loop_column"
_LOOP_FIELD = re.compile(r"%\((\w+)\)s")
#: Appearances used per kind of item (others are ignored with a warning).
APPEARANCES: dict[str, frozenset[str]] = {
    "select_one": frozenset({"minimal", "likert", "label", "list-nolabel"}),
    "select_multiple": frozenset({"minimal", "label", "list-nolabel"}),
    "text": frozenset({"multiline"}),
    "group": frozenset({"field-list"}),
    # take a new picture or recording (the browser's ``capture``)
    "image": frozenset({"new", "new-front", "selfie"}),
    "video": frozenset({"new", "new-front", "selfie"}),
    "audio": frozenset({"new"}),
}
_BIND_KEYS = {
    "relevant": "relevant",
    "calculate": "calculation",
    "required": "required",
    "constraint": "constraint",
    "jr:constraintMsg": "constraint_message",
    "jr:requiredMsg": "required_message",
    "type": "type",  # pyxform's data type of a range (int or decimal)
    "orx:max-pixels": "max-pixels",  # an image's longest side, once stored
}
_CONTROL_KEYS = {
    "appearance",
    "jr:count",
    "start",
    "end",
    "step",
    "bodyless",
    "accept",  # body::accept of a file question
}
_ITEM_KEYS = {
    "type",
    "name",
    "label",
    "hint",
    "bind",
    "control",
    "children",
    "choices",
    "itemset",
    "list_name",
    "parameters",
    "choice_filter",
    "default",
    _LOOP_COLUMN,
    "actions",  # pyxform's action of a background-audio or start-geopoint
}
#: Survey-sheet headers (before any ``::language``) that sociaparis reads.
KNOWN_COLUMNS = frozenset(
    {
        "type",
        "name",
        "label",
        "hint",
        "relevant",
        "relevance",
        "calculation",
        "calculate",
        "required",
        "required_message",
        "constraint",
        "constraint_message",
        "default",
        "appearance",
        "choice_filter",
        "repeat_count",
        "parameters",
        "bind",
        "control",
    }
)
#: Select commands whose choices come from a file or the external_choices sheet.
_SELECT_FROM_ELSEWHERE = frozenset({*select_from_file, "select_one_external"})
_TRUE = {"yes", "true", "true()", "1"}
_FALSE = {"", "no", "false", "false()", "0"}
_ROW_RE = re.compile(r"\[row : (\d+)\]\s*")
_SHEET_RE = re.compile(r"'(survey|choices|settings)' sheet")
_LANG_RE = re.compile(r"\(([^()]+)\)\s*$")
_OTHER_RELEVANT_RE = re.compile(r"selected\(\.\./([\w.-]+), 'other'\)")
_REFERENCE = re.compile(r"\$\{([^{}]*)\}")
#: where ``SURVEY_045`` says an attachment is missing when no media folder was given
_ATTACHMENTS_GIVEN = Reason(en="the attachments given", fr="les pièces jointes fournies")


@dataclass(frozen=True, slots=True)
class XLSFormResult:
    """A form read successfully, with what should still be looked at.

    Attributes
    ----------
    instrument
        The parsed model.
    warnings
        Problems that do not stop the form from working (pyxform's and ours).
    source
        The original file's bytes, stored with the instrument.
    filename
        The file's name (its suffix told how to read it).
    """

    instrument: Instrument
    warnings: list[Issue] = field(default_factory=list)
    source: bytes = b""
    filename: str = ""


#: Folder of a form's attachments, beside it (a study folder's ``media/``).
MEDIA_FOLDER = "media"
#: ODK's search() appearance, with its arguments (which may hold spaces).
_SEARCH_RE = re.compile(r"search\s*\([^)]*\)")
_PULLDATA_RE = re.compile(r"pulldata\s*\(\s*(['\"])([^'\"]*)\1")


class MediaFolder(Mapping[str, bytes]):
    """The attachments in a folder, read when a form names them.

    Only a plain file name (no folder part, not hidden) is looked up; a file
    over :data:`~sociaparis.survey.attachments.MAX_ATTACHMENT_BYTES` is read
    only that far (and then refused as too large).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _path(self, name: str) -> Path | None:
        if not name or name != Path(name).name or name.startswith("."):
            return None
        path = self.folder / name
        return path if path.is_file() else None

    def __getitem__(self, name: str) -> bytes:
        path = self._path(name)
        if path is None:
            raise KeyError(name)
        with path.open("rb") as handle:
            return handle.read(MAX_ATTACHMENT_BYTES + 1)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._path(name) is not None

    def __iter__(self) -> Any:
        if not self.folder.is_dir():
            return iter(())
        return iter(sorted(p.name for p in self.folder.iterdir() if p.is_file()))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __str__(self) -> str:
        return f"{self.folder}/"


def read_xlsform(path: str | Path, *, media: str | Path | None = None) -> XLSFormResult:
    """Read and check the XLSForm at ``path``.

    Its attachments (``select_*_from_file`` files, ``pulldata()`` CSVs) are read
    from ``media`` (default: the ``media/`` folder beside the form, as in a
    study folder) and kept in the instrument.

    Raises
    ------
    SociaparisError
        With a :class:`SurveyError` code when the form cannot be used.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SociaparisError(
            SurveyError.FORM_UNREADABLE, path=str(path), reason=exc.strerror or exc
        ) from exc
    folder = Path(media) if media is not None else path.parent / MEDIA_FOLDER
    return parse_xlsform(data, filename=path.name, media=MediaFolder(folder))


def parse_xlsform(
    data: bytes, *, filename: str, media: Mapping[str, bytes] | None = None
) -> XLSFormResult:
    """Read and check an XLSForm given as bytes; ``filename``'s suffix tells the format.

    Parameters
    ----------
    data
        The file's content (markdown tables as UTF-8 text for ``.md``).
    filename
        Name of the file, used for its suffix and as the fallback form_id.
    media
        The attachments the form may name, file name to bytes (a
        :class:`MediaFolder`); a named one that is missing is ``SURVEY_045``.

    Returns
    -------
    XLSFormResult
        The instrument, the warnings, and the source bytes.
    """
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise SociaparisError(
            SurveyError.FORM_UNREADABLE,
            path=filename,
            reason=Reason(
                en=f"the suffix '{suffix}' is not one of {', '.join(SUFFIXES)}",
                fr=f"l'extension « {suffix} » n'est pas prise en charge (extensions "
                f"admises : {', '.join(SUFFIXES)})",
            ),
        )
    if suffix in ZIP_SPREADSHEETS:
        _check_zip(data, filename=filename, suffix=suffix)
    try:
        workbook = get_xlsform(BytesIO(data), file_type=SUFFIXES[suffix])
    except PyXFormError as exc:
        raise SociaparisError(
            SurveyError.FORM_UNREADABLE, path=filename, reason=str(exc).rstrip(".")
        ) from exc
    except Exception as exc:  # the spreadsheet readers fail in many ways on bad files
        problem = f"{type(exc).__name__}: {exc}".rstrip(".")
        reason = Reason(
            en=f"it is not a readable {suffix} file ({problem})",
            fr=f"ce n'est pas un fichier {suffix} lisible ({problem})",
        )
        raise SociaparisError(
            SurveyError.FORM_UNREADABLE, path=filename, reason=reason
        ) from exc
    rows = _SurveyRows(workbook)
    rows.check_lists_and_names()
    pyxform_warnings: list[str] = []
    try:
        tree = workbook_to_json(
            workbook,
            fallback_form_name=Path(filename).stem,
            warnings=pyxform_warnings,
        )
    except PyXFormError as exc:
        raise _from_pyxform(exc, rows) from exc
    except Exception as exc:  # pyxform's own checks missed something: still one message
        raise SociaparisError(
            SurveyError.PYXFORM_REJECTED,
            detail=Reason(
                en=f"pyxform could not read it ({type(exc).__name__}: {exc}).",
                fr=f"pyxform n'a pas pu le lire ({type(exc).__name__} : {exc}).",
            ),
        ) from exc
    warnings = [
        Issue.of(SurveyError.PYXFORM_WARNING, warning=text) for text in pyxform_warnings
    ]
    if not any(
        row.get("form_id") or row.get("id_string") for row in workbook.settings or []
    ):
        warnings.append(
            Issue.of(
                SurveyError.NO_FORM_ID,
                Location(sheet="settings"),
                form_id=tree["id_string"],
            )
        )
    builder = _Builder(
        tree,
        rows,
        media if media is not None else {},
        external=workbook.external_choices or [],
    )
    instrument = builder.build()
    warnings.extend(builder.warnings)
    check_expressions(instrument, locate=rows.locate)
    for name, column, known in unknown_choice_columns(instrument):
        warnings.append(
            Issue.of(
                SurveyError.UNKNOWN_CHOICE_COLUMN,
                rows.locate(name, "choice_filter"),
                name=name,
                column=column,
                known=known,
            )
        )
    return XLSFormResult(instrument, warnings, data, filename)


def _check_zip(data: bytes, *, filename: str, suffix: str) -> None:
    """Refuse a workbook that would unpack too large (``CORE_011``-``CORE_014``).

    A file that is not a zip at all keeps the form's own message (``SURVEY_001``).
    """
    try:
        check_archive(data, path=filename, format="XLSX")
    except SociaparisError as exc:
        if exc.error is not CoreError.ARCHIVE_UNREADABLE:
            raise
        inner = Reason.of(exc.context["reason"])
        raise SociaparisError(
            SurveyError.FORM_UNREADABLE,
            path=filename,
            reason=Reason(
                en=f"it is not a readable {suffix} file ({inner.en})",
                fr=f"ce n'est pas un fichier {suffix} lisible ({inner.fr})",
            ),
        ) from None


def _from_pyxform(exc: PyXFormError, rows: _SurveyRows) -> SociaparisError:
    """Turn a pyxform error into ours, keeping the row and sheet it names."""
    text = str(exc)
    context = getattr(exc, "context", None) or {}
    code = getattr(exc, "code", None)
    if code is not None and code.name == "PYREF_003" and context.get("row"):
        row, column = int(context["row"]), str(context.get("column", ""))
        cells = rows.by_row.get(row, {})
        expression = next(
            (str(v) for k, v in cells.items() if rows.column(k) == column),
            str(cells.get(column, "")),
        )
        return SociaparisError(
            SurveyError.UNKNOWN_REFERENCE,
            location=Location(context.get("sheet", "survey"), row, column),
            expression=expression,
            reference=context.get("q", ""),
        )
    row = context.get("row")
    match = _ROW_RE.search(text)
    if row is None and match:
        row = int(match.group(1))
    text = _ROW_RE.sub("", text).strip()
    sheet = context.get("sheet")
    sheet_match = _SHEET_RE.search(text)
    if sheet is None and sheet_match:
        sheet = sheet_match.group(1)
    if sheet is None and row is not None:
        sheet = "survey"
    location = Location(sheet=sheet, row=row, column=context.get("column"))
    if not text.endswith("."):
        text += "."
    return SociaparisError(SurveyError.PYXFORM_REJECTED, location=location, detail=text)


def language_code(name: str) -> str:
    """``'Français (fr)'`` -> ``'fr'``; a name without a code is used as it is."""
    match = _LANG_RE.search(name)
    return match.group(1).strip() if match else name.strip()


@dataclass(frozen=True, slots=True)
class SelectSpelling:
    """A select's type cell as pyxform reads it.

    Attributes
    ----------
    command
        The select command as written (``select_one``, ``select one from``,
        ``select all that apply``, ``select_one_from_file``...).
    list_name
        The choice list (or, for ``*_from_file``, the file) it names.
    or_other
        Whether it ends in ``or_other`` (or ``or specify other``, ``or other``).
    """

    command: str
    list_name: str
    or_other: bool


def select_spelling(kind: str) -> SelectSpelling | None:
    """Read a survey ``type`` cell with pyxform's own select pattern; None if no select.

    pyxform accepts every spelling in :data:`pyxform.aliases.select` (``select one
    from LIST``, ``select all that apply from LIST``, ``select1 LIST``...), so
    reading the list name with its pattern keeps sociaparis in step with it.
    """
    match = RE_SELECT.search(" ".join(kind.split()))
    if match is None:
        return None
    return SelectSpelling(
        command=match.group("select_command"),
        list_name=match.group("list_name"),
        or_other=bool(match.group("specify_other")),
    )


def _headers(table: Mapping[str, Any], target: str) -> frozenset[str]:
    """``target`` and the headers pyxform's alias ``table`` reads as it."""
    return frozenset({target, *(k for k, v in table.items() if v == target)})


_NAME_HEADERS = _headers(aliases.survey_header, constants.NAME)
_TYPE_HEADERS = _headers(aliases.survey_header, constants.TYPE)
_LIST_NAME_HEADERS = _headers(aliases.list_header, constants.LIST_NAME_S)


def _reads_as(column: str, header: str, key: str) -> bool:
    """Whether pyxform reads the survey ``header`` (base ``column``) as its ``key``."""
    alias = aliases.survey_header.get(column)
    target = alias[-1] if isinstance(alias, tuple) else alias
    return key.lower() in {column, str(target).lower(), header.lower().rsplit(":", 1)[-1]}


def _cell(row: Mapping[str, Any], headers: frozenset[str]) -> str:
    """The cell of ``row`` under any of ``headers`` (in any case), stripped."""
    for header, value in row.items():
        if str(header).strip().lower() in headers:
            return str(value).strip()
    return ""


class _SurveyRows:
    """Row numbers and raw cells of the survey and choices sheets."""

    def __init__(self, workbook: DefinitionData) -> None:
        self.survey: dict[str, tuple[int, Mapping[str, str]]] = {}
        #: Each named row by its path of group names on the sheet (a loop's
        #: questions once, under the loop's name).
        self.by_path: dict[tuple[str, ...], tuple[int, Mapping[str, str]]] = {}
        #: Rows of the items of the instrument (by key) that share their name.
        self.keyed: dict[str, tuple[int, Mapping[str, str]] | None] = {}
        self.rows_of: dict[str, list[int]] = {}
        self.duplicates: list[tuple[str, int, int]] = []
        self.selects: list[tuple[str, str, int]] = []
        self.by_row: dict[int, Mapping[str, str]] = {}
        stack: list[str] = []
        for index, row in enumerate(workbook.survey or []):
            number = index + 2
            self.by_row[number] = row
            name = _cell(row, _NAME_HEADERS)
            kind = _cell(row, _TYPE_HEADERS)
            spelled = " ".join(kind.lower().split())
            if RE_END_CONTROL.match(spelled):
                if stack:
                    stack.pop()
                continue
            if name:
                path = (*stack, name)
                if path in self.by_path:
                    self.duplicates.append((name, self.by_path[path][0], number))
                else:
                    self.by_path[path] = (number, row)
                self.survey.setdefault(name, (number, row))
                self.rows_of.setdefault(name, []).append(number)
            if RE_BEGIN_CONTROL.match(spelled):
                stack.append(name)
            select = select_spelling(kind)
            if select is not None and select.command not in _SELECT_FROM_ELSEWHERE:
                self.selects.append((name, select.list_name, number))
        self.list_names = {
            _cell(row, _LIST_NAME_HEADERS) for row in workbook.choices or []
        }
        self.double_colon = any(
            "::" in str(header) for row in workbook.survey or [] for header in row
        )

    def column(self, header: str) -> str:
        """The column a header names, without its language or attribute part.

        As pyxform does, a sheet with no ``::`` header splits on one colon
        (``label:English``).
        """
        separator = "::" if self.double_colon else ":"
        return str(header).split(separator)[0].strip().lower()

    def check_lists_and_names(self) -> None:
        for name, first, again in self.duplicates:
            raise SociaparisError(
                SurveyError.DUPLICATE_NAME,
                location=Location("survey", again, "name"),
                name=name,
                first_row=first,
            )
        self._check_references()
        for name, list_name, number in self.selects:
            if list_name not in self.list_names:
                raise SociaparisError(
                    SurveyError.UNKNOWN_LIST,
                    location=Location("survey", number, "type"),
                    name=name,
                    list_name=list_name,
                )

    def _check_references(self) -> None:
        """Refuse a ``${name}`` whose name is written in more than one group.

        pyxform's rule: a name may be used again in another group, but then no
        ``${name}`` may refer to it (``SURVEY_015`` names every place).
        """
        shared = {name for name, rows in self.rows_of.items() if len(rows) > 1}
        if not shared:
            return
        for number, row in self.by_row.items():
            for header, value in row.items():
                if self.column(header) in {"type", "name"}:
                    continue
                for reference in _REFERENCE.findall(str(value)):
                    reference = reference.strip()
                    if reference in shared:
                        raise SociaparisError(
                            SurveyError.AMBIGUOUS_REFERENCE,
                            location=Location("survey", number, str(header)),
                            reference=reference,
                            rows=", ".join(map(str, self.rows_of[reference])),
                        )

    def entry(self, name: str) -> tuple[int, Mapping[str, str]] | None:
        """Row number and cells of the item keyed ``name`` (None if generated)."""
        if name in self.keyed:
            return self.keyed[name]
        return self.survey.get(name)

    def unknown_column(self, name: str, key: str) -> Location:
        """Where the unsupported column behind pyxform's ``key`` is, for item ``name``."""
        row, cells = self.entry(name) or (None, {})
        unknown = [
            header
            for header, value in cells.items()
            if str(value).strip()
            and (
                self.column(header) not in KNOWN_COLUMNS
                or self.column(header) in {"bind", "control"}
            )
        ]
        written = next(
            (h for h in unknown if _reads_as(self.column(h), h, key)),
            unknown[0] if unknown else key,
        )
        return Location(sheet="survey", row=row, column=written)

    def cell(self, name: str, column: str) -> str:
        """The cell ``column`` of item ``name`` as written ('' for a generated item)."""
        _, cells = self.entry(name) or (None, {})
        return next((str(v) for k, v in cells.items() if self.column(k) == column), "")

    def locate(self, name: str, column: str, value: str | None = None) -> Location:
        """Where the cell ``column`` of item ``name`` is (the header as written)."""
        row, cells = self.entry(name) or (None, {})
        written = column
        if value is not None:
            written = next(
                (
                    key
                    for key, cell in cells.items()
                    if str(cell).strip() == value.strip()
                ),
                column,
            )
        return Location(sheet="survey", row=row, column=written)


class _Builder:
    """Turns pyxform's survey dict into the instrument model."""

    def __init__(
        self,
        tree: Mapping[str, Any],
        rows: _SurveyRows,
        media: Mapping[str, bytes],
        external: Iterable[Mapping[str, Any]] = (),
    ) -> None:
        self.tree = tree
        self.rows = rows
        self.media = media
        self.external = list(external)
        self.attachments: dict[str, Attachment] = {}
        self.file_choices: dict[str, tuple[Choice, ...]] = {}
        self.items: list[Item] = []
        self.language_order: list[str] = []
        setting = str(tree.get("default_language") or "default")
        self.default_name = setting
        self.default = language_code(setting) if setting != "default" else ""
        self._written: dict[str, str] = {}
        self._depth: dict[str | None, int] = {None: 0}
        self.warnings: list[Issue] = []
        self._warned: set[tuple[str, str]] = set()

    def build(self) -> Instrument:
        children = _expand_loops(self.tree.get("children", []))
        self.counts = Counter(_written_names(children))
        top = self._children(children, parent=None, repeat=None, path=(), sheet=())
        choices = {
            list_name: tuple(self._choice(choice) for choice in entries)
            for list_name, entries in (self.tree.get("choices") or {}).items()
        }
        choices.update(self.file_choices)
        self._pulldata_attachments()
        default = self.default or next(
            (code for code in self.language_order if code != "default"), "default"
        )
        languages = [default] + [c for c in self.language_order if c not in {default}]
        languages = [c for c in languages if c != "default" or default == "default"]
        instrument = Instrument(
            form_id=str(self.tree.get("id_string") or self.tree.get("name")),
            version=str(self.tree.get("version") or ""),
            title=str(self.tree.get("title") or self.tree.get("id_string")),
            default_language=default,
            languages=tuple(dict.fromkeys(languages)),
            language_names={
                code: name for code, name in self.names.items() if code in languages
            },
            items=tuple(
                _translate_other(_relabel(item, default), languages)
                for item in self.items
            ),
            top=top,
            choices={
                name: tuple(
                    _translate_other(_relabel_choice(c, default), languages)
                    for c in entries
                )
                for name, entries in choices.items()
            },
            attachments=self.attachments,
        )
        return instrument

    def _attachment(self, file: str, name: str, column: str) -> Attachment:
        """The attachment ``file`` that item ``name`` uses (read once)."""
        if file not in self.attachments:
            if file not in self.media:
                location = self.rows.locate(name, column)
                raise SociaparisError(
                    SurveyError.ATTACHMENT_MISSING,
                    location=location,
                    name=name,
                    file=file,
                    folder=str(self.media)
                    if isinstance(self.media, MediaFolder)
                    else _ATTACHMENTS_GIVEN,
                )
            self.attachments[file] = read_attachment(file, self.media[file])
        return self.attachments[file]

    def _file_choices(self, name: str, file: str, parameters: Mapping[str, str]) -> str:
        """The choices of a ``select_*_from_file`` (one per row of its file); the
        name of their list: the file's, or with the columns when not the usual.

        Columns ``name`` and ``label`` (or those the ``parameters`` give as
        ``value=`` and ``label=``; ``label::LANGUAGE`` columns translate) make
        the choice; every other column can be tested by a choice_filter.
        """
        attachment = self._attachment(file, name, "type")
        value = parameters.get("value", "name")
        label = parameters.get("label", "label")
        key = file if (value, label) == ("name", "label") else f"{file}:{value}:{label}"
        if key in self.file_choices:
            return key
        for wanted in (value, label):
            if wanted not in attachment.columns and not (
                wanted == "label"
                and any(c.startswith("label::") for c in attachment.columns)
            ):
                raise SociaparisError(
                    SurveyError.ATTACHMENT_NO_COLUMN,
                    location=self.rows.locate(name, "type"),
                    name=name,
                    file=file,
                    column=wanted,
                    columns=", ".join(attachment.columns),
                )
        choices = []
        for record in attachment.records():
            texts: dict[str, str] = {}
            if record.get(label):
                texts = self._texts(record[label])
            for column, text in record.items():
                if column.startswith("label::") and text:
                    texts.update(self._texts({column.split("::", 1)[1]: text}))
            extra = {
                k: v for k, v in record.items() if k not in {value} and "::" not in k
            }
            extra.pop("label", None)
            choices.append(Choice(record[value], texts, extra))
        self.file_choices[key] = tuple(choices)
        return key

    def _external_choices(self, name: str, list_name: str) -> str:
        """The choices of a ``select_one_external``, from the ``external_choices``
        sheet (ODK Collect reads them from the ``itemsets.csv`` pyxform writes);
        their list is ``external_choices:LIST``.
        """
        key = f"external_choices:{list_name}"
        if key in self.file_choices:
            return key
        choices = []
        for row in self.external:
            cells = {str(k).strip(): str(v).strip() for k, v in row.items()}
            if _cell(cells, _LIST_NAME_HEADERS) != list_name:
                continue
            texts: dict[str, str] = {}
            extra: dict[str, str] = {}
            for header, value in cells.items():
                lower = header.lower()
                if lower in _LIST_NAME_HEADERS or lower == "name":
                    continue
                if lower == "label":
                    texts.update(self._texts(value))
                elif lower.startswith("label:"):
                    language = header.split(":", 2)[-1]
                    texts.update(self._texts({language: value}))
                else:
                    extra[header] = value
            choices.append(Choice(_cell(cells, frozenset({"name"})), texts, extra))
        if not choices:
            raise SociaparisError(
                SurveyError.UNKNOWN_LIST,
                location=self.rows.locate(name, "type"),
                name=name,
                list_name=list_name,
            )
        self.file_choices[key] = tuple(choices)
        return key

    def _pulldata_attachments(self) -> None:
        """Read the CSV each ``pulldata('NAME', ...)`` of the form names."""
        for name, (_number, cells) in self.rows.survey.items():
            for header, cell in cells.items():
                for match in _PULLDATA_RE.finditer(str(cell)):
                    self._attachment(
                        f"{match.group(2).strip()}.csv", name, self.rows.column(header)
                    )

    @property
    def names(self) -> dict[str, str]:
        names = {}
        for code in self.language_order:
            names[code] = self._written.get(code, code)
        if self.default and self.default_name != "default":
            names.setdefault(self.default, self.default_name)
        return names

    def _texts(self, value: Any) -> dict[str, str]:
        if value is None or value == "":
            return {}
        if isinstance(value, str):
            self._see("default")
            return {"default": value}
        texts = {}
        for name, text in value.items():
            code = language_code(name) if name != "default" else "default"
            self._see(code, name)
            texts[code] = str(text)
        return texts

    def _see(self, code: str, name: str | None = None) -> None:
        if code not in self.language_order:
            self.language_order.append(code)
            if name is not None:
                self._written[code] = name

    def _choice(self, data: Mapping[str, Any]) -> Choice:
        extra = {
            key: str(value)
            for key, value in data.items()
            if key not in {"name", "label", "media"} and not isinstance(value, dict)
        }
        return Choice(str(data["name"]), self._texts(data.get("label")), extra)

    def _children(
        self,
        children: Iterable[Mapping[str, Any]],
        parent: str | None,
        repeat: str | None,
        path: tuple[str, ...],
        sheet: tuple[str, ...],
    ) -> tuple[str, ...]:
        """Build ``children``; ``path`` and ``sheet`` are their groups' names in the
        form and on the survey sheet (where a loop's questions are written once)."""
        names = []
        for child in children:
            control = child.get("control") or {}
            if child.get("type") == "group" and control.get("bodyless"):
                self._meta(child)  # pyxform's generated meta group
                continue
            if self._table_list_header(child, parent):
                continue
            written = str(child["name"])
            name = self._key(written, path)
            if name != written:
                inner_sheet = sheet if child.get(_LOOP_COLUMN) else (*sheet, written)
                self.rows.keyed[name] = self.rows.by_path.get(inner_sheet)
            self._check_keys(child, name)
            if child.get("type") in {"group", "repeat"}:
                self._group(child, name, parent, repeat, (path, sheet))
            else:
                self._question(child, name, parent, repeat, path)
            names.append(name)
        return tuple(names)

    def _key(self, written: str, path: tuple[str, ...]) -> str:
        """The instrument's key of the item ``written`` in the groups ``path``.

        A name used once in the form is its own key; a name used in several
        groups is keyed by its group path (:func:`item_key`).
        """
        if self.counts[written] <= 1:
            return written
        return item_key((*path, written))

    def _table_list_header(self, data: Mapping[str, Any], parent: str | None) -> bool:
        """Whether ``data`` is the row of choice labels pyxform adds to a table-list.

        pyxform makes a ``table-list`` group a field-list whose selects have the
        appearance ``list-nolabel``; sociaparis shows those as one table, its
        column headers the choices, so the row of choice labels is not needed.
        """
        name = str(data.get("name"))
        return name.startswith(_TABLE_LIST_HEADER) and name not in self.rows.survey

    def _meta(self, group: Mapping[str, Any]) -> None:
        """Warn that an ``audit`` (which pyxform puts in the meta group) is ignored."""
        for child in group.get("children", []):
            if child.get("type") == "audit":
                self.warnings.append(
                    Issue.of(
                        SurveyError.NOT_IN_A_BROWSER,
                        self.rows.locate(str(child["name"]), "type"),
                        name=str(child["name"]),
                        type="audit",
                        detail=_AUDIT_IGNORED,
                    )
                )

    def _metadata_warning(self, name: str, written: str, kind: str) -> None:
        """Say at check time what a metadata question will hold (often nothing)."""
        what = _METADATA_WARNINGS[kind]
        row = self.rows.entry(name)
        written = _cell(row[1], _TYPE_HEADERS) if row else written
        if kind in _METADATA_FILLED:
            filled = _METADATA_FILLED[kind]
            detail = Reason(
                en=f" holds {what.en} in ODK; sociaparis records no value of its own "
                f"for it, and its exports give {filled.en}. An expression reads it "
                "as ''.",
                fr=f" contient dans ODK {what.fr} ; sociaparis n'enregistre pas de "
                f"valeur propre pour cette question, et ses exports donnent "
                f"{filled.fr}. Une expression y lit la chaîne vide ''.",
            )
        else:
            detail = Reason(
                en=f" holds {what.en} in ODK; sociaparis does not record it, so "
                f"'{name}' stays empty in every response and export. A web browser "
                "does not give it, and an anonymous survey must not hold it.",
                fr=f" contient dans ODK {what.fr} ; sociaparis ne l'enregistre pas, "
                f"donc « {name} » reste vide dans chaque réponse et chaque export. "
                "Un navigateur web ne fournit pas cette information, et un "
                "questionnaire anonyme ne doit pas la contenir.",
            )
        self.warnings.append(
            Issue.of(
                SurveyError.NOT_IN_A_BROWSER,
                self.rows.locate(name, "type"),
                name=name,
                type=written,
                detail=detail,
            )
        )

    def _check_keys(self, data: Mapping[str, Any], name: str) -> None:
        """Warn (``SURVEY_W04``) about each column of the item sociaparis ignores."""
        # pyxform's own 'query' of a select_one_external (its list), not a column
        generated = {"query"} if data.get("type") == "select one external" else set()
        unused = [key for key in data if key not in _ITEM_KEYS | generated]
        unused += [key for key in data.get("bind") or {} if key not in _BIND_KEYS]
        unused += [key for key in data.get("control") or {} if key not in _CONTROL_KEYS]
        for key in unused:
            location = self.rows.unknown_column(name, key)
            self._warn_once(
                ("column", str(location.column)),
                SurveyError.UNUSED_COLUMN,
                location,
                column=location.column,
                name=name,
            )

    def _warn_once(
        self,
        key: tuple[str, str],
        warning: SurveyError,
        location: Location,
        **context: Any,
    ) -> None:
        """Warn once per ``key``, at its first place (not once per row)."""
        if key not in self._warned:
            self._warned.add(key)
            self.warnings.append(Issue.of(warning, location, **context))

    def _appearance(self, name: str, kind: str, appearance: str) -> str:
        """The appearance words sociaparis uses; a warning for each other one written.

        ``table-list`` on a group never reaches here: pyxform reads it (a
        field-list whose selects are ``list-nolabel``).
        """
        allowed = APPEARANCES.get(kind, frozenset())
        if _SEARCH_RE.search(appearance):
            appearance = _SEARCH_RE.sub(" ", appearance)
            self._warn_once(
                ("appearance", "search()"),
                SurveyError.UNUSED_APPEARANCE,
                self.rows.locate(name, "appearance"),
                appearance=Reason(en="search()", fr="« search() »"),
                name=name,
                detail=_SEARCH_IGNORED,
            )
        written = _SEARCH_RE.sub(" ", self.rows.cell(name, "appearance")).split()
        for word in appearance.split():
            if word not in allowed and word in written:
                uses = ", ".join(sorted(allowed))
                which = "un groupe" if kind == "group" else f"une question « {kind} »"
                self._warn_once(
                    ("appearance", f"{kind} {word}"),
                    SurveyError.UNUSED_APPEARANCE,
                    self.rows.locate(name, "appearance"),
                    appearance=_quoted(word),
                    name=name,
                    detail=Reason(
                        en=f"is not used by sociaparis for a {kind}: it is ignored "
                        "wherever it is written, and the item is shown as usual "
                        f"(appearances used: {uses or 'none'}).",
                        fr=f"n'est pas utilisée par sociaparis pour {which} : elle "
                        "est ignorée partout où elle est écrite, et l'élément "
                        "s'affiche normalement (apparences utilisées : "
                        f"{uses or 'aucune'}).",
                    ),
                )
        return " ".join(word for word in appearance.split() if word in allowed)

    def _group(
        self,
        data: Mapping[str, Any],
        name: str,
        parent: str | None,
        repeat: str | None,
        where: tuple[tuple[str, ...], tuple[str, ...]],
    ) -> None:
        kind = data["type"]
        control = data.get("control") or {}
        bind = data.get("bind") or {}
        depth = self._depth[name] = self._depth[parent] + 1
        if depth > MAX_GROUP_DEPTH:
            raise SociaparisError(
                SurveyError.GROUPS_TOO_DEEP,
                location=self.rows.locate(name, "name"),
                name=name,
                limit=MAX_GROUP_DEPTH,
            )
        if kind == "repeat":
            repeats = 1 + sum(
                1 for ancestor in self._ancestors(parent) if ancestor.kind == "repeat"
            )
            if repeats > MAX_REPEAT_DEPTH:
                self._structure(
                    name,
                    Reason(
                        en=f"repeats nested {repeats} deep (inside '{repeat}'), more "
                        f"than the {MAX_REPEAT_DEPTH} levels is not supported",
                        fr=f"des répétitions imbriquées sur {repeats} niveaux (dans "
                        f"« {repeat} »), au-delà des {MAX_REPEAT_DEPTH} admis, ne "
                        "sont pas prises en charge",
                    ),
                )
            for ancestor in self._ancestors(parent):
                if ancestor.field_list:
                    self._structure(
                        name,
                        Reason(
                            en=f"a repeat inside the field-list '{ancestor.name}' "
                            "is not supported",
                            fr="une répétition dans le groupe field-list "
                            f"« {ancestor.name} » n'est pas prise en charge",
                        ),
                    )
        appearance = self._appearance(name, "group", str(control.get("appearance", "")))
        index = len(self.items)
        # reserve its place in document order; the full group replaces it below
        self.items.append(Group(name=name, kind=kind))
        inner_repeat = name if kind == "repeat" else repeat
        group = Group(
            name=name,
            kind=kind,
            row=self.rows.locate(name, "name").row,
            parent=parent,
            repeat=repeat,
            labels=self._texts(data.get("label")),
            appearance=appearance,
            relevant=str(bind.get("relevant", "")),
            repeat_count=str(control.get("jr:count", "")),
        )
        self.items[index] = group
        path, sheet = where
        written = str(data["name"])
        inner_sheet = sheet if data.get(_LOOP_COLUMN) else (*sheet, written)
        children = self._children(
            data.get("children", []),
            name,
            inner_repeat,
            (*path, written),
            inner_sheet,
        )
        self.items[index] = Group(**{**_fields(group), "children": children})

    def _ancestors(self, parent: str | None) -> list[Group]:
        by_name = {item.name: item for item in self.items}
        found = []
        while parent is not None:
            group = by_name[parent]
            if isinstance(group, Group):
                found.append(group)
            parent = group.parent
        return found

    def _structure(self, name: str, reason: Reason) -> None:
        raise SociaparisError(
            SurveyError.UNSUPPORTED_STRUCTURE,
            location=self.rows.locate(name, "type"),
            name=name,
            reason=reason,
        )

    def _question(
        self,
        data: Mapping[str, Any],
        name: str,
        parent: str | None,
        repeat: str | None,
        path: tuple[str, ...],
    ) -> None:
        written = str(data.get("type"))
        kind = _TYPES.get(written) or METADATA_SPELLINGS.get(written)
        if kind in METADATA_TYPES:
            self._metadata_warning(name, written, kind)
        if written == "osm":
            self.warnings.append(
                Issue.of(
                    SurveyError.NOT_IN_A_BROWSER,
                    self.rows.locate(name, "type"),
                    name=name,
                    type="osm",
                    detail=_OSM_AS_FILE,
                )
            )
        if kind in UNRECORDED_TYPES:
            self.warnings.append(
                Issue.of(
                    SurveyError.NOT_IN_A_BROWSER,
                    self.rows.locate(name, "type"),
                    name=name,
                    type=written,
                    detail=Reason(
                        en=" records the device's microphone while the form is open "
                        f"in ODK Collect; a web page cannot, so '{name}' stays empty "
                        "in every response and export.",
                        fr=" enregistre le micro de l'appareil pendant que le "
                        "formulaire est ouvert dans ODK Collect ; une page web ne le "
                        f"peut pas, donc « {name} » reste vide dans chaque réponse et "
                        "chaque export.",
                    ),
                )
            )
        if written in WEB_SUBSTITUTES:
            self.warnings.append(
                Issue.of(
                    SurveyError.WEB_SUBSTITUTE,
                    self.rows.locate(name, "type"),
                    name=name,
                    type=written,
                )
            )
        if kind is None:
            raise SociaparisError(
                SurveyError.UNSUPPORTED_TYPE,
                location=self.rows.locate(name, "type"),
                type=data.get("type"),
                name=name,
                supported=_SUPPORTED_TYPES,
            )
        bind = data.get("bind") or {}
        control = data.get("control") or {}
        row_info = self.rows.entry(name)
        generated_other = row_info is None and name.endswith("_other")
        relevant = str(bind.get("relevant", ""))
        if generated_other:
            relevant = _OTHER_RELEVANT_RE.sub(
                lambda m: f"selected(${{{self._key(m.group(1), path)}}}, 'other')",
                relevant,
            )
        or_other = False
        list_name = str(data.get("list_name", data.get("itemset", "")))
        if kind in SELECT_TYPES and row_info is not None:
            written = _cell(row_info[1], _TYPE_HEADERS)  # any case: TYPE, Type
            select = select_spelling(written)
            if select is not None and select.command in select_from_file:
                list_name = self._file_choices(name, select.list_name, _parameters(data))
            elif select is not None and select.command == "select_one_external":
                list_name = self._external_choices(name, select.list_name)
            elif select is not None and select.command in _SELECT_FROM_ELSEWHERE:
                raise SociaparisError(
                    SurveyError.UNSUPPORTED_TYPE,
                    location=self.rows.locate(name, "type"),
                    type=select.command,
                    name=name,
                    supported=_SUPPORTED_TYPES,
                )
            or_other = select is not None and select.or_other
        parameters = data.get("parameters") or {}
        parameters = (
            {str(k): str(v) for k, v in parameters.items()}
            if isinstance(parameters, Mapping)
            else {}
        )
        if kind in FILE_TYPES:
            parameters = self._file_parameters(name, kind, bind, control)
        self.items.append(
            Question(
                name=name,
                type=kind,
                row=row_info[0] if row_info else None,
                parent=parent,
                repeat=repeat,
                labels=self._texts(data.get("label")),
                hints=self._texts(data.get("hint")),
                appearance=self._appearance(
                    name, kind, str(control.get("appearance", ""))
                ),
                relevant=relevant,
                calculation=str(bind.get("calculate", "")),
                default=str(data.get("default", "")),
                required=self._required(name, str(bind.get("required", ""))),
                required_messages=self._texts(bind.get("jr:requiredMsg")),
                constraint=str(bind.get("constraint", "")),
                constraint_messages=self._texts(bind.get("jr:constraintMsg")),
                choice_filter=str(data.get("choice_filter", "")),
                list_name=list_name,
                or_other=or_other,
                parameters=parameters,
            )
        )

    def _file_parameters(
        self,
        name: str,
        kind: str,
        bind: Mapping[str, Any],
        control: Mapping[str, Any],
    ) -> dict[str, str]:
        """``max-pixels`` and ``accept`` of a file question; warn about drawing.

        pyxform has checked ``max-pixels`` (a positive integer, images only).
        """
        parameters: dict[str, str] = {}
        if bind.get("orx:max-pixels"):
            parameters["max-pixels"] = str(bind["orx:max-pixels"])
        if str(control.get("accept", "")).strip():
            parameters["accept"] = str(control["accept"]).strip()
        written = self.rows.cell(name, "appearance").split()
        for word in written:
            if kind == "image" and word in _DRAWING_APPEARANCES:
                self._warn_once(
                    ("appearance", f"{kind} {word}"),
                    SurveyError.UNUSED_APPEARANCE,
                    self.rows.locate(name, "appearance"),
                    appearance=_quoted(word),
                    name=name,
                    detail=_NO_DRAWING_PAD,
                )
        return parameters

    def _required(self, name: str, value: str) -> str:
        if value.strip().lower() in _TRUE:
            return "true()"
        if value.strip().lower() in _FALSE:
            return ""
        return value


def _quoted(word: str) -> Reason:
    """A word of the form in a warning, quoted as each language quotes it."""
    return Reason(en=f"'{word}'", fr=f"« {word} »")


def _parameters(data: Mapping[str, Any]) -> dict[str, str]:
    parameters = data.get("parameters") or {}
    if not isinstance(parameters, Mapping):
        return {}
    return {str(k): str(v) for k, v in parameters.items()}


def _fields(item: Item) -> dict[str, Any]:
    return {name: getattr(item, name) for name in item.__slots__}  # type: ignore[union-attr]


def _retexts(texts: Mapping[str, str], default: str) -> dict[str, str]:
    """Give untranslated texts (pyxform's 'default') to the default language."""
    result = {code: text for code, text in texts.items() if code != "default"}
    if "default" in texts and default not in result:
        result[default] = texts["default"]
    return result


def _relabel(item: Item, default: str) -> Item:
    values = _fields(item)
    for key, value in values.items():
        if key in {"labels", "hints", "required_messages", "constraint_messages"}:
            values[key] = _retexts(value, default)
    return type(item)(**values)


#: pyxform's untranslated texts for ``or_other``, and their translations.
_OTHER_TEXTS = {
    "Specify other.": {"fr": "Précisez « Autre » :", "en": "Specify other."},
    "Other": {"fr": "Autre", "en": "Other"},
}


def _translate_other(item: Any, languages: list[str]) -> Any:
    """Give pyxform's generated ``or_other`` texts in French and English."""
    if isinstance(item, Question):
        if item.row is not None or not item.name.endswith("_other"):
            return item
    elif not (isinstance(item, Choice) and item.name == "other"):
        return item
    texts = dict(item.labels)
    generated = next((t for t in texts.values() if t in _OTHER_TEXTS), None)
    if generated is None:
        return item
    for code in languages:
        if texts.get(code, generated) == generated:
            texts[code] = _OTHER_TEXTS[generated].get(code, generated)
    if isinstance(item, Choice):
        return Choice(item.name, texts, item.extra)
    return Question(**{**_fields(item), "labels": texts})


def _relabel_choice(choice: Choice, default: str) -> Choice:
    return Choice(choice.name, _retexts(choice.labels, default), choice.extra)


def _expand_loops(
    children: Iterable[Mapping[str, Any]], depth: int = 0
) -> list[Mapping[str, Any]]:
    """Each legacy ``loop`` as pyxform builds it: a group holding one group per
    choice of its list (except ``none``), each holding a copy of the loop's
    questions with ``%(name)s`` and ``%(label)s`` replaced by the choice's.

    Below :data:`MAX_GROUP_DEPTH` the tree is left as it is (the builder
    refuses it).
    """
    if depth > MAX_GROUP_DEPTH:
        return list(children)
    expanded: list[Mapping[str, Any]] = []
    for child in children:
        if child.get("type") == "loop":
            loop = {k: v for k, v in child.items() if k not in {"columns", "children"}}
            columns = [
                {
                    "type": "group",
                    "name": column["name"],
                    **({"label": column["label"]} if column.get("label") else {}),
                    _LOOP_COLUMN: True,
                    "children": _expand_loops(
                        [_substitute(c, column) for c in child.get("children", [])],
                        depth + 2,
                    ),
                }
                for column in child.get("columns", [])
                if column.get("name") != "none"
            ]
            expanded.append({**loop, "type": "group", "children": columns})
        elif child.get("children"):
            expanded.append(
                {**child, "children": _expand_loops(child["children"], depth + 1)}
            )
        else:
            expanded.append(child)
    return expanded


def _substitute(template: Mapping[str, Any], column: Mapping[str, Any]) -> dict[str, Any]:
    """pyxform's ``%(name)s``/``%(label)s`` substitution in a loop's question:
    in its texts and in the values of its mappings (labels by language, bind)."""
    label = column.get("label", "")

    def fill(text: str, lang: str | None) -> str:
        def field(match: re.Match[str]) -> str:
            key = match.group(1)
            if key == "label" and isinstance(label, Mapping):
                texts = {str(k): str(v) for k, v in label.items()}
                return texts.get(lang or "", next(iter(texts.values()), ""))
            value = column.get(key)
            return match.group(0) if value is None else str(value)

        return _LOOP_FIELD.sub(field, text)

    result: dict[str, Any] = {}
    for key, value in template.items():
        if isinstance(value, str):
            result[key] = fill(value, None)
        elif isinstance(value, Mapping):
            result[key] = {
                k: fill(v, str(k)) if isinstance(v, str) else v for k, v in value.items()
            }
        else:
            result[key] = value
    return result


def _written_names(children: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """Every item's name as written, loop copies included (meta group excluded)."""
    stack = list(children)
    while stack:
        child = stack.pop()
        if child.get("type") == "group" and (child.get("control") or {}).get("bodyless"):
            continue
        yield str(child.get("name"))
        stack.extend(child.get("children") or [])
