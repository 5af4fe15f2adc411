"""SQL for listing pages whose cost does not grow with the data.

Two pieces of bookkeeping, both moved inside the write transactions:

- ``member_counts``: each meeting's number of member rows, QueryConferenceMembers'
  total, read with one primary-key lookup instead of a ``COUNT(*)``;
- ``listing_generations``: per organisation, a number moved only by the writes
  that can change what its meeting listings hold (a meeting created, closed,
  started or retitled; state loaded or deleted). Processes key the listing
  totals they count by it, so a join somewhere leaves every kept total valid,
  while another process's create or close voids it at once.
"""

from collections import OrderedDict

from dingconf.model import ConferenceStatus, Participant
from dingconf.storage.base import ConferenceFilter
from dingconf.storage.driver import Connection, Database
from dingconf.storage.snapshot import SnapshotCache
from dingconf.storage.sql_rows import PARTICIPANT_COLUMNS, count_conferences, participant_of

__all__ = [
    "MEMBER_COUNT_RESET",
    "ListingTotals",
    "bump_generation",
    "bump_generation_of",
    "bump_generations",
    "count_new_member",
    "note_join",
    "note_retitle",
    "recount_members",
    "select_member_page",
    "select_member_total",
]

#: Deletes an organisation's (``?``) meeting counts, before its meetings go
#: (an entry of sql_state's DISCARDED_TABLES).
MEMBER_COUNT_RESET = (
    "member_counts",
    "conference_id IN (SELECT conference_id FROM conferences WHERE corp_id = ?)",
)

_BUMP = (
    "INSERT INTO listing_generations (corp_id, generation) {source} "
    "ON CONFLICT (corp_id) DO UPDATE SET generation = listing_generations.generation + 1"
)
# SQLite needs a WHERE in an upsert's SELECT to tell ON CONFLICT from a join's ON.
_BUMP_OF_MEETING = _BUMP.format(
    source="SELECT corp_id, 1 FROM conferences WHERE conference_id = ?{condition}"
)


async def bump_generation(conn: Connection, corp_id: str) -> None:
    """Move ``corp_id``'s listing generation: its kept listing totals are void."""
    await conn.execute(_BUMP.format(source="VALUES (?, 1)"), (corp_id,))


async def bump_generations(conn: Connection) -> None:
    """Move every organisation's listing generation (all of them were reset)."""
    await conn.execute("UPDATE listing_generations SET generation = generation + 1")


async def bump_generation_of(conn: Connection, conference_id: str) -> None:
    """Move the listing generation of the organisation of ``conference_id``."""
    await conn.execute(_BUMP_OF_MEETING.format(condition=""), (conference_id,))


async def note_retitle(
    conn: Connection, conference_id: str, title: str, status: int, start_time_ms: int
) -> None:
    """Before a meeting's row is rewritten: move the generation if a listed column changes.

    Listings filter on status, startTime and the title (history's title
    filter); the other columns an update writes (host, recording, controls)
    change no listing's membership.
    """
    await conn.execute(
        _BUMP_OF_MEETING.format(condition=" AND (title <> ? OR status <> ? OR start_time <> ?)"),
        (conference_id, title, status, start_time_ms),
    )


async def count_new_member(conn: Connection, conference_id: str, union_id: str) -> None:
    """Before a member row is upserted: count it when it is not there yet.

    The caller holds the meeting (SQLite's write lock, PostgreSQL's row lock
    through ``lock_conference`` or a meeting it just inserted), so no other
    transaction adds the same row in between.
    """
    await conn.execute(
        "INSERT INTO member_counts (conference_id, members) SELECT ?, 1 WHERE NOT EXISTS "
        "(SELECT 1 FROM participants WHERE conference_id = ? AND union_id = ?) "
        "ON CONFLICT (conference_id) DO UPDATE SET members = member_counts.members + 1",
        (conference_id, conference_id, union_id),
    )


async def note_join(conn: Connection, conference_id: str, union_id: str) -> None:
    """Before a join is recorded: count a new member; a booked instance's first join
    starts it (0 -> 2), which moves it into the organisation's running list."""
    await count_new_member(conn, conference_id, union_id)
    await conn.execute(
        _BUMP_OF_MEETING.format(condition=" AND status = ?"),
        (conference_id, int(ConferenceStatus.INITIALISED)),
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


async def _select_generation(conn: Connection, corp_id: str) -> int:
    """``corp_id``'s listing generation (0 before anything moved it)."""
    row = await conn.fetchone(
        "SELECT generation FROM listing_generations WHERE corp_id = ?", (corp_id,)
    )
    return int(row[0]) if row else 0


async def select_member_total(conn: Connection, corp_id: str, conference_id: str) -> int:
    """How many member rows a meeting of ``corp_id`` has (0 for none or another org's)."""
    row = await conn.fetchone(
        "SELECT m.members FROM member_counts m "
        "JOIN conferences c ON c.conference_id = m.conference_id "
        "WHERE m.conference_id = ? AND c.corp_id = ?",
        (conference_id, corp_id),
    )
    return int(row[0]) if row else 0


async def select_member_page(
    conn: Connection,
    corp_id: str,
    conference_id: str,
    offset: int,
    limit: int,
    after: tuple[int, str] | None,
) -> tuple[list[Participant], tuple[int, str] | None]:
    """One page of a meeting's members by ``(listed_at, union_id)``, and the last row's key.

    With ``after`` (the key the previous page ended with) the page is read
    from there off the ``participants_listing`` index and ``offset`` is not
    skipped; without it, ``offset`` rows are.
    """
    seek, params = "", [conference_id, corp_id]
    bound: list[object] = []
    if after is not None:
        seek = " AND (p.listed_at, p.union_id) > (?, ?)"
        bound = [after[0], after[1]]
        offset = 0
    rows = await conn.fetchall(
        f"SELECT {', '.join('p.' + c for c in PARTICIPANT_COLUMNS.split(', '))}, "
        "u.job_number, p.listed_at "
        "FROM participants p JOIN conferences c ON c.conference_id = p.conference_id "
        "LEFT JOIN users u ON u.corp_id = c.corp_id AND u.union_id = p.union_id "
        f"WHERE p.conference_id = ? AND c.corp_id = ?{seek} "
        "ORDER BY p.listed_at, p.union_id LIMIT ? OFFSET ?",
        [*params, *bound, limit, offset],
    )
    members = [participant_of(row[:-2])._replace(job_number=row[-2]) for row in rows]
    last = (int(rows[-1][-1]), str(rows[-1][1])) if rows else None
    return members, last


class ListingTotals:
    """One process's org listing totals, each counted once per listing generation.

    A COUNT over 100,000 meetings takes ~12 ms; keyed by the generation, a
    total stays valid through every join and leave, and is void as soon as
    any process commits a change to what the listing holds.
    """

    def __init__(self, limit: int = 1_000) -> None:
        self._limit = limit
        self._totals: OrderedDict[tuple[str, ConferenceFilter], tuple[int, int]] = OrderedDict()
        # The generations themselves, re-read once anything commits.
        self._generations: SnapshotCache[str, int] = SnapshotCache(limit)

    def clear(self) -> None:
        """Forget the generations read (this process committed a change)."""
        self._generations.clear()

    async def total(
        self, db: Database, conn: Connection, corp_id: str, where: ConferenceFilter
    ) -> int:
        """How many meetings of ``corp_id`` match ``where``."""
        # The generation is read before counting: a total kept under a
        # generation is then never older than that generation's writes.
        marker = await db.change_marker()
        generation = self._generations.get(marker, corp_id)
        if generation is None:
            generation = await _select_generation(conn, corp_id)
            self._generations.keep(marker, corp_id, generation)
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
