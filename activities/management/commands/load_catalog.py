from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from activities.models import Activity, Category, Synonym


class Command(BaseCommand):
    help = (
        "Load fixtures/catalog.json and fixtures/synonyms.json, each only into an empty table, "
        "so edits are never overwritten."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            if not Synonym.objects.exists():
                call_command("loaddata", "synonyms", verbosity=0)
                self.stdout.write(f"Loaded {Synonym.objects.count()} synonyms.")
        with transaction.atomic():
            if Category.objects.exists() or Activity.objects.exists():
                self.stdout.write(
                    f"The catalog already has {Activity.objects.count()} activities; "
                    "left as it is so that no edit is overwritten."
                )
                return
            call_command("loaddata", "catalog", verbosity=0)
        self.stdout.write(
            f"Loaded the catalog: {Category.objects.count()} categories, {Activity.objects.count()} activities."
        )
