"""
The admin's base for catalog rows that editors change: history and revert, import and export, and saves
that never overwrite a newer version or lose the editor's input.
"""

from django.contrib import messages
from django.db import models, transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import get_text_list
from django.utils.timezone import localtime
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from activities.admin_imports import SafeImportExportMixin
from activities.database_busy import RefuseWhenBusy
from activities.edits import changes_between, edited_fields, entry_values, field_values
from activities.forms import VersionedModelForm, history_url
from activities.versioning import StaleEdit


def is_text(model, name):
    """Whether a field holds prose or a name, whose changes read best word by word."""
    field = model._meta.get_field(name)
    return isinstance(field, models.CharField | models.TextField) and not field.choices


class WordDiffContextHelper(HistoricalRecordContextHelper):
    """History's changes as simple-history shows them, with each text field's two values for a word diff."""

    def context_for_delta_changes(self, delta):
        context = super().context_for_delta_changes(delta)
        for shown, change in zip(context, delta.changes, strict=True):
            if is_text(self.model, change.field):
                shown["words"] = (change.old or "", change.new or "")
        return context


class CatalogEditAdmin(RefuseWhenBusy, SafeImportExportMixin, SimpleHistoryAdmin):
    """History, revert, import and export; every save refuses to overwrite a newer version."""

    form = VersionedModelForm

    def get_historical_record_context_helper(self, request, historical_record):
        # Definitions are a few sentences: show them whole, so the diff shows what actually changed.
        return WordDiffContextHelper(self.model, historical_record, max_displayed_delta_change_chars=2000)

    object_history_form_template = "admin/revert_form.html"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self.checked_again_if_stale(request, super().changeform_view, object_id, form_url, extra_context)

    def checked_again_if_stale(self, request, view, *args):
        """
        Run an editing view; if someone saved between its form's check and its write (the whole save is rolled
        back), run it once more, so that the form's own check shows the change and keeps the editor's input.
        """
        try:
            return view(request, *args)
        except StaleEdit:
            pass
        try:
            return view(request, *args)
        except StaleEdit as error:
            return self.refuse_stale(request, error)

    def refuse_stale(self, request, error):
        # The last resort, when the row kept changing under both attempts: say so, and where to look.
        self.message_user(
            request,
            format_html('{} <a href="{}">See what changed in its history.</a>', error, history_url(error.instance)),
            messages.ERROR,
        )
        return HttpResponseRedirect(request.get_full_path())

    def get_object(self, request, object_id, from_field=None):
        if request.method == "POST" and object_id is not None:
            # Hold the row until this save commits: no other save can land between the form's check and
            # the write (PostgreSQL; SQLite's writers already take the whole database at the start).
            self.model._base_manager.select_for_update().filter(pk=object_id).values_list("pk").first()
        return super().get_object(request, object_id, from_field)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """The revert page: what reverting would change, then the revert itself, as one versioned edit."""
        entry = get_object_or_404(self.model.history.model, id=object_id, history_id=version_id)
        current = get_object_or_404(self.model, pk=object_id)
        request.reverting_to = entry
        names = self.revert_fields()
        context = {
            "revert_changes": changes_between(current, field_values(current, names), entry_values(entry, names)),
            "reverting_to_date": entry.history_date,
            **(extra_context or {}),
        }
        return self.checked_again_if_stale(request, self.revert_view, object_id, version_id, context)

    def revert_view(self, request, object_id, version_id, context):
        with transaction.atomic():
            if request.method == "POST":
                self.model._base_manager.select_for_update().filter(pk=object_id).values_list("pk").first()
            return super().history_form_view(request, object_id, version_id, context)

    def revert_fields(self):
        return edited_fields(self.model, [name for name in self.fields if name not in self.readonly_fields])

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        obj._change_reason = self.change_reason(request, form, change)
        obj.save()

    def change_reason(self, request, form, change):
        """What history says about a save from the admin's form: never a bare “None”."""
        reverting_to = getattr(request, "reverting_to", None)
        if reverting_to is not None:
            return f"Reverted to the version of {date_format(localtime(reverting_to.history_date), 'j M Y H:i')}"
        if not change:
            return "Added in the admin"
        labels = [str(form.fields[name].label or name).lower() for name in form.changed_data]
        return f"Changed {get_text_list(labels, 'and')}" if labels else "Saved unchanged"

    def delete_model(self, request, obj):
        obj._history_user = request.user
        obj._change_reason = "Deleted in the admin"
        obj.delete()

    def delete_queryset(self, request, queryset):
        # One at a time, so history records who deleted each row and why.
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)
