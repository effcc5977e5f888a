"""Profile the scanner API's check-in in one process: statements, time, hot spots.

Loads the benchmark's database (50,000 held tickets on PostgreSQL), then
sends scans straight to the WSGI app (no HTTP server, no load tool) and
prints the SQL statements of one scan, the mean time per scan, and the
functions that cost the most under cProfile. Drops the database at the end.

    python bench/scan_profile.py [--scans 2000] [--top 30]
"""
import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

from scan_bench import bench_database, load_data, undo_check_ins
from sqlalchemy import event as sqlalchemy_event


def wsgi_scan(app, path: str, token: str, code: str) -> int:
    """Send one scan through the whole WSGI stack and return its status."""
    body = json.dumps({"code": code, "request_id": code}).encode()
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "SCRIPT_NAME": "",
        "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
        "HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_HOST": "127.0.0.1",
        "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr, "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0),
    }
    statuses = []
    chunks = app(environ, lambda status, headers, *_: statuses.append(status))
    b"".join(chunks)
    getattr(chunks, "close", lambda: None)()
    return int(statuses[0].split()[0])


def server_cpu(database_url: str) -> float:
    """CPU seconds used so far by the PostgreSQL backends serving the database."""
    import psycopg2

    name = database_url.rsplit("/", 1)[1]
    connection = psycopg2.connect(database_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s "
                           "AND backend_type = 'client backend' "
                           "AND pid <> pg_backend_pid()", (name,))
            pids = [pid for (pid,) in cursor.fetchall()]
    finally:
        connection.close()
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=2000)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="tottime", choices=("tottime", "cumulative"))
    args = parser.parse_args()

    from webapp import create_app
    from webapp.extensions import db

    with bench_database() as database_url:
        event_id, token, codes = load_data(database_url)
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url,
                          "SECRET_KEY": "bench-secret-key"})
        path = f"/api/v1/events/{event_id}/check-ins"
        codes = iter(codes)
        for _warm in range(500):
            wsgi_scan(app, path, token, next(codes))
        undo_check_ins(database_url)  # and analyze: see there

        statements: list[str] = []
        with app.app_context():
            engine = db.engine
        listener = lambda _c, _cu, statement, *_a: statements.append(statement)  # noqa
        sqlalchemy_event.listen(engine, "before_cursor_execute", listener)
        status = wsgi_scan(app, path, token, next(codes))
        sqlalchemy_event.remove(engine, "before_cursor_execute", listener)
        print(f"One scan: status {status}, {len(statements)} statement(s)")
        for statement in statements:
            print("  -", " ".join(statement.split())[:160])

        os.environ["DATABASE_URL"] = database_url
        import baseline_app

        for label, wsgi_app in (("baseline", baseline_app.app), ("ours", app)):
            for _round in range(3):
                batch = [next(codes) for _ in range(args.scans // 4)]
                started = time.perf_counter()
                cpu_started = time.process_time()
                server_started = server_cpu(database_url)
                for code in batch:
                    wsgi_scan(wsgi_app, path, token, code)
                elapsed = time.perf_counter() - started
                cpu = time.process_time() - cpu_started
                server = server_cpu(database_url) - server_started
                print(f"{label}: {elapsed / len(batch) * 1000:.2f} ms wall, "
                      f"{cpu / len(batch) * 1000:.2f} ms app CPU, "
                      f"{server / len(batch) * 1000:.2f} ms PostgreSQL CPU per scan")
        baseline_app.engine.dispose()

        batch = [next(codes) for _ in range(args.scans)]
        half = args.scans // 2

        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for code in batch[half:]:
            wsgi_scan(app, path, token, code)
        profiler.disable()
        report = io.StringIO()
        pstats.Stats(profiler, stream=report).sort_stats(args.sort) \
            .print_stats(args.top)
        print(report.getvalue())
        with app.app_context():
            db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
