"""SQL for listing pages whose cost does not grow with the data.

Two pieces of bookkeeping, both moved inside the write transactions:

- ``member_counts``: each meeting's number of member rows, QueryConferenceMembers'
  total, read with one primary-key lookup instead of a ``COUNT(*)``;
- ``org_listings``: per organisation, its meetings by status (the totals of
  the status-only listing, QueryOrgConferenceList's running meetings, read
  with no COUNT at all) and a generation moved only by the writes that can
  change what its meeting listings hold (a meeting created, closed, started
  or retitled; state loaded or deleted). Processes key the totals they count
  for the other filters (history's time window, title, nick) by it, so a join
  somewhere leaves every kept total valid, while another process's create or
  close voids it at once.
"""

from collections import OrderedDict
from typing import NamedTuple

from dingconf.core.records import Conference, ConferenceStatus
from dingconf.db.driver import Connection, Database
from dingconf.db.snapshot import SnapshotCache
from dingconf.db.store import ConferenceFilter
from dingconf.meetings.tables import CONFERENCE_COLUMNS, conference_of
from dingconf.members.tables import MEMBER_COLUMNS

__all__ = [
    "MEMBER_COUNT_RESET",
    "SELECT_MEMBERSHIPS",
    "ListingTotals",
    "count_conferences",
    "filter_sql",
    "note_created",
    "note_ended",
    "note_retitle",
    "note_start",
    "recount_listing",
    "recount_members",
    "reset_listings",
    "select_conferences",
]

#: Deletes an organisation's (``?``) meeting counts, before its meetings go
#: (an entry of sql_state's DISCARDED_TABLES).
MEMBER_COUNT_RESET = (
    "member_counts",
    "conference_id IN (SELECT conference_id FROM conferences WHERE corp_id = ?)",
)

#: A person's member rows in one status across the running meetings of an
#: organisation (parameters: corpId, the running status, unionId, attendStatus).
#: From the person's rows (participants_by_person), then each meeting by key:
#: SQLite keeps a CROSS JOIN's order, and would otherwise start from every
#: running meeting of the organisation, to sort by.
SELECT_MEMBERSHIPS = (
    f"SELECT {', '.join('p.' + c for c in MEMBER_COLUMNS)} "
    "FROM participants p CROSS JOIN conferences c "
    "WHERE c.conference_id = p.conference_id "
    "AND c.corp_id = ? AND c.status = ? AND p.union_id = ? AND p.attend_status = ? "
    "ORDER BY c.start_time, c.conference_id"
)

# The status counts a meeting adds to its organisation's row, in the order of
# its columns (pending 0, running 2, ended 1).
_STATUSES = (
    ConferenceStatus.INITIALISED,
    ConferenceStatus.STARTED,
    ConferenceStatus.ENDED,
)
_COUNTS = ("pending", "running", "ended")
_UPSERT = (
    f"INSERT INTO org_listings (corp_id, generation, {', '.join(_COUNTS)}) {{source}} "
    "ON CONFLICT (corp_id) DO UPDATE SET generation = org_listings.generation + 1, "
    + ", ".join(f"{c} = org_listings.{c} + excluded.{c}" for c in _COUNTS)
)
# A meeting's row moving to a new status (``?``, once per count): the counts
# of the status it leaves go down, those of the one it enters up. SQLite
# needs a WHERE in an upsert's SELECT to tell ON CONFLICT from a join's ON.
_MOVE = _UPSERT.format(
    source="SELECT corp_id, 1, "
    + ", ".join(f"? - CASE WHEN status = {int(s)} THEN 1 ELSE 0 END" for s in _STATUSES)
    + " FROM conferences WHERE conference_id = ?{condition}"
)


def _one_hot(status: int) -> tuple[int, ...]:
    return tuple(int(status == s) for s in _STATUSES)


async def note_created(conn: Connection, corp_id: str, status: int) -> None:
    """A meeting of ``corp_id`` was created in ``status``: count it, move the generation."""
    await conn.execute(
        _UPSERT.format(source="VALUES (?, 1, ?, ?, ?)"), (corp_id, *_one_hot(status))
    )


async def note_ended(conn: Connection, conference_id: str) -> None:
    """Before a meeting ends: it leaves its status for ended."""
    await conn.execute(
        _MOVE.format(condition=""), (*_one_hot(ConferenceStatus.ENDED), conference_id)
    )


async def recount_listing(conn: Connection, corp_id: str) -> None:
    """Count ``corp_id``'s meetings by status anew and move its generation (state loaded
    or deleted)."""
    counts = ", ".join(
        f"COALESCE(SUM(CASE WHEN status = {int(s)} THEN 1 ELSE 0 END), 0)" for s in _STATUSES
    )
    await conn.execute(
        f"INSERT INTO org_listings (corp_id, generation, {', '.join(_COUNTS)}) "
        f"SELECT ?, 1, {counts} FROM conferences WHERE corp_id = ? "
        "ON CONFLICT (corp_id) DO UPDATE SET generation = org_listings.generation + 1, "
        + ", ".join(f"{c} = excluded.{c}" for c in _COUNTS),
        (corp_id, corp_id),
    )


async def reset_listings(conn: Connection) -> None:
    """Every organisation's meetings were deleted."""
    await conn.execute(
        "UPDATE org_listings SET generation = generation + 1, pending = 0, running = 0, ended = 0"
    )


async def note_retitle(
    conn: Connection, conference_id: str, title: str, status: int, start_time_ms: int
) -> None:
    """Before a meeting's row is rewritten: move the generation if a listed column changes
    (and the counts if its status does).

    Listings filter on status, startTime and the title (history's title
    filter); the other columns an update writes (host, recording, controls)
    change no listing's membership.
    """
    await conn.execute(
        _MOVE.format(condition=" AND (title <> ? OR status <> ? OR start_time <> ?)"),
        (*_one_hot(status), conference_id, title, status, start_time_ms),
    )


async def note_start(conn: Connection, conference_id: str) -> None:
    """Before a join is recorded: a booked instance's first join starts it (0 -> 2),
    which moves it into the organisation's running list (nothing moves otherwise)."""
    await conn.execute(
        _MOVE.format(condition=" AND status = ?"),
        (*_one_hot(ConferenceStatus.STARTED), conference_id, int(ConferenceStatus.INITIALISED)),
    )


async def recount_members(conn: Connection, corp_id: str) -> None:
    """Count the member rows of every meeting of ``corp_id`` (after loading its state)."""
    await conn.execute(
        "INSERT INTO member_counts (conference_id, members) "
        "SELECT p.conference_id, COUNT(*) FROM participants p "
        "JOIN conferences c ON c.conference_id = p.conference_id WHERE c.corp_id = ? "
        "GROUP BY p.conference_id "
        "ON CONFLICT (conference_id) DO UPDATE SET members = excluded.members",
        (corp_id,),
    )


class _Listing(NamedTuple):
    """An organisation's ``org_listings`` row."""

    generation: int
    #: Its meetings in each status.
    counts: dict[ConferenceStatus, int]


async def _select_listing(conn: Connection, corp_id: str) -> _Listing:
    """``corp_id``'s row (generation 0 and no meetings before anything wrote it)."""
    row = await conn.fetchone(
        f"SELECT generation, {', '.join(_COUNTS)} FROM org_listings WHERE corp_id = ?",
        (corp_id,),
    )
    values = [int(v) for v in row] if row else [0] * (1 + len(_STATUSES))
    return _Listing(values[0], dict(zip(_STATUSES, values[1:], strict=True)))


def filter_sql(where: ConferenceFilter) -> tuple[list[str], list[object]]:
    """WHERE fragments (fixed text) and their parameters for a conference filter."""
    clauses: list[str] = []
    params: list[object] = []
    for clause, value in (
        ("status = ?", None if where.status is None else int(where.status)),
        ("room_code = ?", where.room_code),
        ("schedule_conference_id = ?", where.schedule_conference_id),
        ("start_time >= ?", where.started_from_ms),
        ("start_time <= ?", where.started_to_ms),
        # replace() is a case-sensitive substring test that both backends have.
        ("replace(title, ?, '') <> title", where.title_contains or None),
        ("replace(creator_nick, ?, '') <> creator_nick", where.creator_nick_contains or None),
    ):
        if value is not None:
            clauses.append(clause)
            params.append(value)
    return clauses, params


async def select_conferences(
    conn: Connection,
    corp_id: str | None,
    where: ConferenceFilter,
    window: tuple[int, int] | None = None,
    after: tuple[int, str] | None = None,
) -> list[Conference]:
    """Meetings of ``corp_id`` (None: any organisation) matching ``where``, by startTime.

    ``window`` is ``(offset, limit)`` of one page; ``after`` the
    ``(startTime, conferenceId)`` it starts after.
    """
    condition, params = _where(corp_id, where)
    if after is not None:
        condition += " AND (start_time, conference_id) > (?, ?)"
        params += list(after)
    page = ""
    if window is not None:
        page = " LIMIT ? OFFSET ?"
        params += [window[1], window[0]]
    rows = await conn.fetchall(
        f"SELECT {', '.join(CONFERENCE_COLUMNS)} FROM conferences "
        f"WHERE {condition} ORDER BY start_time, conference_id{page}",
        params,
    )
    return [conference_of(row) for row in rows]


async def count_conferences(conn: Connection, corp_id: str, where: ConferenceFilter) -> int:
    """How many meetings of ``corp_id`` match ``where``."""
    condition, params = _where(corp_id, where)
    row = await conn.fetchone(f"SELECT COUNT(*) FROM conferences WHERE {condition}", params)
    return int(row[0]) if row else 0


def _where(corp_id: str | None, where: ConferenceFilter) -> tuple[str, list[object]]:
    clauses, params = filter_sql(where)
    if corp_id is not None:
        clauses.append("corp_id = ?")
        params.append(corp_id)
    return " AND ".join(clauses) or "1 = 1", params


class ListingTotals:
    """One process's org listing totals.

    A status-only listing's total is the organisation's count, kept by the
    writes. Any other is counted (a COUNT over 100,000 meetings takes ~12 ms)
    once per listing generation: the total stays valid through every join
    and leave, and is void as soon as any process commits a change to what
    the listing holds.
    """

    def __init__(self, limit: int = 1_000) -> None:
        self._limit = limit
        self._totals: OrderedDict[tuple[str, ConferenceFilter], tuple[int, int]] = OrderedDict()
        # The organisations' rows, re-read once anything commits.
        self._listings: SnapshotCache[str, _Listing] = SnapshotCache(limit)

    def clear(self) -> None:
        """Forget the rows read (this process committed a change)."""
        self._listings.clear()

    async def total(
        self, db: Database, conn: Connection, corp_id: str, where: ConferenceFilter
    ) -> int:
        """How many meetings of ``corp_id`` match ``where``."""
        # The generation is read before counting: a total kept under a
        # generation is then never older than that generation's writes.
        marker = await db.change_marker()
        listing = self._listings.get(marker, corp_id)
        if listing is None:
            listing = await _select_listing(conn, corp_id)
            self._listings.keep(marker, corp_id, listing)
        if where.status is not None and where == ConferenceFilter(status=where.status):
            return listing.counts[where.status]
        generation = listing.generation
        key = (corp_id, where)
        kept = self._totals.get(key)
        if kept is not None and kept[0] == generation:
            self._totals.move_to_end(key)
            return kept[1]
        total = await count_conferences(conn, corp_id, where)
        if len(self._totals) >= self._limit and key not in self._totals:
            self._totals.popitem(last=False)
        self._totals[key] = (generation, total)
        return total
