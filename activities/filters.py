import django_filters
from django import forms
from django.core.validators import slug_re
from django.utils.functional import cached_property

from activities.models import Activity, Category, Destination

MAX_QUERY_LENGTH = 200


class SlugsField(forms.MultipleChoiceField):
    """Several slugs, checked for shape here; whether each names a destination, `ActivityFilterForm` checks."""

    def valid_value(self, value):
        return bool(slug_re.fullmatch(value))


class DestinationFilter(django_filters.MultipleChoiceFilter):
    field_class = SlugsField


class ActivityFilterForm(forms.Form):
    def clean(self):
        """Refuse destination slugs that name no destination, using the facet's query rather than one more."""
        cleaned = super().clean()
        wanted = cleaned.get("destination")
        if not wanted:
            return cleaned
        known = {destination.slug for destination in self.filterset.destination_facet}
        for slug in wanted:
            if slug not in known:
                self.add_error(
                    "destination",
                    forms.ValidationError(
                        SlugsField.default_error_messages["invalid_choice"], "invalid_choice", {"value": slug}
                    ),
                )
        return cleaned


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
    destination = DestinationFilter(label="Synced to", method="filter_destination", widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Activity
        fields = ["q", "category", "kind", "destination"]
        form = ActivityFilterForm

    @property
    def form(self):
        form = super().form
        form.filterset = self
        return form

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_destination(self, queryset, name, value):
        return queryset.synced_to(value)

    def results_without(self, name):
        """The results with one filter left out (what that filter's facet counts over), from the valid parameters."""
        if self.is_bound:
            # Validates once; while the form itself is validating (and asking for the facet) this changes nothing.
            self.form.errors  # noqa: B018
        queryset = self.queryset
        for field_name, value in getattr(self.form, "cleaned_data", {}).items():
            if field_name != name:
                queryset = self.filters[field_name].filter(queryset, value)
        return queryset

    @cached_property
    def destination_facet(self):
        """Every destination with how many results it would keep, counted without the destination filter itself."""
        return list(Destination.objects.with_activity_counts(self.results_without("destination")))

    def results(self):
        """The filtered activities, or none when a parameter is invalid (the form says which)."""
        if self.is_valid():
            return self.qs
        return self.queryset.none()
