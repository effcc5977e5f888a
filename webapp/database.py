"""Engine set-up that differs per database, and the one way views commit."""
import logging
import select
from contextlib import contextmanager
from typing import Any

from flask import has_request_context, request
from sqlalchemy import Select, bindparam, column, event, text
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.exc import (
    DataError,
    DisconnectionError,
    IntegrityError,
    OperationalError,
)
from sqlalchemy.sql import Executable
from sqlalchemy.orm.exc import StaleDataError

from .errors import Conflict, DomainError, conflict_from_integrity_error
from .extensions import db

log = logging.getLogger(__name__)

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def configure_sqlite(engine: Engine, busy_timeout_seconds: int) -> None:
    """Make SQLite enforce foreign keys and queue writers instead of failing them.

    pysqlite's default deferred transactions take the write lock only at the
    first write; two requests that both read first then deadlock, and one
    gets "database is locked" at once. A request that may write therefore
    starts with BEGIN IMMEDIATE and waits up to the busy timeout for its turn.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_seconds * 1000}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        may_write = has_request_context() and request.method not in READ_ONLY_METHODS
        connection.exec_driver_sql("BEGIN IMMEDIATE" if may_write else "BEGIN")


def configure_postgresql(engine: Engine) -> None:
    """Replace pooled connections that PostgreSQL closed, without a ping per request.

    pool_pre_ping sent a SELECT 1 before every request: on the scan API it
    was one round trip of five. A connection the server closed while it sat
    in the pool (a restart, pg_terminate_backend) has data waiting on its
    socket: the server's last message or the end of the stream. Only such a
    connection is pinged, and one that fails the ping is replaced, so the
    request after a restart gets a fresh connection instead of an error.
    """

    @event.listens_for(engine, "checkout")
    def replace_closed_connection(dbapi_connection, _record, _proxy):
        if dbapi_connection.closed:
            raise DisconnectionError("the connection was closed")
        if not has_unread_input(dbapi_connection):
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError("the server closed the connection") from error


def has_unread_input(dbapi_connection) -> bool:
    """True if the socket of an idle connection has something to read."""
    poller = select.poll()
    poller.register(dbapi_connection.fileno(), select.POLLIN)
    return bool(poller.poll(0))


class PreparedStatement:
    """A PostgreSQL statement parsed and planned once per connection, then run.

    On the scan API, planning its statements cost PostgreSQL more CPU than
    running them (bench/scan_profile.py). psycopg2 cannot prepare at the
    protocol level, so the first use on a connection sends PREPARE and every
    use sends EXECUTE with the values. The SQL is compiled from a SQLAlchemy
    statement with a cast on each parameter (psycopg 3's dialect renders
    them), so that PostgreSQL knows the parameters' types when it prepares.
    EXECUTE keeps the statement's parameter types (enums are sent as their
    values) and result columns, so its result is read as cheaply as a
    compiled statement's.
    """

    dialect = PGDialect_psycopg(paramstyle="numeric_dollar")

    def __init__(self, name: str, statement: Executable):
        compiled = statement.compile(dialect=self.dialect)
        binds = [compiled.binds[key] for key in compiled.positiontup or ()]
        keys = list(compiled.positiontup or ())
        self.name = name
        self.prepare_sql = f"PREPARE {name} AS {compiled}"
        arguments = f" ({', '.join(f':{key}' for key in keys)})" if keys else ""
        self.execute = text(f"EXECUTE {name}{arguments}").bindparams(*[
            # A function's literal arguments are parameters with a value.
            bindparam(key, value=bind.value, type_=bind.type)
            for key, bind in zip(keys, binds)])
        if isinstance(statement, Select):
            self.execute = self.execute.columns(
                *[column(name) for name in statement.selected_columns.keys()])

    def run(self, connection: Connection, values: dict[str, Any]) -> CursorResult:
        """Run the statement on the connection, preparing it there on first use."""
        prepared = connection.info.setdefault("prepared_statements", set())
        if self.name not in prepared:
            connection.exec_driver_sql(self.prepare_sql)
            prepared.add(self.name)
        return connection.execute(self.execute, values)


def is_database_busy(error: OperationalError) -> bool:
    return "database is locked" in str(error.orig) or "database is busy" in str(error.orig)


@contextmanager
def transaction():
    """Commit what the block did, or roll it all back and raise a DomainError.

    A constraint that fires becomes the error that the constraint map names,
    so a view can show it on the form with status 409.
    """
    try:
        yield db.session
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise conflict_from_integrity_error(error) from error
    except StaleDataError as error:
        # An UPDATE matched no row: another request deleted it meanwhile.
        db.session.rollback()
        raise Conflict(
            "changed_meanwhile", "Someone else changed or removed this a moment ago. "
            "Nothing was saved; reload the page and check.",
        ) from error
    except DataError as error:
        db.session.rollback()
        log.info("data error: %s", error.orig)
        raise DomainError(
            "invalid_value", "A value was out of range or not allowed. Nothing was saved.",
            status=400,
        ) from error
    except OperationalError as error:
        db.session.rollback()
        if is_database_busy(error):
            raise DomainError(
                "database_busy", "The database is busy with other changes. "
                "Nothing was saved; please send again.", status=503,
            ) from error
        raise
    except BaseException:
        db.session.rollback()
        raise
