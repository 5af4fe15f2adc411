"""In-meeting features beyond the members: streams out, focus, MCU devices, ext info, subtitles.

Each is stored per meeting (:mod:`dingconf.streams.records`); none of DingTalk's
queries returns it, so the control API shows it (:meth:`StreamService.view`).
"""

from collections.abc import Callable
from dataclasses import dataclass

from dingconf.auth.service import WRITE, require_scope
from dingconf.auth.tables import OrgTables
from dingconf.core import errors
from dingconf.core.clock import Clock
from dingconf.core.digits import ascii_digits
from dingconf.core.errors import InvalidRequest
from dingconf.core.layouts import check_layout
from dingconf.core.records import AttendStatus, Conference, Principal
from dingconf.core.rng import random_hex
from dingconf.db.store import Store, WriteTx
from dingconf.listing.records import ConferenceFilter
from dingconf.listing.tables import ListingTables
from dingconf.meetings.access import lock_own_conference
from dingconf.meetings.tables import MeetingTables
from dingconf.meetings.transitions import record_join
from dingconf.members.tables import MemberTables
from dingconf.streams.records import MeetingSettings, StreamOut
from dingconf.streams.tables import StreamTables

__all__ = [
    "MAX_STREAMS",
    "StreamRequest",
    "StreamService",
    "StreamStart",
    "StreamsView",
    "stream_status",
]

#: At most this many streams run at once per meeting (spec: "最多10个").
MAX_STREAMS = 10
#: DingTalk's own request example sends "grip"; it is taken as the grid it names.
_MODE_ALIASES = {"grip": "grid"}
_SCHEMES = ("rtmp://", "rtmps://")
_MCU_PREFIX = "mcu-"


def _stream_ended() -> InvalidRequest:
    # The stream-out pages' tables list no code for an ended meeting (no
    # resourceClose): their parameter error is the one that fits.
    return errors.params_error("error:the meeting has ended")


@dataclass(frozen=True, slots=True)
class StreamRequest:
    """StartStreamOut's body, as the service needs it."""

    union_id: str
    urls: list[str]
    name: str
    mode: str
    window_position: str
    need_host_join: bool


@dataclass(frozen=True, slots=True)
class StreamStart:
    """StartStreamOut's answer: started URL → liveId, refused URL → reason."""

    started: dict[str, str]
    failed: dict[str, str]


@dataclass(frozen=True, slots=True)
class StreamsView:
    """Everything stored for a meeting here, for the control API."""

    conference: Conference
    settings: MeetingSettings
    streams: list[StreamOut]
    host_inside: bool


def stream_status(stream: StreamOut, conference: Conference, host_inside: bool) -> str:
    """``stopped`` (stopped or meeting ended), ``waiting`` (for the host), or ``pushing``."""
    if stream.stopped_at_ms is not None or conference.ended:
        return "stopped"
    if stream.need_host_join and not host_inside:
        return "waiting"
    return "pushing"


def _url_problem(url: str) -> str | None:
    """Why an address cannot take a stream, or None."""
    if not url.startswith(_SCHEMES):
        return "invalid stream url: must start with rtmp:// or rtmps://"
    rest = url.split("://", 1)[1]
    if not rest.split("/", 1)[0]:
        return "invalid stream url: no host"
    return None


class StreamService:
    """Streams out, focus, MCU invitations, ext info and subtitle subscriptions."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def _open(
        self,
        tx: WriteTx,
        principal: Principal,
        conference_id: str,
        ended: Callable[[], InvalidRequest] = errors.resource_close,
    ) -> Conference:
        """Lock the caller's meeting that has not ended (the in-meeting write rules).

        Raises ``ended()`` for an ended meeting (``resourceClose`` by default).
        """
        require_scope(principal, WRITE)
        conference = await lock_own_conference(tx, principal, conference_id)
        if conference.ended:
            raise ended()
        return conference

    async def _user(self, tx: WriteTx, principal: Principal, union_id: str) -> None:
        if not union_id or await OrgTables(tx.conn).get_user(principal.corp_id, union_id) is None:
            raise errors.unknown_user()

    async def start_streams(
        self, principal: Principal, conference_id: str, request: StreamRequest
    ) -> StreamStart:
        """StartStreamOut: push the meeting to each RTMP address.

        Each address starts (→ its new liveId) or is refused with a reason: a
        malformed address, one already pushing, or one over the limit of
        :data:`MAX_STREAMS` running streams.

        Raises:
            InvalidRequest: ``paramsError`` (bad id, no or over 10 addresses, empty
                name, unknown mode or window position, an ended meeting),
                ``orgAccessForbidden``, ``unknownUserError``.
        """
        require_scope(principal, WRITE)
        mode = _MODE_ALIASES.get(request.mode, request.mode)
        check_layout(mode, request.window_position)
        if not request.urls or len(request.urls) > MAX_STREAMS:
            raise errors.params_error(f"error:streamUrlList must hold 1 to {MAX_STREAMS} addresses")
        if not request.name.strip():
            raise errors.params_error("error:streamName is empty")
        async with self._store.write() as tx:
            conference = await self._open(tx, principal, conference_id, _stream_ended)
            await self._user(tx, principal, request.union_id)
            streams = StreamTables(tx.conn)
            running = [
                s
                for s in await streams.list_stream_outs(conference.conference_id)
                if s.stopped_at_ms is None
            ]
            busy = {s.url for s in running}
            now = self._clock.now_ms()
            result = StreamStart({}, {})
            for url in dict.fromkeys(request.urls):
                problem = _url_problem(url)
                if problem is None and url in busy:
                    problem = "stream url is already pushing"
                if problem is None and len(busy) >= MAX_STREAMS:
                    problem = f"at most {MAX_STREAMS} streams may run at once"
                if problem is not None:
                    result.failed[url] = problem
                    continue
                stream = StreamOut(
                    stream_id=random_hex(16),
                    conference_id=conference.conference_id,
                    url=url,
                    name=request.name,
                    mode=mode,
                    window_position=request.window_position,
                    need_host_join=request.need_host_join,
                    started_by=request.union_id,
                    started_at_ms=now,
                    stopped_at_ms=None,
                )
                await streams.insert_stream_out(stream)
                busy.add(url)
                result.started[url] = stream.stream_id
            return result

    async def stop_streams(
        self,
        principal: Principal,
        conference_id: str,
        union_id: str,
        stream_id: str,
        stop_all: bool,
    ) -> None:
        """StopStreamOut: stop one running stream, or all of them (``stopAllStream``).

        Raises:
            InvalidRequest: ``paramsError`` (bad id, ``streamId`` missing or not
                a running stream of this meeting, an ended meeting),
                ``orgAccessForbidden``, ``unknownUserError``.
        """
        async with self._store.write() as tx:
            conference = await self._open(tx, principal, conference_id, _stream_ended)
            await self._user(tx, principal, union_id)
            now = self._clock.now_ms()
            streams = StreamTables(tx.conn)
            if stop_all:
                await streams.stop_stream_outs(conference.conference_id, None, now)
            elif not stream_id:
                raise errors.params_error("error:streamId is required unless stopAllStream is true")
            elif not await streams.stop_stream_outs(conference.conference_id, [stream_id], now):
                raise errors.params_error(
                    f"error:streamId {stream_id!r} is not a running stream of the meeting"
                )

    @staticmethod
    async def _settings(streams: StreamTables, conference_id: str) -> MeetingSettings:
        """A meeting's settings, the defaults when none was ever set."""
        return await streams.get_meeting_settings(conference_id) or MeetingSettings(conference_id)

    async def focus(
        self, principal: Principal, conference_id: str, action: str, union_id: str
    ) -> None:
        """Focus: everyone watches ``union_id`` (``focus``), or no one (``un_focus``).

        Raises:
            InvalidRequest: ``paramsError`` (bad id or action, no unionId to focus),
                ``orgAccessForbidden``,
                ``resourceClose``, ``unknownUserError`` when the person is not inside.
        """
        require_scope(principal, WRITE)
        if action not in ("focus", "un_focus"):
            raise errors.params_error("error:action must be focus or un_focus")
        async with self._store.write() as tx:
            conference = await self._open(tx, principal, conference_id)
            streams = StreamTables(tx.conn)
            settings = await self._settings(streams, conference.conference_id)
            if action == "un_focus":
                await streams.put_meeting_settings(settings._replace(focus_union_id=None))
                return
            if not union_id:
                raise errors.params_error("error:unionId is required to focus")
            member = await MemberTables(tx.conn).get(conference.conference_id, union_id)
            if member is None or member.attend_status != AttendStatus.ACTIVE:
                raise errors.unknown_user()
            await streams.put_meeting_settings(settings._replace(focus_union_id=union_id))

    async def set_ext_info(
        self, principal: Principal, conference_id: str, ext_info: str | None
    ) -> None:
        """UpdateVideoConferenceExtInfo: keep the ext info object (None keeps the old one).

        Raises:
            InvalidRequest: ``paramsError``, ``orgAccessForbidden``, ``resourceClose``.
        """
        async with self._store.write() as tx:
            conference = await self._open(tx, principal, conference_id)
            if ext_info is not None:
                streams = StreamTables(tx.conn)
                settings = await self._settings(streams, conference.conference_id)
                await streams.put_meeting_settings(settings._replace(ext_info=ext_info))

    async def set_subtitle_events(
        self, principal: Principal, conference_id: str, enable: bool
    ) -> None:
        """SetSubtitleEvent: subscribe to (or drop) the meeting's subtitle events.

        Raises:
            InvalidRequest: ``paramsError``, ``orgAccessForbidden``, ``resourceClose``.
        """
        async with self._store.write() as tx:
            conference = await self._open(tx, principal, conference_id)
            streams = StreamTables(tx.conn)
            settings = await self._settings(streams, conference.conference_id)
            await streams.put_meeting_settings(settings._replace(subtitle_events=enable))

    async def invite_mcu(
        self, principal: Principal, room_code: str, mcu_room_code: str, union_id: str
    ) -> None:
        """InviteMcu: a meeting-room device (MCU) joins the meeting with ``roomCode``.

        The device is a member of its own (``mcu-<mcuRoomCode>``, nick ``MCU
        <mcuRoomCode>``) and counts in ``activeNum``/``attendNum`` like any
        joiner; a device already inside stays inside.

        Raises:
            InvalidRequest: ``paramsError`` (non-numeric codes, no running meeting
                with that code), ``orgAccessForbidden`` (another organisation's
                meeting), ``unknownUserError`` (the inviter).
        """
        require_scope(principal, WRITE)
        room_code = room_code.replace(" ", "")
        if not ascii_digits(room_code) or not ascii_digits(mcu_room_code):
            raise errors.params_error("error:roomCode and mcuRoomCode must be digits")
        device = _MCU_PREFIX + mcu_room_code
        async with self._store.write() as tx:
            await self._user(tx, principal, union_id)
            where = ConferenceFilter(room_code=room_code)
            live = [
                c for c in await ListingTables(tx.conn).list_conferences(None, where) if not c.ended
            ]
            own = [c for c in live if c.corp_id == principal.corp_id]
            if not own:
                if live:
                    raise errors.org_access_forbidden()
                raise errors.params_error(f"error:no meeting in progress with roomCode {room_code}")
            conference = await MeetingTables(tx.conn, tx.row_lock).lock(
                principal.corp_id, own[-1].conference_id
            )
            if conference is None:
                raise errors.room_not_found()
            member = await MemberTables(tx.conn).get(conference.conference_id, device)
            if member is not None and member.attend_status == AttendStatus.ACTIVE:
                return
            await record_join(
                tx,
                conference,
                device,
                f"MCU {mcu_room_code}",
                self._clock.now_ms(),
                muted=conference.mute_all != 0,
            )

    async def view(self, conference_id: str) -> StreamsView:
        """Control API: a meeting's streams, focus, ext info and subtitle flag.

        Raises:
            NotFound: ``roomNotFound``.
        """
        corp_id = await MeetingTables(self._store.reader).conference_corp(conference_id)
        conference = corp_id and await self._store.get_conference(corp_id, conference_id)
        if not conference:
            raise errors.room_not_found()
        streams = StreamTables(self._store.reader)
        settings = await streams.get_meeting_settings(conference_id, conference.corp_id)
        members = await MemberTables(self._store.reader).list_members(
            conference.corp_id, conference_id
        )
        host_inside = any(
            p.union_id == conference.host_id and p.attend_status == AttendStatus.ACTIVE
            for p in members
        )
        return StreamsView(
            conference,
            settings or MeetingSettings(conference_id),
            await streams.list_stream_outs(conference_id, conference.corp_id),
            host_inside,
        )
