"""SQL for how people took part (:mod:`dingconf.analytics.records`): devices, stays, samples."""

from collections.abc import Sequence

from dingconf.analytics.records import Device, NetworkSample, SessionRecord
from dingconf.core.records import AttendStatus
from dingconf.db.driver import Connection, Row
from dingconf.db.table import Table

#: The network samples people's clients report, per meeting.
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

__all__ = [
    "AnalyticsWrites",
    "current_stays_sql",
    "decline_call",
    "insert_samples",
    "select_current_stays",
    "select_samples",
    "select_sessions",
    "select_stay_devices",
    "update_session_device",
]

# Ids bound per IN list: well below SQLite's and PostgreSQL's parameter limits.
_IN_CHUNK = 500
_SAMPLE_COLUMNS = (
    "n.union_id, n.at_ms, n.rtt, n.loss_rate, n.jitter, n.send_bit_rate, n.recv_bit_rate"
)


def _session_of(r: Row) -> SessionRecord:
    return SessionRecord(
        r[0], r[1], r[2], r[3], r[4], r[5], Device(r[6], r[7], bool(r[8])), bool(r[9])
    )


async def update_session_device(
    conn: Connection, conference_id: str, union_id: str, device: Device
) -> None:
    """Record the client of a person's latest stay (the caller holds the meeting's lock)."""
    await conn.execute(
        "UPDATE participant_sessions SET device_type = ?, client_version = ?, camera_on = ? "
        "WHERE conference_id = ? AND union_id = ? AND seq = (SELECT sessions FROM participants "
        "WHERE conference_id = ? AND union_id = ?)",
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


async def select_stay_devices(
    conn: Connection, conference_id: str, union_ids: Sequence[str]
) -> dict[str, str]:
    """The deviceType of each person's latest stay (nobody who never joined)."""
    if not union_ids:
        return {}
    rows = await conn.fetchall(
        "SELECT s.union_id, s.device_type FROM participant_sessions s "
        "JOIN participants p ON p.conference_id = s.conference_id "
        "AND p.union_id = s.union_id AND p.sessions = s.seq "
        f"WHERE s.conference_id = ? AND s.union_id IN ({', '.join('?' * len(union_ids))})",
        (conference_id, *union_ids),
    )
    return {str(r[0]): str(r[1]) for r in rows}


async def insert_samples(
    conn: Connection, conference_id: str, samples: Sequence[NetworkSample]
) -> None:
    """Append network samples, each as its person's next (the caller holds the lock)."""
    for s in samples:
        await conn.execute(
            "INSERT INTO network_samples (conference_id, union_id, seq, at_ms, rtt, loss_rate, "
            "jitter, send_bit_rate, recv_bit_rate) "
            "SELECT ?, ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ?, ? FROM network_samples "
            "WHERE conference_id = ? AND union_id = ?",
            (conference_id, *s, conference_id, s.union_id),
        )


async def decline_call(
    conn: Connection, conference_id: str, union_id: str, reason: str | None
) -> int:
    """An invitee being rung declines (attendStatus 2 → 4); how many rows changed."""
    return await conn.execute(
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


async def select_sessions(
    conn: Connection, corp_id: str, conference_id: str
) -> list[SessionRecord]:
    """Every stay in a meeting of ``corp_id``, by join time."""
    rows = await conn.fetchall(
        "SELECT s.conference_id, s.union_id, s.seq, p.nick, s.join_time, s.leave_time, "
        "s.device_type, s.client_version, s.camera_on, p.outer_org "
        "FROM participant_sessions s "
        "JOIN conferences c ON c.conference_id = s.conference_id AND c.corp_id = ? "
        "JOIN participants p ON p.conference_id = s.conference_id AND p.union_id = s.union_id "
        "WHERE s.conference_id = ? ORDER BY s.join_time, s.union_id, s.seq",
        (corp_id, conference_id),
    )
    return [_session_of(r) for r in rows]


async def select_current_stays(
    conn: Connection, corp_id: str, conference_id: str, union_ids: Sequence[str]
) -> list[SessionRecord]:
    """The stays in progress of ``union_ids`` in a meeting of ``corp_id``.

    Each person's latest stay is found by primary key (``seq`` = their stay
    count), so the cost follows the people asked about, not the meeting's size.
    """
    found: list[SessionRecord] = []
    for start in range(0, len(union_ids), _IN_CHUNK):
        chunk = union_ids[start : start + _IN_CHUNK]
        rows = await conn.fetchall(current_stays_sql(len(chunk)), (corp_id, conference_id, *chunk))
        found += [_session_of(r) for r in rows]
    return found


def current_stays_sql(count: int) -> str:
    """The statement of :func:`select_current_stays` for ``count`` unionIds
    (parameters: corpId, conferenceId, the unionIds)."""
    return (
        "SELECT s.conference_id, s.union_id, s.seq, p.nick, s.join_time, s.leave_time, "
        "s.device_type, s.client_version, s.camera_on, p.outer_org "
        "FROM participants p "
        "JOIN conferences c ON c.conference_id = p.conference_id AND c.corp_id = ? "
        "JOIN participant_sessions s ON s.conference_id = p.conference_id "
        "AND s.union_id = p.union_id AND s.seq = p.sessions "
        f"WHERE p.conference_id = ? AND p.union_id IN ({', '.join('?' * count)}) "
        "AND s.leave_time IS NULL"
    )


async def select_samples(
    conn: Connection, corp_id: str, conference_id: str, union_ids: Sequence[str] | None = None
) -> list[NetworkSample]:
    """The network samples of a meeting of ``corp_id`` (of ``union_ids`` when given), by time."""
    sql = (
        f"SELECT {_SAMPLE_COLUMNS} FROM network_samples n "
        "JOIN conferences c ON c.conference_id = n.conference_id AND c.corp_id = ? "
        "WHERE n.conference_id = ?"
    )
    params: tuple[object, ...] = (corp_id, conference_id)
    if union_ids is not None:
        if not union_ids:
            return []
        sql += f" AND n.union_id IN ({', '.join('?' * len(union_ids))})"
        params = (*params, *union_ids)
    rows = await conn.fetchall(sql + " ORDER BY n.at_ms, n.union_id, n.seq", params)
    return [NetworkSample(*row) for row in rows]


class AnalyticsWrites:
    """Writes of devices, network samples and declined calls

    One part of :class:`~dingconf.db.write_tx.SqlWriteTx`, on its connection.
    """

    _conn: Connection

    async def set_session_device(self, conference_id: str, union_id: str, device: Device) -> None:
        await update_session_device(self._conn, conference_id, union_id, device)

    async def stay_devices(self, conference_id: str, union_ids: list[str]) -> dict[str, str]:
        return await select_stay_devices(self._conn, conference_id, union_ids)

    async def add_samples(self, conference_id: str, samples: list[NetworkSample]) -> None:
        await insert_samples(self._conn, conference_id, samples)

    async def decline_call(self, conference_id: str, union_id: str, reason: str | None) -> bool:
        return await decline_call(self._conn, conference_id, union_id, reason) > 0
