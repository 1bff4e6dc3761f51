"""The main job: `sociaparis demo` builds a study whose links work."""

from __future__ import annotations

import json
import re

import httpx
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from sociaparis.cli import cli
from sociaparis.core.config import Settings
from sociaparis.web.app import create_app
from tests.conftest import HTTP_TIMEOUT, LiveServer


def test_demo_builds_a_study_whose_respondent_link_and_login_work(tmp_path) -> None:
    data_dir = tmp_path / "demo"
    result = CliRunner().invoke(
        cli, ["demo", "--data-dir", str(data_dir), "--no-serve", "--responses", "40"]
    )
    assert result.exit_code == 0, result.output
    link = re.search(r"Respondent link \(staff survey\): +(\S+)", result.output).group(1)
    user, password = re.search(r"user: (\S+) +password: (\S+)", result.output).groups()
    assert "40 (flagged as synthetic)" in result.output

    server = LiveServer(create_app(Settings(data_dir=data_dir))).start()
    try:
        path = link.removeprefix("http://127.0.0.1:8000")
        with httpx.Client(base_url=server.url, timeout=HTTP_TIMEOUT) as client:
            notice = client.get(path)
            assert notice.status_code == 200
            assert "Information et consentement" in notice.text
            login = client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', login.text).group(1)
            client.post(
                "/login",
                data={"username": user, "password": password, "csrf_token": token},
            )
            register = client.get("/register")
            assert register.status_code == 200
            assert "5 organisations (flagged as synthetic)" in result.output
            # the synthetic organisations that agreed are named, with the label
            assert register.text.count("Exemple synthétique — ") == 5
            assert "Opérateur D" not in register.text
            progress = client.get("/fielding/sociaparis_staff_llm")
            assert progress.status_code == 200
            assert re.search(r'id="total-completed">40<', progress.text)
            assert re.search(
                r"<dt>Réponses synthétiques \(démonstration\)</dt>"
                r'<dd id="total-synthetic">40 des 40 réponses commencées</dd>',
                progress.text,
            )
    finally:
        server.stop()
        server.app.state.engine.dispose()


def test_building_the_demo_twice_starts_afresh(tmp_path) -> None:
    data_dir = tmp_path / "demo"
    for _ in range(2):
        result = CliRunner().invoke(
            cli, ["demo", "--data-dir", str(data_dir), "--no-serve", "--responses", "5"]
        )
        assert result.exit_code == 0, result.output
    engine = create_engine(f"sqlite:///{data_dir / 'sociaparis.db'}")
    with engine.connect() as connection:
        # 5 staff-survey responses and the 5 synthetic transport organisations, once
        assert connection.execute(text("select count(*) from responses")).scalar() == 10
        assert connection.execute(text("select count(*) from users")).scalar() == 1
        # the 15-city frame, once (15 cities x 9 dimensions)
        count = "select count(*) from compare_{}"
        assert connection.execute(text(count.format("cases"))).scalar() == 15
        assert connection.execute(text(count.format("cells"))).scalar() == 135
        # with the study's calibration plan: the 8 sets of calibration.toml
        [plan] = connection.execute(text("select plan from qca_plans")).scalars()
        assert sorted(json.loads(plan)["sets"]) == sorted(
            ["ADOPT", "MOD", "SEMI", "CHARTER", "ENV", "BOT", "CIO", "NET"]
        )
    assert "/compare/frame?frame=cities" in result.output
    engine.dispose()


def test_a_busy_port_is_refused_before_anything_is_built_or_printed(tmp_path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(
            cli, ["demo", "--data-dir", str(tmp_path / "demo"), "--port", str(port)]
        )
    assert result.exit_code == 1
    assert f"Cannot listen on 127.0.0.1:{port}" in result.output
    assert f"--port {port + 1}" in result.output
    assert "Respondent link" not in result.output
    assert not (tmp_path / "demo").exists()


def test_the_demo_says_how_to_point_the_command_line_at_it(tmp_path) -> None:
    data_dir = tmp_path / "demo"
    result = CliRunner().invoke(
        cli, ["demo", "--data-dir", str(data_dir), "--no-serve", "--responses", "0"]
    )
    assert f"export SOCIAPARIS_DATA_DIR={data_dir.resolve()}" in result.output
