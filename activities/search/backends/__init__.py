"""The search engine of a database connection, chosen by its vendor and imported only when asked for."""


def backend_for(connection):
    """The search backend for this connection's engine."""
    if connection.vendor == "postgresql":
        from activities.search.backends.postgresql import PostgreSQL

        return PostgreSQL(connection)
    from activities.search.backends.sqlite import SQLite

    return SQLite(connection)
