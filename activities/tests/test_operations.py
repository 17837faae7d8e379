import json
import os
import re
import subprocess
import sys
import threading
import urllib.request

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from whitenoise.middleware import WhiteNoiseMiddleware

from activities.tests.conftest import count_queries

pytestmark = pytest.mark.django_db


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_healthz_answers_ok_with_json(client):
    """/healthz says the database answers, in JSON, and is never cached."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response.headers["Cache-Control"]


def test_healthz_answers_503_quickly_when_the_database_is_down(tmp_path):
    """
    With the database unreachable, /healthz answers 503 and logs why as a JSON line; a server that does not
    answer at all is given up on after the configured connect timeout, not the operating system's minutes.
    """
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.test import Client\n"
        "response = Client().get('/healthz', HTTP_HOST='localhost')\n"
        "print('RESULT', response.status_code, response.content.decode())\n"
        "print('TIMEOUT', settings.DATABASES['default']['OPTIONS']['connect_timeout'])\n"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "explorer.settings",
        # Nothing listens on port 1: the connection is refused at once.
        "DATABASE_URL": "postgres://explorer:wrong@127.0.0.1:1/nothing",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True
    )
    assert "TIMEOUT 5\n" in result.stdout, result.stderr
    assert 'RESULT 503 {"status": "unavailable", "database": "unreachable"}' in result.stdout, result.stderr
    logged = [line for line in json_lines(result.stdout) if line["logger"] == "explorer.views"]
    assert logged[0]["level"] == "ERROR"
    assert logged[0]["message"] == "Health check: the database did not answer"
    assert "exc_info" in logged[0]


def test_gunicorn_serves_and_logs_json_lines(tmp_path):
    """gunicorn, as `make run` starts it, serves the app and logs each request as one JSON object on stdout."""
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "WEB_CONCURRENCY": "1"}
    # As `make run` does first: whitenoise serves the collected files.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=settings.BASE_DIR, check=True
    )
    # Port 0: the system picks a free port and gunicorn's log says which, so no other process can take it first.
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--bind", "127.0.0.1:0"],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # Only a safety net for a server that hangs: the test itself waits on what gunicorn reports.
    watchdog = threading.Timer(120, server.kill)
    watchdog.start()
    output, listening = "", None
    try:
        for line in server.stdout:
            output += line
            if listening := re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line):
                break
        assert listening, f"gunicorn exited without listening: {output}"
        with urllib.request.urlopen(f"http://127.0.0.1:{listening.group(1)}/healthz", timeout=30) as response:
            assert response.status == 200
    finally:
        server.terminate()
        rest, _ = server.communicate(timeout=30)
        watchdog.cancel()
    output += rest
    lines = json_lines(output)
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert access[0]["method"] == "GET"
    assert access[0]["path"] == "/healthz"
    assert access[0]["status"] == "200"
    assert any(line["logger"] == "gunicorn.error" and "Booting worker" in line["message"] for line in lines)
    assert all(line.startswith("{") for line in output.splitlines() if line.strip()), output


def test_gunicorn_workers_follow_the_core_count(monkeypatch):
    """gunicorn runs two sync workers per core, plus one, unless WEB_CONCURRENCY says otherwise."""
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    namespace = {}
    exec((settings.BASE_DIR / "gunicorn.conf.py").read_text(), namespace)
    assert namespace["workers"] == os.cpu_count() * 2 + 1
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    exec((settings.BASE_DIR / "gunicorn.conf.py").read_text(), namespace)
    assert namespace["workers"] == 3


def test_static_files_have_hashed_names_and_cache_for_a_year(collected_static):
    """Collected static files have content-hashed names and whitenoise lets browsers and CDNs keep them."""
    hashed = json.loads((collected_static / "staticfiles.json").read_text())["paths"]["css/site.css"]
    assert hashed != "css/site.css"
    whitenoise = WhiteNoiseMiddleware(get_response=lambda request: None)
    response = whitenoise(RequestFactory().get(f"/static/{hashed}"))
    assert response.status_code == 200
    max_age = dict(item.partition("=")[::2] for item in response.headers["Cache-Control"].split(", "))
    assert int(max_age["max-age"]) >= 365 * 24 * 60 * 60
    assert "immutable" in max_age


def test_not_modified_before_the_stack_matches_the_views_answer(catalog):
    """
    A 304 answered early (no session cookie) carries the same validators and headers as one answered by
    the view (a visitor with a session cookie but signed out).
    """
    etag = Client().get("/categories/email/").headers["ETag"]
    early = Client().get("/categories/email/", headers={"If-None-Match": etag}, secure=True)
    late_client = Client()
    late_client.cookies[settings.SESSION_COOKIE_NAME] = "not-a-session"
    late = late_client.get("/categories/email/", headers={"If-None-Match": etag}, secure=True)
    assert early.status_code == late.status_code == 304
    for header in ("ETag", "Last-Modified", "Cache-Control", "Content-Security-Policy", "Strict-Transport-Security"):
        assert early.headers[header] == late.headers[header]
    assert set(early.headers["Vary"].split(", ")) == set(late.headers["Vary"].split(", ")) == {"Cookie", "HX-Request"}


def test_if_modified_since_alone_answers_304(catalog):
    """A client that only sends If-Modified-Since gets a 304 as cheaply as one sending If-None-Match."""
    last_modified = Client().get("/activities/").headers["Last-Modified"]
    # One query, for the catalog's version; no session or page query runs.
    headers = {"If-Modified-Since": last_modified}
    assert count_queries(Client(), "/activities/", status=304, headers=headers) == 1
    response = Client().get("/activities/", headers=headers)
    assert response.headers["Last-Modified"] == last_modified


def test_not_modified_checks_the_host(catalog):
    """The early 304 still refuses a host that ALLOWED_HOSTS does not list."""
    etag = Client().get("/").headers["ETag"]
    response = Client().get("/", headers={"If-None-Match": etag}, HTTP_HOST="evil.example.com")
    assert response.status_code == 400
