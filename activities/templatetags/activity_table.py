"""
The rows of an activity table, drawn in one call: as template variables and tags the rows were most of
a list page's rendering (BENCHMARKS.md, CPU per template).
"""

from django import template
from django.utils.safestring import mark_safe

from activities.highlight import SNIPPET_WORDS, marked, words_to_mark
from activities.templatetags import html, joined, read
from activities.templatetags.sync_plan import badges, synced_among

register = template.Library()

ROW = '<tr>\n      <th scope="row"><a href="{}">{}</a>{} {}</th>\n      {}\n      <td>{}</td>\n    </tr>'
CATEGORY = '<td><a class="category-link" href="{}">{}</a></td>'
CUSTOM = mark_safe(' <span class="badge badge--custom">custom</span>')


@register.simple_tag
def activity_rows(activities, query, destinations, show_category):
    """
    A row per activity: its name (the search's words marked) linking to its page, a badge when it is custom
    and one per destination it syncs to, its category when asked, and its definition's passage around the search.
    """
    rows, wanted = [], words_to_mark(query)
    for activity in activities:
        category = read(activity, "category") if show_category else None
        rows.append(
            html(
                ROW,
                read(activity, "get_absolute_url"),
                marked(read(activity, "name"), wanted),
                CUSTOM if read(activity, "kind") == "custom" else "",
                badges(synced_among(activity, destinations)),
                html(CATEGORY, read(category, "get_absolute_url"), read(category, "name")) if category else "",
                marked(read(activity, "definition"), wanted, SNIPPET_WORDS),
            )
        )
    return joined("\n    ", rows)
