"""``sociaparis serve``: run the web application."""

from __future__ import annotations

import os
import subprocess
import sys

import click

from sociaparis.cli.common import open_study, require_free_port
from sociaparis.core.config import get_settings, with_secret_key


def run_server(*, host: str, port: int, workers: int, reload: bool = False) -> None:
    """Upgrade the database if needed, then serve the app with uvicorn."""
    import uvicorn

    require_free_port(host, port)
    settings = with_secret_key(get_settings())
    open_study(settings).dispose()
    if workers > 1 and settings.is_sqlite:
        click.echo(
            "Note: several workers on SQLite serialize their writes; use PostgreSQL "
            "(SOCIAPARIS_DATABASE_URL) for production.",
            err=True,
        )
    click.echo(f"sociaparis is serving on http://{host}:{port}/  (Ctrl+C to stop)")
    worker = start_job_workers(settings.jobs_workers, settings.jobs_priority)
    try:
        uvicorn.run(
            "sociaparis.web.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            reload=reload,
            log_level="warning",
            # The app reads X-Forwarded-For itself, from SOCIAPARIS_TRUSTED_PROXIES only.
            proxy_headers=False,
        )
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()


def start_job_workers(
    count: int, priority: str = "low"
) -> subprocess.Popen[bytes] | None:
    """Start ``sociaparis job worker`` beside the server (``count`` job
    processes at CPU ``priority``; none for 0, when the workers run apart): the
    demo and a single-user study need no other command."""
    if count < 1:
        return None
    command = [sys.executable, "-c", "from sociaparis.cli import main; main()"]
    return subprocess.Popen(
        [
            *command,
            *("job", "worker", "--workers", str(count), "--priority", priority),
            *("--parent", str(os.getpid())),
        ]
    )


@click.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on."
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes (for production on PostgreSQL).",
)
@click.option("--reload", is_flag=True, help="Restart on code changes (development).")
def serve(host: str, port: int, workers: int, reload: bool) -> None:
    """Serve the study in the browser (the default command)."""
    run_server(host=host, port=port, workers=workers, reload=reload)
