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

from dingconf.core.records import ConferenceStatus, Participant
from dingconf.db.driver import Connection, Database
from dingconf.db.rows import PARTICIPANT_COLUMNS, count_conferences, participant_of
from dingconf.db.snapshot import SnapshotCache
from dingconf.db.store import ConferenceFilter

__all__ = [
    "MEMBER_COUNT_RESET",
    "SELECT_MEMBERSHIPS",
    "ListingTotals",
    "note_created",
    "note_ended",
    "note_retitle",
    "note_start",
    "recount_listing",
    "recount_members",
    "reset_listings",
    "select_member_page",
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
    f"SELECT {', '.join('p.' + c for c in PARTICIPANT_COLUMNS.split(', '))} "
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


async def select_member_page(
    conn: Connection,
    corp_id: str,
    conference_id: str,
    offset: int,
    limit: int,
    after: tuple[int, str] | None,
) -> tuple[list[Participant], int, tuple[int, str] | None]:
    """One page of a meeting's members by ``(listed_at, union_id)``, how many members
    there are, and the page's last row's key.

    One statement, so the total and the rows are of one moment: read apart,
    joins committed in between made the total exceed the rows listed. The
    total is a meeting of ``corp_id``'s kept count (0 for none or another
    organisation's); a page past the end is one row with the total alone.
    With ``after`` (the key the previous page ended with) the page is read
    from there off the ``participants_listing`` index and ``offset`` is not
    skipped; without it, ``offset`` rows are.
    """
    seek, bound = "", []
    if after is not None:
        seek = " AND (p.listed_at, p.union_id) > (?, ?)"
        bound = [after[0], after[1]]
        offset = 0
    columns = ", ".join("p." + c for c in PARTICIPANT_COLUMNS.split(", "))
    rows = await conn.fetchall(
        f"WITH page AS (SELECT {columns}, u.job_number, p.listed_at "
        "FROM participants p JOIN conferences c ON c.conference_id = p.conference_id "
        "LEFT JOIN users u ON u.corp_id = c.corp_id AND u.union_id = p.union_id "
        f"WHERE p.conference_id = ? AND c.corp_id = ?{seek} "
        "ORDER BY p.listed_at, p.union_id LIMIT ? OFFSET ?) "
        "SELECT kept.members, page.* FROM (SELECT COALESCE((SELECT m.members "
        "FROM member_counts m JOIN conferences c ON c.conference_id = m.conference_id "
        "WHERE m.conference_id = ? AND c.corp_id = ?), 0) AS members) kept "
        "LEFT JOIN page ON 1 = 1 ORDER BY page.listed_at, page.union_id",
        [conference_id, corp_id, *bound, limit, offset, conference_id, corp_id],
    )
    total = int(rows[0][0])
    listed = [row[1:] for row in rows if row[1] is not None]
    members = [participant_of(row[:-2])._replace(job_number=row[-2]) for row in listed]
    last = (int(listed[-1][-1]), str(listed[-1][1])) if listed else None
    return members, total, last


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
