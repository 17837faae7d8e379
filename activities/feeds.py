"""
Atom feeds of the catalog's changes (django.contrib.syndication): the whole catalog, one category, one activity.

Each entry is one history entry, so its id never changes; its summary is the change's word-level difference
as escaped HTML, the same markup as /changes/. Who made a change is for staff only, so entries name the site.
"""

import uuid
from datetime import timedelta

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from activities import changes
from activities.models import Activity, Category

# Entry ids are URNs made from the history entry's key, the same on every request and for every host name.
ENTRY_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "activity-explorer:changes")
FEED_DAYS = 90
FEED_ENTRIES = 50


class CatalogChanges(Feed):
    feed_type = Atom1Feed
    author_name = "Activity explorer"
    description_template = "activities/feeds/change.html"

    def get_object(self, request, slug=None):
        return None

    def title(self, obj):
        return "Changes to the activity catalog"

    def subtitle(self, obj):
        return "Activities added, removed, renamed, reworded, moved or synced elsewhere."

    def link(self, obj):
        return reverse("activities:changes")

    def feed_guid(self, obj):
        return f"urn:uuid:{uuid.uuid5(ENTRY_NAMESPACE, 'feed:' + self.link(obj))}"

    def scope(self, obj):
        """The `changes.changes` arguments that narrow the feed to its object."""
        return {}

    def items(self, obj):
        start = timezone.now() - timedelta(days=FEED_DAYS)
        groups = changes.changes(start, **self.scope(obj))
        found = [change for group in groups for change in group.changes]
        return sorted(found, key=lambda change: (change.date, change.id), reverse=True)[:FEED_ENTRIES]

    def item_title(self, change):
        what = f"{change.name} (category)" if change.row == "category" else change.name
        return f"{what}: {', '.join(kind.label.lower() for kind in change.kinds)}"

    def item_link(self, change):
        if change.entry.history_type == "-":
            return reverse("activities:changes") + f"#{change.row}-{change.entry.id}"
        return reverse(f"activities:{change.row}_detail", args=[change.slug])

    def item_guid(self, change):
        return f"urn:uuid:{uuid.uuid5(ENTRY_NAMESPACE, f'change:{change.id}')}"

    item_guid_is_permalink = False

    def item_updateddate(self, change):
        return change.date

    def item_pubdate(self, change):
        return change.date

    def item_author_name(self, change):
        return "Activity explorer"


class CategoryChanges(CatalogChanges):
    def get_object(self, request, slug=None):
        return get_object_or_404(Category, slug=slug)

    def title(self, category):
        return f"Changes to {category.heading}"

    def link(self, category):
        return reverse("activities:changes") + f"?category={category.slug}"

    def scope(self, category):
        return {"category": category}


class ActivityChanges(CatalogChanges):
    def get_object(self, request, slug=None):
        activity = Activity.objects.filter(slug=slug).first() or Activity.moved(slug)
        if activity is None:
            raise Http404("No activity has this address.")
        return activity

    def title(self, activity):
        return f"Changes to {activity.name}"

    def link(self, activity):
        return activity.get_absolute_url()

    def scope(self, activity):
        return {"activity": activity.pk}
