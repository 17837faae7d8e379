"""Mark a search's words in names and definitions, escaping the text first: definitions are data, never HTML."""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from activities.search import normalise

register = template.Library()

PIECES = re.compile(r"([^\W_]+)|([\W_]+)")
SNIPPET_WORDS = 40


def same_word(found, wanted, prefix):
    """Whether a word of the text is the searched word, one of its endings, or (while typing) its continuation."""
    if found == wanted or (prefix and found.startswith(wanted)):
        return True
    common = next(
        (at for at, (a, b) in enumerate(zip(found, wanted, strict=False)) if a != b), min(len(found), len(wanted))
    )
    return common >= 4 and common >= min(len(found), len(wanted)) - 2


def marked(text, query, limit=None):
    """Escaped text with <mark> around the query's words, cut to about `limit` words around the first match."""
    pieces = PIECES.findall(str(text))
    wanted = query.highlights if query else {}
    hits = [
        index
        for index, (word, _) in enumerate(pieces)
        if word and any(same_word(normalise(word), term, prefix) for term, prefix in wanted.items())
    ]
    start, end, before, after = 0, len(pieces), "", ""
    if limit and len(pieces) > 2 * limit:
        start = max(0, (hits[0] if hits else 0) - limit // 2)
        end = min(len(pieces), start + 2 * limit)
        before, after = ("… " if start else ""), (" …" if end < len(pieces) else "")
    hits = set(hits)
    html = [
        f"<mark>{conditional_escape(word)}</mark>" if index in hits else conditional_escape(word or gap)
        for index, (word, gap) in enumerate(pieces[start:end], start)
    ]
    return mark_safe(before + "".join(html) + after)  # every piece is escaped above


@register.filter
def highlight(text, query):
    """The text, escaped, with the query's words marked."""
    return marked(text, query)


@register.filter
def snippet(text, query):
    """A definition's passage around the query's first match, escaped, with the words marked."""
    return marked(text, query, SNIPPET_WORDS)
