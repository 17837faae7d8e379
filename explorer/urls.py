from django.contrib import admin
from django.urls import include, path

from explorer.views import healthz

admin.site.site_header = "Activity explorer"
admin.site.site_title = "Activity explorer admin"
admin.site.index_title = "Catalog"
admin.site.site_url = "/"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("activities.api_urls")),
    path("healthz", healthz, name="healthz"),
    path("", include("activities.urls")),
]
