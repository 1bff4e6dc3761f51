"""QCA in a real headless Chromium: a researcher opens the calibration page of the
15-city frame, then the QCA page of a frame whose parsimonious solution is
ambiguous (Cebotari & Vink, R's 4 models), runs a minimization from the form and
reads the four models and the R code; axe-core clean at 1280 and 375 px, nothing
blocked by the Content-Security-Policy."""

from __future__ import annotations

import tomllib
from pathlib import Path

from sociaparis.compare import qca_runs
from sociaparis.compare.matrix.service import import_csv
from sociaparis.core.db import transaction
from sociaparis.qual.corpus import acting_account
from tests.conftest import assert_accessible_at_both_widths

ROOT = Path(__file__).resolve().parents[2]
CITIES = ROOT / "studies" / "sociaparis" / "cities"
CVF = ROOT / "tests" / "reference" / "qca" / "CVF.csv"


def test_run_a_qca_and_read_its_models(
    live_server, page, axe_page, axe_violations, logged_in
) -> None:
    errors: list[str] = []
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    logged_in(page, live_server, "claire")
    logged_in(axe_page, live_server, "nadia")
    with transaction(live_server.app.state.engine) as session:
        actor = acting_account(session=session, username="claire")
        for frame, path in (("cities", CITIES / "cities.csv"), ("cvf", CVF)):
            import_csv(
                session=session, actor=actor, frame=frame,
                data=path.read_bytes(), filename=path.name,
            )  # fmt: skip
        plan = tomllib.loads((CITIES / "calibration.toml").read_text(encoding="utf-8"))
        qca_runs.save_plan(
            session=session, actor=actor, frame="cities", plan={"sets": plan["sets"]}
        )

    page.get_by_role("link", name="QCA", exact=True).click()
    page.get_by_role("link", name="Calibrage").first.click()
    assert page.get_by_role("heading", name="Calibrage – cities").is_visible()
    assert page.locator("img.qca-plot").count() == 2  # CIO and ADOPT: from scores
    axe_page.goto(page.url)
    assert_accessible_at_both_widths(axe_page, axe_violations)

    page.goto(f"{live_server.url}/qca?lang=fr")
    page.locator("li", has_text="cvf").get_by_role("link", name="Analyse QCA").click()
    page.get_by_label("Résultat (outcome)").select_option("PROTEST")
    for condition in ("DEMOC", "ETHFRACT", "GEOCON", "POLDIS", "NATPRIDE"):
        page.get_by_label(condition, exact=True).check()
    page.get_by_label("incl.cut", exact=True).first.fill("0.8")
    page.get_by_label("parcimonieuse", exact=False).check()
    page.get_by_role("button", name="Lancer l'analyse").click()
    page.wait_for_selector("#qca-results")

    assert page.get_by_text("4 modèles expliquent le résultat aussi bien.").is_visible()
    models = page.locator("h5.model-expression").all_inner_texts()
    assert models == [
        "M1 : ~NATPRIDE + ~DEMOC*ETHFRACT*POLDIS + DEMOC*ETHFRACT*GEOCON"
        " + DEMOC*GEOCON*POLDIS → PROTEST",
        "M2 : ~NATPRIDE + ~DEMOC*ETHFRACT*POLDIS + DEMOC*ETHFRACT*~POLDIS"
        " + DEMOC*GEOCON*POLDIS → PROTEST",
        "M3 : ~NATPRIDE + DEMOC*ETHFRACT*GEOCON + DEMOC*GEOCON*POLDIS"
        " + ETHFRACT*GEOCON*POLDIS → PROTEST",
        "M4 : ~NATPRIDE + DEMOC*ETHFRACT*~POLDIS + DEMOC*GEOCON*POLDIS"
        " + ETHFRACT*GEOCON*POLDIS → PROTEST",
    ]
    # qca.js ran under the CSP: the copy button is offered
    assert page.get_by_role("button", name="Copier le code R").is_visible()
    assert "minimize(tt, include" in page.locator("#r-code").inner_text()
    page.get_by_text("Graphique XY M1").click()
    # the XY plot of M1, drawn by plots.py at its own URL, loads (under the CSP)
    page.wait_for_function(
        """() => { const img = document.querySelector('details[open] img.qca-plot');
                   return img && img.complete && img.naturalWidth > 0; }""",
        timeout=30_000,
    )
    assert errors == []

    axe_page.goto(page.url)
    assert_accessible_at_both_widths(axe_page, axe_violations)

    # Saved from the page, the run opens on its own page and regenerates its table.
    page.get_by_label("Nom (par exemple : tableau 2 de l'article)").fill("Tableau 2")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_url(f"{live_server.url}/qca/runs/*")
    assert page.get_by_role("heading", name="Tableau 2").is_visible()
    assert page.get_by_text(
        "La matrice de cas n'a pas changé depuis cette analyse."
    ).is_visible()
    assert page.get_by_text(
        "Régénérée à partir des valeurs enregistrées : identique au tableau enregistré."
    ).is_visible()
    assert page.locator("h5.model-expression").all_inner_texts() == models
    axe_page.goto(page.url)
    assert_accessible_at_both_widths(axe_page, axe_violations)
