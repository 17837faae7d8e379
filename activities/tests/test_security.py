import json
import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from activities.tests.forms import post_form, read_form, submit
from activities.tests.public_urls import PUBLIC_URLS

pytestmark = pytest.mark.django_db

ONE_YEAR = 365 * 24 * 60 * 60


def csp_directives(response):
    header = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";"))}


@pytest.mark.parametrize("url", [*PUBLIC_URLS, "/admin/login/"])
def test_every_page_sends_the_security_headers(client, catalog, url):
    """Pages carry the CSP, HSTS, nosniff, DENY framing, same-origin referrers and opener policy."""
    response = client.get(url, secure=True)
    assert response.status_code == 200
    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    hsts = dict((item.strip().partition("=")[::2]) for item in response.headers["Strict-Transport-Security"].split(";"))
    assert int(hsts["max-age"]) >= ONE_YEAR
    assert "includeSubDomains" in hsts
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_public_pages_have_nothing_inline_for_the_csp_to_block(client, catalog):
    """Public pages use no inline script, inline style or style attribute, so the strict CSP blocks nothing."""
    for url in PUBLIC_URLS:
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)
        assert "<style" not in html
        assert not re.search(r"<[^>]+\s(style|on[a-z]+)\s*=", html)


def test_admin_nonce_matches_the_csp(client, catalog, django_user_model):
    """
    The admin marks its tags with the nonce that the CSP's style-src names, so its one inline style (a
    change list whose ModelAdmin turns actions off) is allowed without 'unsafe-inline'.
    """
    viewer = django_user_model.objects.create_user("viewer", password="a-long-test-password", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_activity"))
    client.force_login(viewer)
    response = client.get("/admin/activities/activity/")
    nonces = set(re.findall(r'nonce="([^"]+)"', response.content.decode()))
    assert len(nonces) == 1
    assert csp_directives(response)["style-src"] == ["'self'", f"'nonce-{nonces.pop()}'"]
    assert csp_directives(response)["script-src"] == ["'self'"]


def test_debug_mode_reports_the_csp_instead_of_enforcing_it():
    """With DEBUG on (`make dev`), Django's inline-styled debug pages work and violations are only reported."""
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SECURE_CSP, s.SECURE_CSP_REPORT_ONLY['script-src']]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "explorer.settings", "DJANGO_DEBUG": "1"},
        capture_output=True,
        text=True,
    )
    assert json.loads(result.stdout.splitlines()[-1]) == [{}, ["'self'"]], result.stderr


def test_cookies_are_httponly_and_samesite(client):
    """The CSRF cookie is HttpOnly and SameSite=Lax (Secure too in production, tested below)."""
    cookie = client.get("/admin/login/").cookies[settings.CSRF_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_axes_backend_comes_first():
    """django-axes checks a login before any backend can accept it."""
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def sign_in(client, password):
    return client.post("/admin/login/?next=/admin/", {"username": "editor", "password": password})


def test_admin_login_locks_out_after_five_failures(client, django_user_model):
    """Five wrong passwords lock the login for 15 minutes, even for the right one, with a page saying why."""
    django_user_model.objects.create_superuser("editor", "", "the-right-password")
    for _ in range(4):
        response = sign_in(client, "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    locked = sign_in(client, "wrong")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Sign-in locked for now" in html
    assert "There were 5 failed attempts to sign in as <strong>editor</strong>" in html
    assert "refused for 15 minutes" in html
    assert 'href="/admin/login/"' in html
    assert sign_in(client, "the-right-password").status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = sign_in(client, "the-right-password")
    assert response.status_code == 302
    assert response.url == "/admin/"


def test_lockout_is_per_user_name(client, django_user_model):
    """Locking one user name out leaves another account free to sign in."""
    django_user_model.objects.create_superuser("editor", "", "the-right-password")
    django_user_model.objects.create_superuser("other", "", "another-right-password")
    for _ in range(5):
        sign_in(client, "wrong")
    response = client.post("/admin/login/?next=/admin/", {"username": "other", "password": "another-right-password"})
    assert response.status_code == 302


# Production mode is chosen when the settings module is imported, so it is tested in a fresh process.
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "explorer.example.com",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://explorer.example.com",
    # Never connected to: `check` reads the settings without opening a database.
    "DATABASE_URL": "postgres://explorer:unused@127.0.0.1:1/explorer",
}
# The requests below need a database that exists; SQLite in production must be allowed explicitly.
SQLITE_IN_PRODUCTION = {"DATABASE_URL": "sqlite://:memory:", "DJANGO_ALLOW_SQLITE_IN_PRODUCTION": "1"}


def run_in_production(args, **env):
    # The browser tests' relaxation of async safety belongs to the test process, never to a deployment.
    inherited = {name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {**inherited, **PRODUCTION_ENV, **env}
    environment = {name: value for name, value in environment.items() if value is not None}
    return subprocess.run(
        [sys.executable, *args], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_reports_nothing_in_production():
    """`manage.py check --deploy` finds nothing to warn about in production mode."""
    result = run_in_production(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    ("variable", "reason"),
    [
        ("DJANGO_SECRET_KEY", "sessions, CSRF tokens and password resets are signed with it"),
        ("DJANGO_ALLOWED_HOSTS", "Django answers only the host names listed there"),
        ("DATABASE_URL", "every app server must share one database"),
    ],
)
def test_production_refuses_to_start_without_its_settings(variable, reason):
    """Production mode stops at start-up, naming the missing variable and why it matters."""
    result = run_in_production(["manage.py", "check"], **{variable: None})
    assert result.returncode != 0
    assert f"{variable} must be set when DJANGO_ENV=production" in result.stderr
    assert reason in result.stderr


@pytest.mark.parametrize(
    "key",
    ["django-insecure-" + secrets.token_urlsafe(50), secrets.token_urlsafe(30)],
    ids=["django-insecure", "short"],
)
def test_production_refuses_a_weak_secret_key_unless_told_to_accept_it(key):
    """A short key, or one starting with django-insecure, stops production; DJANGO_ALLOW_WEAK_SECRET_KEY=1 allows it."""
    refused = run_in_production(["manage.py", "check"], DJANGO_SECRET_KEY=key)
    assert refused.returncode != 0
    assert "DJANGO_SECRET_KEY is too weak for DJANGO_ENV=production" in refused.stderr
    assert "DJANGO_ALLOW_WEAK_SECRET_KEY=1" in refused.stderr
    allowed = run_in_production(["manage.py", "check"], DJANGO_SECRET_KEY=key, DJANGO_ALLOW_WEAK_SECRET_KEY="1")
    assert allowed.returncode == 0, allowed.stderr


@pytest.mark.parametrize("url", ["sqlite:///db.sqlite3", "sqlite://:memory:", "SQLITE:///tmp/x.sqlite3"])
def test_production_refuses_sqlite_unless_told_to_accept_it(url):
    """A SQLite DATABASE_URL stops production, naming the way out; DJANGO_ALLOW_SQLITE_IN_PRODUCTION=1 allows it."""
    refused = run_in_production(["manage.py", "check"], DATABASE_URL=url)
    assert refused.returncode != 0
    assert "DATABASE_URL names a SQLite database, which DJANGO_ENV=production refuses" in refused.stderr
    allowed = run_in_production(["manage.py", "check"], DATABASE_URL=url, DJANGO_ALLOW_SQLITE_IN_PRODUCTION="1")
    assert allowed.returncode == 0, allowed.stderr


@pytest.mark.parametrize("next_url", [None, "https://evil.example/", "//evil.example/admin/", ""])
def test_login_without_a_safe_next_lands_on_the_admin_index(django_user_model, next_url):
    """Signing in with no ?next=, or an unsafe one, lands on the admin's index page, never a 404."""
    django_user_model.objects.create_superuser("editor", "", "the-right-password")
    client = Client(enforce_csrf_checks=True)
    url = "/admin/login/" if next_url is None else f"/admin/login/?next={next_url}"
    response = submit(client, url, {"username": "editor", "password": "the-right-password"})
    assert response.status_code == 302
    assert response.url == "/admin/"
    assert client.get(response.url).status_code == 200


@pytest.mark.parametrize("query", ["", "?next=https://evil.example/"])
def test_login_posted_without_its_next_field_lands_on_the_admin_index(django_user_model, query):
    """
    A sign-in posted with the credentials alone (a script, a password manager, an older copy of the page)
    lands on the admin's index, not on Django's default /accounts/profile/, which does not exist.
    """
    django_user_model.objects.create_superuser("editor", "", "the-right-password")
    client = Client(enforce_csrf_checks=True)
    form = read_form(client.get(f"/admin/login/{query}"))
    form.pairs = [(name, value) for name, value in form.pairs if name != "next"]
    form.set("username", "editor")
    form.set("password", "the-right-password")
    response = post_form(client, form)
    assert response.status_code == 302
    assert response.url == "/admin/"


def test_bad_hosts_are_logged_once_each_as_a_warning_without_a_traceback(caplog):
    """Requests with a Host not in ALLOWED_HOSTS answer 400 and log one WARNING line per host, no traceback."""
    hosts = [f"scan-{secrets.token_hex(4)}.example.com" for _ in range(2)]
    with caplog.at_level("INFO"):
        for host in [*hosts, *hosts, hosts[0]]:
            assert Client().get("/", HTTP_HOST=host).status_code == 400
    logged = [record for record in caplog.records if record.name == "django.security.DisallowedHost"]
    assert [record.levelname for record in logged] == ["WARNING", "WARNING"]
    assert [record.exc_info for record in logged] == [None, None]
    for record, host in zip(logged, hosts, strict=True):
        assert host in record.getMessage()


PRODUCTION_REQUESTS = """
import json, sys
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings
# As in conftest: templates render without a collectstatic manifest.
override_settings(
    STORAGES={"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
).enable()
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from django.conf import settings
get_user_model().objects.create_superuser("editor", "", "the-right-password")
host = {"HTTP_HOST": "explorer.example.com"}
client = Client()
plain = client.get("/", **host)
health = client.get("/healthz", **host)
missing = client.get("/nowhere/", secure=True, **host)
page = client.get("/", secure=True, **host)
login = client.get("/admin/login/", secure=True, **host)
signed_in = client.post(
    "/admin/login/", {"username": "editor", "password": "the-right-password"}, secure=True, **host
)
proxied = Client().get("/", HTTP_X_FORWARDED_PROTO="https", **host)

def cookie(response, name):
    morsel = response.cookies[name]
    return {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]), "samesite": morsel["samesite"]}

with open(sys.argv[1], "w") as out:
    json.dump({
        "debug": settings.DEBUG,
        "plain": [plain.status_code, plain.headers.get("Location")],
        "health": health.status_code,
        "missing": [missing.status_code, "Page not found" in missing.content.decode()],
        "page": [page.status_code, page.headers.get("Strict-Transport-Security"), "Content-Security-Policy" in page],
        "csrf_cookie": cookie(login, settings.CSRF_COOKIE_NAME),
        "session_cookie": cookie(signed_in, settings.SESSION_COOKIE_NAME),
        "proxied": proxied.status_code,
    }, out)
"""


def test_production_mode_serves_https_only_with_secure_cookies(tmp_path):
    """
    In production: DEBUG off, plain HTTP redirected to HTTPS (but /healthz answered for load balancers),
    a trusted proxy's X-Forwarded-Proto honoured, HSTS sent, and cookies Secure, HttpOnly and SameSite.
    """
    out = tmp_path / "results.json"
    result = run_in_production(
        ["-c", PRODUCTION_REQUESTS, str(out)],
        DJANGO_SETTINGS_MODULE="explorer.settings",
        DJANGO_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        **SQLITE_IN_PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(out.read_text())
    assert seen["debug"] is False
    assert seen["plain"] == [301, "https://explorer.example.com/"]
    assert seen["health"] == 200
    assert seen["missing"] == [404, True]
    assert seen["page"] == [200, "max-age=31536000; includeSubDomains; preload", True]
    assert seen["csrf_cookie"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert seen["session_cookie"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert seen["proxied"] == 200
