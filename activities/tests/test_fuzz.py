"""
Random query strings against every public URL: no input may make a page answer 500.

The "fuzz-ci" profile is derandomized, so CI runs the same 1,000 examples per URL each time and a
failure reproduces; FUZZ_PROFILE=fuzz-explore tries ten times as many fresh ones.
"""

import os
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities.tests.public_urls import EVERY_PUBLIC_URL, SERVICE_URLS

pytestmark = pytest.mark.django_db

QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile(
    "fuzz-ci", max_examples=1000, derandomize=True, database=None, deadline=None, suppress_health_check=QUIET
)
settings.register_profile("fuzz-explore", max_examples=10_000, deadline=None, suppress_health_check=QUIET)
FUZZ = settings.get_profile(os.environ.get("FUZZ_PROFILE", "fuzz-ci"))

KNOWN_KEYS = ("q", "category", "kind", "page", "format", "ordering", "limit", "offset", "cursor")


def escaped(text):
    return quote(text, safe="")


def raw_bytes(data):
    """Every byte percent-escaped, so most of these are not UTF-8 at all."""
    return "".join(f"%{byte:02X}" for byte in data)


keys = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=12).map(escaped), st.binary(max_size=6).map(raw_bytes))
values = st.one_of(
    st.sampled_from(("email", "sms", "system", "custom", "sent-email", "1", "2", "")),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(max_size=40).map(escaped),
    st.text(alphabet="\x00a ", max_size=8).map(escaped),
    st.integers(min_value=10_000, max_value=11_000).map(lambda length: "x" * length),
    st.binary(max_size=12).map(raw_bytes),
    st.text(alphabet="%&=+;#?", max_size=6),
)
query_strings = st.one_of(
    st.lists(st.tuples(keys, values).map("=".join), max_size=8).map("&".join),
    st.text(alphabet="abq=&%0Fzx+;", max_size=30),
)
extra_headers = st.fixed_dictionaries(
    {},
    optional={
        "HX-Request": st.sampled_from(("true", "false", "")),
        "If-None-Match": st.sampled_from(('"abc"', "*", "garbage", 'W/"x", "y"')),
        "If-Modified-Since": st.sampled_from(("Sat, 28 Nov 2026 05:00:00 GMT", "yesterday", "0")),
    },
)


@pytest.mark.parametrize("url", EVERY_PUBLIC_URL)
def test_random_query_strings_never_cause_a_server_error(catalog, url):
    """Huge numbers, NUL bytes, 10 KB values, repeated and unknown keys, invalid UTF-8: never a 500."""
    client = Client()
    # The schema, the docs and the health check read none of the catalog's filters, only a format or
    # language at most: a tenth of the examples covers them, and the schema costs a generation each.
    profile = settings(FUZZ, max_examples=FUZZ.max_examples // 10) if url in SERVICE_URLS else FUZZ

    @profile
    @given(query=query_strings, headers=extra_headers)
    def check(query, headers):
        response = client.get(f"{url}?{query}", headers=headers)
        assert response.status_code < 500, (url, query, headers)

    check()
