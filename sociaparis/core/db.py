"""Database engine, sessions, the declarative ``Base`` and schema upgrades.

The same code runs on SQLite (embedded default, WAL mode) and PostgreSQL
(psycopg 3).  Domain packages declare their tables on :class:`Base`; service
functions receive a session and never commit.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from sociaparis.core.config import Settings
from sociaparis.core.errors import CoreError, Reason, SociaparisError
from sociaparis.core.private import private_file, private_folder

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


class Base(DeclarativeBase):
    """Declarative base for every table of every domain package."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Schema-comparison filter: leave out the objects that domain packages create
    with raw DDL (full-text indexes) and list in ``Base.metadata.info["unmanaged"]``."""
    return name not in Base.metadata.info.get("unmanaged", ())


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def load_models() -> None:
    """Import every domain ``models`` module so that ``Base.metadata`` is complete."""
    import importlib
    import pkgutil

    import sociaparis

    for module in pkgutil.iter_modules(sociaparis.__path__):
        if module.name in {"core", "cli", "web", "migrations"}:
            continue
        try:
            importlib.import_module(f"sociaparis.{module.name}.models")
        except ModuleNotFoundError as exc:
            if exc.name != f"sociaparis.{module.name}.models":
                raise


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: a committed (acknowledged) page survives a power cut, not only a crash.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def make_engine(settings: Settings) -> Engine:
    """Create the engine for ``settings.database_url``.

    SQLite files get their folder created (mode 0700 when new) and are created
    with mode 0600 (SQLite gives its ``-wal`` and ``-shm`` files the database
    file's mode), WAL journaling, enforced foreign keys, and a write waits up to
    ``settings.lock_timeout`` seconds for another writer; PostgreSQL URLs
    written as ``postgresql://`` use psycopg 3.
    """
    url = _parse_url(settings.database_url)
    if url.drivername in {"postgresql", "postgres"}:
        url = url.set(drivername="postgresql+psycopg")
    kwargs: dict[str, Any] = {}
    if url.drivername.startswith("sqlite"):
        if url.database and url.database != ":memory:":
            try:
                private_folder(Path(url.database).parent)
                private_file(Path(url.database))
            except OSError as exc:
                raise SociaparisError(
                    CoreError.DB_UNREACHABLE, url=_shown(url), reason=exc
                ) from None
        # timeout: SQLite's busy timeout, how long a write waits for the lock.
        kwargs["connect_args"] = {
            "check_same_thread": False,
            "timeout": settings.lock_timeout,
        }
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(url, **kwargs)
    except ImportError as exc:
        raise SociaparisError(
            CoreError.DB_BAD_URL,
            url=_shown(url),
            reason=Reason(
                en=f"its database driver is not installed ({exc})",
                fr=f"son pilote de base de données n'est pas installé ({exc})",
            ),
        ) from None
    except (ArgumentError, ValueError, TypeError) as exc:
        raise SociaparisError(CoreError.DB_BAD_URL, url=_shown(url), reason=exc) from None
    if url.drivername.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def is_lock_timeout(error: BaseException) -> bool:
    """Whether ``error`` is SQLite's "database is locked": another connection
    held the write lock longer than the connection's busy timeout."""
    if not isinstance(error, DBAPIError):
        return False
    name = getattr(error.orig, "sqlite_errorname", "")
    return name.startswith("SQLITE_BUSY") or "database is locked" in str(error.orig)


def lock_timeout_error(settings: Settings) -> SociaparisError:
    """``CORE_020``: the database stayed locked by another writer for the whole
    ``settings.lock_timeout``."""
    url = make_url(settings.database_url).render_as_string(hide_password=True)
    return SociaparisError(CoreError.DB_LOCKED, url=url, seconds=settings.lock_timeout)


#: A long command commits its work at least every ``BATCH_ITEMS`` items ...
BATCH_ITEMS = 50
#: ... and as soon as its open transaction is ``BATCH_SECONDS`` old.
BATCH_SECONDS = 1.0


class BatchCommits:
    """Commit a long run of writes in batches, so that no transaction holds the
    database's write lock for long (on SQLite, one writer at a time: the web
    server's respondents wait while a command writes).

    Call :meth:`item_done` after each item: the session is committed after
    :data:`BATCH_ITEMS` items or once the batch is :data:`BATCH_SECONDS` old,
    whichever comes first. What was committed stays if the run is
    interrupted; the caller commits the last batch. ``committed`` counts the
    items committed so far.

    Parameters
    ----------
    session
        The session the items are written in (not inside ``Session.begin()``).
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.size = BATCH_ITEMS
        self.seconds = BATCH_SECONDS
        self.pending = 0
        self.committed = 0
        self._started = time.monotonic()

    def item_done(self) -> None:
        """Count one item written; commit if the batch is full."""
        self.pending += 1
        if self.pending >= self.size or time.monotonic() - self._started >= self.seconds:
            self.commit()

    def commit(self) -> None:
        """Commit the batch in progress (if any) and start the next one."""
        if self.pending:
            self.session.commit()
            self.committed += self.pending
        self.pending = 0
        self._started = time.monotonic()


#: the database systems sociaparis runs on (SQLAlchemy backend names)
SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def _shown(url: URL | str) -> str:
    """The URL for a message, its password hidden (also when it cannot be parsed)."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


def _parse_url(raw: str) -> URL:
    """Parse a database URL, or raise ``CORE_004`` saying what is wrong with it."""
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError) as exc:
        raise SociaparisError(
            CoreError.DB_BAD_URL,
            url=_shown(raw),
            reason=Reason(
                en=f"it is not a valid URL ({exc})",
                fr=f"ce n'est pas une URL valide ({exc})",
            ),
        ) from None
    backend = url.get_backend_name()
    if backend not in SUPPORTED_BACKENDS and backend != "postgres":
        raise SociaparisError(
            CoreError.DB_BAD_URL,
            url=_shown(url),
            reason=Reason(
                en=f"'{backend}' databases are not supported, only SQLite and PostgreSQL",
                fr=f"les bases de données « {backend} » ne sont pas prises en charge, "
                "seulement SQLite et PostgreSQL",
            ),
        )
    return url


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory bound to ``engine``."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """Yield a session in a transaction: commit on success, roll back on error."""
    with make_session_factory(engine).begin() as session:
        yield session


_PROCESS_WRITE_LOCK = threading.Lock()
_LOCK_FILES_KEPT = 4  # lock files a thread keeps open (one per database it writes)


class _ThreadLockFiles(threading.local):
    """This thread's open ``<database>.lock`` files, by path (most recent last),
    the process that opened them, and how deep this thread holds each lock."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.handles: dict[str, Any] = {}
        self.depth: dict[str, int] = {}


_LOCK_FILES = _ThreadLockFiles()


def _lock_file(path: str) -> Any:
    """This thread's handle on ``path``, opened once and kept.

    flock belongs to an open file, so each thread needs its own handle (a
    shared one would let two threads hold the lock at once), and a process must
    not use handles it inherited through fork (they would share the parent's).
    """
    files = _LOCK_FILES
    if files.pid != os.getpid():
        files.pid, files.handles, files.depth = os.getpid(), {}, {}
    handle = files.handles.pop(path, None)
    if handle is None:
        handle = open(private_file(Path(path)), "a")  # noqa: SIM115 - kept open
        while len(files.handles) >= _LOCK_FILES_KEPT:
            oldest = next(iter(files.handles))
            if files.depth.get(oldest):
                break
            files.handles.pop(oldest).close()
    files.handles[path] = handle
    return handle


class _SqliteWriteLock:
    """The exclusive flock on ``<database>.lock``; re-entrant within a thread."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path

    def __enter__(self) -> None:
        import fcntl

        handle = _lock_file(self.path)
        depth = _LOCK_FILES.depth.get(self.path, 0)
        if depth == 0:
            fcntl.flock(handle, fcntl.LOCK_EX)
        _LOCK_FILES.depth[self.path] = depth + 1

    def __exit__(self, *_exc: object) -> None:
        import fcntl

        depth = _LOCK_FILES.depth[self.path] - 1
        _LOCK_FILES.depth[self.path] = depth
        if depth == 0:
            fcntl.flock(_LOCK_FILES.handles[self.path], fcntl.LOCK_UN)


def sqlite_file(engine: Engine) -> str | None:
    """The path of ``engine``'s SQLite file; None on another database or for
    SQLite in memory (a database that no other connection sees).

    Examples
    --------
    >>> from sqlalchemy import create_engine
    >>> sqlite_file(create_engine("sqlite:///study/sociaparis.db"))
    'study/sociaparis.db'
    >>> sqlite_file(create_engine("sqlite://")) is None
    True
    """
    database = engine.url.database
    if not engine.url.drivername.startswith("sqlite") or database in {
        None,
        "",
        ":memory:",
    }:
        return None
    return database


def write_lock(engine: Engine) -> AbstractContextManager[Any]:
    """Serialize writers to one SQLite file across threads and worker processes.

    SQLite lets one writer in at a time and makes the others poll with growing
    sleeps, which stretches the latency tail under load; queueing on an OS file
    lock (``<database>.lock``) wakes the next writer as soon as the lock is free.
    Each thread keeps its lock file open (a page submission takes the lock every
    time). On PostgreSQL (row locks) and in-memory SQLite this does nothing.
    """
    database = sqlite_file(engine)
    if database is None:
        return nullcontext()
    if os.name != "posix":  # Windows: one process, so a lock in memory is enough
        return _PROCESS_WRITE_LOCK
    # SQLite's own lock decides who writes; this one only queues the server's
    # writers, so a command writing in batches does not take it.
    return _SqliteWriteLock(f"{database}.lock")


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str | None:
    """Return the newest migration revision shipped with this version."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    return script.get_current_head()


def current_revision(engine: Engine) -> str | None:
    """Return the revision the database is stamped with, or None if unstamped."""
    from alembic.runtime.migration import MigrationContext

    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except (OperationalError, InterfaceError) as exc:
        raise SociaparisError(
            CoreError.DB_UNREACHABLE, url=_safe_url(engine), reason=exc.orig
        ) from None


def upgrade(engine: Engine) -> None:
    """Run every pending migration on ``engine`` (``sociaparis db upgrade``)."""
    from alembic import command

    command.upgrade(_alembic_config(engine), "head")


def _backup_sqlite(engine: Engine) -> Path | None:
    database = engine.url.database
    if not database or database == ":memory:" or not Path(database).exists():
        return None
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    backup = Path(f"{database}.{stamp}.bak")
    engine.dispose()
    shutil.copy2(database, backup)
    return backup


def ensure_schema(engine: Engine, settings: Settings) -> str | None:
    """Bring the database schema up to date, as the app does at start.

    A new, empty database gets every table and is stamped at head.  An out-of-date
    SQLite database in single-user mode is copied to a timestamped backup and then
    upgraded; in server mode an out-of-date database is refused with the exact
    command to run.

    Returns
    -------
    str or None
        A message for the user (for example where the backup went), or None.
    """
    from alembic import command
    from alembic.script import ScriptDirectory

    load_models()
    try:
        tables = set(inspect(engine).get_table_names())
    except OperationalError as exc:
        raise SociaparisError(
            CoreError.DB_UNREACHABLE, url=_safe_url(engine), reason=exc.orig
        ) from exc
    head = head_revision()
    if not tables - {"alembic_version"}:
        Base.metadata.create_all(engine)
        command.stamp(_alembic_config(engine), "head")
        return None
    current = current_revision(engine)
    if current == head:
        return None
    known = {
        rev.revision for rev in ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions()
    }
    if current is not None and current not in known:
        raise SociaparisError(CoreError.DB_NEWER, url=_safe_url(engine), current=current)
    if settings.mode == "server":
        raise SociaparisError(
            CoreError.DB_OUTDATED, url=_safe_url(engine), current=current, head=head
        )
    message = None
    if engine.url.drivername.startswith("sqlite"):
        backup = _backup_sqlite(engine)
        if backup is not None:
            message = f"Database upgraded; the previous version was saved to {backup}"
    upgrade(engine)
    return message


def _safe_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)
