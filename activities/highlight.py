"""Mark a search's words in names and definitions, escaping the text: definitions are data, never HTML."""

import re
from functools import lru_cache

from django.utils.html import format_html, format_html_join

from activities.search import normalise

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


def words_to_mark(query):
    """The query's words to mark, each with whether it may be a prefix: () without a search."""
    return tuple(query.highlights.items()) if query else ()


def marked(text, wanted, limit=None):
    """
    The text, escaped, with <mark> around the wanted words; with a `limit`, a text of more than about `limit`
    words is cut to that many around the first match, an ellipsis saying where.
    """
    pieces = PIECES.findall(str(text))  # words and the gaps between them, the whole text in order
    hits = {index for index, (word, _) in enumerate(pieces) if word and wanted and is_match(word, wanted)}
    start, end = 0, len(pieces)
    if limit and len(pieces) > 2 * limit:
        start = max(0, min(hits, default=0) - limit // 2)
        end = min(len(pieces), start + 2 * limit)
    shown = (
        format_html("<mark>{}</mark>", word) if index in hits else word or gap
        for index, (word, gap) in enumerate(pieces[start:end], start)
    )
    text = format_html_join("", "{}", ((piece,) for piece in shown))
    return format_html("{}{}{}", "… " if start else "", text, " …" if end < len(pieces) else "")


@lru_cache(maxsize=65536)
def is_match(word, wanted):
    """Whether a word of the text is one of the wanted (term, prefix) pairs; words repeat, so this is kept."""
    found = normalise(word)
    return any(same_word(found, term, prefix) for term, prefix in wanted)
