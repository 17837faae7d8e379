from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, OuterRef, Q, StringAgg, Subquery, Value
from django.db.models.functions import Greatest, Least, Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

from activities import triggers
from activities.search import search
from activities.versioning import KeepsOldSlugs, OldSlug, Versioned, VersionedHistory


class Catalog(models.Model):
    """The article's own text: its title and the overview shown on the home page."""

    title = models.CharField(max_length=200)
    overview = models.TextField(blank=True)

    class Meta:
        verbose_name = "catalog introduction"

    def __str__(self):
        return self.title


FACET_INDEX = "activities_activity_facet"


class CategoryQuerySet(models.QuerySet):
    def with_activity_counts(self):
        """Annotate each category with `activity_count`, in one query, in display order."""
        return self.annotate(activity_count=Count("activities")).order_by(*self.model._meta.ordering)


class Category(KeepsOldSlugs, Versioned):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0, help_text="Order on the home page; lower comes first.")

    objects = CategoryQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version"], bases=[VersionedHistory])

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="category_name_unique_ci",
                violation_error_message="A category with this name already exists (names are compared ignoring case).",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="category_name_not_empty"),
            models.CheckConstraint(condition=~Q(slug=""), name="category_slug_not_empty"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("activities:category_detail", args=[self.slug])

    @property
    def heading(self):
        """The article's own heading, which puts back the word the name drops."""
        return f"{self.name} activities"


class ActivityQuerySet(models.QuerySet):
    def in_category(self, slug):
        """Activities of the category with this slug."""
        return self.filter(category__slug=slug)

    def search(self, text, limit=None):
        """Activities matching a free-text query, best match first; a limit bounds the ranking of broad queries."""
        return search(self, text, limit).queryset

    def for_listing(self):
        """Activities with their category fetched in the same query."""
        return self.select_related("category")

    def get_by_natural_key(self, slug):
        """The activity with this slug, so fixtures can name activities instead of numbering them."""
        return self.get(slug=slug)

    def synced_to(self, slugs):
        """Activities synced to any of the destinations with these slugs, each once."""
        through = Activity.destinations.through.objects.filter(destination__slug__in=slugs)
        return self.filter(pk__in=through.values("activity_id"))

    def with_destination_slugs(self):
        """Annotate `destination_slugs` (space-separated) in the same query: badges without a query per row."""
        links = Activity.destinations.through.objects.filter(activity=OuterRef("pk")).values("activity")
        slugs = links.annotate(slugs=StringAgg("destination__slug", Value(" "))).values("slugs")
        return self.annotate(destination_slugs=Subquery(slugs))

    def sync_counts_by_category(self):
        """How many of these activities sync to each destination, per category: {(category_id, destination_id): n}."""
        links = Activity.destinations.through.objects.filter(activity__in=self.order_by().values("pk"))
        counts = links.values_list("activity__category", "destination").annotate(n=Count("pk")).order_by()
        return {(category_id, destination_id): n for category_id, destination_id, n in counts}

    def add_destinations(self, destinations):
        """Add these destinations to every activity here, one activity at a time so history sees each change."""
        for activity in self:
            activity.destinations.add(*destinations)

    def remove_destinations(self, destinations):
        """Remove these destinations from every activity here, one activity at a time so history sees each change."""
        for activity in self:
            activity.destinations.remove(*destinations)

    def set_destinations(self, destinations):
        """Make these exactly the destinations of every activity here, one activity at a time for history."""
        for activity in self:
            activity.destinations.set(destinations)

    def neighbours_of(self, activity):
        """The (previous, next) activities around this one in its category's order, as unsaved copies for a link."""
        same_place = Q(position=activity.position)
        before = Q(position__lt=activity.position) | same_place & Q(name__lt=activity.name)
        after = Q(position__gt=activity.position) | same_place & Q(name__gt=activity.name)
        siblings = self.filter(category_id=activity.category_id).values("pk")
        previous = siblings.filter(before).order_by("-position", "-name")[:1]
        following = siblings.filter(after).order_by("position", "name")[:1]
        # Both in one query; `before`, read back as a column, tells them apart.
        found = self.filter(Q(pk__in=previous) | Q(pk__in=following)).values_list("slug", "name", before).order_by()
        sides = {is_before: self.model(slug=slug, name=name) for slug, name, is_before in found}
        return sides.get(True), sides.get(False)


# Kept by name: an edit that changes destinations writes its one history entry itself (save_with_destinations,
# and activities/signals.py for changes made elsewhere).
activity_history = HistoricalRecords(
    excluded_fields=["version", "updated"], m2m_fields=["destinations"], bases=[VersionedHistory]
)


class Activity(KeepsOldSlugs, Versioned):
    class Kind(models.TextChoices):
        SYSTEM = "system", "System"
        CUSTOM = "custom", "Custom"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="activities")
    definition = models.TextField()
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.SYSTEM)
    position = models.PositiveIntegerField(default=0, help_text="Order within the category; lower comes first.")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    destinations = models.ManyToManyField(
        "Destination", blank=True, related_name="activities", help_text="Where this activity should be synced."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_activities",
        limit_choices_to={"is_staff": True},
        help_text="The person who answers for this activity's plan.",
    )
    notes = models.TextField(blank=True, help_text="Internal: shown to staff only, never on public pages or the API.")

    objects = ActivityQuerySet.as_manager()
    history = activity_history

    class Meta:
        ordering = ["category__position", "position", "name"]
        verbose_name_plural = "activities"
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="activity_name_unique_ci",
                violation_error_message="An activity with this name already exists (names are compared ignoring case).",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="activity_name_not_empty"),
            models.CheckConstraint(condition=~Q(slug=""), name="activity_slug_not_empty"),
            models.CheckConstraint(condition=~Q(definition=""), name="activity_definition_not_empty"),
            models.CheckConstraint(condition=Q(kind__in=["system", "custom"]), name="activity_kind_valid"),
        ]
        indexes = [
            models.Index(fields=["category", "position"]),
            # Facet counts read each counted activity's category and kind: from this small index, not the wide rows.
            models.Index(fields=["id", "category", "kind"], name=FACET_INDEX),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("activities:activity_detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    def save_with_destinations(self, destinations, **kwargs):
        """
        Save this activity and make `destinations` exactly its destinations, as one edit: one version, one
        "Last updated" and one history entry that holds both, refused like any stale save.
        """
        adding = self._state.adding or self.pk is None
        with transaction.atomic(using=kwargs.get("using")):
            # History is written once, after the destinations: an entry made by the save alone would hold
            # the old ones, and one per added or removed destination would split the edit in three.
            self.skip_history_when_saving = True
            try:
                self.save(**kwargs)
                self.destinations.set(destinations)
            finally:
                del self.skip_history_when_saving
            activity_history.create_historical_record(self, "+" if adding else "~")

    @property
    def synced_slugs(self):
        """Slugs of the destinations this activity syncs to, from `with_destination_slugs()`."""
        return set((getattr(self, "destination_slugs", None) or "").split())


class DestinationQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        """The destination with this slug, so fixtures can name it instead of numbering it."""
        return self.get(slug=slug)


class Destination(models.Model):
    """Somewhere activities can be synced to: a webhook or a CRM such as Salesforce."""

    class Kind(models.TextChoices):
        WEBHOOK = "webhook", "Webhook"
        CRM = "crm", "CRM"

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.WEBHOOK)
    notes = models.TextField(blank=True, help_text="What whoever configures this destination should know.")

    objects = DestinationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="destination_name_not_empty"),
            models.CheckConstraint(condition=~Q(slug=""), name="destination_slug_not_empty"),
            models.CheckConstraint(condition=Q(kind__in=["webhook", "crm"]), name="destination_kind_valid"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("activities:destination_detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class RelationQuerySet(models.QuerySet):
    def as_seen_from(self, activity):
        """(label, other activity) pairs as they read on this activity's page, grouped by label."""
        # Plain rows, not three model instances per relation: the page needs a label, a name and a link.
        ends = ("slug", "name")
        rows = (
            self.filter(Q(from_activity=activity) | Q(to_activity=activity))
            .order_by()
            .values_list(
                "kind", "from_activity_id", *(f"{end}_activity__{name}" for end in ("from", "to") for name in ends)
            )
        )
        pairs = []
        for kind, from_id, from_slug, from_name, to_slug, to_name in rows:
            entered_here = from_id == activity.pk
            slug, name = (to_slug, to_name) if entered_here else (from_slug, from_name)
            pairs.append((Relation.label(kind, entered_here), Activity(slug=slug, name=name)))
        return sorted(pairs, key=lambda pair: (pair[0], pair[1].name))

    def lifecycle_of(self, category):
        """The *follows* relations between this category's own activities, both activities fetched with them."""
        return (
            self.filter(kind=Relation.Kind.FOLLOWS, from_activity__category=category, to_activity__category=category)
            .select_related("from_activity", "to_activity")
            .order_by("pk")
        )


class Relation(models.Model):
    """How two activities relate. Opposite and other-channel read both ways; `follows` has a direction."""

    class Kind(models.TextChoices):
        OPPOSITE = "opposite", "Opposite"
        OTHER_CHANNEL = "other_channel", "Same event on another channel"
        FOLLOWS = "follows", "Follows"

    SYMMETRIC = (Kind.OPPOSITE, Kind.OTHER_CHANNEL)

    from_activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="relations_from")
    kind = models.CharField(max_length=20, choices=Kind)
    to_activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="relations_to")

    objects = RelationQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "from_activity__name", "to_activity__name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_activity=models.F("to_activity")),
                name="relation_not_to_itself",
                violation_error_message="An activity cannot be related to itself; choose another activity.",
            ),
            # One relation of each kind per pair, whichever way round it was entered: a reversed
            # opposite would show twice, and a reversed `follows` would make a two-step loop.
            models.UniqueConstraint(
                Least("from_activity", "to_activity"),
                Greatest("from_activity", "to_activity"),
                "kind",
                name="relation_unique_per_pair_and_kind",
                violation_error_message=(
                    "These two activities already have a relation of this kind (possibly entered the other way round)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["opposite", "other_channel", "follows"]), name="relation_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.from_activity} · {self.get_kind_display().lower()} · {self.to_activity}"

    def get_admin_url(self):
        return reverse("admin:activities_relation_change", args=[self.pk])

    @classmethod
    def label(cls, kind, entered_here):
        """How a relation of this kind reads on the page of the activity it was entered from, or on the other's."""
        if kind in cls.SYMMETRIC:
            return cls.Kind(kind).label
        return "Follows" if entered_here else "Followed by"


class Synonym(models.Model):
    """Words or phrases that mean the same to people who search: each finds what the others find."""

    term = models.CharField(max_length=100, unique=True, help_text="A word or phrase people search for.")
    equivalents = models.CharField(
        max_length=500,
        help_text="Words or phrases that mean the same, separated by commas, e.g. “abuse reported, spam”.",
    )

    class Meta:
        ordering = ["term"]
        constraints = [
            models.CheckConstraint(condition=~Q(term=""), name="synonym_term_not_empty"),
            models.CheckConstraint(condition=~Q(equivalents=""), name="synonym_equivalents_not_empty"),
        ]

    def __str__(self):
        return f"{self.term} ↔ {self.equivalents}"

    def forms(self):
        """The term and its equivalents, each as written."""
        return [self.term, *(part.strip() for part in self.equivalents.split(",") if part.strip())]


class CatalogVersionManager(models.Manager):
    def current(self):
        """The catalog's version, or None when no row exists (a flushed database until its next write)."""
        return triggers.read_version(self.model, self.db)


class CatalogVersion(models.Model):
    """
    How often and when the catalog last changed: one row, kept by database triggers on the catalog tables
    (activities/triggers.py), so that every write path counts, raw fixture loads and SQL included.
    """

    ROW = 1

    changes = models.BigIntegerField(default=0)
    changed = models.DateTimeField()

    objects = CatalogVersionManager()

    def __str__(self):
        return f"catalog version {self.changes} ({self.changed:%Y-%m-%d %H:%M:%S})"


class ActivityOldSlug(OldSlug):
    row = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="old_slugs")


class CategoryOldSlug(OldSlug):
    row = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="old_slugs")


# Models of this app that live beside the code that reads them: the plan, drift's articles, the search index.
from activities import decisions  # noqa: E402, F401
from activities.imported_articles import ImportedArticle  # noqa: E402, F401
from activities.search import index, misses  # noqa: E402, F401
