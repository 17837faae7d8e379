from django.conf import settings
from django.urls import path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from activities import api, api_plan
from activities.caching import catalog_page

app_name = "api"


def with_data_images(view):
    """The view under the site's CSP, which also allows data: images: Swagger UI's stylesheet draws its icons so."""
    policy = settings.SECURE_CSP
    return csp_override({**policy, "img-src": [CSP.SELF, "data:"]})(view) if policy else view


urlpatterns = [
    path("", catalog_page(api_plan.api_root), name="root"),
    path("destinations/", catalog_page(api_plan.DestinationList.as_view()), name="destination_list"),
    path("destinations/<slug:slug>/", catalog_page(api_plan.DestinationDetail.as_view()), name="destination_detail"),
    path("categories/", catalog_page(api.CategoryList.as_view()), name="category_list"),
    path("categories/<slug:slug>/", catalog_page(api.CategoryDetail.as_view()), name="category_detail"),
    path("activities/", catalog_page(api.ActivityList.as_view()), name="activity_list"),
    path("activities/<slug:slug>/", catalog_page(api.ActivityDetail.as_view()), name="activity_detail"),
    path("changes/", catalog_page(api.ChangeList.as_view()), name="change_list"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file, so the page needs no inline script.
    path("docs/", with_data_images(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
]
