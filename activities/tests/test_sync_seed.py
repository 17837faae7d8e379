import json

import pytest
from django.core.management import call_command

from activities.models import Activity, Destination, Relation

pytestmark = pytest.mark.django_db


def test_seed_keeps_edited_destinations_and_relations(catalog, capsys):
    """Running load_catalog again keeps renamed destinations and deleted relations as the editor left them."""
    Destination.objects.filter(slug="webhook").update(name="Webhook (staging)")
    Relation.objects.filter(from_activity__slug="sent-email").delete()
    count = Relation.objects.count()
    call_command("load_catalog")
    assert Destination.objects.get(slug="webhook").name == "Webhook (staging)"
    assert Relation.objects.count() == count
    assert "relations already exist; left as they are" in capsys.readouterr().out


def test_seed_adds_destinations_and_relations_to_an_existing_catalog(catalog):
    """A database loaded before destinations existed gets them, and the relations, on the next load."""
    Relation.objects.all().delete()
    Destination.objects.all().delete()
    call_command("load_catalog", verbosity=0)
    assert Destination.objects.count() == 2
    assert Relation.objects.filter(kind="follows", from_activity__slug="received-email").exists()


def test_seed_reports_relations_it_cannot_place(catalog, capsys):
    """A relation naming a since-renamed activity is reported; the catalog and destinations stay loaded."""
    Relation.objects.all().delete()
    Activity.objects.filter(slug="sent-email").update(slug="email-sent")
    call_command("load_catalog")
    captured = capsys.readouterr()
    assert "Could not load relations.json" in captured.err
    assert not Relation.objects.exists()
    assert Destination.objects.count() == 2


def test_seeded_relations_name_real_activities_once(settings):
    """Every seeded relation names two different activities of the catalog fixture, and no pair repeats."""
    fixtures = settings.FIXTURE_DIRS[0]
    slugs = {
        item["fields"]["slug"]
        for item in json.loads((fixtures / "catalog.json").read_text())
        if item["model"] == "activities.activity"
    }
    seen = set()
    for item in json.loads((fixtures / "relations.json").read_text()):
        (first,), (second,), kind = (
            item["fields"]["from_activity"],
            item["fields"]["to_activity"],
            item["fields"]["kind"],
        )
        assert {first, second} <= slugs
        assert first != second
        key = (frozenset((first, second)), kind)
        assert key not in seen
        seen.add(key)
