"""Alembic environment: the URL comes from Microblog's settings unless a caller (the tests, the
CLI) passes one in `sqlalchemy.url`; the metadata is the models'. Batch mode lets SQLite ALTER."""

from __future__ import annotations

from logging.config import fileConfig

from sqlmodel import SQLModel

import microblog.models  # noqa: F401  (registers the tables on the metadata)
from alembic import context
from microblog.config import get_settings, normalize_database_url
from microblog.db import make_engine
from microblog.services.search.ddl import include_object

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    return normalize_database_url(url) if url else get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_url())
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
