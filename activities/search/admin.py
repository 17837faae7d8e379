"""The zero-result log in the admin: the most frequent misses first, and an action that adds a synonym."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from activities.models import Synonym
from activities.search.misses import SearchMiss, matches_every_word


class SynonymOfForm(forms.Form):
    equivalents = forms.CharField(
        label="Catalog words",
        max_length=500,
        help_text="Words or phrases the catalog uses for the same thing, separated by commas, e.g. “unsubscribe”.",
    )


@admin.register(SearchMiss)
class SearchMissAdmin(admin.ModelAdmin):
    list_display = ("query", "count", "outcome", "day", "last_seen", "resolved")
    list_filter = ("resolved", "outcome", "day")
    search_fields = ("query",)
    ordering = ("-count", "-last_seen")
    readonly_fields = ("query", "day", "outcome", "count", "last_seen")
    actions = ("add_as_synonym",)
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    @admin.action(description="Add as synonym of…", permissions=("change",))
    def add_as_synonym(self, request, queryset):
        form = SynonymOfForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self.add_synonyms(request, queryset, form.cleaned_data["equivalents"])
            return None
        return TemplateResponse(
            request,
            "admin/activities/searchmiss/add_as_synonym.html",
            {
                **self.admin_site.each_context(request),
                "title": "Add searches as synonyms",
                "opts": self.model._meta,
                "form": form,
                "activities": queryset,
                "action": "add_as_synonym",
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def add_synonyms(self, request, queryset, equivalents):
        """Make each selected query a synonym of the catalog words; mark resolved those that now match."""
        added, resolved = [], 0
        for text in dict.fromkeys(queryset.values_list("query", flat=True)):
            term = text[: Synonym._meta.get_field("term").max_length]
            synonym = Synonym.objects.filter(term=term).first()
            if synonym is None:
                Synonym.objects.create(term=term, equivalents=equivalents)
            else:
                known = {form.strip().lower() for form in synonym.equivalents.split(",")}
                extra = [form.strip() for form in equivalents.split(",") if form.strip().lower() not in known]
                if extra:
                    synonym.equivalents = ", ".join([synonym.equivalents, *extra])
                    synonym.save(update_fields=["equivalents"])
            added.append(term)
            if matches_every_word(text):
                resolved += SearchMiss.objects.filter(query=text).update(resolved=True)
        self.message_user(
            request,
            f"Added {len(added)} synonym{'s' if len(added) != 1 else ''} of “{equivalents}”; "
            f"{resolved} logged search{'es' if resolved != 1 else ''} now match and are marked resolved.",
            messages.SUCCESS,
        )
