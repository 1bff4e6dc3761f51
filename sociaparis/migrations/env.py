"""Alembic environment: one migration chain for the whole project."""

from __future__ import annotations

from alembic import context

from sociaparis.core.db import Base, include_name, load_models

load_models()
config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    """Run migrations on the engine handed over by :func:`sociaparis.core.db.upgrade`."""
    engine = config.attributes.get("engine")
    if engine is None:
        from sociaparis.core.config import get_settings
        from sociaparis.core.db import make_engine

        engine = make_engine(get_settings())
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
            include_name=include_name,
        )
        context.run_migrations()


run_migrations()
