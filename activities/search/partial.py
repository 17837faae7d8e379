"""
Partial matching: when no activity matches every word of a query, the search drops words until something
matches, so that a query never answers nothing while one of its words (corrected, through a synonym or as a
prefix) finds an activity. Words that match nothing go first, then the most common ones; words typed with a
plus stay. The database tries the candidate queries in order and keeps the first that matches (backends).
"""

# A query of more words than this tries the single words alone only after dropping them one by one.
MAX_CANDIDATES = 24


def fallbacks(query):
    """
    The queries to try, in order: the whole query; then, one at a time, without its words that match nothing,
    then without its most common word, down to its rarest word; then each other word on its own (a filter may
    leave the rarest word nothing to match while another still matches). One query for a single word.
    """
    terms = [term for term in query.terms if not term.required]
    phrases = [phrase for phrase in query.phrases if phrase not in query.required_phrases]
    if len(query.terms) + len(query.phrases) < 2 or not (terms or phrases):
        return [query]
    # Phrases are the user's own insistence on words together: dropped last, the rarest kept longest.
    order = sorted(terms, key=lambda term: (matches_something(term), -term.commonness))
    steps, kept_terms, kept_phrases = [query], list(query.terms), list(query.phrases)
    for term in order:
        kept_terms = [kept for kept in kept_terms if kept is not term]
        if kept_terms or kept_phrases:
            steps.append(query.keeping(kept_terms, kept_phrases))
    for phrase in phrases[:-1]:
        kept_phrases = [kept for kept in kept_phrases if kept != phrase]
        steps.append(query.keeping(kept_terms, kept_phrases))
    required = [term for term in query.terms if term.required]
    required_phrases = [phrase for phrase in query.phrases if phrase in query.required_phrases]
    for term in order[::-1]:
        steps.append(query.keeping([*required, term], required_phrases))
    for phrase in phrases:
        steps.append(query.keeping(required, [*required_phrases, phrase]))
    unique, seen = [], set()
    for step in steps:
        key = (tuple(term.typed for term in step.terms), tuple(step.phrases))
        if key in seen or not (step.terms or step.phrases):
            continue
        seen.add(key)
        # A fallback whose words each match nothing cannot match: asking the database would only cost a scan
        # (PostgreSQL reads every row to find no first match). The whole query stays first whatever it holds.
        if unique and not step.phrases and not any(matches_something(term) for term in step.terms):
            continue
        unique.append(step)
    return unique[:MAX_CANDIDATES]


def matches_something(term):
    """Whether the term may find an activity: the index holds it as typed, or it has synonyms or corrections."""
    return term.exact or bool(term.alternatives)
