import io
import time

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client, override_settings

from activities.models import Activity, Category
from activities.search.misses import pending
from activities.tests.helpers import grow_catalog


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """`collectstatic` into a fresh folder, once per test process: the files and manifest production serves."""
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(STATIC_ROOT=root):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture(autouse=True)
def production_static_storage(settings, collected_static):
    """
    Pages resolve `{% static %}` through the settings' own storage (whitenoise's strict manifest) and the
    collected files: a name missing from the manifest fails the test that renders it, not a deployment.
    """
    settings.STATIC_ROOT = collected_static


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests sign in many times; the production hasher's deliberate slowness buys them nothing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_page_cache():
    """
    Each test starts with no rendered page kept: a rolled-back test database can repeat a catalog version
    that an earlier test saw with other data.
    """
    caches["pages"].clear()


@pytest.fixture(autouse=True)
def empty_search_log_buffer():
    """
    Each test starts with no search misses gathered: misses an earlier test left in the process would be
    written during a later one, adding its queries to that test's count.
    """
    pending.counts, pending.written = {}, time.monotonic()


@pytest.fixture(autouse=True)
def consistent_search_vocabulary(request):
    """
    A transactional test starts from a search index rebuilt from what the tables hold: the flush that ends
    the previous one empties the tables with TRUNCATE on PostgreSQL, which row triggers never see.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = {"transactional_db", "live_server"} & set(request.fixturenames)
    if transactional or (marker is not None and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
        call_command("rebuild_search_index", stdout=io.StringIO())


@pytest.fixture
def catalog(db):
    """The committed catalog, loaded the way `make run` loads it."""
    call_command("load_catalog", verbosity=0)
    return Category.objects.all()


@pytest.fixture
def many_activities(catalog):
    """The catalog grown to 2,000 activities."""
    grow_catalog()
    assert Activity.objects.count() == 2000


@pytest.fixture
def client():
    """A visitor's browser: like a real one, it must send the CSRF token with every form it posts."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def staff_client(django_user_model):
    """An editor signed in to a browser session that must send the CSRF token, as a browser does."""
    # force_login needs no password, and hashing one costs about a second per test on a busy machine.
    user = django_user_model.objects.create_superuser("editor", "editor@example.com", None)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


@pytest.fixture
def editor(staff_client):
    """The editor whose day a test follows: conftest's staff client, by the name the tests use."""
    return staff_client
