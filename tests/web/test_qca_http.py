"""The QCA pages over real HTTP, on SQLite and PostgreSQL: calibration (plan form,
plot, crossover warning), the analysis page's numbers (R's, from the conformance
cases), ambiguity shown, saved runs (regenerated, matrix changed, re-run),
roles and CSRF."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from sociaparis.accounts.roles import Role
from sociaparis.compare import qca_runs
from sociaparis.compare.matrix.service import import_csv, set_cell
from sociaparis.core.db import transaction
from sociaparis.qual.corpus import acting_account
from tests.conftest import HTTP_TIMEOUT
from tests.web.test_qual_coding_http import _hidden, _log_in

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "tests" / "reference" / "qca"
CVF_CONDITIONS = ["DEMOC", "ETHFRACT", "GEOCON", "POLDIS", "NATPRIDE"]
CVF_QUERY = urlencode(
    [("outcome", "PROTEST"), *[("conditions", c) for c in CVF_CONDITIONS],
     ("incl_cut", "0.8"), ("solution", "parsimonious")]
)  # fmt: skip


@pytest.fixture
def site(live_server_any: Any) -> Iterator[dict[str, Any]]:
    server = live_server_any
    people = {
        "boss": _log_in(server, "boss", Role.RESEARCHER),
        "vic": _log_in(server, "vic", Role.VIEWER),
    }
    with transaction(server.app.state.engine) as session:
        actor = acting_account(session=session, username="boss")
        for frame, name in (("cvf", "CVF.csv"), ("lipset", "LR.csv")):
            import_csv(
                session=session, actor=actor, frame=frame,
                data=(REFERENCE / name).read_bytes(), filename=name,
            )  # fmt: skip
    # the calibration page of a researcher carries the session's CSRF token
    tokens = {
        who: _hidden(http.get("/qca/cvf/calibration").text, "csrf_token")
        for who, http in people.items()
    }
    yield {"server": server, "people": people, "tokens": tokens}
    for http in people.values():
        http.close()


def numbers(cells: list[str]) -> list[float]:
    return [float(c) for c in cells]


def test_the_analysis_page_shows_r_s_numbers_and_every_model(site: dict) -> None:
    expected = json.loads((REFERENCE / "CVF-parsimonious.json").read_text())
    page = site["people"]["boss"].get(f"/qca/cvf?{CVF_QUERY}&lang=fr")
    assert page.status_code == 200, page.text
    text = page.text
    assert "4 modèles expliquent le résultat aussi bien." in text
    models = [
        html.unescape(m).split(" → ")[0]
        for m in re.findall(r'class="model-expression">M\d+ : ([^<]*)</h5>', text)
    ]
    assert models == [" + ".join(s) for s in expected["solutions"]]
    table = text[
        text.index('id="truth-table"') : text.index(
            "</table>", text.index('id="truth-table"')
        )
    ]
    rows = re.findall(
        r'<th scope="row" class="number">(\d+)</th>(?:\s*<td class="number">\d+</td>)+'
        r'\s*<td>([01C])</td><td class="number">(\d+)</td>\s*'
        r'<td class="number">([\d.]+)</td><td class="number">([\d.]+)</td>',
        table,
    )
    assert [(int(r), out, int(n)) for r, out, n, _i, _p in rows] == [
        (r["rownum"], r["OUT"], r["n"]) for r in expected["truth_table"]
    ]
    for (_r, _o, _n, incl, pri), ref in zip(rows, expected["truth_table"], strict=True):
        assert float(incl) == round(ref["incl"], 3)
        assert float(pri) == round(ref["PRI"], 3)
    fits = re.findall(
        r'<tr class="solution-fit"><th scope="row">solution</th>'
        r'<td class="number">([\d.]+)</td><td class="number">([\d.]+)</td>'
        r'<td class="number">([\d.]+)</td>',
        text,
    )
    assert [tuple(map(float, f)) for f in fits] == [
        (round(f["inclS"], 3), round(f["PRI"], 3), round(f["covS"], 3))
        for f in expected["fit"]["solution"]
    ]
    assert 'id="pi-chart"' in text and 'id="necessity-pof"' in text
    assert "library(QCA)" in text
    assert 'minimize(tt, include = "?", details = TRUE)' in html.unescape(text)
    english = site["people"]["boss"].get(f"/qca/cvf?{CVF_QUERY}&lang=en").text
    assert "4 models explain the outcome equally well." in english
    plot = site["people"]["boss"].get(f"/qca/cvf/xy.svg?{CVF_QUERY}&model=3")
    assert plot.status_code == 200
    assert plot.headers["content-type"] == "image/svg+xml"
    assert (
        site["people"]["boss"].get(f"/qca/cvf/xy.svg?{CVF_QUERY}&model=4").status_code
        == 404
    )


def test_calibration_page_plan_form_plot_and_crossover(site: dict) -> None:
    boss = site["people"]["boss"]
    page = boss.get("/qca/lipset/calibration?lang=fr")
    assert page.status_code == 200
    form = {"csrf_token": site["tokens"]["boss"]}
    sources = re.findall(r'name="source_(\d+)" value="([^"]*)"', page.text)
    for i, source in sources:
        form[f"source_{i}"] = source
        form[f"set_{i}"] = source
        form[f"method_{i}"] = "direct" if source == "URB" else "none"
        # ES has URB 43: exactly at the crossover
        form[f"thresholds_{i}"] = "e=25, c=43, i=65" if source == "URB" else ""
    reply = boss.post("/qca/lipset/calibration?lang=fr", data=form)
    assert reply.status_code == 303, reply.text
    page = boss.get(reply.headers["location"]).text
    assert "Plan de calibrage enregistré." in page
    assert "Cas exactement au point de transition (0,5) :</strong> ES." in page
    assert "/qca/lipset/calibration/URB.svg" in page
    plot = boss.get("/qca/lipset/calibration/URB.svg")
    assert plot.status_code == 200 and plot.content.startswith(b"<?xml")
    # a plan that cannot be used is refused with its reason, nothing saved
    bad = dict(form, **{"thresholds_" + sources[1][0]: "e=900, c=901, i=902",
                        "method_" + sources[1][0]: "direct"})  # fmt: skip
    reply = boss.post("/qca/lipset/calibration?lang=fr", data=bad)
    assert reply.status_code == 422
    # the set named, and the calibration's own error quoted in French too
    assert (
        "du plan de calibrage ne peut pas être calibré : QCA_010 : Les seuils de "
        "calibrage"
    ) in reply.text
    with transaction(site["server"].app.state.engine) as session:
        assert list(qca_runs.get_plan(session=session, frame="lipset")["sets"]) == ["URB"]
    # no CSRF token, or a viewer: refused
    assert boss.post("/qca/lipset/calibration", data={}).status_code == 403
    viewer = dict(form, csrf_token=site["tokens"]["vic"])
    assert (
        site["people"]["vic"].post("/qca/lipset/calibration", data=viewer).status_code
        == 403
    )


def test_saved_runs_regenerate_notice_a_changed_matrix_and_rerun(site: dict) -> None:
    boss, vic = site["people"]["boss"], site["people"]["vic"]
    url = f"/qca/cvf/runs?{CVF_QUERY}&lang=fr"
    assert boss.post(url, data={"name": "T1"}).status_code == 403
    assert vic.post(url, data={"csrf_token": site["tokens"]["vic"]}).status_code == 403
    reply = boss.post(url, data={"csrf_token": site["tokens"]["boss"], "name": "T1"})
    assert reply.status_code == 303
    run_url = reply.headers["location"]
    page = vic.get(run_url)
    assert page.status_code == 200
    assert "identique au tableau enregistré" in page.text
    assert "La matrice de cas n&#39;a pas changé" in page.text
    assert "4 modèles expliquent le résultat aussi bien." in page.text
    run_id = int(re.search(r"/qca/runs/(\d+)", run_url).group(1))
    assert vic.get(f"/qca/runs/{run_id}/xy.svg?model=0").status_code == 200
    assert "T1" in vic.get("/qca?lang=fr").text
    with transaction(site["server"].app.state.engine) as session:
        actor = acting_account(session=session, username="boss")
        set_cell(
            session=session, actor=actor, frame="cvf", case="GreeksAlbania",
            dimension="NATPRIDE", value="0.2", reason="recoded",
        )  # fmt: skip
    page = boss.get(run_url).text
    assert "La matrice de cas a changé depuis l&#39;enregistrement" in page
    assert "identique au tableau enregistré" in page
    token = site["tokens"]["boss"]
    assert boss.post(f"/qca/runs/{run_id}/rerun", data={}).status_code == 403
    assert (
        vic.post(
            f"/qca/runs/{run_id}/rerun", data={"csrf_token": site["tokens"]["vic"]}
        ).status_code
        == 403
    )
    reply = boss.post(f"/qca/runs/{run_id}/rerun?lang=fr", data={"csrf_token": token})
    assert reply.status_code == 303
    assert reply.headers["location"] != run_url
    page = boss.get(reply.headers["location"]).text
    assert "T1 (re-run)" in page and "La matrice de cas n&#39;a pas changé" in page
    assert boss.get("/qca/runs/9999").status_code == 404


def test_a_viewer_reads_but_does_not_run(site: dict) -> None:
    vic = site["people"]["vic"]
    page = vic.get(f"/qca/cvf?{CVF_QUERY}&lang=fr")
    assert page.status_code == 403
    assert "seuls les chercheurs et administrateurs lancent une QCA" in html.unescape(
        page.text
    )
    assert 'id="truth-table"' not in page.text
    assert vic.get("/qca/cvf/calibration").status_code == 200
    assert vic.get(f"/qca/cvf/xy.svg?{CVF_QUERY}&model=0").status_code == 403
    assert vic.get("/qca/nowhere").status_code == 404
    # a setting that cannot be used is said on the page
    bad = site["people"]["boss"].get("/qca/cvf?outcome=PROTEST&conditions=DEMOC&n_cut=0")
    assert bad.status_code == 422
    assert "n_cut" in bad.text


def test_requires_login(site: dict) -> None:
    with httpx.Client(base_url=site["server"].url, timeout=HTTP_TIMEOUT) as anonymous:
        assert anonymous.get("/qca").status_code == 303
