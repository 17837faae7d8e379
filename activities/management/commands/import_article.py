from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from activities.article import ArticleError, decode, load, parse_article
from activities.versioning import StaleEdit


class Command(BaseCommand):
    help = "Import the system-activities help article, upserting categories and activities by slug."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The article as UTF-8 text.")

    def handle(self, *args, path, **options):
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: cannot read the file ({error.strerror})") from None
        try:
            parsed = parse_article(decode(data))
            categories, activities = load(parsed)
        except ArticleError as error:
            raise CommandError(f"{path}:{error.line}: {error.message}. Nothing was imported.") from None
        except StaleEdit as error:
            raise CommandError(f"{error} Nothing was imported; run the import again.") from None
        self.stdout.write(f"Categories: {categories}.")
        self.stdout.write(f"Activities: {activities}.")
