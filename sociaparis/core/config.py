"""Settings read from the environment (prefix ``SOCIAPARIS_``)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret"}


class Settings(BaseSettings):
    """Everything sociaparis reads from its environment.

    Attributes
    ----------
    data_dir
        Folder for the embedded database and files (``SOCIAPARIS_DATA_DIR``).
    database_url
        SQLAlchemy URL (``SOCIAPARIS_DATABASE_URL``); defaults to
        ``sqlite:///<data_dir>/sociaparis.db``.
    mode
        ``single`` (one researcher, embedded SQLite) or ``server`` (multi-user).
    secret_key
        Signs sessions and CSRF tokens; required in server mode.  In single-user
        mode a missing key is generated once into the data folder
        (:func:`with_secret_key`).
    min_cell_count
        Smallest count shown in published tables (never below 5).
    base_url
        The address people reach sociaparis at (``SOCIAPARIS_BASE_URL``, e.g.
        ``https://enquetes.paris.fr``): the links the app writes (resume links,
        invitation links) start with it. Empty: the address the server listens
        on; never the ``Host`` a request claims.
    trusted_proxies
        Addresses or networks of the reverse proxies whose ``X-Forwarded-For``
        and ``X-Forwarded-Proto`` are believed (``SOCIAPARIS_TRUSTED_PROXIES``,
        comma-separated, e.g. ``127.0.0.1,10.0.0.0/8``). Empty (the default):
        none, and the client is the peer of the connection.
    smtp_host, smtp_port, smtp_security, smtp_user, smtp_password, smtp_sender
        The SMTP server invitation e-mails are sent through
        (``SOCIAPARIS_SMTP_*``): ``smtp_security`` is ``starttls`` (port 587,
        the default), ``tls`` (implicit TLS, port 465) or ``none`` (a local
        relay only); the password is never shown. Empty host: no e-mail.
    smtp_rate
        Messages sent per minute at most (``SOCIAPARIS_SMTP_RATE``, default 60).
    upload_max_bytes
        Largest file a respondent may upload to a file question
        (``SOCIAPARIS_UPLOAD_MAX_BYTES``, default 10 MB), before an image is
        downscaled to its ``max-pixels``.
    upload_quota_bytes
        Most bytes all uploaded files may take together in the data folder
        (``SOCIAPARIS_UPLOAD_QUOTA_BYTES``); 0, the default, sets no quota
        beyond the disk's free space.
    upload_min_free_bytes
        Free space an upload must leave on the data folder's disk
        (``SOCIAPARIS_UPLOAD_MIN_FREE_BYTES``, default 500 MB), so that the
        database can still grow.
    jobs_workers
        Job worker processes ``sociaparis serve`` starts beside the web server
        (``SOCIAPARIS_JOBS_WORKERS``, default 1); 0 when the workers run apart
        (``sociaparis job worker``, docs/deployment.md).
    jobs_priority
        CPU priority of those job workers (``SOCIAPARIS_JOBS_PRIORITY``):
        ``low`` (nice 19, the default), ``idle`` (Linux's ``SCHED_IDLE`` too)
        or ``normal``; as ``sociaparis job worker --priority``.
    jobs_retention_hours
        Hours a finished job and its result file are kept
        (``SOCIAPARIS_JOBS_RETENTION_HOURS``, default 168: a week).
    study_dir
        The study folder (its ``study.toml``, ``SOCIAPARIS_STUDY_DIR``) whose
        population margins and minimum cell count the researcher pages (the
        survey explorer, the reports page) use; unset: design weights only.
    server_timing
        Add a ``Server-Timing`` header to every response: the milliseconds the
        application spent on the request and those of its database work
        (``SOCIAPARIS_SERVER_TIMING``, default false: it tells every client how
        long the server took). For latency diagnosis (:mod:`sociaparis.web.timing`).
    lock_timeout
        Seconds a write waits for a SQLite database that another program (a
        ``sociaparis`` command, another worker) is writing to; past it the
        server answers 503 with ``Retry-After`` and a command stops with
        ``CORE_020``.
    llm_url, llm_model, llm_key
        The OpenAI-compatible endpoint that AI-assisted coding may use
        (``SOCIAPARIS_LLM_URL``, the base URL ending in ``/v1``; ``SOCIAPARIS_LLM_MODEL``;
        ``SOCIAPARIS_LLM_KEY``, sent as a Bearer token and never shown or recorded).
        Empty URL or model: no call is ever made.
    llm_timeout, llm_retries, llm_concurrency
        Seconds one request may take (default 120), further attempts after a
        429, a 5xx or a network error (default 3, with exponential back-off), and
        requests in flight at once (default 4).
    llm_chunk_words
        Words of a document sent in one request (default 1500; chunks overlap).
    transcribe_model
        Model of the ``/audio/transcriptions`` endpoint at ``llm_url``
        (``SOCIAPARIS_TRANSCRIBE_MODEL``, e.g. ``whisper-1`` or
        ``openai/whisper-large-v3``).
    audio_max_bytes
        Largest recording ``qual transcribe`` takes (``SOCIAPARIS_AUDIO_MAX_BYTES``,
        default 200 MB).
    """

    model_config = SettingsConfigDict(
        env_prefix="SOCIAPARIS_", env_file=".env", extra="ignore"
    )

    data_dir: Path = Path("sociaparis-data")
    database_url: str = ""
    mode: Literal["single", "server"] = "single"
    secret_key: str = ""
    min_cell_count: int = 10
    base_url: str = ""
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = ()

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value:
            return ""
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError(
                f"SOCIAPARIS_BASE_URL={value!r} is not an http(s) address: write it "
                "as https://host[:port][/path]."
            )
        if parts.query or parts.fragment:
            raise ValueError(
                f"SOCIAPARIS_BASE_URL={value!r} has a query or fragment: give the "
                "address only."
            )
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> tuple[str, ...]:
        items = value.split(",") if isinstance(value, str) else list(value or ())
        proxies = tuple(str(item).strip() for item in items if str(item).strip())
        for proxy in proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(
                    f"SOCIAPARIS_TRUSTED_PROXIES: {proxy!r} is not an IP address or "
                    "network: list addresses or networks separated by commas, e.g. "
                    "127.0.0.1,10.0.0.0/8."
                ) from None
        return proxies

    server_timing: bool = False
    lock_timeout: float = 10.0
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_sender: str = ""
    smtp_rate: float = 60.0
    upload_max_bytes: int = 10_000_000
    upload_quota_bytes: int = 0
    upload_min_free_bytes: int = 500_000_000
    jobs_workers: int = 1
    jobs_priority: Literal["low", "idle", "normal"] = "low"
    jobs_retention_hours: float = 168.0
    llm_url: str = ""
    llm_model: str = ""
    llm_key: SecretStr = SecretStr("")
    llm_timeout: float = 120.0
    llm_retries: int = 3
    llm_concurrency: int = 4
    llm_chunk_words: int = 1500
    transcribe_model: str = ""
    audio_max_bytes: int = 200_000_000
    study_dir: Path | None = None

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'sociaparis.db'}"
        if self.min_cell_count < 5:
            raise ValueError(
                f"SOCIAPARIS_MIN_CELL_COUNT={self.min_cell_count}: published cells "
                "can never be smaller than 5."
            )
        if not 0 < self.lock_timeout <= 600:
            raise ValueError(
                f"SOCIAPARIS_LOCK_TIMEOUT={self.lock_timeout}: give a number of "
                "seconds above 0 and at most 600."
            )
        if not 0 < self.smtp_rate <= 6000:
            raise ValueError(
                f"SOCIAPARIS_SMTP_RATE={self.smtp_rate}: give a number of messages "
                "per minute above 0 and at most 6000."
            )
        if not 0 < self.smtp_port < 65536:
            raise ValueError(f"SOCIAPARIS_SMTP_PORT={self.smtp_port}: not a port.")
        if self.upload_max_bytes < 1:
            raise ValueError(
                f"SOCIAPARIS_UPLOAD_MAX_BYTES={self.upload_max_bytes}: give a number "
                "of bytes of at least 1 (e.g. 10000000 for 10 MB)."
            )
        if self.upload_quota_bytes < 0 or self.upload_min_free_bytes < 0:
            raise ValueError(
                "SOCIAPARIS_UPLOAD_QUOTA_BYTES and SOCIAPARIS_UPLOAD_MIN_FREE_BYTES "
                "are numbers of bytes, 0 or more."
            )
        if not 0 <= self.jobs_workers <= 64 or self.jobs_retention_hours <= 0:
            raise ValueError(
                f"SOCIAPARIS_JOBS_WORKERS={self.jobs_workers} must be 0 to 64 and "
                f"SOCIAPARIS_JOBS_RETENTION_HOURS={self.jobs_retention_hours} above 0."
            )
        if not 0 < self.llm_timeout <= 3600 or not 0 <= self.llm_retries <= 10:
            raise ValueError(
                f"SOCIAPARIS_LLM_TIMEOUT={self.llm_timeout} must be above 0 and at most "
                f"3600 s, SOCIAPARIS_LLM_RETRIES={self.llm_retries} 0 to 10."
            )
        if not 1 <= self.llm_concurrency <= 64 or self.llm_chunk_words < 50:
            raise ValueError(
                f"SOCIAPARIS_LLM_CONCURRENCY={self.llm_concurrency} must be 1 to 64 and "
                f"SOCIAPARIS_LLM_CHUNK_WORDS={self.llm_chunk_words} at least 50."
            )
        if self.audio_max_bytes < 1:
            raise ValueError(
                f"SOCIAPARIS_AUDIO_MAX_BYTES={self.audio_max_bytes}: give a number of "
                "bytes of at least 1 (e.g. 200000000 for 200 MB)."
            )
        if (
            self.mode == "server"
            and self.secret_key.strip().lower() in _PLACEHOLDER_SECRETS
        ):
            raise ValueError(
                "SOCIAPARIS_SECRET_KEY is missing or a well-known example value; "
                "server mode needs a real secret (run `sociaparis config init`)."
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        """Whether the configured database is SQLite."""
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once from the environment."""
    return Settings()


def with_secret_key(settings: Settings) -> Settings:
    """Return ``settings`` with a secret key, creating one in the data folder if needed.

    In single-user mode a missing key is generated once and kept in
    ``<data_dir>/secret_key`` (readable by the owner only), so sessions survive a
    restart and every worker process signs with the same key.
    """
    if settings.secret_key.strip().lower() not in _PLACEHOLDER_SECRETS:
        return settings
    path = settings.data_dir / "secret_key"
    if not path.exists():
        import os
        import secrets

        from sociaparis.core.private import private_folder

        private_folder(settings.data_dir)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return settings.model_copy(update={"secret_key": path.read_text().strip()})
