"""
Applying a drift report: the editor's decision on each item, written in one transaction.

Each accepted change is an edit like any other: it claims the version the report showed (a row saved since
is refused with StaleEdit, and nothing is written), and history records it with the reason "From the article
imported on <date>". A rejected or undecided item leaves the catalog as it is. Once every item has a
decision, the article becomes the last imported one, the base of the next report.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.timezone import localtime

from activities.drift import Drift
from activities.versioning import StaleEdit


class DriftError(Exception):
    """A report that cannot be applied as decided; nothing was written."""


ACCEPT, REJECT, THEIRS, OURS, MERGE = "accept", "reject", "theirs", "ours", "merge"


@dataclass
class Decision:
    """What the editor chose for one item: accept or reject it; for a conflict theirs, ours or a merge."""

    action: str
    version: int | None = None
    merged: dict = field(default_factory=dict)

    @property
    def takes_a_change(self):
        return self.action in (ACCEPT, THEIRS, MERGE)


def non_conflicting(report):
    """Every item whose change needs no decision, accepted at the version the report read."""
    return {
        item.key: Decision(ACCEPT, version=(item.ours or {}).get("version"))
        for item in report.items
        if item.drift in (Drift.NEW, Drift.REWORDED, Drift.RENAMED)
    }


def refuse_stale_base(article):
    """Raise DriftError when another article was imported after this one's base."""
    from activities.models import ImportedArticle

    last = ImportedArticle.objects.last_imported()
    if (last and last.pk) != article.base_id:
        when = date_format(localtime(last.imported), "j M Y H:i")
        raise DriftError(
            f"Another article was imported on {when}, after this report was made: its comparison no longer "
            "holds. Nothing was applied; upload the article again to see its report against the new base."
        )


@transaction.atomic
def apply(article, report, decisions, user, complete=True):
    """
    Write the changes `decisions` ({item key: Decision}) accept, in one transaction; return how many.
    With `complete`, the article becomes the last imported one. Raises DriftError or StaleEdit, having
    written nothing.
    """
    from activities.models import Catalog, ImportedArticle

    # Lock the article and its base: two reports against the same base apply one after the other, and the
    # second then finds the base moved on.
    locked = ImportedArticle.objects.select_for_update().filter(pk__in=[article.pk, article.base_id or article.pk])
    list(locked.order_by("pk").values_list("pk"))
    article.refresh_from_db(fields=["imported"])
    if article.imported is not None:
        raise DriftError("This article's report was applied already; nothing was applied again.")
    refuse_stale_base(article)
    writer = Writer(article, report, user)
    # Categories first (activities move into new ones), removals last (a category leaves once empty).
    order = {"category": 0, "activity": 1}
    taken = [item for item in report.items if decisions.get(item.key) and decisions[item.key].takes_a_change]
    taken.sort(key=lambda item: (item.drift == Drift.REMOVED, item.drift == Drift.REMOVED and -order[item.kind]))
    for item in taken:
        writer.write(item, decisions[item.key])
    if complete:
        article.imported, article.imported_by = writer.now, user
        article.save(update_fields=["imported", "imported_by"])
        if not Catalog.objects.exists() and (report.title or report.overview):
            Catalog.objects.create(pk=1, title=report.title, overview=report.overview)
    return len(taken)


class Writer:
    """Writes accepted items as edits with the article's reason."""

    def __init__(self, article, report, user):
        self.report, self.user, self.now = report, user, timezone.now()
        self.reason = f"From the article imported on {date_format(localtime(self.now), 'j M Y')}"

    def models(self, item):
        from activities.models import Activity, Category

        return Category if item.kind == "category" else Activity

    def write(self, item, decision):
        model = self.models(item)
        if item.drift == Drift.REMOVED:
            return self.remove(model, item, decision)
        values = {"name": item.theirs["name"], "slug": item.theirs["slug"]}
        if item.kind == "activity":
            values |= {"definition": item.theirs["definition"], "category": self.category(item.theirs["category"])}
        if decision.action == MERGE:
            merged = {name: value.strip() for name, value in decision.merged.items() if name in ("name", "definition")}
            values |= merged
            values["slug"] = item.ours["slug"] if values["name"] == item.ours["name"] else slugify(values["name"])
        if item.ours is None:
            row = model(**values, position=item.theirs["position"])
            if item.kind == "activity":
                row.kind = "system"
        else:
            row = model._base_manager.get(pk=item.ours["pk"])
            row.version = decision.version if decision.version is not None else item.ours["version"]
            for name, value in values.items():
                setattr(row, name, value)
        self.refuse_taken_name(model, item, row)
        self.save(row)

    def category(self, slug):
        from activities.models import Category

        found = Category.objects.filter(slug=slug).first()
        if found is None:
            # An activity of a category the catalog lacks brings the category, as the article names it.
            listed = self.report.categories[slug]
            found = Category(name=listed["name"], slug=slug, position=listed["position"])
            self.save(found)
        return found

    def refuse_taken_name(self, model, item, row):
        other = model.objects.filter(name__iexact=row.name).exclude(pk=row.pk).first()
        if other is not None:
            where = f"line {item.line}: " if item.line else ""
            raise DriftError(
                f"{where}the {item.kind} name {row.name!r} is already used, ignoring case, by the {item.kind} "
                f"{other.slug!r}. Nothing was applied."
            )

    def save(self, row):
        row._change_reason, row._history_user = self.reason, self.user
        row.save()

    def remove(self, model, item, decision):
        row = model._base_manager.select_for_update().get(pk=item.ours["pk"])
        seen = decision.version if decision.version is not None else item.ours["version"]
        if row.version != seen:
            row.version = seen
            raise StaleEdit(row)
        if item.kind == "category" and row.activities.exists():
            raise DriftError(
                f"The category {row.name!r} still holds activities: move or remove them first. Nothing was applied."
            )
        row._change_reason, row._history_user = self.reason, self.user
        row.delete()
