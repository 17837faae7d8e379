"""Mark a search's words in names and definitions, escaping the text first: definitions are data, never HTML."""

import re
from functools import lru_cache
from html import escape

from django.utils.safestring import SafeString

from activities.search import normalise
from activities.templatetags import escaped

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
    """Escaped text with <mark> around the wanted words, cut to about `limit` words around the first match."""
    text = str(text)
    # Without a search, only a text of more than 2 * limit pieces (words and gaps, a character or more each)
    # is cut: a shorter one, most definitions, is escaped whole without being split.
    if not wanted and not (limit and len(text) > 2 * limit):
        return escaped(text)
    pieces = PIECES.findall(text)
    if not wanted and len(pieces) <= 2 * limit:
        return escaped(text)
    hits = [index for index, (word, _) in enumerate(pieces) if word and is_match(word, wanted)]
    start, end, before, after = 0, len(pieces), "", ""
    if limit and len(pieces) > 2 * limit:
        start = max(0, (hits[0] if hits else 0) - limit // 2)
        end = min(len(pieces), start + 2 * limit)
        before, after = ("… " if start else ""), (" …" if end < len(pieces) else "")
    # Escaping each stretch between marks once, with the standard library's escape (which Django's
    # wraps), instead of Django's once per word: that was most of a category page's rendering time.
    hits, html, stretch = set(hits), [], []
    for index, (word, gap) in enumerate(pieces[start:end], start):
        if index in hits:
            html += [escape("".join(stretch)), f"<mark>{escape(word)}</mark>"]
            stretch = []
        else:
            stretch.append(word or gap)
    html.append(escape("".join(stretch)))
    return SafeString(before + "".join(html) + after)  # every piece is escaped above


@lru_cache(maxsize=65536)
def is_match(word, wanted):
    """Whether a word of the text is one of the wanted (term, prefix) pairs; words repeat, so this is kept."""
    found = normalise(word)
    return any(same_word(found, term, prefix) for term, prefix in wanted)
