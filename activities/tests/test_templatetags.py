"""The catalog tag library: what its tables, badges, facet links, marks and counts show a reader."""

from django.template import engines
from django.test import RequestFactory

from activities.models import Activity, Destination
from activities.search import parse


def render(source, **context):
    """The template source, after `{% load catalog %}`, rendered for a request to the list page."""
    template = engines["django"].from_string("{% load catalog %}" + source)
    return template.render(context, RequestFactory().get("/activities/"))


def table(query=None, **options):
    activities = Activity.objects.for_listing().with_destination_slugs().filter(category__slug="email")
    return render(
        "{% activity_table activities caption='Email' query=query destinations=destinations show_category=show %}",
        activities=activities,
        query=query,
        destinations=Destination.objects.all(),
        show=options.get("show_category", True),
    )


def test_a_definition_holding_markup_shows_as_text(catalog):
    """A definition or name with a script in it is shown as the characters typed, never run."""
    Activity.objects.filter(slug="sent-email").update(
        name="Sent <b>email</b>", definition="Recorded <script>alert(1)</script> when an email is sent."
    )
    html = table()
    assert "<script>" not in html and "<b>" not in html
    assert "Recorded &lt;script&gt;alert(1)&lt;/script&gt; when an email is sent." in html
    assert ">Sent &lt;b&gt;email&lt;/b&gt;</a>" in html


def test_the_searched_words_are_marked_in_names_and_definitions(catalog):
    """Searching "bounce" marks "Bounced" in the name and "bounces" in the definition, and nothing else."""
    html = table(parse("bounce"))
    assert '<a href="/activities/bounced-email/"><mark>Bounced</mark> email</a>' in html
    assert "when the contact <mark>bounces</mark>. Learn more about <mark>bounces</mark>." in html
    assert html.count("<mark>") == 3


def test_without_a_search_nothing_is_marked(catalog):
    assert "<mark>" not in table()


def test_a_row_shows_its_badges_and_its_category_when_asked(catalog):
    """A custom activity says so; each destination it syncs to is a badge; the category column is optional."""
    Activity.objects.filter(slug="sent-email").update(kind="custom")
    Activity.objects.get(slug="sent-email").destinations.add(Destination.objects.get(slug="webhook"))
    html = table()
    row = html[html.index('<a href="/activities/sent-email/">') : html.index("</tr>", html.index("sent-email"))]
    assert '<span class="badge badge--custom">custom</span>' in row
    assert (
        '<a class="badge badge--destination" href="/destinations/webhook/" title="Synced to Webhook">'
        '<span class="visually-hidden">Synced to </span>Webhook</a>'
    ) in row
    assert "Salesforce" not in row
    assert '<a class="category-link" href="/categories/email/">Email</a>' in row
    assert html.count("badge--custom") == 1
    assert "category-link" not in table(show_category=False)


def test_badges_link_each_destination_or_say_there_is_none(catalog):
    html = render("{% badges destinations %}", destinations=Destination.objects.order_by("name"))
    assert html == (
        '<a class="badge badge--destination" href="/destinations/salesforce/" title="Synced to Salesforce">'
        '<span class="visually-hidden">Synced to </span>Salesforce</a> '
        '<a class="badge badge--destination" href="/destinations/webhook/" title="Synced to Webhook">'
        '<span class="visually-hidden">Synced to </span>Webhook</a>'
    )
    assert render('{% badges destinations empty="Not synced anywhere yet" %}', destinations=[]) == (
        "Not synced anywhere yet"
    )


def test_facet_choices_toggle_themselves_over_the_other_parameters(client, catalog):
    """
    An active choice is marked and announced, and its link removes it; another adds itself to the search and
    the chosen category; a choice that would find nothing is text, not a link.
    """
    html = client.get("/activities/", {"q": "email", "category": "email"}).content.decode()
    assert '<a class="facet__choice is-active" id="facet-category-email" href="?q=email" aria-current="true">' in html
    assert '<span class="visually-hidden">, selected: activate to remove</span>' in html
    sms = '<a class="facet__choice" id="facet-category-sms" href="?q=email&amp;category=email&amp;category=sms">'
    assert sms in html
    assert '<span class="facet__choice is-empty"><span class="facet__label">General</span>' in html
    assert 'id="facet-category-general"' not in html


def test_a_long_definition_shows_the_passage_around_the_first_match():
    """Past about forty words, a definition is cut around its first match, an ellipsis where text is left out."""
    text = " ".join(["filler"] * 100 + ["bounced"] + ["filler"] * 100)
    shown = render("{{ text|passage:wanted }}", text=text, wanted=(("bounce", False),))
    assert shown.startswith("… filler") and shown.endswith(" …")
    assert shown.count("<mark>bounced</mark>") == 1
    assert len(shown.split()) < 90
    assert render("{{ text|passage:wanted }}", text="A & B", wanted=()) == "A &amp; B"


def test_highlight_escapes_what_it_does_not_mark():
    shown = render("{{ text|highlight:wanted }}", text="<em>Email</em> & emails", wanted=(("email", False),))
    assert shown == "&lt;em&gt;<mark>Email</mark>&lt;/em&gt; &amp; <mark>emails</mark>"


def test_counts_past_a_broad_searchs_limit_read_as_lower_bounds():
    assert render("{{ 1000|counted:True }} {{ 12|counted:False }}") == "1,000+ 12"
