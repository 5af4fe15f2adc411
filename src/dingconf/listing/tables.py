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

from typing import NamedTuple

from dingconf.core.records import AttendStatus, Conference, ConferenceStatus, Participant
from dingconf.db.driver import Connection
from dingconf.listing.records import ConferenceFilter
from dingconf.meetings.tables import CONFERENCE_COLUMNS, conference_of
from dingconf.members.tables import MEMBER_COLUMNS, participant_of

__all__ = [
    "MEMBER_COUNT_RESET",
    "SELECT_MEMBERSHIPS",
    "ListingTables",
    "OrgListing",
]

#: Deletes an organisation's (``?``) meeting counts, before its meetings go
#: (an entry of control.state_tables' DISCARDED_TABLES).
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


def _filter_sql(where: ConferenceFilter) -> tuple[list[str], list[object]]:
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


def _where(corp_id: str | None, where: ConferenceFilter) -> tuple[str, list[object]]:
    clauses, params = _filter_sql(where)
    if corp_id is not None:
        clauses.append("corp_id = ?")
        params.append(corp_id)
    return " AND ".join(clauses) or "1 = 1", params


class OrgListing(NamedTuple):
    """An organisation's ``org_listings`` row."""

    generation: int
    #: Its meetings in each status.
    counts: dict[ConferenceStatus, int]


class ListingTables:
    """SQL for listings of meetings and their kept totals (tables ``org_listings``,
    ``member_counts``; reads of ``conferences`` and ``participants``)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def list_conferences(
        self,
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
        rows = await self._conn.fetchall(
            f"SELECT {', '.join(CONFERENCE_COLUMNS)} FROM conferences "
            f"WHERE {condition} ORDER BY start_time, conference_id{page}",
            params,
        )
        return [conference_of(row) for row in rows]

    async def count_conferences(self, corp_id: str, where: ConferenceFilter) -> int:
        """How many meetings of ``corp_id`` match ``where``."""
        condition, params = _where(corp_id, where)
        row = await self._conn.fetchone(
            f"SELECT COUNT(*) FROM conferences WHERE {condition}", params
        )
        return int(row[0]) if row else 0

    async def org_listing(self, corp_id: str) -> OrgListing:
        """``corp_id``'s row (generation 0 and no meetings before anything wrote it)."""
        row = await self._conn.fetchone(
            f"SELECT generation, {', '.join(_COUNTS)} FROM org_listings WHERE corp_id = ?",
            (corp_id,),
        )
        values = [int(v) for v in row] if row else [0] * (1 + len(_STATUSES))
        return OrgListing(values[0], dict(zip(_STATUSES, values[1:], strict=True)))

    async def list_memberships(
        self, corp_id: str, union_id: str, status: AttendStatus
    ) -> list[Participant]:
        """A person's member rows in ``status`` across the running meetings of ``corp_id``."""
        rows = await self._conn.fetchall(
            SELECT_MEMBERSHIPS, (corp_id, int(ConferenceStatus.STARTED), union_id, int(status))
        )
        return [participant_of(row) for row in rows]

    async def note_created(self, corp_id: str, status: int) -> None:
        """A meeting of ``corp_id`` was created in ``status``: count it, move the generation."""
        await self._conn.execute(
            _UPSERT.format(source="VALUES (?, 1, ?, ?, ?)"), (corp_id, *_one_hot(status))
        )

    async def note_ended(self, conference_id: str) -> None:
        """Before a meeting ends: it leaves its status for ended."""
        await self._conn.execute(
            _MOVE.format(condition=""), (*_one_hot(ConferenceStatus.ENDED), conference_id)
        )

    async def recount_listing(self, corp_id: str) -> None:
        """Count ``corp_id``'s meetings by status anew and move its generation (state loaded
        or deleted)."""
        counts = ", ".join(
            f"COALESCE(SUM(CASE WHEN status = {int(s)} THEN 1 ELSE 0 END), 0)" for s in _STATUSES
        )
        await self._conn.execute(
            f"INSERT INTO org_listings (corp_id, generation, {', '.join(_COUNTS)}) "
            f"SELECT ?, 1, {counts} FROM conferences WHERE corp_id = ? "
            "ON CONFLICT (corp_id) DO UPDATE SET generation = org_listings.generation + 1, "
            + ", ".join(f"{c} = excluded.{c}" for c in _COUNTS),
            (corp_id, corp_id),
        )

    async def reset_listings(self) -> None:
        """Every organisation's meetings were deleted."""
        await self._conn.execute(
            "UPDATE org_listings SET generation = generation + 1, "
            "pending = 0, running = 0, ended = 0"
        )

    async def note_retitle(
        self, conference_id: str, title: str, status: int, start_time_ms: int
    ) -> None:
        """Before a meeting's row is rewritten: move the generation if a listed column changes
        (and the counts if its status does).

        Listings filter on status, startTime and the title (history's title
        filter); the other columns an update writes (host, recording, controls)
        change no listing's membership.
        """
        await self._conn.execute(
            _MOVE.format(condition=" AND (title <> ? OR status <> ? OR start_time <> ?)"),
            (*_one_hot(status), conference_id, title, status, start_time_ms),
        )

    async def note_start(self, conference_id: str) -> None:
        """Before a join is recorded: a booked instance's first join starts it (0 -> 2),
        which moves it into the organisation's running list (nothing moves otherwise)."""
        await self._conn.execute(
            _MOVE.format(condition=" AND status = ?"),
            (*_one_hot(ConferenceStatus.STARTED), conference_id, int(ConferenceStatus.INITIALISED)),
        )

    async def recount_members(self, corp_id: str) -> None:
        """Count the member rows of every meeting of ``corp_id`` (after loading its state)."""
        await self._conn.execute(
            "INSERT INTO member_counts (conference_id, members) "
            "SELECT p.conference_id, COUNT(*) FROM participants p "
            "JOIN conferences c ON c.conference_id = p.conference_id WHERE c.corp_id = ? "
            "GROUP BY p.conference_id "
            "ON CONFLICT (conference_id) DO UPDATE SET members = excluded.members",
            (corp_id,),
        )
