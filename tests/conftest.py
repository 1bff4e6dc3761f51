"""Shared fixtures: settings, database engines on SQLite and PostgreSQL, sessions.

Storage tests take the ``engine`` (or ``session``, or ``database_url``) fixture and
run once per backend.  PostgreSQL is reached at ``--pg-url`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``); each test run works in
a database of its own, created here and dropped at the end.  Without a reachable
PostgreSQL the PostgreSQL runs are skipped, except under ``CI=true`` where they fail.
"""

from __future__ import annotations

import io
import os
import socket
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from sociaparis.core.config import Settings
from sociaparis.core.db import ensure_schema, make_engine

REPO_ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes() -> Iterator[None]:
    """argon2 at a test's cost (1 MiB, one pass) instead of production's (64 MiB,
    three passes): hundreds of tests create and log in accounts, and each hash
    would cost a few hundred milliseconds. The hashes are still argon2id, and
    servers started as subprocesses (``serve`` tests) keep production's cost."""
    from argon2 import PasswordHasher

    from sociaparis.accounts import service

    saved = service._HASHER, service._DUMMY_HASH
    service._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    service._DUMMY_HASH = service._HASHER.hash("sociaparis-no-such-user")
    yield
    service._HASHER, service._DUMMY_HASH = saved


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--pg-url",
        default=os.environ.get("SOCIAPARIS_TEST_PG_URL", DEFAULT_PG_URL),
        help="PostgreSQL server used for the storage tests (a database is created on it)",
    )


class _Postgres:
    """Creates and drops throw-away databases on the test PostgreSQL server."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = make_url(admin_url)
        self.created: list[str] = []
        self.error: str | None = None
        try:
            self._admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
            with self._admin.connect() as connection:
                connection.execute(text("select 1"))
        except Exception as exc:  # noqa: BLE001 - any failure means "no server"
            self.error = f"PostgreSQL at {admin_url} is unreachable: {exc}"

    def create_database(self) -> str:
        name = f"sociaparis_test_{uuid.uuid4().hex[:12]}"
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        def drop(name: str) -> None:
            with self._admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

        # Each DROP DATABASE waits for a checkpoint: one after the other, a
        # hundred drops took 20 s and more; side by side they share checkpoints.
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(drop, self.created))
        self._admin.dispose()


@pytest.fixture(scope="session")
def postgres(request: pytest.FixtureRequest) -> Iterator[_Postgres]:
    server = _Postgres(request.config.getoption("--pg-url"))
    yield server
    if server.error is None:
        server.drop_all()


def _require(postgres: _Postgres) -> None:
    if postgres.error is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(postgres.error)
        pytest.skip(postgres.error)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Single-user settings on a fresh SQLite file in a temporary folder."""
    return Settings(data_dir=tmp_path / "data", secret_key="test-secret-key-0123456789")


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres: _Postgres
) -> str:
    """URL of a new, empty database: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    _require(postgres)
    return postgres.create_database()


@pytest.fixture(scope="session", params=BACKENDS)
def engine(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    postgres: _Postgres,
) -> Iterator[Engine]:
    """An engine with the full schema, shared by the tests of one backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        _require(postgres)
        url = postgres.create_database()
    settings = Settings(database_url=url, secret_key="test-secret-key-0123456789")
    engine = make_engine(settings)
    ensure_schema(engine, settings)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    connection = engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


class LiveServer:
    """The real app served by uvicorn on a free local port, in a thread."""

    def __init__(self, app: object) -> None:
        import socket
        import threading

        import uvicorn

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.app = app
        self.url = f"http://127.0.0.1:{self.port}"
        # As `sociaparis serve` runs it: uvicorn leaves X-Forwarded-For alone
        # (the app believes it from SOCIAPARIS_TRUSTED_PROXIES only).
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            proxy_headers=False,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self) -> LiveServer:
        import time

        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start within 10 s")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        # What the app's lifespan does on shutdown (uvicorn runs it here without).
        self.app.state.database.close()


def serve(settings: Settings) -> LiveServer:
    """Start the app for ``settings`` over real HTTP (stop it with ``.stop()``)."""
    from sociaparis.web.app import create_app

    return LiveServer(create_app(settings)).start()


@pytest.fixture
def live_server(settings: Settings) -> Iterator[LiveServer]:
    """The app for ``settings`` (a fresh SQLite study) served over real HTTP."""
    server = serve(settings)
    yield server
    server.stop()
    server.app.state.engine.dispose()


@pytest.fixture
def live_server_any(tmp_path: Path, database_url: str) -> Iterator[LiveServer]:
    """The real app over real HTTP on each backend: SQLite, then PostgreSQL."""
    server = serve(
        Settings(
            data_dir=tmp_path / "data",
            database_url=database_url,
            secret_key="test-secret-key-0123456789",
        )
    )
    yield server
    server.stop()
    server.app.state.engine.dispose()


@pytest.fixture
def live_server_with(settings: Settings) -> Iterator[object]:
    """A function serving the app over real HTTP with ``settings`` changed by keywords
    (e.g. ``trusted_proxies=("127.0.0.1",)``); the servers stop after the test."""
    started: list[LiveServer] = []

    def start(**changes: object) -> LiveServer:
        server = serve(settings.model_copy(update=changes))
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
        server.app.state.engine.dispose()


def doc_images() -> Path:
    """Where the browser tests save the screenshots the docs show.

    ``docs/images/`` when ``SOCIAPARIS_DOC_IMAGES=1`` (to refresh them after a
    page changed), else a temporary folder of this process: a test run leaves
    the working tree as it found it.
    """
    if os.environ.get("SOCIAPARIS_DOC_IMAGES") == "1":
        return Path(__file__).resolve().parents[1] / "docs" / "images"
    import tempfile

    return Path(tempfile.mkdtemp(prefix="sociaparis-doc-images-"))


#: seconds an HTTP client of the tests waits, not httpx's 5: beside other test
#: workers (pytest-xdist) a first export or report may take longer
HTTP_TIMEOUT = 30


@pytest.fixture
def http(live_server: LiveServer) -> Iterator[object]:
    """An HTTP client (httpx) aimed at the live server, keeping cookies."""
    import httpx

    with httpx.Client(
        base_url=live_server.url, follow_redirects=False, timeout=HTTP_TIMEOUT
    ) as client:
        yield client


CHROMIUM = Path("/usr/bin/chromium")
AXE_SCRIPT = (
    REPO_ROOT / "tests" / "web" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
)
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing(what: str) -> None:
    message = f"{what} is missing: run scripts/setup"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's headless Chromium, driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        _missing(str(CHROMIUM))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh browser tab with its own cookies, JavaScript off-by-default pages work."""
    context = browser.new_context(locale="fr-FR")
    yield context.new_page()
    context.close()


@pytest.fixture
def axe_page(browser: object) -> Iterator[object]:
    """A tab that may inject axe-core (the page's CSP is bypassed for that alone)."""
    if not AXE_SCRIPT.exists():
        _missing(str(AXE_SCRIPT))
    context = browser.new_context(locale="fr-FR", bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def axe_violations() -> object:
    """A function running axe-core (WCAG 2.1 A and AA) on a page; returns violations."""
    return _axe_violations


def _axe_violations(page: object) -> list[dict]:
    page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["html"] for n in v["nodes"]]}
        for v in result["violations"]
    ]


def assert_accessible_at_both_widths(
    page: object, axe_violations: Callable[[object], list[dict]], *, settle_ms: int = 0
) -> None:
    """axe-core finds no WCAG 2.1 A/AA violation on ``page`` at a laptop's width
    (1280 px) and a phone's (375 px), where the page does not scroll sideways.

    ``settle_ms`` is waited after each resize, for pages that lay out again with
    JavaScript (the coding view's stripes). The tab is left at 1280 px.
    """
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        if settle_ms:
            page.wait_for_timeout(settle_ms)
        assert axe_violations(page) == [], (page.url, width)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, (page.url, width, scroll)
    page.set_viewport_size({"width": 1280, "height": 900})
    if settle_ms:
        page.wait_for_timeout(settle_ms)


#: unzipped size of the entry :func:`zip_bomb` adds (it deflates about 1,000 to 1)
BOMB_BYTES = 64 * 1024 * 1024


@pytest.fixture(scope="session")
def zip_bomb() -> Callable[..., bytes]:
    """Add to a zip (an XLSX, a DOCX…) an entry of 64 MiB of spaces, about 64 kB zipped.

    ``zip_bomb(archive, name="xl/worksheets/sheet9.xml")`` returns the new archive's
    bytes; the entry is written in chunks, so building it takes little memory.
    """

    def bomb(archive: bytes, name: str = "xl/worksheets/sheet9.xml") -> bytes:
        buffer = io.BytesIO(archive)
        with (
            zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as out,
            out.open(name, "w") as entry,
        ):
            chunk = b" " * (1024 * 1024)
            for _ in range(BOMB_BYTES // len(chunk)):
                entry.write(chunk)
        return buffer.getvalue()

    return bomb


class SmtpSink:
    """A local SMTP server (aiosmtpd) that keeps every message it accepts.

    ``on_message`` (if set) is called with each message before the server
    answers: a test may kill the sender there, after the message arrived and
    before the sender hears that it was accepted.
    """

    def __init__(self) -> None:
        import socket

        from aiosmtpd.controller import Controller

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.messages: list[object] = []
        self.on_message = None
        self.refuse: set[str] = set()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 mailbox unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)
        if self.on_message is not None:
            self.on_message(message)
        return "250 Message accepted for delivery"

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def to(self, address: str) -> list[object]:
        """The messages received for ``address``."""
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A local SMTP server started for the test, stopped after it."""
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def free_port() -> int:
    """A port of 127.0.0.1 nothing listens on, for ``serve`` in tests: the
    default 8000 may be taken by a demo running on the same machine."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


#: the password every browser test's account is created with
BROWSER_PASSWORD = "a long enough password"


@pytest.fixture
def logged_in() -> Callable[..., object]:
    """Log a Chromium tab into a live server as a new account of a given role.

    ``logged_in(page, live_server, "claire", role=Role.RESEARCHER)`` creates the
    account, fills the login form as a person does and returns the page, on the
    home page. Two tabs of two browser contexts may log in as two people.
    """
    from sociaparis.accounts.roles import Role
    from sociaparis.accounts.service import create_user
    from sociaparis.core.db import transaction

    def log_in(
        page: object, server: LiveServer, username: str, *, role: object = None
    ) -> object:
        with transaction(server.app.state.engine) as session:
            create_user(
                session=session,
                username=username,
                password=BROWSER_PASSWORD,
                role=role or Role.RESEARCHER,
            )
        page.goto(f"{server.url}/login")
        page.fill("#username", username)
        page.fill("#password", BROWSER_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server.url}/**")
        return page

    return log_in
