"""Page URLs by slug, reversed once per slug: a list page links each row, its category and its badges."""

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse


def slug_url(viewname, slug):
    """The URL of the page `viewname` names for this slug, as `reverse()` gives it."""
    return _reversed(viewname, slug, get_script_prefix())


# reverse() depends only on the URLconf and the script prefix, so the prefix is part of the key.
@lru_cache(maxsize=65536)
def _reversed(viewname, slug, script_prefix):
    return reverse(viewname, args=[slug])


@receiver(setting_changed)
def forget_urls(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _reversed.cache_clear()
