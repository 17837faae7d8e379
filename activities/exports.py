"""
Activities as a file to download: the filtered list's exports and each destination's sync plan.

Both use the admin import's columns (ActivityResource), so an export can be edited and imported back.
"""

import json

import tablib
from django.http import HttpResponse

from activities import plan
from activities.cells import as_text_cell
from activities.resources import ActivityResource

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def export_response(activities, export_format, filename, **about):
    """
    The activities as a CSV (UTF-8 with a byte-order mark, so spreadsheets keep ’ and é) or JSON download, each
    with its decisions and their reasons. JSON is a list of rows, or, when `about` is given, an object with
    `about`, a count and the rows.
    """
    decided = plan.decisions_by_slug(activities)
    if export_format == "csv":
        dataset = ActivityResource().export(queryset=activities)
        # Two columns per destination, after the import's own (which an import reads and these it leaves).
        for slug in decided.destinations:
            for part in ("decision", "reason"):
                dataset.append_col([decided[row][slug][part] for row in dataset["slug"]], header=f"{slug} {part}")
        body = spreadsheet_csv(dataset)
    else:
        # The API's types: numbers as numbers, times in ISO 8601 with their zone, destinations as a list of slugs.
        rows = ActivityResource().export(queryset=activities, force_native_type=True).dict
        for row in rows:
            row["destinations"] = row["destinations"].split()
            row["decisions"] = list(decided[row["slug"]].values())
        body = json.dumps({**about, "count": len(rows), "activities": rows} if about else rows, ensure_ascii=False)
    response = HttpResponse(body, content_type=CONTENT_TYPES[export_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def rows_response(rows, columns, export_format, filename):
    """Plain rows (dicts in the API's types) as a CSV or JSON download, as `export_response` sends activities."""
    if export_format == "csv":
        body = spreadsheet_csv(tablib.Dataset(*([row[name] for name in columns] for row in rows), headers=columns))
    else:
        body = json.dumps(rows, ensure_ascii=False)
    response = HttpResponse(body, content_type=CONTENT_TYPES[export_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def spreadsheet_csv(dataset):
    """The rows as CSV text for spreadsheets: a byte-order mark first (so they keep ’ and é), no cell a formula."""
    safe = tablib.Dataset(*(tuple(as_text_cell(cell) for cell in row) for row in dataset), headers=dataset.headers)
    return "\ufeff" + safe.csv


def errors_response(errors, export_format):
    """A 400 naming each invalid parameter, in the format that was asked for."""
    if export_format == "json":
        body = json.dumps(errors)
    else:
        body = "".join(f"{name}: {' '.join(messages)}\n" for name, messages in errors.items())
    return HttpResponse(body, status=400, content_type=CONTENT_TYPES[export_format])
