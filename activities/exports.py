"""A destination's sync plan as a file to hand over: CSV (UTF-8 with a BOM, so spreadsheets read it) or JSON.

Kept apart from the activity list's own exports until the two are unified: both take activities
and a file name, so the list's exports can call the same pair.
"""

import csv
import json

from django.http import HttpResponse

COLUMNS = ("category", "name", "slug", "kind", "definition", "url")
# A spreadsheet runs a cell that starts with one of these as a formula; definitions are data, never code.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def activity_rows(activities, request):
    """One dict per activity, with the columns every export shares."""
    for activity in activities:
        yield {
            "category": activity.category.name,
            "name": activity.name,
            "slug": activity.slug,
            "kind": activity.kind,
            "definition": activity.definition,
            "url": request.build_absolute_uri(activity.get_absolute_url()),
        }


def _cell(value):
    value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_response(rows, filename):
    """The rows as a CSV download, UTF-8 with a byte order mark."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(row[column]) for column in COLUMNS])
    return response


def json_response(rows, filename, **about):
    """The rows as a JSON download: `about` first, then the count and the activities."""
    rows = list(rows)
    body = {**about, "count": len(rows), "activities": rows}
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
