"""
Search at 100,000 activities: the FTS engine against the naive icontains scan, on the same data, in one run.

    make bench-search                              # SQLite, in a temporary file
    DATABASE_URL=postgres://... make bench-search  # an empty PostgreSQL database of your choice

Prints p50 and p95 latency for 60 fixed queries (exact, prefix, typo, multi-word, partial, nothing), each run
the way the activity list runs it: the facets (category, kind and "Synced to" counts in one query), the result
count (the search's own, fetched before the page is ranked) and the first page of results
(ACTIVITIES_PER_PAGE, 50), through the list's own queryset. A search matching more than SEARCH_COUNT_LIMIT
(1,000) is counted as "1,000+"; the table says how many each query matched and how many the page lists. The
naive scan runs the same page, with `icontains` as its search. A second table times the search itself, as the
API answers it (the capped count and the first ranked page, no facets), against the same answer from the scan.
"""

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

TEMPORARY = None
if "DATABASE_URL" not in os.environ:
    TEMPORARY = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)  # noqa: SIM115 - removed at exit
    os.environ["DATABASE_URL"] = f"sqlite:///{TEMPORARY.name}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "explorer.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.paginator import Paginator  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Case, IntegerField, Q, Value, When  # noqa: E402

from activities import facets  # noqa: E402
from activities.api import ActivitySerializer  # noqa: E402
from activities.filters import ActivityFilter  # noqa: E402
from activities.models import Activity, Category  # noqa: E402
from activities.pagination import SearchPaginator  # noqa: E402
from activities.search import search, words  # noqa: E402

SEED = 20261128
TOTAL = 100_000
PAGE = settings.ACTIVITIES_PER_PAGE
REPEATS = 3

VERBS = [
    "opened",
    "clicked",
    "sent",
    "delivered",
    "bounced",
    "deferred",
    "forwarded",
    "viewed",
    "replied",
    "subscribed",
    "unsubscribed",
    "submitted",
    "dismissed",
    "shown",
    "qualified",
    "redeemed",
    "started",
    "completed",
    "failed",
    "entered",
    "left",
    "assigned",
    "closed",
    "snoozed",
    "rated",
    "tagged",
    "untagged",
    "requested",
    "approved",
    "declined",
    "cancelled",
    "renewed",
    "upgraded",
    "downgraded",
    "exported",
    "imported",
    "synced",
    "archived",
    "restored",
    "merged",
    "scheduled",
    "paused",
    "resumed",
    "published",
    "shared",
    "downloaded",
    "uploaded",
    "scanned",
    "verified",
    "registered",
    "activated",
    "deactivated",
    "refunded",
    "invoiced",
    "purchased",
    "abandoned",
    "reviewed",
    "flagged",
    "muted",
]
ADJECTIVES = [
    "monthly",
    "weekly",
    "daily",
    "annual",
    "quarterly",
    "transactional",
    "promotional",
    "automated",
    "manual",
    "scheduled",
    "recurring",
    "mobile",
    "desktop",
    "inbound",
    "outbound",
    "priority",
    "premium",
    "trial",
    "loyalty",
    "referral",
    "seasonal",
    "regional",
    "international",
    "local",
    "digital",
    "printed",
    "secure",
    "encrypted",
    "verified",
    "shared",
    "private",
    "public",
    "internal",
    "external",
    "custom",
    "default",
    "bulk",
    "single",
    "multiple",
    "partial",
    "pending",
    "expired",
    "active",
    "dormant",
    "archived",
    "featured",
    "personalised",
    "localised",
]
NOUNS = [
    "invoice",
    "receipt",
    "newsletter",
    "campaign",
    "survey",
    "coupon",
    "voucher",
    "subscription",
    "payment",
    "order",
    "shipment",
    "delivery",
    "refund",
    "return",
    "review",
    "rating",
    "ticket",
    "message",
    "notification",
    "reminder",
    "alert",
    "report",
    "dashboard",
    "webinar",
    "event",
    "appointment",
    "booking",
    "reservation",
    "membership",
    "account",
    "profile",
    "password",
    "login",
    "session",
    "cart",
    "checkout",
    "wishlist",
    "catalogue",
    "product",
    "bundle",
    "discount",
    "offer",
    "banner",
    "popup",
    "widget",
    "form",
    "questionnaire",
    "poll",
    "quiz",
    "certificate",
    "badge",
    "reward",
    "points",
    "tier",
    "segment",
    "audience",
    "list",
    "contact",
    "lead",
    "opportunity",
    "deal",
    "quote",
    "contract",
    "proposal",
    "document",
    "attachment",
    "download",
    "upload",
    "video",
    "podcast",
    "article",
    "guide",
    "tutorial",
    "course",
    "lesson",
    "module",
    "workspace",
    "project",
    "task",
    "milestone",
    "deadline",
    "calendar",
    "meeting",
    "conversation",
    "chat",
    "call",
    "voicemail",
    "journey",
    "playbook",
    "workflow",
    "integration",
    "webhook",
    "export",
    "import",
    "backup",
    "statement",
    "balance",
    "transfer",
    "deposit",
    "withdrawal",
    "loan",
    "mortgage",
    "policy",
    "claim",
    "premium",
    "renewal",
    "estimate",
    "consultation",
    "prescription",
    "referral",
    "donation",
    "pledge",
    "sponsorship",
]
ACTORS = [
    "contact",
    "customer",
    "subscriber",
    "visitor",
    "member",
    "agent",
    "user",
    "recipient",
    "partner",
    "supplier",
    "administrator",
]
CONTEXTS = [
    "through the mobile app",
    "from the customer portal",
    "via the email footer link",
    "after a reminder",
    "during checkout",
    "from a partner website",
    "through the support centre",
    "on the public website",
    "inside the workspace",
    "after the trial ends",
    "before the deadline",
    "from a text message",
    "through a widget",
    "using a saved reply",
]
SECOND = [
    "Learn more about {noun} settings.",
    "The {noun} is counted once per {actor}.",
    "Use it to segment {adjective} audiences.",
    "Reports show it with the {noun} it belongs to.",
    "It does not apply to {adjective} {noun}s.",
    "",
]


def typo(word, rng):
    """One realistic slip: a swapped pair, a dropped letter or a doubled one."""
    at = rng.randrange(1, len(word) - 2)
    kind = rng.choice(("swap", "drop", "double"))
    if kind == "swap":
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    if kind == "drop":
        return word[:at] + word[at + 1 :]
    return word[:at] + word[at] + word[at:]


def build_catalog(rng):
    """TOTAL seeded activities with unique names, across 120 categories."""
    Category.objects.bulk_create(
        Category(name=f"{adjective.title()} {noun}s", slug=f"{adjective}-{noun}s", position=number)
        for number, (adjective, noun) in enumerate(rng.sample([(a, n) for a in ADJECTIVES for n in NOUNS], 120))
    )
    categories = list(Category.objects.all())
    names = rng.sample([(v, a, n) for v in VERBS for a in ADJECTIVES for n in NOUNS], TOTAL)
    batch = []
    for number, (verb, adjective, noun) in enumerate(names):
        actor, context = rng.choice(ACTORS), rng.choice(CONTEXTS)
        other = rng.choice(NOUNS)
        definition = (
            f"This activity is recorded when a {actor} {verb} the {adjective} {noun} {context}. "
            + rng.choice(SECOND).format(noun=other, actor=rng.choice(ACTORS), adjective=rng.choice(ADJECTIVES))
        ).strip()
        batch.append(
            Activity(
                name=f"{verb.capitalize()} {adjective} {noun}",
                slug=f"{verb}-{adjective}-{noun}",
                category=categories[number % len(categories)],
                definition=definition,
                position=number,
            )
        )
        if len(batch) == 5000:
            Activity.objects.bulk_create(batch)
            batch = []
    Activity.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        # What autovacuum does after a bulk load, at once: the vocabulary's rows were updated once per
        # activity, and a table of a few hundred live rows in thousands of dead ones is read slowly.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def junk(rng):
    """A word of no language, too far from any catalog word to be corrected."""
    return "".join(rng.choice("qxzjkvw") for _ in range(rng.randint(6, 9)))


def fixed_queries(rng):
    """
    60 queries: 15 exact words, 10 prefixes, 13 typos, 12 multi-word queries, 6 whose words do not all match
    (partial matching drops one) and 4 that match nothing at all.
    """
    exact = rng.sample(NOUNS + VERBS, 15)
    prefix = [word[: rng.randint(3, 5)] for word in rng.sample([w for w in NOUNS + VERBS if len(w) >= 6], 10)]
    typos = [typo(word, rng) for word in rng.sample([w for w in NOUNS + VERBS + ADJECTIVES if len(w) >= 6], 13)]
    multi = [
        f"{rng.choice(VERBS)} {rng.choice(NOUNS)}" if number % 2 else f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
        for number in range(12)
    ]
    partial = [f"{rng.choice(VERBS)} {rng.choice(NOUNS)} {junk(rng)}" for _ in range(3)]
    partial += [f"{junk(rng)} {rng.choice(NOUNS)}" for _ in range(3)]
    nothing = [f"{junk(rng)} {junk(rng)}" for _ in range(4)]
    return (
        [("exact", q) for q in exact]
        + [("prefix", q) for q in prefix]
        + [("typo", q) for q in typos]
        + [("multi-word", q) for q in multi]
        + [("partial", q) for q in partial]
        + [("nothing", q) for q in nothing]
    )


def naive_matches(queryset, q):
    """The first version's filter: every word icontains in name or definition."""
    every_word = Q()
    for term in words(q)[:12]:
        every_word &= Q(name__icontains=term) | Q(definition__icontains=term)
    return queryset.filter(every_word)


def naive(queryset, q):
    """The first version's search: the naive filter, name matches first."""
    in_name, any_in_name = Q(), Q()
    for term in words(q)[:12]:
        in_name &= Q(name__icontains=term)
        any_in_name |= Q(name__icontains=term)
    rank = Case(
        When(in_name, then=Value(2)), When(any_in_name, then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    return naive_matches(queryset, q).annotate(search_rank=rank).order_by("-search_rank", *Activity._meta.ordering)


def listed():
    """The activities as the list page filters them (its listed rows gain their destination slugs)."""
    return Activity.objects.for_listing()


def search_page(q):
    """The list page's search: its facets (in one query), its count and its first page."""
    activity_filter = ActivityFilter({"q": q}, queryset=listed())
    activities = activity_filter.results().with_destination_slugs()
    paginator = SearchPaginator(activities, PAGE, search=activity_filter.searched())
    facets.facets(activity_filter)
    count = paginator.count
    shown = f"{settings.SEARCH_COUNT_LIMIT:,}+ ({count} listed)" if paginator.capped else str(count)
    return shown, list(paginator.page(1).object_list)


def naive_page(q):
    """The same page with the naive scan as its search: the facets count its matches, then the first page."""
    matches = naive_matches(listed(), q)
    rows = facets.read([*facets.category_parts(matches, matches), *facets.destination_parts(matches)])
    facet = facets.category_counts(rows)
    return sum(category.count for category in facet), list(naive(listed(), q).with_destination_slugs()[:PAGE])


def search_answer(q):
    """The search itself, as the API answers it: the (capped) count and the first ranked page, no facets."""
    results = search(Activity.objects.with_destination_slugs(), q, settings.SEARCH_COUNT_LIMIT)
    paginator = SearchPaginator(results.queryset.values(*ActivitySerializer.columns()), PAGE, search=results)
    rows = list(paginator.page(1).object_list)
    return (f"{paginator.limit:,}+" if paginator.capped else str(paginator.count)), rows


def naive_answer(q):
    """The same answer with the naive scan as the search: its count and its first page."""
    paginator = Paginator(
        naive(Activity.objects.with_destination_slugs(), q).values(*ActivitySerializer.columns()), PAGE
    )
    return str(paginator.count), list(paginator.page(1).object_list)


def run_page(page, q):
    """What the list page does for a query: its facets, its count and its first page; returns (ms, cpu ms, count)."""
    started, cpu = time.perf_counter(), time.process_time()
    count, _ = page(q)
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000, count


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def print_latencies(queries, fast_by_query, slow_by_query):
    """A Markdown table of p50 and p95 by kind of query, the search against the scan."""
    print("| queries | search p50 | search p95 | icontains p50 | icontains p95 | p95 ratio |")
    print("|---|---|---|---|---|---|")
    for kind in ("exact", "prefix", "typo", "multi-word", "partial", "nothing", "all"):
        chosen = [q for k, q in queries if kind in (k, "all")]
        fast = [fast_by_query[q] for q in chosen]
        slow = [slow_by_query[q] for q in chosen]
        print(
            f"| {kind} ({len(chosen)}) | {percentile(fast, 0.5):.1f} ms | {percentile(fast, 0.95):.1f} ms "
            f"| {percentile(slow, 0.5):.1f} ms | {percentile(slow, 0.95):.1f} ms "
            f"| {percentile(slow, 0.95) / percentile(fast, 0.95):.0f}x |"
        )


def main():
    rng = random.Random(SEED)
    print(f"Load average at the start: {os.getloadavg()[0]:.2f}")
    call_command("migrate", verbosity=0)
    if Activity.objects.exists():
        sys.exit("The benchmark needs an empty database.")
    started = time.perf_counter()
    build_catalog(rng)
    print(
        f"Built {Activity.objects.count():,} activities in {Category.objects.count()} categories "
        f"in {time.perf_counter() - started:.1f} s ({connection.vendor})."
    )
    queries = fixed_queries(rng)
    cold, _, _ = run_page(search_page, queries[0][1])  # the first search loads the vocabulary and synonyms
    print(f"First search after a write (vocabulary reload): {cold:.0f} ms")
    timings = {"search": {}, "naive": {}, "answer": {}, "naive answer": {}}
    cpu = {name: {} for name in timings}
    counts = {}
    engines = (
        ("search", search_page),
        ("naive", naive_page),
        ("answer", search_answer),
        ("naive answer", naive_answer),
    )
    # Query by query, each engine in turn: the search and its scan are timed seconds apart, so a slower
    # spell of this shared machine (its speed drifts by half within a minute) weighs on both alike. The
    # repeats take turns too: back to back, the three samples of a 5 ms search all fall inside one stall of
    # a few tens of milliseconds, which the median then keeps, while a 150 ms scan's three samples are
    # spread out enough for the median to drop a stall. Taking turns spreads both engines' samples alike.
    for _kind, q in queries:
        for _engine_name, engine in engines:
            run_page(engine, q)  # warm the page cache for both alike
        samples = {engine_name: [] for engine_name, _ in engines}
        for _ in range(REPEATS):
            for engine_name, engine in engines:
                samples[engine_name].append(run_page(engine, q))
        for engine_name, taken in samples.items():
            timings[engine_name][q] = statistics.median(ms for ms, _, _ in taken)
            cpu[engine_name][q] = statistics.median(ms for _, ms, _ in taken)
            counts[engine_name, q] = taken[0][2]
    print()
    print_latencies(queries, timings["search"], timings["naive"])
    print()
    print("The search itself, as the API answers it (the count and the first ranked page, no facets):")
    print()
    print_latencies(queries, timings["answer"], timings["naive answer"])
    print()
    print(f"CPU time of this process (time.process_time, which other sessions' load moves less), all {len(queries)}:")
    for reading, search_name, scan_name in (("page", "search", "naive"), ("answer", "answer", "naive answer")):
        fast, slow = list(cpu[search_name].values()), list(cpu[scan_name].values())
        print(
            f"- {reading}: search p50 {percentile(fast, 0.5):.1f} ms, p95 {percentile(fast, 0.95):.1f} ms; icontains"
            f" p50 {percentile(slow, 0.5):.1f} ms, p95 {percentile(slow, 0.95):.1f} ms; p95 ratio"
            f" {percentile(slow, 0.95) / percentile(fast, 0.95):.0f}x."
        )
    full = [timings["search"][q] for kind, q in queries if kind not in ("partial", "nothing")]
    missed = [timings["search"][q] for kind, q in queries if kind in ("partial", "nothing")]
    print(f"- slowest full match {max(full):.1f} ms; slowest partial or empty search {max(missed):.1f} ms (wall).")
    print(f"Load average at the end: {os.getloadavg()[0]:.2f}.")
    print()
    print(
        "| kind | query | page: search ms | count shown | page: icontains ms | matches "
        "| answer: search ms | answer: icontains ms |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for kind, q in queries:
        print(
            f"| {kind} | `{q}` | {timings['search'][q]:.1f} | {counts['search', q]} "
            f"| {timings['naive'][q]:.1f} | {counts['naive', q]} "
            f"| {timings['answer'][q]:.1f} | {timings['naive answer'][q]:.1f} |"
        )


if __name__ == "__main__":
    try:
        main()
    finally:
        if TEMPORARY and not os.environ.get("BENCH_KEEP"):
            connection.close()
            Path(TEMPORARY.name).unlink(missing_ok=True)
