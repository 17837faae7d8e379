"""
PostgreSQL: a generated, weighted tsvector with a GIN index (the name weight A, the definition B), a
tsvector of the names alone, and pg_trgm over the vocabulary of real words to find spelling neighbours.
"""

from django.contrib.postgres.lookups import SearchVectorExact
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.db.models import F
from django.db.models.expressions import RawSQL

from activities.search.backends.base import Backend
from activities.search.index import SearchWord

WORDS = SearchWord._meta.db_table
TABLE = "activities_activity"


class PostgreSQL(Backend):
    # The whole text's GIN index cannot tell a name's words (weight A) apart: a broad prefix rechecked every row.
    names_indexed_apart = True
    # ts_rank weights for D (the category's text), C (unused), B (definition) and A (name), at most 1 each:
    # the name counts ten times the definition, the category a tenth of it.
    weights = [0.01, 0.01, 0.1, 1.0]
    nearest = 24
    ids_matching = "SELECT id FROM activities_activity WHERE search_vector @@ to_tsquery('english', %s)"

    synonyms = (
        "SELECT string_agg(term || chr(31) || replace(equivalents, ',', chr(31)), chr(30)) FROM activities_synonym"
    )
    vocabulary = f"SELECT string_agg(word || chr(31) || documents, chr(30)) FROM {WORDS}"

    def checks(self, terms, correctable):
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
        nearby = [f"ARRAY(SELECT word FROM {WORDS} ORDER BY word <-> %s LIMIT %s)" for _ in correctable]
        forms = [self.form(term.typed, term.prefix) for term in terms]
        params = [value for form in forms for value in (form, form)]
        params += [value for term in correctable for value in (term.typed[0], self.nearest)]
        return known + nearby, params

    def form(self, form, prefix=False):
        return "(" + " <-> ".join(form) + (":*" if prefix else "") + ")"

    def any_of(self, forms):
        return "(" + " | ".join(forms) + ")"

    def all_of(self, clauses):
        return " & ".join(clauses)

    def name_form(self, form, prefix=False):
        # The name is the tsvector's weight A.
        labels = [f"{word}:A" for word in form]
        if prefix:
            labels[-1] = f"{form[-1]}:*A"
        return "(" + " <-> ".join(labels) + ")"

    def own_form(self, form, prefix=False):
        # The activity's own text is the tsvector's weights A and B; its category's is D.
        labels = [f"{word}:AB" for word in form]
        if prefix:
            labels[-1] = f"{form[-1]}:*AB"
        return "(" + " <-> ".join(labels) + ")"

    def but_not(self, expression, excluded):
        return f"({expression}) & !{excluded}"

    def read_from_index(self, queryset, query, name_only=False):
        if not (name_only and self.clauses(query)):
            return super().read_from_index(queryset, query, name_only)
        # The names' own tsvector and index: the whole text's index cannot tell a name's words (weight A) apart.
        names = vector("search_name")
        queryset = queryset.alias(search_name=names).filter(search_name=tsquery(self.all_of(self.clauses(query))))
        return self.without_excluded(queryset, queryset.model._meta.db_table, query)

    def holding(self, form):
        return SearchVectorExact(vector(), tsquery(form))

    def holding_word(self, word):
        # The words as written, unstemmed: "conversation" does not hold "conversion".
        written = SearchVector("name", "definition", config="simple")
        return SearchVectorExact(written, SearchQuery(self.form((word,)), search_type="raw", config="simple"))

    def reading(self, queryset, table, expression):
        return queryset.alias(search_vector=vector()).filter(search_vector=tsquery(expression))

    def rank(self, queryset, table, expression, within=None):
        """The matches ranked by ts_rank as `search_rank` (negated: the best first), among `within` when given."""
        if within:
            queryset = queryset.filter(pk__in=RawSQL(*within))
        matched = tsquery(expression)
        queryset = queryset.alias(search_vector=vector()).filter(search_vector=matched)
        return queryset.annotate(search_rank=-SearchRank(F("search_vector"), matched, weights=self.weights))


def tsquery(expression):
    """A tsquery of the english configuration from a match expression that the backend built."""
    return SearchQuery(expression, search_type="raw", config="english")


def vector(column="search_vector"):
    """
    One of the tsvector columns of the activities: `search_vector` (migrations 0002, 0017), set by a trigger as
    it holds the category's text, and the generated `search_name` (0009). The model does not declare them: a
    GeneratedField's expression must compile on SQLite too, and the text search functions do not.
    """
    return RawSQL(f"{TABLE}.{column}", (), output_field=SearchVectorField())
