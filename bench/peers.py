"""Baselines from outside habeas: the `eventsourcing` library and PostgreSQL executemany.

Imported only by the worker that measures them (`pip install -e ".[bench]"`).
"""

from __future__ import annotations

import json
import time
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

BASELINE_CHUNK = 2000  # rows per bulk save / executemany, as the register's import chunk


def _stream(raw: dict) -> str:
    return raw.get("case") or f"facility:{raw['data'].get('facility')}"


def eventsourcing_app(db: str, synchronous: str = "FULL"):
    """An `eventsourcing` application on SQLite (WAL, as the library sets it) with the
    given `synchronous` setting (the library leaves SQLite's default, FULL)."""
    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate, event
    from eventsourcing.sqlite import SQLiteConnectionPool

    if not getattr(SQLiteConnectionPool, "_habeas_bench", False):
        create = SQLiteConnectionPool._create_connection

        def _create_connection(self):
            conn = create(self)
            conn._sqlite_conn.execute(f"PRAGMA synchronous={SQLiteConnectionPool._habeas_sync}")
            return conn

        SQLiteConnectionPool._create_connection = _create_connection
        SQLiteConnectionPool._habeas_bench = True
    SQLiteConnectionPool._habeas_sync = synchronous

    class Case(Aggregate):
        """One aggregate per case (per facility for case-less events): each line a recorded fact."""

        @staticmethod
        def create_id(stream: str, **_: Any) -> UUID:
            return uuid5(NAMESPACE_URL, stream)

        @event("Opened")
        def __init__(self, stream: str, fact: dict):
            self.stream = stream
            self.facts = 1

        @event("Recorded")
        def record(self, fact: dict) -> None:
            self.facts += 1

    class Register(Application):
        env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": db}  # noqa: RUF012

    return Register(), Case


def eventsourcing_import(path: str, db: str) -> dict:
    """Every line a command on its case's aggregate; a bulk `save` of the touched aggregates
    per chunk of lines. Aggregates stay in memory (no replay): the library's fastest path."""
    app, case_class = eventsourcing_app(db)
    aggregates: dict[str, Any] = {}
    count = 0
    started = time.perf_counter()
    with open(path, encoding="utf-8") as lines:
        touched: dict[str, Any] = {}
        for line in lines:
            raw = json.loads(line)
            stream = _stream(raw)
            aggregate = aggregates.get(stream)
            if aggregate is None:
                aggregate = aggregates[stream] = case_class(stream=stream, fact=raw)
            else:
                aggregate.record(fact=raw)
            touched[stream] = aggregate
            count += 1
            if count % BASELINE_CHUNK == 0:
                app.save(*touched.values())
                touched = {}
        if touched:
            app.save(*touched.values())
    return {"events": count, "seconds": time.perf_counter() - started}


def eventsourcing_single(path: str, db: str, limit: int, synchronous: str = "FULL") -> dict:
    """One command per transaction, as an API would: get the aggregate (replayed from the
    store), record the fact, save."""
    app, case_class = eventsourcing_app(db, synchronous)
    known: set[str] = set()
    count = 0
    started = time.perf_counter()
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if count >= limit:
                break
            raw = json.loads(line)
            stream = _stream(raw)
            if stream in known:
                aggregate = app.repository.get(case_class.create_id(stream))
                aggregate.record(fact=raw)
            else:
                aggregate = case_class(stream=stream, fact=raw)
                known.add(stream)
            app.save(aggregate)
            count += 1
    return {"events": count, "seconds": time.perf_counter() - started}


def postgres_baseline(path: str, url: str) -> dict:
    """psycopg `executemany` of (stream, version, json text) into a table with a UNIQUE(stream,
    version) index, one transaction, chunks of BASELINE_CHUNK rows, as the SQLite baseline."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    versions: dict[str, int] = {}
    count = 0
    with psycopg.connect(dsn) as conn:
        conn.execute("DROP TABLE IF EXISTS raw")
        conn.execute("CREATE TABLE raw (stream TEXT NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL)")
        conn.execute("CREATE UNIQUE INDEX raw_stream_version ON raw (stream, version)")
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cursor, open(path, encoding="utf-8") as lines:
            chunk = []
            for line in lines:
                stream = _stream(json.loads(line))
                version = versions[stream] = versions.get(stream, 0) + 1
                chunk.append((stream, version, line))
                if len(chunk) >= BASELINE_CHUNK:
                    cursor.executemany("INSERT INTO raw (stream, version, body) VALUES (%s, %s, %s)", chunk)
                    count += len(chunk)
                    chunk = []
            if chunk:
                cursor.executemany("INSERT INTO raw (stream, version, body) VALUES (%s, %s, %s)", chunk)
                count += len(chunk)
        conn.commit()
        seconds = time.perf_counter() - started
    return {"events": count, "seconds": seconds}
