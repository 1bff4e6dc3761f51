"""The respondent pages' routes, matched by path segments."""

from __future__ import annotations

import pytest

from sociaparis.web.routes.survey import (
    RESPONDENT_PAGES,
    accept_invitation,
    invitation,
    resume_response,
    show_page,
    submit_page,
)
from sociaparis.web.routing import Route, Routes


@pytest.mark.parametrize(
    ("method", "path", "endpoint", "params"),
    [
        ("GET", "/i/tok", invitation, {"token": "tok"}),
        ("HEAD", "/i/tok", invitation, {"token": "tok"}),
        ("POST", "/i/tok", accept_invitation, {"token": "tok"}),
        ("GET", "/r/abc", resume_response, {"resume": "abc"}),
        # No page name is kept back for the thanks page (the resume link).
        ("GET", "/r/abc/done", show_page, {"resume": "abc", "page_name": "done"}),
        ("GET", "/r/abc/hours", show_page, {"resume": "abc", "page_name": "hours"}),
        ("POST", "/r/abc/done", submit_page, {"resume": "abc", "page_name": "done"}),
    ],
)
def test_respondent_paths_reach_their_handler(method, path, endpoint, params) -> None:
    assert RESPONDENT_PAGES.match(method, path) == (endpoint, params)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/login"),
        ("GET", "/i/"),
        ("GET", "/i//"),
        ("GET", "/r//hours"),
        ("GET", "/r/abc/hours/more"),
        ("PUT", "/r/abc/hours"),
        ("DELETE", "/i/tok"),
        ("GET", "i/tok"),
        ("GET", "/static/sociaparis.css"),
    ],
)
def test_other_paths_are_left_to_the_site(method, path) -> None:
    assert RESPONDENT_PAGES.match(method, path) is None


@pytest.mark.parametrize("path", ["i/{token}", "/i//{token}", "/i/{token}/"])
def test_a_route_path_must_be_slash_separated_segments(path) -> None:
    async def endpoint(request, token): ...

    with pytest.raises(ValueError, match="segment"):
        Routes(Route("GET", path, endpoint))
