"""
SQLite: an FTS5 index kept by triggers (migrations 0002, 0008 and 0017), ranked by bm25 with the name weighted
tenfold over the definition and the category's text a tenth of it, and an unstemmed twin whose vocabulary
holds the real words to correct typos against.
"""

import sqlite3
from contextlib import closing

from django.db.models import F, FloatField, Func, Q, Value
from django.db.models.expressions import RawSQL

from activities.search.backends.base import Backend
from activities.search.index import ActivitySearchEntry

NAME_WEIGHT = 10.0
# The category's name and description: found, but below any match in the activity's own text.
CATEGORY_WEIGHT = 0.1
# The FTS5 index's tokenizer (migration 0008), which also tells which corrections share a stem.
TOKENIZER = "porter unicode61 remove_diacritics 2"
FTS = ActivitySearchEntry._meta.db_table
# The unstemmed twin (migrations 0002, 0017): it tells a word held exactly from its stem-siblings.
WORDS_FTS = "activities_activity_words"


class BM25(Func):
    """
    FTS5's bm25() rank of an index row (lower is better): the name weighted NAME_WEIGHT times the definition,
    the category's text CATEGORY_WEIGHT times.
    """

    function = "bm25"
    output_field = FloatField()

    def __init__(self, index):
        super().__init__(index, Value(NAME_WEIGHT), Value(1.0), Value(CATEGORY_WEIGHT))


class Unindexed(Func):
    """
    A unary plus over a column: SQLite then will not drive a search by a list of ids checked against it,
    which would make FTS5 run the whole match once per listed id. The index drives, each of its rows checks the list.
    """

    template = "+%(expressions)s"


class SQLite(Backend):
    ids_matching = f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s"
    first_in_index = f"SELECT rowid AS id FROM {FTS} WHERE {FTS} MATCH %s LIMIT %s"

    synonyms = (
        "SELECT group_concat(term || char(31) || replace(equivalents, ',', char(31)), char(30)) FROM activities_synonym"
    )
    vocabulary = "SELECT group_concat(term || char(31) || doc, char(30)) FROM activities_activity_vocab"

    def checks(self, terms, correctable):
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

    def own_form(self, form, prefix=False):
        return "{name definition} : " + self.form(form, prefix)

    def but_not(self, expression, excluded):
        return f"({expression}) NOT {excluded}"

    def first_matches(self, queryset, query, limit, name_only=False):
        expression = self.expression(query, name_only)
        if expression is not None and not queryset.query.where:
            # Nothing else filters: the index alone yields the ids, without reading a row.
            return self.first_in_index, (expression, limit)
        return super().first_matches(queryset, query, limit, name_only)

    def reading(self, queryset, table, expression):
        return queryset.filter(search_entry__index__match=expression)

    def holding(self, form):
        return Q(pk__in=RawSQL(self.ids_matching, [form]))

    def holding_word(self, word):
        return Q(pk__in=RawSQL(f"SELECT rowid FROM {WORDS_FTS} WHERE {WORDS_FTS} MATCH %s", [self.own_form((word,))]))

    def rank(self, queryset, table, expression, within=None):
        """The matches joined with their bm25 ranks as `search_rank`, among the candidates `within` when given."""
        queryset = queryset.filter(search_entry__index__match=expression)
        if within and within[0] == self.first_in_index:
            # The candidates are the index's first n matches of the same words (with any excluded
            # words left out already; they would add nothing to a rank).
            queryset = queryset.filter(pk__in=RawSQL(*within))
        elif within:
            queryset = queryset.alias(search_candidate=Unindexed(F("search_entry__pk"))).filter(
                search_candidate__in=RawSQL(*within)
            )
        return queryset.annotate(search_rank=BM25(F("search_entry__index")))
