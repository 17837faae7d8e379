"""How result counts read when a broad search stopped counting at SEARCH_COUNT_LIMIT: "1,000+", never a false total."""

from django import template

register = template.Library()


@register.filter
def counted(count, capped):
    """A count as shown: "1,000+" when it is the limit a broad search stopped at, else the number itself."""
    return f"{count:,}+" if capped else str(count)


@register.filter
def total(paginator):
    """A paginator's result count as shown: "1,000+" when a broad search stopped counting at its limit."""
    return counted(paginator.limit, True) if paginator.capped else str(paginator.count)


@register.filter
def capped_length(results, search):
    """How many results a search listed, or "1,000+" once it matched more than its limit (it lists its best)."""
    if search and search.capped:
        return counted(search.limit, True)
    return str(len(results))
