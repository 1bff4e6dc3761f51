"""The opt-in ``Server-Timing`` header (sociaparis.web.timing)."""

from __future__ import annotations

import re
import time

import httpx
import pytest

import sociaparis.survey.fielding.service as fielding_service

TIMING = re.compile(
    r"^app;dur=(\d+\.\d), db;dur=(\d+\.\d), lock;dur=(\d+\.\d), flush;dur=(\d+\.\d)$"
)


def test_no_timing_header_unless_asked(live_server) -> None:
    response = httpx.get(f"{live_server.url}/i/unknown-token")
    assert "server-timing" not in response.headers


@pytest.mark.parametrize(
    ("path", "in_database"),
    [
        ("/i/unknown-token", True),  # a respondent page: its database work counted
        ("/login", False),  # a FastAPI page: no runner work
    ],
)
def test_the_header_gives_the_application_and_database_milliseconds(
    live_server_with, monkeypatch, path: str, in_database: bool
) -> None:
    looked_up = fielding_service.invitation_form

    def slow_lookup(*args, **kwargs):
        time.sleep(0.03)
        return looked_up(*args, **kwargs)

    monkeypatch.setattr(fielding_service, "invitation_form", slow_lookup)
    server = live_server_with(server_timing=True)
    response = httpx.get(f"{server.url}{path}")
    found = TIMING.match(response.headers["server-timing"])
    assert found is not None, response.headers["server-timing"]
    app, database, lock, flush = (float(part) for part in found.groups())
    assert lock == 0.0  # nothing else writes
    assert flush == 0.0  # nothing saved
    if in_database:
        assert 30.0 <= database <= app
    else:
        assert database == 0.0
        assert app > 0.0
