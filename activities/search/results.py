"""
A search's results: the ranked activities, how many there are, and whether that count stopped at the limit.

A broad search at 100,000 activities would cost as much as it matches to count and rank in full. With a
limit, the results count the matches only up to limit + 1 (and the name matches up to the limit), and
those counts, fetched first, decide how the page's ranking is bounded before its SQL is built.
"""

from functools import cached_property

from django.db import connections
from django.db.models.expressions import RawSQL

# Past the count limit, a broad search lists the matches whose names match when at least this many do.
NAME_TIER = 50


def listed(matched, by_name, limit):
    """How many rows a bounded search lists, given its counts of matches (to limit + 1) and name matches (to limit)."""
    if matched <= limit:
        return matched
    return by_name if by_name >= NAME_TIER else limit


class SearchResults:
    """
    The activities of `queryset` that match a parsed `query`, best first (`queryset`), with `count`, `capped`
    and `query` (for the corrected-spelling notice and the highlighting). An empty query matches everything.
    """

    def __init__(self, queryset, query, limit=None):
        from activities.search.backends import backend_for

        self.query, self.limit = query, limit
        self.backend = backend_for(connections[queryset.db])
        self.bounded = bool(limit and query and query.requires)
        self.matched = self.by_name = counts = None
        if query and query.requires:
            # Partial matching may drop words: from here on, the query is the one searched for.
            self.query, counts = self.backend.settle(queryset, query, limit if self.bounded else None)
        if self.bounded:
            self.matched, self.by_name = counts
        self.queryset = self.backend.ranked(queryset, self.query, limit, counts) if query else queryset

    @property
    def capped(self):
        """Whether more than `limit` rows matched: then `count` is how many are listed, not how many match."""
        return self.bounded and self.matched > self.limit

    @cached_property
    def count(self):
        """How many results are listed: every match, or a broad search's bounded set."""
        if self.bounded:
            return listed(self.matched, self.by_name, self.limit)
        return self.queryset.count()

    def matching(self, queryset):
        """The activities of `queryset` that match, unranked: unlike `queryset`, safe inside a subquery."""
        if not self.query:
            return queryset
        return self.backend.matching(queryset, self.query)

    def counted_among(self, queryset):
        """
        What a facet counts of `queryset`: every match, or for a bounded search its first limit + 1 matches
        as the index yields them, so that a facet costs no more than the search (and says "+" past the limit).
        """
        if not self.bounded:
            return self.matching(queryset)
        sql, params = self.backend.first_matches(queryset, self.query, self.limit + 1)
        return queryset.model._default_manager.db_manager(queryset.db).filter(pk__in=RawSQL(sql, params))
