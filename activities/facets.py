"""
The list's facets: every category, kind and destination as a link that toggles it, with how many results
that choice would give. Each facet counts the activities matching every other filter but not its own, so a
choice can be added to those made; a broad search's facets count its first matches only (lower bounds, "+").

A page reads all its facets in one query: each facet adds rows of one shared shape to a UNION ALL, so a new
facet costs no query of its own.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import CharField, Count, IntegerField, Q, Value
from django.db.models.functions import Concat, Trim

from activities.models import Activity, Category, Destination

# The shape every facet's rows share: a tag saying which part a row comes from, then these columns.
TEXT, NUMBER = CharField(), IntegerField()
COLUMNS = {"pk": NUMBER, "slug": TEXT, "name": TEXT, "description": TEXT, "position": NUMBER, "kind": TEXT}


def shaped(queryset, tag, **columns):
    """
    `queryset` as rows of the shared shape: the `columns` given (field names or expressions), NULL for the
    others. Counted parts add `listed` and `by_kind` with `.annotate()`; parts that count nothing give zeros.
    """
    given = [columns.get(name, Value(None, field)) for name, field in COLUMNS.items()]
    return queryset.order_by().values_list(Value(tag, TEXT), *given)


def uncounted(queryset, tag, **columns):
    return shaped(queryset, tag, **columns).annotate(listed=Value(0), by_kind=Value(0))


def read(parts):
    """Run the parts as one UNION ALL query: the rows of each tag, as dicts of the shared columns."""
    first, *others = parts
    rows = defaultdict(list)
    # Unordered: the first part's model would otherwise order the union by its default ordering.
    for tag, *values in first.union(*others, all=True).order_by():
        rows[tag].append(dict(zip([*COLUMNS, "listed", "by_kind"], values, strict=True)))
    return rows


@dataclass(frozen=True)
class FacetChoice:
    """One toggle of a facet: its value, label, result count, and the query parameters that toggle it."""

    name: str
    value: str
    label: str
    count: int
    active: bool
    params: dict
    # Counted among a broad search's first matches only: at least `count`, perhaps more.
    capped: bool = False


def toggles(name, items, chosen, capped=False):
    """Facet choices for a repeatable parameter: each (value, label, count) adds itself to `chosen`, or leaves it."""
    return [
        FacetChoice(
            name=name,
            value=value,
            label=label,
            count=count,
            capped=capped,
            active=value in chosen,
            params={
                name: [other for other in chosen if other != value] if value in chosen else [*chosen, value],
                "page": None,
            },
        )
        for value, label, count in items
    ]


def counted_without(activity_filter, *names):
    """The activities a facet counts: those matching every valid filter but `names` (a search's way: counted_among)."""
    activity_filter.qs  # noqa: B018 - filtering runs the search, whose matches the facets count too
    queryset, search = activity_filter.queryset, activity_filter.search_results
    for name, value in getattr(activity_filter.form, "cleaned_data", {}).items():
        if name not in names and name != "q":
            queryset = activity_filter.filters[name].filter(queryset, value)
    return search.counted_among(queryset) if search else queryset


def capped(activity_filter, count):
    """Whether a facet that counted this many activities counted only a broad search's first matches."""
    search = activity_filter.search_results
    return bool(search and search.bounded and count > search.limit)


def chosen(activity_filter, name):
    return getattr(activity_filter.form, "cleaned_data", {}).get(name) or []


@dataclass(frozen=True)
class CategoryCount:
    """A category as its facet counts it: how many activities it holds, and per kind (of another set, maybe)."""

    slug: str
    name: str
    count: int
    by_kind: dict


def category_parts(counted, kinds_counted):
    """
    The categories' own rows, then the `counted` activities grouped by category and kind, with how many of
    `kinds_counted` each group holds. Grouping the counted activities costs what a search matches; a count
    joined to every category would read every activity.
    """
    categories = uncounted(Category.objects.all(), "category", pk="pk", slug="slug", name="name", position="position")
    grouped = {"pk": "category", "kind": "kind"}
    if kinds_counted is counted:
        # Without a kind chosen, both counts count the same activities: read them once.
        counts = shaped(counted, "category count", **grouped).annotate(listed=Count("pk"), by_kind=Count("pk"))
    else:
        both = Activity.objects.filter(Q(pk__in=counted) | Q(pk__in=kinds_counted))
        counts = shaped(both, "category count", **grouped).annotate(
            listed=Count("pk", filter=Q(pk__in=counted)), by_kind=Count("pk", filter=Q(pk__in=kinds_counted))
        )
    return [categories, counts]


def category_counts(rows):
    """Every category in display order, with its count and its counts per kind, from the rows `read` returned."""
    found = {(row["pk"], row["kind"]): (row["listed"], row["by_kind"]) for row in rows["category count"]}
    kinds = Activity.Kind.values
    return [
        CategoryCount(
            slug=row["slug"],
            name=row["name"],
            count=sum(found.get((row["pk"], kind), (0, 0))[0] for kind in kinds),
            by_kind={kind: found.get((row["pk"], kind), (0, 0))[1] for kind in kinds},
        )
        for row in sorted(rows["category"], key=lambda row: (row["position"], row["name"]))
    ]


def destination_parts(counted):
    """
    The destinations' rows, the `counted` activities' links grouped by destination (from the activities'
    side, so that they are read once), and how many activities were counted.
    """
    return [
        uncounted(Destination.objects.all(), "destination", pk="pk", slug="slug", name="name"),
        shaped(counted.filter(destinations__isnull=False), "synced", pk="destinations").annotate(
            listed=Count("pk"), by_kind=Value(0)
        ),
        shaped(counted, "counted").annotate(listed=Count("pk"), by_kind=Value(0)),
    ]


def destination_counts(rows):
    """Every destination in name order with `activity_count`, and how many activities were counted."""
    synced = {row["pk"]: row["listed"] for row in rows["synced"]}
    destinations = []
    for row in sorted(rows["destination"], key=lambda row: row["name"]):
        destinations.append(Destination(pk=row["pk"], slug=row["slug"], name=row["name"]))
        destinations[-1].activity_count = synced.get(row["pk"], 0)
    return destinations, sum(row["listed"] for row in rows["counted"])


def destination_choices(activity_filter, rows):
    """The "Synced to" facet: every destination, with its count, and each as a toggle: (destinations, choices)."""
    destinations, among = destination_counts(rows)
    items = [(destination.slug, destination.name, destination.activity_count) for destination in destinations]
    slugs = [destination.slug for destination in chosen(activity_filter, "destination")]
    return destinations, toggles("destination", items, slugs, capped(activity_filter, among))


def owner_parts(counted):
    """The `counted` activities grouped by owner (none included): the owner's username and full name, and how many."""
    full_name = Trim(Concat("owner__first_name", Value(" "), "owner__last_name", output_field=TEXT))
    grouped = shaped(counted, "owner", pk="owner", slug="owner__username", name=full_name)
    return [grouped.annotate(listed=Count("pk"), by_kind=Value(0))]


def owner_choices(activity_filter, rows):
    """
    The "Owner" facet: "No owner", then each owner by name, with their counts; empty while nobody owns an
    activity and no owner is chosen (a lone "No owner" would say nothing).
    """
    owned = sorted((row for row in rows["owner"] if row["pk"]), key=lambda row: (row["name"] or row["slug"]).casefold())
    unowned = sum(row["listed"] for row in rows["owner"] if not row["pk"])
    owner = chosen(activity_filter, "owner")
    if not owned and not owner:
        return []
    total = unowned + sum(row["listed"] for row in owned)
    items = [("none", "No owner", unowned)] + [
        (row["slug"], row["name"] or row["slug"], row["listed"]) for row in owned
    ]
    return [
        FacetChoice(
            name="owner",
            value=value,
            label=label,
            count=count,
            active=value == owner,
            capped=capped(activity_filter, total),
            params={"owner": None if value == owner else value, "page": None},
        )
        for value, label, count in items
    ]


def category_page_facets(activity_filter, slug):
    """
    A category page's category (None if no category has this slug) and its "Synced to" facet, in one query:
    (category, destinations, choices).
    """
    category = uncounted(
        Category.objects.filter(slug=slug), "category", pk="pk", slug="slug", name="name", description="description"
    )
    rows = read([category, *destination_parts(counted_without(activity_filter, "destination"))])
    found = rows["category"]
    category = Category(**{name: found[0][name] for name in ("pk", "slug", "name", "description")}) if found else None
    return (category, *destination_choices(activity_filter, rows))


def facets(activity_filter):
    """Category, kind, destination and owner choices with counts, in one query; each counts all filters but its own."""
    counted = counted_without(activity_filter, "category")
    kind = chosen(activity_filter, "kind")
    # With a kind chosen, the kind counts come from the activities of every kind.
    kinds_counted = counted_without(activity_filter, "category", "kind") if kind else counted
    rows = read(
        [
            *category_parts(counted, kinds_counted),
            *destination_parts(counted_without(activity_filter, "destination")),
            *owner_parts(counted_without(activity_filter, "owner")),
        ]
    )
    categories = category_counts(rows)
    slugs = [category.slug for category in chosen(activity_filter, "category")]
    category_choices = toggles(
        "category",
        [(category.slug, category.name, category.count) for category in categories],
        slugs,
        capped(activity_filter, sum(category.count for category in categories)),
    )
    # Kind counts honour the category filter, which is a choice of categories: add up the chosen ones (or all).
    among = [category for category in categories if not slugs or category.slug in slugs]
    kind_counts = {value: sum(category.by_kind[value] for category in among) for value in Activity.Kind.values}
    every_kind = sum(sum(category.by_kind.values()) for category in categories)
    kinds = [
        FacetChoice(
            name="kind",
            value=value,
            label=label,
            count=kind_counts[value],
            capped=capped(activity_filter, every_kind),
            active=value == kind,
            params={"kind": None if value == kind else value, "page": None},
        )
        for value, label in Activity.Kind.choices
    ]
    destinations, destination_choice_list = destination_choices(activity_filter, rows)
    owners = owner_choices(activity_filter, rows)
    every = (*category_choices, *kinds, *destination_choice_list, *owners)
    return {
        "category": category_choices,
        "kind": kinds,
        "destination": destination_choice_list,
        "owner": owners,
        "active": [choice for choice in every if choice.active],
        "destinations": destinations,
    }
