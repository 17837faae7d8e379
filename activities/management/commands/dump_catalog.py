from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

# The catalog itself, without its history, in an order that loads back without forward references.
CATALOG_MODELS = ("activities.Catalog", "activities.Category", "activities.Activity")
# Django's JSON serializer rounds timestamps to milliseconds; these keep them to the microsecond.
LOSSLESS_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".xml": "xml"}


class Command(BaseCommand):
    help = "Write the whole catalog, edits and custom activities included, to a fixture that loaddata reads back."

    def add_arguments(self, parser):
        parser.add_argument("output", type=Path, help="The fixture file to write: backup.yaml or backup.xml.")

    def handle(self, *args, output, **options):
        serialization_format = LOSSLESS_FORMATS.get(output.suffix.lower())
        if serialization_format is None:
            raise CommandError(
                f"Name the file .yaml or .xml, not {output.suffix or 'without an extension'}: "
                "JSON fixtures round timestamps to milliseconds, so they would not load back identically."
            )
        call_command(
            "dumpdata", *CATALOG_MODELS, format=serialization_format, indent=2, output=str(output), verbosity=0
        )
        self.stdout.write(f"Wrote the catalog to {output}; load it into an empty database with `loaddata {output}`.")
