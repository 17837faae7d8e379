import pytest
from django.urls import reverse, set_script_prefix

from activities.models import Activity, Category, Destination

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("model", "slug", "viewname"),
    [
        (Activity, "opened-email", "activities:activity_detail"),
        (Category, "email", "activities:category_detail"),
        (Destination, "webhook", "activities:destination_detail"),
    ],
)
def test_page_links_follow_the_prefix_the_site_is_mounted_under(catalog, model, slug, viewname):
    """Links are what reverse() gives, also when a deployment mounts the site under a path after links were made."""
    instance = model.objects.get(slug=slug)
    assert instance.get_absolute_url() == reverse(viewname, args=[slug])
    set_script_prefix("/explorer/")
    try:
        assert instance.get_absolute_url() == reverse(viewname, args=[slug])
        assert instance.get_absolute_url().startswith("/explorer/")
    finally:
        set_script_prefix("/")
    assert not instance.get_absolute_url().startswith("/explorer/")
