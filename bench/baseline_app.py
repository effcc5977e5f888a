"""The benchmark's baseline: the least a check-in endpoint can do.

One route, one `UPDATE ... WHERE code = ... RETURNING` on the same
PostgreSQL database, through the same driver and connection pool size.
"""
import os

from flask import Flask, request
from sqlalchemy import create_engine, text

app = Flask(__name__)
engine = create_engine(
    os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg2://", 1))
CHECK_IN = text("UPDATE bench_baseline SET checked_in_at = now() "
                "WHERE code = :code AND checked_in_at IS NULL RETURNING code")


@app.post("/api/v1/events/<int:event_id>/check-ins")
def check_in(event_id: int):
    code = request.get_json(force=True)["code"]
    with engine.begin() as connection:
        row = connection.execute(CHECK_IN, {"code": code}).first()
    if row is None:
        return {"errors": [{"status": "409", "code": "already_checked_in"}]}, 409
    return {"data": {"type": "check-ins", "attributes": {"code": row.code}}}, 201
