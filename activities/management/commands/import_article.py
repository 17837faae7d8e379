from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from activities.article import ArticleError, decode
from activities.drift import drift
from activities.drift_apply import DriftError, apply, non_conflicting
from activities.imported_articles import ImportedArticle, digest
from activities.versioning import StaleEdit


class Command(BaseCommand):
    help = (
        "Compare a newer system-activities help article with the last imported one and the catalog, and print "
        "the drift: what changed upstream, here, or both. Nothing is written unless --apply-non-conflicting."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The article as UTF-8 text.")
        parser.add_argument(
            "--apply-non-conflicting",
            action="store_true",
            help="Apply the new, reworded and renamed rows that no editor changed; removals and conflicts wait "
            "for a decision in the admin.",
        )

    def handle(self, *args, path, apply_non_conflicting, **options):
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: cannot read the file ({error.strerror})") from None
        base = ImportedArticle.objects.last_imported()
        try:
            text = decode(data)
            report = drift(base.text if base else "", text)
        except ArticleError as error:
            raise CommandError(f"{path}:{error.line}: {error.message}. Nothing was imported.") from None
        for line in report.summary():
            self.stdout.write(line)
        if base is not None and base.sha256 == digest(text):
            self.stdout.write("This is the article imported last: it brings no change.")
            return
        if not any(item.drift != "local" for item in report.items):
            self.stdout.write("The article brings no change.")
            return
        article = ImportedArticle.objects.pending(text, base, user=None)
        if apply_non_conflicting:
            try:
                applied = apply(article, report, non_conflicting(report), None, complete=report.decided_upstream)
            except ArticleError as error:
                raise CommandError(f"{path}:{error.line}: {error.message}. Nothing was imported.") from None
            except (DriftError, StaleEdit) as error:
                raise CommandError(f"{error} Nothing was imported; run the import again.") from None
            self.stdout.write(f"Applied {applied} change{'' if applied == 1 else 's'} that needed no decision.")
            if report.decided_upstream:
                return
        url = reverse("admin:activities_importedarticle_drift", args=[article.pk])
        self.stdout.write(f"Decide the rest in the admin: {url}")
