"""
Every help article the catalog was imported from, kept whole: the base of the next drift report.

An article is stored when it is uploaded (or read by `import_article`) and counts as imported once its drift
report is applied; until then it is a pending report against the article that was last imported when it came.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime

COMMITTED_ARTICLE = settings.BASE_DIR / "fixtures" / "source" / "system-activities.txt"


class ImportedArticleQuerySet(models.QuerySet):
    def last_imported(self):
        """The article whose drift report was applied last: the base of every new report; None before any."""
        return self.filter(imported__isnull=False).order_by("-imported", "-pk").first()

    def record_committed(self):
        """Record the committed article as imported now, as the catalog's first load does."""
        return self.create_imported(COMMITTED_ARTICLE.read_text(encoding="utf-8"), user=None)

    def create_imported(self, text, user):
        now = timezone.now()
        return self.create(
            text=text, sha256=digest(text), uploaded=now, uploaded_by=user, imported=now, imported_by=user
        )

    def pending(self, text, base, user):
        """The unapplied report of this very text against this base, or a new one."""
        found = self.filter(sha256=digest(text), base=base, imported__isnull=True).first()
        return found or self.create(
            text=text, sha256=digest(text), uploaded=timezone.now(), uploaded_by=user, base=base
        )


def digest(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ImportedArticle(models.Model):
    """One version of the vendor's help article, as read, with who brought it and when it was applied."""

    text = models.TextField()
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported = models.DateTimeField(
        null=True, blank=True, help_text="When its drift report was applied; empty while the report is pending."
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    base = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The article that was last imported when this one came: its report compares against it.",
    )

    objects = ImportedArticleQuerySet.as_manager()

    class Meta:
        app_label = "activities"
        ordering = ["-uploaded", "-pk"]
        verbose_name = "imported article"

    def __str__(self):
        when = self.imported or self.uploaded
        state = "imported" if self.imported else "pending"
        return f"Article of {date_format(localtime(when), 'j M Y H:i')} ({state}, {self.sha256[:12]})"
