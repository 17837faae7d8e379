"""
Reading a query the way people type it, with no database: the words should all match, the last word also
as a prefix while it is being typed, "quoted words" as a phrase, -words are excluded and +words are
required (never dropped when no activity matches every word). Stop words are ignored unless the query
holds nothing else or quotes them. Query text never reaches SQL as syntax: it is cut into letters-and-digits
words first.
"""

import re
import unicodedata
from dataclasses import dataclass, field, replace

WORD = re.compile(r"[^\W_]+")
# A "phrase" (closed or not), or a run of non-space characters; either may start with a minus or a plus.
CHUNK = re.compile(r'([-+]?)"([^"]*)"?|(\S+)')
MAX_WORDS = 12
# Words that carry no meaning of their own in a marketer's question ("when a contact opens the email").
STOP_WORDS_TEXT = """
a an the is are was were be been being am when what which who whom how why where of to for on at by with
in into from about via and or if then than this that these those it its do does did has have had i me my we
our you your
"""
STOP_WORDS = frozenset(STOP_WORDS_TEXT.split())
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
    # Typed with a plus: kept when no activity matches every word.
    required: bool = False
    # About how many activities hold it (Lexicon.commonness): the most common words are dropped first.
    commonness: int = 0
    # Alternatives the index reduces to the same stems as the word or an earlier alternative (Lexicon.repeated).
    repeated: set = field(default_factory=set)

    @property
    def correctable(self):
        return len(self.typed) == 1 and allowed_edits(self.typed[0]) > 0

    @property
    def text(self):
        return " ".join(self.typed)

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
    # The words and phrases left out because no activity matched them all (search.partial).
    dropped_terms: list = field(default_factory=list)
    dropped_phrases: list = field(default_factory=list)
    # Phrases typed with a plus: kept when no activity matches every word.
    required_phrases: list = field(default_factory=list)
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
    def dropped(self):
        """The words left out (as typed), when no activity matched them all."""
        return [term.text for term in self.dropped_terms] + [" ".join(phrase) for phrase in self.dropped_phrases]

    @property
    def used(self):
        """The words searched for (as typed): every word, or those left once some were dropped."""
        return [term.text for term in self.terms] + [" ".join(phrase) for phrase in self.phrases]

    @property
    def kept_text(self):
        """The words searched for, as one text for a message."""
        return " ".join(self.used)

    @property
    def every_word(self):
        """The query with every word and phrase marked as required, to search for all of them again."""
        parts = [f"+{term.text}" if len(term.typed) == 1 else f'+"{term.text}"' for term in self.terms]
        parts += [f"+{term.text}" if len(term.typed) == 1 else f'+"{term.text}"' for term in self.dropped_terms]
        parts += [f'+"{" ".join(phrase)}"' for phrase in [*self.phrases, *self.dropped_phrases]]
        parts += [f'-"{" ".join(form)}"' if len(form) > 1 else f"-{form[0]}" for form in self.excluded]
        return " ".join(parts)

    def summary(self):
        """What the API says of the query: the words used, those dropped and those corrected."""
        return {"used": self.used, "dropped": self.dropped, "corrected": self.corrections}

    @property
    def corrections(self):
        """Each corrected word (as typed) and the word it was read as."""
        return {term.typed[0]: term.corrections[0] for term in self.all_terms if not term.exact and term.corrections}

    @property
    def all_terms(self):
        return [*self.terms, *self.dropped_terms]

    def keeping(self, terms, phrases):
        """A copy of the query that searches only for `terms` and `phrases`, the others dropped."""
        return replace(
            self,
            terms=list(terms),
            phrases=list(phrases),
            dropped_terms=[term for term in self.terms if term not in terms],
            dropped_phrases=[phrase for phrase in self.phrases if phrase not in phrases],
        )

    @property
    def corrected(self):
        """The query with each unknown word replaced by its best correction, or "" when none was corrected."""
        fixes = self.corrections
        if not fixes:
            return ""
        return WORD.sub(lambda match: fixes.get(normalise(match.group()), match.group()), self.text)

    @property
    def verbatim(self):
        """The query with the corrected words quoted, so that searching it again corrects nothing."""
        typed = set(self.corrections)
        return WORD.sub(
            lambda match: f'"{match.group()}"' if normalise(match.group()) in typed else match.group(), self.text
        )

    @property
    def highlights(self):
        """
        The words to mark in results, each with whether it may be a prefix. A multi-word alternative ("e mail"
        for email) is left out: it matches only as a phrase, and its words alone ("mail") would mark noise.
        """
        marked = {}
        for term in self.terms:
            for form in [term.typed, *(form for form in term.alternatives if len(form) == 1)]:
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
    plain, required, budget, typing = [], set(), MAX_WORDS, False
    for match in CHUNK.finditer(text):
        sign, quoted, chunk = match.groups()
        phrase = chunk is None
        if not phrase and chunk[0] in "-+":
            sign = chunk[0]
        found = words(quoted if phrase else chunk)[:budget]
        if not found:
            continue
        budget -= len(found)
        if sign == "-":
            query.excluded.extend([tuple(found)] if phrase else [(word,) for word in found])
        elif phrase:
            query.phrases.append(tuple(found))
            if sign == "+":
                query.required_phrases.append(tuple(found))
        else:
            plain.extend(found)
            if sign == "+":
                required.update(found)
        # The last word is still being typed unless a space, a quote or punctuation closed it.
        typing = not phrase and not sign and match.end() == len(text) and text[-1].isalnum()
        if not budget:
            break
    query.terms = [Term(typed=(word,), required=word in required) for word in dict.fromkeys(plain)]
    if typing and query.terms[-1].typed[0] == plain[-1]:
        query.terms[-1].prefix = True
    return query


def without_stop_words(query):
    """
    The query without its unquoted stop words, unless they are all it has. Run after multi-word synonyms are
    merged, so that a synonym's own small words ("opt out") stay.
    """
    kept = [term for term in query.terms if len(term.typed) > 1 or term.typed[0] not in STOP_WORDS or term.required]
    if kept or query.phrases:
        query.terms = kept
    return query
