"""
The app's template tags: the pieces of markup several pages share, each drawn by a snippet template in
templates/activities/includes/, and the few values those snippets show (marked text, counts).
"""

from django import template

from activities.highlight import SNIPPET_WORDS, marked, words_to_mark
from activities.word_diff import word_diff as diff_words

register = template.Library()


@register.inclusion_tag("activities/includes/activity_table.html")
def activity_table(activities, *, caption, query=None, destinations=(), show_category=True):
    """
    A row per activity: its name (the search's words marked) linking to its page, a badge when it is custom and
    one per destination it syncs to, its category when asked, and its definition's passage around the search.
    """
    return {
        "activities": activities,
        "caption": caption,
        "wanted": words_to_mark(query),
        "destinations": destinations,
        "show_category": show_category,
    }


@register.inclusion_tag("activities/includes/badges.html")
def badges(destinations, empty=""):
    """A badge linking to each destination's sync plan, or the `empty` text when there is none."""
    return {"destinations": destinations, "empty": empty}


@register.inclusion_tag("activities/includes/facet_choices.html", takes_context=True)
def facet_choices(context, choices):
    """
    Each choice as a link that toggles it over the request's other parameters, with its count ("1,000+" when a
    broad search stopped counting), marked when active; a choice that would find nothing is plain text.
    """
    return {"choices": choices, "parameters": context["request"].GET}


@register.filter
def synced_among(activity, destinations):
    """The destinations, of those given, that this activity syncs to (read from `with_destination_slugs()`)."""
    slugs = activity.synced_slugs
    return [destination for destination in destinations if destination.slug in slugs]


@register.filter
def highlight(text, wanted):
    """The text, escaped, with the search's words (from `words_to_mark`) marked."""
    return marked(text, wanted)


@register.filter
def passage(text, wanted):
    """The text's passage around the search's first match, escaped, with the search's words marked."""
    return marked(text, wanted, SNIPPET_WORDS)


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


@register.inclusion_tag("activities/includes/word_diff.html")
def word_diff(before, after):
    """`after` with the words `before` had and it lacks struck through, and its own new words marked."""
    return {"parts": diff_words("" if before is None else str(before), "" if after is None else str(after))}
