"""Cells that no spreadsheet runs as a formula, and their values back: for every export and import."""

# A spreadsheet runs a cell that starts with one of these as a formula; definitions are data, never code.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The guard a cell gets: spreadsheets show the text after it, and an import takes it off again.
GUARD = "'"


def needs_guard(text):
    """Whether a spreadsheet would run this text, or it would read as an already guarded cell."""
    return text.startswith(FORMULA_STARTS) or (text.startswith(GUARD) and needs_guard(text[1:]))


def as_text_cell(value):
    """The value as a cell no spreadsheet runs as a formula; `from_text_cell` gives the value back exactly."""
    text = "" if value is None else str(value)
    return GUARD + text if needs_guard(text) else text


def from_text_cell(text):
    """The value of a cell that `as_text_cell` wrote (any other text is returned as it is)."""
    return text[1:] if text.startswith(GUARD) and needs_guard(text[1:]) else text
