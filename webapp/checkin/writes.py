"""Writing a check-in: the check-in row, its scan row and its audit row.

On PostgreSQL the three inserts travel as one statement (data-modifying
CTEs): the scan endpoint is benchmarked, and under load each round trip
to the database costs more than the Python around it. SQLite has no such
CTEs and gets three statements in the same transaction. The statements
are built once; building them per request cost more CPU than running them.
Scanner devices on PostgreSQL pass their own connection and get the same
statements prepared (database.PreparedStatement).
"""
from typing import Any

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.engine import Connection

from ..database import PreparedStatement
from ..extensions import db
from ..models import AuditEntry, CheckIn, Scan

check_ins = CheckIn.__table__
scans = Scan.__table__
audit_entries = AuditEntry.__table__

CHECK_IN_COLUMNS = ("event_id", "ticket_id", "holder_name", "checked_in_at",
                    "desk_name", "user_id", "desk_token_id")
SCAN_COLUMNS = ("event_id", "raw_code", "ticket_id", "result", "desk_name", "user_id",
                "desk_token_id", "request_id", "scanned_at")
AUDIT_COLUMNS = ("event_id", "user_id", "actor", "action", "summary", "holder_id",
                 "ticket_id", "created_at")

INSERT_SCAN = insert(scans)
INSERT_CHECK_IN = insert(check_ins).returning(check_ins.c.id)
INSERT_AUDIT_ENTRY = insert(audit_entries)


def _params(table, prefix: str, names: tuple[str, ...]) -> list:
    return [bindparam(f"{prefix}_{name}", type_=table.c[name].type).label(name)
            for name in names]


def _all_in_one_statement():
    new = insert(check_ins).from_select(
        CHECK_IN_COLUMNS, select(*_params(check_ins, "c", CHECK_IN_COLUMNS))
    ).returning(check_ins.c.id).cte("new_check_in")
    new_scan = insert(scans).from_select(
        [*SCAN_COLUMNS, "check_in_id"],
        select(*_params(scans, "s", SCAN_COLUMNS), new.c.id)
    ).cte("new_scan")
    details = func.json_build_object(
        "check_in_id", new.c.id,
        "desk_name", bindparam("a_desk_name", type_=check_ins.c.desk_name.type))
    new_audit_entry = insert(audit_entries).from_select(
        [*AUDIT_COLUMNS, "details"],
        select(*_params(audit_entries, "a", AUDIT_COLUMNS), details),
    ).cte("new_audit_entry")
    return select(new.c.id).add_cte(new_scan, new_audit_entry)


INSERT_ALL = _all_in_one_statement()
PREPARED_INSERT_ALL = PreparedStatement("admitone_insert_check_in", INSERT_ALL)
PREPARED_INSERT_SCAN = PreparedStatement("admitone_insert_scan", insert(scans).values(
    {name: bindparam(name, type_=scans.c[name].type)
     for name in (*SCAN_COLUMNS, "check_in_id")}))


def insert_scan(values: dict[str, Any], connection: Connection | None = None) -> None:
    """Insert a scan that checked nobody in."""
    if connection is not None:
        PREPARED_INSERT_SCAN.run(connection, values)
        return
    db.session.execute(INSERT_SCAN, values)


def insert_check_in(check_in: dict[str, Any], scan: dict[str, Any],
                    audit: dict[str, Any], connection: Connection | None = None) -> int:
    """Insert all three rows; the scan and audit rows get the check-in's id.

    The audit row's details are the check-in's id and `audit["details"]`'s
    desk_name, which is all a check-in's audit row carries.
    """
    if connection is None and db.session.get_bind().dialect.name != "postgresql":
        check_in_id = db.session.execute(INSERT_CHECK_IN, check_in).scalar_one()
        insert_scan({**scan, "check_in_id": check_in_id})
        details = {"check_in_id": check_in_id, **audit["details"]}
        db.session.execute(INSERT_AUDIT_ENTRY, {**audit, "details": details})
        return check_in_id

    params = {f"c_{name}": check_in[name] for name in CHECK_IN_COLUMNS}
    params.update({f"s_{name}": scan[name] for name in SCAN_COLUMNS})
    params.update({f"a_{name}": audit[name] for name in AUDIT_COLUMNS})
    params["a_desk_name"] = audit["details"]["desk_name"]
    if connection is not None:
        return PREPARED_INSERT_ALL.run(connection, params).scalar_one()
    return db.session.execute(INSERT_ALL, params).scalar_one()
