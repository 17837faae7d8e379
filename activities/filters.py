import django_filters
from django import forms

from activities.models import Activity, Category
from activities.search import understand

MAX_QUERY_LENGTH = 200


class ActivityFilter(django_filters.FilterSet):
    """The one FilterSet behind the activity list, its exports and the API."""

    q = django_filters.CharFilter(
        label="Search",
        method="filter_search",
        max_length=MAX_QUERY_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search names and definitions"}),
    )
    category = django_filters.ModelMultipleChoiceFilter(
        queryset=Category.objects.all(),
        field_name="category__slug",
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
    )
    kind = django_filters.ChoiceFilter(choices=Activity.Kind.choices, empty_label="Any kind")

    class Meta:
        model = Activity
        fields = ["q", "category", "kind"]

    # The parsed query, for the corrected-spelling notice and the highlighting; None without a search.
    search_query = None

    def filter_search(self, queryset, name, value):
        self.search_query = understand(value, queryset.db)
        return queryset.search(self.search_query)

    def results(self):
        """The filtered activities, or none when a parameter is invalid (the form says which)."""
        if self.is_valid():
            return self.qs
        return self.queryset.none()
