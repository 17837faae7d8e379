"""
The admin's import and export (django-import-export), made safe for files from anywhere.

- Exports: CSV with a byte-order mark, and no cell of a CSV or XLSX file that a spreadsheet would run as a
  formula (the public exports' guard, activities/cells.py).
- Imports: a file over IMPORT_MAX_FILE_SIZE or IMPORT_MAX_ROWS is refused before it is parsed whole. The
  upload waits for its confirmation under a name the server chose, recorded in the uploader's session: the
  confirmation accepts only that name, with its format, from that user, and answers 400 to anything else.
  Previews not confirmed within IMPORT_PREVIEW_MAX_AGE seconds are removed.
"""

import csv
import io
import json
import re
import secrets
import time
import zipfile
from itertools import islice
from pathlib import Path

from django import forms
from django.conf import settings
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ImportForm, SelectableFieldsExportForm
from import_export.tmp_storages import BaseStorage
from tablib import InvalidDimensions

from activities.cells import as_text_cell
from activities.exports import spreadsheet_csv

PREVIEWS_KEY = "import_previews"
PREVIEW_NAME = re.compile(r"[0-9a-f]{32}")


class FileRefused(ValueError):
    """A file the import will not read, with the sentence that tells the editor why and what to do."""


def too_many_rows(what_it_holds):
    return FileRefused(
        f"This file {what_it_holds}; an import takes at most {settings.IMPORT_MAX_ROWS:,} rows. "
        "Split it into smaller files and import each one."
    )


def over_the_row_limit(rows):
    """Whether these rows, read one by one and never past the limit, outnumber it (the first row names columns)."""
    return sum(1 for _ in islice(rows, settings.IMPORT_MAX_ROWS + 2)) - 1 > settings.IMPORT_MAX_ROWS


# django-import-export's own IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT does not do this job: it drops a leading
# "=" (changing the data), leaves "+", "-", "@", tab and CR alone, and turns every cell into text, numbers too.


class CSVFile(base_formats.CSV):
    CONTENT_TYPE = "text/csv; charset=utf-8"

    def create_dataset(self, in_stream, **kwargs):
        text = in_stream.decode(self.encoding) if isinstance(in_stream, bytes) else in_stream
        # Counted as they stream, before tablib builds every row: 2 MB of empty lines are a million rows.
        if over_the_row_limit(csv.reader(io.StringIO(text))):
            raise too_many_rows(f"has more than {settings.IMPORT_MAX_ROWS:,} rows")
        return super().create_dataset(text, **kwargs)

    def export_data(self, dataset, **kwargs):
        return spreadsheet_csv(dataset)


class JSONFile(base_formats.JSON):
    def create_dataset(self, in_stream, **kwargs):
        text = in_stream.decode(self.encoding) if isinstance(in_stream, bytes) else in_stream
        rows = json.loads(text)
        if not isinstance(rows, list):
            raise FileRefused("This JSON file is not a list of rows: it must start with [ and hold one {…} per row.")
        if len(rows) > settings.IMPORT_MAX_ROWS:
            raise too_many_rows(f"has {len(rows):,} rows")
        return super().create_dataset(text, **kwargs)


class XLSXFile(base_formats.XLSX):
    def create_dataset(self, in_stream):
        import openpyxl

        # An XLSX file is a zip: a small file can unpack to gigabytes, so its declared sizes are checked first.
        with zipfile.ZipFile(io.BytesIO(in_stream)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > settings.IMPORT_MAX_FILE_SIZE * settings.IMPORT_MAX_XLSX_EXPANSION:
            raise FileRefused(
                f"This spreadsheet unpacks to {unpacked / 1e6:,.0f} MB, more than an import takes. "
                "Save it as CSV, or split it into smaller files."
            )
        book = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=True)
        try:
            sheet = book.active
            if (sheet.max_row or 0) - 1 > settings.IMPORT_MAX_ROWS:
                raise too_many_rows(f"declares {sheet.max_row - 1:,} rows")
            # A sheet may not declare its size: its rows are then counted as they stream.
            if over_the_row_limit(sheet.iter_rows(values_only=True)):
                raise too_many_rows(f"has more than {settings.IMPORT_MAX_ROWS:,} rows")
        finally:
            book.close()
        return super().create_dataset(in_stream)

    def export_data(self, dataset, **kwargs):
        guarded = dataset.__class__(
            *(tuple(as_text_cell(cell) if isinstance(cell, str) else cell for cell in row) for row in dataset),
            headers=dataset.headers,
        )
        return super().export_data(guarded, **kwargs)


FORMATS = (CSVFile, JSONFile, XLSXFile)


def preview_folder():
    return Path(settings.IMPORT_PREVIEW_DIR)


def remove_abandoned_previews():
    """Delete previews older than IMPORT_PREVIEW_MAX_AGE: each was uploaded and never confirmed."""
    folder = preview_folder()
    if not folder.is_dir():
        return
    oldest = time.time() - settings.IMPORT_PREVIEW_MAX_AGE
    for path in folder.iterdir():
        try:
            if PREVIEW_NAME.fullmatch(path.name) and path.stat().st_mtime < oldest:
                path.unlink()
        except FileNotFoundError:
            pass  # confirmed or removed by another worker meanwhile


class PreviewStorage(BaseStorage):
    """An uploaded file kept from its preview to its confirmation, under a random name the server chose."""

    def save(self, data):
        remove_abandoned_previews()
        preview_folder().mkdir(parents=True, exist_ok=True)
        self.name = secrets.token_hex(16)
        self.path().write_bytes(data)

    def read(self):
        data = self.path().read_bytes()
        return data.decode(self.encoding) if self.read_mode == "r" and self.encoding else data

    def remove(self):
        self.path().unlink(missing_ok=True)

    def path(self):
        if not PREVIEW_NAME.fullmatch(self.name or ""):
            raise FileNotFoundError("not a preview's name")
        return preview_folder() / self.name


def megabytes(size):
    return f"{size / 1_000_000:.1f}".removesuffix(".0") + " MB"


class CSVFirst:
    """The format picker starts at CSV, the format spreadsheets and the public export share."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.fields["format"].initial = str(formats.index(CSVFile))


class BoundedImportForm(CSVFirst, ImportForm):
    on_top = forms.BooleanField(
        required=False,
        label="Apply my changes on top of newer versions",
        help_text="For rows whose activity was saved after the file was exported: apply only the cells this "
        "file changes, and keep the newer values of the rest. Unticked, such rows are refused with what changed.",
    )

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > settings.IMPORT_MAX_FILE_SIZE:
            raise forms.ValidationError(
                f"This file is {megabytes(upload.size)}; an import takes files up to "
                f"{megabytes(settings.IMPORT_MAX_FILE_SIZE)}. Split it into smaller files and import each one."
            )
        return upload


class CSVFirstExportForm(CSVFirst, SelectableFieldsExportForm):
    pass


class SafeImportExportMixin(ImportExportMixin):
    """Import and export for CatalogEditAdmin: bounded, owned previews and formula-free files."""

    formats = FORMATS
    import_form_class = BoundedImportForm
    export_form_class = CSVFirstExportForm
    tmp_storage_class = PreviewStorage
    import_template_name = "admin/import_export/activities_import.html"
    export_template_name = "admin/import_export/activities_export.html"

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, FileRefused):
            form.add_error("import_file", str(e))
        elif isinstance(e, UnicodeDecodeError):
            form.add_error(
                "import_file",
                "This file is not UTF-8 text, so nothing was imported. "
                "Save it as “CSV UTF-8” (or as XLSX) and upload it again.",
            )
        elif isinstance(e, InvalidDimensions):
            form.add_error("import_file", "This file could not be read: every row must have the same columns.")
        else:
            form.add_error(
                "import_file",
                "This file could not be read in the format chosen below. Choose the file's own format "
                "(CSV, JSON or XLSX) and upload it again.",
            )

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        upload = getattr(context.get("form"), "cleaned_data", {}).get("import_file")
        stored = getattr(upload, "tmp_storage_name", None)
        if stored and "confirm_form" not in context:
            # Nothing to confirm: the file is refused, so it is not kept.
            PreviewStorage(name=stored).remove()
        return response

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            # The session forgets previews past their age, as the folder does.
            oldest = time.time() - settings.IMPORT_PREVIEW_MAX_AGE
            previews = {
                name: kept for name, kept in request.session.get(PREVIEWS_KEY, {}).items() if kept["at"] > oldest
            }
            previews[initial["import_file_name"]] = {
                "user": request.user.pk,
                "model": self.opts.label,
                "format": str(initial["format"]),
                "resource": str(initial["resource"]),
                "file_name": initial["original_file_name"],
                "on_top": import_form.cleaned_data.get("on_top", False),
                "at": time.time(),
            }
            request.session[PREVIEWS_KEY] = previews
        return initial

    def process_import(self, request, **kwargs):
        remove_abandoned_previews()
        name = request.POST.get("import_file_name", "")
        preview = request.session.get(PREVIEWS_KEY, {}).get(name)
        if not self.confirms(request, preview):
            return TemplateResponse(
                request,
                "admin/import_export/activities_import_refused.html",
                {**self.admin_site.each_context(request), "opts": self.opts, "title": "Import not confirmed"},
                status=400,
            )
        previews = request.session[PREVIEWS_KEY]
        del previews[name]
        request.session[PREVIEWS_KEY] = previews
        # The confirmation applies the file as it was previewed, on top of newer versions or not.
        request.import_on_top = preview.get("on_top", False)
        return super().process_import(request, file_name=preview["file_name"], **kwargs)

    def confirms(self, request, preview):
        """Whether this POST confirms a preview this user made here, of this file, in its format, still kept."""
        if preview is None or request.method != "POST":
            return False
        return (
            preview["user"] == request.user.pk
            and preview["model"] == self.opts.label
            and preview["format"] == request.POST.get("format")
            and preview["resource"] == request.POST.get("resource", "")
            and time.time() - preview["at"] < settings.IMPORT_PREVIEW_MAX_AGE
            and PreviewStorage(name=request.POST["import_file_name"]).path().is_file()
        )

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            rows = sorted([row.number for row in result.invalid_rows] + [number for number, _ in result.row_errors()])
            # Without a row to name, the refusal says itself why: a row saved by someone else as the file was written.
            why = "; ".join(str(error.error).removesuffix(".") for error in result.base_errors)
            if rows:
                why = f"the data changed since the preview and row(s) {', '.join(map(str, rows))} no longer apply"
            self.message_user(
                request, f"Nothing was imported: {why}. Upload the file again to see a fresh preview.", "error"
            )
            return HttpResponseRedirect(reverse("admin:{}_{}_import".format(*self.get_model_info())))
        return super().process_result(result, request)

    def get_import_data_kwargs(self, **kwargs):
        form, request = kwargs.get("form"), kwargs.get("request")
        if isinstance(form, BoundedImportForm):
            on_top = form.cleaned_data.get("on_top", False)
        else:
            on_top = getattr(request, "import_on_top", False)
        # The confirmed import re-checks every row: one that no longer validates rolls the whole file back.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True, "on_top": on_top}
