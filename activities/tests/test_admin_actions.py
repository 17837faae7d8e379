"""The activity list's bulk actions, run from a searched or filtered list as an editor runs them."""

import re

import pytest
from django.utils.html import strip_tags

from activities.models import Activity, Category
from activities.tests.forms import messages_of, post_form, read_form, text_of
from activities.tests.helpers import CHANGELIST, run_action

pytestmark = pytest.mark.django_db


def kinds(slugs):
    return set(Activity.objects.filter(slug__in=slugs).values_list("kind", flat=True))


def test_an_action_on_a_searched_list_changes_the_ticked_results_only(staff_client, catalog):
    """Searching the list, ticking its results and setting their kind changes those, and the list stays searched."""
    done = run_action(staff_client, "set_kind_custom", ["bounced-email", "bounced-sms"], query={"q": "bounced"})
    assert done.redirect_chain == [(f"{CHANGELIST}?q=bounced", 302)]
    assert messages_of(done) == ["Kind set to custom: 2 activities."]
    assert [activity.name for activity in done.context["cl"].result_list] == ["Bounced email", "Bounced SMS"]
    assert kinds(["bounced-email", "bounced-sms"]) == {"custom"}
    assert Activity.objects.filter(kind="custom").count() == 2


def test_a_search_offers_only_its_results_to_tick(staff_client, catalog):
    """Rows outside the search are not on the page, so they cannot be ticked."""
    form = read_form(staff_client.get(CHANGELIST, {"q": "bounced"}), form_id="changelist-form")
    with pytest.raises(ValueError, match="offers no choice"):
        form.set("_selected_action", [Activity.objects.get(slug="sent-email").pk])


def test_select_all_acts_on_every_match_of_a_filtered_search(staff_client, many_activities):
    """
    On a filtered search longer than a page, "Select all N activities" acts on all N, on every page,
    and on nothing outside the filter.
    """
    email = Category.objects.get(slug="email")
    query = {"q": "synthetic", "category__id__exact": email.pk}
    matching = Activity.objects.filter(category=email, name__startswith="Synthetic")
    total = matching.count()
    page = staff_client.get(CHANGELIST, query)
    assert total > len(page.context["cl"].result_list) == 100
    assert f"Select all {total} activities" in text_of(page.content.decode())
    form = read_form(page, form_id="changelist-form")
    # What the admin's script does on "Select all N": tick the page's rows and mark the selection as across pages.
    form.set("_selected_action", sorted(form.checkable["_selected_action"]))
    form.set("select_across", "1")
    form.set("action", "set_kind_custom")
    done = post_form(staff_client, form, "index", follow=True)
    assert messages_of(done) == [f"Kind set to custom: {total} activities."]
    assert set(matching.values_list("kind", flat=True)) == {"custom"}
    assert Activity.objects.filter(kind="custom").count() == total


def test_moving_to_a_category_deleted_meanwhile_is_refused_on_the_form(staff_client, catalog):
    """
    When the chosen category is deleted by someone else before Move is clicked, the form says the choice is
    gone and moves nothing; choosing another category then moves them.
    """
    events = Category.objects.create(name="Events", slug="events", position=8)
    page = run_action(staff_client, "move_to_category", ["sent-email", "sent-sms"])
    form = read_form(page)
    form.set("category", events.pk)
    events.delete()
    refused = post_form(staff_client, form, "apply", follow=True)
    assert refused.status_code == 200
    assert "Select a valid choice" in text_of(refused.content.decode())
    assert set(
        Activity.objects.filter(slug__in=["sent-email", "sent-sms"]).values_list("category__slug", flat=True)
    ) == {
        "email",
        "sms",
    }
    retry = read_form(refused)
    retry.set("category", Category.objects.get(slug="talk").pk)
    done = post_form(staff_client, retry, "apply", follow=True)
    assert [strip_tags(message) for message in messages_of(done)] == ["Moved to Talk: 2 activities."]


def test_running_an_action_with_nothing_ticked_says_so(staff_client, catalog):
    """Clicking Run without ticking a row changes nothing and says that rows must be selected."""
    form = read_form(staff_client.get(CHANGELIST), form_id="changelist-form")
    form.set("action", "set_kind_custom")
    done = post_form(staff_client, form, "index", follow=True)
    assert any(re.search(r"Items must be selected", message) for message in messages_of(done))
    assert not Activity.objects.filter(kind="custom").exists()
