"""
Reading a query the way people type it, with no database: every word must match, the last word also
as a prefix while it is being typed, "quoted words" as a phrase, and -words are excluded. Query text
never reaches SQL as syntax: it is cut into letters-and-digits words first.
"""

import re
import unicodedata
from dataclasses import dataclass, field

WORD = re.compile(r"[^\W_]+")
# A "phrase" (closed or not), or a run of non-space characters; either may start with a minus.
CHUNK = re.compile(r'(-?)"([^"]*)"?|(\S+)')
MAX_WORDS = 12
# Longer "words" are pasted noise, not typing: they are matched as they are, never corrected.
LONGEST_WORD = 40


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
    # Whether its synonyms and spelling have been resolved against the index (search.understand).
    understood: bool = False
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
