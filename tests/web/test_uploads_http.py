"""File questions over real HTTP, on both databases: multipart pages, hostile files.

Every file goes through the real respondent page as a browser sends it
(``multipart/form-data``), and what is stored is read back from the data folder.
"""

from __future__ import annotations

import io
import os
import re
import stat
import struct
import zlib
from datetime import UTC, datetime, time
from pathlib import Path

import httpx
import pytest
from PIL import Image
from sqlalchemy import select

from sociaparis.accounts.service import LOCAL_ADMIN
from sociaparis.core.config import Settings
from sociaparis.core.db import transaction
from sociaparis.survey.checks import STORED_FILE_NAME, default_message
from sociaparis.survey.fielding.service import create_invitations
from sociaparis.survey.fielding.uploads import MAX_IMAGE_PIXELS
from sociaparis.survey.models import ResponseRecord
from tests.conftest import HTTP_TIMEOUT, serve
from tests.factories import field_form

UPLOADS_FORM = """
| survey |
| | type | name | label | parameters | body::accept | required | appearance |
| | begin group | media | Vos fichiers | | | | field-list |
| | image | photo | Une photo du poste | max-pixels=100 | | yes | |
| | file | report | Le rapport | | .pdf | | |
| | end group | | | | | | |
| | text | comment | Un commentaire | | | | |
| settings |
| | form_id | title | default_language |
| | uploads_test | Fichiers | Français (fr) |
"""


def jpeg_with_gps(width: int = 400, height: int = 200) -> bytes:
    """A JPEG whose EXIF names a camera and holds a GPS position (Paris)."""
    exif = Image.Exif()
    exif[0x0110] = "SecretCam 3000"  # model
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (48.0, 51.0, 24.0)
    gps[3], gps[4] = "E", (2.0, 21.0, 3.0)
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(
        out, "JPEG", exif=exif.tobytes()
    )
    return out.getvalue()


def png_bomb(side: int = 30_000) -> bytes:
    """A small PNG that claims ``side`` x ``side`` pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def served(tmp_path: Path, database_url: str):
    """Start the app with upload settings changed by keywords; stop them after."""
    started = []

    def start(**changes: object):
        settings = Settings(
            data_dir=tmp_path / "data",
            database_url=database_url,
            secret_key="test-secret-key-0123456789",
            upload_min_free_bytes=0,
        ).model_copy(update=changes)
        server = serve(settings)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
        server.app.state.engine.dispose()


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html).group(1)


class Respondent:
    """One respondent's browser on the uploads form."""

    def __init__(self, server, *, anonymous: bool = True) -> None:
        with transaction(server.app.state.engine) as session:
            form_id = field_form(
                session, UPLOADS_FORM, anonymous=anonymous, attributes=()
            )
            [created] = create_invitations(
                session=session, form_id=form_id, attributes=[{}]
            )
        self.server = server
        self.data_dir = server.app.state.settings.data_dir
        self.http = httpx.Client(base_url=server.url, timeout=HTTP_TIMEOUT)
        notice = self.http.get(f"/i/{created.token}")
        started = self.http.post(
            f"/i/{created.token}",
            data={"csrf_token": _hidden(notice.text, "csrf_token")},
            follow_redirects=False,
        )
        self.url = started.headers["location"]
        self.html = self.http.get(self.url).text

    def send(self, files: dict, data: dict | None = None, action: str = "next"):
        """Submit the page shown, as multipart, and keep the page that follows."""
        fields = {
            "_csrf": _hidden(self.html, "_csrf"),
            "_revision": _hidden(self.html, "_revision"),
            "_action": action,
            **(data or {}),
        }
        for name in re.findall(r'name="(_file:[^"]+)"', self.html):
            fields.setdefault(name, _hidden(self.html, name))
        sent = self.http.post(
            self.url,
            data=fields,
            files=files or {"_none": ("", b"")},
            follow_redirects=False,
        )
        if sent.status_code == 303:
            self.url = sent.headers["location"]
            self.html = self.http.get(self.url).text
        else:
            self.html = sent.text
        return sent

    def response(self) -> ResponseRecord:
        with transaction(self.server.app.state.engine) as session:
            return session.scalars(select(ResponseRecord)).one()

    def folder(self) -> Path:
        return self.data_dir / "uploads" / self.response().id

    def close(self) -> None:
        self.http.close()


def test_a_photo_is_stored_small_private_and_without_its_gps(served) -> None:
    respondent = Respondent(served())
    page = respondent.html
    assert 'enctype="multipart/form-data"' in page
    assert re.search(r'<input type="file" id="q-photo" name="photo" accept="image/', page)
    photo = ("IMG_0042 Paris.jpg", jpeg_with_gps(), "image/jpeg")
    sent = respondent.send({"photo": photo})
    assert sent.status_code == 303, sent.text
    answers = respondent.response().answers
    assert STORED_FILE_NAME.fullmatch(answers["photo"])
    assert answers["photo"].endswith(".jpg") and "IMG" not in answers["photo"]
    path = respondent.folder() / answers["photo"]
    stored = path.read_bytes()
    image = Image.open(io.BytesIO(stored))
    assert image.size == (100, 50)  # max-pixels: the longest side, ratio kept
    assert dict(image.getexif()) == {}
    assert b"SecretCam" not in stored and b"GPS" not in stored
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700
    # Anonymous: the file is dated like the row, midnight UTC of the day.
    midnight = datetime.combine(datetime.now(UTC).date(), time(0), UTC)
    assert path.stat().st_mtime == midnight.timestamp()
    assert path.parent.stat().st_mtime == midnight.timestamp()
    respondent.close()


@pytest.mark.parametrize(
    ("field", "content", "message"),
    [
        # text named .jpg: the content decides, not the name or the type sent
        ("photo", b"<script>alert(1)</script>", ("upload_type",)),
        ("photo", PDF, ("upload_type",)),
        ("photo", png_bomb(), ("upload_pixels",)),
        ("photo", jpeg_with_gps()[:300], ("upload_unreadable",)),
        # a Windows executable for a file question that takes .pdf
        ("report", b"MZ\x90\x00\x03" + b"\x00" * 200, ("upload_type",)),
        ("report", jpeg_with_gps(), ("upload_type",)),
    ],
)
def test_a_hostile_file_is_refused_with_its_reason(
    served, field, content, message
) -> None:
    respondent = Respondent(served())
    data = {}
    files = {field: ("holiday.jpg", content, "image/jpeg")}
    if field == "report":
        files["photo"] = ("p.jpg", jpeg_with_gps(), "image/jpeg")
    sent = respondent.send(files, data)
    assert sent.status_code == 422
    key = message[0]
    context = {
        "upload_type": {
            "expected": ".pdf"
            if field == "report"
            else "image/jpeg, image/png, image/gif, image/webp"
        },
        "upload_pixels": {"limit": f"{MAX_IMAGE_PIXELS / 1e6:.0f}"},
        "upload_unreadable": {},
    }[key]
    expected = default_message(key, "fr", **context)
    assert expected.replace("'", "&#39;") in sent.text
    assert respondent.response().answers == {}
    # The refused file was never written.
    folder = respondent.folder()
    kept = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    assert len(kept) == (1 if field == "report" else 0)
    respondent.close()


def test_a_file_over_the_size_limit_is_refused(served) -> None:
    respondent = Respondent(served(upload_max_bytes=2_000))
    sent = respondent.send({"photo": ("p.jpg", jpeg_with_gps(), "image/jpeg")})
    assert sent.status_code == 422
    expected = default_message("upload_size", "fr", limit="2 kB")
    assert expected in sent.text
    assert "Taille maximale d&#39;un fichier : 2 kB." in sent.text
    assert not respondent.folder().exists()
    respondent.close()


def test_a_full_disk_refuses_the_file_with_a_message_and_a_log(served, caplog) -> None:
    respondent = Respondent(served(upload_min_free_bytes=10**18))
    sent = respondent.send({"photo": ("p.jpg", jpeg_with_gps(), "image/jpeg")})
    assert sent.status_code == 422
    assert default_message("upload_full", "fr").replace("'", "&#39;") in sent.text
    assert "FIELD_020" in caplog.text
    folder = respondent.folder()
    assert not folder.exists() or not any(folder.iterdir())
    respondent.close()


def test_a_quota_refuses_the_file(served, caplog) -> None:
    respondent = Respondent(served(upload_quota_bytes=100))
    sent = respondent.send({"photo": ("p.jpg", jpeg_with_gps(), "image/jpeg")})
    assert sent.status_code == 422
    assert "FIELD_021" in caplog.text
    respondent.close()


def test_a_file_kept_through_a_refused_page_then_replaced_and_removed(served) -> None:
    respondent = Respondent(served())
    # The photo is fine, the report is not: the page comes back naming the
    # stored photo, which the next submit keeps without sending it again.
    sent = respondent.send(
        {
            "photo": ("p.jpg", jpeg_with_gps(), "image/jpeg"),
            "report": ("r.pdf", b"not a pdf\x00", "application/pdf"),
        }
    )
    assert sent.status_code == 422
    first = _hidden(respondent.html, "_file:photo")
    assert STORED_FILE_NAME.fullmatch(first)
    assert 'aria-describedby="q-photo-current"' in respondent.html
    sent = respondent.send({"report": ("r.pdf", PDF, "application/pdf")})
    assert sent.status_code == 303
    answers = respondent.response().answers
    assert answers["photo"] == first and answers["report"].endswith(".pdf")
    assert sorted(p.name for p in respondent.folder().iterdir()) == sorted(
        [first, answers["report"]]
    )
    # Back to the page: a new photo replaces the first, whose file goes.
    assert respondent.send({}, action="back").status_code == 303
    sent = respondent.send({"photo": ("q.png", _png(), "image/png")})
    assert sent.status_code == 303
    answers = respondent.response().answers
    assert answers["photo"].endswith(".png") and answers["photo"] != first
    assert not (respondent.folder() / first).exists()
    # Removing the report empties its answer and deletes its file.
    report = answers["report"]
    assert respondent.send({}, action="back").status_code == 303
    assert respondent.send({}, {"_remove:report": "1"}).status_code == 303
    answers = respondent.response().answers
    assert answers["report"] == ""
    midnight = datetime.combine(datetime.now(UTC).date(), time(0), UTC)
    assert respondent.folder().stat().st_mtime == midnight.timestamp()
    assert [p.name for p in respondent.folder().iterdir()] == [answers["photo"]]
    assert report not in str(list(respondent.folder().iterdir()))
    respondent.close()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (60, 300), (0, 0, 255, 128)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    "forged",
    ["../../sociaparis.db", "0" * 32 + ".jpg", "secret_key", "PHOTO-AS-REPORT"],
)
def test_a_forged_file_name_is_never_believed(served, forged) -> None:
    """A name the response does not hold (another response's, a path) is no answer."""
    respondent = Respondent(served())
    if forged == "PHOTO-AS-REPORT":
        # A file of this response, but an image, named as the report (.pdf only).
        sent = respondent.send(
            {
                "photo": ("p.jpg", jpeg_with_gps(), "image/jpeg"),
                "report": ("r.pdf", b"not a pdf\x00", "application/pdf"),
            }
        )
        assert sent.status_code == 422
        photo = _hidden(respondent.html, "_file:photo")
        sent = respondent.send({}, {"_file:report": photo})
        assert sent.status_code == 303
        assert respondent.response().answers == {"photo": photo, "report": ""}
        respondent.close()
        return
    sent = respondent.send({}, {"_file:photo": forged, "photo": forged})
    assert sent.status_code == 422  # the photo is required: nothing was given
    assert respondent.response().answers == {}
    respondent.close()


def test_a_page_without_files_is_still_sent_urlencoded(served) -> None:
    respondent = Respondent(served())
    respondent.send({"photo": ("p.jpg", jpeg_with_gps(), "image/jpeg")})
    assert "multipart" not in respondent.html  # the comment page
    sent = respondent.http.post(
        respondent.url,
        data={
            "_csrf": _hidden(respondent.html, "_csrf"),
            "_revision": _hidden(respondent.html, "_revision"),
            "comment": "ok",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert respondent.response().status == "completed"
    respondent.close()


def test_an_oversized_multipart_body_is_refused_while_it_is_read(served) -> None:
    """Sent in chunks, without a Content-Length: counted as it comes (413)."""
    respondent = Respondent(served(upload_max_bytes=1_000))
    boundary = b"zzz"
    head = (
        b'--zzz\r\nContent-Disposition: form-data; name="photo"; '
        b'filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
    )

    def body():
        yield head
        for _ in range(30):  # 3 MB, over 2 MB of fields + 20 files of 1 kB
            yield b"\xff" * 100_000
        yield b"\r\n--" + boundary + b"--\r\n"

    sent = respondent.http.post(
        respondent.url,
        content=body(),
        headers={"content-type": "multipart/form-data; boundary=zzz"},
    )
    assert sent.status_code == 413
    assert not respondent.folder().exists()
    respondent.close()


def test_a_named_response_keeps_the_file_time(served) -> None:
    respondent = Respondent(served(), anonymous=False)
    respondent.send({"photo": ("p.jpg", jpeg_with_gps(), "image/jpeg")})
    path = respondent.folder() / respondent.response().answers["photo"]
    assert abs(path.stat().st_mtime - datetime.now(UTC).timestamp()) < 120
    assert os.access(path, os.R_OK)
    respondent.close()


def test_the_export_zip_holds_the_files_and_lists_them(served) -> None:
    import csv
    import json
    import zipfile

    from sociaparis.survey.exports import export_zip

    respondent = Respondent(served())
    respondent.send(
        {
            "photo": ("p.jpg", jpeg_with_gps(), "image/jpeg"),
            "report": ("r.pdf", PDF, "application/pdf"),
        }
    )
    assert respondent.send({}, {"comment": "fini"}).status_code == 303
    answers = respondent.response().answers
    stored = {
        name: (respondent.folder() / name).read_bytes()
        for name in answers.values()
        if STORED_FILE_NAME.fullmatch(str(name))
    }
    with transaction(respondent.server.app.state.engine) as session:
        name, data = export_zip(
            session=session,
            actor=LOCAL_ADMIN,
            form_id="uploads_test",
            fmt="csv",
            data_dir=respondent.data_dir,
        )
    archive = zipfile.ZipFile(io.BytesIO(data))
    media = sorted(n for n in archive.namelist() if n.startswith("media/"))
    assert media == sorted(f"media/{n}" for n in stored)
    for entry in media:
        assert archive.read(entry) == stored[entry.removeprefix("media/")]
    rows = list(
        csv.DictReader(io.StringIO(archive.read("uploads_test.csv").decode("utf-8-sig")))
    )
    assert rows[0]["media/photo"] == f"media/{answers['photo']}"
    assert rows[0]["media/report"] == f"media/{answers['report']}"
    package = json.loads(archive.read("datapackage.json"))
    listed = {
        r["path"]: r for r in package["resources"] if r["path"].startswith("media/")
    }
    assert set(listed) == set(media)
    assert listed[f"media/{answers['report']}"]["mediatype"] == "application/pdf"
    assert listed[f"media/{answers['photo']}"]["bytes"] == len(stored[answers["photo"]])
    respondent.close()


def test_deleting_a_response_deletes_its_files(served, monkeypatch) -> None:
    """``sociaparis response delete`` on the study the server fields."""
    from click.testing import CliRunner

    from sociaparis.cli import cli
    from sociaparis.core.config import get_settings

    respondent = Respondent(served())
    respondent.send({"photo": ("p.jpg", jpeg_with_gps(), "image/jpeg")})
    response_id = respondent.response().id
    folder = respondent.folder()
    assert len(list(folder.iterdir())) == 1
    settings = respondent.server.app.state.settings
    monkeypatch.setenv("SOCIAPARIS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SOCIAPARIS_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        result = runner.invoke(cli, ["response", "delete", response_id, "--yes"])
        assert result.exit_code == 0, result.output
        assert result.output == f"Deleted response {response_id} and 1 files.\n"
        assert not folder.exists()
        with transaction(respondent.server.app.state.engine) as session:
            assert session.scalars(select(ResponseRecord)).all() == []
        result = runner.invoke(cli, ["response", "delete", response_id, "--yes"])
        assert result.exit_code == 1
        assert f"FIELD_022: No response has the id '{response_id}'" in result.output
    finally:
        get_settings.cache_clear()
    respondent.close()


def test_a_sweep_removes_files_no_saved_answer_names(served, monkeypatch) -> None:
    """A file sent on a refused page then left, and a folder of no response."""
    from click.testing import CliRunner

    from sociaparis.cli import cli
    from sociaparis.core.config import get_settings

    respondent = Respondent(served())
    sent = respondent.send(
        {
            "photo": ("p.jpg", jpeg_with_gps(), "image/jpeg"),
            "report": ("r.pdf", b"not a pdf\x00", "application/pdf"),
        }
    )
    assert sent.status_code == 422  # the photo is stored, not saved: left so
    folder = respondent.folder()
    assert len(list(folder.iterdir())) == 1
    orphan = folder.parent / "no-such-response"
    orphan.mkdir(mode=0o700)
    (orphan / ("a" * 32 + ".pdf")).write_bytes(PDF)
    settings = respondent.server.app.state.settings
    monkeypatch.setenv("SOCIAPARIS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SOCIAPARIS_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["response", "sweep"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Removed 2 files and 1 folders of responses that no longer exist.\n"
    )
    assert not orphan.exists() and list(folder.iterdir()) == []
    respondent.close()
