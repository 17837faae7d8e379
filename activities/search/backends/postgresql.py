"""
PostgreSQL: a generated, weighted tsvector with a GIN index (the name weight A, the definition B), a
tsvector of the names alone, and pg_trgm over the vocabulary of real words to find spelling neighbours.
"""

from django.db.models import BooleanField, FloatField
from django.db.models.expressions import RawSQL

from activities.search.backends.base import Backend
from activities.search.index import SearchWord

WORDS = SearchWord._meta.db_table


class PostgreSQL(Backend):
    # The whole text's GIN index cannot tell a name's words (weight A) apart: a broad prefix rechecked every row.
    names_indexed_apart = True
    # ts_rank weights for D, C, B (definition) and A (name), at most 1 each: the name counts ten times.
    weights = "{0.01, 0.01, 0.1, 1.0}"
    nearest = 24
    ids_matching = "SELECT id FROM activities_activity WHERE search_vector @@ to_tsquery('english', %s)"

    synonyms = (
        "SELECT string_agg(term || chr(31) || replace(equivalents, ',', chr(31)), chr(30)) FROM activities_synonym"
    )
    vocabulary = f"SELECT string_agg(word || chr(31) || documents, chr(30)) FROM {WORDS}"

    def checks(self, terms):
        # A stop word ("about", "there") has no lexeme: it counts as known and is never corrected. A single
        # word is looked up among the vocabulary's lexemes: asked of the activities, a prefix that matches
        # nothing made the planner read every row. Only a phrase needs the activities themselves.
        known = [
            "numnode(to_tsquery('english', %s)) = 0 OR EXISTS (SELECT 1 FROM "
            + (f"{WORDS} WHERE lexemes" if len(term.typed) == 1 else "activities_activity WHERE search_vector")
            + " @@ to_tsquery('english', %s))"
            for term in terms
        ]
        # pg_trgm's distance operator walks the GiST index to each word's nearest spellings.
        nearby = [f"ARRAY(SELECT word FROM {WORDS} ORDER BY word <-> %s LIMIT %s)" for _ in terms]
        forms = [self.form(term.typed, term.prefix) for term in terms]
        params = [value for form in forms for value in (form, form)]
        params += [value for term in terms for value in (term.typed[0], self.nearest)]
        return known + nearby, params

    def form(self, form, prefix=False):
        return "(" + " <-> ".join(form) + (":*" if prefix else "") + ")"

    def any_of(self, forms):
        return "(" + " | ".join(forms) + ")"

    def all_of(self, clauses):
        return " & ".join(clauses)

    def contains(self, table):
        return f"{table}.search_vector @@ to_tsquery('english', %s)"

    def name_form(self, form, prefix=False):
        # The name is the tsvector's weight A.
        labels = [f"{word}:A" for word in form]
        if prefix:
            labels[-1] = f"{form[-1]}:*A"
        return "(" + " <-> ".join(labels) + ")"

    def but_not(self, expression, excluded):
        return f"({expression}) & !{excluded}"

    def read_from_index(self, queryset, query, name_only=False):
        if not (name_only and self.clauses(query)):
            return super().read_from_index(queryset, query, name_only)
        # The names' own tsvector and index: the whole text's index cannot tell a name's words (weight A) apart.
        table = queryset.model._meta.db_table
        queryset = queryset.extra(
            where=[f"{table}.search_name @@ to_tsquery('english', %s)"], params=[self.all_of(self.clauses(query))]
        )
        return self.without_excluded(queryset, table, query)

    def reading(self, queryset, table, expression):
        return queryset.extra(where=[self.contains(table)], params=[expression])

    def rank(self, queryset, table, expression, within=None):
        """The matches ranked by ts_rank as `search_rank` (negated: the best first), among `within` when given."""
        vector = f"{table}.search_vector"
        match, params = f"{vector} @@ to_tsquery('english', %s)", [expression]
        if within:
            match, params = f"{table}.id IN ({within[0]}) AND {match}", [*within[1], expression]
        rank = RawSQL(f"-ts_rank('{self.weights}', {vector}, to_tsquery('english', %s))", [expression], FloatField())
        return queryset.annotate(search_rank=rank).filter(RawSQL(f"({match})", params, BooleanField()))
