"""
Activities as a file to download: the filtered list's exports and each destination's sync plan.

Both use the admin import's columns (ActivityResource), so an export can be edited and imported back.
"""

import json

import tablib
from django.http import HttpResponse

from activities.resources import ActivityResource

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
# A spreadsheet runs a cell that starts with one of these as a formula; definitions are data, never code.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text_cell(value):
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def export_response(activities, export_format, filename, **about):
    """
    The activities as a CSV (UTF-8 with a byte-order mark, so spreadsheets keep ’ and é) or JSON download.
    JSON is a list of rows, or, when `about` is given, an object with `about`, a count and the rows.
    """
    dataset = ActivityResource().export(queryset=activities)
    if export_format == "csv":
        safe = tablib.Dataset(*(tuple(as_text_cell(cell) for cell in row) for row in dataset), headers=dataset.headers)
        body = "\ufeff" + safe.csv
    else:
        rows = dataset.dict
        body = json.dumps({**about, "count": len(rows), "activities": rows} if about else rows, ensure_ascii=False)
    response = HttpResponse(body, content_type=CONTENT_TYPES[export_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def errors_response(errors, export_format):
    """A 400 naming each invalid parameter, in the format that was asked for."""
    if export_format == "json":
        body = json.dumps(errors)
    else:
        body = "".join(f"{name}: {' '.join(messages)}\n" for name, messages in errors.items())
    return HttpResponse(body, status=400, content_type=CONTENT_TYPES[export_format])
