"""
The list's facets: every category, kind and destination as a link that toggles it, with how many results
that choice would give. Each facet counts the activities matching every other filter but not its own, so a
choice can be added to those made; a broad search's facets count its first matches only (lower bounds, "+").
"""

from dataclasses import dataclass

from django.db.models import CharField, Count, IntegerField, Q, Value

from activities.models import Activity, Category, Destination


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


def category_counts(counted, kinds_counted):
    """
    Every category in display order, with how many `counted` activities it holds, and of `kinds_counted` per
    kind. One query: the categories' own rows, then the activities' counts grouped by category and kind
    (UNION ALL). Grouping the counted activities costs what a search matches; a count joined to every
    category would read every activity.
    """
    categories = Category.objects.order_by().values_list("pk", "slug", "name", "position", Value(0), Value(0))
    columns = ("category", "kind", Value(None, CharField()), Value(None, IntegerField()))
    if kinds_counted is counted:
        # Without a kind chosen, both counts count the same activities: read them once.
        counts = counted.order_by().values_list(*columns).annotate(listed=Count("pk"), by_kind=Count("pk"))
    else:
        both = Activity.objects.filter(Q(pk__in=counted) | Q(pk__in=kinds_counted)).order_by()
        counts = both.values_list(*columns).annotate(
            listed=Count("pk", filter=Q(pk__in=counted)), by_kind=Count("pk", filter=Q(pk__in=kinds_counted))
        )
    rows = list(categories.union(counts, all=True))
    found = {(category, kind): (listed, by_kind) for category, kind, name, _, listed, by_kind in rows if name is None}
    ordered = sorted((row for row in rows if row[2] is not None), key=lambda row: (row[3], row[2]))
    kinds = Activity.Kind.values
    return [
        CategoryCount(
            slug=slug,
            name=name,
            count=sum(found.get((pk, kind), (0, 0))[0] for kind in kinds),
            by_kind={kind: found.get((pk, kind), (0, 0))[1] for kind in kinds},
        )
        for pk, slug, name, *_ in ordered
    ]


def destination_counts(counted):
    """
    Every destination in name order, with `activity_count`, how many of the `counted` activities sync to it, and
    how many were counted. One query, as for the categories: the destinations' rows, the links grouped by
    destination, and the count of the activities counted (UNION ALL); each reads the counted activities once.
    """
    text, number = Value(None, CharField()), Value(None, IntegerField())
    destinations = Destination.objects.order_by().values_list("pk", "slug", "name", Value(0))
    # Grouped from the activities' side, so that the counted activities are read once and joined to their links.
    linked = counted.filter(destinations__isnull=False).order_by().values_list("destinations", text, text)
    linked = linked.annotate(n=Count("pk"))
    among = counted.order_by().values_list(number, text, text).annotate(n=Count("pk"))
    rows = list(destinations.union(linked, among, all=True))
    counts = {pk: n for pk, slug, _, n in rows if slug is None}
    listed = []
    for pk, slug, name, _ in sorted((row for row in rows if row[1] is not None), key=lambda row: row[2]):
        listed.append(Destination(pk=pk, slug=slug, name=name))
        listed[-1].activity_count = counts.get(pk, 0)
    return listed, counts.get(None, 0)


def destination_facet(activity_filter):
    """
    The "Synced to" facet: every destination, with its count, and each as a toggle, counted without the
    destination filter itself: (destinations, choices).
    """
    destinations, among = destination_counts(counted_without(activity_filter, "destination"))
    items = [(destination.slug, destination.name, destination.activity_count) for destination in destinations]
    slugs = [destination.slug for destination in chosen(activity_filter, "destination")]
    return destinations, toggles("destination", items, slugs, capped(activity_filter, among))


def facets(activity_filter):
    """Category, kind and destination choices with their counts; each facet counts every other filter but its own."""
    counted = counted_without(activity_filter, "category")
    kind = chosen(activity_filter, "kind")
    # With a kind chosen, the kind counts come from the activities of every kind.
    categories = category_counts(counted, counted_without(activity_filter, "category", "kind") if kind else counted)
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
    destinations, destination_choices = destination_facet(activity_filter)
    return {
        "category": category_choices,
        "kind": kinds,
        "destination": destination_choices,
        "active": [choice for choice in (*category_choices, *kinds, *destination_choices) if choice.active],
        "destinations": destinations,
    }
