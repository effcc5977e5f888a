"""Test databases: a fresh SQLite file or a fresh PostgreSQL database per run.

PostgreSQL tests use their own databases on the server at ADMITONE_TEST_PG
(default: the local server) and drop them afterwards; they touch no other
database. Without a reachable server the PostgreSQL half is skipped with a
notice, except under CI=true, where that is a failure.
"""
import os
import uuid
from contextlib import contextmanager

import psycopg2
import pytest
from psycopg2 import sql

PG_SERVER = os.environ.get("ADMITONE_TEST_PG", "postgresql://postgres@127.0.0.1:5432")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SKIP_NOTICES: list[str] = []


def postgres_reachable() -> str | None:
    """Return None if the server answers, else the reason it does not."""
    try:
        psycopg2.connect(f"{PG_SERVER}/postgres", connect_timeout=3).close()
    except psycopg2.OperationalError as error:
        return str(error).strip()
    return None


def require_postgres() -> None:
    problem = postgres_reachable()
    if problem is None:
        return
    message = f"PostgreSQL at {PG_SERVER} is unreachable: {problem}"
    if IN_CI:
        pytest.fail(message + " (CI=true: PostgreSQL tests must run)", pytrace=False)
    if message not in SKIP_NOTICES:
        SKIP_NOTICES.append(message)
    pytest.skip(message + "; PostgreSQL tests skipped")


def _admin_execute(statement) -> None:
    connection = psycopg2.connect(f"{PG_SERVER}/postgres", connect_timeout=5)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


@contextmanager
def fresh_postgres_database(label: str = "test"):
    """Create an empty database of our own and drop it afterwards."""
    require_postgres()
    name = f"admitone_{label}_{uuid.uuid4().hex[:10]}"
    _admin_execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        _admin_execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                       .format(sql.Identifier(name)))


@contextmanager
def fresh_database(kind: str, tmp_dir, label: str = "test"):
    """Yield the URL of a new, empty database of the given kind."""
    if kind == "postgresql":
        with fresh_postgres_database(label) as url:
            yield url
    else:
        yield f"sqlite:///{tmp_dir / f'{label}-{uuid.uuid4().hex[:8]}.sqlite'}"
