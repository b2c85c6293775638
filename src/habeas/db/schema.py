"""Tables (SQLAlchemy Core). The same schema on SQLite and PostgreSQL.

`events` is the log: append-only, one global order (`position`), one version per
stream. Every other table is a projection rebuilt from the log, or a log of its
own (reads).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

metadata = MetaData()

events = Table(
    "events",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("event_id", String(128), nullable=False, unique=True),
    Column("stream", String(160), nullable=False),
    Column("version", Integer, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("occurred_at", String(40), nullable=False),  # UTC ISO 8601, Z
    Column("utc_offset", String(6), nullable=False),
    Column("recorded_at", String(40), nullable=False),
    Column("actor", Text, nullable=False),  # canonical JSON
    Column("registrar", Text, nullable=True),  # canonical JSON
    Column("data", Text, nullable=False),  # canonical JSON
    Column("hash", String(64), nullable=False),
    UniqueConstraint("stream", "version", name="uq_events_stream_version"),
)

# The head of the chain as last appended: a deleted tail shows against it.
chain_head = Table(
    "chain_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("position", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

# How far each projection has read the log.
projection_positions = Table(
    "projection_positions",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("law", String(64)),  # `Law.digest` the projection was judged under (None: not known)
)

# Projection: the case list and the case file summary.
cases = Table(
    "cases",
    metadata,
    Column("case", String(160), primary_key=True),
    Column("stage", String(20), nullable=False),
    Column("region", String(128)),
    Column("article", String(16)),
    Column("part", Integer),
    Column("erdr_number", String(40)),
    Column("reported_at", DateTime),  # UTC, naive
    Column("registered_at", DateTime),
    Column("version", Integer, nullable=False),
    Column("last_position", BigInteger, nullable=False),
    Column("summary", Text, nullable=False),  # JSON
)
Index("ix_cases_region", cases.c.region)

# Projection: deadlines and violations per case, so `alerts` is a query, not a replay.
deadlines = Table(
    "deadlines",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("case", String(160), nullable=False),
    Column("code", String(60), nullable=False),
    Column("person", String(128)),
    Column("started_at", DateTime),  # UTC, naive
    Column("due_at", DateTime),
    Column("met_at", DateTime),
    Column("kind", String(12), nullable=False, server_default="deadline"),  # or "violation"
    Column("settled_at", DateTime),  # met on time then: no alert from that moment
    Column("urgent_at", DateTime),  # due time, or the moment of a violation
    Column("finding", Text, nullable=False),  # JSON: the finding, time-independent
)
Index("ix_deadlines_case", deadlines.c.case)
Index("ix_deadlines_urgent", deadlines.c.urgent_at, deadlines.c.settled_at, deadlines.c.started_at)
Index("ix_deadlines_settled", deadlines.c.settled_at, deadlines.c.started_at)

# The read log: every read of personal data and every refused attempt, who, when, what,
# why (design §1.4), hash-chained on its own (`ledger.reads`): `id` is its position.
reads = Table(
    "reads",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("read_at", DateTime, nullable=False),
    Column("actor_id", String(128), nullable=False),
    Column("actor_role", String(40), nullable=False),
    Column("actor_agency", String(128)),
    Column("case", String(160)),  # none for a read of the whole log (export) or a sign-in
    Column("person", String(128)),  # the person a read asked about (the reads of their data)
    Column("persons", Text),  # whose data it showed: their ids, a canonical JSON list (NULL: the whole case)
    Column("what", String(60), nullable=False),
    Column("purpose", Text),
    Column("action", String(40), nullable=False, server_default="case:read"),
    Column("allowed", Boolean, nullable=False, server_default="1"),
    Column("assigned", Boolean, nullable=False, server_default="0"),
    Column("reason", Text),
    Column("hash", String(64)),
)
Index("ix_reads_case", reads.c.case, reads.c.person)

# The head of the read log's chain, as `chain_head` is the event log's.
read_head = Table(
    "read_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("position", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

# Users: officials, persons and operators who sign in with a token (argon2 hash only).
users = Table(
    "users",
    metadata,
    Column("login", String(128), primary_key=True),
    Column("role", String(40), nullable=False),
    Column("agency", String(128)),
    Column("region", String(128)),
    Column("person_case", String(160)),  # a person: the case they are a party of
    Column("person_party", String(128)),  # and their party id there
    Column("secret_hash", Text, nullable=False),
    Column("disabled", Boolean, nullable=False, server_default="0"),
    Column("created_at", DateTime, nullable=False),
    Column("failures", Integer, nullable=False, server_default="0"),
    Column("blocked_until", DateTime),
    Column("title", String(40)),  # an office within the role: head of a unit, chair of a court
)

# Sessions: what signing in gives (the API's bearer token, the web UI's cookie), stored
# as the SHA-256 of the token; they expire, and end when the user signs out.
sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("login", String(128), ForeignKey("users.login"), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("ended", Boolean, nullable=False, server_default=false()),
    # the primary's WAL position after the user's last write: their reads wait for a replica to pass it
    Column("read_after", String(32)),
)
Index("ix_sessions_login", sessions.c.login)


# The account log: every change to who may sign in and with what rights (a user added, a
# token renewed, a user disabled, a session opened or ended), hash-chained on its own
# (`ledger.accounts`), so that `users` and `sessions` are checked against a replay of it.
accounts = Table(
    "accounts",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),  # UTC ISO 8601, Z
    Column("by_id", String(128), nullable=False),
    Column("by_role", String(40), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("login", String(128), nullable=False),
    Column("detail", Text, nullable=False),  # canonical JSON
    Column("hash", String(64), nullable=False),
)

account_head = Table(
    "account_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("position", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

# Projection: person-level episodes for the public statistics (projections/episodes.py).
stat_episodes = Table(
    "stat_episodes",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("case", String(160), nullable=False),
    Column("episode", String(20), nullable=False),
    Column("year", Integer, nullable=False),
    Column("region", String(128)),
    Column("person", String(128)),
    Column("started_at", DateTime),  # UTC, naive
    Column("ended_at", DateTime),
    Column("end_year", Integer),
    Column("held_until", DateTime),
    Column("sentenced_at", DateTime),
    Column("due_at", DateTime),
    Column("late", Boolean),
    Column("outcome", String(60)),
    Column("detail", String(60)),
    Column("link", String(40)),
    Column("flag", Boolean),
    Column("flag2", Boolean),
    Column("flag3", Boolean),
    Column("iccs", String(60)),
    Column("article", String(16)),
)
Index("ix_stat_episodes_case", stat_episodes.c.case)
Index("ix_stat_episodes_kind_year", stat_episodes.c.episode, stat_episodes.c.year)
Index("ix_stat_episodes_link", stat_episodes.c.link)

# The public statistics released for each closed year (services/statistics.py): written once,
# when the year is first asked for after it ended, and never changed, so a released year reads
# the same whatever is recorded later. Not a projection: a rebuild leaves it as it is.
stat_releases = Table(
    "stat_releases",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("min_count", Integer, primary_key=True),  # the threshold it was suppressed with
    Column("released_at", DateTime, nullable=False),  # UTC, naive: the moment its figures are as of
    Column("position", BigInteger, nullable=False),  # the log's head when it was released
    Column("cells", Text, nullable=False),  # JSON: every cell of the year's table, suppressed
)

PROJECTION_TABLES = (cases, deadlines, stat_episodes)
