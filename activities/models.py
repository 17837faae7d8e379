from django.db import models, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords


class StaleEdit(Exception):
    """A save made from a copy that someone else has changed since it was read."""

    def __init__(self, instance):
        self.instance = instance
        super().__init__(
            f"{instance._meta.verbose_name.capitalize()} “{instance}” was changed by someone else "
            f"after version {instance.version} was opened; nothing was saved."
        )


class Versioned(models.Model):
    """
    Optimistic locking: every save of an existing row claims the version it was
    read at with one conditional UPDATE, so a save from a stale copy is refused
    instead of overwriting the change made in between.
    """

    version = models.PositiveIntegerField(
        default=1, help_text="Goes up by one on every save; a save from an older version is refused."
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding or self.pk is None:
            return super().save(*args, **kwargs)
        with transaction.atomic(using=kwargs.get("using")):
            claimed = type(self)._base_manager.filter(pk=self.pk, version=self.version).update(version=F("version") + 1)
            if not claimed:
                raise StaleEdit(self)
            self.version += 1
            return super().save(*args, **kwargs)


# The version lives on the row, not in history, so a reverted copy always carries the current one.


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

    def with_facet_counts(self, activities, kinds_among):
        """Every category with how many `activities` it holds, and per kind how many `kinds_among`, in one query."""
        of_kind = {
            f"{kind}_count": Count(
                "activities", filter=Q(activities__kind=kind, activities__in=kinds_among.values("pk"))
            )
            for kind in Activity.Kind.values
        }
        return self.annotate(
            activity_count=Count("activities", filter=Q(activities__in=activities.values("pk"))), **of_kind
        ).order_by(*self.model._meta.ordering)


class Category(Versioned):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0, help_text="Order on the home page; lower comes first.")

    objects = CategoryQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version"])

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


class Activity(Versioned):
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
    history = HistoricalRecords(excluded_fields=["version", "updated"])

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
