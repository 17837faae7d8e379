"""
The catalog's one search entry point, used by the FilterSet, the admin and the API.

Every word of the query must appear in the name or the definition, ignoring
case; activities whose name holds the words rank above those that only
mention them in the definition. Punctuation and quotes only separate words.
"""

import re

from django.db.models import Case, IntegerField, Q, Value, When

WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 12


def words(q):
    """The query's words, lower-cased and de-duplicated, at most MAX_WORDS of them."""
    return list(dict.fromkeys(word.lower() for word in WORD.findall(q or "")))[:MAX_WORDS]


def search(queryset, q):
    """Filter and rank a queryset of activities by a free-text query; an empty query changes nothing."""
    terms = words(q)
    if not terms:
        return queryset
    every_word = Q()
    in_name = Q()
    for term in terms:
        every_word &= Q(name__icontains=term) | Q(definition__icontains=term)
        in_name &= Q(name__icontains=term)
    any_in_name = Q()
    for term in terms:
        any_in_name |= Q(name__icontains=term)
    rank = Case(
        When(in_name, then=Value(2)),
        When(any_in_name, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return (
        queryset.filter(every_word).annotate(search_rank=rank).order_by("-search_rank", *queryset.model._meta.ordering)
    )
