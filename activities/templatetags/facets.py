"""
A facet's choices, drawn in one call: as template variables and tags each choice cost as much as a
table row, and the list page shows eleven. Each link is still Django's {% querystring %} over the request's parameters.
"""

from django import template
from django.template.defaulttags import querystring
from django.utils.safestring import mark_safe

from activities.templatetags import html, joined, read
from activities.templatetags.result_counts import counted

register = template.Library()

LINK = (
    '<li>\n    <a class="facet__choice{}" id="facet-{}-{}" href="{}"{}>\n'
    '      <span class="facet__label">{}</span> <span class="facet__count"{}>({})</span>{}\n'
    "    </a>\n  </li>"
)
EMPTY = (
    '<li>\n    <span class="facet__choice is-empty"><span class="facet__label">{}</span>'
    ' <span class="facet__count">(0)</span></span>\n  </li>'
)
ACTIVE = (
    mark_safe(" is-active"),
    mark_safe(' aria-current="true"'),
    mark_safe('<span class="visually-hidden">, selected: activate to remove</span>'),
)
CAPPED = mark_safe(' title="At least this many: counted among the search\'s first matches"')


@register.simple_tag(takes_context=True)
def facet_choices(context, choices):
    """
    Each choice as a link that toggles it, with its count ("1,000+" when a broad search stopped counting),
    marked when active; a choice that would find nothing is plain text.
    """
    parameters = context["request"].GET
    items = []
    for choice in choices:
        label, count, capped, active = (read(choice, name) for name in ("label", "count", "capped", "active"))
        if not (active or count or capped):
            items.append(html(EMPTY, label))
            continue
        selected, current, announced = ACTIVE if active else ("", "", "")
        items.append(
            html(
                LINK,
                selected,
                read(choice, "name"),
                read(choice, "value"),
                querystring(context, parameters, read(choice, "params")),
                current,
                label,
                CAPPED if capped else "",
                counted(count, capped),
                announced,
            )
        )
    return html('<ul class="facet__choices">\n  {}\n</ul>', joined("\n  ", items))
