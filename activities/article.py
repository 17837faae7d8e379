"""
The help article, the source of the catalog: read line by line, then compared with the catalog
(`activities/drift.py`, `import_article`) or written to its fixture (`build_fixture`).

`parse_article` is pure: text in, a ParsedArticle out, or an ArticleError that
names the line, so a malformed file is refused before anything is written.
"""

from dataclasses import dataclass, field

from django.utils.text import slugify

HEADER = ("activity", "definition")
OVERVIEW_LABEL = "overview"
HEADING_SUFFIX = " activities"


class ArticleError(ValueError):
    def __init__(self, line, message):
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


@dataclass(frozen=True)
class ParsedActivity:
    name: str
    slug: str
    definition: str
    line: int


@dataclass
class ParsedCategory:
    name: str
    slug: str
    line: int
    activities: list = field(default_factory=list)


@dataclass
class ParsedArticle:
    title: str
    overview: str
    categories: list

    @property
    def activities(self):
        return [activity for category in self.categories for activity in category.activities]


def decode(data):
    """UTF-8 bytes to text; an undecodable byte is reported with its line."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ArticleError(line, f"the file is not UTF-8 (byte 0x{data[error.start]:02x} cannot be decoded)") from None


def split_cells(line):
    """Cells of a `a | b |` row, with the trailing empty cell after the closing pipe dropped."""
    cells = [cell.strip() for cell in line.split("|")]
    if cells and cells[-1] == "" and line.rstrip().endswith("|"):
        cells.pop()
    return cells


def is_row(line):
    return "|" in line


def is_header(line):
    return tuple(cell.lower() for cell in split_cells(line)) == HEADER


def is_rule(line):
    cells = split_cells(line)
    return len(cells) >= 2 and all(cell and set(cell) <= set("-: ") for cell in cells)


def category_name(heading):
    if heading.lower().endswith(HEADING_SUFFIX):
        return heading[: -len(HEADING_SUFFIX)].strip()
    return heading


def refuse_nul(text):
    """A NUL byte means a binary or damaged file; SQLite would store it and PostgreSQL refuse it."""
    if (position := text.find("\x00")) != -1:
        raise ArticleError(
            text.count("\n", 0, position) + 1, "a NUL byte: this is not a text article (binary or damaged)"
        )


def refuse_long(model, kind, name, slug, number):
    """A name or slug longer than the model keeps (SQLite would store it whole, PostgreSQL refuse it)."""
    for field_name, value in (("name", name), ("slug", slug)):
        limit = model._meta.get_field(field_name).max_length
        if len(value) > limit:
            raise ArticleError(
                number, f"the {kind} {field_name} {value[:40]!r}… is {len(value)} characters long; at most {limit} fit"
            )


def parse_article(text):
    """Parse the article's text into a ParsedArticle, or raise ArticleError naming the line."""
    from activities.models import Activity, Category

    text = text.removeprefix("\ufeff")
    refuse_nul(text)
    lines = [(number, raw.strip()) for number, raw in enumerate(text.splitlines(), start=1)]
    lines = [(number, line) for number, line in lines if line]
    if not lines:
        raise ArticleError(1, "the file is empty")

    # A heading is a plain line directly followed by the `Activity | Definition |` header.
    headings = {
        index for index, (_, line) in enumerate(lines[:-1]) if not is_row(line) and is_header(lines[index + 1][1])
    }
    first_heading = min(headings, default=len(lines))

    preamble = lines[:first_heading]
    for number, line in preamble:
        if is_row(line):
            raise ArticleError(number, f"a table row outside any category: {line!r}")
    title, overview_lines = "", [line for _, line in preamble]
    if len(overview_lines) >= 2 and overview_lines[1].lower() == OVERVIEW_LABEL:
        title, overview_lines = overview_lines[0], overview_lines[2:]
    elif overview_lines and overview_lines[0].lower() == OVERVIEW_LABEL:
        overview_lines = overview_lines[1:]

    categories, category_slugs, activity_slugs = [], {}, {}
    current = None
    index = first_heading
    while index < len(lines):
        number, line = lines[index]
        if index in headings:
            name = category_name(line)
            slug = slugify(name)
            if not slug:
                raise ArticleError(
                    number, f"the category heading {line!r} has no letters or digits to make a slug from"
                )
            if slug in category_slugs:
                raise ArticleError(number, f"duplicate category {name!r} (first seen on line {category_slugs[slug]})")
            refuse_long(Category, "category", name, slug, number)
            category_slugs[slug] = number
            if index + 2 >= len(lines) or not is_rule(lines[index + 2][1]):
                rule_line = lines[index + 2][0] if index + 2 < len(lines) else lines[index + 1][0] + 1
                raise ArticleError(rule_line, "expected the `---|---|` rule under the table header")
            current = ParsedCategory(name=name, slug=slug, line=number)
            categories.append(current)
            index += 3
            continue
        if not is_row(line):
            raise ArticleError(number, f"expected a `Name | Definition |` row or a category heading, found {line!r}")
        if is_header(line) or is_rule(line):
            raise ArticleError(number, "a table header or rule without a category heading above it")
        if not line.endswith("|"):
            # A row is complete only with its closing pipe: without it the file was most likely cut off mid-row.
            raise ArticleError(number, f"the row {line!r} does not end with `|` (is the file cut off?)")
        cells = split_cells(line)
        name = cells[0]
        definition = " | ".join(cells[1:]).strip()
        if not name:
            raise ArticleError(number, "a row without an activity name")
        if not definition:
            raise ArticleError(number, f"the activity {name!r} has no definition")
        slug = slugify(name)
        if not slug:
            raise ArticleError(number, f"the activity name {name!r} has no letters or digits to make a slug from")
        if slug in activity_slugs:
            raise ArticleError(number, f"duplicate activity {name!r} (first seen on line {activity_slugs[slug]})")
        refuse_long(Activity, "activity", name, slug, number)
        activity_slugs[slug] = number
        current.activities.append(ParsedActivity(name=name, slug=slug, definition=definition, line=number))
        index += 1

    if not categories:
        raise ArticleError(lines[-1][0], "no category tables found (a heading, then `Activity | Definition |`)")
    for category in categories:
        if not category.activities:
            raise ArticleError(category.line, f"the category {category.name!r} has no activities")
    return ParsedArticle(title=title, overview="\n\n".join(overview_lines), categories=categories)


# The fixture is committed, so its timestamps are fixed: the day the catalog was taken from the article.
FIXTURE_TIMESTAMP = "2026-11-28T00:00:00Z"


def to_fixture(parsed, timestamp=FIXTURE_TIMESTAMP):
    """A ParsedArticle as Django fixture objects, with stable primary keys in article order."""
    objects = [{"model": "activities.catalog", "pk": 1, "fields": {"title": parsed.title, "overview": parsed.overview}}]
    activity_pk = 0
    for category_pk, category in enumerate(parsed.categories, start=1):
        objects.append(
            {
                "model": "activities.category",
                "pk": category_pk,
                "fields": {"name": category.name, "slug": category.slug, "description": "", "position": category_pk},
            }
        )
        for position, activity in enumerate(category.activities, start=1):
            activity_pk += 1
            objects.append(
                {
                    "model": "activities.activity",
                    "pk": activity_pk,
                    "fields": {
                        "name": activity.name,
                        "slug": activity.slug,
                        "category": category_pk,
                        "definition": activity.definition,
                        "kind": "system",
                        "position": position,
                        "created": timestamp,
                        "updated": timestamp,
                    },
                }
            )
    return objects
