"""Whole organisations in and out of the database, the shared clock and the baseline.

Rows travel as mappings of column name to value (text, integer or null) and
are sorted here rather than by the database, whose text collation differs
between SQLite and PostgreSQL: a dump taken from one loads into the other
and dumps again to the same document.
"""

from typing import Any

from dingconf.analytics.tables import NETWORK_SAMPLES
from dingconf.bookings.tables import BOOKINGS
from dingconf.content.tables import SPANS, UTTERANCES
from dingconf.control.state_records import StateDump
from dingconf.core.clock import ClockState
from dingconf.db.driver import Connection, Row
from dingconf.db.rows import bump_auth_epoch
from dingconf.db.table import Table
from dingconf.links.tables import RECORD_WHITELIST, SHORT_LINKS
from dingconf.listing.tables import MEMBER_COUNT_RESET, ListingTables
from dingconf.minutes.tables import MINUTES_GRANTS, MINUTES_SUMMARIES
from dingconf.streams.tables import MEETING_SETTINGS, STREAM_OUTS

__all__ = [
    "DISCARDED_TABLES",
    "EXCLUDED_TABLES",
    "ORG_TABLES",
    "SUITE_COLUMNS",
    "StateWrites",
    "delete_orgs",
    "delete_suites",
    "dump_state",
    "load_state",
    "select_baseline",
    "select_clock",
    "update_baseline",
    "update_clock",
]


#: In insertion order (parents first); deleted in the reverse order.
ORG_TABLES = (
    Table(
        "users",
        "users",
        ("corp_id", "union_id", "nick", "user_id", "job_number", "dept_name"),
        ("union_id",),
        False,
    ),
    Table("apps", "apps", ("app_key", "corp_id", "secret_hash", "scopes"), ("app_key",), False),
    BOOKINGS,
    Table(
        "conferences",
        "conferences",
        (
            "conference_id",
            "corp_id",
            "title",
            "biz_type",
            "status",
            "room_code",
            "external_link_url",
            "creator_id",
            "creator_nick",
            "host_id",
            "start_time",
            "end_time",
            "schedule_conference_id",
            "active_num",
            "attend_num",
            "invited_num",
            "cloud_record_status",
            "cloud_record_owner",
            "extension_apps",
            "cohost_ids",
            "locked",
            "mute_all",
            "internal_only",
            "auto_record_type",
            "auto_record_owner",
            "minutes_status",
            "minutes_owner",
        ),
        ("conference_id",),
        False,
    ),
    Table(
        "participants",
        "participants",
        (
            "conference_id",
            "union_id",
            "nick",
            "attend_status",
            "first_join",
            "last_join",
            "leave_time",
            "duration",
            "sessions",
            "muted",
            "rejoin_forbidden",
            "outer_org",
            "listed_at",
            "reject_description",
        ),
        ("conference_id", "union_id"),
        True,
    ),
    Table(
        "participant_sessions",
        "participantSessions",
        (
            "conference_id",
            "union_id",
            "seq",
            "join_time",
            "leave_time",
            "device_type",
            "client_version",
            "camera_on",
        ),
        ("conference_id", "union_id", "seq"),
        True,
    ),
    Table(
        "invitations",
        "invitations",
        ("conference_id", "union_id", "nick", "invited_by", "invited_at"),
        ("conference_id", "union_id"),
        True,
    ),
    UTTERANCES,
    SPANS,
    NETWORK_SAMPLES,
    Table(
        "phone_invitations",
        "phoneInvitations",
        ("conference_id", "phone_number", "nick", "invited_by", "invited_at"),
        ("conference_id", "phone_number"),
        True,
    ),
    STREAM_OUTS,
    MEETING_SETTINGS,
    MINUTES_SUMMARIES,
    MINUTES_GRANTS,
    RECORD_WHITELIST,
    SHORT_LINKS,
)

#: An organisation's rows a state document leaves out but deleting the
#: organisation removes (children first): one-use login links (credentials),
#: its events and their deliveries (what was sent stays with this server),
#: Stream tickets and its apps' push subscriptions (they hold callback secrets),
#: and its meetings' member counts (derived: loading recounts them).
DISCARDED_TABLES = (
    MEMBER_COUNT_RESET,
    ("login_links", "corp_id = ?"),
    ("event_deliveries", "event_id IN (SELECT event_id FROM events WHERE corp_id = ?)"),
    ("events", "corp_id = ?"),
    ("stream_tickets", "corp_id = ?"),
    ("push_subscriptions", "app_key IN (SELECT app_key FROM apps WHERE corp_id = ?)"),
    # Join pages open now: live connections, like tokens, never part of a state.
    ("presences", "corp_id = ?"),
)

SUITE_COLUMNS = ("suite_key", "secret_hash", "scopes")

#: Tables a state document leaves out: tokens (live credentials: clients ask
#: again), the URL-signing keys of this database, internal counters, the
#: shared clock and the baseline itself, and the migration tool's own.
EXCLUDED_TABLES = frozenset(
    {
        *(name for name, _ in DISCARDED_TABLES),
        # Which app created each meeting: the target of ``_target_push``
        # events, which belong to this server's delivery history.
        "event_origins",
        # Counts derived from the meetings, and generations that are never
        # deleted, so never reused (sql_listing).
        "org_listings",
        # Which rows each commit changed, for the caches of live processes (sql_changes).
        "cache_changes",
        "tokens",
        "media_keys",
        "auth_epoch",
        "clock_state",
        "state_baseline",
        "_yoyo_log",
        "_yoyo_migration",
        "_yoyo_version",
        "yoyo_lock",
    }
)

_IN_ORG = "conference_id IN (SELECT conference_id FROM conferences WHERE corp_id = ?)"
# Rows per INSERT: well under both backends' limits on bound parameters.
_BATCH = 50


def _where(table: Table) -> str:
    return _IN_ORG if table.by_conference else "corp_id = ?"


def _sorted(rows: list[Row], columns: tuple[str, ...], key: tuple[str, ...]) -> list[Row]:
    at = [columns.index(k) for k in key]
    return sorted(rows, key=lambda row: tuple(row[i] for i in at))


async def _table_rows(conn: Connection, table: Table, corp_id: str) -> list[dict[str, Any]]:
    rows = await conn.fetchall(
        f"SELECT {', '.join(table.columns)} FROM {table.name} WHERE {_where(table)}", (corp_id,)
    )
    ordered = _sorted(rows, table.columns, table.primary_key)
    return [dict(zip(table.columns, row, strict=True)) for row in ordered]


async def dump_state(conn: Connection, corp_id: str | None) -> StateDump:
    """Every organisation (or ``corp_id``'s) and the suites, as a :data:`StateDump`.

    A one-organisation dump carries only the suites that organisation has
    authorised, each listing that organisation alone.
    """
    only = " WHERE corp_id = ?" if corp_id is not None else ""
    orgs: list[dict[str, Any]] = []
    for corp, name in sorted(
        await conn.fetchall(f"SELECT corp_id, name FROM orgs{only}", (corp_id,) if only else ())
    ):
        org: dict[str, Any] = {"corpId": corp, "name": name}
        for table in ORG_TABLES:
            org[table.key] = await _table_rows(conn, table, corp)
        orgs.append(org)
    corps: dict[str, list[str]] = {}
    for suite_key, corp in await conn.fetchall("SELECT suite_key, corp_id FROM suite_corps"):
        if corp_id is None or corp == corp_id:
            corps.setdefault(suite_key, []).append(corp)
    suites = []
    rows = await conn.fetchall(f"SELECT {', '.join(SUITE_COLUMNS)} FROM suites")
    for row in _sorted(rows, SUITE_COLUMNS, ("suite_key",)):
        if corp_id is None or row[0] in corps:
            suite: dict[str, Any] = dict(zip(SUITE_COLUMNS, row, strict=True))
            suite["corps"] = sorted(corps.get(row[0], []))
            suites.append(suite)
    return {"orgs": orgs, "suites": suites}


async def delete_orgs(conn: Connection, corp_ids: list[str] | None) -> None:
    """Delete organisations (None: all) and everything of theirs: meetings and what
    hangs off them, bookings, users, apps, tokens and suite authorisations."""
    if corp_ids is None:
        await ListingTables(conn).reset_listings()
        for name, _ in DISCARDED_TABLES:
            await conn.execute(f"DELETE FROM {name}")
        for table in reversed(ORG_TABLES):
            await conn.execute(f"DELETE FROM {table.name}")
        for name in ("tokens", "suite_corps", "orgs"):
            await conn.execute(f"DELETE FROM {name}")
        return
    for corp_id in corp_ids:
        for name, where in DISCARDED_TABLES:
            await conn.execute(f"DELETE FROM {name} WHERE {where}", (corp_id,))
        for table in reversed(ORG_TABLES):
            await conn.execute(f"DELETE FROM {table.name} WHERE {_where(table)}", (corp_id,))
        await conn.execute("DELETE FROM tokens WHERE corp_id = ?", (corp_id,))
        await conn.execute("DELETE FROM suite_corps WHERE corp_id = ?", (corp_id,))
        await conn.execute("DELETE FROM orgs WHERE corp_id = ?", (corp_id,))
        await ListingTables(conn).recount_listing(corp_id)


async def delete_suites(conn: Connection) -> None:
    """Delete every suite, its authorisations and its tokens."""
    await conn.execute("DELETE FROM suite_corps")
    await conn.execute("DELETE FROM tokens WHERE client_kind = 'suite'")
    await conn.execute("DELETE FROM suites")


async def _insert(conn: Connection, table: str, columns: tuple[str, ...], rows: list[Row]) -> None:
    one = f"({', '.join('?' * len(columns))})"
    for start in range(0, len(rows), _BATCH):
        batch = rows[start : start + _BATCH]
        await conn.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * len(batch))}",
            [value for row in batch for value in row],
        )


_ORG_KEYS = frozenset({"corpId", "name", *(t.key for t in ORG_TABLES)})


def _row(table: Table, row: dict[str, Any], corp_id: str) -> Row:
    unknown = set(row) - set(table.columns)
    if unknown:
        raise ValueError(f"{corp_id}.{table.key}: unknown columns {sorted(unknown)}")
    return tuple(row.get(c) for c in table.columns)


async def load_state(conn: Connection, dump: StateDump, *, replace_suites: bool) -> None:
    """Insert the organisations of a dump (absent from the database) and its suites.

    Suites are replaced when ``replace_suites``; otherwise an existing suite is
    kept as it is and only gains the authorisations of the loaded organisations.
    An authorisation of an organisation that does not exist is skipped.

    Raises:
        ValueError: a key that names no table or column.
    """
    for org in dump["orgs"]:
        corp_id = org["corpId"]
        unknown = set(org) - _ORG_KEYS
        if unknown:
            raise ValueError(f"{corp_id}: unknown keys {sorted(unknown)}")
        await conn.execute("INSERT INTO orgs (corp_id, name) VALUES (?, ?)", (corp_id, org["name"]))
        for table in ORG_TABLES:
            rows = [_row(table, row, corp_id) for row in org.get(table.key, [])]
            if not table.by_conference:
                # The organisation owns its rows whatever they say.
                at = table.columns.index("corp_id")
                rows = [(*row[:at], corp_id, *row[at + 1 :]) for row in rows]
            await _insert(conn, table.name, table.columns, rows)
        listing = ListingTables(conn)
        await listing.recount_members(corp_id)
        await listing.recount_listing(corp_id)
    conflict = (
        "DO UPDATE SET secret_hash = excluded.secret_hash, scopes = excluded.scopes"
        if replace_suites
        else "DO NOTHING"
    )
    for suite in dump["suites"]:
        await conn.execute(
            f"INSERT INTO suites ({', '.join(SUITE_COLUMNS)}) VALUES (?, ?, ?) "
            f"ON CONFLICT (suite_key) {conflict}",
            tuple(suite[c] for c in SUITE_COLUMNS),
        )
        if replace_suites:
            await conn.execute("DELETE FROM suite_corps WHERE suite_key = ?", (suite["suite_key"],))
        for corp_id in suite.get("corps", []):
            await conn.execute(
                "INSERT INTO suite_corps (suite_key, corp_id) SELECT ?, ? "
                "WHERE EXISTS (SELECT 1 FROM orgs WHERE corp_id = ?) ON CONFLICT DO NOTHING",
                (suite["suite_key"], corp_id, corp_id),
            )


async def select_clock(conn: Connection, lock: str = "") -> ClockState:
    """The shared clock (``lock``: the driver's row lock, inside a transaction)."""
    row = await conn.fetchone(f"SELECT offset_ms, frozen_ms FROM clock_state WHERE id = 1{lock}")
    return ClockState(int(row[0]), None if row[1] is None else int(row[1])) if row else ClockState()


async def update_clock(conn: Connection, state: ClockState) -> None:
    """Store the shared clock."""
    await conn.execute(
        "UPDATE clock_state SET offset_ms = ?, frozen_ms = ? WHERE id = 1",
        (state.offset_ms, state.frozen_ms),
    )


async def select_baseline(conn: Connection) -> str | None:
    """The stored baseline document, if any."""
    row = await conn.fetchone("SELECT document FROM state_baseline WHERE id = 1")
    return str(row[0]) if row else None


async def update_baseline(conn: Connection, document: str) -> None:
    """Store the baseline document."""
    await conn.execute(
        "INSERT INTO state_baseline (id, document) VALUES (1, ?) "
        "ON CONFLICT (id) DO UPDATE SET document = excluded.document",
        (document,),
    )


class StateWrites:
    """Writes of reset, import, the shared clock and the baseline

    One part of :class:`~dingconf.db.write_tx.SqlWriteTx`, on its connection.
    """

    _conn: Connection
    _row_lock: str

    async def delete_orgs(self, corp_ids: list[str] | None) -> None:
        await delete_orgs(self._conn, corp_ids)
        await bump_auth_epoch(self._conn)

    async def delete_suites(self) -> None:
        await delete_suites(self._conn)
        await bump_auth_epoch(self._conn)

    async def load_state(self, dump: StateDump, *, replace_suites: bool) -> None:
        await load_state(self._conn, dump, replace_suites=replace_suites)
        await bump_auth_epoch(self._conn)

    async def lock_clock(self) -> ClockState:
        return await select_clock(self._conn, self._row_lock)

    async def set_clock(self, state: ClockState) -> None:
        await update_clock(self._conn, state)

    async def set_baseline(self, document: str) -> None:
        await update_baseline(self._conn, document)
