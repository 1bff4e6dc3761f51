"""The shared zip checks, and the spreadsheet reader that uses them."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook

from sociaparis.core.archives import ArchiveLimits, check_archive
from sociaparis.core.errors import CoreError, SociaparisError
from sociaparis.core.spreadsheets import read_excel
from tests.conftest import BOMB_BYTES


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _workbook() -> bytes:
    book = Workbook()
    book.active.append(["cas", "direction"])
    book.active.append(["Agent A", "DSIN"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


PAD = b"x" * 5000


@pytest.mark.parametrize(
    ("archive", "limits", "error", "context"),
    [
        (b"not a zip", ArchiveLimits(), CoreError.ARCHIVE_UNREADABLE, {}),
        (
            _zip({f"e{i}": b"" for i in range(11)}),
            ArchiveLimits(max_entries=10),
            CoreError.ARCHIVE_TOO_MANY,
            {"count": 11, "limit": 10},
        ),
        (_zip({"../x": b"x"}), ArchiveLimits(), CoreError.ARCHIVE_UNSAFE_NAME, {}),
        (_zip({"/etc/x": b"x"}), ArchiveLimits(), CoreError.ARCHIVE_UNSAFE_NAME, {}),
        (_zip({"C:/x": b"x"}), ArchiveLimits(), CoreError.ARCHIVE_UNSAFE_NAME, {}),
        (
            _zip({"a": PAD}),
            ArchiveLimits(max_entry_bytes=4096),
            CoreError.ARCHIVE_TOO_LARGE,
            {"name": "a", "limit": 4096},
        ),
        (
            _zip({"a": PAD, "b": PAD}),
            ArchiveLimits(max_total_bytes=8000),
            CoreError.ARCHIVE_TOO_LARGE,
            {"name": "b", "limit": 8000},
        ),
        (
            _zip({"a": PAD}),
            ArchiveLimits(max_ratio=2, ratio_floor_bytes=0),
            CoreError.ARCHIVE_RATIO,
            {"name": "a", "limit": 2},
        ),
    ],
)
def test_check_archive_refuses(
    archive: bytes, limits: ArchiveLimits, error: CoreError, context: dict
) -> None:
    with pytest.raises(SociaparisError) as caught:
        check_archive(archive, path="f.zip", format="ZIP", limits=limits)
    assert caught.value.error is error
    assert context.items() <= caught.value.context.items()


def test_a_bomb_is_refused_before_it_is_inflated(
    zip_bomb: Callable[..., bytes],
) -> None:
    bomb = zip_bomb(_workbook())
    assert len(bomb) < BOMB_BYTES / 500
    with pytest.raises(SociaparisError) as caught:
        check_archive(bomb, path="bomb.xlsx", format="XLSX")
    assert caught.value.error is CoreError.ARCHIVE_RATIO
    assert caught.value.context["name"] == "xl/worksheets/sheet9.xml"
    check_archive(_workbook(), path="ok.xlsx", format="XLSX")


def test_read_excel_checks_the_zip_first(
    tmp_path: Path, zip_bomb: Callable[..., bytes]
) -> None:
    good = tmp_path / "table.xlsx"
    good.write_bytes(_workbook())
    assert read_excel(good).to_dict("records") == [
        {"cas": "Agent A", "direction": "DSIN"}
    ]
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(zip_bomb(_workbook()))
    with pytest.raises(SociaparisError) as caught:
        read_excel(bomb)
    assert caught.value.error is CoreError.ARCHIVE_RATIO
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 but not a workbook")
    with pytest.raises(SociaparisError) as caught:
        read_excel(broken)
    assert caught.value.error is CoreError.ARCHIVE_UNREADABLE
