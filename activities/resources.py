"""
Spreadsheet rows in and out of the catalog (django-import-export).

Rows are matched by slug; an activity names its category by slug. A row may
carry the `version` it was exported at: when the row's activity has been saved
since, the row is refused rather than overwriting that newer change. A row
without a version applies to whatever is current, as a hand-written file would.
"""

from import_export import fields, resources, widgets

from activities.models import Activity, Category


class CategorySlugWidget(widgets.ForeignKeyWidget):
    """A category looked up by slug, with a row error that names the slug when there is none."""

    def __init__(self):
        super().__init__(Category, field="slug")

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row=row, **kwargs)
        except Category.DoesNotExist:
            raise ValueError(f"There is no category with the slug “{value}”.") from None


class VersionField(fields.Field):
    """The version a row was exported at: checked against the row's current version, never written."""

    def __init__(self):
        super().__init__(attribute="version", column_name="version", widget=widgets.IntegerWidget())

    def save(self, instance, row, is_m2m=False, **kwargs):
        exported = self.clean(row, **kwargs)
        if exported is None or instance.pk is None:
            return
        if exported != instance.version:
            raise ValueError(
                f"“{instance}” was changed after this file was exported (file: version {exported}, "
                f"now: version {instance.version}). See its history in the admin, export again and redo the edit."
            )


class VersionedResource(resources.ModelResource):
    version = VersionField()


class CategoryResource(VersionedResource):
    class Meta:
        model = Category
        import_id_fields = ("slug",)
        fields = ("slug", "name", "description", "position", "version")
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True


class ActivityResource(VersionedResource):
    category = fields.Field(attribute="category", column_name="category", widget=CategorySlugWidget())
    # Read-only columns for people reading the export; an import ignores them.
    category_name = fields.Field(attribute="category__name", column_name="category_name", readonly=True)
    updated = fields.Field(attribute="updated", column_name="updated", readonly=True, widget=widgets.DateTimeWidget())

    class Meta:
        model = Activity
        import_id_fields = ("slug",)
        fields = ("slug", "name", "category", "category_name", "kind", "position", "definition", "updated", "version")
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
