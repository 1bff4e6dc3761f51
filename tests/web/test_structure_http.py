"""A form with names used in several groups, a legacy loop and a table-list,
answered over real HTTP on SQLite and PostgreSQL, then exported."""
# ruff: noqa: E501 -- markdown XLSForm tables are as wide as the spreadsheets they stand for

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select

from sociaparis.core.db import transaction
from sociaparis.survey.exports import load_export
from sociaparis.survey.fielding.service import create_invitations
from sociaparis.survey.models import ResponseRecord
from tests.conftest import HTTP_TIMEOUT
from tests.factories import field_form

STRUCTURE_FORM = """
| survey |
| | type                    | name   | label         | appearance   |
| | begin group             | home   | Home          | field-list   |
| | text                    | city   | Home city     |              |
| | integer                 | rooms  | Rooms         |              |
| | end group               |        |               |              |
| | begin group             | work   | Work          | field-list   |
| | text                    | city   | Work city     |              |
| | end group               |        |               |              |
| | begin loop over meals   | meals  | Meals         |              |
| | integer                 | cost   | Cost of %(label)s |          |
| | end loop                |        |               |              |
| | begin group             | moods  | Your mood     | table-list   |
| | select_one mood         | monday | Monday        |              |
| | select_multiple mood    | friday | Friday        |              |
| | select_multiple mood    | sunday | Sunday        |              |
| | end group               |        |               |              |
| choices |
| | list_name | name      | label     |
| | meals     | lunch     | lunch     |
| | meals     | dinner    | dinner    |
| | mood      | happy     | Happy     |
| | mood      | sad       | Sad       |
| settings |
| | form_id   | form_title | version |
| | structure | Structure  | 1       |
"""


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def _next(http: httpx.Client, url: str, html: str, fields: dict) -> httpx.Response:
    data = {
        "_csrf": _hidden(html, "_csrf"),
        "_revision": _hidden(html, "_revision"),
        "_action": "next",
        **fields,
    }
    return http.post(url, data=data)


@pytest.mark.storage
def test_same_names_loops_and_a_table_list_are_fielded_and_exported(
    live_server_any,
) -> None:
    server = live_server_any
    with transaction(server.app.state.engine) as session:
        form_id = field_form(session, STRUCTURE_FORM, attributes=())
        [invitation] = create_invitations(
            session=session, form_id=form_id, attributes=[{}]
        )
    with httpx.Client(base_url=server.url, timeout=HTTP_TIMEOUT) as http:
        notice = http.get(f"/i/{invitation.token}")
        started = http.post(
            f"/i/{invitation.token}",
            data={"csrf_token": _hidden(notice.text, "csrf_token")},
        )
        url = started.headers["location"]
        pages = []
        answers = {
            "home": {"home~city": "Paris", "rooms": "3"},
            "work": {"work~city": "Lyon"},
            "meals~lunch~cost": {"meals~lunch~cost": "12"},
            "meals~dinner~cost": {"meals~dinner~cost": "20"},
            "moods": {"monday": "sad", "friday": ["happy", "sad"], "sunday": ""},
        }
        while "/r/" in url and url.count("/") > 2:
            page = http.get(url)
            assert page.status_code == 200
            name = url.rsplit("/", 1)[-1].split("?")[0]
            pages.append(name)
            if name == "moods":
                # one table: choices as column headers, one row per question
                assert page.text.count('<table class="likert"') == 1
                assert re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', page.text) == [
                    "Happy",
                    "Sad",
                ]
                assert re.findall(r'<th scope="row" id="q-(\w+)-label"', page.text) == [
                    "monday",
                    "friday",
                    "sunday",
                ]
                assert page.text.count('type="checkbox" name="friday"') == 2
            posted = _next(http, url, page.text, answers[name])
            assert posted.status_code == 303, posted.text
            url = posted.headers["location"]
        assert pages == list(answers)
    with transaction(server.app.state.engine) as session:
        stored = session.scalars(select(ResponseRecord)).one()
        assert stored.status == "completed"
        assert stored.answers == {
            "home~city": "Paris",
            "rooms": "3",
            "work~city": "Lyon",
            "meals~lunch~cost": "12",
            "meals~dinner~cost": "20",
            "monday": "sad",
            "friday": "happy sad",
            "sunday": "",
        }
        export = load_export(session=session, form_id=form_id)
    row = export.tables[0].frame.iloc[0]
    assert (row["home/city"], row["work/city"], row["home/rooms"]) == ("Paris", "Lyon", 3)
    assert (row["meals/lunch/cost"], row["meals/dinner/cost"]) == (12, 20)
    assert (row["moods/friday"], row["moods/friday/happy"], row["moods/friday/sad"]) == (
        "happy sad",
        1,
        1,
    )


TABLE_LIST_FORM = """
| survey |
| | type                 | name   | label                        | appearance   | hint            |
| | begin group          | moods  | Votre humeur                 | field-list   |                 |
| | select_one mood      | header | Comment vous sentiez-vous ?  | label        |                 |
| | select_one mood      | monday | Lundi                        | list-nolabel | Début de semaine |
| | select_multiple mood | friday | Vendredi                     | list-nolabel |                 |
| | end group            |        |                              |              |                 |
| choices |
| | list_name | name    | label            |
| | mood      | happy   | Content          |
| | mood      | neutral | Ni l'un ni l'autre |
| | mood      | sad     | Triste           |
| settings |
| | form_id    | form_title | default_language |
| | table_list | Humeur     | fr               |
"""

#: every input of the table, with the boxes of its cell label and column header
_TABLE_INPUTS = """() => [...document.querySelectorAll('table.likert input:not([type=hidden])')]
  .map((input) => {
    const box = (element) => {
      const r = element.getBoundingClientRect();
      const shown = r.width > 0 && r.height > 0 && getComputedStyle(element).visibility === 'visible';
      return shown ? {x: r.x, y: r.y, right: r.right, bottom: r.bottom} : null;
    };
    const label = input.parentElement.querySelector('label.likert-choice');
    const header = document.getElementById(input.getAttribute('aria-labelledby').split(' ')[1]);
    return {type: input.type, input: box(input), label: box(label), text: label.innerText.trim(),
            header: box(header), headerText: header.innerText.trim()};
  })"""


@pytest.mark.parametrize("width", [375, 1280])
def test_a_table_list_is_an_accessible_table_on_a_phone_and_a_desk(
    live_server, axe_page, axe_violations, width, tmp_path
) -> None:
    with transaction(live_server.app.state.engine) as session:
        form_id = field_form(session, TABLE_LIST_FORM, attributes=())
        [invitation] = create_invitations(
            session=session, form_id=form_id, attributes=[{}]
        )
    page = axe_page
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server.url}/i/{invitation.token}")
    page.get_by_role("button", name="J'ai lu ces informations").click()
    assert (
        page.locator("table.likert caption").inner_text() == "Comment vous sentiez-vous ?"
    )
    inputs = page.evaluate(_TABLE_INPUTS)
    assert [i["type"] for i in inputs] == ["radio"] * 3 + ["checkbox"] * 3
    for item in inputs:
        assert item["input"] is not None
        if width == 375:  # headers out of sight, the column label beside each input
            assert item["header"] is None and item["label"] is not None
            assert item["text"] == item["headerText"]
            assert item["label"]["x"] >= item["input"]["right"]
        else:  # a grid: the column header above each input
            assert item["label"] is None
            assert item["header"]["bottom"] <= item["input"]["y"]
    page.screenshot(path=str(tmp_path / f"table-list-{width}.png"), full_page=True)
    assert axe_violations(page) == [], f"table-list at {width} px"
    page.check('input[name="monday"][value="sad"]')
    page.check('input[name="friday"][value="happy"]')
    page.check('input[name="friday"][value="neutral"]')
    page.click('button[name="_action"][value="next"]')
    with transaction(live_server.app.state.engine) as session:
        stored = session.scalars(select(ResponseRecord)).one()
        # the label row is a question, left empty, as in an ODK submission
        assert stored.answers == {
            "header": "",
            "monday": "sad",
            "friday": "happy neutral",
        }


NESTED_FORM = """
| survey |
| | type         | name   | label             | appearance | constraint | calculation   |
| | begin group  | where  | Where             | field-list |            |               |
| | text         | city   | Your city         |            |            |               |
| | end group    |        |                   |            |            |               |
| | begin repeat | person | Person            |            |            |               |
| | text         | pname  | Name              |            |            |               |
| | begin repeat | job    | Job               |            |            |               |
| | text         | title  | Title             |            |            |               |
| | integer      | hours  | Hours of ${pname} |            | . <= 60    |               |
| | text         | city   | City of the job   |            |            |               |
| | end repeat   |        |                   |            |            |               |
| | calculate    | total  |                   |            |            | sum(${hours}) |
| | end repeat   |        |                   |            |            |               |
| settings |
| | form_id | form_title | version | default_language |
| | nested  | Nested     | 1       | fr               |
"""


def _fields(html: str) -> dict[str, str]:
    """The hidden fields a page carries (its counts of nested instances too)."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


@pytest.mark.storage
def test_a_repeat_inside_a_repeat_is_answered_over_http_and_exported(
    live_server_any,
) -> None:
    server = live_server_any
    with transaction(server.app.state.engine) as session:
        form_id = field_form(session, NESTED_FORM, attributes=())
        [invitation] = create_invitations(
            session=session, form_id=form_id, attributes=[{}]
        )
    with httpx.Client(base_url=server.url, timeout=HTTP_TIMEOUT) as http:
        notice = http.get(f"/i/{invitation.token}")
        started = http.post(
            f"/i/{invitation.token}",
            data={"csrf_token": _hidden(notice.text, "csrf_token")},
        )
        url = started.headers["location"]
        page = http.get(url)
        posted = _next(http, url, page.text, {"where~city": "Lyon"})
        url = posted.headers["location"]
        assert url.endswith("/person")

        def send(action: str, fields: dict) -> httpx.Response:
            html = http.get(url).text
            data = {**_fields(html), "_action": action, **fields}
            return http.post(url, data=data)

        # One empty person, no job yet: a button adds a job to that person.
        html = http.get(url).text
        assert 'value="add:job:1"' in html and _fields(html)["job#1"] == "0"
        assert send("add:job:1", {"pname.1": "Ana"}).status_code == 303
        assert (
            send("add:job:1", {"pname.1": "Ana", "title.1.1": "dev"}).status_code == 303
        )
        html = http.get(url).text
        assert 'name="title.1.2"' in html and 'value="remove:job:1.2"' in html
        assert "Hours of Ana" in html  # ${pname}: the enclosing instance's answer
        assert (
            send(
                "remove:job:1.1",
                {"pname.1": "Ana", "title.1.1": "dev", "title.1.2": "ops"},
            ).status_code
            == 303
        )
        assert (
            send(
                "add",
                {
                    "pname.1": "Ana",
                    "title.1.1": "ops",
                    "hours.1.1": "70",
                    "person~job~city.1.1": "Paris",
                },
            ).status_code
            == 303
        )
        refused = send(
            "next",
            {
                "pname.1": "Ana",
                "title.1.1": "ops",
                "hours.1.1": "70",
                "person~job~city.1.1": "Paris",
                "pname.2": "Bo",
            },
        )
        assert refused.status_code == 422  # 70 hours breaks the job's constraint
        assert 'href="#q-hours-1-1"' in refused.text
        done = send(
            "next",
            {
                "pname.1": "Ana",
                "title.1.1": "ops",
                "hours.1.1": "40",
                "person~job~city.1.1": "Paris",
                "pname.2": "Bo",
            },
        )
        assert done.status_code == 303
    with transaction(server.app.state.engine) as session:
        stored = session.scalars(select(ResponseRecord)).one()
        assert stored.status == "completed"
        assert stored.answers == {
            "where~city": "Lyon",
            "person": [
                {
                    "pname": "Ana",
                    "job": [{"title": "ops", "hours": "40", "person~job~city": "Paris"}],
                },
                {"pname": "Bo", "job": []},
            ],
        }
        export = load_export(session=session, form_id=form_id)
    person, job = export.table("person").frame, export.table("job").frame
    assert list(person["person/pname"]) == ["Ana", "Bo"]
    assert list(person["person/total"]) == [40, 0]
    assert (list(job["_index"]), list(job["_parent_index"])) == ([1], [1])
    assert (
        job.iloc[0]["person/job/city"],
        export.tables[0].frame.iloc[0]["where/city"],
    ) == ("Paris", "Lyon")
    assert export.table("job").parent_table == "person"


def test_a_nested_repeat_page_works_without_javascript_and_passes_axe(
    live_server, axe_page, axe_violations
) -> None:
    with transaction(live_server.app.state.engine) as session:
        form_id = field_form(session, NESTED_FORM, attributes=())
        [invitation] = create_invitations(
            session=session, form_id=form_id, attributes=[{}]
        )
    page = axe_page
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/i/{invitation.token}")
    page.get_by_role("button", name="J'ai lu ces informations").click()
    page.fill('input[name="where~city"]', "Lyon")
    page.click('button[name="_action"][value="next"]')
    page.fill('input[name="pname.1"]', "Ana")
    page.click('button[name="_action"][value="add:job:1"]')
    # the typed name is kept, the new job is inside person 1, labelled from it
    assert page.input_value('input[name="pname.1"]') == "Ana"
    assert (
        page.locator('fieldset#instance-job-1\\.1 input[name="title.1.1"]').count() == 1
    )
    assert "Hours of Ana" in page.locator("fieldset#instance-job-1\\.1").inner_text()
    assert axe_violations(page) == [], "nested repeat page at 375 px"
    page.fill('input[name="title.1.1"]', "ops")
    page.fill('input[name="hours.1.1"]', "40")
    page.click('button[name="_action"][value="next"]')
    with transaction(live_server.app.state.engine) as session:
        stored = session.scalars(select(ResponseRecord)).one()
        assert stored.answers["person"] == [
            {
                "pname": "Ana",
                "job": [{"title": "ops", "hours": "40", "person~job~city": ""}],
            }
        ]
