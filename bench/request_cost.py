"""
CPU time per request, in one process, through the same WSGI application gunicorn runs.

    .venv/bin/python -m bench.request_cost                 # a table of microseconds of CPU per request
    .venv/bin/python -m bench.request_cost --rendered --calls   # and Python function calls per request
    .venv/bin/py-spy record -o profile.svg -- .venv/bin/python -m bench.request_cost --only "list + search"

CPU time (not wall time) is what the 2-core machine runs out of under load, and other processes on the
machine barely disturb it, so this is where to look first; bench/load.py then measures the real thing.
When the machine is busy, CPU time still drifts (shared caches); `--calls` adds the number of Python
function calls per request, counted by cProfile, which is the same on any machine and any load.
"""

import argparse
import io
import json
import sys
import time
from pathlib import Path

from bench.load import PAGES
from bench.production import count_calls, setup_in_process

ROOT = Path(__file__).resolve().parent.parent


def environ(path, headers):
    path, _, query = path.partition("?")
    env = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_X_FORWARDED_PROTO": "https",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    env.update({"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()})
    return env


def run(app, path, headers, count, batches=5):
    """CPU µs per request: the best of `batches` batches, as timeit advises (other processes only add time)."""
    best = None
    for _ in range(batches):
        started = time.process_time()
        status = None
        for _ in range(count):

            def start_response(value, response_headers, exc_info=None):
                nonlocal status
                status = value

            body = app(environ(path, headers), start_response)
            b"".join(body)
            body.close()
        spent = (time.process_time() - started) / count * 1e6
        best = spent if best is None else min(best, spent)
    return best, status


def calls(app, path, headers, count=20):
    """Python function calls per request, as cProfile counts them (after one warm-up request)."""
    run(app, path, headers, 1, batches=1)
    return count_calls(lambda: run(app, path, headers, count, batches=1), 1) / count


def app_etag(path):
    from django.test import Client

    return Client().get(path, headers={"X-Forwarded-Proto": "https"}, HTTP_HOST="127.0.0.1").headers["ETag"]


def static_url():
    manifest = json.loads((ROOT / "staticfiles" / "staticfiles.json").read_text())["paths"]
    return "/static/" + manifest["css/site.css"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--count", type=int, default=100, help="requests per batch (default 100; the best of 5 batches counts)"
    )
    parser.add_argument("--only", help="a page name from bench/load.py's PAGES, a path, or 'floor' (static, /healthz)")
    parser.add_argument("--304", dest="not_modified", action="store_true", help="conditional requests only")
    parser.add_argument("--rendered", action="store_true", help="rendered pages only (render cache off)")
    parser.add_argument("--calls", action="store_true", help="also count Python function calls per request")
    args = parser.parse_args()

    setup_in_process("request-cost")
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    print("| Request | µs CPU per request |" + (" Python calls per request |" if args.calls else ""))
    print("|---|---:|" + ("---:|" if args.calls else ""))

    def measure(name, path, headers):
        spent, status = run(app, path, headers, args.count)
        counted = f" {calls(app, path, headers):.0f} |" if args.calls else ""
        print(f"| {name} | {spent:.0f} |{counted}")
        return status

    if args.only in (None, "floor"):
        measure("static file (whitenoise)", static_url(), {})
        measure("/healthz (the middleware stack and one query)", "/healthz", {})
    pages = PAGES if args.only in (None, "floor") else {args.only: PAGES.get(args.only, args.only)}
    if args.only == "floor":
        pages = {}
    for name, path in pages.items():
        if args.rendered:
            settings.EXPLORER_PAGE_CACHE = False
            measure(f"{name}, rendered", path, {})
            continue
        # Each page starts with the render cache on, as it is served by default (a rendered row turns it off).
        settings.EXPLORER_PAGE_CACHE = True
        status = measure(f"{name}, 304", path, {"If-None-Match": app_etag(path)})
        assert status.startswith("304"), status
        if args.not_modified:
            continue
        settings.EXPLORER_PAGE_CACHE = True
        measure(f"{name}, render cache hit", path, {})
        settings.EXPLORER_PAGE_CACHE = False
        measure(f"{name}, rendered", path, {})


if __name__ == "__main__":
    main()
