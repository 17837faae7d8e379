"""
The search index's tables, as unmanaged models so that the ORM and the backends name them by model:
migrations create them (with triggers that keep them current), Django never alters them.
"""

from django.db import models


class FullTextIndex(models.TextField):
    """FTS5's hidden column named after its table: the left side of a MATCH and the first argument of bm25()."""


@FullTextIndex.register_lookup
class Match(models.Lookup):
    """`index__match=expression`: the rows an FTS5 match expression finds, read from the index."""

    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class SearchState(models.Model):
    """One row whose token the search triggers change on every write to activities or synonyms (migration 0002)."""

    token = models.BigIntegerField()

    class Meta:
        app_label = "activities"
        managed = False
        db_table = "activities_searchstate"

    def __str__(self):
        return f"search state {self.token}"


class ActivitySearchEntry(models.Model):
    """
    An activity's row in SQLite's FTS5 index (migrations 0002, 0008, 0017), kept by triggers: its rowid is the
    id, its columns the activity's name and definition and its category's name and description (search/document.py).
    An activity reaches it as `search_entry`, so that the ORM joins the index to the activities it ranks.
    """

    activity = models.OneToOneField(
        "activities.Activity",
        on_delete=models.DO_NOTHING,
        primary_key=True,
        db_column="rowid",
        related_name="search_entry",
    )
    name = models.TextField()
    definition = models.TextField()
    category = models.TextField()
    index = FullTextIndex(db_column="activities_activity_fts", editable=False)

    class Meta:
        app_label = "activities"
        managed = False
        db_table = "activities_activity_fts"

    def __str__(self):
        return self.name


class SearchWord(models.Model):
    """A real (unstemmed) word of PostgreSQL's typo vocabulary and how many activities hold it, kept by triggers."""

    word = models.TextField(primary_key=True)
    documents = models.IntegerField()

    class Meta:
        app_label = "activities"
        managed = False
        db_table = "activities_searchword"

    def __str__(self):
        return self.word
