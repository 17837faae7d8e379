import hashlib
import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from activities.article import ArticleError, decode, parse_article
from activities.management.commands.build_fixture import TARGET, render_fixture
from activities.models import Activity, Catalog, Category

ARTICLE = settings.BASE_DIR / "fixtures" / "source" / "system-activities.txt"
# The help article as the shared seed holds it (000_a1a76b25343a4281.txt), slips and all.
ARTICLE_SHA256 = "c3d9c605484d9f8751ddbb993f08d90276c9701b8e53eac3007214121c38cc47"
EXPECTED_COUNTS = {
    "General": 7,
    "Email": 15,
    "SMS": 16,
    "Journeys & Playbook": 8,
    "Capture": 10,
    "Talk": 12,
    "Knowledge base": 1,
}
GOOD = """System activities
Overview
An overview paragraph.
Email activities
Activity | Definition |
---|---|
Sent email | Recorded when sent. |
Opened email | Recorded when opened. |
"""


def article_rows():
    """(line, name, definition) for every table row of the article, read independently of activities/article.py."""
    rows = []
    for number, line in enumerate(ARTICLE.read_text(encoding="utf-8").splitlines(), start=1):
        if "|" in line and not line.startswith(("Activity |", "---")):
            name, definition = line.rstrip().removesuffix("|").split(" | ", 1)
            rows.append((number, name.strip(), definition.strip()))
    return rows


def import_text(tmp_path, text, name="article.txt"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    output = io.StringIO()
    call_command("import_article", str(path), "--apply-non-conflicting", stdout=output)
    return output.getvalue()


def snapshot():
    return (
        list(Category.objects.values_list("slug", "name", "position")),
        list(Activity.objects.values_list("slug", "name", "definition", "category__slug", "position", "kind")),
        list(Catalog.objects.values_list("title", "overview")),
    )


class TestFidelity:
    def test_source_is_a_copy_of_the_help_article(self):
        """The project's copy of the article is byte-for-byte the help article (its SHA-256, taken from the seed)."""
        assert hashlib.sha256(ARTICLE.read_bytes()).hexdigest() == ARTICLE_SHA256

    def test_every_row_is_present_verbatim(self, catalog):
        """Each of the article's 69 rows is in the catalog with its exact name and definition."""
        rows = article_rows()
        assert len(rows) == 69
        stored = dict(Activity.objects.values_list("name", "definition"))
        for number, name, definition in rows:
            assert stored.get(name) == definition, f"line {number}: {name}"

    def test_category_counts(self, catalog):
        """Seven categories, in article order, with the article's activity counts."""
        counts = {category.name: category.activity_count for category in Category.objects.with_activity_counts()}
        assert counts == EXPECTED_COUNTS
        assert list(counts) == list(EXPECTED_COUNTS)

    def test_slugs(self, catalog):
        """Category and activity slugs follow the names."""
        assert list(Category.objects.values_list("slug", flat=True)) == [
            "general",
            "email",
            "sms",
            "journeys-playbook",
            "capture",
            "talk",
            "knowledge-base",
        ]
        assert Activity.objects.get(slug="sent-email").name == "Sent email"
        assert Activity.objects.get(slug="succesful-journey-action").name == "Succesful journey action"

    def test_the_articles_slips_are_kept(self, catalog):
        """Misspellings, a missing full stop and a curly apostrophe are not corrected by code."""
        assert Activity.objects.filter(name="Succesful journey action").exists()
        playbook = Activity.objects.get(name="Succesful playbook action")
        assert playbook.definition.endswith("within a playbook")
        assert "recipient\u2019s mail server" in Activity.objects.get(name="Deferred email").definition

    def test_everything_from_the_article_is_system(self, catalog):
        """Activities from the article are of kind system."""
        assert set(Activity.objects.values_list("kind", flat=True)) == {"system"}

    def test_overview(self, catalog):
        """The article's title and overview paragraph are kept for the home page."""
        catalog_text = Catalog.objects.get()
        assert catalog_text.title == "System activities"
        assert catalog_text.overview.startswith("This article lists all the system activities")


class TestFixture:
    def test_committed_fixture_is_up_to_date(self):
        """fixtures/catalog.json is exactly what build_fixture makes of the article."""
        assert TARGET.read_text(encoding="utf-8") == render_fixture(ARTICLE)

    def test_fixture_equals_an_import_of_the_article(self, db, tmp_path):
        """Loading the fixture and importing the article give the same catalog."""
        call_command("loaddata", "catalog", verbosity=0)
        from_fixture = snapshot()
        Activity.objects.all().delete()
        Category.objects.all().delete()
        Catalog.objects.all().delete()
        import_text(tmp_path, ARTICLE.read_bytes())
        assert snapshot() == from_fixture

    def test_build_fixture_command_writes_the_fixture(self, tmp_path):
        """build_fixture writes the same text to the path it is given."""
        output = tmp_path / "catalog.json"
        call_command("build_fixture", output=output, stdout=io.StringIO())
        assert output.read_text(encoding="utf-8") == TARGET.read_text(encoding="utf-8")


class TestImport:
    def test_import_creates_the_catalog(self, db, tmp_path):
        """A first import into an empty catalog finds every row new and writes them all."""
        output = import_text(tmp_path, ARTICLE.read_bytes())
        assert "76 new upstream" in output  # 7 categories and 69 activities
        assert "Applied 76 changes that needed no decision." in output
        assert list(Activity.objects.filter(category__slug="email").values_list("name", flat=True)[:3]) == [
            "Sent email",
            "Received email",
            "Opened email",
        ]

    def test_reimport_is_idempotent(self, db, tmp_path):
        """Importing the same article twice changes nothing the second time."""
        import_text(tmp_path, ARTICLE.read_bytes())
        before = snapshot()
        output = import_text(tmp_path, ARTICLE.read_bytes())
        assert "This is the article imported last: it brings no change." in output
        assert snapshot() == before

    def test_reimport_updates_by_slug(self, db, tmp_path):
        """A changed definition no editor touched updates the activity with that slug; others are unchanged."""
        import_text(tmp_path, GOOD)
        output = import_text(tmp_path, GOOD.replace("Recorded when opened.", "Recorded on open."))
        assert "1 reworded upstream" in output
        assert "Applied 1 change that needed no decision." in output
        assert Activity.objects.get(slug="opened-email").definition == "Recorded on open."

    def test_article_order_is_display_order(self, db, tmp_path):
        """Categories and activities keep the article's order."""
        import_text(tmp_path, GOOD.replace("Sent email |", "Zapped email |"))
        assert list(Activity.objects.values_list("name", flat=True)) == ["Zapped email", "Opened email"]


WEBINAR = "Webinar activities\nActivity | Definition |\n---|---|\nJoined | Joined. |\n"
MALFORMED = [
    pytest.param("", 1, "empty", id="empty-file"),
    pytest.param("\n \n", 1, "empty", id="blank-file"),
    pytest.param(
        "Overview\nSomething.\nSent email | Recorded. |\nEmail activities\nActivity | Definition |\n---|---|\n",
        3,
        "outside any category",
        id="row-outside-category",
    ),
    pytest.param(GOOD.replace("Recorded when opened. |", "|"), 8, "no definition", id="row-without-definition"),
    pytest.param(GOOD.replace(" Recorded when opened. |", ""), 8, "no definition", id="row-without-cells"),
    pytest.param(GOOD.replace("Opened email |", "Sent email |"), 8, "duplicate activity", id="duplicate-name"),
    pytest.param(GOOD.replace("Opened email |", "SENT EMAIL |"), 8, "duplicate activity", id="duplicate-name-case"),
    pytest.param(GOOD.replace("---|---|", "Sent x | y |"), 6, "rule", id="missing-rule"),
    pytest.param(GOOD + "Stray text\n", 9, "expected", id="stray-line"),
    pytest.param(
        GOOD.replace("Opened email | Recorded when opened. |", "Opened email | This "),
        8,
        "does not end with `|`",
        id="cut-off-mid-row",
    ),
    pytest.param(GOOD.replace("Recorded when sent. |", "Recorded when sent."), 7, "does not end", id="no-closing-pipe"),
    pytest.param(GOOD.replace("Sent email |", "S" * 201 + " |"), 7, "201 characters long; at most 200", id="long-name"),
    pytest.param(
        GOOD.replace("Email activities", "E" * 101 + " activities"),
        4,
        "category name 'EEEE",
        id="long-category-name",
    ),
    pytest.param(GOOD.replace("Recorded when opened.", "Recorded\x00 when opened."), 8, "NUL byte", id="nul-in-row"),
    pytest.param("\x00" + GOOD, 1, "NUL byte", id="nul-first"),
]


class TestMalformed:
    @pytest.mark.parametrize(("text", "line", "message"), MALFORMED)
    def test_parser_names_the_line(self, text, line, message):
        """parse_article rejects malformed input with the offending line."""
        with pytest.raises(ArticleError) as raised:
            parse_article(text)
        assert raised.value.line == line
        assert message in raised.value.message

    @pytest.mark.parametrize(("text", "line", "message"), MALFORMED)
    def test_command_writes_nothing(self, catalog, tmp_path, text, line, message):
        """A malformed file stops import_article with file:line and leaves the catalog as it was."""
        before = snapshot()
        with pytest.raises(CommandError, match=rf"article\.txt:{line}: .*{message}.*Nothing was imported"):
            import_text(tmp_path, text)
        assert snapshot() == before

    def test_a_cut_off_article_changes_nothing(self, catalog, tmp_path):
        """The committed article cut mid-row exits non-zero, names the row's line, and leaves every definition."""
        text = ARTICLE.read_text(encoding="utf-8")
        cut = text[: text.index("Opened email | ") + len("Opened email | This ")]
        line = cut.count("\n") + 1
        before = snapshot()
        with pytest.raises(CommandError, match=rf"article\.txt:{line}: the row 'Opened email \| This' does not end"):
            import_text(tmp_path, cut)
        assert snapshot() == before
        assert Activity.objects.get(slug="opened-email").definition.startswith("This activity is recorded when")

    @pytest.mark.parametrize(
        ("model", "added", "row", "line", "kind"),
        [
            (Activity, "Clicked Email", "Clicked email | Recorded when clicked. |\n", 9, "activity"),
            (
                Category,
                "WEBINAR",
                "Webinar activities\nActivity | Definition |\n---|---|\nJoined | Joined. |\n",
                9,
                "category",
            ),
        ],
    )
    def test_a_name_taken_ignoring_case_is_refused_by_line(self, db, tmp_path, model, added, row, line, kind):
        """A new row whose name another row has, ignoring case, stops the import at its line; nothing is written."""
        import_text(tmp_path, GOOD)
        category = Category.objects.get()
        if model is Activity:
            Activity.objects.create(name=added, slug="mine", definition="Mine.", category=category, kind="custom")
        else:
            Category.objects.create(name=added, slug="mine")
        before = snapshot()
        name = added.capitalize()
        with pytest.raises(CommandError, match=rf"line {line}: the {kind} name '{name}' is already used.*'mine'"):
            import_text(tmp_path, GOOD + row)
        assert snapshot() == before

    def test_not_utf8(self, catalog, tmp_path):
        """A Latin-1 file is refused with the line of the first bad byte, and nothing is written."""
        before = snapshot()
        text = GOOD.replace("Recorded when opened.", "Recorded when opened — café.").encode("latin-1", "replace")
        with pytest.raises(CommandError, match=r"article\.txt:8: the file is not UTF-8"):
            import_text(tmp_path, text)
        assert snapshot() == before

    def test_missing_file(self, db, tmp_path):
        """A path that does not exist is a clear error."""
        with pytest.raises(CommandError, match="cannot read the file"):
            call_command("import_article", str(tmp_path / "nope.txt"))

    def test_decode_reports_the_line(self):
        """decode() counts lines up to the undecodable byte."""
        with pytest.raises(ArticleError) as raised:
            decode(b"one\ntwo\nthr\xffee\n")
        assert raised.value.line == 3
