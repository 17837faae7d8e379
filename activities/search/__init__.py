"""
The catalog's one search entry point, `search(queryset, text, limit=None)`, used by the FilterSet, the admin
and the API. It returns SearchResults: the ranked activities, their count, whether a broad search's count
stopped at the limit, and the parsed query.

Both engines get the same parsed query (query.py), with its synonyms and spelling corrections resolved
against the database's index (spelling.py); only the SQL differs (backends/). When no activity matches every
word, words are dropped until some activity matches (partial.py). Rows rank by the tiers of tiers.py (more
words, then exact over prefix, stem, synonym and correction), then by the engine's rank, where the name
outweighs the definition. Searches that found nothing are logged for editors (misses.py).
"""

from django.db import connections

from activities.search.backends import backend_for
from activities.search.query import Query, normalise, parse, words
from activities.search.results import SearchResults

__all__ = ["SearchResults", "normalise", "parse", "search", "understand", "words"]


def understand(text, using="default"):
    """Parse a query and resolve its synonyms and spelling against the database's index."""
    query = text if isinstance(text, Query) else parse(text)
    if query and not query.understood:
        backend_for(connections[using]).understand(query)
        query.understood = True
    return query


def search(queryset, text, limit=None):
    """
    The activities of `queryset` matching a free-text query, ranked; an empty query changes nothing. With a
    limit, a query matching more than `limit` rows ranks a bounded set of candidates and says its count is capped.
    """
    return SearchResults(queryset, understand(text, queryset.db), limit)
