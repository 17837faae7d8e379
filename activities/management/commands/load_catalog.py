from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import OuterRef, Subquery

from activities.models import Activity, Category, Destination, ImportedArticle, Relation, Synonym


class Command(BaseCommand):
    help = (
        "Load fixtures/catalog.json, synonyms.json, destinations.json and relations.json, "
        "each only into an empty table, so edits are never overwritten."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            if Category.objects.exists() or Activity.objects.exists():
                self.stdout.write(
                    f"The catalog already has {Activity.objects.count()} activities; "
                    "left as it is so that no edit is overwritten."
                )
            else:
                call_command("loaddata", "catalog", verbosity=0)
                # loaddata saves raw rows, which history does not see: give each row its first entry here.
                for model in (Category, Activity):
                    model.history.bulk_history_create(
                        list(model.objects.all()), default_change_reason="Loaded from fixtures/catalog.json"
                    )
                    # Bulk entries skip the signal that records each row's version on its entry.
                    versions = model.objects.filter(pk=OuterRef("id")).values("version")
                    model.history.update(row_version=Subquery(versions))
                self.stdout.write(
                    f"Loaded the catalog: {Category.objects.count()} categories, {Activity.objects.count()} activities."
                )
            if not ImportedArticle.objects.filter(imported__isnull=False).exists():
                # The catalog came from the committed article: it is the base the next article is compared with.
                ImportedArticle.objects.record_committed()
            self.load_into_empty(Synonym, "synonyms")
            self.load_into_empty(Destination, "destinations")
            self.load_into_empty(Relation, "relations")

    def load_into_empty(self, model, fixture):
        plural = model._meta.verbose_name_plural
        if model.objects.exists():
            self.stdout.write(f"{model.objects.count()} {plural} already exist; left as they are.")
            return
        try:
            # A savepoint, so a fixture naming a since-renamed activity leaves the rest loaded.
            with transaction.atomic():
                call_command("loaddata", fixture, verbosity=0)
        except Exception as error:  # loaddata wraps every failure in its own exception types
            self.stderr.write(f"Could not load {fixture}.json ({error}); add {plural} in the admin instead.")
            return
        self.stdout.write(f"Loaded {model.objects.count()} {plural}.")
