import pytest
from django.core.cache import caches
from django.core.management import call_command

from activities.models import Activity, Category


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Tests render templates without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


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


@pytest.fixture
def catalog(db):
    """The committed catalog, loaded the way `make run` loads it."""
    call_command("load_catalog", verbosity=0)
    return Category.objects.all()


def grow_catalog(total=2000):
    """Add synthetic activities until the catalog holds `total`."""
    categories = list(Category.objects.all())
    Activity.objects.bulk_create(
        Activity(
            name=f"Synthetic activity {number}",
            slug=f"synthetic-activity-{number}",
            category=categories[number % len(categories)],
            definition=f"This activity is recorded when synthetic event {number} happens.",
            position=100 + number,
        )
        for number in range(total - Activity.objects.count())
    )


@pytest.fixture
def many_activities(catalog):
    """The catalog grown to 2,000 activities."""
    grow_catalog()
    assert Activity.objects.count() == 2000


@pytest.fixture
def staff_client(client, django_user_model):
    # force_login needs no password, and hashing one costs about a second per test on a busy machine.
    user = django_user_model.objects.create_superuser("editor", "editor@example.com", None)
    client.force_login(user)
    return client


def inline_management(response):
    """The relation inline's existing rows and management form, as the browser would post them."""
    data = {}
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.formset.forms:
            for name in form.fields:
                value = form[name].value()
                if value is not None:
                    data[form.add_prefix(name)] = value
    return data


def admin_change_data(client, url, **changes):
    """What the admin's change page at `url` posts when an editor changes only `changes`."""
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    return data | inline_management(page) | changes
