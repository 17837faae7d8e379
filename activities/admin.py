from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import models, transaction
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import get_text_list
from django.utils.translation import ngettext

from activities import admin_drift  # noqa: F401 (registers the imported articles)
from activities.admin_editing import CatalogEditAdmin
from activities.forms import DestinationChangeForm, MoveToCategoryForm, VersionedModelForm, history_url
from activities.models import Activity, Catalog, Category, Destination, Relation, Synonym
from activities.resources import ActivityResource, CategoryResource
from activities.versioning import StaleEdit


@admin.register(Catalog)
class CatalogAdmin(admin.ModelAdmin):
    list_display = ("title",)


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

    readonly_fields = ("activities_elsewhere",)
    # Above this many activities a category's page lists none inline: one form row each would exceed what
    # a POST may carry, and an editor edits so many from the filtered activity list instead.
    inline_limit = 100

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(activity_count=Count("activities"))

    @admin.display(description="Activities", ordering="activity_count")
    def activity_count(self, category):
        return category.activity_count

    def too_many_to_edit_inline(self, category):
        return category is not None and category.activities.count() > self.inline_limit

    def get_inlines(self, request, obj):
        return () if self.too_many_to_edit_inline(obj) else self.inlines

    def get_fields(self, request, obj=None):
        if self.too_many_to_edit_inline(obj):
            return (*self.fields, "activities_elsewhere")
        return self.fields

    @admin.display(description="Activities")
    def activities_elsewhere(self, category):
        count = category.activities.count()
        listed = reverse("admin:activities_activity_changelist") + f"?category__id__exact={category.pk}"
        added = reverse("admin:activities_activity_add") + f"?category={category.pk}"
        return format_html(
            '{} — too many to edit on this page. <a href="{}">Edit them in the activity list</a> · '
            '<a href="{}">Add an activity to this category</a>',
            ngettext("%(count)d activity", "%(count)d activities", count) % {"count": count},
            listed,
            added,
        )

    def save_formset(self, request, form, formset, change):
        # Each activity saved from the category's page is an edit of that activity, with its own reason.
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj._history_user, obj._change_reason = request.user, f"Deleted on the page of category {form.instance}"
            obj.delete()
        for instance in instances:
            instance._history_user = request.user
            adding = instance._state.adding
            instance._change_reason = f"{'Added' if adding else 'Edited'} on the page of category {form.instance}"
            instance.save()
        formset.save_m2m()


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


@admin.register(Activity)
class ActivityAdmin(CatalogEditAdmin):
    resource_classes = (ActivityResource,)
    list_display = ("name", "category", "kind", "synced_to", "position", "updated")
    list_filter = ("category", "kind", "destinations", "owner")
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
        "owner",
        "notes",
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

    def save_model(self, request, obj, form, change):
        if "destinations" not in form.cleaned_data:
            return super().save_model(request, obj, form, change)
        obj._history_user = request.user
        obj._change_reason = self.change_reason(request, form, change)
        # The destinations are part of the edit: the same version, "Last updated" and history entry.
        obj.save_with_destinations(form.cleaned_data["destinations"])

    def change_each(self, request, queryset, reason, edit, done):
        """
        Apply `edit` to each selected activity and save it, as one all-or-nothing edit recorded in history;
        `done` (a count → message function) says what happened.
        """
        try:
            with transaction.atomic():
                count = 0
                for activity in queryset.select_related(None).order_by():
                    activity._history_user = request.user
                    activity._change_reason = reason
                    edit(activity)
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
        self.message_user(request, done(count), messages.SUCCESS)

    def set_each(self, request, queryset, reason, **changes):
        def edit(activity):
            for name, value in changes.items():
                setattr(activity, name, value)
            activity.save()

        def done(count):
            return ngettext("%(reason)s: %(count)d activity.", "%(reason)s: %(count)d activities.", count) % {
                "reason": reason,
                "count": count,
            }

        self.change_each(request, queryset, reason, edit, done)

    @admin.action(description="Move selected activities to a category…", permissions=("change",))
    def move_to_category(self, request, queryset):
        form = MoveToCategoryForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            category = form.cleaned_data["category"]
            self.set_each(request, queryset, f"Moved to {category.name}", category=category)
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
                "action": "move_to_category",
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="Set kind of selected activities: custom", permissions=("change",))
    def set_kind_custom(self, request, queryset):
        self.set_each(request, queryset, "Kind set to custom", kind=Activity.Kind.CUSTOM)

    @admin.action(description="Set kind of selected activities: system", permissions=("change",))
    def set_kind_system(self, request, queryset):
        self.set_each(request, queryset, "Kind set to system", kind=Activity.Kind.SYSTEM)

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
            how, chosen = form.cleaned_data["how"], set(form.cleaned_data["destinations"])
            names = get_text_list(sorted(destination.name for destination in chosen), "and") or "no destination"
            reason = {"add": f"Bulk: added {names}", "remove": f"Bulk: removed {names}", "set": f"Bulk: set to {names}"}

            def edit(activity):
                now = set(activity.destinations.all())
                wanted = {"add": now | chosen, "remove": now - chosen, "set": chosen}[how]
                if wanted != now:
                    activity.save_with_destinations(wanted)

            def done(count):
                message = {
                    "add": ngettext(
                        "Added %(names)s to %(count)d activity.", "Added %(names)s to %(count)d activities.", count
                    ),
                    "remove": ngettext(
                        "Removed %(names)s from %(count)d activity.",
                        "Removed %(names)s from %(count)d activities.",
                        count,
                    ),
                    "set": ngettext(
                        "Set the destinations of %(count)d activity to %(names)s.",
                        "Set the destinations of %(count)d activities to %(names)s.",
                        count,
                    ),
                }[how]
                return message % {"names": names, "count": count}

            self.change_each(request, queryset, reason[how], edit, done)
            return None
        return TemplateResponse(
            request,
            "admin/activities/activity/change_destinations.html",
            {
                **self.admin_site.each_context(request),
                "title": "Change destinations",
                "opts": self.model._meta,
                "form": form,
                "activities": queryset.prefetch_related("destinations"),
                "action": "change_destinations",
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


# The plan's decisions and the import of a plan file.
from activities import admin_plan  # noqa: E402, F401

# The zero-result log's admin lives beside the search code.
from activities.search import admin as search_admin  # noqa: E402, F401
