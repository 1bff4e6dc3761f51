"""Checked reading of zip archives (XLSX, DOCX, ODT, REFI-QDA ``.qdpx``).

Every zip the project reads goes through :class:`SafeZip` before anything is
inflated: the number of entries, each entry's declared size and compression
ratio, the total unzipped size and the entry names (no absolute path, drive
letter or ``..``) are checked against :class:`ArchiveLimits`, and reading an
entry is capped again while inflating, so a forged header cannot get past the
limits.  A refusal is a :class:`~sociaparis.core.errors.SociaparisError` with a
``CORE_01x`` code.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from sociaparis.core.errors import CoreError, SociaparisError

ZipSource = str | Path | bytes | IO[bytes]

_MIB = 1024 * 1024
# What zipfile raises on a damaged or unusual archive: BadZipFile and ValueError
# for a broken directory, EOFError for a truncated entry, NotImplementedError for
# a compression method it cannot read.
_OPEN_ERRORS = (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError)


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """Limits on what a zip archive may unpack to.

    The defaults accept any real project file (a thousand one-hour transcripts
    is about 100 MB of text; a 100,000-row workbook a few hundred MB of sheet
    XML) and refuse zip bombs, whose entries compress thousands to one.
    """

    max_entries: int = 100_000
    max_entry_bytes: int = 512 * _MIB
    max_total_bytes: int = 2 * 1024 * _MIB
    max_ratio: float = 200.0
    #: entries smaller than this skip the ratio test (tiny parts compress oddly)
    ratio_floor_bytes: int = _MIB


class SafeZip:
    """Read-only access to the entries of a zip, after the :class:`ArchiveLimits` checks.

    Opening reads only the central directory and refuses too many entries and
    unsafe names (``CORE_011``, ``CORE_012``); :meth:`check_all` checks every
    entry's declared size and ratio (``CORE_013``, ``CORE_014``); :meth:`read`
    inflates one entry with the same checks and a cap on the bytes it produces.

    Parameters
    ----------
    source
        A path, the archive's bytes or a binary file object.
    limits
        The limits to apply.
    path
        The file's name, for messages.
    format
        What the file is (``XLSX``, ``DOCX``, ``REFI-QDA``…), for messages.
    """

    def __init__(
        self, source: ZipSource, limits: ArchiveLimits, *, path: str, format: str
    ) -> None:
        self.path = path
        self.format = format
        self.limits = limits
        self.total = 0
        try:
            if isinstance(source, bytes):
                source = io.BytesIO(source)
            self.zip = zipfile.ZipFile(source)
            infos = self.zip.infolist()
        except _OPEN_ERRORS as exc:
            raise self._error(CoreError.ARCHIVE_UNREADABLE, reason=str(exc)) from None
        self.infos = infos
        self.members: dict[str, zipfile.ZipInfo] = {}
        try:
            self._check_names()
        except SociaparisError:
            self.zip.close()
            raise

    def _check_names(self) -> None:
        """Refuse too many entries (``CORE_011``) and unsafe names (``CORE_012``)."""
        if len(self.infos) > self.limits.max_entries:
            raise self._error(
                CoreError.ARCHIVE_TOO_MANY,
                count=len(self.infos),
                limit=self.limits.max_entries,
            )
        for info in self.infos:
            name = info.filename
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if (
                name.startswith(("/", "\\"))
                or ".." in parts
                or (parts and ":" in parts[0])
            ):
                raise self._error(CoreError.ARCHIVE_UNSAFE_NAME, name=name)
            if not info.is_dir():
                self.members[name.replace("\\", "/").lower()] = info

    def _error(self, error: CoreError, **context: object) -> SociaparisError:
        return SociaparisError(error, path=self.path, format=self.format, **context)

    def close(self) -> None:
        """Close the archive."""
        self.zip.close()

    def check_all(self) -> None:
        """Check every entry's declared size and ratio, and their total."""
        total = 0
        for info in self.infos:
            self.check_entry(info)
            total += info.file_size
            if total > self.limits.max_total_bytes:
                raise self._error(
                    CoreError.ARCHIVE_TOO_LARGE,
                    name=info.filename,
                    limit=self.limits.max_total_bytes,
                )

    def check_entry(self, info: zipfile.ZipInfo) -> None:
        """Refuse an entry whose declared size or compression ratio is over the limits."""
        limits = self.limits
        if info.file_size > limits.max_entry_bytes:
            raise self._error(
                CoreError.ARCHIVE_TOO_LARGE,
                name=info.filename,
                limit=limits.max_entry_bytes,
            )
        if info.file_size > limits.ratio_floor_bytes:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise self._error(
                    CoreError.ARCHIVE_RATIO,
                    name=info.filename,
                    ratio=ratio,
                    limit=limits.max_ratio,
                )

    def find(self, name: str) -> zipfile.ZipInfo | None:
        """The entry called ``name`` (case and ``\\`` vs ``/`` ignored), if any."""
        return self.members.get(name.replace("\\", "/").lower())

    def read(self, info: zipfile.ZipInfo) -> bytes:
        """Inflate one entry, refusing it once it outgrows the limits."""
        limits = self.limits
        name = info.filename
        self.check_entry(info)
        cap = min(limits.max_entry_bytes, limits.max_total_bytes - self.total)
        chunks: list[bytes] = []
        size = 0
        try:
            with self.zip.open(info) as handle:
                while chunk := handle.read(_MIB):
                    size += len(chunk)
                    if size > cap:  # the header lied about the size
                        raise self._error(
                            CoreError.ARCHIVE_TOO_LARGE, name=name, limit=cap
                        )
                    chunks.append(chunk)
        except (*_OPEN_ERRORS, RuntimeError) as exc:
            raise self._error(
                CoreError.ARCHIVE_UNREADABLE, reason=f"{name}: {exc}"
            ) from None
        self.total += size
        return b"".join(chunks)


def check_archive(
    source: ZipSource,
    *,
    path: str,
    format: str,
    limits: ArchiveLimits | None = None,
) -> None:
    """Refuse a zip whose entries are too many, unsafe or would unpack too large.

    Call it before handing a zip-based file (XLSX, DOCX…) to a library that
    inflates it on its own (openpyxl, pyxform, pandas).

    Raises
    ------
    SociaparisError
        ``CORE_010`` (not a zip), ``CORE_011`` (too many entries), ``CORE_012``
        (unsafe entry name), ``CORE_013`` (too large unzipped) or ``CORE_014``
        (compression ratio of a zip bomb).
    """
    archive = SafeZip(source, limits or ArchiveLimits(), path=path, format=format)
    try:
        archive.check_all()
    finally:
        archive.close()
