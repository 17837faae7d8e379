"""
CPU time per request, in one process, through the same WSGI application gunicorn runs.

    .venv/bin/python bench/profile.py                 # a table of microseconds of CPU per request
    .venv/bin/py-spy record -o profile.svg -- .venv/bin/python bench/profile.py --only "list + search"

CPU time (not wall time) is what the 2-core machine runs out of under load, and other processes on the
machine barely disturb it, so this is where to look first; bench/load.py then measures the real thing.
"""

import argparse
import io
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import PAGES  # noqa: E402


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
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="explorer-profile-"))
    os.environ.update(
        {
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
            "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{workdir / 'profile.sqlite3'}"),
            "DJANGO_SETTINGS_MODULE": "explorer.settings",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
    )
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("load_catalog", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    print("| Request | µs CPU per request |")
    print("|---|---:|")
    if args.only in (None, "floor"):
        print(f"| static file (whitenoise) | {run(app, static_url(), {}, args.count)[0]:.0f} |")
        print(f"| /healthz (the middleware stack and one query) | {run(app, '/healthz', {}, args.count)[0]:.0f} |")
    pages = PAGES if args.only in (None, "floor") else {args.only: PAGES.get(args.only, args.only)}
    if args.only == "floor":
        pages = {}
    for name, path in pages.items():
        if args.rendered:
            settings.EXPLORER_PAGE_CACHE = False
            print(f"| {name}, rendered | {run(app, path, {}, args.count)[0]:.0f} |")
            continue
        etag = app_etag(path)
        not_modified, status = run(app, path, {"If-None-Match": etag}, args.count)
        assert status.startswith("304"), status
        print(f"| {name}, 304 | {not_modified:.0f} |")
        if args.not_modified:
            continue
        settings.EXPLORER_PAGE_CACHE = True
        print(f"| {name}, render cache hit | {run(app, path, {}, args.count)[0]:.0f} |")
        settings.EXPLORER_PAGE_CACHE = False
        print(f"| {name}, rendered | {run(app, path, {}, args.count)[0]:.0f} |")


if __name__ == "__main__":
    main()
