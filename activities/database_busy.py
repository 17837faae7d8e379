"""
An admin save that finds the database busy for longer than its timeout is refused like an invalid form:
the page comes back with everything the editor typed and a message saying to save again, never a 500.

SQLite takes its write lock when a save's transaction begins and waits for it up to the configured
timeout (explorer/settings.py); a long import can still hold it longer. PostgreSQL waits for row locks
without such a limit, so there this only answers a lock timeout an operator configured.
"""

from django.core.exceptions import ValidationError
from django.db import OperationalError

BUSY_MESSAGE = (
    "Not saved: the catalog was busy with another change for too long. Your edits are still in this form; "
    "save again in a moment."
)


def is_busy(error):
    """Whether this database error says another transaction held the lock (SQLite or PostgreSQL)."""
    text = str(error).lower()
    return "database is locked" in text or "lock timeout" in text or "could not obtain lock" in text


class RefuseWhenBusy:
    """A ModelAdmin mixin: a save that times out waiting for the database re-shows its form with BUSY_MESSAGE."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except OperationalError as error:
            if request.method != "POST" or not is_busy(error):
                raise
        # The admin's own view again, outside a transaction: rendering the bound form only reads, and reading
        # needs no lock. The form refuses itself (get_form below), so nothing is written.
        request.explorer_database_busy = True
        return self._changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not getattr(request, "explorer_database_busy", False):
            return form

        class RefusedBecauseBusy(form):
            def clean(self):
                raise ValidationError(BUSY_MESSAGE, code="database_busy")

        return RefusedBecauseBusy
