"""
The plan's decisions in the admin: a read-only list (decisions change on /sync-plan/, each a versioned edit), and
the import of a plan file as `plan.csv` or `plan.json` gives it (slug, destination, decision, reason, version).

An import is all or nothing: every row is checked first, and one bad or stale row (its decision changed since
the file was exported: another version now) refuses the whole file, saying which rows and why.
"""

import csv
import io
import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from activities.cells import from_text_cell
from activities.decisions import Choice, Decision, decide, effective
from activities.models import Activity, Destination


class PlanFileForm(forms.Form):
    plan_file = forms.FileField(
        label="Plan file", help_text="A plan.csv or plan.json downloaded from the sync plan, with its changes."
    )

    def clean_plan_file(self):
        upload = self.cleaned_data["plan_file"]
        if upload.size > settings.IMPORT_MAX_FILE_SIZE:
            raise forms.ValidationError(f"This file is over {settings.IMPORT_MAX_FILE_SIZE:,} bytes; split it.")
        try:
            text = upload.read().decode("utf-8-sig")
            rows = (
                json.loads(text) if upload.name.lower().endswith(".json") else list(csv.DictReader(io.StringIO(text)))
            )
        except (UnicodeDecodeError, ValueError, csv.Error) as error:
            raise forms.ValidationError(f"This file could not be read as a plan: {error}.") from error
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise forms.ValidationError("A plan file holds one row per activity and destination.")
        if len(rows) > settings.IMPORT_MAX_ROWS:
            raise forms.ValidationError(f"An import takes at most {settings.IMPORT_MAX_ROWS:,} rows; split the file.")
        return rows


def planned_changes(rows):
    """
    (changes, problems): the rows that change a decision, as (activity, destination, choice, reason, version),
    and a sentence for each row that cannot be imported. Reads the catalog in three queries.
    """
    activities = Activity.objects.in_bulk([str(row.get("slug", "")) for row in rows], field_name="slug")
    destinations = {destination.slug: destination for destination in Destination.objects.all()}
    stored = {
        (row.activity_id, row.destination_id): row
        for row in Decision.objects.filter(activity__in=list(activities.values()))
    }
    linked = set(
        Activity.destinations.through.objects.filter(activity__in=list(activities.values())).values_list(
            "activity_id", "destination_id"
        )
    )
    changes, problems = [], []
    for number, row in enumerate(rows, start=2):  # row 1 names the columns
        slug, where = str(row.get("slug", "")), str(row.get("destination", ""))
        activity, destination = activities.get(slug), destinations.get(where)
        choice, reason = str(row.get("decision", "")), from_text_cell(str(row.get("reason") or ""))
        if activity is None or destination is None:
            problems.append(f"Row {number}: no {'activity' if activity is None else 'destination'} “{slug or where}”.")
            continue
        if choice not in Choice.values:
            problems.append(f"Row {number}: “{choice}” is not a decision (sync, dont or undecided).")
            continue
        current = stored.get((activity.pk, destination.pk))
        version = current.version if current else 0
        if str(row.get("version", "")) != str(version):
            problems.append(
                f"Row {number}: {activity.name} for {destination.name} was changed after this file was exported "
                f"(version {version} now, “{row.get('version', '')}” in the file)."
            )
            continue
        # Compared with what the export wrote: the decision in force, and its reason only while it stands.
        now = effective((activity.pk, destination.pk) in linked, current)
        shown = current.reason if current is not None and current.decision == now else ""
        if choice != now or reason != shown:
            changes.append((activity, destination, choice, reason, version))
    return changes, problems


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ("activity", "destination", "decision", "reason", "decided_by", "decided_at")
    list_filter = ("destination", "decision")
    list_select_related = ("activity", "destination", "decided_by")
    search_fields = ("activity__name", "reason")
    change_list_template = "admin/activities/decision/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        own = [path("import/", self.admin_site.admin_view(self.import_plan), name="activities_decision_import")]
        return own + super().get_urls()

    def import_plan(self, request):
        """Upload a plan file: every row checked, then every change saved in one transaction, or none."""
        form = PlanFileForm(request.POST or None, request.FILES or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            changes, problems = planned_changes(form.cleaned_data["plan_file"])
            if not problems:
                with transaction.atomic():
                    for activity, destination, choice, reason, version in changes:
                        stored = Decision.objects.select_for_update().filter(activity=activity, destination=destination)
                        seen = stored.first()
                        if (seen.version if seen else 0) != version:
                            problems.append(f"{activity.name} for {destination.name} changed during the import.")
                            transaction.set_rollback(True)
                            break
                        decide(activity, destination, choice, reason, request.user, many="Plan file imported")
                if not problems:
                    messages.success(request, f"Imported the plan file: {len(changes)} decisions changed.")
                    return redirect("admin:activities_decision_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Import a plan file",
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/activities/decision/import_plan.html", context)
