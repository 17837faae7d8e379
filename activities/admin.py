from django.contrib import admin
from django.db.models import Count

from activities.models import Activity, Catalog, Category, Synonym


@admin.register(Catalog)
class CatalogAdmin(admin.ModelAdmin):
    list_display = ("title",)


class ActivityInline(admin.TabularInline):
    model = Activity
    fields = ("position", "name", "slug", "kind", "definition")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("position", "name")
    show_change_link = True
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position", "activity_count")
    list_editable = ("position",)
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("position", "name")
    save_on_top = True
    inlines = (ActivityInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(activity_count=Count("activities"))

    @admin.display(description="Activities", ordering="activity_count")
    def activity_count(self, category):
        return category.activity_count


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "kind", "position", "updated")
    list_filter = ("category", "kind")
    list_select_related = ("category",)
    search_fields = ("name", "definition")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("category__position", "position", "name")
    readonly_fields = ("created", "updated")
    save_on_top = True
    fields = ("name", "slug", "category", "kind", "position", "definition", "created", "updated")

    def get_search_results(self, request, queryset, search_term):
        # The site's own search, so that editors find what visitors find (typos and synonyms included).
        return queryset.search(search_term), False


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ("term", "equivalents")
    search_fields = ("term", "equivalents")
