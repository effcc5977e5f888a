"""Benchmark the scanner API's check-in under concurrent load, against a baseline.

Creates its own PostgreSQL database with 50,000 held tickets, serves the
app with gunicorn on 127.0.0.1, loads POST /api/v1/events/<id>/check-ins
with wrk (each request a fresh code, so every answer is a real check-in),
then does the same to a minimal Flask route that runs one
`UPDATE ... WHERE code = ... RETURNING` on the same database. Prints
requests per second and latency percentiles for both, and the ratio.
Drops the database at the end.

    python bench/scan_bench.py [--seconds 10] [--rounds 3] [--workers 4]
                               [--connections 16]

Both servers run side by side and the load alternates between them, for
the same time each, a few rounds; it prints every run, then the run with
the median throughput of each side and the median of the rounds' ratios.

Needs wrk (Debian: apt-get install -y wrk) and PostgreSQL at ADMITONE_BENCH_PG
(default postgresql://postgres@127.0.0.1:5432).
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path

import psycopg2
import requests
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_SERVER = os.environ.get("ADMITONE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
TICKETS = 50_000
TARGET_RATIO = 0.6
WRK_THREADS = 2
WARM_UP_SECONDS = 3
WARM_UP_CODES = 5_000
SIDES = (("baseline", "baseline_app:app"), ("ours", "wsgi:app"))
RESULT = re.compile(r"RESULT (.*)")


def admin(statement) -> None:
    connection = psycopg2.connect(f"{PG_SERVER}/postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


@contextmanager
def bench_database():
    name = f"admitone_bench_{uuid.uuid4().hex[:8]}"
    admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def load_data(database_url: str) -> tuple[int, str, list[str]]:
    """Migrate, then make an event with 50,000 held tickets and a desk token."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select, text

    from webapp import create_app
    from webapp.checkin.tokens import create_desk_token
    from webapp.cli import create_user
    from webapp.events.services import create_event
    from webapp.extensions import db
    from webapp.models import Ticket, TicketHolder, utcnow
    from webapp.tickets.services import create_ticket_type

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url,
                      "SECRET_KEY": "bench-secret-key"})
    with app.app_context():
        upgrade()
        organizer = create_user("bench@example.org", "bench-password")
        from datetime import datetime
        event = create_event(organizer, name="Bench Conference", venue="Hall",
                             timezone="UTC", starts_at=datetime(2027, 1, 1, 9),
                             ends_at=datetime(2027, 1, 2, 18))
        ticket_type = create_ticket_type(event, "General", TICKETS)
        tickets = db.session.execute(select(Ticket.id, Ticket.code).where(
            Ticket.ticket_type_id == ticket_type.id).order_by(Ticket.id)).all()
        now = utcnow()
        for start in range(0, TICKETS, 5000):
            db.session.execute(insert(TicketHolder), [
                {"event_id": event.id, "ticket_id": ticket_id, "first_name": f"Guest{n}",
                 "last_name": "Bench", "email": f"guest{n}@example.org",
                 "created_at": now, "updated_at": now}
                for n, (ticket_id, _code) in enumerate(tickets[start:start + 5000], start)])
        _desk_token, token = create_desk_token(event, "Bench scanner", user=organizer)
        db.session.execute(text(
            "CREATE TABLE bench_baseline (code varchar(16) PRIMARY KEY, "
            "checked_in_at timestamptz)"))
        db.session.execute(text("INSERT INTO bench_baseline (code) SELECT code FROM tickets"))
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        event_id = event.id
        db.engine.dispose()
    return event_id, token, [code for _id, code in tickets]


def undo_check_ins(database_url: str) -> None:
    """Annul every check-in of both sides, then vacuum and analyze the tables.

    The tables a scan writes start empty, and PostgreSQL plans for the
    sizes it last measured: with no ANALYZE it would keep scanning them
    whole as they grow, far faster here than autovacuum's one-minute
    rounds would notice at a real door.
    """
    connection = psycopg2.connect(database_url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE bench_baseline SET checked_in_at = NULL "
                           "WHERE checked_in_at IS NOT NULL")
            cursor.execute("UPDATE check_ins SET annulled_at = now() "
                           "WHERE annulled_at IS NULL")
            cursor.execute("VACUUM ANALYZE bench_baseline, check_ins, scans, "
                           "audit_entries")
    finally:
        connection.close()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(app_path: str, database_url: str, workers: int, log_path: Path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "bench-secret-key",
           "LOG_LEVEL": "WARNING", "PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}"}
    with open(log_path, "ab") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
             f"127.0.0.1:{port}", "--graceful-timeout", "5", app_path],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(url + "/", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def run_wrk(url: str, path: str, token: str, codes_file: Path, seconds: int,
            connections: int, run_name: str) -> dict:
    env = {**os.environ, "CODES_FILE": str(codes_file), "DESK_TOKEN": token,
           "SCAN_PATH": path, "WRK_THREADS": str(WRK_THREADS),
           "REQUEST_PREFIX": f"{run_name}-"}
    output = subprocess.run(
        ["wrk", f"-t{WRK_THREADS}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
         "-s", str(ROOT / "bench" / "scan.lua"), url],
        env=env, capture_output=True, text=True, timeout=seconds + 60, check=True,
    ).stdout
    fields = dict(part.split("=") for part in RESULT.search(output).group(1).split())
    figures = {name: int(value) for name, value in fields.items()}
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def describe(label: str, figures: dict) -> str:
    ms = {name: figures[f"{name}_us"] / 1000 for name in ("p50", "p90", "p99")}
    return (f"{label:<26} {figures['rps']:>7.0f} req/s   p50 {ms['p50']:5.1f} ms   "
            f"p90 {ms['p90']:5.1f} ms   p99 {ms['p99']:5.1f} ms   "
            f"non-2xx {figures['non2xx']}   socket errors {figures['errors']}")


def write_codes(path: Path, codes: list[str]) -> Path:
    path.write_text("\n".join(codes) + "\n")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed (Debian: apt-get install -y wrk).", file=sys.stderr)
        return 2

    with bench_database() as database_url, tempfile.TemporaryDirectory() as scratch, \
            ExitStack() as servers:
        started = time.monotonic()
        event_id, token, codes = load_data(database_url)
        print(f"Loaded {len(codes):,} held tickets in {time.monotonic() - started:.0f} s; "
              f"gunicorn {args.workers} workers per side, wrk {WRK_THREADS} threads "
              f"{args.connections} connections, {args.rounds} rounds of "
              f"{args.seconds} s per side.")
        scratch = Path(scratch)
        path = f"/api/v1/events/{event_id}/check-ins"
        log_path = scratch / "gunicorn.log"

        # The warm-up lets every worker boot and open its connection before
        # anything is measured. The two sides write to different tables, so
        # they scan the same codes; before each round, both sides' check-ins
        # are undone, so that every request of a run is a first check-in.
        warm_up = write_codes(scratch / "warm.txt", codes[:WARM_UP_CODES])
        measured = write_codes(scratch / "codes.txt", codes[WARM_UP_CODES:])
        urls = {}
        for label, app_path in SIDES:
            urls[label] = servers.enter_context(
                gunicorn(app_path, database_url, args.workers, log_path))
            run_wrk(urls[label], path, token, warm_up, WARM_UP_SECONDS,
                    args.connections, f"warm-{label}")

        # Alternate which side goes first, so that neither always runs
        # after the other's writes or in the same phase of a neighbour's load.
        runs = {label: [] for label, _app in SIDES}
        for round_number in range(args.rounds):
            undo_check_ins(database_url)
            order = SIDES if round_number % 2 == 0 else SIDES[::-1]
            for label, _app in order:
                figures = run_wrk(urls[label], path, token, measured, args.seconds,
                                  args.connections, f"round{round_number}")
                runs[label].append(figures)
                print(describe(f"round {round_number + 1} {label}", figures))
                if figures["requests"] > len(codes) - WARM_UP_CODES:
                    print("  (more requests than codes: rerun with fewer --seconds)")
        servers.close()
        server_log = log_path.read_text(errors="replace")

    ratios = sorted(ours["rps"] / baseline["rps"]
                    for baseline, ours in zip(runs["baseline"], runs["ours"]))
    ratio = statistics.median(ratios)
    print(f"Median of {args.rounds} rounds:")
    print(describe("baseline (one UPDATE)", median_run(runs["baseline"])))
    print(describe("AdmitOne scan API", median_run(runs["ours"])))
    print(f"ratio {ratio:.2f} (per round {' '.join(f'{r:.2f}' for r in ratios)}; "
          f"target >= {TARGET_RATIO}); "
          f"tracebacks in server log: {server_log.count('Traceback')}")
    failed = sum(run["non2xx"] + run["errors"] for run in runs["ours"])
    return 0 if ratio >= TARGET_RATIO and failed == 0 else 1


def median_run(runs: list[dict]) -> dict:
    """The run with the median throughput, with its own latencies."""
    return sorted(runs, key=lambda run: run["rps"])[len(runs) // 2]


if __name__ == "__main__":
    sys.exit(main())
