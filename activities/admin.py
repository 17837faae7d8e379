from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, JSON, XLSX
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper
from tablib import InvalidDimensions

from activities.forms import MoveToCategoryForm, VersionedModelForm, history_url
from activities.models import Activity, Catalog, Category, StaleEdit
from activities.resources import ActivityResource, CategoryResource


@admin.register(Catalog)
class CatalogAdmin(admin.ModelAdmin):
    list_display = ("title",)


class CatalogEditAdmin(ImportExportMixin, SimpleHistoryAdmin):
    """History, revert, import and export; every save refuses to overwrite a newer version."""

    form = VersionedModelForm
    formats = (CSV, JSON, XLSX)

    def get_historical_record_context_helper(self, request, historical_record):
        # Definitions are a few sentences: show them whole, so the diff shows what actually changed.
        return HistoricalRecordContextHelper(self.model, historical_record, max_displayed_delta_change_chars=2000)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleEdit as error:
            # Someone saved between this form's check and its write: the form's check catches the usual case.
            return self.refuse_stale(request, error)

    def refuse_stale(self, request, error):
        self.message_user(
            request,
            format_html('{} <a href="{}">See what changed in its history.</a>', error, history_url(error.instance)),
            messages.ERROR,
        )
        return HttpResponseRedirect(request.get_full_path())

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, UnicodeDecodeError):
            form.add_error(
                "import_file",
                "This file is not UTF-8 text, so nothing was imported. "
                "Save it as “CSV UTF-8” (or as XLSX) and upload it again.",
            )
            return
        if isinstance(e, InvalidDimensions):
            form.add_error("import_file", "This file could not be read: every row must have the same columns.")
            return
        super().add_data_read_fail_error_to_form(form, e)

    def get_import_data_kwargs(self, **kwargs):
        # The confirmed import re-checks every row: one that no longer validates rolls the whole file back.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            rows = ", ".join(str(row.number) for row in result.invalid_rows) or "see the errors"
            self.message_user(
                request,
                f"Nothing was imported: the data changed since the preview and row(s) {rows} no longer apply. "
                "Upload the file again to see a fresh preview.",
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:{}_{}_import".format(*self.get_model_info())))
        return super().process_result(result, request)


class ActivityInline(admin.TabularInline):
    model = Activity
    form = VersionedModelForm
    fields = ("position", "name", "slug", "kind", "definition", "version")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("position", "name")
    show_change_link = True
    extra = 0


@admin.register(Category)
class CategoryAdmin(CatalogEditAdmin):
    resource_classes = (CategoryResource,)
    list_display = ("name", "slug", "position", "activity_count")
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("position", "name")
    save_on_top = True
    fields = ("name", "slug", "description", "position", "version")
    inlines = (ActivityInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(activity_count=Count("activities"))

    @admin.display(description="Activities", ordering="activity_count")
    def activity_count(self, category):
        return category.activity_count


@admin.register(Activity)
class ActivityAdmin(CatalogEditAdmin):
    resource_classes = (ActivityResource,)
    list_display = ("name", "category", "kind", "position", "updated")
    list_filter = ("category", "kind")
    list_select_related = ("category",)
    search_fields = ("name", "definition")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("category__position", "position", "name")
    readonly_fields = ("created", "updated")
    save_on_top = True
    fields = ("name", "slug", "category", "kind", "position", "definition", "created", "updated", "version")
    actions = ("move_to_category", "set_kind_custom", "set_kind_system")

    def get_changeform_initial_data(self, request):
        # Editors add their own activities; the system ones come from the article.
        return {"kind": Activity.Kind.CUSTOM, **super().get_changeform_initial_data(request)}

    def change_each(self, request, queryset, reason, **changes):
        """Save each selected activity with these changes, as one all-or-nothing edit recorded in history."""
        try:
            with transaction.atomic():
                count = 0
                for activity in queryset.select_related(None).order_by():
                    for name, value in changes.items():
                        setattr(activity, name, value)
                    activity._change_reason = reason
                    activity.save()
                    count += 1
        except StaleEdit as error:
            self.message_user(
                request,
                format_html(
                    'Nothing was changed: {} <a href="{}">See what changed in its history.</a>',
                    error,
                    history_url(error.instance),
                ),
                messages.ERROR,
            )
            return
        self.message_user(request, f"{reason}: {count} activit{'y' if count == 1 else 'ies'}.", messages.SUCCESS)

    @admin.action(description="Move selected activities to a category…", permissions=("change",))
    def move_to_category(self, request, queryset):
        form = MoveToCategoryForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            category = form.cleaned_data["category"]
            self.change_each(request, queryset, f"Moved to {category.name}", category=category)
            return None
        return TemplateResponse(
            request,
            "admin/activities/activity/move_to_category.html",
            {
                **self.admin_site.each_context(request),
                "title": "Move activities to a category",
                "opts": self.model._meta,
                "form": form,
                "activities": queryset.select_related("category"),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="Set kind of selected activities: custom", permissions=("change",))
    def set_kind_custom(self, request, queryset):
        self.change_each(request, queryset, "Kind set to custom", kind=Activity.Kind.CUSTOM)

    @admin.action(description="Set kind of selected activities: system", permissions=("change",))
    def set_kind_system(self, request, queryset):
        self.change_each(request, queryset, "Kind set to system", kind=Activity.Kind.SYSTEM)
