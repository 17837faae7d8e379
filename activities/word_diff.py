"""
Word-level differences between two texts, as the changes page, the feeds, the admin's history and revert
pages and the drift report all show them: a one-word edit in a long definition stands out.
"""

import difflib
import re
from dataclasses import dataclass

# Words with the spaces after them: a change is shown word by word, and spacing never counts as one.
WORD = re.compile(r"\S+\s*")


@dataclass(frozen=True)
class Part:
    """A run of text the two versions share (`same`), or that only the old (`removed`) or new (`added`) has."""

    kind: str
    text: str


def word_diff(before, after):
    """The parts that turn `before` into `after`, in reading order; removed words come before added ones."""
    old, new = WORD.findall(before or ""), WORD.findall(after or "")
    words = [word.strip() for word in old], [word.strip() for word in new]
    matcher = difflib.SequenceMatcher(a=words[0], b=words[1], autojunk=False)
    parts = []
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if operation == "equal":
            parts.append(Part("same", "".join(new[new_start:new_end])))
            continue
        if old_start != old_end:
            parts.append(Part("removed", "".join(old[old_start:old_end])))
        if new_start != new_end:
            parts.append(Part("added", "".join(new[new_start:new_end])))
    return parts
