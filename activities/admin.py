from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import models, transaction
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from activities.admin_imports import SafeImportExportMixin
from activities.forms import MoveToCategoryForm, VersionedModelForm, history_url
from activities.models import Activity, Catalog, Category, Destination, Relation, StaleEdit, Synonym
from activities.resources import ActivityResource, CategoryResource


@admin.register(Catalog)
class CatalogAdmin(admin.ModelAdmin):
    list_display = ("title",)


class CatalogEditAdmin(SafeImportExportMixin, SimpleHistoryAdmin):
    """History, revert, import and export; every save refuses to overwrite a newer version."""

    form = VersionedModelForm

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


class RelationInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        """Refuse two rows saying the same thing: each row alone passes the model's checks."""
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form) or not form.is_valid():
                continue
            key = (form.cleaned_data.get("kind"), form.cleaned_data.get("to_activity"))
            if key in seen:
                raise forms.ValidationError(
                    "Please correct the duplicate data: two rows relate the same activity in the same way."
                )
            seen.add(key)


class RelationInline(admin.TabularInline):
    """Relations entered from this activity; symmetric ones also show on the other activity's public page."""

    model = Relation
    formset = RelationInlineFormSet
    fk_name = "from_activity"
    fields = ("kind", "to_activity")
    autocomplete_fields = ("to_activity",)
    verbose_name = "relation from this activity"
    verbose_name_plural = "relations from this activity (opposite and other-channel ones read both ways)"
    extra = 0


class DestinationChangeForm(forms.Form):
    how = forms.ChoiceField(
        label="Change",
        choices=(
            ("add", "Add these destinations"),
            ("remove", "Remove these destinations"),
            ("set", "Replace every destination with exactly these"),
        ),
        widget=forms.RadioSelect,
        initial="add",
    )
    destinations = forms.ModelMultipleChoiceField(
        queryset=Destination.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("how") in ("add", "remove") and not cleaned.get("destinations"):
            raise forms.ValidationError("Choose at least one destination to add or remove.")
        return cleaned


@admin.register(Activity)
class ActivityAdmin(CatalogEditAdmin):
    resource_classes = (ActivityResource,)
    list_display = ("name", "category", "kind", "synced_to", "position", "updated")
    list_filter = ("category", "kind", "destinations")
    list_select_related = ("category",)
    search_fields = ("name", "definition")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("category__position", "position", "name")
    readonly_fields = ("created", "updated", "relations_entered_elsewhere")
    save_on_top = True
    fields = (
        "name",
        "slug",
        "category",
        "kind",
        "position",
        "definition",
        "destinations",
        "relations_entered_elsewhere",
        "created",
        "updated",
        "version",
    )
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    inlines = (RelationInline,)
    actions = ("move_to_category", "set_kind_custom", "set_kind_system", "change_destinations")

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
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="Set kind of selected activities: custom", permissions=("change",))
    def set_kind_custom(self, request, queryset):
        self.change_each(request, queryset, "Kind set to custom", kind=Activity.Kind.CUSTOM)

    @admin.action(description="Set kind of selected activities: system", permissions=("change",))
    def set_kind_system(self, request, queryset):
        self.change_each(request, queryset, "Kind set to system", kind=Activity.Kind.SYSTEM)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("destinations")

    def get_search_results(self, request, queryset, search_term):
        # The site's own search, so that editors find what visitors find (typos and synonyms included).
        return queryset.search(search_term), False

    @admin.display(description="Relations entered on other activities")
    def relations_entered_elsewhere(self, activity):
        """Relations where this activity is the target: editing them happens on the other activity's page."""
        relations = activity.relations_to.select_related("from_activity") if activity.pk else []
        items = format_html_join(
            "", '<li><a href="{}">{}</a></li>', ((relation.get_admin_url(), relation) for relation in relations)
        )
        return format_html("<ul>{}</ul>", items) if items else "—"

    @admin.display(description="Synced to")
    def synced_to(self, activity):
        return ", ".join(destination.name for destination in activity.destinations.all()) or "—"

    @admin.action(description="Change destinations of the selected activities", permissions=("change",))
    def change_destinations(self, request, queryset):
        form = DestinationChangeForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            how, destinations = form.cleaned_data["how"], form.cleaned_data["destinations"]
            getattr(queryset, f"{how}_destinations")(destinations)
            names = ", ".join(destination.name for destination in destinations) or "no destination"
            verb = {"add": "Added", "remove": "Removed", "set": "Set to"}[how]
            self.message_user(request, f"{verb} {names} on {queryset.count()} activities.")
            return None
        return TemplateResponse(
            request,
            "admin/activities/activity/change_destinations.html",
            {
                **self.admin_site.each_context(request),
                "title": "Change destinations",
                "opts": self.model._meta,
                "form": form,
                "activities": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(Destination)
class DestinationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "kind", "activity_count")
    list_filter = ("kind",)
    search_fields = ("name", "notes")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(activity_count=Count("activities"))

    @admin.display(description="Activities synced", ordering="activity_count")
    def activity_count(self, destination):
        return destination.activity_count


@admin.register(Relation)
class RelationAdmin(admin.ModelAdmin):
    list_display = ("from_activity", "kind", "to_activity")
    list_filter = ("kind", "from_activity__category")
    list_select_related = ("from_activity", "to_activity")
    search_fields = ("from_activity__name", "to_activity__name")
    autocomplete_fields = ("from_activity", "to_activity")


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ("term", "equivalents")
    search_fields = ("term", "equivalents")
