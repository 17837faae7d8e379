from django.db import migrations

from activities import triggers

# The tables added alongside the catalog version: synonyms and the sync plan change what pages show,
# and history changes what the admin shows.
NEW_TABLES = (
    "activities_synonym",
    "activities_destination",
    "activities_relation",
    "activities_activity_destinations",
    "activities_historicalcategory",
    "activities_historicalactivity",
    "activities_historicalactivity_destinations",
)


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0006_destination_history"),
    ]

    operations = [triggers.track(*NEW_TABLES)]
