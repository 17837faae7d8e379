"""
How an edited row is kept safe: optimistic locking (Versioned, StaleEdit), the version each history entry
records (VersionedHistory), the same saves for many rows at once (save_all, set_related_all), and the slugs a
row had before a rename (KeepsOldSlugs, OldSlug).
"""

from collections import defaultdict

from django.db import models, transaction
from django.db.models import F
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from simple_history.signals import pre_create_historical_record
from simple_history.utils import get_change_reason_from_object


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
    instead of overwriting the change made in between. The version lives on the
    row, not in history, so a reverted copy always carries the current one.
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


class VersionedHistory(models.Model):
    """
    What every history entry of a versioned row adds: the version that save produced, so that a refused
    stale form can show what changed since the version its editor opened.
    """

    row_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The row's version after this change; empty for entries older than it."
    )

    class Meta:
        abstract = True


@receiver(pre_create_historical_record)
def record_row_version(sender, instance, history_instance, **kwargs):
    if isinstance(instance, Versioned):
        history_instance.row_version = instance.version


def save_all(instances, adding):
    """
    Save these rows of one Versioned model as their own saves would, in a few queries whatever their number:
    new rows at version 1; the others each claiming the version it was read at (StaleEdit if another save came
    first), one version up, with a new "Last updated". Each gets its history entry; the entries are returned in
    the rows' order. No signal is sent, so a rename here would keep no old slug: callers keep slugs as they are.
    """
    model = type(instances[0])
    if adding:
        model._base_manager.bulk_create(instances)
    else:
        claim_versions(instances)
        stamped = [field for field in model._meta.concrete_fields if getattr(field, "auto_now", False)]
        for instance in instances:
            for field in stamped:
                field.pre_save(instance, add=False)
        written = [field.name for field in model._meta.concrete_fields if not field.primary_key]
        model._base_manager.bulk_update(instances, written)
    history = model.history.model
    date = timezone.now()
    return history.objects.bulk_create(
        history(
            history_date=date,
            history_type="+" if adding else "~",
            history_user=history.get_default_history_user(instance),
            history_change_reason=get_change_reason_from_object(instance),
            row_version=instance.version,
            **{field.attname: getattr(instance, field.attname) for field in history.tracked_fields},
        )
        for instance in instances
    )


def claim_versions(instances):
    """
    Lock these saved rows until the transaction ends and raise each one's version by one, after checking that
    each is still at the version it was read at: StaleEdit for the first that is not.
    """
    model = type(instances[0])
    stored = model._base_manager.select_for_update().filter(pk__in=[instance.pk for instance in instances])
    versions = dict(stored.values_list("pk", "version"))
    for instance in instances:
        if versions.get(instance.pk) != instance.version:
            raise StaleEdit(instance)
        instance.version += 1


def set_related_all(instances, entries, name, wanted):
    """
    Make `wanted[i]` the rows related to `instances[i]` through the many-to-many field `name` (None: leave them
    as they are), in a few queries whatever their number, and record in each history entry the related rows its
    row ends with, as simple-history does for one save.
    """
    through = getattr(type(instances[0]), name).through
    own = type(instances[0])._meta.get_field(name).m2m_field_name() + "_id"
    other = type(instances[0])._meta.get_field(name).m2m_reverse_field_name() + "_id"
    links = defaultdict(list)
    for link in through.objects.filter(**{f"{own}__in": [instance.pk for instance in instances]}):
        links[getattr(link, own)].append(link)
    removed, added = [], []
    for instance, related in zip(instances, wanted, strict=True):
        if related is None:
            continue
        keep = {item.pk for item in related}
        removed += [link.pk for link in links[instance.pk] if getattr(link, other) not in keep]
        links[instance.pk] = [link for link in links[instance.pk] if getattr(link, other) in keep]
        have = {getattr(link, other) for link in links[instance.pk]}
        added += [through(**{own: instance.pk, other: pk}) for pk in sorted(keep - have)]
    if removed:
        through.objects.filter(pk__in=removed).delete()
    for link in through.objects.bulk_create(added):
        links[getattr(link, own)].append(link)
    snapshot = getattr(type(entries[0]), name).model
    fields = [field.attname for field in through._meta.concrete_fields]
    snapshot.objects.bulk_create(
        snapshot(history=entry, **{field: getattr(link, field) for field in fields})
        for instance, entry in zip(instances, entries, strict=True)
        for link in links[instance.pk]
    )


class KeepsOldSlugs(models.Model):
    """
    A row whose page is linked by its slug: renaming the slug keeps the old one, so that shared links answer
    a permanent redirect instead of 404. Old slugs point to the row, not to the next slug, so a chain of
    renames still resolves in one hop; a slug in use now never redirects.
    """

    class Meta:
        abstract = True

    @classmethod
    def moved(cls, slug):
        """The row that had this slug before a rename, or None."""
        return cls.objects.filter(old_slugs__slug=slug).first()

    def remember_old_slug(self, before):
        if not before or before == self.slug:
            # A new row may take a slug that another row had before: a current slug always wins over an old
            # one, so that old address simply stops redirecting while the slug is in use.
            return
        old_slugs = self.old_slugs.model.objects
        # The new slug is current now, so no row keeps it as an old address; the old one now leads here.
        old_slugs.filter(slug__in=[before, self.slug]).delete()
        old_slugs.create(row=self, slug=before)


@receiver(pre_save)
def read_slug_before_save(sender, instance, raw=False, **kwargs):
    if isinstance(instance, KeepsOldSlugs) and not raw and instance.pk is not None:
        # Read from the row, not the instance: whatever the instance was built from, this is the live address.
        instance._slug_before_save = sender._base_manager.filter(pk=instance.pk).values_list("slug", flat=True).first()


@receiver(post_save)
def keep_old_slug(sender, instance, raw=False, **kwargs):
    if isinstance(instance, KeepsOldSlugs) and not raw:
        instance.remember_old_slug(getattr(instance, "_slug_before_save", None))


class OldSlug(models.Model):
    """A slug a row had before it was renamed."""

    slug = models.SlugField(max_length=200, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-created"]

    def __str__(self):
        return f"{self.slug} → {self.row.slug}"
