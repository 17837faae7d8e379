import django_filters
from django import forms

from activities.models import Activity, Category, Destination

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
    destination = django_filters.ModelMultipleChoiceFilter(
        label="Synced to",
        queryset=Destination.objects.all(),
        to_field_name="slug",
        method="filter_destination",
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Activity
        fields = ["q", "category", "kind", "destination"]

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_destination(self, queryset, name, value):
        return queryset.synced_to(value) if value else queryset

    def results_without(self, name):
        """The results with one filter left out: what that filter's facet counts over."""
        if not self.is_valid():
            return self.queryset.none()
        queryset = self.queryset
        for field_name, value in self.form.cleaned_data.items():
            if field_name != name:
                queryset = self.filters[field_name].filter(queryset, value)
        return queryset

    def results(self):
        """The filtered activities, or none when a parameter is invalid (the form says which)."""
        if self.is_valid():
            return self.qs
        return self.queryset.none()
