import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("activities", "0014_history_imported_articles")]
AFTER = [("activities", "0015_plan_decisions")]


def test_a_ticked_destination_becomes_sync_and_every_other_pair_undecided():
    """Migrating a catalog where one activity was ticked for Webhook: that pair is "sync", the rest undecided."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    category = old.get_model("activities", "Category").objects.create(name="Email", slug="email")
    Activity = old.get_model("activities", "Activity")
    Destination = old.get_model("activities", "Destination")
    sent = Activity.objects.create(name="Sent email", slug="sent-email", category=category, definition="Sent.")
    Activity.objects.create(name="Opened email", slug="opened-email", category=category, definition="Opened.")
    webhook = Destination.objects.create(name="Webhook", slug="webhook")
    Destination.objects.create(name="Salesforce", slug="salesforce")
    sent.destinations.add(webhook)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    decisions = new.get_model("activities", "Decision").objects.values_list(
        "activity__slug", "destination__slug", "decision"
    )
    assert list(decisions) == [("sent-email", "webhook", "sync")]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
