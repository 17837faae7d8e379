"""
The ranking tiers both engines apply before their own rank (bm25, ts_rank): an activity that matches more of
the query's words comes first (once partial matching dropped some, those it still holds count); then, word by
word, one that holds the word exactly beats a prefix match, which beats a stem match ("conversation" for
"conversion"), which beats a synonym, which beats a spelling correction. Only the activity's own text
(name, definition) earns a tier: a word found only in its category's name or description takes the lowest
tier the term can have, and the engine's rank, which weighs the category's text least, puts it last there.
Within a tier the engine's rank decides, where a name match outweighs a definition match.
"""

import operator
from functools import reduce

from django.db.models import Case, Value, When

EXACT, PREFIX, STEM, SYNONYM, CORRECTION = 4, 3, 2, 1, 0


def words_matched(backend, query):
    """How many of the dropped words and phrases an activity holds, or None when none was dropped."""
    dropped = [backend.clause(term) for term in query.dropped_terms]
    dropped += [backend.form(phrase) for phrase in query.dropped_phrases]
    if not dropped:
        return None
    return reduce(operator.add, [Case(When(backend.holding(form), then=1), default=0) for form in dropped])


def term_tier(backend, term):
    """
    The best tier in which an activity's own text holds one searched term, or None when every activity that
    matches it holds it in the same tier (then no condition is needed).
    """
    steps, own = [], backend.own_form
    if term.searched_as_typed:
        if len(term.typed) == 1:
            steps.append((backend.holding_word(term.typed[0]), EXACT))
            steps.append((backend.holding(own(term.typed, term.prefix)), PREFIX if term.prefix else STEM))
        else:
            steps.append((backend.holding(own(term.typed)), EXACT))
    synonyms = [form for form in term.synonyms if form in term.searched_alternatives]
    corrections = [(word,) for word in term.corrections if (word,) in term.searched_alternatives]
    if synonyms:
        steps.append((backend.holding(backend.any_of([own(form) for form in synonyms])), SYNONYM))
    if corrections:
        steps.append((None, CORRECTION))
    # Every matching activity holds the term in one of these ways, or only in its category's text, which ranks
    # last in the lowest tier: the last needs no condition.
    *conditions, (_, lowest) = steps
    if not conditions:
        return None
    return Case(*(When(condition, then=Value(tier)) for condition, tier in conditions), default=Value(lowest))


def tiers(backend, query):
    """The sum of the searched terms' tiers, or None when it would be the same for every activity."""
    found = [tier for tier in (term_tier(backend, term) for term in query.terms) if tier is not None]
    return reduce(operator.add, found) if found else None
