"""``sociaparis qual``: documents, pseudonymization, coding, agreement."""

from __future__ import annotations

import click


@click.group()
def qual() -> None:
    """Import, pseudonymize and code interviews; measure inter-coder agreement."""
