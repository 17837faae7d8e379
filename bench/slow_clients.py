"""
Slow clients against `make run`'s gunicorn, and against nginx (deploy/nginx.conf) in front of it.

    .venv/bin/python -m bench.slow_clients              # about three minutes; loopback only; stops by itself
    .venv/bin/python -m bench.slow_clients --seconds 10

Slow clients open a connection and send a request's headers one byte every half second, never finishing
(slowloris); one that the server closes reconnects at once. Meanwhile ordinary requests (a search page and
/healthz, one after another, each given 5 s) are timed for 30 s, longer than nginx's 10 s header timeout,
so nginx drops and the attackers reconnect during the phase. Every phase is compared with a baseline
measured in the same run without the attack:

  (a) gunicorn as `make run` serves it, with 8 slow clients;
  (b) nginx from deploy/nginx.conf in front of the same gunicorn, with 256 slow clients;
  (c) for contrast, gunicorn alone with 256 slow clients (what nginx is there for).

SQLite in a temporary directory; DATABASE_URL=postgres://… for PostgreSQL.
"""

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from bench.servers import Gunicorn, Nginx, SlowClients, median_ms, ordinary_requests, prepared_env

PATHS = ("/activities/?q=email", "/healthz")


def measure(label, port, seconds, baseline=None, slow=0):
    """One phase: ordinary requests for `seconds`, with `slow` slow clients holding connections meanwhile."""
    if slow:
        with SlowClients(port, slow) as attack:
            made, failures, times = ordinary_requests(port, PATHS, seconds)
            held, reconnects = attack.held(), attack.reconnects
    else:
        (made, failures, times), held, reconnects = ordinary_requests(port, PATHS, seconds), 0, 0
    median = median_ms(times)
    p95 = f"{statistics.quantiles(times, n=20)[-1] * 1000:.1f}" if len(times) >= 20 else "-"
    ratio = f"{median / baseline:.2f}x" if median and baseline else "-"
    shown = f"{median:.1f}" if median else "-"
    print(
        f"| {label} | {slow} | {held} | {reconnects} | {len(times)}/{made} | {failures} | {shown} | {p95} | {ratio} |",
        flush=True,
    )
    return median


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30, help="length of each phase (default 30)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="explorer-slow-clients-"))
    database_url = os.environ.get("DATABASE_URL", f"sqlite:///{workdir / 'db.sqlite3'}")
    env = prepared_env(database_url)
    print(f"Database: {database_url.split('@')[-1]}; {os.cpu_count()} cores; requests alternate {', '.join(PATHS)}")
    print()
    print(
        "| phase | slow clients | held open at the end | reconnects | answered | failed "
        "| median ms | p95 ms | median vs baseline |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    gunicorn = Gunicorn(env, workdir / "gunicorn.log")
    try:
        direct = measure("(a) gunicorn (make run), baseline", gunicorn.port, args.seconds)
        measure("(a) gunicorn (make run), under attack", gunicorn.port, args.seconds, direct, slow=8)
        nginx = Nginx(gunicorn.port)
        try:
            proxied = measure("(b) nginx + gunicorn, baseline", nginx.port, args.seconds)
            measure("(b) nginx + gunicorn, under attack", nginx.port, args.seconds, proxied, slow=256)
        finally:
            nginx.stop()
        measure("(c) gunicorn alone, under attack", gunicorn.port, 10, direct, slow=256)
    finally:
        gunicorn.stop()
    print(f"\nLogs in {workdir}")


if __name__ == "__main__":
    sys.exit(main())
