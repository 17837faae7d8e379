from dataclasses import dataclass

import django_filters
from django import forms
from django.core.validators import slug_re
from django.utils.functional import cached_property

from activities.models import Activity, Category, Destination
from activities.search import understand

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


def toggles(name, items, chosen):
    """Facet choices for a repeatable parameter: each (value, label, count) adds itself to `chosen`, or leaves it."""
    return [
        FacetChoice(
            name=name,
            value=value,
            label=label,
            count=count,
            active=value in chosen,
            params={
                name: [other for other in chosen if other != value] if value in chosen else [*chosen, value],
                "page": None,
            },
        )
        for value, label, count in items
    ]


class SlugsField(forms.MultipleChoiceField):
    """Several slugs, checked for shape here; whether each names a destination, `ActivityFilterForm` checks."""

    def valid_value(self, value):
        return bool(slug_re.fullmatch(value))


class SlugsFilter(django_filters.MultipleChoiceFilter):
    field_class = SlugsField


class ActivityFilterForm(forms.Form):
    def clean(self):
        """Refuse slugs that name no category or destination, using the facets' queries rather than more."""
        cleaned = super().clean()
        facets = {"category": "category_facet", "destination": "destination_facet"}
        for name, facet in facets.items():
            wanted = cleaned.get(name)
            if not wanted:
                continue
            known = {item.slug for item in getattr(self.filterset, facet)}
            for slug in wanted:
                if slug not in known:
                    self.add_error(
                        name,
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
    category = SlugsFilter(field_name="category__slug", widget=forms.CheckboxSelectMultiple)
    kind = django_filters.ChoiceFilter(choices=Activity.Kind.choices, empty_label="Any kind")
    destination = SlugsFilter(label="Synced to", method="filter_destination", widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Activity
        fields = ["q", "category", "kind", "destination"]
        form = ActivityFilterForm

    def get_form_class(self):
        # django-filter builds a new form class (and its fields) for every FilterSet; this one's filters never
        # change per request, so one class per process serves the list, the exports and the API (profiling:
        # ~5% of an API list request). Each request still gets its own form instance.
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            cls._form_class = super().get_form_class()
        return cls._form_class

    @property
    def form(self):
        form = super().form
        form.filterset = self
        return form

    # The parsed query, for the corrected-spelling notice and the highlighting; None without a search.
    @cached_property
    def search_query(self):
        """The parsed query, for the corrected-spelling notice and the highlighting; None without a search."""
        value = getattr(self.form, "cleaned_data", {}).get("q") if self.is_valid() else None
        return understand(value, self.queryset.db) if value else None

    def filter_search(self, queryset, name, value):
        return queryset.search(self.search_query or value)

    def filter_destination(self, queryset, name, value: list[str]):
        return queryset.synced_to(value)

    @cached_property
    def category_facet(self):
        """Every category with its counts over the other filters: per kind, and in all (one grouped query)."""
        activities = self.filtered_without("category")
        # Without a kind filter the kind counts come from the same activities, counted in the same pass.
        kind_chosen = getattr(self.form, "cleaned_data", {}).get("kind")
        kinds_among = self.filtered_without("category", "kind") if kind_chosen else None
        return list(Category.objects.with_facet_counts(activities, kinds_among=kinds_among))

    @cached_property
    def destination_facet(self):
        """Every destination with how many results it would keep, counted without the destination filter itself."""
        return list(Destination.objects.with_activity_counts(self.filtered_without("destination")))

    def count(self):
        """How many results there are, added up from the category facet's counts rather than one more query."""
        if not self.is_valid():
            return 0
        chosen = set(self.form.cleaned_data.get("category") or ())
        return sum(category.activity_count for category in self.category_facet if not chosen or category.slug in chosen)

    def results(self):
        """The filtered activities, or none when a parameter is invalid (the form says which)."""
        if self.is_valid():
            return self.qs
        return self.queryset.none()

    def filtered_without(self, *names):
        """The activities matching every valid filter but `names`, so a facet counts what toggling would give."""
        if self.is_bound:
            # Validates once; while the form itself is validating (and asking for a facet) this changes nothing.
            self.form.errors  # noqa: B018
        queryset = self.queryset
        for field, value in getattr(self.form, "cleaned_data", {}).items():
            if field in names:
                continue
            if field == "q" and value:
                # Facets count inside a subquery, where only the search's unranked form works.
                queryset = queryset.matching(self.search_query or value)
            else:
                queryset = self.filters[field].filter(queryset, value)
        return queryset

    def destination_choices(self):
        """The "Synced to" facet: each destination as a toggle, counted without the destination filter itself."""
        self.is_valid()
        chosen = list(getattr(self.form, "cleaned_data", {}).get("destination") or ())
        return toggles(
            "destination", [(item.slug, item.name, item.activity_count) for item in self.destination_facet], chosen
        )

    def facets(self):
        """Category and kind choices with their counts; each facet counts every other filter but not its own."""
        self.is_valid()
        chosen = list(self.form.cleaned_data.get("category") or ())
        kind = self.form.cleaned_data.get("kind") or ""
        counted = self.category_facet
        # Kind counts honour the category filter, which is a choice of categories: add up the chosen ones (or all).
        kind_counts = {
            value: sum(
                getattr(category, f"{value}_count") for category in counted if not chosen or category.slug in chosen
            )
            for value in Activity.Kind.values
        }
        categories = toggles(
            "category", [(category.slug, category.name, category.activity_count) for category in counted], chosen
        )
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
        destinations = self.destination_choices()
        return {
            "category": categories,
            "kind": kinds,
            "destination": destinations,
            "active": [choice for choice in (*categories, *kinds, *destinations) if choice.active],
        }
