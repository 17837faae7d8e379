from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from activities import diagrams, exports, facets, plan
from activities.caching import catalog_page
from activities.filters import ActivityFilter
from activities.models import Activity, Catalog, Category, Destination, Relation
from activities.pagination import SearchPaginator
from activities.search.misses import noted, records_misses


def page_or_fragment(request, template, partial):
    """The whole page, or only its `partial` when htmx asks for a fragment (a history restore needs the page)."""
    if request.htmx and not request.htmx.history_restore_request:
        return f"{template}#{partial}"
    return template


def moved_or_404(request, model, slug, message):
    """A permanent redirect to the row's page when this was its slug before a rename; else 404."""
    moved = model.moved(slug)
    if moved is None:
        raise Http404(message)
    query = request.META.get("QUERY_STRING")
    return redirect(moved.get_absolute_url() + (f"?{query}" if query else ""), permanent=True)


@catalog_page
def home(request):
    """The two jobs: find an activity (one search box, the categories) and decide what to sync (progress)."""
    categories = list(Category.objects.with_activity_counts())
    progress = plan.progress(Activity.objects.all())
    destinations = [line.destination for line in progress]
    overview = diagrams.overview(categories, destinations, Activity.objects.sync_counts_by_category())
    return render(
        request,
        "activities/home.html",
        {
            "catalog": Catalog.objects.first(),
            "categories": categories,
            "filter": ActivityFilter(),
            "overview": overview,
            "progress": progress,
        },
    )


@catalog_page
def category_index(request):
    """Every category in article order, with how many activities each holds."""
    return render(request, "activities/category_index.html", {"categories": Category.objects.with_activity_counts()})


@catalog_page
def destination_index(request):
    """Every destination, with how far its plan has come and its exports."""
    return render(request, "activities/destination_index.html", {"progress": plan.progress(Activity.objects.all())})


@records_misses
@catalog_page
def category_detail(request, slug):
    """One category's activities, narrowed by the same FilterSet as the full list."""
    activity_filter = ActivityFilter(request.GET, queryset=Activity.objects.in_category(slug))
    # The category itself comes with the page's facet counts, in their query.
    category, destinations, destination_choices = facets.category_page_facets(activity_filter, slug)
    if category is None:
        return moved_or_404(request, Category, slug, "No category has this address.")
    response = render(
        request,
        page_or_fragment(request, "activities/category_detail.html", "results"),
        {
            "category": category,
            "filter": activity_filter,
            "activities": activity_filter.results().with_destination_slugs(),
            "destinations": destinations,
            "destination_choices": destination_choices,
            "lifecycle": diagrams.lifecycle(Relation.objects.lifecycle_of(category)),
        },
    )
    response.search_miss = noted(activity_filter.searched())
    return response


@records_misses
@catalog_page
def activity_list(request):
    """Every activity, narrowed by the FilterSet; the URL holds the whole state."""
    activity_filter = ActivityFilter(request.GET, queryset=Activity.objects.for_listing())
    activities = activity_filter.results().with_destination_slugs()
    paginator = SearchPaginator(activities, settings.ACTIVITIES_PER_PAGE, search=activity_filter.searched())
    choices = facets.facets(activity_filter)
    response = render(
        request,
        page_or_fragment(request, "activities/activity_list.html", "results"),
        {
            "filter": activity_filter,
            "page": paginator.get_page(request.GET.get("page")),
            "facets": choices,
            "destinations": choices["destinations"],
        },
    )
    response.search_miss = noted(activity_filter.searched())
    return response


@catalog_page
def activity_detail(request, slug):
    """One activity, with its destinations, its related activities and its neighbours in the category."""
    activity = (
        Activity.objects.for_listing()
        .select_related("owner")
        .prefetch_related("destinations")
        .filter(slug=slug)
        .first()
    )
    if activity is None:
        return moved_or_404(request, Activity, slug, "No activity has this address.")
    previous, following = Activity.objects.neighbours_of(activity)
    return render(
        request,
        "activities/activity_detail.html",
        {
            "activity": activity,
            "previous": previous,
            "next": following,
            "relations": Relation.objects.as_seen_from(activity),
        },
    )


@catalog_page
def activity_export(request, export_format):
    """The activity list as a file, narrowed by the same FilterSet and parameters as the HTML list."""
    activity_filter = ActivityFilter(request.GET, queryset=Activity.objects.for_listing(), exhaustive=True)
    if not activity_filter.is_valid():
        return exports.errors_response(activity_filter.errors, export_format)
    return exports.export_response(activity_filter.qs, export_format, f"activities.{export_format}")


@catalog_page
def destination_detail(request, slug):
    """What one destination receives, grouped by category, with the exports and an empty state."""
    destination = get_object_or_404(Destination, slug=slug)
    activities = plan.with_cells(destination.activities.for_listing().with_destination_slugs(), [destination])
    return render(
        request,
        "activities/destination_detail.html",
        {"destination": destination, "activities": activities},
    )


@catalog_page
def destination_export(request, slug, export_format):
    """A destination's sync plan as a file, to hand to whoever configures the webhook or the CRM."""
    destination = get_object_or_404(Destination, slug=slug)
    about = {"destination": {"name": destination.name, "slug": destination.slug, "kind": destination.kind}}
    return exports.export_response(
        destination.activities.for_listing(), export_format, f"sync-plan-{destination.slug}.{export_format}", **about
    )
