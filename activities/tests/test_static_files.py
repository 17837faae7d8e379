"""
Pages rendered as production renders them: whitenoise's strict manifest storage over files that
`collectstatic` collected (conftest.collected_static), served by whitenoise under their hashed names.
"""

import re

import pytest
from django.core.files.storage import storages
from django.template import Context, Template
from whitenoise.storage import CompressedManifestStaticFilesStorage

from activities.models import Activity, Catalog, Category, Destination, Relation, Synonym
from activities.tests.public_urls import EVERY_PUBLIC_URL

pytestmark = pytest.mark.django_db

HASHED = re.compile(r"\.[0-9a-f]{12}\.\w+$")
ADMIN_MODELS = (Activity, Category, Destination, Relation, Synonym, Catalog)


def static_references(html):
    return re.findall(r'(?:src|href)="(/static/[^"?#]+)', html)


def assert_served_under_hashed_names(client, response):
    assert response.status_code == 200
    references = static_references(response.content.decode())
    for reference in references:
        assert HASHED.search(reference), f"{reference} is not a manifest name"
        assert client.get(reference).status_code == 200, f"{reference} is not served"
    return references


def test_the_storage_is_the_strict_manifest(catalog):
    """A `{% static %}` name missing from the manifest is an error at once, as it is in production."""
    storage = storages["staticfiles"]
    assert isinstance(storage, CompressedManifestStaticFilesStorage)
    assert storage.manifest_strict
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        Template('{% load static %}{% static "css/no-such-file.css" %}').render(Context())


@pytest.mark.parametrize(
    "url", [url for url in EVERY_PUBLIC_URL if not url.endswith((".csv", ".json", "/schema/", "/healthz"))]
)
def test_public_pages_link_their_static_files_by_manifest_name(client, catalog, url):
    """Every public page renders, and each stylesheet, script and icon it links is served by its hashed name."""
    response = client.get(url, headers={"Accept": "text/html"})
    references = assert_served_under_hashed_names(client, response)
    assert references, f"{url} links no static file"


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda model: model._meta.model_name)
@pytest.mark.parametrize("page", ["add", "change"])
def test_admin_add_and_change_pages_link_their_static_files_by_manifest_name(staff_client, catalog, model, page):
    """The admin's add and change pages render, and every static file they link is served by its hashed name."""
    opts = model._meta
    url = f"/admin/{opts.app_label}/{opts.model_name}/"
    url += "add/" if page == "add" else f"{model.objects.order_by('pk').first().pk}/change/"
    references = assert_served_under_hashed_names(staff_client, staff_client.get(url))
    assert any(reference.endswith(".js") for reference in references)
