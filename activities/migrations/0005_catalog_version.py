from django.db import migrations, models
from django.utils import timezone

from activities import triggers

# Every table whose rows show on a public page. A later table gets its triggers from its own migration,
# with triggers.track("activities_newtable").
CATALOG_TABLES = ("activities_catalog", "activities_category", "activities_activity")


def first_version(apps, schema_editor):
    CatalogVersion = apps.get_model("activities", "CatalogVersion")
    CatalogVersion.objects.using(schema_editor.connection.alias).get_or_create(
        pk=triggers.ROW, defaults={"changes": 0, "changed": timezone.now()}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0004_sync_plan"),
    ]

    operations = [
        migrations.CreateModel(
            name="CatalogVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("changes", models.BigIntegerField(default=0)),
                ("changed", models.DateTimeField()),
            ],
        ),
        migrations.RunPython(first_version, migrations.RunPython.noop),
        triggers.track(*CATALOG_TABLES),
    ]
