"""SQL for how people took part (:mod:`dingconf.analytics.records`): devices, stays, samples."""

from collections.abc import Sequence

from dingconf.analytics.records import Device, NetworkSample, SessionRecord
from dingconf.core.records import AttendStatus
from dingconf.db.driver import Connection, Row
from dingconf.db.table import Table

__all__ = ["NETWORK_SAMPLES", "AnalyticsTables", "current_stays_sql"]

# Ids bound per IN list: well below SQLite's and PostgreSQL's parameter limits.
_IN_CHUNK = 500
NETWORK_SAMPLES = Table(
    "network_samples",
    "networkSamples",
    (
        "conference_id",
        "union_id",
        "seq",
        "at_ms",
        "rtt",
        "loss_rate",
        "jitter",
        "send_bit_rate",
        "recv_bit_rate",
    ),
    ("conference_id", "union_id", "seq"),
    True,
)
# A sample's fields (NetworkSample): its columns but the meeting and the person's order.
_SAMPLE_FIELDS = tuple(c for c in NETWORK_SAMPLES.columns if c not in ("conference_id", "seq"))
# Each sample is its person's next ``seq``, counted under the meeting's lock.
_INSERT_SAMPLE = (
    f"INSERT INTO network_samples ({', '.join(NETWORK_SAMPLES.columns)}) SELECT "
    + ", ".join("COALESCE(MAX(seq), 0) + 1" if c == "seq" else "?" for c in NETWORK_SAMPLES.columns)
    + " FROM network_samples WHERE conference_id = ? AND union_id = ?"
)
# A stay (SessionRecord): its session row, with the member's nick and outer_org.
_STAY_COLUMNS = (
    "s.conference_id, s.union_id, s.seq, p.nick, s.join_time, s.leave_time, "
    "s.device_type, s.client_version, s.camera_on, p.outer_org "
)


def _session_of(r: Row) -> SessionRecord:
    return SessionRecord(
        r[0], r[1], r[2], r[3], r[4], r[5], Device(r[6], r[7], bool(r[8])), bool(r[9])
    )


def current_stays_sql(count: int) -> str:
    """The statement of :meth:`AnalyticsTables.current_stays` for ``count`` unionIds
    (parameters: corpId, conferenceId, the unionIds)."""
    return (
        f"SELECT {_STAY_COLUMNS}"
        "FROM participants p "
        "JOIN conferences c ON c.conference_id = p.conference_id AND c.corp_id = ? "
        "JOIN participant_sessions s ON s.conference_id = p.conference_id "
        "AND s.union_id = p.union_id AND s.seq = p.sessions "
        f"WHERE p.conference_id = ? AND p.union_id IN ({', '.join('?' * count)}) "
        "AND s.leave_time IS NULL"
    )


class AnalyticsTables:
    """SQL for stays' devices, network samples and declined calls
    (tables network_samples, and participant_sessions and participants as analytics reads them)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def set_session_device(self, conference_id: str, union_id: str, device: Device) -> None:
        """Record the client of a person's latest stay (the caller holds the meeting's lock)."""
        await self._conn.execute(
            "UPDATE participant_sessions SET device_type = ?, client_version = ?, camera_on = ? "
            "WHERE conference_id = ? AND union_id = ? AND seq = (SELECT sessions "
            "FROM participants WHERE conference_id = ? AND union_id = ?)",
            (
                device.device_type,
                device.version,
                int(device.camera_on),
                conference_id,
                union_id,
                conference_id,
                union_id,
            ),
        )

    async def stay_devices(self, conference_id: str, union_ids: Sequence[str]) -> dict[str, str]:
        """The deviceType of each person's latest stay (nobody who never joined)."""
        if not union_ids:
            return {}
        rows = await self._conn.fetchall(
            "SELECT s.union_id, s.device_type FROM participant_sessions s "
            "JOIN participants p ON p.conference_id = s.conference_id "
            "AND p.union_id = s.union_id AND p.sessions = s.seq "
            f"WHERE s.conference_id = ? AND s.union_id IN ({', '.join('?' * len(union_ids))})",
            (conference_id, *union_ids),
        )
        return {str(r[0]): str(r[1]) for r in rows}

    async def add_samples(self, conference_id: str, samples: Sequence[NetworkSample]) -> None:
        """Append network samples, each as its person's next (the caller holds the lock)."""
        for s in samples:
            await self._conn.execute(
                _INSERT_SAMPLE,
                (conference_id, *s, conference_id, s.union_id),
            )

    async def decline_call(self, conference_id: str, union_id: str, reason: str | None) -> bool:
        """An invitee being rung declines (attendStatus 2 → 4); False if not being rung."""
        changed = await self._conn.execute(
            "UPDATE participants SET attend_status = ?, reject_description = ? "
            "WHERE conference_id = ? AND union_id = ? AND attend_status = ?",
            (
                int(AttendStatus.JOIN_FAILED),
                reason,
                conference_id,
                union_id,
                int(AttendStatus.CALLING),
            ),
        )
        return changed > 0

    async def list_sessions(self, corp_id: str, conference_id: str) -> list[SessionRecord]:
        """Every stay in a meeting of ``corp_id``, by join time."""
        rows = await self._conn.fetchall(
            f"SELECT {_STAY_COLUMNS}"
            "FROM participant_sessions s "
            "JOIN conferences c ON c.conference_id = s.conference_id AND c.corp_id = ? "
            "JOIN participants p ON p.conference_id = s.conference_id "
            "AND p.union_id = s.union_id "
            "WHERE s.conference_id = ? ORDER BY s.join_time, s.union_id, s.seq",
            (corp_id, conference_id),
        )
        return [_session_of(r) for r in rows]

    async def current_stays(
        self, corp_id: str, conference_id: str, union_ids: Sequence[str]
    ) -> list[SessionRecord]:
        """The stays in progress of ``union_ids`` in a meeting of ``corp_id`` (any order).

        Each person's latest stay is found by primary key (``seq`` = their stay
        count), so the cost follows the people asked about, not the meeting's size.
        """
        found: list[SessionRecord] = []
        for start in range(0, len(union_ids), _IN_CHUNK):
            chunk = union_ids[start : start + _IN_CHUNK]
            rows = await self._conn.fetchall(
                current_stays_sql(len(chunk)), (corp_id, conference_id, *chunk)
            )
            found += [_session_of(r) for r in rows]
        return found

    async def list_samples(
        self, corp_id: str, conference_id: str, union_ids: Sequence[str] | None = None
    ) -> list[NetworkSample]:
        """The network samples of a meeting of ``corp_id`` (of ``union_ids`` when given),
        by time."""
        sql = (
            f"SELECT {', '.join('n.' + c for c in _SAMPLE_FIELDS)} FROM network_samples n "
            "JOIN conferences c ON c.conference_id = n.conference_id AND c.corp_id = ? "
            "WHERE n.conference_id = ?"
        )
        params: tuple[object, ...] = (corp_id, conference_id)
        if union_ids is not None:
            if not union_ids:
                return []
            sql += f" AND n.union_id IN ({', '.join('?' * len(union_ids))})"
            params = (*params, *union_ids)
        rows = await self._conn.fetchall(sql + " ORDER BY n.at_ms, n.union_id, n.seq", params)
        return [NetworkSample(*row) for row in rows]
