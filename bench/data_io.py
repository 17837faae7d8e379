"""
How the JSON API and the exports scale, against the HTML list as the baseline, in one run.

Usage: .venv/bin/python -m bench.data_io [--repeat 30]

Builds a throw-away SQLite database, loads the catalog (69 activities), times
each URL through Django's test client, grows the catalog to 2,000 activities
and times them again. Prints the median of each, and its ratio to the HTML
list's median at the same size.
"""

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

URLS = {
    "HTML list, page 1 (baseline)": "/activities/",
    "API list, page 1": "/api/activities/",
    "API list, search": "/api/activities/?q=email",
    "CSV export, whole list": "/activities.csv",
    "JSON export, whole list": "/activities.json",
}


def median_ms(client, url, repeat):
    client.get(url)  # warm caches and connections
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    database = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "explorer.settings")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    from activities.tests.helpers import grow_catalog

    call_command("migrate", verbosity=0)
    call_command("load_catalog", verbosity=0)
    # Plain static storage: the pages render without collectstatic having run.
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    client = Client()
    with override_settings(STORAGES=storages):
        for size in (69, 2000):
            if size > 69:
                grow_catalog(size)
            results = {label: median_ms(client, url, args.repeat) for label, url in URLS.items()}
            baseline = results["HTML list, page 1 (baseline)"]
            print(f"\n{size} activities, median of {args.repeat} requests")
            for label, median in results.items():
                print(f"  {label:32} {median:8.2f} ms   x{median / baseline:5.2f} of the HTML list")


if __name__ == "__main__":
    main()
