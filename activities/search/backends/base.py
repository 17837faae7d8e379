"""
What both engines share: resolving a parsed query's synonyms and spelling against the index, and the
strategy that keeps a broad search's cost bounded. Each engine (sqlite.py, postgresql.py) supplies the
syntax of its match expressions and the SQL that reads its index.
"""

from django.db.models.expressions import RawSQL

from activities.search import tiers
from activities.search.index import SearchState
from activities.search.partial import fallbacks
from activities.search.query import without_stop_words
from activities.search.results import NAME_TIER
from activities.search.spelling import Lexicon, rank_corrections

# Separators for the synonyms and the vocabulary sent as one string: the tokenizers never keep them.
RECORD, UNIT = "\x1e", "\x1f"


class Backend:
    """What differs between engines: the SQL around one parsed query."""

    lexicons = {}
    # Whether the names have an index of their own that the whole text's cannot stand in for: a names-only
    # match then always reads its name matches from it (all of them when fewer than the limit match).
    names_indexed_apart = False

    def __init__(self, connection):
        self.connection = connection

    def understand(self, query):
        """
        Add synonyms and corrections to a parsed query, learn which words the index holds as typed, and drop
        its stop words. A word the catalog or the synonyms know is never corrected.
        """
        single = [term for term in query.terms if len(term.typed) == 1]
        correctable = [term for term in single if term.correctable]
        key = (self.connection.alias, self.connection.settings_dict["NAME"])
        cached_token, lexicon = self.lexicons.get(key, (None, None))
        checks, params = self.checks(single, correctable)
        # One query per search: the synonyms and the vocabulary come along only when the token moved.
        fresh = "CASE WHEN token = %s THEN NULL ELSE ({}) END"
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(['token', *checks, fresh.format(self.synonyms), fresh.format(self.vocabulary)])}"
                f" FROM {SearchState._meta.db_table}",
                [*params, cached_token, cached_token],
            )
            token, *found, synonyms, vocabulary = cursor.fetchone()
        if token != cached_token:
            counts = [
                (line.split(UNIT)[0], int(line.split(UNIT)[1])) for line in (vocabulary or "").split(RECORD) if line
            ]
            lexicon = Lexicon(
                [line.split(UNIT) for line in (synonyms or "").split(RECORD) if line],
                counts,
                self.stems([word for word, _ in counts]),
            )
            self.lexicons[key] = (token, lexicon)
        known = dict(zip((term.typed for term in single), found[: len(single)], strict=True))
        nearby = dict(zip((term.typed for term in correctable), found[len(single) :], strict=False))
        lexicon.apply_synonyms(query)
        without_stop_words(query)
        for term in query.terms:
            if term.typed not in known:
                continue
            term.exact = bool(known[term.typed])
            word = term.typed[0]
            # A word the index holds is taken as meant: its neighbours (and their stems: "activated" shares
            # "activ" with every "activity") would only add noise. So is a word of the vocabulary or of the
            # synonyms, and a word too short to correct.
            if term.exact or term.synonyms or lexicon.knows(word) or not term.correctable:
                continue
            pool = nearby.get(term.typed)
            pool = lexicon.candidates(word) if pool is None else pool
            term.corrections = rank_corrections(word, [(other, lexicon.counts.get(other, 0)) for other in pool])
        for term in query.terms:
            term.repeated = lexicon.repeated(term)
            term.commonness = lexicon.commonness(term)
        return query

    def stems(self, words):
        """Each word's stem as the index makes it, where ranks would count a stem once per phrase; else {}."""
        return {}

    def excluded(self, query):
        """The match expression of the query's excluded words (-word): any of them."""
        return self.any_of([self.form(form) for form in query.excluded])

    def without_excluded(self, queryset, table, query):
        """The queryset without the rows that hold an excluded word."""
        if not query.excluded:
            return queryset
        return queryset.exclude(self.holding(self.excluded(query)))

    def holding(self, form):
        """A condition on the activities: those whose text the match expression `form` finds."""
        raise NotImplementedError

    def clauses(self, query, name_only=False):
        """One match expression per typed word (with its synonyms and corrections) and per quoted phrase."""
        form = self.name_form if name_only else self.form
        return [self.clause(term, form) for term in query.terms] + [form(phrase) for phrase in query.phrases]

    def clause(self, term, form=None):
        """The match expression of one term: the word as typed (unless it matches nothing) or its alternatives."""
        form = form or self.form
        return self.any_of(
            [
                *([form(term.typed, term.prefix)] if term.searched_as_typed else []),
                *(form(alt) for alt in term.searched_alternatives),
            ]
        )

    def name_form(self, form, prefix=False):
        return self.form(form, prefix)

    def own_form(self, form, prefix=False):
        """The match expression of a form in the activity's own text (name, definition), not its category's."""
        return self.form(form, prefix)

    def only_names(self, expression):
        return expression

    def expression(self, query, name_only=False):
        """The whole query as one match expression (excluded words too), or over the names alone; None without words."""
        clauses = self.clauses(query, name_only)
        if not clauses:
            return None
        expression = self.only_names(self.all_of(clauses)) if name_only else self.all_of(clauses)
        if query.excluded:
            expression = self.but_not(expression, self.excluded(query))
        return expression

    def read_from_index(self, queryset, query, name_only=False):
        """
        The query's matches, unranked, read from the index so that a LIMIT stops the reading early.
        Its SQL names the outer table, so it is compiled on its own and embedded as text, never as a subquery.
        """
        expression = self.expression(query, name_only)
        if expression is None:
            return self.matching(queryset, query)
        return self.reading(queryset, queryset.model._meta.db_table, expression)

    def matching(self, queryset, query):
        """The query's matches, unranked, in SQL that names no outer table, so it also works inside a subquery."""
        clauses = self.clauses(query)
        if clauses:
            queryset = queryset.filter(pk__in=RawSQL(self.ids_matching, [self.all_of(clauses)]))
        if query.excluded:
            queryset = queryset.exclude(pk__in=RawSQL(self.ids_matching, [self.excluded(query)]))
        return queryset

    def first_matches(self, queryset, query, limit, name_only=False):
        """SQL and parameters for the ids of the first `limit` matches as the index yields them (no ranking)."""
        return self.read_from_index(queryset.order_by(), query, name_only).values("id")[:limit].query.sql_with_params()

    def settle(self, queryset, query, limit=None):
        """
        The query to search for: the whole query, or when no activity matches all its words, the first of its
        fallbacks (partial.fallbacks) that matches. With a limit, also how many rows that query matches, counted
        to limit + 1, and how many by their names, counted to limit. One query, and none for a single word
        without a limit: the database tries the fallbacks in order and counts only the one it keeps.
        """
        tried = fallbacks(query)
        if len(tried) == 1 and not limit:
            return query, None
        chosen, params = [], []
        for number, fallback in enumerate(tried if len(tried) > 1 else []):
            sql, found = self.first_matches(queryset, fallback, 1)
            chosen.append(f"WHEN EXISTS ({sql}) THEN {number}")
            params.extend(found)
        # When nothing matches even one word, the whole query answers (nothing), with no word said to be dropped.
        choice = f"CASE {' '.join(chosen)} ELSE 0 END" if chosen else "0"
        if not limit:
            with self.connection.cursor() as cursor:
                cursor.execute(f"SELECT {choice}", params)
                return tried[cursor.fetchone()[0]], None
        every, named = [], []
        for number, fallback in enumerate(tried):
            (first, first_params), (names, names_params) = self.candidates(queryset, fallback, limit)
            every.append((f"WHEN {number} THEN (SELECT COUNT(*) FROM ({first}) every_id)", first_params))
            named.append((f"WHEN {number} THEN (SELECT COUNT(*) FROM ({names}) named_id)", names_params))
        counted = [f"CASE chosen.number {' '.join(sql for sql, _ in side)} END" for side in (every, named)]
        with self.connection.cursor() as cursor:
            cursor.execute(
                # The choice comes first in the text, as its parameters do.
                f"WITH chosen AS (SELECT {choice} AS number) SELECT chosen.number, {', '.join(counted)} FROM chosen",
                [*params, *(value for side in (every, named) for _, found in side for value in found)],
            )
            number, matched, by_name = cursor.fetchone()
        return tried[number], (matched, by_name)

    def candidates(self, queryset, query, limit):
        """(sql, params) of the ids of the first limit + 1 matches, and of the first `limit` name matches."""
        return self.first_matches(queryset, query, limit + 1), self.first_matches(queryset, query, limit, True)

    def bounded_match(self, queryset, query, limit, counts, expression):
        """
        The match expression that ranks a broad search, and the candidates (sql, params) it is restricted to, or
        None. Every match is ranked while at most `limit` match. Past it, the work stops growing with the
        matches: when at least NAME_TIER rows have names that match, the list holds the first `limit` of those,
        ranked by their names (with the name weighted tenfold they would lead anyway); otherwise it ranks the
        first `limit` + 1 matches as the index yields them, with those name matches.
        """
        matched, by_name = counts
        if matched <= limit:
            return expression, None
        (every, every_params), (named, named_params) = self.candidates(queryset, query, limit)
        if by_name >= NAME_TIER:
            names = self.only_names(self.all_of(self.clauses(query, name_only=True)))
            return names, (named, named_params) if by_name >= limit or self.names_indexed_apart else None
        union = f"SELECT named_ids.id FROM ({named}) named_ids UNION SELECT first_ids.id FROM ({every}) first_ids"
        return expression, (union, [*named_params, *every_params])

    def ranked(self, queryset, query, limit=None, counts=None):
        """
        The queryset narrowed to the query's matches, best first: by the tiers (tiers.py), then by rank. With a
        limit, `counts` (from settle()) decide how a broad search is bounded (bounded_match).
        """
        table = queryset.model._meta.db_table
        clauses = self.clauses(query)
        order = []
        if clauses:
            expression, within = self.all_of(clauses), None
            if limit and counts:
                expression, within = self.bounded_match(queryset, query, limit, counts, expression)
            queryset = self.rank(queryset, table, expression, within)
            for name, value in (
                ("search_words", tiers.words_matched(self, query)),
                ("search_tier", tiers.tiers(self, query)),
            ):
                if value is not None:
                    queryset = queryset.annotate(**{name: value})
                    order.append(f"-{name}")
            order.append("search_rank")
        queryset = self.without_excluded(queryset, table, query)
        return queryset.order_by(*order, *queryset.model._meta.ordering)
