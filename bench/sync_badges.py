"""Destination badges on a list page: an annotated subquery against prefetching, against no badges at all.

Run: .venv/bin/python -m bench.sync_badges   (a fresh SQLite file; set DATABASE_URL to try PostgreSQL)
Builds a 2,000-activity catalog with every activity synced to both destinations, then times fetching
one list page (50 rows) and one whole category (about 285 rows) three ways, and reports medians.
"""

import os
import statistics
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "explorer.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402

from activities.models import Activity, Destination  # noqa: E402
from activities.tests.helpers import grow_catalog  # noqa: E402

ROUNDS = 200


def prepare():
    call_command("migrate", verbosity=0)
    call_command("load_catalog", verbosity=0)
    grow_catalog()
    through = Activity.destinations.through
    through.objects.all().delete()
    through.objects.bulk_create(
        through(activity_id=pk, destination_id=destination.pk)
        for pk in Activity.objects.values_list("pk", flat=True)
        for destination in Destination.objects.all()
    )


def badges_by_subquery(rows):
    destinations = list(Destination.objects.all())
    return [[d.name for d in destinations if d.slug in activity.synced_slugs] for activity in rows]


def badges_by_prefetch(rows):
    return [[d.name for d in activity.destinations.all()] for activity in rows]


WAYS = {
    "no badges (baseline)": (lambda qs: qs, lambda rows: [[] for _ in rows]),
    "annotated subquery": (lambda qs: qs.with_destination_slugs(), badges_by_subquery),
    "prefetch_related": (lambda qs: qs.prefetch_related("destinations"), badges_by_prefetch),
}
SHAPES = {
    "list page, 50 rows": lambda: Activity.objects.for_listing()[:50],
    "category, ~285 rows": lambda: Activity.objects.for_listing().in_category("email"),
}


def measure(shape):
    """Median seconds per way; the ways take turns within each round, so load on the machine hits all alike."""
    timings = {way: [] for way in WAYS}
    for _ in range(ROUNDS):
        for way, (make_queryset, badges) in WAYS.items():
            start = time.perf_counter()
            badges(list(make_queryset(SHAPES[shape]())))
            timings[way].append(time.perf_counter() - start)
    return {way: statistics.median(values) for way, values in timings.items()}


def main():
    prepare()
    print(f"{connection.vendor}, {Activity.objects.count()} activities, every one synced to both destinations")
    for shape in SHAPES:
        medians = measure(shape)
        baseline = medians["no badges (baseline)"]
        for way, median in medians.items():
            print(f"{shape:22} {way:22} median {median * 1000:7.2f} ms  x{median / baseline:.2f} of baseline")
    reset_queries()


if __name__ == "__main__":
    main()
