import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from whitenoise.middleware import WhiteNoiseMiddleware

from activities.tests.helpers import count_queries
from activities.tests.servers import Gunicorn, Nginx, prepared_env, slow_clients, still_open, tcp

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
        "from django.test import Client\n"
        "response = Client().get('/healthz', HTTP_HOST='localhost')\n"
        "print('RESULT', response.status_code, response.content.decode())\n"
        "from django.conf import settings\n"
        "print('CONNECT_TIMEOUT', settings.DATABASES['default']['OPTIONS']['connect_timeout'])\n"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "explorer.settings",
        # Nothing listens on port 1: the connection is refused at once.
        "DATABASE_URL": "postgres://explorer:wrong@127.0.0.1:1/nothing",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # An unreachable server that drops packets, rather than refusing, costs at most this many seconds.
    assert "CONNECT_TIMEOUT 5" in result.stdout, result.stderr
    assert 'RESULT 503 {"status": "unavailable", "database": "unreachable"}' in result.stdout, result.stderr
    logged = [line for line in json_lines(result.stdout) if line["logger"] == "explorer.views"]
    assert logged[0]["level"] == "ERROR"
    assert logged[0]["message"] == "Health check: the database did not answer"
    assert "exc_info" in logged[0]


@pytest.fixture(scope="module")
def make_run_env(tmp_path_factory):
    """The environment `make run` serves with, on its own SQLite file with the catalog loaded."""
    return prepared_env(tmp_path_factory.mktemp("make-run"))


def test_gunicorn_serves_and_logs_json_lines(make_run_env, tmp_path):
    """
    gunicorn, as `make run` starts it, serves the app and logs each request as one JSON object on stdout;
    requests for unknown hosts are logged once per host, as a WARNING without a traceback.
    """
    server = Gunicorn({**make_run_env, "WEB_CONCURRENCY": "1"}, tmp_path / "gunicorn.log")
    try:
        server.wait_until_ready()
        bad_hosts = [server.get("/", Host=host)[0] for host in ("scanner.example", "scanner.example", "other.example")]
    finally:
        output = server.stop()
    assert bad_hosts == [400, 400, 400]
    lines = json_lines(output)
    refused = [line for line in lines if line["logger"] == "django.security.DisallowedHost"]
    assert [(line["level"], "exc_info" in line) for line in refused] == [("WARNING", False)] * 2
    assert "'scanner.example'" in refused[0]["message"]
    assert "'other.example'" in refused[1]["message"]
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert access[0]["method"] == "GET"
    assert access[0]["path"] == "/healthz"
    assert access[0]["status"] == "200"
    assert any(line["logger"] == "gunicorn.error" and "Booting worker" in line["message"] for line in lines)
    assert all(line.startswith("{") for line in output.splitlines() if line.strip()), output


def test_make_run_keeps_answering_while_8_slow_clients_hold_connections(make_run_env, tmp_path):
    """
    Eight clients that send their headers a byte at a time, and never finish, hold their connections; every
    ordinary request made meanwhile, to a page and to /healthz, is still answered (the old sync workers,
    five here, were all tied up until their timeout killed them).
    """
    server = Gunicorn(make_run_env, tmp_path / "gunicorn.log")
    try:
        server.wait_until_ready()
        with slow_clients(tcp(server.port), 8) as (held, sent):
            answers = []
            for _ in range(10):
                answers.append(server.get("/healthz")[0])
                answers.append(server.get("/activities/?q=email")[0])
            assert answers == [200] * 20
            assert [still_open(sock) for sock in held] == [True] * 8
            assert min(sent) >= 5
    finally:
        server.stop()


def test_behind_deploy_nginx_conf_256_slow_clients_change_nothing(make_run_env, tmp_path_factory):
    """
    With deploy/nginx.conf in front of make run's gunicorn, 256 clients trickling their headers are held
    by nginx, and every ordinary request made meanwhile is answered by the app through it.
    """
    workdir = Path(tempfile.mkdtemp(prefix="nginx-"))
    server = Gunicorn(make_run_env, tmp_path_factory.mktemp("gunicorn") / "gunicorn.log")
    proxy = None
    try:
        server.wait_until_ready()
        proxy = Nginx(workdir, server.port)
        assert proxy.get("/healthz")[0] == 200
        with slow_clients(proxy.connect, 256) as (held, sent):
            answers = [proxy.get(path)[0] for path in ("/healthz", "/activities/?q=email", "/") * 10]
            assert answers == [200] * 30
            assert [still_open(sock) for sock in held] == [True] * 256
            assert min(sent) >= 5
    finally:
        if proxy is not None:
            proxy.stop()
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def test_gunicorn_workers_follow_the_core_count(monkeypatch):
    """
    gunicorn runs two threaded workers per core, plus one, of 8 threads each, unless WEB_CONCURRENCY and
    GUNICORN_THREADS say otherwise.
    """
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("GUNICORN_THREADS", raising=False)
    namespace = {}
    exec((settings.BASE_DIR / "gunicorn.conf.py").read_text(), namespace)
    assert (namespace["worker_class"], namespace["workers"], namespace["threads"]) == (
        "gthread",
        os.cpu_count() * 2 + 1,
        8,
    )
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "2")
    exec((settings.BASE_DIR / "gunicorn.conf.py").read_text(), namespace)
    assert (namespace["workers"], namespace["threads"]) == (3, 2)


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


def test_not_modified_is_the_same_with_or_without_a_session_cookie(catalog):
    """
    A signed-out visitor whose browser still sends a session cookie gets the same 304, with the same
    validators and headers, as a visitor without one.
    """
    etag = Client().get("/categories/email/", secure=True).headers["ETag"]
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
    """A conditional request still refuses a host that ALLOWED_HOSTS does not list."""
    etag = Client().get("/").headers["ETag"]
    response = Client().get("/", headers={"If-None-Match": etag}, HTTP_HOST="evil.example.com")
    assert response.status_code == 400
