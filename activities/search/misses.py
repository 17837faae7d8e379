"""
The zero-result log: searches people settled on that found nothing, or found something only once words
were dropped, normalised and counted per query per day, so that editors can see which words to add as
synonyms. It stores the words alone: never who searched, their address or their session.

Writes are bounded: each process gathers its misses and, after a response has been sent, writes them at most
once per SEARCH_LOG_FLUSH_SECONDS in one short pass (a row per distinct query); the table stops taking new
queries at SEARCH_LOG_MAX_ROWS, and rows older than SEARCH_LOG_DAYS go at each pass. A failure to log is
reported and never fails the search.
"""

import logging
import threading
import time
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.core.signals import request_finished
from django.db import DatabaseError, IntegrityError, models, transaction
from django.db.models import F
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from activities.search.query import words

logger = logging.getLogger(__name__)
LONGEST_QUERY = 200
# Distinct misses a process holds between passes: past it, new ones wait for the next pass.
MOST_PENDING = 200


class SearchMiss(models.Model):
    """One normalised query that found nothing (or only some of its words) on one day, and how often."""

    class Outcome(models.TextChoices):
        NOTHING = "nothing", "Found nothing"
        PARTIAL = "partial", "Found only some of its words"

    query = models.CharField(max_length=LONGEST_QUERY)
    day = models.DateField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    count = models.PositiveIntegerField(default=0)
    last_seen = models.DateTimeField()
    resolved = models.BooleanField(default=False, help_text="A synonym added since makes every word match.")

    # What people searched for changes no page: its writes leave the catalog's version (and the page cache) alone.
    in_catalog = False

    class Meta:
        app_label = "activities"
        verbose_name = "search without results"
        verbose_name_plural = "searches without results"
        ordering = ["-count", "-last_seen"]
        constraints = [models.UniqueConstraint(fields=["query", "day"], name="search_miss_once_a_day")]
        indexes = [models.Index(fields=["day"], name="search_miss_day")]

    def __str__(self):
        return self.query


class Pending:
    """The misses a process has gathered since its last pass."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.written = time.monotonic()


pending = Pending()


def noted(results):
    """
    What the log would record of a search's results: its normalised query and whether it found nothing or
    needed partial matching; None for a full match or no search. Small, so that a kept page carries it.
    """
    query = results.query if results else None
    if not query or not query.requires:
        return None
    if query.dropped:
        outcome = SearchMiss.Outcome.PARTIAL
    elif results.count == 0:
        outcome = SearchMiss.Outcome.NOTHING
    else:
        return None
    text = " ".join(words(query.text))[:LONGEST_QUERY]
    return (text, str(outcome)) if text else None


def records_misses(view):
    """
    A page view whose searches are logged when they miss: every page load and every htmx request counts,
    as the live search asks only once typing pauses; the page cache's answers too, since the note is kept with
    the page. Put it outside `catalog_page`.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        note = getattr(response, "search_miss", None)
        if note and response.status_code == 200:
            record(*note)
        return response

    return wrapper


def record(text, outcome):
    """Gather one settled search that found nothing or needed partial matching; never raises."""
    try:
        with pending.lock:
            key = (text, timezone.localdate())
            if key in pending.counts or len(pending.counts) < MOST_PENDING:
                count, _, _ = pending.counts.get(key, (0, None, None))
                pending.counts[key] = (count + 1, outcome, timezone.now())
    except Exception:  # a log that fails must never fail the search it logs
        logger.exception("The search log could not record a search")


@receiver(request_finished)
def write_when_due(**kwargs):
    """
    Once a response has been sent, write what the process gathered if SEARCH_LOG_FLUSH_SECONDS have passed:
    the visitor never waits for the log, and the database sees one short pass a minute at most.
    """
    if not pending.counts or time.monotonic() - pending.written < settings.SEARCH_LOG_FLUSH_SECONDS:
        return
    with pending.lock:
        taken, pending.counts, pending.written = pending.counts, {}, time.monotonic()
    if taken:
        write(taken)


def write(taken):
    """Add the gathered counts to the table, within its cap, and remove the rows past their retention."""
    try:
        # A savepoint: a failed write leaves any transaction around it usable.
        with transaction.atomic():
            SearchMiss.objects.filter(day__lt=timezone.localdate() - timedelta(days=settings.SEARCH_LOG_DAYS)).delete()
            room = settings.SEARCH_LOG_MAX_ROWS - SearchMiss.objects.count()
            for (text, day), (count, outcome, seen) in taken.items():
                updated = SearchMiss.objects.filter(query=text, day=day).update(
                    count=F("count") + count, last_seen=seen, outcome=outcome
                )
                if updated or room <= 0:
                    continue
                try:
                    with transaction.atomic():
                        SearchMiss.objects.create(query=text, day=day, outcome=outcome, count=count, last_seen=seen)
                    room -= 1
                except IntegrityError:  # another process wrote the same query's first row meanwhile
                    SearchMiss.objects.filter(query=text, day=day).update(count=F("count") + count)
    except DatabaseError:
        logger.exception("The search log could not be written")


def matches_every_word(text):
    """Whether some activity matches every word of a logged query (none dropped)."""
    from activities.models import Activity
    from activities.search import search

    return search(Activity.objects.all(), " ".join(f"+{word}" for word in words(text))).queryset.exists()


@receiver(post_save, sender="activities.Synonym")
def resolve_misses(sender, instance, **kwargs):
    """
    A saved synonym marks resolved the logged queries it makes match, whichever way it was added (the log's
    action, the synonym admin, a fixture). Only unresolved queries that hold one of its words are checked.
    """
    held = {word for form in instance.forms() for word in words(form)}
    try:
        with transaction.atomic():  # a savepoint: the synonym's own save goes on whatever happens here
            for miss in SearchMiss.objects.filter(resolved=False).only("query"):
                if held & set(words(miss.query)) and matches_every_word(miss.query):
                    SearchMiss.objects.filter(query=miss.query).update(resolved=True)
    except DatabaseError:
        logger.exception("The search log could not be checked against a new synonym")
