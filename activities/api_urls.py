from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from activities import api
from activities.conditional import catalog_page


def conditional(view):
    """ETag and Last-Modified from the catalog's version, and 304 without running the view."""
    return catalog_page(view, render_cache=False)


app_name = "api"

urlpatterns = [
    path("categories/", conditional(api.CategoryList.as_view()), name="category_list"),
    path("categories/<slug:slug>/", conditional(api.CategoryDetail.as_view()), name="category_detail"),
    path("activities/", conditional(api.ActivityList.as_view()), name="activity_list"),
    path("activities/<slug:slug>/", conditional(api.ActivityDetail.as_view()), name="activity_detail"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file, so the page needs no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
