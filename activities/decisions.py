"""
The sync plan's decisions: for each activity and destination, sync, don't sync, or undecided, with a reason,
who decided and when.

"Synced to" (`Activity.destinations`) stays the store of the "sync" decisions, so every facet, badge, filter and
export that reads it keeps working, whatever path wrote it (a form, the bulk action, an import, a fixture).
A Decision row records the explicit decision and its reason; `decide()` writes the row and the link in one
transaction. Where the two disagree (a link added or removed by another path since), the link wins: the
effective decision is "sync" with a link, else the row's "don't sync", else undecided; a row's reason is shown
only while its decision is the effective one.
"""

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from activities.versioning import StaleEdit


class Choice(models.TextChoices):
    SYNC = "sync", "Sync"
    DONT = "dont", "Don't sync"
    UNDECIDED = "undecided", "Undecided"


class DecisionQuerySet(models.QuerySet):
    def standing(self):
        """Decisions still in force: a "sync" whose link exists, or a "don't sync" without one."""
        from activities.models import Activity

        linked = Exists(
            Activity.destinations.through.objects.filter(
                activity=OuterRef("activity"), destination=OuterRef("destination")
            )
        )
        return self.alias(linked=linked).filter(
            Q(decision=Choice.SYNC, linked=True) | Q(decision=Choice.DONT, linked=False)
        )


class Decision(models.Model):
    """What the team decided about syncing one activity to one destination, and why."""

    activity = models.ForeignKey("activities.Activity", on_delete=models.CASCADE, related_name="decisions")
    destination = models.ForeignKey("activities.Destination", on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(max_length=10, choices=Choice, default=Choice.UNDECIDED)
    reason = models.CharField(max_length=300, blank=True, help_text="Why, in a sentence.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Goes up by one with every change of this decision.")

    objects = DecisionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["destination__name", "activity__name"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "destination"], name="decision_unique_per_pair"),
            models.CheckConstraint(
                condition=Q(decision__in=["sync", "dont", "undecided"]), name="decision_choice_valid"
            ),
        ]

    def __str__(self):
        return f"{self.activity} → {self.destination}: {self.get_decision_display()}"


class StaleDecision(StaleEdit):
    """A decision made from a page that showed another state of that cell than the one stored now."""

    def __init__(self, activity, destination):
        self.instance = activity
        Exception.__init__(
            self,
            f"The decision for “{activity}” and {destination} was changed by someone else after you opened "
            "this page; nothing was saved. The page now shows the current decision.",
        )


def effective(linked, row):
    """The decision in force for a pair: "sync" with a link, else the row's "don't sync", else undecided."""
    if linked:
        return Choice.SYNC
    return Choice.DONT if row is not None and row.decision == Choice.DONT else Choice.UNDECIDED


def seen_token(linked, row):
    """What a page showed of one cell, posted back with a change so that a stale change is refused."""
    return f"{effective(linked, row)}.{row.version if row is not None else 0}"


def decide(activity, destination, choice, reason="", user=None, seen=None, many=None):
    """
    Make `choice` the decision for this activity and destination: the Decision row and the "synced to" link
    together, as one versioned edit of the activity (its version and "Last updated" go up, history records it
    with the reason). `seen` is the cell's token as the editor's page showed it: StaleDecision if it changed.
    """
    from activities.models import Activity

    choice = Choice(choice)
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        row = Decision.objects.select_for_update().filter(activity=activity, destination=destination).first()
        linked = activity.destinations.filter(pk=destination.pk).exists()
        if seen is not None and seen != seen_token(linked, row):
            raise StaleDecision(activity, destination)
        if row is None:
            row = Decision(activity=activity, destination=destination, version=0)
        row.decision, row.reason = choice, reason.strip()
        row.decided_by, row.decided_at = user, timezone.now()
        row.version += 1
        row._history_user = user
        row.save()
        others = activity.destinations.exclude(pk=destination.pk)
        wanted = [*others, destination] if choice == Choice.SYNC else list(others)
        said = f"{destination.name}: {choice.label}" + (f" ({row.reason})" if row.reason else "")
        activity._change_reason = f"{many}: {said}" if many else said
        activity._history_user = user
        activity.save_with_destinations(wanted)
    return row
