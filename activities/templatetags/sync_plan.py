from django import template

from activities.templatetags import html, joined, read

register = template.Library()

BADGE = (
    '<a class="badge badge--destination" href="{}" title="Synced to {}">'
    '<span class="visually-hidden">Synced to </span>{}</a>'
)


@register.filter
def synced_among(activity, destinations):
    """The destinations, of those given, that this activity syncs to (read from `with_destination_slugs()`)."""
    slugs = read(activity, "synced_slugs")
    return [destination for destination in destinations if read(destination, "slug") in slugs]


@register.filter
def badges(destinations):
    """A badge linking to each destination's sync plan, separated by spaces."""
    return joined(" ", (badge(read(item, "get_absolute_url"), read(item, "name")) for item in destinations))


def badge(url, name):
    return html(BADGE, url, name, name)
