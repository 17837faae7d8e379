"""
The sync plan's pages: `/sync-plan/`, every activity against every destination, read-only for visitors; staff
change one decision in place (htmx answers the cell and the progress line) or set one for every activity shown.
Without JavaScript the same forms post and come back to the page they were sent from.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.db import transaction
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from activities import exports, facets, plan
from activities.caching import catalog_page
from activities.decisions import Choice, StaleDecision, decide
from activities.filters import ActivityFilter
from activities.models import Activity, Destination
from activities.pagination import SearchPaginator

PLAN_PER_PAGE = 100


class DecisionForm(forms.Form):
    """One cell's change: the decision, an optional reason, and the cell as the editor's page showed it."""

    activity = forms.ModelChoiceField(Activity.objects.all(), to_field_name="slug", widget=forms.HiddenInput)
    destination = forms.ModelChoiceField(Destination.objects.all(), to_field_name="slug", widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=Choice.choices)
    reason = forms.CharField(required=False, max_length=300)
    seen = forms.CharField(widget=forms.HiddenInput)
    filters = forms.CharField(required=False, widget=forms.HiddenInput)


class DecideAllForm(forms.Form):
    """One decision for every activity a page of the plan shows, each cell as that page showed it."""

    destination = forms.ModelChoiceField(Destination.objects.all(), to_field_name="slug", widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=Choice.choices)
    reason = forms.CharField(required=False, max_length=300)
    filters = forms.CharField(required=False, widget=forms.HiddenInput)

    def shown(self, data):
        """(activity, seen) for each `cell` posted ("<activity id>:<seen>"), read in one query."""
        pairs = dict(value.split(":", 1) for value in data.getlist("cell") if ":" in value)
        found = Activity.objects.in_bulk([pk for pk in pairs if pk.isdigit()])
        return [(found[int(pk)], seen) for pk, seen in pairs.items() if pk.isdigit() and int(pk) in found]


def errors(form):
    """A form's errors as one sentence for a message."""
    return " ".join(message for field in form.errors.values() for message in field)


def plan_filter(query_string):
    """The list's FilterSet over the activities, from a query string (the page's, or the one a form carries)."""
    return ActivityFilter(QueryDict(query_string), queryset=Activity.objects.for_listing().select_related("owner"))


def plan_progress(query_string, activity_filter=None):
    """
    Progress per destination among the activities the other filters keep: "undecided for X" is left out, so that
    a decision made there moves X's line forward instead of taking the activity out of what is counted.
    """
    filters = QueryDict(query_string, mutable=True)
    if activity_filter is None or "undecided" in filters:
        filters.pop("undecided", None)
        filters.pop("page", None)
        activity_filter = plan_filter(filters.urlencode())
    if not activity_filter.is_valid():
        return plan.progress(Activity.objects.none())
    return plan.progress(facets.counted_without(activity_filter))


def back_to_plan(query_string, anchor=""):
    url = reverse("activities:sync_plan") + (f"?{query_string}" if query_string else "")
    return redirect(url + (f"#{anchor}" if anchor else ""))


@catalog_page
def sync_plan(request):
    """Every activity against every destination, grouped by category, filtered as /activities/ is."""
    activity_filter = plan_filter(request.META.get("QUERY_STRING", ""))
    activities = activity_filter.results().with_destination_slugs()
    lines = plan_progress(request.META.get("QUERY_STRING", ""), activity_filter)
    destinations = [line.destination for line in lines]
    searched = activity_filter.searched()
    paginator = SearchPaginator(activities, PLAN_PER_PAGE, search=searched)
    if lines and searched is None and not request.GET.get("undecided"):
        # The progress query counted the activities listed: the paginator need not count them again.
        paginator.count = lines[0].total
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = plan.with_cells(page.object_list, destinations)
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "activities/sync_plan.html",
        {
            "filter": activity_filter,
            "page": page,
            "destinations": destinations,
            "progress": lines,
            "filters": filters.urlencode(),
            "choices": Choice.choices,
        },
    )


@require_POST
@staff_member_required
def decide_one(request):
    """Staff change one decision; htmx gets the cell and the progress line back, a plain form the page."""
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The decision could not be saved: " + errors(form))
        return back_to_plan(request.POST.get("filters", ""))
    data = form.cleaned_data
    activity, destination = data["activity"], data["destination"]
    error = None
    try:
        decide(activity, destination, data["decision"], data["reason"], request.user, seen=data["seen"])
    except StaleDecision as stale:
        error = str(stale)
    anchor = f"cell-{activity.slug}-{destination.slug}"
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, f"{activity.name}: {Choice(data['decision']).label} for {destination.name}.")
        return back_to_plan(data["filters"], anchor)
    return render(
        request,
        "activities/sync_plan.html#decided",
        {
            "cell": plan.cell(activity, destination),
            "error": error,
            "progress": plan_progress(data["filters"]),
            "filters": data["filters"],
            "choices": Choice.choices,
            "oob": True,
        },
    )


@require_POST
@staff_member_required
def decide_all(request):
    """Staff set one decision for every activity the page showed, all or none (none when any cell changed since)."""
    form = DecideAllForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing was saved: " + errors(form))
        return back_to_plan(request.POST.get("filters", ""))
    data = form.cleaned_data
    shown = form.shown(request.POST)
    label = Choice(data["decision"]).label
    try:
        with transaction.atomic():
            for activity, seen in shown:
                decide(
                    activity,
                    data["destination"],
                    data["decision"],
                    data["reason"],
                    request.user,
                    seen=seen,
                    many=f"Set for {len(shown)} activities",
                )
    except StaleDecision as stale:
        messages.error(request, f"{stale} No decision of this set was saved.")
    else:
        messages.success(request, f"{label} for {data['destination'].name}: {len(shown)} activities.")
    return back_to_plan(data["filters"])


@catalog_page
def plan_export(request, export_format):
    """The plan of the activities the filters keep, one row per activity and destination, as CSV or JSON."""
    activity_filter = ActivityFilter(request.GET, queryset=Activity.objects.for_listing(), exhaustive=True)
    if not activity_filter.is_valid():
        return exports.errors_response(activity_filter.errors, export_format)
    rows = list(plan.export_rows(activity_filter.qs.with_destination_slugs(), list(Destination.objects.all())))
    return exports.rows_response(rows, plan.EXPORT_COLUMNS, export_format, f"plan.{export_format}")
