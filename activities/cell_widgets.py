"""
How the admin's import reads each cell and its export writes it (django-import-export widgets): every
refusal is a sentence about the cell, never a Python exception's name.
"""

from decimal import Decimal, InvalidOperation

from import_export import widgets
from rest_framework.fields import DateTimeField

from activities.cells import from_text_cell
from activities.models import Category, Destination

# Slugs hold neither spaces nor commas, so either separates them; exports write spaces, as the site's badges do.
DESTINATION_SEPARATOR = " "


class Text(widgets.CharWidget):
    """A text cell, with the exports' formula guard taken off again; a NUL character is refused."""

    def clean(self, value, row=None, **kwargs):
        value = super().clean(value, row, **kwargs)
        if value is None:
            return None
        if "\x00" in value:
            raise ValueError("This cell holds a NUL character (an invisible control character); delete it.")
        return from_text_cell(value)


class WholeNumber(widgets.IntegerWidget):
    """A whole number, refused in words when the cell holds anything else."""

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number != number.to_integral_value():
            raise ValueError(f"“{value}” is not a whole number; write one such as 10.")
        return super().clean(value, row, **kwargs)


class Timestamp(widgets.DateTimeWidget):
    """A time as the API writes it: ISO 8601 with its time zone (UTC), in every file format."""

    def render(self, value, obj=None, **kwargs):
        return DateTimeField().to_representation(value) if value else ""


class CategorySlugWidget(widgets.ForeignKeyWidget):
    """A category looked up by slug, with a row error that names the slug when there is none."""

    def __init__(self):
        super().__init__(Category, field="slug")

    def clean(self, value, row=None, **kwargs):
        slug = "" if value is None else str(value).strip()
        if not slug:
            return None
        # The few categories, read once per import (each resource has its own copy of its widgets).
        if not hasattr(self, "by_slug"):
            self.by_slug = {category.slug: category for category in Category.objects.all()}
        if slug not in self.by_slug:
            raise ValueError(f"There is no category with the slug “{slug}”.")
        return self.by_slug[slug]


class DestinationSlugs(widgets.ManyToManyWidget):
    """Destinations named by slug: space- or comma-separated in a cell, or a list (as the JSON export writes)."""

    def __init__(self):
        super().__init__(Destination, separator=DESTINATION_SEPARATOR, field="slug")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, list | tuple):
            slugs = [str(slug) for slug in value]
        else:
            slugs = ("" if value is None else str(value)).replace(",", " ").split()
        # The few destinations, read once per import (each resource has its own copy of its widgets).
        if not hasattr(self, "by_slug"):
            self.by_slug = {destination.slug: destination for destination in Destination.objects.all()}
        unknown = sorted(set(slugs) - set(self.by_slug))
        if unknown:
            raise ValueError(
                "There is no destination with the slug "
                + ", ".join(f"“{slug}”" for slug in unknown)
                + f". Known: {', '.join(sorted(self.by_slug)) or 'none'}."
            )
        return sorted({self.by_slug[slug] for slug in slugs}, key=lambda destination: destination.slug)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        if not isinstance(value, list):
            # An imported row knows its destinations (ActivityResource.after_init_instance): no query per row.
            known = getattr(value.instance, "destinations_known", None)
            value = [destination.slug for destination in (value.all() if known is None else known)]
        return DESTINATION_SEPARATOR.join(sorted(value))
