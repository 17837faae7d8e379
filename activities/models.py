from datetime import UTC, datetime

from django.db import connections, models
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone


class Catalog(models.Model):
    """The article's own text: its title and the overview shown on the home page."""

    title = models.CharField(max_length=200)
    overview = models.TextField(blank=True)

    class Meta:
        verbose_name = "catalog introduction"

    def __str__(self):
        return self.title


class CategoryQuerySet(models.QuerySet):
    def with_activity_counts(self):
        """Annotate each category with `activity_count`, in one query, in display order."""
        return self.annotate(activity_count=Count("activities")).order_by(*self.model._meta.ordering)


class Category(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0, help_text="Order on the home page; lower comes first.")

    objects = CategoryQuerySet.as_manager()

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

    def of_kind(self, kind):
        """Activities of one kind: system or custom."""
        return self.filter(kind=kind)

    def search(self, q):
        """Activities matching a free-text query, best match first; an empty query changes nothing."""
        from activities.search import search

        return search(self, q)

    def for_listing(self):
        """Activities with their category fetched in the same query."""
        return self.select_related("category")

    def neighbours(self, activity):
        """The activities just before and after this one in its category, as (previous, next)."""
        siblings = self.filter(category_id=activity.category_id)
        previous = (
            siblings.filter(Q(position__lt=activity.position) | Q(position=activity.position, name__lt=activity.name))
            .order_by("-position", "-name")
            .first()
        )
        following = (
            siblings.filter(Q(position__gt=activity.position) | Q(position=activity.position, name__gt=activity.name))
            .order_by("position", "name")
            .first()
        )
        return previous, following


class Activity(models.Model):
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

    objects = ActivityQuerySet.as_manager()

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
        indexes = [models.Index(fields=["category", "position"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("activities:activity_detail", args=[self.slug])


class CatalogVersionManager(models.Manager):
    def current(self):
        """The catalog's version, or None when no row exists (a flushed database until its next write)."""
        # Every public request asks, 304s included: plain SQL, without building a QuerySet, costs a
        # twentieth of the ORM's query.
        with connections[self.db].cursor() as cursor:
            cursor.execute(f"SELECT changes, changed FROM {self.model._meta.db_table} WHERE id = %s", [self.model.ROW])
            row = cursor.fetchone()
        if row is None:
            return None
        changes, changed = row
        if isinstance(changed, str):
            changed = datetime.fromisoformat(changed)
        if timezone.is_naive(changed):
            changed = timezone.make_aware(changed, UTC)
        return self.model(pk=self.model.ROW, changes=changes, changed=changed)


class CatalogVersion(models.Model):
    """
    How often and when the catalog last changed: one row, kept by database triggers on the catalog tables
    (activities/catalog_version.py), so that every write path counts, raw fixture loads and SQL included.
    """

    ROW = 1

    changes = models.BigIntegerField(default=0)
    changed = models.DateTimeField()

    objects = CatalogVersionManager()

    def __str__(self):
        return f"catalog version {self.changes} ({self.changed:%Y-%m-%d %H:%M:%S})"
