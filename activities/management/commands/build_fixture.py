import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from activities.article import ArticleError, decode, parse_article, to_fixture

SOURCE = settings.BASE_DIR / "fixtures" / "source" / "system-activities.txt"
TARGET = settings.BASE_DIR / "fixtures" / "catalog.json"


def render_fixture(source=SOURCE):
    """The fixture's text for an article file: what build_fixture writes and what the tests compare."""
    parsed = parse_article(decode(Path(source).read_bytes()))
    return json.dumps(to_fixture(parsed), indent=2, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Regenerate fixtures/catalog.json from the article in fixtures/source/."

    def add_arguments(self, parser):
        parser.add_argument("--source", type=Path, default=SOURCE)
        parser.add_argument("--output", type=Path, default=TARGET)

    def handle(self, *args, source, output, **options):
        try:
            text = render_fixture(source)
        except ArticleError as error:
            raise CommandError(f"{source}:{error.line}: {error.message}") from None
        output.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {output}.")
