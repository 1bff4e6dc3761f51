"""select_one_from_file and pulldata() fielded over real HTTP, on both databases."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select

from sociaparis.accounts.service import LOCAL_ADMIN
from sociaparis.core.db import transaction
from sociaparis.survey.fielding.service import create_invitations
from sociaparis.survey.models import ResponseRecord
from tests.conftest import HTTP_TIMEOUT
from tests.factories import field_form

FORM = """
| survey |
| | type | name | label | choice_filter | calculation |
| | select_one_from_file regions.csv | region | Votre région | | |
| | select_one_from_file cities.csv | city | Votre ville | region=${region} | |
| | calculate | city_label | | | pulldata('cities', 'label', 'name', ${city}) |
| | note | confirm | Vous avez choisi ${city_label}. | | |
| | text | comment | Un commentaire | | |
| settings |
| | form_id | default_language |
| | from_files_http | Français (fr) |
"""
MEDIA = {
    "regions.csv": b"name,label\nidf,Ile-de-France\nara,Auvergne-Rhone-Alpes\n",
    "cities.csv": (
        b"name,label,region\nparis,Paris,idf\nlyon,Lyon,ara\nversailles,Versailles,idf\n"
    ),
}


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def _offered(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="([^"]+)"', html)


def test_choices_from_a_file_filtered_and_pulldata_over_http(live_server_any) -> None:
    engine = live_server_any.app.state.engine
    with transaction(engine) as session:
        form_id = field_form(session, FORM, attributes=(), media=MEDIA)
        [created] = create_invitations(session=session, form_id=form_id, attributes=[{}])
    with httpx.Client(base_url=live_server_any.url, timeout=HTTP_TIMEOUT) as http:
        notice = http.get(f"/i/{created.token}")
        started = http.post(
            f"/i/{created.token}",
            data={"csrf_token": _hidden(notice.text, "csrf_token")},
            follow_redirects=False,
        )
        url = started.headers["location"]
        page = http.get(url).text
        assert _offered(page, "region") == ["idf", "ara"]
        assert "Ile-de-France" in page

        def send(fields: dict) -> str:
            nonlocal url
            sent = http.post(
                url,
                data={
                    "_csrf": _hidden(page, "_csrf"),
                    "_revision": _hidden(page, "_revision"),
                    **fields,
                },
                follow_redirects=False,
            )
            assert sent.status_code == 303, sent.text
            url = sent.headers["location"]
            return http.get(url).text

        page = send({"region": "idf"})
        assert _offered(page, "city") == ["paris", "versailles"]  # the filter
        page = send({"city": "paris"})
        assert "Vous avez choisi Paris." in page  # pulldata's value in the note
        page = send({})
        page = send({"comment": "ok"})
    with transaction(engine) as session:
        response = session.scalars(select(ResponseRecord)).one()
    assert response.status == "completed"
    assert response.answers == {"region": "idf", "city": "paris", "comment": "ok"}


def test_the_choices_from_a_file_are_labelled_in_every_export_format(
    live_server_any, tmp_path
) -> None:
    import io
    import zipfile

    import pyreadstat

    from sociaparis.survey.exports import export_zip

    engine = live_server_any.app.state.engine
    with transaction(engine) as session:
        form_id = field_form(session, FORM, attributes=(), media=MEDIA)
        [created] = create_invitations(session=session, form_id=form_id, attributes=[{}])
    with httpx.Client(base_url=live_server_any.url, timeout=HTTP_TIMEOUT) as http:
        notice = http.get(f"/i/{created.token}")
        url = http.post(
            f"/i/{created.token}",
            data={"csrf_token": _hidden(notice.text, "csrf_token")},
            follow_redirects=False,
        ).headers["location"]
        for fields in ({"region": "ara"}, {"city": "lyon"}, {}, {"comment": ""}):
            page = http.get(url).text
            sent = http.post(
                url,
                data={
                    "_csrf": _hidden(page, "_csrf"),
                    "_revision": _hidden(page, "_revision"),
                    **fields,
                },
                follow_redirects=False,
            )
            url = sent.headers["location"]
    for fmt in ("csv", "xlsx", "sav", "dta", "parquet"):
        with transaction(engine) as session:
            _name, data = export_zip(
                session=session, actor=LOCAL_ADMIN, form_id=form_id, fmt=fmt
            )
        archive = zipfile.ZipFile(io.BytesIO(data))
        assert f"{form_id}.{fmt}" in archive.namelist()
        if fmt == "sav":
            path = tmp_path / "export.sav"
            path.write_bytes(archive.read(f"{form_id}.sav"))
            frame, meta = pyreadstat.read_sav(str(path))
            # the file's rows are the value labels (codes numbered in list order)
            labels = meta.variable_value_labels[
                meta.column_names[meta.column_names.index("city")]
            ]
            assert sorted(labels.values()) == ["Lyon", "Paris", "Versailles"]
            assert labels[frame["city"][0]] == "Lyon"
    with transaction(engine) as session:
        _name, data = export_zip(
            session=session, actor=LOCAL_ADMIN, form_id=form_id, fmt="csv"
        )
    text = zipfile.ZipFile(io.BytesIO(data)).read(f"{form_id}.csv").decode("utf-8-sig")
    assert "city_label" in text and "Lyon" in text  # pulldata's value, exported
