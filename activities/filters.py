import copy
from dataclasses import dataclass

import django_filters
from django import forms
from django.conf import settings
from django.core.validators import slug_re
from django.utils.functional import cached_property

from activities.models import Activity, ActivityIds, Category, Destination
from activities.search import counts, first, listed, understand

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
    # Counted among a broad search's first matches only: at least `count`, perhaps more.
    capped: bool = False


def toggles(name, items, chosen, capped=False):
    """Facet choices for a repeatable parameter: each (value, label, count) adds itself to `chosen`, or leaves it."""
    return [
        FacetChoice(
            name=name,
            value=value,
            label=label,
            count=count,
            capped=capped,
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


class CopiedShallow:
    """
    A filter that each FilterSet copies without deep-copying its arguments (widget, choices, field options),
    which nothing changes per request: django-filter deep-copies every filter of every FilterSet, about
    150 copies for each page, API answer and export. The FilterSet still sets the copy's own
    `parent` and `model`, and the form class is built once per process (`ActivityFilter.get_form_class`).
    """

    def __deepcopy__(self, memo):
        twin = copy.copy(self)
        if twin.method is not None:
            # A method filter calls its FilterSet's method through a FilterMethod bound to the filter:
            # setting the method again binds a new one to the copy.
            twin.method = twin.method
        return twin


class SearchFilter(CopiedShallow, django_filters.CharFilter):
    pass


class KindFilter(CopiedShallow, django_filters.ChoiceFilter):
    pass


class SlugsFilter(CopiedShallow, django_filters.MultipleChoiceFilter):
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

    q = SearchFilter(
        label="Search",
        method="filter_search",
        max_length=MAX_QUERY_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search names and definitions"}),
    )
    category = SlugsFilter(field_name="category__slug", widget=forms.CheckboxSelectMultiple)
    kind = KindFilter(choices=Activity.Kind.choices, empty_label="Any kind")
    destination = SlugsFilter(label="Synced to", method="filter_destination", widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Activity
        fields = ["q", "category", "kind", "destination"]
        form = ActivityFilterForm

    def __init__(self, *args, exhaustive=False, **kwargs):
        super().__init__(*args, **kwargs)
        # Pages and the API count and rank a broad search only so far (SEARCH_COUNT_LIMIT); exports list every match.
        self.search_limit = None if exhaustive else settings.SEARCH_COUNT_LIMIT

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

    def filter_queryset(self, queryset):
        """Every filter, the search last: a broad search picks its ranked candidates among the rows the others keep."""
        cleaned = self.form.cleaned_data
        for name in sorted(cleaned, key=lambda name: name == "q"):
            queryset = self.filters[name].filter(queryset, cleaned[name])
        return queryset

    # The parsed query, for the corrected-spelling notice and the highlighting; None without a search.
    @cached_property
    def search_query(self):
        """The parsed query, for the corrected-spelling notice and the highlighting; None without a search."""
        valid = self.is_valid()
        if "search_query" in self.__dict__:
            # Validating the form (its facet checks) has just parsed it: parse it once.
            return self.__dict__["search_query"]
        value = getattr(self.form, "cleaned_data", {}).get("q") if valid else None
        return understand(value, self.queryset.db) if value else None

    def filter_search(self, queryset, name, value):
        # Once the category facet has fetched a broad search's counts, the ranking needs not count again.
        known = self.search_counts() if self.bounded and "category_facet" in self.__dict__ else None
        return queryset.search(self.search_query or value, self.search_limit, known)

    def search_counts(self):
        """A bounded search's (matched, by_name) counts, fetched with the category facet."""
        facet = self.category_facet
        if not facet:
            return (0, 0)
        matched = getattr(facet[0], "matched", None)
        if matched is None:
            matched = sum(category.activity_count for category in facet)
        return (matched, facet[0].by_name)

    @property
    def bounded(self):
        """Whether a search is on and its counts stop at the limit: they are exact up to it, lower bounds past it."""
        return bool(self.search_limit and self.search_query and self.search_query.requires)

    def first_matches(self, *names):
        """(sql, params) of the first limit + 1 activities matching every filter but `names`, the search included."""
        return first(self.filtered_without("q", *names), self.search_query, self.search_limit + 1)

    def counted(self, *names):
        """The activities a facet counts: those matching every filter but `names`; of a search, the first limit + 1."""
        if not self.bounded:
            return self.filtered_without(*names)
        # Their ids' SQL as it is: the facets' SQL embeds it, and a QuerySet around it cost more to build than to run.
        return ActivityIds(*self.first_matches(*names), self.queryset.db)

    def filter_destination(self, queryset, name, value: list[str]):
        return queryset.synced_to(value)

    @cached_property
    def category_facet(self):
        """Every category with its counts over the other filters: per kind, and in all (one grouped query)."""
        activities = self.counted("category")
        cleaned = getattr(self.form, "cleaned_data", {})
        # Without a kind filter the kind counts come from the same activities, counted in the same pass.
        kinds_among = self.counted("category", "kind") if cleaned.get("kind") else None
        # A broad search's own counts (bounded) come along: its total is no sum of bounded facet counts.
        found = counts(self.filtered_without("q"), self.search_query, self.search_limit) if self.bounded else None
        if found and not cleaned.get("category"):
            # The facet then counts the very matches that `matched` counts (every category, the same filters):
            # their sum is that count, without reading them from the index once more.
            del found["matched"]
        return Category.objects.with_facet_counts(activities, kinds_among=kinds_among, constants=found, plain=True)

    @cached_property
    def destination_facet(self):
        """Every destination with how many results it would keep, counted without the destination filter itself."""
        matched = None
        if self.bounded and not self.counts_the_search("destination"):
            sql, params = self.first_matches("destination")
            matched = {"matched": (f"(SELECT COUNT(*) FROM ({sql}) matched)", params)}
        return list(Destination.objects.with_activity_counts(self.counted("destination"), constants=matched))

    def counts_the_search(self, name):
        """Whether the `name` facet counts the matches that the bounded count, already fetched, counted."""
        return "category_facet" in self.__dict__ and not getattr(self.form, "cleaned_data", {}).get(name)

    def matched(self):
        """How many results there are: exact without a search or up to the limit, limit + 1 for a broad search."""
        if not self.is_valid():
            return 0
        if self.bounded:
            return self.search_counts()[0]
        chosen = set(self.form.cleaned_data.get("category") or ())
        return sum(category.activity_count for category in self.category_facet if not chosen or category.slug in chosen)

    def count(self):
        """How many results are listed (all, or a broad search's bounded set), from the category facet's query."""
        if not (self.bounded and self.is_valid()):
            return self.matched()
        return listed(*self.search_counts(), self.search_limit)

    @property
    def count_capped(self):
        """Whether a broad search matched more than the limit, so that `count()` is the limit, not the total."""
        return self.bounded and self.matched() > self.search_limit

    def over_limit(self, counted):
        """Whether a facet that counted this many counted only a broad search's first matches (lower bounds)."""
        return self.bounded and counted > self.search_limit

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
        facet = self.destination_facet
        capped = False
        if self.bounded and facet:
            matched = getattr(facet[0], "matched", None)
            capped = self.over_limit(self.search_counts()[0] if matched is None else matched)
        return toggles("destination", [(item.slug, item.name, item.activity_count) for item in facet], chosen, capped)

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
            "category",
            [(category.slug, category.name, category.activity_count) for category in counted],
            chosen,
            capped=self.over_limit(sum(category.activity_count for category in counted)),
        )
        # With a kind chosen, kind counts come from a set of their own; otherwise from the categories' set.
        kinds = [f"{value}_count" for value in Activity.Kind.values]
        kinds_capped = self.over_limit(sum(getattr(category, name) for category in counted for name in kinds))
        kinds = [
            FacetChoice(
                name="kind",
                value=value,
                label=label,
                count=kind_counts[value],
                capped=kinds_capped,
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
