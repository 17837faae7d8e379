"""
What changed in the catalog, read from the history of activities and categories (simple-history), for
/changes/, its feeds and the API: each history entry compared with the entry before it, as field changes.

The kinds of change are data (CHANGE_KINDS): a field, the label a reader sees, and how its values are shown
(word by word for text, before and after for the rest). A field added to the activities' history becomes a
kind of change by adding a row here and, when its values need names, a reader in `readers()`. A kind applies
to the rows whose history has its field (a category is renamed, never reworded).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from itertools import groupby

from django import forms
from django.db.models import CharField, DateTimeField, Value
from django.utils import timezone

from activities.decisions import Choice, Decision
from activities.models import Activity, Category, Destination

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class ChangeKind:
    slug: str
    label: str
    field: str | None = None  # None: the whole row came or went
    words: bool = False  # shown word by word (text) rather than before and after


CHANGE_KINDS = (
    ChangeKind("added", "Added"),
    ChangeKind("removed", "Removed"),
    ChangeKind("renamed", "Renamed", "name", words=True),
    ChangeKind("reworded", "Reworded", "definition", words=True),
    ChangeKind("moved", "Moved", "category"),
    ChangeKind("kind", "Kind changed", "kind"),
    ChangeKind("destinations", "Destinations", "destinations"),
    ChangeKind("decisions", "Sync decisions", "decisions"),
    ChangeKind("described", "Description changed", "description", words=True),
)
FIELD_KINDS = [kind for kind in CHANGE_KINDS if kind.field]


@dataclass
class FieldChange:
    kind: ChangeKind
    before: str
    after: str


@dataclass
class Change:
    """One history entry of an activity or a category, with what it changed against the entry before it."""

    entry: object
    fields: list
    kinds: list

    @property
    def row(self):
        """What changed: "activity" or "category"."""
        return self.entry.instance_type._meta.model_name

    @property
    def id(self):
        """The same for the same change, always: the kind of row and its history entry's key."""
        return f"{self.row}-{self.entry.history_id}"

    @property
    def date(self):
        return self.entry.history_date

    @property
    def who(self):
        return self.entry.history_user

    @property
    def reason(self):
        return self.entry.history_change_reason or ""

    @property
    def name(self):
        return self.entry.name

    @property
    def slug(self):
        return self.entry.slug


@dataclass
class Group:
    """One activity's or category's changes, newest first."""

    row: str
    row_id: int
    changes: list = field(default_factory=list)

    @property
    def latest(self):
        return self.changes[0]


class ChangesForm(forms.Form):
    """The page's and the API's parameters: a date range, "since my last visit", a category and a kind."""

    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    since = forms.DateTimeField(
        required=False, label="Since", help_text="A moment kept in the URL: bookmark it to see what came after."
    )
    category = forms.ChoiceField(required=False, label="Category")
    kind = forms.ChoiceField(
        required=False, choices=[("", "Any kind of change"), *((kind.slug, kind.label) for kind in CHANGE_KINDS)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read once: the choices, their check and the names that changes show all come from this one query.
        self.categories = list(Category.objects.values_list("pk", "slug", "name"))
        self.fields["category"].choices = [("", "Any category"), *((slug, name) for _, slug, name in self.categories)]

    def clean_category(self):
        """The chosen category (its key, slug and name), or None for any."""
        chosen = self.cleaned_data["category"]
        return next(
            (Category(pk=pk, slug=slug, name=name) for pk, slug, name in self.categories if slug == chosen), None
        )

    def category_names(self):
        return {pk: name for pk, _, name in self.categories}

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("The range ends before it starts: choose a “To” date after the “From” date.")
        return data

    def window(self):
        """(from, until) as aware datetimes: `since`, else the start date, else thirty days ago; the end date's end."""
        data = self.cleaned_data
        now = timezone.now()
        until = aware(data["end"] + timedelta(days=1)) if data.get("end") else None
        if data.get("since"):
            return data["since"], until
        if data.get("start"):
            return aware(data["start"]), until
        return (until or now) - timedelta(days=DEFAULT_DAYS), until


def aware(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def entries_in(model, start, until=None, category=None, activity=None):
    """
    History entries of the rows of `model` changed in [start, until), with every earlier entry of the same
    rows (to compare with), oldest first: one query whatever the number of changes.
    """
    history = model.history.model.objects
    touched = history.filter(history_date__gte=start)
    if until is not None:
        touched = touched.filter(history_date__lt=until)
    if category is not None:
        touched = touched.filter(**{"category_id" if model is Activity else "id": category.pk})
    if activity is not None:
        touched = touched.filter(id=activity)
    entries = history.filter(id__in=touched.values("id")).select_related("history_user")
    if until is not None:
        entries = entries.filter(history_date__lt=until)
    return list(entries.order_by("id", "history_date", "history_id"))


def plan_of(entries):
    """
    For these activity entries, ({history id: destination names}, {history id: decisions}) as each entry left
    them, in one query (and one for the names). A decision has its own history, written just before the
    activity's entry that records it, so an entry's decisions are the latest of each destination's up to it.
    """
    if not entries:
        return {}, {}
    snapshot = Activity.history.model._meta.get_field("historicalactivity_destinations").related_model
    text, moment = Value(None, CharField()), Value(None, DateTimeField())
    links = (
        snapshot.objects.filter(history__in=[entry.history_id for entry in entries])
        .order_by()
        .values_list(Value("link", CharField()), "history_id", "destination_id", text, text, moment, text)
    )
    decided = (
        Decision.history.model.objects.filter(activity_id__in={entry.id for entry in entries})
        .order_by()
        .values_list(
            Value("decision", CharField()),
            "activity_id",
            "destination_id",
            "decision",
            "reason",
            "history_date",
            "history_type",
        )
    )
    names = dict(Destination.objects.values_list("pk", "name"))
    found, history = {entry.history_id: [] for entry in entries}, defaultdict(list)
    for tag, key, destination, *decision in links.union(decided, all=True).order_by():
        if tag == "link":
            found[key].append(names.get(destination, "a deleted destination"))
        else:
            history[key].append((decision[2], destination, decision))
    linked = {key: ", ".join(sorted(value)) or "none" for key, value in found.items()}
    return linked, decisions_at(entries, history, names)


def decisions_at(entries, history, names):
    """{history id: "Salesforce: Don't sync (Too noisy); Webhook: Sync"}, each entry's standing decisions."""
    labels = dict(Choice.choices)
    said = {}
    for activity, own in groupby(sorted(entries, key=lambda entry: entry.id), key=lambda entry: entry.id):
        changes = sorted(history.get(activity, []), key=lambda change: change[0])
        standing, next_change = {}, 0
        for entry in sorted(own, key=lambda entry: entry.history_date):
            # Every decision made up to this entry, the latest per destination; undecided or deleted shows nothing.
            while next_change < len(changes) and changes[next_change][0] <= entry.history_date:
                _, destination, (choice, reason, _, kind) = changes[next_change]
                name = names.get(destination, "a deleted destination")
                label = f"{name}: {labels[choice]}" + (f" ({reason})" if reason else "")
                standing[destination] = None if kind == "-" or choice == Choice.UNDECIDED else label
                next_change += 1
            said[entry.history_id] = "; ".join(sorted(label for label in standing.values() if label)) or "none"
    return said


def readers(category_names=None):
    """How each field's stored value reads: names for the category, labels for the kind."""
    categories = category_names if category_names is not None else dict(Category.objects.values_list("pk", "name"))
    kinds = dict(Activity.Kind.choices)
    return {
        "category": lambda entry: categories.get(entry.category_id, "a deleted category"),
        "kind": lambda entry: kinds.get(entry.kind, entry.kind),
    }


def kinds_of(model):
    """The kinds of change a row of `model` can have: those whose field its history keeps."""
    fields = {field.name for field in model.history.model._meta.get_fields()}
    if model is Activity:
        fields |= {"destinations", "decisions"}  # kept beside the entry (simple-history, decisions' own history)
    return [kind for kind in FIELD_KINDS if kind.field in fields]


def changes(start, until=None, category=None, kind=None, activity=None, category_names=None):
    """
    The changes in the window as groups per activity or category, the most recently changed first. With
    `activity` (a key), only that activity's; with `category`, its activities' and its own.
    """
    rows = [(Activity, entries_in(Activity, start, until, category, activity))]
    if activity is None:
        rows.append((Category, entries_in(Category, start, until, category)))
    destinations, decisions = plan_of(rows[0][1])
    read = readers(category_names) | {
        "destinations": lambda entry: destinations[entry.history_id],
        "decisions": lambda entry: decisions[entry.history_id],
    }
    groups = {}
    for model, entries in rows:
        fields, previous = kinds_of(model), {}
        for entry in entries:
            before = previous.get(entry.id)
            previous[entry.id] = entry
            if entry.history_date < start:
                continue
            if model is Activity and category is not None and entry.category_id != category.pk:
                continue
            change = compare(before, entry, read, fields)
            if change.kinds and (kind is None or kind in {found.slug for found in change.kinds}):
                key = (change.row, entry.id)
                groups.setdefault(key, Group(change.row, entry.id)).changes.insert(0, change)
    return sorted(groups.values(), key=lambda group: (group.latest.date, group.latest.id), reverse=True)


def value_of(entry, name, read):
    return read[name](entry) if name in read else getattr(entry, name)


def compare(before, entry, read, kinds=FIELD_KINDS):
    """What one history entry changed against the one before it (None: the row was added)."""
    if entry.history_type == "-":
        return Change(entry, [], [CHANGE_KINDS[1]])
    if before is None or before.history_type == "-":
        return Change(entry, [], [CHANGE_KINDS[0]])
    fields = []
    for kind in kinds:
        old, new = value_of(before, kind.field, read), value_of(entry, kind.field, read)
        if old != new:
            fields.append(FieldChange(kind, str(old), str(new)))
    return Change(entry, fields, [found.kind for found in fields])
