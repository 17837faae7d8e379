"""
Spelling corrections and synonyms. A word of five letters or more that the index does not hold matches
the index's words one edit away (two from nine letters; swapping two neighbouring letters is one edit),
and every word matches its synonyms.
"""

from itertools import combinations

from activities.search.query import Term, allowed_edits, words

MAX_CORRECTIONS = 6
# Prefixes that turn a word into its opposite: a correction never adds or removes one (undelivered is not delivered).
NEGATIONS = ("un", "in", "im", "non", "dis")
# A correction may carry an ending of up to this many letters more (bounse finds bounces, bounced).
ENDING = 3


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
            # A phrase holding a word the catalog never uses cannot match ("e mail" for email): it would only
            # cost the search and move the ranks.
            term.synonyms = [
                form
                for form in dict.fromkeys(self.synonyms.get(key, []))
                if len(form) == 1 or all(word in self.counts for word in form)
            ]
            merged.append(term)
            index += size
        query.terms = merged

    def commonness(self, term):
        """About how many activities hold the term as typed (or words it begins, while typed) or its alternatives."""
        typed = term.typed[0] if len(term.typed) == 1 else None
        if typed is None:
            held = 0
        elif term.prefix:
            held = sum(count for word, count in self.counts.items() if word.startswith(typed))
        else:
            held = self.counts.get(typed, 0)
        return held + sum(self.counts.get(form[0], 0) for form in term.alternatives if len(form) == 1)

    def knows(self, word):
        """Whether a word is the catalog's own or a synonym's: such a word is taken as meant, never corrected."""
        return word in self.counts or (word,) in self.synonyms

    def candidates(self, word):
        """Index words that may lie within the allowed edits of word."""
        found = set()
        for deleted in deletions(word, allowed_edits(word)):
            found.update(self.neighbours.get(deleted, ()))
        return found


def negates(word, other):
    """Whether one word is the other with a negating prefix (unsubscribed and subscribed, disabled and enabled...)."""
    for prefix in NEGATIONS:
        for longer, shorter in ((word, other), (other, word)):
            if longer.startswith(prefix) and edit_distance(longer[len(prefix) :], shorter, 1) <= 1:
                return True
    return False


def rank_corrections(word, candidates):
    """
    Candidates within the allowed edits of word, either whole or but for an ending of up to
    ENDING letters; whole-word matches, then the nearest, then the most common come first.
    A candidate that only adds or removes a negating prefix is never offered: it would flip the meaning.
    """
    limit = allowed_edits(word)
    scored = []
    for candidate, documents in candidates:
        if candidate == word or negates(word, candidate):
            continue
        distance = edit_distance(word, candidate, limit)
        if distance > limit and 0 < len(candidate) - len(word) <= ENDING:
            distance = edit_distance(word, candidate[: len(word)], limit) + 0.5
        if distance < limit + 1:
            scored.append((distance, -documents, candidate))
    return [candidate for _, _, candidate in sorted(scored)[:MAX_CORRECTIONS]]
