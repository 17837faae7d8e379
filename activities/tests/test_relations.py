import json
import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from activities import diagrams
from activities.models import Activity, Category, Relation
from activities.tests.forms import text_of

pytestmark = pytest.mark.django_db


def activity(slug):
    return Activity.objects.get(slug=slug)


def relate(from_slug, kind, to_slug):
    return Relation.objects.create(from_activity=activity(from_slug), kind=kind, to_activity=activity(to_slug))


def test_seeded_relations_follow_the_issue_examples(catalog):
    """The fixture seeds the examples: opposites, other-channel pairs and a lifecycle, each once."""
    pairs = set(Relation.objects.values_list("from_activity__slug", "kind", "to_activity__slug"))
    assert ("subscribed-to-email", "opposite", "unsubscribed-from-email") in pairs
    assert ("bounced-email", "other_channel", "bounced-sms") in pairs
    assert ("clicked-sms", "follows", "delivered-sms") in pairs
    # "cannot be sent": an invalid email never followed a sent one, so nothing says it did.
    assert not Relation.objects.filter(kind="follows", from_activity__slug="invalid-email").exists()


def test_symmetric_relation_shows_on_both_pages(client, catalog):
    """An opposite entered once, from one side, links each activity to the other."""
    Relation.objects.all().delete()
    relate("voice-call-started", "opposite", "voice-call-ended")
    started = client.get("/activities/voice-call-started/").content.decode()
    ended = client.get("/activities/voice-call-ended/").content.decode()
    assert '<dt>Opposite</dt><dd><a href="/activities/voice-call-ended/">Voice call ended</a></dd>' in started
    assert '<dt>Opposite</dt><dd><a href="/activities/voice-call-started/">Voice call started</a></dd>' in ended


def test_follows_reads_in_its_direction(client, catalog):
    """`follows` reads as "Follows" on the later activity and "Followed by" on the earlier one."""
    Relation.objects.all().delete()
    relate("opened-email", "follows", "received-email")
    relate("clicked-email", "follows", "opened-email")
    opened = client.get("/activities/opened-email/").content.decode()
    assert '<dt>Follows</dt><dd><a href="/activities/received-email/">Received email</a></dd>' in opened
    assert '<dt>Followed by</dt><dd><a href="/activities/clicked-email/">Clicked email</a></dd>' in opened
    assert "No related activity recorded yet." in client.get("/activities/attributed/").content.decode()


def test_self_relation_is_refused_by_validation_and_database(catalog):
    """A relation from an activity to itself fails validation with a clear message, and the database refuses it."""
    relation = Relation(from_activity=activity("tag-added"), kind="opposite", to_activity=activity("tag-added"))
    with pytest.raises(ValidationError, match="cannot be related to itself"):
        relation.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        relation.save()


@pytest.mark.parametrize(
    ("from_slug", "kind", "to_slug"),
    [
        ("tag-added", "opposite", "tag-removed"),
        ("tag-removed", "opposite", "tag-added"),
        ("sent-sms", "other_channel", "sent-email"),
        ("sent-email", "follows", "received-email"),
    ],
)
def test_duplicates_are_refused_whichever_way_round(catalog, from_slug, kind, to_slug):
    """A relation that repeats a seeded one, even reversed, fails validation and the database refuses it."""
    relation = Relation(from_activity=activity(from_slug), kind=kind, to_activity=activity(to_slug))
    with pytest.raises(ValidationError, match="already have a relation of this kind"):
        relation.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        relation.save()


def test_a_pair_may_have_relations_of_different_kinds(catalog):
    """Left journey is both the opposite of Started journey and what follows it."""
    relations = Relation.objects.filter(from_activity__slug="left-journey", to_activity__slug="started-journey")
    assert {relation.kind for relation in relations} == {"follows"}
    assert Relation.objects.filter(
        from_activity__slug="started-journey", to_activity__slug="left-journey"
    ).get().kind == ("opposite")


def node_positions(html_or_lifecycle):
    return {node.activity.slug: (node.column, node.row) for node in html_or_lifecycle.nodes}


def test_email_lifecycle_is_laid_out_from_follows(client, catalog):
    """The Email page draws Sent → Received → Opened → Clicked, with failures branching off Sent, every node a link."""
    response = client.get("/categories/email/")
    positions = node_positions(response.context["lifecycle"])
    assert positions["sent-email"] == (0, 0)
    assert positions["received-email"] == (1, 0)
    assert positions["opened-email"] == (2, 0)
    assert positions["clicked-email"] == (3, 0)
    assert positions["bounced-email"][0] == positions["deferred-email"][0] == 1
    html = response.content.decode()
    assert '<svg class="lifecycle__svg"' in html
    for slug in positions:
        assert f'<a href="/activities/{slug}/" class="lifecycle__node">' in html
    assert "is followed by" in html
    figure = html[html.index('<figure class="lifecycle"') : html.index("</figure>")]
    assert 'style="' not in figure
    assert "<script" not in figure


def test_sms_page_has_a_lifecycle_and_general_has_none(client, catalog):
    """SMS has a lifecycle from its data; General, with no follows relation, draws none."""
    sms = client.get("/categories/sms/")
    assert node_positions(sms.context["lifecycle"])["clicked-sms"] == (2, 0)
    general = client.get("/categories/general/").content.decode()
    assert "lifecycle__svg" not in general


def test_changing_a_relation_changes_the_diagram(client, catalog):
    """An editor's change to a relation redraws the diagram: a new step adds a column and a node."""
    before = client.get("/categories/email/").context["lifecycle"]
    assert "reacted-to-email" not in node_positions(before)
    relate("reacted-to-email", "follows", "clicked-email")
    after = node_positions(client.get("/categories/email/").context["lifecycle"])
    assert after["reacted-to-email"] == (4, 0)
    assert after["reacted-to-email"] not in [(node.column, node.row) for node in before.nodes]
    Relation.objects.filter(from_activity__slug="received-email", kind="follows").delete()
    redrawn = node_positions(client.get("/categories/email/").context["lifecycle"])
    assert redrawn["received-email"] == (0, 1)


def test_layout_survives_a_loop(catalog):
    """A three-step loop an editor might make is still laid out, within as many columns as nodes."""
    Relation.objects.all().delete()
    relate("opened-email", "follows", "sent-email")
    relate("clicked-email", "follows", "opened-email")
    relate("sent-email", "follows", "clicked-email")
    lifecycle = diagrams.lifecycle(Relation.objects.lifecycle_of(Category.objects.get(slug="email")))
    assert len(lifecycle.nodes) == 3
    assert max(node.column for node in lifecycle.nodes) < 3


def test_lifecycle_draws_only_follows_between_the_categorys_own_activities(client, catalog):
    """A *follows* relation reaching into another category, or of another kind, adds no box to a lifecycle."""
    before = node_positions(client.get("/categories/email/").context["lifecycle"])
    relate("opened-email", Relation.Kind.FOLLOWS, "sent-sms")
    relate("clicked-email", Relation.Kind.OTHER_CHANNEL, "opened-email")
    lifecycle = client.get("/categories/email/").context["lifecycle"]
    assert node_positions(lifecycle) == before
    assert "sent-sms" not in {node.activity.slug for node in lifecycle.nodes}


def drawn_arrows(html):
    """
    The lifecycle's arrows as a reader sees them: (the box an arrow leaves, the box its head points at),
    found from where each arrow starts and ends relative to the boxes, not from the layout's numbers.
    """
    figure = html[html.index('<figure class="lifecycle"') : html.index("</figure>")]
    boxes = [
        (name, float(x), float(y), float(width), float(height))
        for x, y, width, height, name in re.findall(
            r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"[^>]*/>\s*<text[^>]*>([^<]+)</text>',
            figure,
        )
    ]

    def box_touching(x, y):
        [name] = [
            name
            for name, left, top, width, height in boxes
            if top <= y <= top + height and (abs(x - left - width) <= 1 or -8 <= x - left <= 0)
        ]
        return name

    arrows = set()
    for path, head in re.findall(r'<path class="lifecycle__edge" d="([^"]+)" marker-(end|start)=', figure):
        numbers = [float(number) for number in re.findall(r"-?[\d.]+", path)]
        start, end = box_touching(*numbers[:2]), box_touching(*numbers[-2:])
        arrows.add((start, end) if head == "end" else (end, start))
    return arrows


def follows_in_the_seed(category_slug):
    """The seeded *follows* relations within a category, as arrows from the earlier activity to the later one."""
    seed = json.loads((settings.BASE_DIR / "fixtures" / "relations.json").read_text())
    names = dict(Activity.objects.filter(category__slug=category_slug).values_list("slug", "name"))
    return {
        (names[row["fields"]["to_activity"][0]], names[row["fields"]["from_activity"][0]])
        for row in seed
        if row["fields"]["kind"] == "follows"
        and {row["fields"]["from_activity"][0], row["fields"]["to_activity"][0]} <= set(names)
    }


@pytest.mark.parametrize("category", ["email", "sms"])
def test_each_arrow_points_from_an_activity_to_the_one_that_follows_it(client, catalog, category):
    """Every seeded *follows* relation is one arrow, pointing at the later activity, and the text says the same."""
    html = client.get(f"/categories/{category}/").content.decode()
    expected = follows_in_the_seed(category)
    assert expected, "the seed relates activities of this category"
    assert drawn_arrows(html) == expected
    text = text_of(html[html.index('<details class="lifecycle__text"') :])
    for earlier, later in expected:
        assert re.search(rf"{earlier} is followed by [^.]*\b{later}\b", text), (earlier, later)


def test_a_new_follows_relation_adds_an_arrow_in_its_direction(client, catalog):
    """Saying that Forwarded email follows Opened email draws an arrow from Opened email to Forwarded email."""
    before = drawn_arrows(client.get("/categories/email/").content.decode())
    relate("forwarded-email", "follows", "opened-email")
    after = drawn_arrows(client.get("/categories/email/").content.decode())
    assert after - before == {("Opened email", "Forwarded email")}
