from django.middleware.http import ConditionalGetMiddleware
from django.urls import path
from django.utils.decorators import decorator_from_middleware
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from activities import api

# ETag from the response body, and 304 when If-None-Match still matches it.
conditional = decorator_from_middleware(ConditionalGetMiddleware)

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
