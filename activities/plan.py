"""
Reading the sync plan: each activity's decision for each destination, the progress per destination, and the
activities nobody has decided about yet. Writing it is `decisions.decide()`.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import CharField, Count, Exists, F, IntegerField, OuterRef, Value

from activities.decisions import Choice, Decision, effective, seen_token
from activities.models import Activity, Destination

LINKS = Activity.destinations.through


def undecided_for(activities, destinations):
    """Activities with no decision in force for any of these destinations: neither synced nor "don't sync"."""
    for destination in destinations:
        synced = LINKS.objects.filter(activity=OuterRef("pk"), destination=destination)
        refused = Decision.objects.filter(activity=OuterRef("pk"), destination=destination, decision=Choice.DONT)
        activities = activities.filter(~Exists(synced) & ~Exists(refused))
    return activities


def decided_against(activities, destination):
    """Of these activities, those whose decision in force for this destination is "don't sync"."""
    synced = LINKS.objects.filter(activity=OuterRef("pk"), destination=destination)
    refused = Decision.objects.filter(activity=OuterRef("pk"), destination=destination, decision=Choice.DONT)
    return activities.filter(Exists(refused) & ~Exists(synced))


@dataclass(frozen=True)
class Progress:
    """How far the plan for one destination has come among some activities."""

    destination: Destination
    sync: int
    dont: int
    undecided: int

    @property
    def total(self):
        return self.sync + self.dont + self.undecided

    @property
    def decided_share(self):
        """The share decided, as a whole percentage for a progress bar."""
        return round(100 * (self.sync + self.dont) / self.total) if self.total else 0


def progress(counted):
    """
    Every destination in name order, with how many of the `counted` activities sync, don't, or are undecided.
    One query: the destinations' rows, the links and the "don't sync" decisions grouped by destination, and the
    count of the activities counted (UNION ALL), each read from the activities' side, as the facets count.
    """
    text, number = Value(None, CharField()), Value(None, IntegerField())
    rows = Destination.objects.order_by().values_list("pk", "slug", "name", "kind", "notes", Value(0))
    counted = counted.order_by()
    synced = counted.filter(destinations__isnull=False).values_list("destinations", Value("sync"), text, text, text)
    refused = (
        counted.filter(decisions__decision=Choice.DONT)
        .annotate(refused_for=F("decisions__destination"))
        .filter(~Exists(LINKS.objects.filter(activity=OuterRef("pk"), destination=OuterRef("refused_for"))))
        .values_list("refused_for", Value("dont"), text, text, text)
    )
    among = counted.values_list(number, text, text, text, text)
    parts = [part.annotate(n=Count("pk")) for part in (synced, refused, among)]
    found = list(rows.union(*parts, all=True))
    counts = {(pk, part): n for pk, part, name, *_, n in found if name is None}
    listed = counts.get((None, None), 0)
    lines = []
    for pk, slug, name, kind, notes, _ in sorted((row for row in found if row[2] is not None), key=lambda row: row[2]):
        sync, dont = counts.get((pk, "sync"), 0), counts.get((pk, "dont"), 0)
        destination = Destination(pk=pk, slug=slug, name=name, kind=kind, notes=notes)
        lines.append(Progress(destination, sync, dont, listed - sync - dont))
    return lines


@dataclass(frozen=True)
class Cell:
    """One activity's decision for one destination, as the plan shows it."""

    activity: Activity
    destination: Destination
    decision: Choice
    reason: str
    decided_by: str
    decided_at: datetime | None
    seen: str
    version: int

    @property
    def label(self):
        return Choice(self.decision).label


def cells_for(activity, destinations, rows):
    """The cells of one activity (with `destination_slugs`), from its Decision rows keyed by destination id."""
    cells = []
    for destination in destinations:
        row = rows.get(destination.pk)
        linked = destination.slug in activity.synced_slugs
        decision = effective(linked, row)
        standing = row is not None and row.decision == decision
        cells.append(
            Cell(
                activity=activity,
                destination=destination,
                decision=decision,
                reason=row.reason if standing else "",
                decided_by=(row.decided_by.get_full_name() or row.decided_by.get_username())
                if standing and row.decided_by
                else "",
                decided_at=row.decided_at if standing else None,
                seen=seen_token(linked, row),
                version=row.version if row is not None else 0,
            )
        )
    return cells


def with_cells(activities, destinations):
    """
    These activities (a page, annotated by `with_destination_slugs()`), each with `cells`, one per destination in
    the given order: one query for their decisions, whatever their number.
    """
    activities = list(activities)
    rows = {}
    decided = Decision.objects.filter(activity__in=[activity.pk for activity in activities]).select_related(
        "decided_by"
    )
    for row in decided.order_by():
        rows.setdefault(row.activity_id, {})[row.destination_id] = row
    for activity in activities:
        activity.cells = cells_for(activity, destinations, rows.get(activity.pk, {}))
    return activities


def cell(activity, destination):
    """One cell, read again after a change: what the htmx answer re-renders."""
    activity = Activity.objects.for_listing().with_destination_slugs().get(pk=activity.pk)
    rows = {
        row.destination_id: row
        for row in Decision.objects.filter(activity=activity, destination=destination).select_related("decided_by")
    }
    return cells_for(activity, [destination], rows)[0]


EXPORT_COLUMNS = (
    "slug",
    "name",
    "category",
    "destination",
    "decision",
    "reason",
    "decided_by",
    "decided_at",
    "version",
)


def export_rows(activities, destinations):
    """The plan as rows, one per activity and destination, in the API's types (times in ISO 8601, or None)."""
    for activity in with_cells(activities, destinations):
        for item in activity.cells:
            yield {
                "slug": activity.slug,
                "name": activity.name,
                "category": activity.category.slug,
                "destination": item.destination.slug,
                "decision": str(item.decision),
                "reason": item.reason,
                "decided_by": item.decided_by,
                "decided_at": iso(item.decided_at),
                "version": item.version,
            }


class Decided(dict):
    """{activity slug: {destination slug: decision as the API gives it}}, and the destinations' slugs in order."""

    destinations = ()


def decisions_by_slug(activities):
    """Every decision of these activities, as the API and the exports give them: two queries, whatever their number."""
    destinations = list(Destination.objects.all())
    decided = Decided()
    decided.destinations = [destination.slug for destination in destinations]
    for activity in with_cells(activities.with_destination_slugs(), destinations):
        decided[activity.slug] = {item.destination.slug: as_data(item) for item in activity.cells}
    return decided


def as_data(item):
    """One cell in the API's shape and types."""
    return {
        "destination": item.destination.slug,
        "decision": str(item.decision),
        "reason": item.reason,
        "decided_at": iso(item.decided_at),
    }


def iso(moment):
    """A time as the API writes it: ISO 8601 in UTC, with "Z"; None stays None."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None
