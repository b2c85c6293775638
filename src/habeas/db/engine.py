"""Engines for the two stores: SQLite (embedded default, WAL) and PostgreSQL (production).

Appends are serialised so the chain has one order: on SQLite a write transaction
starts with BEGIN IMMEDIATE (taking the write lock at once), on PostgreSQL it takes
a transaction-scoped advisory lock (`lock_for_append`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, Index, Table, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from habeas.db import adapters

DEFAULT_URL = "sqlite:///habeas.db"
APPEND_LOCK_KEY = 0x6861626561  # "habea": one advisory lock for the whole log
MIGRATIONS = Path(__file__).with_name("migrations")


class DatabaseUrlError(ValueError):
    pass


# Connections kept, and allowed beyond them: the API serves from a pool of 40 threads.
POOL_SIZE = 10
POOL_OVERFLOW = 40
# How long a writer waits for another's lock before it gives up and stores nothing
# (HABEAS_LOCK_TIMEOUT, `config.lock_timeout`).
DEFAULT_LOCK_TIMEOUT = 30.0


def make_engine(url: str, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> Engine:
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a terse message
        raise DatabaseUrlError(f"not a database URL: {url!r} ({exc})") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, lock_timeout)
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        if "pgbouncer" in parsed.query:
            return _pgbouncer_engine(parsed, lock_timeout)
        # as many connections as the server's worker threads may ask for at once (the API);
        # a lock (the append's advisory lock among them) is waited for at most lock_timeout
        return create_engine(
            parsed,
            pool_pre_ping=True,
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
            connect_args={"options": f"-c lock_timeout={_milliseconds(lock_timeout)}"},
        )
    raise DatabaseUrlError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql")


def _milliseconds(seconds: float) -> int:
    return max(1, round(seconds * 1000))


def _pgbouncer_engine(parsed, lock_timeout: float) -> Engine:
    """PostgreSQL through PgBouncer in transaction mode (`?pgbouncer=transaction` on the URL):
    each transaction may run on another server connection, so nothing may outlive one. No
    prepared statements (psycopg prepares a statement run five times, on one server
    connection; the next transaction may not find it), and no startup `options` (PgBouncer
    refuses them): the lock timeout is set in each transaction (`SET LOCAL`)."""
    if parsed.query["pgbouncer"] != "transaction":
        raise DatabaseUrlError("pgbouncer=transaction is the one PgBouncer mode habeas is tested with")
    engine = create_engine(
        parsed.difference_update_query(["pgbouncer"]),
        pool_pre_ping=True,
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
        connect_args={"prepare_threshold": None},
    )
    statement = f"SET LOCAL lock_timeout = {_milliseconds(lock_timeout)}"

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection):
        conn.connection.dbapi_connection.execute(statement)  # opens the transaction too

    return engine


def _sqlite_engine(url: str, lock_timeout: float) -> Engine:
    in_memory = make_url(url).database in (None, "", ":memory:")  # one connection per thread, no pool to size
    engine = create_engine(url) if in_memory else create_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event below issue BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_milliseconds(lock_timeout)}")
        # 16 MiB of pages per connection (the OS caches the file too): 64 MiB cost a
        # 1,000,000-event import 66 MB of peak RSS (309 -> 243 MB) and no time, and a server's
        # pool holds up to 50 connections
        cursor.execute("PRAGMA cache_size=-16384")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection):
        options = conn.get_execution_options()
        # An append is acknowledged to whoever sent the fact: its commit waits for the disk
        # (FULL), as PostgreSQL's does. Everything else, the read log's records among them,
        # commits at NORMAL: WAL keeps it whole, a power cut may lose the last moment.
        level = "FULL" if options.get("durable") else "NORMAL"
        pooled = conn.connection
        # straight to the driver: SQLAlchemy's execution context cost more than the statement,
        # and every transaction (a read and its record, one event) begins here
        driver = pooled.dbapi_connection
        if pooled.info.get("synchronous") != level:
            driver.execute(f"PRAGMA synchronous={level}")
            pooled.info["synchronous"] = level
        statement = "BEGIN IMMEDIATE" if options.get("writer") else "BEGIN"
        try:
            driver.execute(statement)
        except sqlite3.Error as exc:  # the lock not had in time: as SQLAlchemy wraps the driver's errors
            raise DBAPIError.instance(statement, (), exc, sqlite3.Error) from exc

    @event.listens_for(engine, "commit")
    def _commit(conn: Connection):
        # SQLite may have rolled the transaction back on its own (a full disk, an I/O error):
        # committing then would store whatever ran after it, each statement by itself
        if not conn.connection.dbapi_connection.in_transaction:
            raise TransactionLost("the database ended the transaction on its own: nothing was stored")

    return engine


def writer(engine: Engine) -> Engine:
    """The same engine, whose transactions take the append lock on SQLite."""
    return _with_options(engine, "_habeas_writer", writer=True)


def appender(engine: Engine) -> Engine:
    """A writer whose commits are durable when they return (SQLite synchronous=FULL): the
    transactions that append facts to the log."""
    return _with_options(engine, "_habeas_appender", writer=True, durable=True)


def _with_options(engine: Engine, name: str, **options) -> Engine:
    """The engine with these options, built once per engine: a single append or a read and
    its record is a short transaction, and building the options each time shows."""
    built = engine.__dict__.get(name)
    if built is None:
        built = engine.__dict__[name] = engine.execution_options(**options)
    return built


class TransactionLost(RuntimeError):
    """The database ended a write transaction on its own (SQLite rolls back on a full disk,
    an I/O error or a lack of memory): nothing of it is stored, and nothing may run as if it
    were still open, for SQLite would then commit each statement by itself."""


def transaction_alive(conn: Connection) -> bool:
    """Whether the connection's transaction is still open in the database itself."""
    return adapters.of(conn).transaction_alive(conn)


def failure(exc: BaseException) -> str:
    """What kind of failure a database error is, in the words an operator acts on: `full`
    (disk or temporary space), `locked` (another writer held the lock past the timeout),
    `read_only`, `lost` (the transaction ended on its own), or `failed`."""
    if isinstance(exc, TransactionLost):
        return "lost"
    original = getattr(exc, "orig", exc)
    name = getattr(original, "sqlite_errorname", None)
    if name is not None:
        return {
            "SQLITE_FULL": "full",
            "SQLITE_BUSY": "locked",
            "SQLITE_LOCKED": "locked",
            "SQLITE_READONLY": "read_only",
            "SQLITE_READONLY_DBMOVED": "read_only",
        }.get(name, "full" if name.startswith("SQLITE_IOERR") and "full" in str(original) else "failed")
    state = getattr(original, "sqlstate", None) or ""
    if state in ("53100", "53000"):  # disk_full, insufficient_resources
        return "full"
    if "No space left on device" in str(original):  # the OS's ENOSPC under another SQLSTATE (an I/O error)
        return "full"
    if state in ("55P03", "40P01"):  # lock_not_available (lock_timeout), deadlock
        return "locked"
    if state == "25006":  # read_only_sql_transaction (a standby, or default_transaction_read_only)
        return "read_only"
    return "failed"


def lock_for_append(conn: Connection) -> None:
    """Serialise appends (on PostgreSQL an advisory lock; SQLite's writer already holds its
    write lock)."""
    adapters.of(conn).lock(conn, APPEND_LOCK_KEY)


def migrate(engine: Engine, revision: str = "head") -> str:
    """Create or upgrade the schema to `revision`, the newest by default (safe to run twice)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()


def read_indexes(tables: Iterable[Table], kept: tuple[str, ...] = ("case",)) -> list[Index]:
    """The indexes of these tables that only reads use: every one that is not unique, but
    those on a `kept` column alone (a projection deletes a case's rows by its `case`)."""
    return [
        index
        for table in tables
        for index in sorted(table.indexes, key=lambda i: i.name)
        if not index.unique and [c.name for c in index.columns] not in ([k] for k in kept)
    ]


def drop_indexes(conn: Connection, indexes: Iterable[Index]) -> None:
    """For a bulk write into tables it at least doubles: their read indexes are built once
    after it (`build_indexes`) instead of kept in step row by row (1.7x faster on SQLite
    for 300,000 rows). In the writer's transaction: a rollback brings them back. SQLite only:
    readers there keep their snapshot, with its indexes (WAL); PostgreSQL's DROP INDEX
    would lock every reader of the table out until the commit."""
    for index in indexes:
        index.drop(conn)


def build_indexes(conn: Connection, indexes: Iterable[Index]) -> None:
    for index in indexes:
        index.create(conn)
