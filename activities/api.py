"""
The read-only JSON API.

Django REST Framework's DjangoFilterBackend runs the same ActivityFilter as
the HTML list and the exports, so the three always agree on parameters,
results and errors; drf-spectacular describes the endpoints as OpenAPI.

Serializers read rows as dicts of exactly their columns (`QuerySet.values()`),
not model instances: profiling showed building models and calling
`get_absolute_url()` per row to be most of an API page's cost.
"""

import copy
from datetime import UTC
from functools import cache, cached_property

from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers

from activities import api_plan, changes
from activities.filters import ActivityFilter
from activities.models import Activity, Category


class PageField(serializers.CharField):
    """The row's page on the site, from its slug: the same URL as `get_absolute_url()`."""

    def __init__(self, view_name, **kwargs):
        self.view_name = view_name
        super().__init__(source="slug", read_only=True, **kwargs)

    def to_representation(self, value):
        return self.context["request"].build_absolute_uri(reverse(self.view_name, args=[value]))


# A ModelSerializer over dict rows, whose fields are built from the model once per process. (A comment, not a
# docstring: drf-spectacular would publish a docstring as every serializer's description in the schema.)
class RowSerializer(serializers.ModelSerializer):
    def get_fields(self):
        # ModelSerializer introspects the model for every new serializer, and DRF deep-copies fields by
        # building them anew. These fields only read, and keep no state but what binding sets on each copy:
        # a shallow copy is enough.
        built = type(self).__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            type(self)._built_fields = built
        return {name: copy.copy(field) for name, field in built.items()}

    @cached_property
    def _readable_fields(self):
        # DRF's property runs a generator over the fields for every row; a list made once serves every row.
        return [field for field in self.fields.values() if not field.write_only]

    @classmethod
    @cache
    def columns(cls):
        """The row keys the fields read, for `QuerySet.values()`."""
        return tuple(dict.fromkeys(field.source for field in cls().fields.values()))


class CategorySerializer(RowSerializer):
    url = PageField("activities:category_detail", help_text="The category's page.")
    api_url = PageField("api:category_detail", help_text="The category in the API.")
    activity_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Category
        fields = ("slug", "name", "description", "position", "activity_count", "url", "api_url")


class ActivitySerializer(RowSerializer):
    category = serializers.CharField(source="category__slug", read_only=True)
    category_name = serializers.CharField(source="category__name", read_only=True)
    url = PageField("activities:activity_detail", help_text="The activity's page.")
    api_url = PageField("api:activity_detail", help_text="The activity in the API.")
    destinations = api_plan.DecisionSerializer(many=True, read_only=True, help_text="Each destination's decision.")
    relations = api_plan.RelationSerializer(many=True, read_only=True, help_text="How it relates to others.")

    # Read after the page is fetched (api_plan.decisions_and_relations), not as columns of the row.
    COMPUTED = ("destinations", "relations")

    class Meta:
        model = Activity
        fields = (
            *("slug", "name", "category", "category_name", "kind", "position", "definition", "updated"),
            *("url", "api_url", "destinations", "relations"),
        )
        # Times are given in UTC (TIME_ZONE is UTC too); naming the zone spares a lookup of the active one per row.
        extra_kwargs = {"updated": {"default_timezone": UTC}}

    @classmethod
    @cache
    def columns(cls):
        read = [column for column in super().columns() if column not in cls.COMPUTED]
        return (*read, "id", "destination_slugs")


class FollowsRenames:
    """A detail URL with a slug the row had before a rename answers 301 to the row's current URL."""

    def handle_exception(self, exc):
        if isinstance(exc, Http404) and (moved := self.queryset.model.moved(self.kwargs["slug"])) is not None:
            url = reverse(self.request.resolver_match.view_name, args=[moved.slug])
            query = self.request.META.get("QUERY_STRING")
            return HttpResponsePermanentRedirect(url + (f"?{query}" if query else ""))
        return super().handle_exception(exc)


class Rows:
    """Generic views whose queryset, once filtered, yields the serializer's columns as dicts."""

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).values(*self.serializer_class.columns())


class CategoryList(Rows, generics.ListAPIView):
    """Every category in display order, with how many activities each holds."""

    queryset = Category.objects.with_activity_counts()
    serializer_class = CategorySerializer
    filter_backends = ()


class CategoryDetail(FollowsRenames, Rows, generics.RetrieveAPIView):
    """One category, by slug."""

    queryset = Category.objects.with_activity_counts()
    serializer_class = CategorySerializer
    lookup_field = "slug"


class SearchFilterBackend(DjangoFilterBackend):
    """django-filter's backend, keeping the FilterSet on the view: the paginator reads its search's count there."""

    def get_filterset(self, request, queryset, view):
        view.filterset = super().get_filterset(request, queryset, view)
        return view.filterset


class WithPlan:
    """Activity rows with their decisions and relations, read for the whole page at once."""

    def paginate_queryset(self, queryset):
        return api_plan.decisions_and_relations(self.request, list(super().paginate_queryset(queryset)))

    def get_object(self):
        return api_plan.decisions_and_relations(self.request, [super().get_object()])[0]


class ActivityList(WithPlan, Rows, generics.ListAPIView):
    """
    Activities, narrowed by the same parameters as /activities/: q, category and destination (repeatable),
    kind, undecided (activities with no decision for a destination), and changed_since (an ISO 8601 date and
    time: only activities changed since then).
    """

    queryset = Activity.objects.with_destination_slugs()
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    filter_backends = (SearchFilterBackend,)


class ActivityDetail(WithPlan, FollowsRenames, Rows, generics.RetrieveAPIView):
    """One activity, by slug, with each destination's decision and its relations."""

    queryset = Activity.objects.with_destination_slugs()
    serializer_class = ActivitySerializer
    lookup_field = "slug"
    filter_backends = ()


class FieldChangeSerializer(serializers.Serializer):
    kind = serializers.CharField(source="kind.slug", help_text="The kind of change: renamed, reworded, moved, …")
    before = serializers.CharField()
    after = serializers.CharField()


class ChangeSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The kind of row and its history entry's key: the same for the same change.")
    date = serializers.DateTimeField(default_timezone=UTC)
    row = serializers.CharField(help_text="What changed: an activity or a category.")
    slug = serializers.CharField(help_text="The row's slug when it changed.")
    name = serializers.CharField()
    kinds = serializers.SerializerMethodField()
    reason = serializers.CharField()
    fields = FieldChangeSerializer(many=True)

    def get_kinds(self, change) -> list[str]:
        return [kind.slug for kind in change.kinds]


CHANGE_PARAMETERS = [
    OpenApiParameter("start", OpenApiTypes.DATE, description="The first day (default: thirty days ago)."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="The last day (default: today)."),
    OpenApiParameter("since", OpenApiTypes.DATETIME, description="Only changes from this moment on."),
    OpenApiParameter("category", OpenApiTypes.STR, description="A category's slug."),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=[kind.slug for kind in changes.CHANGE_KINDS]),
]


@extend_schema_view(get=extend_schema(parameters=CHANGE_PARAMETERS))
class ChangeList(generics.ListAPIView):
    """Changes to the catalog, newest first; the parameters of /changes/: start, end, since, category, kind."""

    serializer_class = ChangeSerializer
    filter_backends = ()

    def get_queryset(self):
        form = changes.ChangesForm(self.request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(form.errors.get_json_data())
        start, until = form.window()
        data = form.cleaned_data
        groups = changes.changes(
            start, until, data["category"], data["kind"] or None, category_names=form.category_names()
        )
        found = [change for group in groups for change in group.changes]
        return sorted(found, key=lambda change: (change.date, change.id), reverse=True)
