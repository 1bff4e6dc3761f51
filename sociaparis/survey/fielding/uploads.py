"""Files respondents upload to file questions (``image``, ``audio``, ``video``, ``file``).

An upload is hostile input. What is stored:

* only a file whose content (its first bytes, never the name or the type the
  browser claims) is of a kind the question takes (:func:`sniff`), within the
  form's ``accept`` list (``body::accept``) and ``SOCIAPARIS_UPLOAD_MAX_BYTES``;
* an image decoded by Pillow within :data:`MAX_IMAGE_PIXELS` (a decompression
  bomb is refused before it is decoded), turned upright, downscaled to the
  question's ``max-pixels`` (its longest side) and encoded again, so that its
  EXIF, XMP, IPTC and comments (a photo's GPS position, the camera's serial
  number, the time it was taken) are never stored;
* under a random name of 32 hex digits and the suffix of the type found
  (:data:`~sociaparis.survey.checks.STORED_FILE_NAME`): the answer stored is
  that name, as ODK stores a file answer;
* in ``<data folder>/uploads/<response id>/`` (folders 0700, files 0600); an
  anonymous response's file is dated midnight UTC of the day, as its row keeps
  dates, never times.

:func:`receive_page_files` reads a page's file fields; :func:`sweep_response`
removes the files a saved response no longer names (a replaced answer, a page
left after a refused submit); :func:`delete_response_files` removes them all.
"""

from __future__ import annotations

import io
import logging
import os
import secrets
import shutil
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, Protocol

from sociaparis.core.errors import SociaparisError
from sociaparis.core.private import private_folder
from sociaparis.survey.checks import STORED_FILE_NAME, FieldError, default_message
from sociaparis.survey.fielding.errors import FieldingError
from sociaparis.survey.fielding.submission import field_name
from sociaparis.survey.instrument import FILE_TYPES, Instrument, Page, Question

logger = logging.getLogger(__name__)

#: Folder of the uploads in the data folder.
UPLOADS_FOLDER = "uploads"
#: Most pixels of an image decoded (a 50-megapixel photo): a larger one is
#: refused before it is decoded (Pillow would need ~150 MB per image).
MAX_IMAGE_PIXELS = 50_000_000
_PIXEL_LIMIT = f"{MAX_IMAGE_PIXELS / 1e6:.0f}"
#: Most file fields one page submission may send.
MAX_FILES_PER_PAGE = 20

#: Media types of the content found, and the suffix of the stored file.
SUFFIXES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "audio/mpeg": "mp3",
    "audio/wav": "wav",
    "audio/ogg": "ogg",
    "audio/flac": "flac",
    "audio/mp4": "m4a",
    "audio/webm": "weba",
    "audio/amr": "amr",
    "audio/3gpp": "3gpa",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
    "video/3gpp": "3gp",
    "application/pdf": "pdf",
    "application/zip": "zip",
    "text/plain": "txt",
}
#: Office documents are zip archives: the suffix they were sent with is kept
#: (only one of these) to tell them apart.
_ZIP_DOCUMENTS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
SUFFIXES.update({mime: suffix for suffix, mime in _ZIP_DOCUMENTS.items()})
#: What each type of question takes, as an ``accept`` list.
QUESTION_ACCEPTS = {
    "image": "image/jpeg,image/png,image/gif,image/webp",
    "audio": "audio/*",
    "video": "video/*",
    "file": "",  # any type sniff() knows
}
#: Pillow's format name of the images stored.
_IMAGE_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}


def sniff(data: bytes, sent_suffix: str = "") -> str | None:
    """The media type of ``data`` from its first bytes; None if not one we keep.

    Parameters
    ----------
    data
        The file's content.
    sent_suffix
        The suffix of the name it was sent with (lower case, no dot): only
        used to tell office documents (zip archives) apart.

    Examples
    --------
    >>> sniff(b"%PDF-1.7 ...")
    'application/pdf'
    >>> sniff(b"MZ\\x90\\x00") is None
    True
    """
    head = data[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in {b"GIF87a", b"GIF89a"}:
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    mpeg_frame = len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0
    if head.startswith(b"ID3") or mpeg_frame:
        return "audio/mpeg"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"#!AMR"):
        return "audio/amr"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in {b"M4A ", b"M4B "}:
            return "audio/mp4"
        if brand == b"qt  ":
            return "video/quicktime"
        if brand.startswith(b"3g"):
            return "audio/3gpp" if sent_suffix in {"3gpa", "m4a"} else "video/3gpp"
        if brand in {b"heic", b"heix", b"mif1", b"msf1", b"avif"}:
            return None  # HEIF images: no decoder to remove their metadata
        return "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "audio/webm" if sent_suffix == "weba" else "video/webm"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return _ZIP_DOCUMENTS.get(sent_suffix, "application/zip")
    return "text/plain" if _is_text(data) else None


def _is_text(data: bytes) -> bool:
    """UTF-8 text without control characters other than tab and line ends."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ord(c) < 32 and c not in "\t\r\n" for c in text[:65536])


def accepts(question: Question, mime: str) -> bool:
    """Whether ``question`` takes content of type ``mime`` (its type, then ``accept``).

    ``accept`` is the form's ``body::accept``, a comma-separated list of media
    types (``image/*``, ``application/pdf``) and suffixes (``.pdf``), as in HTML.
    """
    kind_accept = QUESTION_ACCEPTS.get(question.type, "")
    if kind_accept and not _matches(kind_accept, mime):
        return False
    form_accept = question.parameters.get("accept", "")
    return not form_accept or _matches(form_accept, mime)


def _matches(accept: str, mime: str) -> bool:
    suffix = SUFFIXES.get(mime, "")
    for entry in (e.strip().lower() for e in accept.split(",")):
        if not entry:
            continue
        if entry.startswith("."):
            if entry[1:] == suffix or (entry == ".jpeg" and suffix == "jpg"):
                return True
        elif entry.endswith("/*"):
            if mime.startswith(entry[:-1]):
                return True
        elif entry == mime:
            return True
    return False


def accept_attribute(question: Question) -> str:
    """The ``accept`` attribute of the question's file input (what a browser offers)."""
    return question.parameters.get("accept", "") or QUESTION_ACCEPTS.get(
        question.type, ""
    )


@dataclass(frozen=True, slots=True)
class UploadLimits:
    """Where uploads go and how much they may take (from the settings).

    Attributes
    ----------
    data_dir
        The data folder; uploads go in its ``uploads/`` folder.
    max_bytes
        Largest file accepted (``SOCIAPARIS_UPLOAD_MAX_BYTES``).
    quota_bytes
        Most bytes all uploads may take (0: no quota).
    min_free_bytes
        Free space an upload must leave on the disk.
    """

    data_dir: Path
    max_bytes: int = 10_000_000
    quota_bytes: int = 0
    min_free_bytes: int = 500_000_000

    @classmethod
    def from_settings(cls, settings: Any) -> UploadLimits:
        """The limits of a :class:`~sociaparis.core.config.Settings`."""
        return cls(
            Path(settings.data_dir),
            settings.upload_max_bytes,
            settings.upload_quota_bytes,
            settings.upload_min_free_bytes,
        )

    @property
    def root(self) -> Path:
        """The uploads folder."""
        return self.data_dir / UPLOADS_FOLDER


class SentFile(Protocol):
    """What a page submission sends for a file field (a Starlette ``UploadFile``)."""

    filename: str | None
    file: Any


class Refused(Exception):
    """An upload refused for the respondent: the message key and its values."""

    def __init__(self, key: str, **context: Any) -> None:
        super().__init__(key)
        self.key = key
        self.context = context


def response_folder(limits: UploadLimits, response_id: str) -> Path:
    """The folder of one response's files (its id is random and opaque)."""
    if not response_id or not all(c.isalnum() or c in "-_" for c in response_id):
        raise ValueError(f"not a response id: {response_id!r}")
    return limits.root / response_id


def stored_path(limits: UploadLimits, response_id: str, name: str) -> Path | None:
    """The path of the stored file ``name`` of a response, None if there is none.

    ``name`` comes from the respondent's page or an answer: only a name of
    :data:`STORED_FILE_NAME`'s form that exists in the response's folder is one.
    """
    if not STORED_FILE_NAME.fullmatch(name):
        return None
    path = response_folder(limits, response_id) / name
    return path if path.is_file() else None


def size_text(size: int) -> str:
    """A number of bytes as people read it: ``10 MB``, ``2.5 MB``, ``500 kB``.

    >>> size_text(10_000_000), size_text(2_500_000), size_text(2_000)
    ('10 MB', '2.5 MB', '2 kB')
    """
    if size >= 1_000_000:
        return f"{size / 1_000_000:.3g} MB"
    return f"{max(size, 1) / 1_000:.3g} kB"


def _read(sent: SentFile, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of the file sent (enough to know it is over)."""
    handle = sent.file
    handle.seek(0)
    return handle.read(limit + 1)


def _clean_image(data: bytes, mime: str, max_pixels: int | None) -> bytes:
    """The image decoded, upright, downscaled, encoded again without metadata."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[_IMAGE_FORMATS[mime]]) as image:
                pixels = image.width * image.height
                if pixels > MAX_IMAGE_PIXELS:
                    raise Refused("upload_pixels", limit=_PIXEL_LIMIT)
                if max_pixels and mime == "image/jpeg":
                    image.draft("RGB", (max_pixels, max_pixels))  # decode smaller
                image.seek(0)  # an animated image keeps its first frame
                image.load()
                upright = ImageOps.exif_transpose(image) or image
                if max_pixels and max(upright.size) > max_pixels:
                    upright.thumbnail((max_pixels, max_pixels), Image.Resampling.LANCZOS)
                return _encode(upright, mime)
        except Refused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise Refused("upload_pixels", limit=_PIXEL_LIMIT) from None
        except (
            UnidentifiedImageError,
            OSError,
            ValueError,
            SyntaxError,  # Pillow's PNG reader raises it on a broken chunk
            EOFError,
        ) as exc:
            logger.info("an uploaded image was refused: %s", exc)
            raise Refused("upload_unreadable") from None


def _encode(image: Any, mime: str) -> bytes:
    """``image`` in its format with nothing but its pixels (no EXIF, ICC, text)."""
    from PIL import Image

    mode = image.mode
    if mime == "image/jpeg" and mode not in {"RGB", "L"}:
        image, mode = image.convert("RGB"), "RGB"
    bare = Image.new(mode, image.size)
    bare.paste(image)
    if mode == "P":
        bare.putpalette(image.getpalette() or [])
        if "transparency" in image.info and isinstance(image.info["transparency"], int):
            bare.info["transparency"] = image.info["transparency"]
    out = io.BytesIO()
    lossy = mime in {"image/jpeg", "image/webp"}
    options: dict[str, Any] = {"quality": 90} if lossy else {}
    bare.save(out, format=_IMAGE_FORMATS[mime], **options)
    return out.getvalue()


def _used_bytes(root: Path) -> int:
    total = 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            try:
                total += os.stat(os.path.join(folder, name)).st_size
            except OSError:
                continue
    return total


def _check_room(limits: UploadLimits, size: int, form_id: str) -> None:
    """Refuse an upload the disk (``FIELD_020``) or quota (``FIELD_021``) cannot take."""
    root = private_folder(limits.root)
    free = shutil.disk_usage(root).free
    if free - size < limits.min_free_bytes:
        raise SociaparisError(
            FieldingError.UPLOAD_DISK_FULL,
            size=size,
            form_id=form_id,
            folder=root,
            free=free,
            reserve=limits.min_free_bytes,
        )
    if limits.quota_bytes:
        used = _used_bytes(root)
        if used + size > limits.quota_bytes:
            raise SociaparisError(
                FieldingError.UPLOAD_QUOTA,
                size=size,
                form_id=form_id,
                folder=root,
                used=used,
                quota=limits.quota_bytes,
            )


def store_file(
    limits: UploadLimits,
    *,
    question: Question,
    response_id: str,
    form_id: str,
    data: bytes,
    sent_name: str = "",
    dated: date | None = None,
) -> str:
    """Check and store one upload; return the name stored (the answer).

    Parameters
    ----------
    limits
        Storage and limits.
    question
        The file question it answers (its type, ``accept``, ``max-pixels``).
    response_id, form_id
        The response it belongs to; the form (named in a refusal's log).
    data
        The content sent, at most ``limits.max_bytes + 1`` bytes.
    sent_name
        The name the browser sent: only its suffix is looked at, to tell office
        documents apart; it is never stored nor used in a path.
    dated
        For an anonymous response, its date: the file's times are set to
        midnight UTC of that day.

    Raises
    ------
    Refused
        The file is over the size, of a type not taken, or not a readable image.
    SociaparisError
        ``FIELD_020``/``FIELD_021``: the disk or the quota is full.
    """
    if len(data) > limits.max_bytes:
        raise Refused("upload_size", limit=size_text(limits.max_bytes))
    suffix = Path(sent_name).suffix.lower().lstrip(".")
    mime = sniff(data, suffix)
    if mime is None or not accepts(question, mime):
        raise Refused("upload_type", expected=_expected(question))
    if mime in _IMAGE_FORMATS:
        wanted = question.parameters.get("max-pixels", "")
        data = _clean_image(data, mime, int(wanted) if wanted.isdigit() else None)
    _check_room(limits, len(data), form_id)
    folder = private_folder(response_folder(limits, response_id))
    name = f"{secrets.token_hex(16)}.{SUFFIXES[mime]}"
    path = folder / name
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
    except OSError:
        path.unlink(missing_ok=True)
        raise
    if dated is not None:
        midnight = datetime.combine(dated, time(0), UTC).timestamp()
        os.utime(path, (midnight, midnight))
        os.utime(folder, (midnight, midnight))
    return name


def _expected(question: Question) -> str:
    accept = question.parameters.get("accept", "") or QUESTION_ACCEPTS[question.type]
    return accept.replace(",", ", ") if accept else question.type


@dataclass(frozen=True, slots=True)
class PageFiles:
    """What the file fields of a page submission gave.

    Attributes
    ----------
    fields
        Field name to the stored file's name (``''``: no file), to be read
        with the page's other fields.
    errors
        Uploads refused, as field errors in the page's language.
    """

    fields: dict[str, list[str]]
    errors: tuple[FieldError, ...] = ()


def _file_questions(
    instrument: Instrument, page: Page, instances: int
) -> Iterator[tuple[Question, int | None]]:
    questions = [
        q
        for name in page.questions
        if isinstance(q := instrument.item(name), Question) and q.type in FILE_TYPES
    ]
    if page.kind != "repeat":
        for question in questions:
            yield question, None
        return
    for number in range(1, instances + 1):
        for question in questions:
            yield question, number


def receive_page_files(
    limits: UploadLimits,
    *,
    instrument: Instrument,
    page: Page,
    response_id: str,
    form_id: str,
    sent: Mapping[str, Any],
    kept: Mapping[str, str],
    removed: Iterable[str] = (),
    instances: int = 0,
    lang: str | None = None,
    dated: date | None = None,
) -> PageFiles:
    """Store the files a page sent and say what each file question's answer is.

    A file question's answer is, in this order: the file just sent (stored), or
    none if the respondent asked to remove it, or the file the page showed as
    already given (``kept``: checked to be a file of this response, of a type
    the question takes), or none.
    Text sent under a file question's name is never read.

    Parameters
    ----------
    limits
        Storage and limits (:meth:`UploadLimits.from_settings`).
    instrument, page, instances
        The page that was shown (and, for a repeat, how many instances).
    response_id, form_id, dated
        The response (``dated``: its date if it is anonymous, see :func:`store_file`).
    sent
        Field name to what was sent under it (a :class:`SentFile` for a file).
    kept
        Field name to the stored name the page showed (its hidden field).
    removed
        Field names whose "remove this file" box was ticked.
    lang
        Language of the refusals' messages.

    Raises
    ------
    SociaparisError
        ``FIELD_020``/``FIELD_021`` (disk or quota full); the respondent is
        then shown the ``upload_full`` message.
    """
    removed = set(removed)
    fields: dict[str, list[str]] = {}
    errors: list[FieldError] = []
    for count, (question, instance) in enumerate(
        _file_questions(instrument, page, min(instances, 200))
    ):
        key = field_name(question.name, instance)
        value = sent.get(key)
        if count < MAX_FILES_PER_PAGE and _is_file(value):
            data = _read(value, limits.max_bytes)
            if data:
                try:
                    fields[key] = [
                        store_file(
                            limits,
                            question=question,
                            response_id=response_id,
                            form_id=form_id,
                            data=data,
                            sent_name=str(value.filename or ""),
                            dated=dated,
                        )
                    ]
                except Refused as refusal:
                    message = default_message(refusal.key, lang, **refusal.context)
                    errors.append(FieldError(question.name, "type", message, instance))
                except SociaparisError as error:
                    logger.error("%s", error)
                    message = default_message("upload_full", lang)
                    errors.append(FieldError(question.name, "type", message, instance))
                continue
        if key in removed:
            fields[key] = [""]
            continue
        previous = kept.get(key, "")
        usable = stored_path(limits, response_id, previous) is not None and any(
            accepts(question, mime)
            for mime, suffix in SUFFIXES.items()
            if previous.endswith(f".{suffix}")
        )
        fields[key] = [previous if usable else ""]
    return PageFiles(fields, tuple(errors))


def _is_file(value: Any) -> bool:
    return value is not None and hasattr(value, "file") and hasattr(value, "filename")


def answer_files(instrument: Instrument, answers: Mapping[str, Any]) -> set[str]:
    """The stored names the file questions of ``answers`` hold (repeats included)."""
    names: set[str] = set()
    for question in instrument.questions:
        if question.type not in FILE_TYPES:
            continue
        if question.repeat is None:
            values = [answers.get(question.name)]
        else:
            values = [
                row.get(question.name)
                for row in _rows(answers, instrument, question.repeat)
            ]
        names.update(v for v in values if isinstance(v, str) and v)
    return names


def _rows(
    answers: Mapping[str, Any], instrument: Instrument, repeat: str
) -> list[Mapping[str, Any]]:
    """Every instance of ``repeat``, inside every instance of the repeats around it."""
    outer = [g.name for g in instrument.ancestors(repeat) if g.kind == "repeat"]
    rows: list[Mapping[str, Any]] = [answers]
    for name in [*reversed(outer), repeat]:
        rows = [
            row
            for parent in rows
            if isinstance(instances := parent.get(name), list)
            for row in instances
            if isinstance(row, Mapping)
        ]
    return rows


def sweep_response(
    limits: UploadLimits,
    *,
    instrument: Instrument,
    response_id: str,
    answers: Mapping[str, Any],
    dated: date | None = None,
) -> int:
    """Remove the response's files its saved ``answers`` no longer name; how many.

    Run after a page is saved: a replaced or removed file, and one stored on a
    refused page that was then left, go. ``dated`` (an anonymous response's
    date) sets the folder's time back to midnight UTC of that day.
    """
    folder = response_folder(limits, response_id)
    if not folder.is_dir():
        return 0
    named = answer_files(instrument, answers)
    removed = 0
    for path in folder.iterdir():
        if path.name not in named and path.is_file():
            path.unlink(missing_ok=True)
            removed += 1
    if removed and dated is not None:
        midnight = datetime.combine(dated, time(0), UTC).timestamp()
        os.utime(folder, (midnight, midnight))
    return removed


def delete_response_files(limits: UploadLimits, response_id: str) -> int:
    """Remove every file of a response and its folder; how many files."""
    folder = response_folder(limits, response_id)
    if not folder.is_dir():
        return 0
    count = sum(1 for path in folder.iterdir() if path.is_file())
    shutil.rmtree(folder)
    return count
