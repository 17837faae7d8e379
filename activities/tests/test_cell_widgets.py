"""
How the admin's import reads each cell (activities/cell_widgets.py), driven through the rendered import page:
every refusal names its row and its column, in words.
"""

import pytest

from activities.models import Activity
from activities.tests.forms import text_of
from activities.tests.uploads import confirm, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog")]

HEADER = "slug,name,category,kind,position,definition\r\n"
NEW_LINE = "joined-webinar,Joined webinar,general,custom,90,Recorded when a contact joins a webinar.\r\n"


def preview_text(editor, csv_text):
    response = upload(editor, csv_text)
    assert response.status_code == 200
    return text_of(response.content.decode())


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("abc", "“abc” is not a whole number; write one such as 10."),
        ("1.5", "“1.5” is not a whole number; write one such as 10."),
        ("-3", "Ensure this value is greater than or equal to 0."),
    ],
)
def test_a_bad_number_names_its_row_and_column_in_words(editor, cell, message):
    """A position that is not a whole number is refused with its row, its column and a sentence."""
    page = preview_text(editor, HEADER + NEW_LINE.replace(",90,", f",{cell},"))
    assert f"1 position {message}" in page
    assert "decimal" not in page and "ConversionSyntax" not in page and "InvalidOperation" not in page


def test_nul_bytes_are_refused(editor):
    """A NUL character in a cell is refused with its row and column; nothing is imported."""
    page = preview_text(editor, HEADER + NEW_LINE.replace("Recorded when", "Recorded\x00 when"))
    assert "1 definition This cell holds a NUL character" in page
    assert not Activity.objects.filter(slug="joined-webinar").exists()


def test_destinations_column_accepts_commas_and_refuses_unknown_slugs(editor):
    """Comma-separated slugs work too; an unknown slug is refused, naming it and the known ones."""
    page = preview_text(editor, 'slug,destinations\r\nsent-email,"webhook, crm-x"\r\n')
    assert "There is no destination with the slug “crm-x”. Known: salesforce, webhook." in page
    preview = upload(editor, 'slug,destinations\r\nsent-email,"webhook,salesforce"\r\n')
    confirm(editor, preview)
    assert Activity.objects.get(slug="sent-email").destinations.count() == 2
