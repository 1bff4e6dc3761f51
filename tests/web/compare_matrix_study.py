"""A live server's study with the 15-city frame, for the case-matrix page tests
(HTTP and Chromium): ``boss`` (researcher) imported ``cities.csv``; Lyon, Nantes
and Wien have a ``driver`` from one synthetic CIO survey response each; the
``Charte`` dimension comes from codings in Lyon's interview; ``vera`` is a viewer
and ``ana`` a coder.
"""

from __future__ import annotations

from pathlib import Path

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import create_user
from sociaparis.compare.matrix.service import import_csv
from sociaparis.compare.matrix.sources import cells_from_codes, cells_from_survey
from sociaparis.core.db import transaction
from tests.compare.test_matrix import _coded_study
from tests.compare.test_matrix_survey import FORM_ID, _responses
from tests.conftest import BROWSER_PASSWORD

CITIES = Path(__file__).resolve().parents[2] / "studies" / "sociaparis" / "cities"
ROLES = {"boss": Role.RESEARCHER, "vera": Role.VIEWER, "ana": Role.CODER}


def build_matrix_study(server) -> dict[str, object]:
    """The accounts and the frame ``cities``; returns the coding GUIDs behind
    Lyon's ``Charte`` and the response behind Lyon's ``driver``."""
    with transaction(server.app.state.engine) as session:
        people = {
            name: create_user(
                session=session, username=name, password=BROWSER_PASSWORD, role=role
            )
            for name, role in ROLES.items()
        }
        boss = people["boss"]
        import_csv(session=session, actor=boss, frame="cities",
                   data=(CITIES / "cities.csv").read_bytes(),
                   filename="cities.csv")  # fmt: skip
        records = _responses(session, ["Lyon", "Nantes", "Wien"])
        cells_from_survey(session=session, actor=boss, frame="cities",
                          form_id=FORM_ID, case_question="city_name",
                          mapping={"driver": "main_driver"})  # fmt: skip
        guids = _coded_study(session, boss)
        cells_from_codes(session=session, actor=boss, frame="cities", code="Charte")
        return {"guids": guids, "response": records["Lyon"].id}
