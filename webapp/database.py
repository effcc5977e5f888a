"""Engine set-up that differs per database, and the one way views commit."""
import logging
from contextlib import contextmanager

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
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
