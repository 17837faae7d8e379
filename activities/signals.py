"""
Signal receivers that keep edits whole: a change of an activity's destinations, however it is made, is an
edit of that activity (a new version, a new "Last updated", a history entry with its reason).
"""

from django.db.models import F
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils import timezone

from activities.models import Activity, activity_history


@receiver(m2m_changed, sender=Activity.destinations.through)
def destinations_change_is_an_edit(sender, instance, action, reverse, pk_set, **kwargs):
    """
    A change of destinations made outside `save_with_destinations` (the shell, a script, the destination's
    side of the relation) is still an edit of each activity it touches: it raises their version and "Last
    updated", so no form opened before it can undo it, and history records each with a reason.
    """
    if hasattr(instance, "skip_history_when_saving") and not hasattr(instance, "_changing_activities"):
        return  # inside save_with_destinations, which records the edit itself
    if action in ("pre_add", "pre_remove", "pre_clear"):
        changed = changed_activity_ids(sender, instance, action, reverse, pk_set)
        # History is written below from each activity as stored, not from simple-history's copy in memory.
        instance.skip_history_when_saving = True
        instance._changing_activities = changed
        if changed:
            Activity.objects.filter(pk__in=changed).update(version=F("version") + 1, updated=timezone.now())
            if not reverse:
                instance.version += 1
    elif hasattr(instance, "_changing_activities"):
        changed = instance._changing_activities
        del instance.skip_history_when_saving, instance._changing_activities
        if reverse:
            verb = "added to" if action == "post_add" else "removed from"
            reason = f"{instance} {verb} its destinations"
        else:
            reason = getattr(instance, "_change_reason", None) or "Destinations changed"
        for activity in Activity.objects.filter(pk__in=changed):
            activity._change_reason = reason
            activity._history_user = getattr(instance, "_history_user", None)
            activity_history.create_historical_record(activity, "~")


def changed_activity_ids(links, instance, action, reverse, pk_set):
    """The activities whose destinations this add, remove or clear really changes."""
    if action == "pre_add":
        # Django has already left out the links that exist: these are all new.
        return set(pk_set) if reverse else ({instance.pk} if pk_set else set())
    links = links.objects.filter(**{"destination" if reverse else "activity": instance})
    if pk_set is not None:
        links = links.filter(**{"activity__in" if reverse else "destination__in": pk_set})
    return set(links.values_list("activity_id", flat=True))
