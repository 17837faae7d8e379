"""
SQLite: an FTS5 index kept by triggers (migrations 0002 and 0008), ranked by bm25 with the name weighted
tenfold, and an unstemmed twin whose vocabulary holds the real words to correct typos against.
"""

import sqlite3
from contextlib import closing

from django.db.models.sql.constants import INNER

from activities.search.backends.base import Backend
from activities.search.index import ActivitySearchEntry

NAME_WEIGHT = 10.0
# The FTS5 index's tokenizer (migration 0008), which also tells which corrections share a stem.
TOKENIZER = "porter unicode61 remove_diacritics 2"
FTS = ActivitySearchEntry._meta.db_table


class RankedMatches:
    """
    An FTS5 search with its ranks, as a derived table joined to the activities: the index is read
    once, and a LIMIT inside stops the reading early. Django has no API for joining a subquery, but
    Query.alias_map takes any object with Join's attributes and methods (see django.db.models.sql.datastructures).
    """

    alias = "activities_search"
    join_type = INNER
    nullable = False
    filtered_relation = None
    join_field = None

    def __init__(self, sql, params, parent_alias=None):
        self.sql, self.params, self.parent_alias = sql, tuple(params), parent_alias
        self.table_name = self.table_alias = self.alias

    def join(self, query):
        """Join the matches to a query's base table."""
        self.parent_alias = query.get_initial_alias()
        query.alias_map[self.alias] = self
        query.alias_refcount[self.alias] = 1
        query.table_map.setdefault(self.alias, []).append(self.alias)

    def as_sql(self, compiler, connection):
        parent = compiler.quote_name(self.parent_alias)
        sql, params = self.sql, self.params
        shown = self.rows_needed(compiler.query)
        if shown:
            # Only rows ranked no worse than the n-th best can be among the first n, whatever breaks the
            # ties: the rest are dropped before they are joined, read and sorted (most of a capped search's
            # candidates). The ranks are computed once (MATERIALIZED), then read twice.
            sql = (
                f"WITH ranked AS MATERIALIZED ({sql}) SELECT id, rank FROM ranked WHERE rank <="
                " (SELECT max(rank) FROM (SELECT rank FROM ranked ORDER BY rank LIMIT %s))"
            )
            params = [*params, shown]
        return f"INNER JOIN ({sql}) {self.alias} ON ({self.alias}.id = {parent}.id)", list(params)

    def rows_needed(self, query):
        """
        How many of the best-ranked matches a query can show (its slice's end), when it lists them best first
        and every match it joins stays one row of its results; otherwise None (all ranks are needed).
        """
        if query.high_mark is None or tuple(query.order_by[:1]) != ("search_rank",) or query.where:
            return None
        if query.group_by is not None or query.distinct or query.combinator or query.extra_tables:
            return None
        for alias, join in query.alias_map.items():
            if alias in (self.alias, query.base_table) or join is self:
                continue
            # Other joins may only fetch related rows (select_related): one for each row, never none.
            if join.join_type == INNER and (join.nullable or not join.join_field.many_to_one):
                return None
        return query.high_mark

    def relabeled_clone(self, change_map):
        # Its own alias stays: the rank's SQL names it.
        return type(self)(self.sql, self.params, change_map.get(self.parent_alias, self.parent_alias))

    @property
    def identity(self):
        return type(self), self.sql, self.params, self.parent_alias

    def __eq__(self, other):
        return isinstance(other, RankedMatches) and self.identity == other.identity

    def __hash__(self):
        return hash(self.identity)

    def demote(self):
        return self

    def promote(self):
        return self


class SQLite(Backend):
    ids_matching = f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s"
    first_in_index = f"SELECT rowid AS id FROM {FTS} WHERE {FTS} MATCH %s LIMIT %s"

    synonyms = (
        "SELECT group_concat(term || char(31) || replace(equivalents, ',', char(31)), char(30)) FROM activities_synonym"
    )
    vocabulary = "SELECT group_concat(term || char(31) || doc, char(30)) FROM activities_activity_vocab"

    def checks(self, terms):
        return (
            [f"EXISTS (SELECT 1 FROM {FTS} WHERE {FTS} MATCH %s)" for _ in terms],
            [self.form(term.typed, term.prefix) for term in terms],
        )

    def stems(self, words):
        # The index's own tokenizer stems them, in a scratch in-memory table: no query on the catalog's database.
        with closing(sqlite3.connect(":memory:")) as scratch:
            scratch.execute(f"CREATE VIRTUAL TABLE words USING fts5(word, tokenize='{TOKENIZER}')")
            scratch.execute("CREATE VIRTUAL TABLE stems USING fts5vocab(words, 'instance')")
            scratch.executemany("INSERT INTO words (rowid, word) VALUES (?, ?)", enumerate(words, 1))
            found = dict(scratch.execute("SELECT doc, term FROM stems"))
        return {word: found.get(number, word) for number, word in enumerate(words, 1)}

    def form(self, form, prefix=False):
        return '"' + " ".join(form) + '"' + ("*" if prefix else "")

    def any_of(self, forms):
        return "(" + " OR ".join(forms) + ")" if len(forms) > 1 else forms[0]

    def all_of(self, clauses):
        return " AND ".join(clauses)

    def only_names(self, expression):
        return "{name} : (" + expression + ")"

    def but_not(self, expression, excluded):
        return f"({expression}) NOT {excluded}"

    def first_matches(self, queryset, query, limit, name_only=False):
        expression = self.expression(query, name_only)
        if expression is not None and not queryset.query.where:
            # Nothing else filters: the index alone yields the ids, without reading a row.
            return self.first_in_index, (expression, limit)
        return super().first_matches(queryset, query, limit, name_only)

    def reading(self, queryset, table, expression):
        return queryset.extra(tables=[FTS], where=[f"{FTS}.rowid = {table}.id", f"{FTS} MATCH %s"], params=[expression])

    def contains(self, table):
        return f"{table}.id IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s)"

    def rank(self, queryset, table, expression, within=None):
        """The matches joined with their bm25 ranks as `search_rank`, among the candidates `within` when given."""
        queryset = queryset.all()
        ranked = f"SELECT rowid AS id, bm25({FTS}, {NAME_WEIGHT}, 1.0) AS rank FROM {FTS} WHERE {FTS} MATCH %s"
        if within and within[0] == self.first_in_index:
            # The candidates are the index's first n matches of the same words (with any excluded
            # words left out already; they would add nothing to a rank): read them once, ranked.
            sql, params = f"{ranked} LIMIT %s", list(within[1])
        elif within:
            # A unary plus keeps the planner from driving the search by the id list: FTS5 would then
            # run the whole match once per listed id. The index drives, and each of its rows checks the list.
            sql, params = f"{ranked} AND +rowid IN ({within[0]})", [expression, *within[1]]
        else:
            sql, params = ranked, [expression]
        RankedMatches(sql, params).join(queryset.query)
        return queryset.extra(select={"search_rank": f"{RankedMatches.alias}.rank"})
