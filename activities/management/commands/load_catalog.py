from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from activities.models import Activity, Category


class Command(BaseCommand):
    help = "Load fixtures/catalog.json, but only into an empty catalog, so edits are never overwritten."

    def handle(self, *args, **options):
        with transaction.atomic():
            if Category.objects.exists() or Activity.objects.exists():
                self.stdout.write(
                    f"The catalog already has {Activity.objects.count()} activities; "
                    "left as it is so that no edit is overwritten."
                )
                return
            call_command("loaddata", "catalog", verbosity=0)
            # loaddata saves raw rows, which history does not see: give each row its first entry here.
            for model in (Category, Activity):
                model.history.bulk_history_create(
                    list(model.objects.all()), default_change_reason="Loaded from fixtures/catalog.json"
                )
        self.stdout.write(
            f"Loaded the catalog: {Category.objects.count()} categories, {Activity.objects.count()} activities."
        )
