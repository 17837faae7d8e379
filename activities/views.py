from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from activities.conditional import catalog_page
from activities.filters import ActivityFilter
from activities.models import Activity, Catalog, Category


@catalog_page
def home(request):
    """The article's overview, the categories in article order with their counts, and a search form."""
    return render(
        request,
        "activities/home.html",
        {
            "catalog": Catalog.objects.first(),
            "categories": Category.objects.with_activity_counts(),
            "filter": ActivityFilter(),
        },
    )


@catalog_page
def category_detail(request, slug):
    """One category's activities, narrowed by the same FilterSet as the full list."""
    category = get_object_or_404(Category, slug=slug)
    activity_filter = ActivityFilter(request.GET, queryset=Activity.objects.in_category(slug))
    return render(
        request,
        "activities/category_detail.html",
        {"category": category, "filter": activity_filter, "activities": activity_filter.results()},
    )


@catalog_page
def activity_list(request):
    """Every activity, narrowed by the FilterSet; the URL holds the whole state."""
    activity_filter = ActivityFilter(request.GET, queryset=Activity.objects.for_listing())
    page = Paginator(activity_filter.results(), settings.ACTIVITIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "activities/activity_list.html", {"filter": activity_filter, "page": page})


@catalog_page
def activity_detail(request, slug):
    """One activity, with its neighbours in the category."""
    activity = get_object_or_404(Activity.objects.for_listing(), slug=slug)
    previous, following = Activity.objects.neighbours(activity)
    return render(
        request,
        "activities/activity_detail.html",
        {"activity": activity, "previous": previous, "next": following},
    )
