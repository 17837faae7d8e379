"""
How an edited row is kept safe: optimistic locking (Versioned, StaleEdit), the version each history entry
records (VersionedHistory), and the slugs a row had before a rename (KeepsOldSlugs, OldSlug).
"""

from django.db import models, transaction
from django.db.models import F
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record


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
