"""The app as production mode runs it, for the benchmarks: its environment, and set up in this process."""

import cProfile
import os
import pstats
import secrets
import tempfile
from pathlib import Path


def production_env(database_url):
    """Production mode behind a pretend TLS-ending load balancer, on loopback, over this database."""
    return {
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "DATABASE_URL": database_url,
        # The benchmarks measure one machine: SQLite is allowed there, as production refuses it by default.
        "DJANGO_ALLOW_SQLITE_IN_PRODUCTION": "1",
    }


def setup_in_process(name):
    """Django in this process in production mode, over a fresh catalog (BENCH_DATABASE_URL, or a new SQLite file)."""
    workdir = Path(tempfile.mkdtemp(prefix=f"explorer-{name}-"))
    database_url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{workdir / f'{name}.sqlite3'}")
    os.environ.update(
        production_env(database_url), DJANGO_SETTINGS_MODULE="explorer.settings", DJANGO_LOG_LEVEL="WARNING"
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("load_catalog", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def count_calls(function, times):
    """Python function calls per run of `function`, as cProfile counts them (the same on any machine)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(times):
        function()
    profiler.disable()
    return pstats.Stats(profiler).total_calls / times
