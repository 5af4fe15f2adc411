"""Whole organisations in and out of the database, the shared clock and the baseline.

Rows travel as mappings of column name to value (text, integer or null) and
are sorted here rather than by the database, whose text collation differs
between SQLite and PostgreSQL: a dump taken from one loads into the other
and dumps again to the same document.
"""

from typing import Any

from dingconf.analytics.tables import NETWORK_SAMPLES
from dingconf.auth.tables import APPS, SUITE_COLUMNS, USERS, TokenTables
from dingconf.bookings.tables import BOOKINGS
from dingconf.content.tables import SPANS, UTTERANCES
from dingconf.control.state_records import StateDump
from dingconf.core.clock import ClockState
from dingconf.db.driver import Connection, Row
from dingconf.db.request_reads import SELECT_CLOCK, clock_of
from dingconf.db.table import Table
from dingconf.links.tables import RECORD_WHITELIST, SHORT_LINKS
from dingconf.listing.tables import MEMBER_COUNT_RESET, ListingTables
from dingconf.meetings.tables import CONFERENCES
from dingconf.members.invite_tables import INVITATIONS, PHONE_INVITATIONS
from dingconf.members.tables import PARTICIPANT_SESSIONS, PARTICIPANTS
from dingconf.minutes.tables import MINUTES_GRANTS, MINUTES_SUMMARIES
from dingconf.streams.tables import MEETING_SETTINGS, STREAM_OUTS

__all__ = ["DISCARDED_TABLES", "EXCLUDED_TABLES", "ORG_TABLES", "StateTables"]

#: The tables of an organisation, each declared by its feature; in insertion
#: order (parents first), deleted in the reverse order.
ORG_TABLES = (
    USERS,
    APPS,
    BOOKINGS,
    CONFERENCES,
    PARTICIPANTS,
    PARTICIPANT_SESSIONS,
    INVITATIONS,
    UTTERANCES,
    SPANS,
    NETWORK_SAMPLES,
    PHONE_INVITATIONS,
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
        # deleted, so never reused (listing.tables).
        "org_listings",
        # Which rows each commit changed, for the caches of live processes (db.kept_rows).
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


def _row(table: Table, row: dict[str, Any]) -> Row:
    return tuple(row.get(c) for c in table.columns)


class StateTables:
    """SQL for whole organisations in and out of the database, the shared clock and
    the baseline (every table of :data:`ORG_TABLES`, orgs, suites, suite_corps,
    tokens, clock_state, state_baseline)."""

    __slots__ = ("_conn", "_row_lock")

    def __init__(self, conn: Connection, row_lock: str = "") -> None:
        """``row_lock``: the transaction's row-lock clause, for :meth:`lock_clock`."""
        self._conn = conn
        self._row_lock = row_lock

    async def _table_rows(self, table: Table, corp_id: str) -> list[dict[str, Any]]:
        rows = await self._conn.fetchall(
            f"SELECT {', '.join(table.columns)} FROM {table.name} WHERE {_where(table)}",
            (corp_id,),
        )
        ordered = _sorted(rows, table.columns, table.primary_key)
        return [dict(zip(table.columns, row, strict=True)) for row in ordered]

    async def dump_state(self, corp_id: str | None) -> StateDump:
        """Every organisation (or ``corp_id``'s) and the suites, as a :data:`StateDump`.

        A one-organisation dump carries only the suites that organisation has
        authorised, each listing that organisation alone.
        """
        conn = self._conn
        only = " WHERE corp_id = ?" if corp_id is not None else ""
        orgs: list[dict[str, Any]] = []
        for corp, name in sorted(
            await conn.fetchall(f"SELECT corp_id, name FROM orgs{only}", (corp_id,) if only else ())
        ):
            org: dict[str, Any] = {"corpId": corp, "name": name}
            for table in ORG_TABLES:
                org[table.key] = await self._table_rows(table, corp)
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

    async def delete_orgs(self, corp_ids: list[str] | None) -> None:
        """Delete organisations (None: all) and everything of theirs: meetings and what
        hangs off them, bookings, users, apps, tokens and suite authorisations."""
        conn = self._conn
        if corp_ids is None:
            await ListingTables(conn).reset_listings()
            for name, _ in DISCARDED_TABLES:
                await conn.execute(f"DELETE FROM {name}")
            for table in reversed(ORG_TABLES):
                await conn.execute(f"DELETE FROM {table.name}")
            for name in ("tokens", "suite_corps", "orgs"):
                await conn.execute(f"DELETE FROM {name}")
        for corp_id in corp_ids or ():
            for name, where in DISCARDED_TABLES:
                await conn.execute(f"DELETE FROM {name} WHERE {where}", (corp_id,))
            for table in reversed(ORG_TABLES):
                await conn.execute(f"DELETE FROM {table.name} WHERE {_where(table)}", (corp_id,))
            await conn.execute("DELETE FROM tokens WHERE corp_id = ?", (corp_id,))
            await conn.execute("DELETE FROM suite_corps WHERE corp_id = ?", (corp_id,))
            await conn.execute("DELETE FROM orgs WHERE corp_id = ?", (corp_id,))
            await ListingTables(conn).recount_listing(corp_id)
        await TokenTables(conn).bump_epoch()

    async def delete_suites(self) -> None:
        """Delete every suite, its authorisations and its tokens."""
        await self._conn.execute("DELETE FROM suite_corps")
        await self._conn.execute("DELETE FROM tokens WHERE client_kind = 'suite'")
        await self._conn.execute("DELETE FROM suites")
        await TokenTables(self._conn).bump_epoch()

    async def _insert(self, table: Table, rows: list[Row]) -> None:
        one = f"({', '.join('?' * len(table.columns))})"
        for start in range(0, len(rows), _BATCH):
            batch = rows[start : start + _BATCH]
            await self._conn.execute(
                f"INSERT INTO {table.name} ({', '.join(table.columns)}) "
                f"VALUES {', '.join([one] * len(batch))}",
                [value for row in batch for value in row],
            )

    async def load_state(self, dump: StateDump, *, replace_suites: bool) -> None:
        """Insert the organisations of a dump (absent from the database) and its suites.

        Suites are replaced when ``replace_suites``; otherwise an existing suite is
        kept as it is and only gains the authorisations of the loaded organisations.
        An authorisation of an organisation that does not exist is skipped.
        Keys that name no table or column are the caller's to refuse first.
        """
        conn = self._conn
        for org in dump["orgs"]:
            corp_id = org["corpId"]
            await conn.execute(
                "INSERT INTO orgs (corp_id, name) VALUES (?, ?)", (corp_id, org["name"])
            )
            for table in ORG_TABLES:
                rows = [_row(table, row) for row in org.get(table.key, [])]
                if not table.by_conference:
                    # The organisation owns its rows whatever they say.
                    at = table.columns.index("corp_id")
                    rows = [(*row[:at], corp_id, *row[at + 1 :]) for row in rows]
                await self._insert(table, rows)
            await ListingTables(conn).recount_members(corp_id)
            await ListingTables(conn).recount_listing(corp_id)
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
                await conn.execute(
                    "DELETE FROM suite_corps WHERE suite_key = ?", (suite["suite_key"],)
                )
            for corp_id in suite.get("corps", []):
                await conn.execute(
                    "INSERT INTO suite_corps (suite_key, corp_id) SELECT ?, ? "
                    "WHERE EXISTS (SELECT 1 FROM orgs WHERE corp_id = ?) ON CONFLICT DO NOTHING",
                    (suite["suite_key"], corp_id, corp_id),
                )
        await TokenTables(conn).bump_epoch()

    async def lock_clock(self) -> ClockState:
        """Read the shared clock and hold its row until the transaction ends."""
        return clock_of(await self._conn.fetchone(SELECT_CLOCK + self._row_lock))

    async def set_clock(self, state: ClockState) -> None:
        """Store the shared clock."""
        await self._conn.execute(
            "UPDATE clock_state SET offset_ms = ?, frozen_ms = ? WHERE id = 1",
            (state.offset_ms, state.frozen_ms),
        )

    async def baseline(self) -> str | None:
        """The document a reset goes back to, if one was stored."""
        row = await self._conn.fetchone("SELECT document FROM state_baseline WHERE id = 1")
        return str(row[0]) if row else None

    async def set_baseline(self, document: str) -> None:
        """Store the document a reset goes back to."""
        await self._conn.execute(
            "INSERT INTO state_baseline (id, document) VALUES (1, ?) "
            "ON CONFLICT (id) DO UPDATE SET document = excluded.document",
            (document,),
        )
