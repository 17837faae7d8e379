from django import template

register = template.Library()


@register.filter
def synced_among(activity, destinations):
    """The destinations, of those given, that this activity syncs to (read from `with_destination_slugs()`)."""
    slugs = activity.synced_slugs
    return [destination for destination in destinations if destination.slug in slugs]
