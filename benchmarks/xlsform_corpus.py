"""Measure: how many public XLSForms that pyxform converts sociaparis accepts, fields
and exports.

Run from the repository root::

    .venv/bin/python benchmarks/xlsform_corpus.py [CORPUS_DIR] [--no-fielding]

For each form of the corpus (default ``tests/survey/forms/corpus/``, whose README
says where each file comes from) it prints whether pyxform converts it to an
XForm (``pyxform.xls2xform.convert``, no ODK Validate), whether
:func:`~sociaparis.survey.xlsform.read_xlsform` (what ``sociaparis instrument
check`` runs) accepts it, and the first refusal's code and message.

Each accepted form is then **fielded**: stored in a fresh SQLite study, set up
for fielding with one personal invitation, and served by the real app
(uvicorn, over real HTTP on a local port). A simulated respondent whose answers
the engine draws (:func:`~sociaparis.survey.synthetic.synthetic_answers`)
opens the invitation, consents, and answers every page it is shown as a
browser would (the page's own inputs filled in: a geopoint's four inputs, a
rank's lists, a repeat's "add another"), until the thanks page. The form is
fielded when every page renders (200) and is accepted (303), and the response
is stored as completed. It is then **exported** to CSV with its
``datapackage.json`` (:func:`~sociaparis.survey.exports.export_form`): exported
when the table holds the one response and the data package describes every
column.

The summary gives, among the forms pyxform converts, the share accepted,
fielded and exported. Issue 20's target is at least 95 %.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode

from pyxform.xls2xform import convert

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._http_load import read_form  # noqa: E402
from sociaparis.accounts.service import LOCAL_ADMIN  # noqa: E402
from sociaparis.core.config import Settings  # noqa: E402
from sociaparis.core.db import transaction  # noqa: E402
from sociaparis.core.errors import SociaparisError  # noqa: E402
from sociaparis.survey.exports import export_form  # noqa: E402
from sociaparis.survey.fielding.service import (  # noqa: E402
    Fielding,
    configure_fielding,
    create_invitations,
)
from sociaparis.survey.service import add_instrument  # noqa: E402
from sociaparis.survey.synthetic import synthetic_answers  # noqa: E402
from sociaparis.survey.xlsform import SUFFIXES, XLSFormResult, read_xlsform  # noqa: E402

CORPUS = ROOT / "tests/survey/forms/corpus"
NOTICE = {
    "controller": {"fr": "Équipe de recherche", "en": "Research team"},
    "purpose": {"fr": "Mesure du corpus XLSForm", "en": "XLSForm corpus measure"},
    "consent": {"fr": "J'accepte.", "en": "I agree."},
}
_FORM = {"content-type": "application/x-www-form-urlencoded"}
#: Most page requests one respondent may make before the form counts as stuck.
MAX_STEPS = 400


def _pyxform_converts(path: Path) -> str:
    """'' when pyxform converts the form, else its reason (first line)."""
    try:
        convert(xlsform=str(path), validate=False)
    except Exception as exc:  # pyxform fails in many ways on the corpus's bad forms
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return ""


def _sociaparis_reads(path: Path) -> tuple[XLSFormResult | None, str]:
    """The form read, or None and the refusal's code and message."""
    # pyxform's examples keep their attachments (fruits.csv) beside the form.
    media = path.parent / "media" if (path.parent / "media").is_dir() else path.parent
    try:
        return read_xlsform(path, media=media), ""
    except SociaparisError as exc:
        return None, f"{exc.code} {exc.message}"


class _Server:
    """The real app served by uvicorn on a free local port, in a thread."""

    def __init__(self, settings: Settings) -> None:
        import socket

        import uvicorn

        from sociaparis.web.app import create_app

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.app = create_app(settings)
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start within 10 s")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self.app.state.engine.dispose()


def _typed(answers: Mapping[str, Any], page: str, field: str) -> str:
    """What a respondent types in the input ``field`` of ``page`` for ``answers``.

    Field names are ``name``, ``name.N`` (instance N of a repeat) and either
    followed by ``:part`` (a geopoint's ``lat``... or a rank's position).
    """
    name, _, part = field.partition(":")
    base, _, instance = name.rpartition(".")
    if base and instance.isdigit():
        rows = answers.get(page)
        row = rows[int(instance) - 1] if isinstance(rows, list) else {}
        value = row.get(base, "") if int(instance) <= len(rows or []) else ""
    else:
        value = answers.get(name, "")
    value = str(value)
    if not part:
        return value
    tokens = value.split()
    if part.isdigit():
        position = int(part) - 1
    else:
        position = ("lat", "lon", "alt", "acc").index(part)
    return tokens[position] if position < len(tokens) else ""


def _fill(page_html: str, answers: Mapping[str, Any], page: str) -> list[tuple[str, str]]:
    """The pairs a browser sends for ``page`` with ``answers`` typed in."""
    form = read_form(page_html)
    pairs = list(form.hidden.items())
    for name, control in form.fields.items():
        value = _typed(answers, page, name)
        if control.kind == "checkbox":
            pairs.extend((name, v) for v in value.split() if v in control.values)
        elif control.kind == "radio":
            if value in control.values:
                pairs.append((name, value))
        else:
            pairs.append((name, value))
    return pairs


def _respond(url: str, token: str, answers: Mapping[str, Any]) -> str:
    """Answer through the invitation ``token``; '' when the thanks page is reached."""
    import httpx

    with httpx.Client(base_url=url, follow_redirects=False, timeout=30) as http:
        notice = http.get(f"/i/{token}")
        if notice.status_code != 200:
            return f"invitation page: HTTP {notice.status_code}"
        csrf = read_form(notice.text).hidden.get("csrf_token", "")
        started = http.post(f"/i/{token}", data={"csrf_token": csrf})
        if started.status_code != 303:
            return f"consent: HTTP {started.status_code}"
        location = started.headers["location"]
        # /r/RESUME/PAGE, or /r/RESUME (the thanks page) for a form with no page
        resume = "/".join(location.split("?")[0].split("/")[:3])
        for _ in range(MAX_STEPS):
            page = http.get(location)
            if page.status_code == 303:
                location = page.headers["location"]
                continue
            if page.status_code != 200:
                return f"GET {location}: HTTP {page.status_code}"
            if location.split("?")[0] == resume:
                return ""  # the thanks page
            name = unquote(location.rpartition("/")[2])
            rows = answers.get(name)
            shown = int(read_form(page.text).hidden.get("_instances") or 0)
            wanted = len(rows) if isinstance(rows, list) else 0
            action = "add" if shown < wanted and 'value="add"' in page.text else "next"
            pairs = [*_fill(page.text, answers, name), ("_action", action)]
            sent = http.post(location, content=urlencode(pairs), headers=_FORM)
            if sent.status_code != 303:
                errors = read_errors(sent.text)
                return f"page '{name}' refused (HTTP {sent.status_code}): {errors}"
            location = sent.headers["location"]
        return f"more than {MAX_STEPS} page requests"


_ERROR = re.compile(r'<p class="field-error" id="([^"]+)-error">.*?</span>(.*?)</p>')


def read_errors(page_html: str) -> str:
    """The field errors a page shows (their text), for the report."""
    found = _ERROR.findall(page_html)
    return "; ".join(f"{field}: {text}" for field, text in found[:3]) or "no error shown"


def field_and_export(result: XLSFormResult) -> tuple[str, str]:
    """Field the form to one simulated respondent over HTTP, then export it.

    Returns the reasons ('' for success) of the fielding and of the export.
    """
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            data_dir=Path(folder) / "data", secret_key="corpus-measure-0123456789"
        )
        server = _Server(settings)
        try:
            engine = server.app.state.engine
            with transaction(engine) as session:
                stored = add_instrument(session=session, form=result).stored
                configure_fielding(
                    session=session,
                    fielding=Fielding(
                        form_id=stored.form_id, study_id="corpus", notice=NOTICE
                    ),
                )
                [invitation] = create_invitations(
                    session=session, form_id=stored.form_id, attributes=[{}]
                )
            answers = synthetic_answers(
                result.instrument,
                rng=random.Random(20),
                now=datetime.now().astimezone(),
            )
            fielding = _respond(server.url, invitation.token, answers)
            if fielding:
                return fielding, "not fielded"
            out = Path(folder) / "export"
            with transaction(engine) as session:
                export_form(
                    session=session,
                    actor=LOCAL_ADMIN,
                    form_id=stored.form_id,
                    out=out,
                    fmt="csv",
                )
            return "", _check_export(out, stored.form_id)
        except SociaparisError as exc:
            return f"{exc.code} {exc.message}", "not fielded"
        finally:
            server.stop()


def _check_export(out: Path, form_id: str) -> str:
    """'' when the CSV holds one completed response and the data package every column."""
    import csv

    table = out / f"{form_id}.csv"
    package = out / "datapackage.json"
    if not table.exists() or not package.exists():
        return f"missing {table.name} or datapackage.json"
    with table.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if len(rows) != 1 or rows[0].get("_status") != "completed":
        return f"{len(rows)} rows in {table.name}, not one completed response"
    described = json.loads(package.read_text(encoding="utf-8"))
    main = next(r for r in described["resources"] if r["path"] == table.name)
    fields = [f["name"] for f in main["schema"]["fields"]]
    if fields != list(rows[0]):
        return "datapackage.json does not describe the CSV's columns"
    return ""


def main(corpus: Path, *, fielding: bool = True) -> None:
    """Print one line per form, then the summary."""
    forms = sorted(
        p
        for p in corpus.rglob("*")
        if p.suffix.lower() in SUFFIXES and p.is_file() and p.name != "README.md"
    )
    converted = accepted = fielded = exported = 0
    causes: Counter[str] = Counter()
    for path in forms:
        name = path.relative_to(corpus)
        pyxform_reason = _pyxform_converts(path)
        result, refusal = _sociaparis_reads(path)
        if pyxform_reason:
            verdict = "sociaparis refuses" if refusal else "sociaparis accepts"
            print(f"{name}: pyxform NO ({pyxform_reason[:100]}); {verdict}")
            continue
        converted += 1
        if result is None:
            causes[refusal.split()[0]] += 1
            print(f"{name}: pyxform yes; sociaparis NO: {refusal[:300]}")
            continue
        accepted += 1
        if not fielding:
            print(f"{name}: pyxform yes; sociaparis yes")
            continue
        field_reason, export_reason = field_and_export(result)
        fielded += not field_reason
        exported += not export_reason
        print(
            f"{name}: pyxform yes; sociaparis yes; fielded "
            f"{'yes' if not field_reason else 'NO: ' + field_reason[:200]}; exported "
            f"{'yes' if not export_reason else 'NO: ' + export_reason[:200]}"
        )

    def share(count: int) -> str:
        return f"{count} ({count / converted:.0%})" if converted else "0"

    print(
        f"\n{len(forms)} forms; pyxform converts {converted}; of those sociaparis "
        f"accepts {share(accepted)}"
        + (f", fields {share(fielded)}, exports {share(exported)}" if fielding else "")
    )
    for code, count in causes.most_common():
        print(f"  refused {count} x {code}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=CORPUS)
    parser.add_argument(
        "--no-fielding",
        action="store_true",
        help="only read the forms (no server, no respondent, no export)",
    )
    arguments = parser.parse_args()
    main(arguments.corpus, fielding=not arguments.no_fielding)
