"""
The read-only JSON API.

Django REST Framework's DjangoFilterBackend runs the same ActivityFilter as
the HTML list and the exports, so the three always agree on parameters,
results and errors; drf-spectacular describes the endpoints as OpenAPI.
"""

from rest_framework import generics, serializers

from activities.filters import ActivityFilter
from activities.models import Activity, Category


class CategorySerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url", read_only=True, help_text="The category's page.")
    activity_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Category
        fields = ("slug", "name", "description", "position", "activity_count", "url")


class ActivitySerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True, help_text="The activity's page.")

    class Meta:
        model = Activity
        fields = ("slug", "name", "category", "category_name", "kind", "position", "definition", "updated", "url")


class CategoryList(generics.ListAPIView):
    """Every category in display order, with how many activities each holds."""

    queryset = Category.objects.with_activity_counts()
    serializer_class = CategorySerializer
    filter_backends = ()


class CategoryDetail(generics.RetrieveAPIView):
    """One category, by slug."""

    queryset = Category.objects.with_activity_counts()
    serializer_class = CategorySerializer
    lookup_field = "slug"


class ActivityList(generics.ListAPIView):
    """Activities, narrowed by the same parameters as /activities/: q, category (repeatable) and kind."""

    queryset = Activity.objects.for_listing()
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter


class ActivityDetail(generics.RetrieveAPIView):
    """One activity, by slug."""

    queryset = Activity.objects.for_listing()
    serializer_class = ActivitySerializer
    lookup_field = "slug"
    filter_backends = ()
