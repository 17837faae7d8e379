from dataclasses import dataclass

import django_filters
from django import forms

from activities.models import Activity, Category

MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class FacetChoice:
    """One toggle of a facet: its value, label, result count, and the query parameters that toggle it."""

    name: str
    value: str
    label: str
    count: int
    active: bool
    params: dict


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

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def results(self):
        """The filtered activities, or none when a parameter is invalid (the form says which)."""
        if self.is_valid():
            return self.qs
        return self.queryset.none()

    def filtered_without(self, *names):
        """The activities matching every valid filter but `names`, so a facet counts what toggling would give."""
        queryset = self.queryset
        for field, value in self.form.cleaned_data.items():
            if field not in names:
                queryset = self.filters[field].filter(queryset, value)
        return queryset

    def facets(self):
        """Category and kind choices with their counts; each facet counts every other filter but not its own."""
        self.is_valid()
        chosen = [category.slug for category in self.form.cleaned_data.get("category") or ()]
        kind = self.form.cleaned_data.get("kind") or ""
        counted = list(
            Category.objects.with_facet_counts(
                self.filtered_without("category"), kinds_among=self.filtered_without("category", "kind")
            )
        )
        # Kind counts honour the category filter, which is a choice of categories: add up the chosen ones (or all).
        kind_counts = {
            value: sum(
                getattr(category, f"{value}_count") for category in counted if not chosen or category.slug in chosen
            )
            for value in Activity.Kind.values
        }
        categories = [
            FacetChoice(
                name="category",
                value=category.slug,
                label=category.name,
                count=category.activity_count,
                active=category.slug in chosen,
                params={
                    "category": [slug for slug in chosen if slug != category.slug]
                    if category.slug in chosen
                    else [*chosen, category.slug],
                    "page": None,
                },
            )
            for category in counted
        ]
        kinds = [
            FacetChoice(
                name="kind",
                value=value,
                label=label,
                count=kind_counts[value],
                active=value == kind,
                params={"kind": None if value == kind else value, "page": None},
            )
            for value, label in Activity.Kind.choices
        ]
        return {
            "category": categories,
            "kind": kinds,
            "active": [choice for choice in (*categories, *kinds) if choice.active],
        }
