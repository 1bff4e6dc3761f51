"""`sociaparis demo` includes a pseudonymized interview ready to code and one
waiting for review (synthetic, in French)."""

from __future__ import annotations

import re

from click.testing import CliRunner

from sociaparis.cli import cli
from sociaparis.cli.demo import DEMO_CODINGS
from sociaparis.core.config import Settings
from sociaparis.core.db import make_engine, transaction
from sociaparis.qual import casebook
from sociaparis.qual import pseudonymize_service as ps
from sociaparis.qual.codebook_service import code_row, list_codes
from sociaparis.qual.coding_service import document_codings
from sociaparis.qual.corpus import acting_account, document_text, list_documents


def test_demo_has_a_released_interview_and_one_under_review(tmp_path) -> None:
    data_dir = tmp_path / "demo"
    result = CliRunner().invoke(
        cli, ["demo", "--data-dir", str(data_dir), "--no-serve", "--responses", "5"]
    )
    assert result.exit_code == 0, result.output
    released = re.search(r"Interview to code \(released\): +\S+/qual/documents/(\d+)",
                         result.output).group(1)  # fmt: skip
    waiting = re.search(r"Interview to review: +\S+/qual/corpus/(\d+)/review",
                        result.output).group(1)  # fmt: skip
    engine = make_engine(Settings(data_dir=data_dir))
    with transaction(engine) as session:
        demo = acting_account(session=session, username="demo")
        documents = {
            d.id: (d.title, d.status, d.cases) for d in list_documents(session=session)
        }
        assert documents == {
            int(released): ("entretien-agent-03.txt", "released", ("Agent 03",)),
            int(waiting): ("entretien-agent-05.txt", "under_review", ("Agent 05",)),
        }
        text = document_text(session=session, actor=demo, ref=int(released))
        # the widened directorate, and no name, address, e-mail or phone left
        assert "gestionnaire budgétaire à la [ORGANISATION-1] depuis 2019" in text
        for name in ("Garnier", "Karim", "Morland", "exemple.paris.fr", "01 42"):
            assert name not in text
        review = ps.get_review(session=session, actor=demo, document=int(waiting))
        assert review.pending == tuple(range(len(review.replacements)))
        assert len(review.replacements) >= 5
        # the study's codebook, and the passages the demo researcher coded
        assert len(list_codes(session=session)) > 40
        coded = [
            (code_row(session, c.code_guid).name, c.text, c.coder)
            for c in document_codings(session=session, actor=demo, document=int(released))
        ]
        assert sorted(coded) == sorted(
            (code, quote, "demo") for code, quote in DEMO_CODINGS
        )
        table = casebook.case_table(session=session)
        assert [(r.name, dict(r.cells)) for r in table.rows] == [
            ("Agent 03", {"direction": "DFA", "catégorie": "B"}),
            ("Agent 05", {"direction": "DSIN", "catégorie": "A"}),
        ]
    engine.dispose()
