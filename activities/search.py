"""
The catalog's one search entry point, `search(queryset, q)`, used by the FilterSet, the admin and the API.

A query is read the way people type it: every word must match (stemmed, so bounce finds bounced),
the last word also as a prefix, "quoted words" as a phrase, and -words are excluded. A word of five
letters or more that the index does not hold matches the index's words one edit away (two from
nine letters; swapping two neighbouring letters is one edit), and every word matches its synonyms.
Rows that match the words as typed rank above rows found only through a synonym; then the name
outweighs the definition.

Both engines get the same parsed query; only the SQL differs. SQLite uses FTS5 tables kept by
triggers, PostgreSQL a generated, weighted tsvector with a GIN index and pg_trgm to find spelling
neighbours. Query text never reaches the SQL as syntax: it is cut into letters-and-digits words first.
"""

import re
import sqlite3
import unicodedata
from contextlib import closing
from dataclasses import dataclass, field
from functools import partial
from itertools import combinations

from django.db import connections
from django.db.models import BooleanField, Expression, FloatField
from django.db.models.expressions import RawSQL
from django.db.models.sql.constants import INNER

WORD = re.compile(r"[^\W_]+")
# A "phrase" (closed or not), or a run of non-space characters; either may start with a minus.
CHUNK = re.compile(r'(-?)"([^"]*)"?|(\S+)')
MAX_WORDS = 12
# Longer "words" are pasted noise, not typing: they are matched as they are, never corrected.
LONGEST_WORD = 40
MAX_CORRECTIONS = 6
# A correction may carry an ending of up to this many letters more (bounse finds bounces, bounced).
ENDING = 3
NAME_WEIGHT = 10.0
# Past the count limit, a broad search lists the matches whose names match when at least this many do.
NAME_TIER = 50
# Separators for the synonyms and the vocabulary sent as one string: the tokenizers never keep them.
RECORD, UNIT = "\x1e", "\x1f"
# The FTS5 index's tokenizer (migration 0008), which also tells which corrections share a stem.
TOKENIZER = "porter unicode61 remove_diacritics 2"


def normalise(text):
    """Lower-case text without accents or NUL bytes, as the indexes store it."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\x00", " ").lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text):
    """The normalised words of a text."""
    return WORD.findall(normalise(text))


def allowed_edits(word):
    """Typos forgiven in a word of this length: none up to 4 letters, one from 5, two from 9."""
    if len(word) > LONGEST_WORD:
        return 0
    return 0 if len(word) < 5 else 1 if len(word) < 9 else 2


def edit_distance(a, b, limit):
    """Damerau (optimal string alignment) distance, or limit + 1 once it must exceed limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before, previous = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, before[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


def deletions(word, depth):
    """Every string left by deleting up to `depth` letters of word (the symmetric-delete trick)."""
    return {
        "".join(char for index, char in enumerate(word) if index not in removed)
        for count in range(depth + 1)
        for removed in combinations(range(len(word)), count)
    }


@dataclass
class Term:
    """One required word (or a multi-word synonym key) and everything it may match instead."""

    typed: tuple
    prefix: bool = False
    synonyms: list = field(default_factory=list)
    corrections: list = field(default_factory=list)
    exact: bool = True
    # Alternatives the index reduces to the same stems as the word or an earlier alternative (Lexicon.repeated).
    repeated: set = field(default_factory=set)

    @property
    def correctable(self):
        return len(self.typed) == 1 and allowed_edits(self.typed[0]) > 0

    @property
    def alternatives(self):
        return [*self.synonyms, *((word,) for word in self.corrections)]

    @property
    def searched_alternatives(self):
        """The alternatives that the match needs: one per stem, as each would find the same rows again."""
        return [form for form in self.alternatives if form not in self.repeated]

    @property
    def searched_as_typed(self):
        """
        Whether the word as typed belongs in the match: not when understand() found the index holding
        nothing it matches and something else may match instead. It would match no row, yet cost a
        phrase to every read of the index and to every row's rank.
        """
        return self.exact or not self.alternatives


@dataclass
class Query:
    """A parsed query: what it requires, what it excludes, and how its spelling was corrected."""

    text: str
    terms: list = field(default_factory=list)
    phrases: list = field(default_factory=list)
    excluded: list = field(default_factory=list)
    truncated: bool = False
    limit = MAX_WORDS

    def __bool__(self):
        return bool(self.terms or self.phrases or self.excluded)

    @property
    def requires(self):
        """Whether the query requires words (not only excludes some): only then can the index yield its matches."""
        return bool(self.terms or self.phrases)

    @property
    def corrected(self):
        """The query with each unknown word replaced by its best correction, or "" when none was corrected."""
        fixes = {term.typed[0]: term.corrections[0] for term in self.terms if not term.exact and term.corrections}
        if not fixes:
            return ""
        return WORD.sub(lambda match: fixes.get(normalise(match.group()), match.group()), self.text)

    @property
    def verbatim(self):
        """The query with the corrected words quoted, so that searching it again corrects nothing."""
        typed = {term.typed[0] for term in self.terms if not term.exact and term.corrections}
        return WORD.sub(
            lambda match: f'"{match.group()}"' if normalise(match.group()) in typed else match.group(), self.text
        )

    @property
    def highlights(self):
        """The words to mark in results, each with whether it may be a prefix."""
        marked = {}
        for term in self.terms:
            for form in [term.typed, *term.alternatives]:
                for word in form:
                    marked[word] = marked.get(word, False) or (term.prefix and form is term.typed)
        for phrase in self.phrases:
            for word in phrase:
                marked.setdefault(word, False)
        return marked


def parse(q):
    """Cut a query into required words, quoted phrases and excluded words, at most MAX_WORDS in all."""
    text = (q or "").replace("\x00", " ")
    query = Query(text=text, truncated=len(WORD.findall(text)) > MAX_WORDS)
    plain, budget, typing = [], MAX_WORDS, False
    for match in CHUNK.finditer(text):
        minus, quoted, chunk = match.groups()
        phrase = chunk is None
        found = words(quoted if phrase else chunk)[:budget]
        if not found:
            continue
        budget -= len(found)
        if minus or (not phrase and chunk.startswith("-")):
            query.excluded.extend([tuple(found)] if phrase else [(word,) for word in found])
        elif phrase:
            query.phrases.append(tuple(found))
        else:
            plain.extend(found)
        # The last word is still being typed unless a space, a quote or punctuation closed it.
        typing = not phrase and not chunk.startswith("-") and match.end() == len(text) and text[-1].isalnum()
        if not budget:
            break
    query.terms = [Term(typed=(word,)) for word in dict.fromkeys(plain)]
    if typing and query.terms[-1].typed[0] == plain[-1]:
        query.terms[-1].prefix = True
    return query


class Lexicon:
    """The index's words and the synonyms, as of one search-state token."""

    def __init__(self, synonyms, vocabulary=(), stems=None):
        self.synonyms = {}
        for forms in synonyms:
            group = [tuple(words(form)) for form in forms]
            group = [form for form in group if form]
            for form in group:
                self.synonyms.setdefault(form, []).extend(other for other in group if other != form)
        self.counts = dict(vocabulary)
        # Each index word's stem ({} where the engine already counts a stem once in a rank, as PostgreSQL does).
        self.stems = stems or {}
        self._neighbours = None

    def repeated(self, term):
        """
        The term's alternatives whose stems the word as typed (if searched whole) or an earlier alternative
        already has: "reminders" beside "reminder". They find no other row, but FTS5's bm25 would count
        that stem once per phrase, and every read of the index and every row's rank would pay for each.
        """
        if not self.stems:
            return set()
        stemmed = [tuple(self.stems.get(word, word) for word in form) for form in term.alternatives]
        seen = set() if term.prefix or not term.searched_as_typed else {tuple(self.stems.get(w, w) for w in term.typed)}
        repeated = set()
        for form, key in zip(term.alternatives, stemmed, strict=True):
            if key in seen:
                repeated.add(form)
            seen.add(key)
        return repeated

    @property
    def neighbours(self):
        """Index words by every string left after deleting up to two letters, built on first use."""
        if self._neighbours is None:
            self._neighbours = {}
            for word in self.counts:
                for stem in {word[: len(word) - cut] for cut in range(ENDING + 1) if len(word) - cut >= 3}:
                    for deleted in deletions(stem, 2):
                        self._neighbours.setdefault(deleted, []).append(word)
        return self._neighbours

    def apply_synonyms(self, query):
        """Merge the words that spell a multi-word synonym, and give every term its synonyms."""
        merged, index = [], 0
        while index < len(query.terms):
            for size in (3, 2, 1):
                key = tuple(term.typed[0] for term in query.terms[index : index + size])
                if len(key) == size and (size == 1 or key in self.synonyms):
                    break
            term = query.terms[index] if size == 1 else Term(typed=key)
            term.prefix = term.prefix and size == 1
            term.synonyms = list(dict.fromkeys(self.synonyms.get(key, [])))
            merged.append(term)
            index += size
        query.terms = merged

    def candidates(self, word):
        """Index words that may lie within the allowed edits of word."""
        found = set()
        for deleted in deletions(word, allowed_edits(word)):
            found.update(self.neighbours.get(deleted, ()))
        return found


def rank_corrections(word, candidates):
    """
    Candidates within the allowed edits of word, either whole or but for an ending of up to
    ENDING letters; whole-word matches, then the nearest, then the most common come first.
    """
    limit = allowed_edits(word)
    scored = []
    for candidate, documents in candidates:
        if candidate == word:
            continue
        distance = edit_distance(word, candidate, limit)
        if distance > limit and 0 < len(candidate) - len(word) <= ENDING:
            distance = edit_distance(word, candidate[: len(word)], limit) + 0.5
        if distance < limit + 1:
            scored.append((distance, -documents, candidate))
    return [candidate for _, _, candidate in sorted(scored)[:MAX_CORRECTIONS]]


class Backend:
    """What differs between engines: the SQL around one parsed query."""

    lexicons = {}
    # Whether the names have an index of their own that the whole text's cannot stand in for: a names-only
    # match then always reads its name matches from it (all of them when fewer than the limit match).
    names_indexed_apart = False

    def __init__(self, connection):
        self.connection = connection

    def understand(self, query):
        """Add synonyms and corrections to a parsed query, and learn which words the index holds as typed."""
        correctable = [term for term in query.terms if term.correctable]
        key = (self.connection.alias, self.connection.settings_dict["NAME"])
        cached_token, lexicon = self.lexicons.get(key, (None, None))
        checks, params = self.checks(correctable)
        # One query per search: the synonyms and the vocabulary come along only when the token moved.
        fresh = "CASE WHEN token = %s THEN NULL ELSE ({}) END"
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(['token', *checks, fresh.format(self.synonyms), fresh.format(self.vocabulary)])}"
                " FROM activities_searchstate",
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
        known, nearby = found[: len(correctable)], found[len(correctable) :] or [None] * len(correctable)
        found = {term.typed: (exact, pool) for term, exact, pool in zip(correctable, known, nearby, strict=True)}
        lexicon.apply_synonyms(query)
        for term in query.terms:
            if term.typed in found:
                exact, pool = found[term.typed]
                word = term.typed[0]
                term.exact = bool(exact)
                if term.exact:
                    # A word the index holds is taken as meant: its neighbours (and their stems:
                    # "activated" shares "activ" with every "activity") would only add noise.
                    continue
                pool = lexicon.candidates(word) if pool is None else pool
                term.corrections = rank_corrections(word, [(other, lexicon.counts.get(other, 0)) for other in pool])
        for term in query.terms:
            term.repeated = lexicon.repeated(term)
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
        return queryset.extra(where=[f"NOT ({self.contains(table)})"], params=[self.excluded(query)])

    def clauses(self, query, name_only=False):
        """One match expression per typed word (with its synonyms and corrections) and per quoted phrase."""
        form = self.name_form if name_only else self.form
        return [
            self.any_of(
                [
                    *([form(term.typed, term.prefix)] if term.searched_as_typed else []),
                    *(form(alt) for alt in term.searched_alternatives),
                ]
            )
            for term in query.terms
        ] + [form(phrase) for phrase in query.phrases]

    def name_form(self, form, prefix=False):
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

    def bounded(self, queryset, query, name_only=False):
        """
        The query's matches, unranked, read from the index so that a LIMIT stops the reading early.
        Its SQL names the outer table, so it is compiled on its own and embedded as text, never as a subquery.
        """
        expression = self.expression(query, name_only)
        if expression is None:
            return self.narrow(queryset, query)
        return self.reading(queryset, queryset.model._meta.db_table, expression)

    def narrow(self, queryset, query):
        """The query's matches, unranked, in SQL that names no outer table, so it also works inside a subquery."""
        clauses = self.clauses(query)
        if clauses:
            queryset = queryset.filter(pk__in=RawSQL(self.ids_matching, [self.all_of(clauses)]))
        if query.excluded:
            queryset = queryset.exclude(pk__in=RawSQL(self.ids_matching, [self.excluded(query)]))
        return queryset

    def counts(self, queryset, query, limit):
        """
        Constant subqueries, (sql, params) each, run once wherever they appear: `matched`, how many rows
        match (up to limit + 1), and `by_name`, how many match by their names (up to limit).
        """
        (every, every_params), (named, named_params) = self.candidates(queryset, query, limit)
        return {
            "matched": (f"(SELECT COUNT(*) FROM ({every}) every_id)", every_params),
            "by_name": (f"(SELECT COUNT(*) FROM ({named}) named_id)", named_params),
        }

    def candidates(self, queryset, query, limit):
        """(sql, params) of the ids of the first limit + 1 matches, and of the first `limit` name matches."""
        return self.first(queryset, query, limit + 1), self.first(queryset, query, limit, name_only=True)

    def first(self, queryset, query, limit, name_only=False):
        """SQL and parameters for the ids of the first `limit` matches as the index yields them (no ranking)."""
        return self.bounded(queryset.order_by(), query, name_only).values("id")[:limit].query.sql_with_params()

    def filter(self, queryset, query, limit=None, known=None):
        """
        The queryset narrowed to the query's matches, ranked. With a limit, every match is ranked only
        while at most `limit` match. Past it, the work stops growing with the matches: when at least
        NAME_TIER rows have names that match, the list holds the first `limit` of those, ranked
        by their names (with the name weighted tenfold they would lead anyway); otherwise it ranks the
        first `limit` + 1 matches as the index yields them, with those name matches. `known`, the
        counts of Backend.counts when already fetched, lets the SQL skip what they decide.
        """
        table = queryset.model._meta.db_table
        clauses = self.clauses(query)
        order, counts = [], None
        if clauses:
            expression = self.all_of(clauses)
            argument, params, within, later = "%s", [expression], None, None
            if limit and known:
                argument, params, within = self.bound_by(known, queryset, query, limit, expression)
            elif limit:
                # Should the counts be fetched before the SQL is compiled, the SQL holds only what they call for.
                later = partial(self.bound_by, queryset=queryset, query=query, limit=limit, expression=expression)
                queryset, argument, params, within, counts = self.bound(queryset, query, limit, expression)

            # A word found as typed ranks its rows above those found only through its alternatives.
            tiers = [self.form(term.typed, term.prefix) for term in query.terms if term.alternatives and term.exact]
            queryset = self.matching(queryset, table, argument, params, within, counts, later)
            if tiers:
                exact = " + ".join(f"(CASE WHEN {self.contains(table)} THEN 1 ELSE 0 END)" for _ in tiers)
                queryset = queryset.extra(select={"search_exact": exact}, select_params=tiers)
                order.append("-search_exact")
            order.append("search_rank")
        queryset = self.without_excluded(queryset, table, query)
        queryset = queryset.order_by(*order, *queryset.model._meta.ordering)
        queryset.query.search_counts = counts
        return queryset

    def bound_by(self, known, queryset, query, limit, expression):
        """
        What bound() does, decided here by the counts already known: the SQL holds only what applies.
        Returns the match argument, its parameters, and the candidates (sql, params) it is restricted to, or None.
        """
        matched, by_name = known
        if matched <= limit:
            return "%s", [expression], None
        (every, every_params), (named, named_params) = self.candidates(queryset, query, limit)
        if by_name >= NAME_TIER:
            names = self.only_names(self.all_of(self.clauses(query, name_only=True)))
            return "%s", [names], (named, named_params) if by_name >= limit or self.names_indexed_apart else None
        union = f"SELECT named_ids.id FROM ({named}) named_ids UNION SELECT first_ids.id FROM ({every}) first_ids"
        return "%s", [expression], (union, [*named_params, *every_params])

    def bound(self, queryset, query, limit, expression):
        """
        Restrict the ranking to a bounded candidate set once more than `limit` rows match. Returns the
        queryset, the match argument (SQL choosing the whole expression or the names-only one) with its
        parameters, the candidates (sql, params) it is restricted to, and SQL counting the matches (up to
        limit + 1) and the name matches (up to limit).
        """
        (every, every_params), (named, named_params) = self.candidates(queryset, query, limit)
        counts = self.counts(queryset, query, limit)
        (matched, _), (by_name, _) = counts["matched"], counts["by_name"]
        # Every row carries the bounded count, so that a list of results tells whether it was capped.
        queryset = queryset.extra(select={"search_matched": matched}, select_params=every_params)
        # Under the limit the first limit + 1 matches are all of them, so this keeps every match.
        union = f"SELECT named_ids.id FROM ({named}) named_ids UNION SELECT first_ids.id FROM ({every}) first_ids"
        argument = f"CASE WHEN {matched} > %s AND {by_name} >= %s THEN %s ELSE %s END"
        names = self.only_names(self.all_of(self.clauses(query, name_only=True)))
        params = [*every_params, limit, *named_params, NAME_TIER, names, expression]
        return queryset, argument, params, (union, [*named_params, *every_params]), counts


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

    def __init__(self, sql, params, parent_alias=None, counts=None, later=None):
        self.sql, self.params, self.parent_alias = sql, tuple(params), parent_alias
        self.table_name = self.table_alias = self.alias
        # A bounded search's counts, once someone (the paginator) has fetched them, and how to
        # decide the SQL by them: then the SQL holds only what applies, as on the list page.
        self.counts, self.later = counts, later

    def join(self, query):
        """Join the matches to a query's base table."""
        self.parent_alias = query.get_initial_alias()
        query.alias_map[self.alias] = self
        query.alias_refcount[self.alias] = 1
        query.table_map.setdefault(self.alias, []).append(self.alias)

    def as_sql(self, compiler, connection):
        parent = compiler.quote_name(self.parent_alias)
        sql, params = self.sql, self.params
        if self.counts and self.later and "known" in self.counts:
            sql, params = self.later(self.counts["known"])
        shown = self.rows_needed(compiler.query)
        if shown:
            # Only rows ranked no worse than the n-th best can be among the first n, whatever breaks the
            # ties: the rest are dropped before they are joined, read and sorted (most of a capped search's
            # 1,000 candidates). The ranks are computed once (MATERIALIZED), then read twice.
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
        parent = change_map.get(self.parent_alias, self.parent_alias)
        return type(self)(self.sql, self.params, parent, self.counts, self.later)

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
    fts = "activities_activity_fts"
    ids_matching = f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s"

    synonyms = (
        "SELECT group_concat(term || char(31) || replace(equivalents, ',', char(31)), char(30)) FROM activities_synonym"
    )
    vocabulary = "SELECT group_concat(term || char(31) || doc, char(30)) FROM activities_activity_vocab"

    def checks(self, terms):
        return (
            [f"EXISTS (SELECT 1 FROM {self.fts} WHERE {self.fts} MATCH %s)" for _ in terms],
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

    first_in_index = f"SELECT rowid AS id FROM {fts} WHERE {fts} MATCH %s LIMIT %s"

    def first(self, queryset, query, limit, name_only=False):
        expression = self.expression(query, name_only)
        if expression is not None and not queryset.query.where:
            # Nothing else filters: the index alone yields the ids, without reading a row.
            return self.first_in_index, (expression, limit)
        return super().first(queryset, query, limit, name_only)

    def reading(self, queryset, table, expression):
        return queryset.extra(
            tables=[self.fts], where=[f"{self.fts}.rowid = {table}.id", f"{self.fts} MATCH %s"], params=[expression]
        )

    def contains(self, table):
        return f"{table}.id IN (SELECT rowid FROM {self.fts} WHERE {self.fts} MATCH %s)"

    def matching(self, queryset, table, argument, params, within=None, counts=None, later=None):
        queryset = queryset.all()
        sql, params = self.ranked(argument, params, within)
        decide = later and (lambda known: self.ranked(*later(known)))
        RankedMatches(sql, params, counts=counts, later=decide).join(queryset.query)
        return queryset.extra(select={"search_rank": f"{RankedMatches.alias}.rank"})

    def ranked(self, argument, params, within=None):
        """SQL and parameters for the matching rowids with their ranks, among the candidates `within` when given."""
        rank = f"bm25({self.fts}, {NAME_WEIGHT}, 1.0)"
        ranked = f"SELECT rowid AS id, {rank} AS rank FROM {self.fts} WHERE {self.fts} MATCH"
        if within and within[0] == self.first_in_index:
            # The candidates are the index's first n matches of the same words (with any excluded
            # words left out already; they would add nothing to a rank): read them once, ranked.
            return f"{ranked} %s LIMIT %s", list(within[1])
        if within:
            # A unary plus keeps the planner from driving the search by the id list: FTS5 would then
            # run the whole match once per listed id. The index drives, and each of its rows checks the list.
            return f"{ranked} {argument} AND +rowid IN ({within[0]})", [*params, *within[1]]
        return f"{ranked} {argument}", params


class PostgreSQL(Backend):
    # The whole text's GIN index cannot tell a name's words (weight A) apart: a broad prefix rechecked 14,000 rows.
    names_indexed_apart = True
    # ts_rank weights for D, C, B (definition) and A (name), at most 1 each: the name counts ten times.
    weights = "{0.01, 0.01, 0.1, 1.0}"
    nearest = 24
    ids_matching = "SELECT id FROM activities_activity WHERE search_vector @@ to_tsquery('english', %s)"

    synonyms = (
        "SELECT string_agg(term || chr(31) || replace(equivalents, ',', chr(31)), chr(30)) FROM activities_synonym"
    )
    vocabulary = "SELECT string_agg(word || chr(31) || documents, chr(30)) FROM activities_searchword"

    def checks(self, terms):
        # A stop word ("about", "there") has no lexeme: it counts as known and is never corrected. A single
        # word is looked up among the vocabulary's lexemes: asked of the activities, a prefix that matches
        # nothing made the planner read every row. Only a phrase needs the activities themselves.
        known = [
            "numnode(to_tsquery('english', %s)) = 0 OR EXISTS (SELECT 1 FROM "
            + (
                "activities_searchword WHERE lexemes"
                if len(term.typed) == 1
                else "activities_activity WHERE search_vector"
            )
            + " @@ to_tsquery('english', %s))"
            for term in terms
        ]
        # pg_trgm's distance operator walks the GiST index to each word's nearest spellings.
        nearby = ["ARRAY(SELECT word FROM activities_searchword ORDER BY word <-> %s LIMIT %s)" for _ in terms]
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

    def bounded(self, queryset, query, name_only=False):
        if not (name_only and self.clauses(query)):
            return super().bounded(queryset, query, name_only)
        # The names' own tsvector and index: the whole text's index cannot tell a name's words (weight A) apart.
        table = queryset.model._meta.db_table
        queryset = queryset.extra(
            where=[f"{table}.search_name @@ to_tsquery('english', %s)"], params=[self.all_of(self.clauses(query))]
        )
        queryset = self.without_excluded(queryset, table, query)
        return queryset

    def reading(self, queryset, table, expression):
        return queryset.extra(where=[self.contains(table)], params=[expression])

    def matching(self, queryset, table, argument, params, within=None, counts=None, later=None):
        vector = f"{table}.search_vector"
        match = Decided(f"{vector} @@ to_tsquery('english', QUERY)", argument, params, within, counts, later, table)
        rank = Decided(f"-ts_rank('{self.weights}', {vector}, to_tsquery('english', QUERY))", argument, params)
        return queryset.annotate(search_rank=rank.decided_by(match)).filter(match)


class Decided(Expression):
    """
    A PostgreSQL match (or its rank) whose SQL is chosen when it is compiled. Once the paginator has
    fetched a bounded search's counts, it holds only the match they call for. Until then it holds a CASE
    over those counts, which PostgreSQL cannot plan an index scan for: at 100,000 rows it reads every row.
    """

    def __init__(self, template, argument, params, within=None, counts=None, later=None, table=None):
        super().__init__(output_field=BooleanField() if table else FloatField())
        self.template, self.argument, self.params = template, argument, list(params)
        self.within, self.counts, self.later, self.table = within, counts, later, table
        self.match = self

    def decided_by(self, match):
        """This rank, deciding its SQL as `match` does."""
        self.match = match
        return self

    def decide(self):
        """The match argument, its parameters and the candidates it is restricted to, or None."""
        if self.counts and self.later and "known" in self.counts:
            return self.later(self.counts["known"])
        return self.argument, self.params, self.within

    def as_sql(self, compiler, connection):
        argument, params, within = self.match.decide()
        sql = self.template.replace("QUERY", argument)
        if self.table and within:
            sql, params = f"{self.table}.id IN ({within[0]}) AND {sql}", [*within[1], *params]
        return f"({sql})", params


BACKENDS = {"sqlite": SQLite, "postgresql": PostgreSQL}


def understand(q, using="default"):
    """Parse a query and resolve its synonyms and spelling against the database's index."""
    query = q if isinstance(q, Query) else parse(q)
    if query and not getattr(query, "understood", False):
        BACKENDS[connections[using].vendor](connections[using]).understand(query)
        query.understood = True
    return query


def search(queryset, q, limit=None, known=None):
    """
    Filter and rank a queryset of activities by a free-text query; an empty query changes nothing.
    With a limit, a query matching more than `limit` rows ranks a bounded set of candidates (see
    Backend.filter), and the queryset remembers the limit, so that its count can be shown as capped.
    `known` holds the (matched, by_name) counts of counts() when the caller has fetched them already.
    """
    query = understand(q, queryset.db)
    if not query:
        return queryset
    backend = BACKENDS[connections[queryset.db].vendor](connections[queryset.db])
    queryset = backend.filter(queryset, query, limit, known)
    queryset.query.search_limit = limit
    return queryset


def listed(matched, by_name, limit):
    """How many rows a bounded search lists, given its counts of matches (to limit + 1) and name matches (to limit)."""
    if matched <= limit:
        return matched
    return by_name if by_name >= NAME_TIER else limit


def counts(queryset, q, limit):
    """A bounded search's counts over a queryset, as Backend.counts gives them, or None without a search."""
    query = understand(q, queryset.db)
    if not query.requires:
        return None
    return BACKENDS[connections[queryset.db].vendor](connections[queryset.db]).counts(queryset, query, limit)


def first(queryset, q, limit):
    """
    The first `limit` matches of a query (with the queryset's other filters) as the index yields them,
    unranked: (sql, params) to embed as text, since the SQL names the outer table.
    """
    query = understand(q, queryset.db)
    backend = BACKENDS[connections[queryset.db].vendor](connections[queryset.db])
    if not query:
        return queryset.order_by().values("id")[:limit].query.sql_with_params()
    return backend.first(queryset, query, limit)


def narrow(queryset, q):
    """The activities matching a query, unranked; unlike search(), safe inside a subquery such as a facet count."""
    query = understand(q, queryset.db)
    if not query:
        return queryset
    return BACKENDS[connections[queryset.db].vendor](connections[queryset.db]).narrow(queryset, query)
