from django.urls import path

from activities import change_views, feeds, plan_views, views
from activities.caching import catalog_page

app_name = "activities"

urlpatterns = [
    path("", views.home, name="home"),
    path("categories/", views.category_index, name="category_index"),
    path("destinations/", views.destination_index, name="destination_index"),
    path("categories/<slug:slug>/", views.category_detail, name="category_detail"),
    path("activities/", views.activity_list, name="activity_list"),
    path("changes/", change_views.change_list, name="changes"),
    path("changes.atom", catalog_page(feeds.CatalogChanges()), name="changes_feed"),
    path("categories/<slug:slug>/changes.atom", catalog_page(feeds.CategoryChanges()), name="category_changes_feed"),
    path("activities/<slug:slug>/changes.atom", catalog_page(feeds.ActivityChanges()), name="activity_changes_feed"),
    path("activities.csv", views.activity_export, {"export_format": "csv"}, name="activity_export_csv"),
    path("activities.json", views.activity_export, {"export_format": "json"}, name="activity_export_json"),
    path("activities/<slug:slug>/", views.activity_detail, name="activity_detail"),
    path("sync-plan/", plan_views.sync_plan, name="sync_plan"),
    path("plan.csv", plan_views.plan_export, {"export_format": "csv"}, name="plan_export_csv"),
    path("plan.json", plan_views.plan_export, {"export_format": "json"}, name="plan_export_json"),
    path("sync-plan/decide/", plan_views.decide_one, name="plan_decide"),
    path("sync-plan/decide-all/", plan_views.decide_all, name="plan_decide_all"),
    path("destinations/<slug:slug>/", views.destination_detail, name="destination_detail"),
    path(
        "destinations/<slug:slug>/plan.csv",
        views.destination_export,
        {"export_format": "csv"},
        name="destination_export_csv",
    ),
    path(
        "destinations/<slug:slug>/plan.json",
        views.destination_export,
        {"export_format": "json"},
        name="destination_export_json",
    ),
]
