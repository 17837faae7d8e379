"""
Helpers for the tags that draw many elements in one call, where template variables for each element
would dominate a page's rendering: diagrams' shapes, list rows, badges.
"""

from html import escape

from django.utils.safestring import SafeData, SafeString


def read(item, name):
    """`item.name` as a template reads it: a dict's key or an attribute, called if it is a method."""
    value = item[name] if isinstance(item, dict) else getattr(item, name)
    return value() if callable(value) else value


def escaped(value):
    """
    The value as HTML text, escaped unless already safe, as Django's conditional_escape does (names and
    definitions are data, never HTML), but with the standard library's escape, which Django's wraps,
    and without its check for lazy strings, which these values never are.
    """
    return value if isinstance(value, SafeData) else SafeString(escape(str(value)))


def html(form, *values):
    """The format string filled with the values, each escaped unless already safe."""
    return SafeString(form.format(*map(escaped, values)))


def joined(separator, pieces):
    """Safe pieces (from `html` or `escaped`) joined into one safe string."""
    return SafeString(separator.join(pieces))
