"""Give each ticket at most one holder, in the holder's own event.

Rows that break the rule are not deleted: they move to set_aside_holders
with the reason, and the count is printed. For each ticket the earliest
holder stays. The downgrade puts every set-aside row back.

Revision ID: 7c4e2d8b5a21
Revises: 3b1f0c2a9d10
Create Date: 2026-12-04 11:00:00
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "7c4e2d8b5a21"
down_revision = "3b1f0c2a9d10"
branch_labels = None
depends_on = None

HOLDER_COLUMNS = ("event_id", "ticket_id", "first_name", "last_name", "email",
                  "created_at", "updated_at")
OTHER_EVENT = "The ticket belongs to another event."
DUPLICATE = "The ticket already had an earlier holder (row {keeper}), who kept it."

holders = sa.table(
    "ticket_holders",
    sa.column("id", sa.Integer), sa.column("event_id", sa.Integer),
    sa.column("ticket_id", sa.Integer), sa.column("first_name", sa.String),
    sa.column("last_name", sa.String), sa.column("email", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
tickets = sa.table("tickets", sa.column("id", sa.Integer), sa.column("event_id", sa.Integer))


def create_set_aside_table():
    op.create_table(
        "set_aside_holders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("original_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_aside_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_set_aside_holders")),
    )
    op.create_index(op.f("ix_set_aside_holders_event_id"), "set_aside_holders", ["event_id"])
    op.create_index(op.f("ix_set_aside_holders_ticket_id"), "set_aside_holders",
                    ["ticket_id"])
    return sa.table(
        "set_aside_holders",
        sa.column("original_id", sa.Integer),
        *(sa.column(name, holders.c[name].type) for name in HOLDER_COLUMNS),
        sa.column("reason", sa.Text), sa.column("set_aside_at", sa.DateTime(timezone=True)),
    )


def rows_breaking_the_rule(connection) -> dict[int, str]:
    """Map each holder row that must move aside to the reason why."""
    reasons = {}
    cross_event = connection.execute(
        sa.select(holders.c.id).join(tickets, tickets.c.id == holders.c.ticket_id)
        .where(tickets.c.event_id != holders.c.event_id)
    ).scalars()
    for holder_id in cross_event:
        reasons[holder_id] = OTHER_EVENT

    keeper_of_ticket = {}
    ordered = connection.execute(
        sa.select(holders.c.id, holders.c.ticket_id)
        .order_by(holders.c.ticket_id, holders.c.created_at, holders.c.id)
    )
    for holder_id, ticket_id in ordered:
        if holder_id in reasons:
            continue
        if ticket_id in keeper_of_ticket:
            reasons[holder_id] = DUPLICATE.format(keeper=keeper_of_ticket[ticket_id])
        else:
            keeper_of_ticket[ticket_id] = holder_id
    return reasons


def upgrade():
    set_aside = create_set_aside_table()
    connection = op.get_bind()
    reasons = rows_breaking_the_rule(connection)
    now = datetime.now(timezone.utc)

    ids = sorted(reasons)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = connection.execute(
            sa.select(holders).where(holders.c.id.in_(chunk))
        ).mappings().all()
        connection.execute(set_aside.insert(), [
            {"original_id": row["id"], **{name: row[name] for name in HOLDER_COLUMNS},
             "reason": reasons[row["id"]], "set_aside_at": now}
            for row in rows
        ])
        connection.execute(holders.delete().where(holders.c.id.in_(chunk)))
    print(f"Set aside {len(ids)} ticket holder row(s) that broke the one-holder rule "
          f"({sum(r == OTHER_EVENT for r in reasons.values())} from another event); "
          "see the set_aside_holders table.")

    with op.batch_alter_table("ticket_holders") as batch:
        batch.drop_constraint("fk_ticket_holders_ticket_id_tickets", type_="foreignkey")
        batch.create_unique_constraint("uq_ticket_holders_ticket_id_event_id",
                                       ["ticket_id", "event_id"])
        batch.create_foreign_key("fk_ticket_holders_ticket_id_event_id_tickets", "tickets",
                                 ["ticket_id", "event_id"], ["id", "event_id"])


def downgrade():
    with op.batch_alter_table("ticket_holders") as batch:
        batch.drop_constraint("fk_ticket_holders_ticket_id_event_id_tickets",
                              type_="foreignkey")
        batch.drop_constraint("uq_ticket_holders_ticket_id_event_id", type_="unique")
        batch.create_foreign_key("fk_ticket_holders_ticket_id_tickets", "tickets",
                                 ["ticket_id"], ["id"])

    columns = ", ".join(HOLDER_COLUMNS)
    restored = op.get_bind().execute(sa.text(
        f"INSERT INTO ticket_holders (id, {columns}) "
        f"SELECT original_id, {columns} FROM set_aside_holders"
    )).rowcount
    print(f"Put {restored} set-aside ticket holder row(s) back.")
    op.drop_table("set_aside_holders")
