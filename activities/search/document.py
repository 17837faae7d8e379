"""
An activity's search document: its name, its definition and, as a third and lowest field, its category's name
and description, so that a query naming a category ("talk", "knowledge base") finds that category's activities.

The database keeps the documents current itself, on every write path (admin, fixtures, QuerySet.update(),
raw SQL): an activity's write re-indexes the activity, a category's rename or new description re-indexes
the category's activities. This module holds that DDL for both engines, installed by migration 0017 (a
change to it needs a migration of its own, and 0017 then a frozen copy of what it installed, as 0002 has).

- SQLite: the FTS5 index and its unstemmed twin hold the three columns and store their own text. An index
  whose content is read from elsewhere would need a view joining the two tables, and a view naming the
  activities table makes every later table rebuild of a migration fail on SQLite.
- PostgreSQL: the weighted tsvector `search_vector` (name A, definition B, category D) is set by a trigger
  before each write, as a generated column cannot read another table. The typo vocabulary counts the
  category's words too, so that a category's word is never "corrected".
"""

FTS = "activities_activity_fts"
WORDS_FTS = "activities_activity_words"
# The category's text as both engines index it: its name, then its description.
CATEGORY_TEXT = "{table}.name || ' ' || {table}.description"

# Every activity's document, for filling the SQLite index.
SQLITE_DOCUMENTS = f"""
    SELECT activity.id, activity.name, activity.definition, {CATEGORY_TEXT.format(table="category")}
    FROM activities_activity activity JOIN activities_category category ON category.id = activity.category_id"""


def sqlite_tables(stemmed_prefixes):
    """The statements that create SQLite's two indexes of the documents (empty) and the twin's vocabulary."""
    return [
        # Stemmed, for matching and ranking; the name is its first column, weighted in bm25().
        f"""CREATE VIRTUAL TABLE {FTS} USING fts5(name, definition, category,
            tokenize='porter unicode61 remove_diacritics 2', prefix='{stemmed_prefixes}')""",
        # Unstemmed, whose vocabulary holds the real words to correct typos against. It keeps which column
        # holds a word, so that the ranking can tell a word of the activity's own text from its category's.
        f"""CREATE VIRTUAL TABLE {WORDS_FTS} USING fts5(name, definition, category,
            tokenize='unicode61 remove_diacritics 2', detail='column')""",
        f"CREATE VIRTUAL TABLE activities_activity_vocab USING fts5vocab({WORDS_FTS}, 'row')",
    ]


def _sqlite_index(rowid, name, definition, category_id):
    """Statements (inside a trigger) that add one activity's document to both indexes."""
    category = f"coalesce((SELECT {CATEGORY_TEXT.format(table='category')} FROM activities_category category "
    category += f"WHERE category.id = {category_id}), '')"
    return "".join(
        f"INSERT INTO {table} (rowid, name, definition, category) VALUES ({rowid}, {name}, {definition}, {category});"
        for table in (FTS, WORDS_FTS)
    )


def _sqlite_unindex(condition):
    return "".join(f"DELETE FROM {table} WHERE rowid {condition};" for table in (FTS, WORDS_FTS))


TOUCH = "UPDATE activities_searchstate SET token = random();"
REINDEX_CATEGORY = _sqlite_unindex("IN (SELECT id FROM activities_activity WHERE category_id = new.id)") + "".join(
    f"INSERT INTO {table} (rowid, name, definition, category) SELECT activity.id, activity.name, "
    f"activity.definition, {CATEGORY_TEXT.format(table='new')} FROM activities_activity activity "
    "WHERE activity.category_id = new.id;"
    for table in (FTS, WORDS_FTS)
)

# SQLite's search triggers by name. Each write to an activity reaches both indexes and changes the search
# state's token (which keys the cached vocabulary); so does a category's new name or description, for each
# of its activities. A category added after its activities (a fixture's order) indexes them too.
SQLITE_TRIGGERS = {
    "activities_activity_search_insert": f"""CREATE TRIGGER activities_activity_search_insert
        AFTER INSERT ON activities_activity BEGIN
        {_sqlite_index("new.id", "new.name", "new.definition", "new.category_id")} {TOUCH}
    END""",
    "activities_activity_search_delete": f"""CREATE TRIGGER activities_activity_search_delete
        AFTER DELETE ON activities_activity BEGIN
        {_sqlite_unindex("= old.id")} {TOUCH}
    END""",
    "activities_activity_search_update": f"""CREATE TRIGGER activities_activity_search_update
        AFTER UPDATE OF id, name, definition, category_id ON activities_activity BEGIN
        {_sqlite_unindex("= old.id")}
        {_sqlite_index("new.id", "new.name", "new.definition", "new.category_id")} {TOUCH}
    END""",
    "activities_category_search_insert": f"""CREATE TRIGGER activities_category_search_insert
        AFTER INSERT ON activities_category BEGIN {REINDEX_CATEGORY} {TOUCH} END""",
    # Django's save sets every column: only a changed name or description re-indexes.
    "activities_category_search_update": f"""CREATE TRIGGER activities_category_search_update
        AFTER UPDATE OF name, description ON activities_category
        WHEN old.name IS NOT new.name OR old.description IS NOT new.description
        BEGIN {REINDEX_CATEGORY} {TOUCH} END""",
    **{
        f"activities_synonym_search_{event}": f"""CREATE TRIGGER activities_synonym_search_{event}
        AFTER {event.upper()} ON activities_synonym BEGIN {TOUCH} END"""
        for event in ("insert", "update", "delete")
    },
}

# Both indexes filled again from the activities and their categories: after a missing trigger let them fall
# behind, or to recover from damage. The token changes so that caches keyed by it reload.
SQLITE_REBUILD = (
    *(f"DELETE FROM {table}" for table in (FTS, WORDS_FTS)),
    *(f"INSERT INTO {table} (rowid, name, definition, category) {SQLITE_DOCUMENTS}" for table in (FTS, WORDS_FTS)),
    "UPDATE activities_searchstate SET token = random()",
)

# PostgreSQL. The activity's words, for the typo vocabulary, with its category's.
PG_CATEGORY_TEXT = """CREATE FUNCTION activities_category_text(category bigint) RETURNS text AS $$
    SELECT coalesce((SELECT name || ' ' || description FROM activities_category WHERE id = category), '')
$$ LANGUAGE sql STABLE"""
PG_WORDS_OF = (
    "activities_words({row}.name || ' ' || {row}.definition || ' ' || activities_category_text({row}.category_id))"
)
PG_VOCABULARY = f"""INSERT INTO activities_searchword (word, documents)
    SELECT word, count(*) FROM activities_activity activity, {PG_WORDS_OF.format(row="activity")} AS word
    GROUP BY word"""

POSTGRESQL_INSTALL = [
    PG_CATEGORY_TEXT,
    # The tsvector keeps its values and its GIN index; from here on the trigger below sets it.
    "ALTER TABLE activities_activity ALTER COLUMN search_vector DROP EXPRESSION",
    """CREATE FUNCTION activities_activity_search_document() RETURNS trigger AS $$
    BEGIN
        NEW.search_vector := setweight(to_tsvector('english'::regconfig, NEW.name), 'A')
            || setweight(to_tsvector('english'::regconfig, NEW.definition), 'B')
            || setweight(to_tsvector('english'::regconfig, activities_category_text(NEW.category_id)), 'D');
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql""",
    # Setting search_vector (to anything) recomputes it: that is how a category's activities are re-indexed.
    """CREATE TRIGGER activities_activity_search_document
        BEFORE INSERT OR UPDATE OF name, definition, category_id, search_vector ON activities_activity
        FOR EACH ROW EXECUTE FUNCTION activities_activity_search_document()""",
    f"""CREATE OR REPLACE FUNCTION activities_activity_search_sync() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE activities_searchword SET documents = documents - 1
                FROM {PG_WORDS_OF.format(row="OLD")} AS old_word WHERE word = old_word;
            DELETE FROM activities_searchword WHERE documents <= 0;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO activities_searchword (word, documents)
                SELECT new_word, 1 FROM {PG_WORDS_OF.format(row="NEW")} AS new_word
                ON CONFLICT (word) DO UPDATE SET documents = activities_searchword.documents + 1;
        END IF;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql""",
    "DROP TRIGGER activities_activity_search_sync ON activities_activity",
    """CREATE TRIGGER activities_activity_search_sync
        AFTER INSERT OR DELETE OR UPDATE OF name, definition, category_id ON activities_activity
        FOR EACH ROW EXECUTE FUNCTION activities_activity_search_sync()""",
    # A category's new text: its activities' words move in the vocabulary, and their tsvectors are set again.
    """CREATE FUNCTION activities_category_search_sync() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            UPDATE activities_searchword SET documents = documents - counted.activities
                FROM (SELECT old_word, count(*) AS activities FROM activities_activity activity,
                      activities_words(activity.name || ' ' || activity.definition || ' '
                                       || OLD.name || ' ' || OLD.description) AS old_word
                      WHERE activity.category_id = OLD.id GROUP BY old_word) counted
                WHERE word = counted.old_word;
            DELETE FROM activities_searchword WHERE documents <= 0;
        END IF;
        INSERT INTO activities_searchword (word, documents)
            SELECT new_word, count(*) FROM activities_activity activity,
                activities_words(activity.name || ' ' || activity.definition || ' ' || NEW.name || ' '
                                 || NEW.description) AS new_word
            WHERE activity.category_id = NEW.id GROUP BY new_word
            ON CONFLICT (word) DO UPDATE SET documents = activities_searchword.documents + EXCLUDED.documents;
        UPDATE activities_activity SET search_vector = NULL WHERE category_id = NEW.id;
        UPDATE activities_searchstate SET token = (random() * 9e18)::bigint;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql""",
    # Django's save sets every column: only a changed name or description re-indexes.
    """CREATE TRIGGER activities_category_search_sync AFTER INSERT ON activities_category
        FOR EACH ROW EXECUTE FUNCTION activities_category_search_sync()""",
    """CREATE TRIGGER activities_category_search_resync AFTER UPDATE OF name, description ON activities_category
        FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.description IS DISTINCT FROM NEW.description)
        EXECUTE FUNCTION activities_category_search_sync()""",
]

# Every tsvector set again and the vocabulary counted again, from the activities and their categories.
POSTGRESQL_REBUILD = (
    "UPDATE activities_activity SET search_vector = NULL",
    "DELETE FROM activities_searchword",
    PG_VOCABULARY,
    "UPDATE activities_searchstate SET token = (random() * 9e18)::bigint",
)
