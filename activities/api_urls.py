from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from activities import api
from activities.conditional import catalog_page

app_name = "api"

urlpatterns = [
    path("categories/", catalog_page(api.CategoryList.as_view()), name="category_list"),
    path("categories/<slug:slug>/", catalog_page(api.CategoryDetail.as_view()), name="category_detail"),
    path("activities/", catalog_page(api.ActivityList.as_view()), name="activity_list"),
    path("activities/<slug:slug>/", catalog_page(api.ActivityDetail.as_view()), name="activity_detail"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file, so the page needs no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
