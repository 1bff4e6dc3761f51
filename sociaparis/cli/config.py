"""``sociaparis config``: print a commented settings template."""

from __future__ import annotations

import secrets

import click

ENV_TEMPLATE = """\
# sociaparis settings. Save as .env in the folder you run sociaparis from,
# or export these variables. Every variable starts with SOCIAPARIS_.

# Folder for the embedded SQLite database and uploaded files.
SOCIAPARIS_DATA_DIR=sociaparis-data

# Database: leave empty for SQLite in the data folder, or use PostgreSQL, e.g.
# SOCIAPARIS_DATABASE_URL=postgresql://sociaparis@127.0.0.1:5432/sociaparis
SOCIAPARIS_DATABASE_URL=

# "single" (one researcher on one machine) or "server" (several users; needs
# PostgreSQL in production and refuses to start without a real secret key).
SOCIAPARIS_MODE=single

# Signs sessions and CSRF tokens. Generated for you: keep it secret.
SOCIAPARIS_SECRET_KEY={secret}

# Smallest count shown in published tables and plots (never below 5).
SOCIAPARIS_MIN_CELL_COUNT=10

# The address people reach sociaparis at; resume and invitation links start
# with it. Empty: the address the server listens on. Set it behind a proxy.
# SOCIAPARIS_BASE_URL=https://enquetes.example.org
SOCIAPARIS_BASE_URL=

# Reverse proxies whose X-Forwarded-For is believed (addresses or networks,
# comma-separated). Empty: none; the client is the connection's peer.
# SOCIAPARIS_TRUSTED_PROXIES=127.0.0.1
SOCIAPARIS_TRUSTED_PROXIES=
# SQLite: seconds a write waits while another program writes to the database;
# then the server answers 503 (respondents keep their answers) and a command stops.
SOCIAPARIS_LOCK_TIMEOUT=10

# E-mail of invitations and reminders (`sociaparis mail send`): the SMTP server,
# "starttls" (port 587), "tls" (implicit TLS, port 465) or "none" (a local relay
# only), the account and the From address. Keep the password out of shared files.
SOCIAPARIS_SMTP_HOST=
SOCIAPARIS_SMTP_PORT=587
SOCIAPARIS_SMTP_SECURITY=starttls
SOCIAPARIS_SMTP_USER=
SOCIAPARIS_SMTP_PASSWORD=
SOCIAPARIS_SMTP_SENDER=
# Messages per minute at most.
SOCIAPARIS_SMTP_RATE=60
# Files sent to file questions (image, audio, video, file): the largest file in
# bytes, the most all uploads may take (0: no quota), and the free space an
# upload must leave on the data folder's disk.
SOCIAPARIS_UPLOAD_MAX_BYTES=10000000
SOCIAPARIS_UPLOAD_QUOTA_BYTES=0
SOCIAPARIS_UPLOAD_MIN_FREE_BYTES=500000000

# AI-assisted coding (docs/assist.md): an OpenAI-compatible endpoint the study
# chooses, e.g. http://localhost:11434/v1 (Ollama). Empty: nothing is ever sent.
# The key is sent as a Bearer token, never shown nor recorded.
SOCIAPARIS_LLM_URL=
SOCIAPARIS_LLM_MODEL=
SOCIAPARIS_LLM_KEY=
# The Whisper model of that endpoint for `sociaparis qual transcribe`.
SOCIAPARIS_TRANSCRIBE_MODEL=
"""


@click.group()
def config() -> None:
    """Settings: print a template with a fresh secret key."""


@config.command("init")
def init_command() -> None:
    """Print a commented .env template with a newly generated secret key."""
    click.echo(ENV_TEMPLATE.format(secret=secrets.token_urlsafe(48)), nl=False)
