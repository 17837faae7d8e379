"""Saving many versioned rows at once (activities/versioning.py `save_all`), as the admin's import does."""

import pytest
from django.db import transaction

from activities.models import Activity
from activities.versioning import StaleEdit, save_all

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog")]


def test_a_row_saved_since_it_was_read_refuses_the_whole_save():
    """When another save came between the read and the bulk save, it is refused, naming that row; nothing changes."""
    read = list(Activity.objects.filter(slug__in=["sent-email", "sent-sms"]).order_by("slug"))
    theirs = Activity.objects.get(slug="sent-sms")
    theirs.definition = "Saved by someone else."
    theirs.save()
    for activity in read:
        activity.definition = "Saved in bulk."
    refused = f"“{theirs.name}” was changed by someone else after version 1"
    with pytest.raises(StaleEdit, match=refused), transaction.atomic():
        save_all(read, adding=False)
    assert dict(Activity.objects.filter(slug__in=["sent-email", "sent-sms"]).values_list("slug", "version")) == {
        "sent-email": 1,
        "sent-sms": 2,
    }
    assert Activity.objects.get(slug="sent-sms").definition == "Saved by someone else."
    assert not Activity.objects.filter(definition="Saved in bulk.").exists()


def test_saved_rows_go_one_version_up_each_with_its_history_entry():
    """Each row goes up by one version, with a new "Last updated" and one history entry that records that version."""
    read = list(Activity.objects.filter(slug__in=["sent-email", "sent-sms"]).order_by("slug"))
    updated_before = {activity.pk: activity.updated for activity in read}
    for activity in read:
        activity.definition = "Saved in bulk."
        activity._change_reason = "A bulk edit"
    entries = save_all(read, adding=False)
    for activity, entry in zip(Activity.objects.filter(pk__in=updated_before).order_by("slug"), entries, strict=True):
        assert (activity.version, activity.definition) == (2, "Saved in bulk.")
        assert activity.updated > updated_before[activity.pk]
        assert activity.history.first() == entry
        assert (entry.history_type, entry.row_version, entry.history_change_reason) == ("~", 2, "A bulk edit")
