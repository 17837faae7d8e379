"""
The sync plan in the JSON API: each activity's decisions and relations, the destinations with their counts and
decisions, and the API's root. Read-only like the rest of the API; an editor's notes never appear here.
"""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from activities import plan
from activities.decisions import Choice
from activities.models import Activity, Destination, Relation


def absolute(request, name, *args):
    """The absolute address of a named URL, for the request's host and scheme."""
    return request.build_absolute_uri(reverse(name, args=args))


class DecisionSerializer(serializers.Serializer):
    destination = serializers.CharField(help_text="The destination's slug.")
    decision = serializers.ChoiceField(choices=Choice.choices)
    reason = serializers.CharField(allow_blank=True)
    decided_at = serializers.DateTimeField(allow_null=True)


class ActivityDecisionSerializer(serializers.Serializer):
    activity = serializers.CharField(help_text="The activity's slug.")
    name = serializers.CharField()
    category = serializers.CharField(help_text="The category's slug.")
    decision = serializers.ChoiceField(choices=Choice.choices)
    reason = serializers.CharField(allow_blank=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    url = serializers.URLField(help_text="The activity's page.")
    api_url = serializers.URLField(help_text="The activity in the API.")


class RelationSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="How the relation reads from this activity, e.g. “Followed by”.")
    activity = serializers.CharField(help_text="The other activity's slug.")
    url = serializers.URLField()
    api_url = serializers.URLField()


def decisions_and_relations(request, rows):
    """Add `destinations` (every destination's decision) and `relations` to these API rows: two queries."""
    activities = {row["slug"]: Activity(pk=row["id"], slug=row["slug"]) for row in rows}
    for activity, row in zip(activities.values(), rows, strict=True):
        activity.destination_slugs = row.pop("destination_slugs")
    destinations = list(Destination.objects.all())
    plan.with_cells(activities.values(), destinations)
    related = relations_of(request, [row["id"] for row in rows])
    for row in rows:
        activity = activities[row["slug"]]
        row["destinations"] = [
            {
                "destination": item.destination.slug,
                "decision": str(item.decision),
                "reason": item.reason,
                "decided_at": item.decided_at,
            }
            for item in activity.cells
        ]
        row["relations"] = related.get(row.pop("id"), [])
    return rows


def relations_of(request, ids):
    """{activity id: [relation as it reads from that activity]}, for these activities, in one query."""
    found = {}
    rows = Relation.objects.filter(from_activity__in=ids) | Relation.objects.filter(to_activity__in=ids)
    columns = ("kind", "from_activity_id", "from_activity__slug", "to_activity_id", "to_activity__slug")
    for kind, from_id, from_slug, to_id, to_slug in rows.order_by().values_list(*columns):
        for here, other, entered_here in ((from_id, to_slug, True), (to_id, from_slug, False)):
            if here in ids:
                found.setdefault(here, []).append(
                    {
                        "label": Relation.label(kind, entered_here),
                        "activity": other,
                        "url": absolute(request, "activities:activity_detail", other),
                        "api_url": absolute(request, "api:activity_detail", other),
                    }
                )
    for listed in found.values():
        listed.sort(key=lambda relation: (relation["label"], relation["activity"]))
    return found


class DestinationSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    sync = serializers.IntegerField(help_text="How many activities sync to it.")
    dont = serializers.IntegerField(help_text="How many activities were decided not to sync.")
    undecided = serializers.IntegerField(help_text="How many activities nobody has decided about yet.")
    url = serializers.URLField(help_text="The destination's page.")
    api_url = serializers.URLField(help_text="The destination in the API.")


class DestinationDetailSerializer(DestinationSerializer):
    decisions = ActivityDecisionSerializer(many=True, help_text="Every activity's decision, in catalog order.")


def destination_row(request, line):
    destination = line.destination
    return {
        "slug": destination.slug,
        "name": destination.name,
        "kind": destination.kind,
        "sync": line.sync,
        "dont": line.dont,
        "undecided": line.undecided,
        "url": absolute(request, "activities:destination_detail", destination.slug),
        "api_url": absolute(request, "api:destination_detail", destination.slug),
    }


class DestinationList(generics.GenericAPIView):
    """Every destination with how many activities sync to it, don't, or are undecided."""

    # The browsable page asks for a queryset; the answer itself is built from the plan's progress.
    queryset = Destination.objects.all()
    serializer_class = DestinationSerializer
    pagination_class = None
    filter_backends = ()

    @extend_schema(operation_id="destinations_list", responses=DestinationSerializer(many=True))
    def get(self, request):
        return Response([destination_row(request, line) for line in plan.progress(Activity.objects.all())])


class DestinationDetail(generics.GenericAPIView):
    """One destination, by slug: its counts and every activity's decision for it, with reasons."""

    queryset = Destination.objects.all()
    serializer_class = DestinationDetailSerializer
    pagination_class = None
    filter_backends = ()

    def get(self, request, slug):
        line = next((line for line in plan.progress(Activity.objects.all()) if line.destination.slug == slug), None)
        if line is None:
            return Response({"detail": "No destination has this slug."}, status=404)
        activities = Activity.objects.for_listing().with_destination_slugs()
        decisions = []
        for activity in plan.with_cells(activities, [line.destination]):
            item = activity.cells[0]
            decisions.append(
                {
                    "activity": activity.slug,
                    "name": activity.name,
                    "category": activity.category.slug,
                    "decision": str(item.decision),
                    "reason": item.reason,
                    "decided_at": item.decided_at,
                    "url": absolute(request, "activities:activity_detail", activity.slug),
                    "api_url": absolute(request, "api:activity_detail", activity.slug),
                }
            )
        return Response({**destination_row(request, line), "decisions": decisions})


@extend_schema(exclude=True)
@api_view(["GET"])
def api_root(request, format=None):
    """The API's endpoints, each with its address."""
    return Response(
        {
            "categories": absolute(request, "api:category_list"),
            "activities": absolute(request, "api:activity_list"),
            "destinations": absolute(request, "api:destination_list"),
            "schema": absolute(request, "api:schema"),
            "docs": absolute(request, "api:docs"),
        }
    )
