"""Alembic environment: habeas runs migrations in-process on the connection it is given."""

from alembic import context

from habeas.db.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # the alembic command line: build an engine from the URL given
    from habeas.db.engine import make_engine

    connection = make_engine(config.get_main_option("sqlalchemy.url")).connect()

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
