"""``sociaparis qual``: the qualitative corpus (documents, pseudonymization, agreement)."""

from __future__ import annotations

import click


@click.group()
def qual() -> None:
    """Import, pseudonymize and code interviews; measure inter-coder agreement."""
