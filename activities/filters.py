import django_filters
from django import forms
from django.conf import settings
from django.db.models import QuerySet

from activities import plan
from activities.models import Activity, Category, Destination
from activities.search import search


class ActivityFilter(django_filters.FilterSet):
    """The one FilterSet behind the activity list, its exports and the API."""

    # Chosen by slug (repeatable); each filter's method tells the API schema its values are strings.
    category = django_filters.ModelMultipleChoiceFilter(
        label="Category slug",
        method="filter_category",
        to_field_name="slug",
        queryset=Category.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    kind = django_filters.ChoiceFilter(choices=Activity.Kind.choices, empty_label="Any kind")
    destination = django_filters.ModelMultipleChoiceFilter(
        label="Synced to",
        to_field_name="slug",
        queryset=Destination.objects.all(),
        method="filter_destination",
        widget=forms.CheckboxSelectMultiple,
    )
    changed_since = django_filters.IsoDateTimeFilter(
        label="Changed since", method="filter_changed_since", help_text="Only activities changed since then."
    )
    undecided = django_filters.ModelMultipleChoiceFilter(
        label="Undecided for",
        to_field_name="slug",
        queryset=Destination.objects.all(),
        method="filter_undecided",
        widget=forms.CheckboxSelectMultiple,
    )
    owner = django_filters.CharFilter(label="Owner (a username, or “none”)", method="filter_owner", max_length=150)
    q = django_filters.CharFilter(
        label="Search",
        method="filter_search",
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search names and definitions"}),
    )

    class Meta:
        model = Activity
        # The search comes last: a broad search picks its ranked candidates among the rows the others keep.
        fields = ["category", "kind", "destination", "undecided", "owner", "changed_since", "q"]

    def __init__(self, *args, exhaustive=False, **kwargs):
        super().__init__(*args, **kwargs)
        # Pages and the API count and rank a broad search only so far (SEARCH_COUNT_LIMIT); exports list every match.
        self.search_limit = None if exhaustive else settings.SEARCH_COUNT_LIMIT
        self.search_results = None

    def filter_category(self, queryset, name, value: QuerySet):
        return queryset.filter(category__in=value) if value else queryset

    def filter_destination(self, queryset, name, value: QuerySet):
        return queryset.synced_to([destination.slug for destination in value]) if value else queryset

    def filter_changed_since(self, queryset, name, value):
        """Activities with a history entry at or after `value`: their own edits, destinations included."""
        return queryset.filter(pk__in=Activity.history.filter(history_date__gte=value).values("id"))

    def filter_undecided(self, queryset, name, value: QuerySet):
        return plan.undecided_for(queryset, value) if value else queryset

    def filter_owner(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(owner__isnull=True) if value == "none" else queryset.filter(owner__username=value)

    def filter_search(self, queryset, name, value):
        self.search_results = search(queryset, value, self.search_limit)
        return self.search_results.queryset

    def results(self):
        """The filtered activities, or none when a parameter is invalid (the form says which)."""
        return self.qs if self.is_valid() else self.queryset.none()

    def searched(self):
        """The search behind `results()` (its count, whether capped, its parsed query), or None without one."""
        self.qs  # noqa: B018 - filtering runs the search
        return self.search_results if self.is_valid() else None

    @property
    def search_query(self):
        """The parsed query, for the corrected-spelling notice and the highlighting; None without a valid search."""
        searched = self.searched()
        return searched.query if searched else None
