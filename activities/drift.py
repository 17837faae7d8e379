"""
Drift between the vendor's help article and the catalog, found three ways as a merge finds it.

The base is the article last imported, theirs the newer article, ours the catalog as editors left it. A row
that differs between base and theirs changed upstream; one that differs between base and ours changed here.
Each category and activity lands in one class (see Drift); rows alike in all three are not listed. Nothing
here writes: `activities/drift_apply.py` applies the decisions an editor takes on a report.
"""

import re
from dataclasses import dataclass, field

from django.db import models

from activities.article import ParsedArticle, parse_article


class Drift(models.TextChoices):
    NEW = "new", "New upstream"
    REMOVED = "removed", "Removed upstream"
    REWORDED = "reworded", "Reworded upstream"
    RENAMED = "renamed", "Renamed upstream"
    CONFLICT = "conflict", "Changed upstream and here"
    LOCAL = "local", "Changed here only"


# Classes whose change can be taken without a decision: they touch nothing an editor changed, and delete nothing.
NEEDS_NO_DECISION = (Drift.NEW, Drift.REWORDED, Drift.RENAMED)
# The fields compared, per kind of row; slugs follow names and positions follow the article's order.
COMPARED = {"category": ("name",), "activity": ("name", "definition", "category")}


@dataclass
class Item:
    """One category or activity in a drift report, with its three states (None where a side lacks it)."""

    kind: str
    drift: Drift
    base: dict | None
    theirs: dict | None
    ours: dict | None

    @property
    def key(self):
        """Stable within a report: the kind and the slug the row has in the catalog (or will have, when new)."""
        return f"{self.kind}:{(self.ours or self.theirs)['slug']}"

    @property
    def name(self):
        """The name the row goes by: the catalog's for a change made here only, else the newer article's."""
        local = self.ours if self.drift == Drift.LOCAL else None
        return (local or self.theirs or self.ours or self.base)["name"]

    @property
    def needs_decision(self):
        return self.drift not in NEEDS_NO_DECISION and self.drift != Drift.LOCAL

    @property
    def is_system_removal(self):
        return self.drift == Drift.REMOVED and (self.ours or {}).get("kind", "system") == "system"

    @property
    def line(self):
        return (self.theirs or {}).get("line")

    @property
    def fields(self):
        """The compared fields as (name, base, theirs, ours) rows, for the report's side-by-side view."""
        states = (self.base or {}, self.theirs or {}, self.ours or {})
        return [(name, *(state.get(name) for state in states)) for name in COMPARED[self.kind]]


@dataclass
class Report:
    items: list = field(default_factory=list)
    # The newer article's categories by slug and its introduction, for what applying an item needs besides it.
    categories: dict = field(default_factory=dict)
    title: str = ""
    overview: str = ""

    def of(self, drift):
        return [item for item in self.items if item.drift == drift]

    def get(self, key):
        return next((item for item in self.items if item.key == key), None)

    def counts(self):
        """How many rows each class holds, in the classes' own order, empty classes included."""
        return [(drift, len(self.of(drift))) for drift in Drift]

    @property
    def decided_upstream(self):
        """Whether no row needs a decision: applying the rest takes the whole article."""
        return not any(item.needs_decision for item in self.items)

    def summary(self):
        """The report as lines of text, for the command line."""
        lines = [", ".join(f"{count} {drift.label.lower()}" for drift, count in self.counts()) + "."]
        for item in self.items:
            lines.append(f"  {item.drift.label:<26} {item.kind:<9} {item.name}")
        return lines


def same_text(one, other):
    """Texts that read the same: runs of whitespace count as one space."""
    return re.sub(r"\s+", " ", one or "").strip() == re.sub(r"\s+", " ", other or "").strip()


def differs(kind, one, other):
    return any(not same_text(str(one[name]), str(other[name])) for name in COMPARED[kind])


def article_rows(parsed):
    """({category slug: values}, {activity slug: values}) of a parsed article."""
    categories, activities = {}, {}
    for position, category in enumerate(parsed.categories, start=1):
        members = frozenset(activity.slug for activity in category.activities)
        categories[category.slug] = {
            "name": category.name,
            "slug": category.slug,
            "position": position,
            "line": category.line,
            "members": members,
        }
        for activity_position, activity in enumerate(category.activities, start=1):
            activities[activity.slug] = {
                "name": activity.name,
                "slug": activity.slug,
                "definition": activity.definition,
                "category": category.slug,
                "position": activity_position,
                "line": activity.line,
            }
    return categories, activities


def catalog_rows():
    """({slug: values}, {old slug: slug}) for categories and for activities, as the catalog holds them now."""
    from activities.models import Activity, ActivityOldSlug, Category, CategoryOldSlug

    categories = {
        row["slug"]: row for row in Category.objects.order_by().values("pk", "name", "slug", "version", "position")
    }
    columns = ("pk", "name", "slug", "definition", "kind", "version", "position", "category__slug")
    activities = {}
    for row in Activity.objects.order_by().values(*columns):
        row["category"] = row.pop("category__slug")
        activities[row["slug"]] = row
    moved_categories = dict(CategoryOldSlug.objects.values_list("slug", "row__slug"))
    moved_activities = dict(ActivityOldSlug.objects.values_list("slug", "row__slug"))
    return (categories, moved_categories), (activities, moved_activities)


def three_way(kind, base, theirs, ours):
    """The class of a row the base and theirs both have (None: nothing to list)."""
    upstream = differs(kind, base, theirs)
    if ours is None:
        return Drift.LOCAL  # deleted here: kept deleted, and listed
    local = differs(kind, base, ours)
    if not upstream:
        return Drift.LOCAL if local else None
    if not local:
        return Drift.REWORDED
    return Drift.CONFLICT if differs(kind, ours, theirs) else None


def renames(kind, gone, added, base, theirs):
    """{old slug: new slug} for rows that left under one name and came back under another, the same otherwise."""

    def signature(row):
        # An activity is known by its definition; a category by the activities it holds.
        return re.sub(r"\s+", " ", row["definition"]).strip() if kind == "activity" else row["members"]

    waiting = {}
    for slug in sorted(added):
        waiting.setdefault(signature(theirs[slug]), []).append(slug)
    found = {}
    for slug in sorted(gone):
        candidates = waiting.get(signature(base[slug]))
        if candidates:
            found[slug] = candidates.pop(0)
    return found


def compare(kind, base, theirs, catalog):
    """The items of one kind of row: base and theirs as {slug: values}, catalog as (rows, old slugs)."""
    rows, moved = catalog

    def ours_of(slug):
        return rows.get(slug) or rows.get(moved.get(slug))

    items, seen = [], set()
    gone, added = base.keys() - theirs.keys(), theirs.keys() - base.keys()
    renamed = renames(kind, gone, added, base, theirs)
    for slug in sorted(base.keys() & theirs.keys(), key=lambda slug: theirs[slug]["line"]):
        ours = ours_of(slug)
        seen.add(ours and ours["slug"])
        if (drift := three_way(kind, base[slug], theirs[slug], ours)) is not None:
            items.append(Item(kind, drift, base[slug], theirs[slug], ours))
    for old, new in renamed.items():
        ours = ours_of(old)
        seen.add(ours and ours["slug"])
        renamed_here = ours is not None and not same_text(ours["name"], base[old]["name"])
        if ours is None or (renamed_here and not same_text(ours["name"], theirs[new]["name"])):
            drift = Drift.LOCAL if ours is None else Drift.CONFLICT
        else:
            drift = Drift.RENAMED if ours["slug"] != new or differs(kind, ours, theirs[new]) else None
        if drift is not None:
            items.append(Item(kind, drift, base[old], theirs[new], ours))
    for slug in sorted(gone - renamed.keys()):
        ours = ours_of(slug)
        seen.add(ours and ours["slug"])
        if ours is not None:
            items.append(Item(kind, Drift.REMOVED, base[slug], None, ours))
    for slug in sorted(added - set(renamed.values()), key=lambda slug: theirs[slug]["line"]):
        ours = rows.get(slug)
        seen.add(ours and ours["slug"])
        if ours is None:
            items.append(Item(kind, Drift.NEW, None, theirs[slug], None))
        elif differs(kind, ours, theirs[slug]):
            items.append(Item(kind, Drift.CONFLICT, None, theirs[slug], ours))
    for slug in sorted(rows.keys() - seen):
        items.append(Item(kind, Drift.LOCAL, None, None, rows[slug]))  # added here
    return items


def renamed_category(row, moved):
    return {**row, "category": moved.get(row["category"], row["category"])}


def drift(base_text, theirs_text):
    """The drift report of the article `theirs_text` against the base article (None: nothing imported yet)."""
    base = parse_article(base_text) if base_text else ParsedArticle(title="", overview="", categories=[])
    return report(base, parse_article(theirs_text))


def report(base, theirs):
    """The drift report of two parsed articles against the catalog as it is now."""
    (base_categories, base_activities), (their_categories, their_activities) = article_rows(base), article_rows(theirs)
    categories, activities = catalog_rows()
    # An activity whose category was renamed upstream has not moved: read every side under the new names.
    moved = renames(
        "category",
        base_categories.keys() - their_categories.keys(),
        their_categories.keys() - base_categories.keys(),
        base_categories,
        their_categories,
    )
    if moved:
        base_activities = {slug: renamed_category(row, moved) for slug, row in base_activities.items()}
        activities = ({slug: renamed_category(row, moved) for slug, row in activities[0].items()}, activities[1])
    return Report(
        compare("category", base_categories, their_categories, categories)
        + compare("activity", base_activities, their_activities, activities),
        categories=their_categories,
        title=theirs.title,
        overview=theirs.overview,
    )
