from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.db import models
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join

from activities.models import Activity, Catalog, Category, Destination, Relation


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
class ActivityAdmin(admin.ModelAdmin):
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
    )
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    inlines = (RelationInline,)
    actions = ("change_destinations",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("destinations")

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
