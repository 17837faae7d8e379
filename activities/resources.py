"""
Spreadsheet rows in and out of the catalog (django-import-export).

Rows are matched by slug; an activity names its category by slug, and its destinations by their slugs,
separated by spaces. A row may carry the `version` it was exported at: when the row's activity has been
saved since, the row is refused rather than overwriting that newer change. A row without a version applies
to whatever is current, as a hand-written file would.

Every refusal is a sentence about the cell (the preview names the row and the column), never a Python
exception's name.
"""

from collections import defaultdict

from diff_match_patch import diff_match_patch
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import UniqueConstraint
from django.db.models.functions import Lower
from django.utils.encoding import force_str
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from import_export import fields, resources
from import_export.instance_loaders import CachedInstanceLoader

from activities.cell_widgets import CategorySlugWidget, DestinationSlugs, Text, Timestamp, WholeNumber
from activities.cells import from_text_cell
from activities.edits import changes_between, comparable, field_values, version_values
from activities.models import Activity, Category
from activities.versioning import save_all, set_related_all


def change_reason(file_name):
    """What history says about a row this import wrote."""
    return f"Import of {file_name}" if file_name else "Import"


class DestinationsField(fields.Field):
    """
    The activity's destinations. They are saved with the rest of the row, as one versioned edit with one history
    entry (ActivityResource.after_save_all): not after it, on their own.
    """

    def __init__(self):
        super().__init__(attribute="destinations", column_name="destinations", widget=DestinationSlugs())

    def get_value(self, instance):
        if hasattr(instance, "destination_slugs"):
            # Exports read the slugs annotated on each row (`with_destination_slugs`), in the rows' own query.
            return (instance.destination_slugs or "").split()
        return super().get_value(instance)

    def save(self, instance, row, is_m2m=False, **kwargs):
        pass


class VersionField(fields.Field):
    """The version a row was exported at: checked against the row's current version, never written."""

    def __init__(self):
        super().__init__(attribute="version", column_name="version", widget=WholeNumber())

    def save(self, instance, row, is_m2m=False, **kwargs):
        exported = self.clean(row, **kwargs)
        if exported is not None and instance.pk is not None and exported != instance.version:
            # Judged once the whole row is read (VersionedResource.stale_row): which cells did this file change?
            instance.exported_version = exported


class VersionedResource(resources.ModelResource):
    """
    Rows keyed by slug, read cell by cell with refusals in words; each saved row's history names the file.

    The confirmed import writes the rows that change once all are read and checked (Meta.use_bulk): new rows
    in one insert, the others in one update after one check of their versions, their history entries in one
    more (versioning.save_all), all in the import's one transaction.
    """

    WIDGETS_MAP = {
        **resources.ModelResource.WIDGETS_MAP,
        "CharField": Text,
        "SlugField": Text,
        "TextField": Text,
        "PositiveIntegerField": WholeNumber,
    }
    # The preview shows what an import changes; these change on every save, so they would only hide it.
    NOT_PREVIEWED = ("version", "updated")
    READ_FROM_DATABASE = ()

    version = VersionField()

    def import_data(self, dataset, *args, **kwargs):
        missing = [column for column in self._meta.import_id_fields if column not in (dataset.headers or ())]
        if missing:
            # Refused before any row is read: every row would otherwise fail on its own.
            result = self.get_result_class()()
            result.append_base_error(self.get_error_result_class()(ValueError(missing_columns(missing, dataset))))
            return result
        return super().import_data(dataset, *args, **kwargs)

    def before_import(self, dataset, **kwargs):
        # The columns each row must hold alone (names ignoring case, as the database compares them). The
        # preview writes nothing, so a clash between two rows of the file is found here, not by the database.
        self.rows_by_value = {}
        for column in (self._meta.import_id_fields[0], "name"):
            if column in (dataset.headers or ()):
                self.rows_by_value[column] = defaultdict(list)
                for number, value in enumerate(dataset[column], 1):
                    self.rows_by_value[column][str(value or "").strip().casefold()].append(number)
        # The rows of the catalog that hold one of the file's names (ignoring case), read once for every row's
        # check. A slug needs no such check: it is the key, so a row's slug is either its own or nobody's.
        names = dataset["name"] if "name" in (dataset.headers or ()) else ()
        keys = {from_text_cell(str(name)).lower() for name in names if name is not None}
        named = self._meta.model._base_manager.annotate(key=Lower("name")).filter(key__in=keys)
        self.named = dict(named.values_list("key", "pk"))

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if not errors and (stale := self.stale_row(instance, row, kwargs.get("on_top", False))):
            errors["version"] = [stale]
        for column, repeated in self.repeated_values(row, kwargs.get("row_number")):
            errors.setdefault(column, []).append(repeated)
        if errors:
            raise ValidationError(errors)

    def stale_row(self, instance, row, on_top):
        """
        For a row exported before its activity's latest save: None when it can be applied (the file changes
        none of the cells changed since, or the editor asked to apply the file's changes on top), after
        putting the newer values back into the cells the file did not change; else the refusal, in words.
        """
        exported = getattr(instance, "exported_version", None)
        if exported is None:
            return None
        current = type(instance)._base_manager.get(pk=instance.pk)
        names = [
            field.attribute
            for field in self.get_import_fields()
            if field.column_name in row and not field.readonly and field.attribute not in ("version", "slug")
        ]
        base = version_values(current, exported, names)
        theirs = field_values(current, names)
        if base is None:
            if on_top:
                return None
            return (
                f"“{current}” was changed after this file was exported (file: version {exported}, now: version "
                f"{current.version}), and its history does not say what version {exported} held. To write this "
                "row as it is over the newer version, tick “Apply my changes on top of newer versions” and import "
                "the file again."
            )
        mine = [name for name in names if comparable(self.cell_value(instance, name, row)) != comparable(base[name])]
        if mine and not on_top:
            changes = "; ".join(f"{c.label}: {c.before} → {c.after}" for c in changes_between(current, base, theirs))
            labels = ", ".join(self.fields[name].column_name for name in mine)
            return (
                f"“{current}” was changed after this file was exported (file: version {exported}, now: version "
                f"{current.version}). Changed since: {changes or 'nothing this file holds'}. This row changes "
                f"{labels}. To apply only those cells on top of the newer version, tick “Apply my changes on top "
                "of newer versions” and import the file again."
            )
        for name in names:
            if name not in mine:
                self.keep_current(instance, name, theirs[name])
        return None

    def cell_value(self, instance, name, row):
        """The row's value for a model field, as `field_values` reads the stored row (pks for relations)."""
        field = instance._meta.get_field(name)
        if field.many_to_many:
            return [item.pk for item in self.fields[name].clean(row)]
        return getattr(instance, field.attname)

    def keep_current(self, instance, name, value):
        """Leave this field as the newer version has it: the file did not change it."""
        field = instance._meta.get_field(name)
        if field.many_to_many:
            instance.keep_destinations = True
        else:
            setattr(instance, field.attname, value)

    def repeated_values(self, row, number):
        """(column, refusal) for each value of this row that an earlier row of the same file already has."""
        for column, rows in self.rows_by_value.items():
            value = str(row.get(column) or "").strip()
            earlier = [other for other in rows.get(value.casefold(), ()) if other < (number or 0)]
            if value and earlier:
                yield (
                    column,
                    f"Row {earlier[0]} has this {column} too (“{value}”): a file may hold each {column} only once.",
                )

    def before_save_instance(self, instance, row, **kwargs):
        instance._change_reason = change_reason(kwargs.get("file_name"))

    def save_instance(self, instance, is_create, row, **kwargs):
        if kwargs.get("dry_run"):
            # The preview's writes would only be rolled back: each row has been read and checked by now (its
            # cells, uniqueness and version), so the preview writes nothing, as the library's own dry run
            # without a transaction does. The confirmation writes every row, all or nothing.
            self.before_save_instance(instance, row, **kwargs)
            self.after_save_instance(instance, row, **kwargs)
            return
        super().save_instance(instance, is_create, row, **kwargs)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self.write_all(self.create_instances, True, result, raise_errors)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self.write_all(self.update_instances, False, result, raise_errors)

    def write_all(self, instances, adding, result, raise_errors):
        """Write the rows that change, with their history; a failure (a stale version) refuses the whole file."""
        try:
            if instances:
                with transaction.atomic():
                    self.after_save_all(instances, save_all(instances, adding))
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            instances.clear()

    def after_save_all(self, instances, entries):
        """What else the written rows and their history `entries` hold; nothing more by default."""

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        # The model's check constraints restate its fields' own checks (not blank, one of the choices), which
        # full_clean runs first. Its unique name is checked against the names read in before_import. Fields
        # whose widget has just read the value from the database are not looked up there again.
        found = [name for name in self.READ_FROM_DATABASE if getattr(instance, f"{name}_id", None) is not None]
        exclude = {*errors, *found}
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "name" not in errors and self.named.get((instance.name or "").lower(), instance.pk) != instance.pk:
            errors["name"] = [name_taken(instance)]
        if errors:
            raise ValidationError(errors)

    def get_diff_headers(self):
        return [field.column_name for field in self.get_import_fields() if field.column_name not in self.NOT_PREVIEWED]

    def get_diff_class(self):
        return PreviewDiff


class PreviewDiff(resources.Diff):
    """The preview's diff of a row, without the columns that every save changes, marked up without inline styles."""

    def __init__(self, resource, instance, new):
        self.left, self.right, self.new = self.previewed(resource, instance), [], new

    def compare_with(self, resource, instance):
        self.right = self.previewed(resource, instance)

    @staticmethod
    def previewed(resource, instance):
        fields = resource.get_import_fields()
        return [field.export(instance) for field in fields if field.column_name not in resource.NOT_PREVIEWED]

    def as_html(self):
        cells = []
        for before, after in zip(self.left, self.right, strict=True):
            changes = diff_match_patch().diff_main(force_str("" if self.new else before), force_str(after))
            diff_match_patch().diff_cleanupSemantic(changes)
            cells.append(mark_safe("".join(format_html(MARKUP[op], text) for op, text in changes)))
        return cells


# How each part of a diff shows: inserted, deleted, unchanged (the CSP refuses diff_match_patch's inline styles).
MARKUP = {
    diff_match_patch.DIFF_INSERT: "<ins>{}</ins>",
    diff_match_patch.DIFF_DELETE: "<del>{}</del>",
    diff_match_patch.DIFF_EQUAL: "{}",
}


def name_taken(instance):
    """The refusal of a name another row holds (ignoring case): the model's unique constraint's message."""
    [unique] = [constraint for constraint in instance._meta.constraints if isinstance(constraint, UniqueConstraint)]
    return unique.get_violation_error_message()


def missing_columns(missing, dataset):
    found = ", ".join(f"“{header}”" for header in dataset.headers or ()) or "none"
    names = ", ".join(f"“{column}”" for column in missing)
    return (
        f"The file has no {names} column: every row needs one, to say which row of the catalog it creates or "
        f"updates. The first row of the file must name the columns; it names: {found}."
    )


class CategoryResource(VersionedResource):
    class Meta:
        model = Category
        import_id_fields = ("slug",)
        fields = ("slug", "name", "description", "position", "version")
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = False
        use_transactions = True
        use_bulk = True


class ActivityResource(VersionedResource):
    READ_FROM_DATABASE = ("category",)

    category = fields.Field(attribute="category", column_name="category", widget=CategorySlugWidget())
    destinations = DestinationsField()
    # Read-only columns for people reading the export; an import ignores them.
    category_name = fields.Field(attribute="category__name", column_name="category_name", readonly=True)
    updated = fields.Field(attribute="updated", column_name="updated", readonly=True, widget=Timestamp())

    class Meta:
        model = Activity
        import_id_fields = ("slug",)
        fields = (
            "slug",
            "name",
            "category",
            "category_name",
            "kind",
            "position",
            "definition",
            "destinations",
            "updated",
            "version",
        )
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = False
        use_transactions = True
        use_bulk = True
        # The file's activities, read in one query (their categories and destinations with them).
        instance_loader_class = CachedInstanceLoader

    def get_queryset(self):
        return super().get_queryset().select_related("category").prefetch_related("destinations")

    def after_init_instance(self, instance, new, row, **kwargs):
        # The row's destinations as loaded (none, if it is new), kept on it and on the preview's copy of it.
        instance.destinations_known = [] if new else list(instance.destinations.all())

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # The row's destinations are compared with those loaded with it: the library would read them again.
        field = self.fields["destinations"]
        if field.column_name in row and not import_validation_errors:
            if {item.pk for item in field.clean(row)} != {item.pk for item in instance.destinations_known}:
                return False
            row = {column: value for column, value in row.items() if column != field.column_name}
        return super().skip_row(instance, original, row, import_validation_errors)

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        field = self.fields["destinations"]
        wanted = (
            field.clean(row) if field.column_name in row and not getattr(instance, "keep_destinations", False) else None
        )
        same = wanted is None or {item.pk for item in wanted} == {item.pk for item in instance.destinations_known}
        instance.imported_destinations = None if same else wanted

    def after_save_all(self, instances, entries):
        wanted = [instance.imported_destinations for instance in instances]
        set_related_all(instances, entries, "destinations", wanted)

    def filter_export(self, queryset, **kwargs):
        return super().filter_export(queryset, **kwargs).with_destination_slugs()
