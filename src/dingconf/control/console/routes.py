"""The web console's control operations (``/_dingconf``, guarded by ``admin``).

Reads: ``GET /_dingconf/overview`` and ``GET /_dingconf/conferences/{conferenceId}``.
``POST /_dingconf/conferences`` creates a meeting as CreateVideoConference does.
Actions a meeting's host takes: kick, start and stop the recording, close.
The meeting page's ``queryConferenceInfo`` is rendered by :func:`conf_info`,
the function QueryConferenceInfo answers with, from the same service read.
"""

from collections import defaultdict
from collections.abc import Awaitable, Callable

from dingconf.content.records import Span
from dingconf.control.console.records import MeetingDetail, OrgSummary, Speaker
from dingconf.control.console.schemas import (
    AppView,
    CreateBody,
    CreatedReply,
    EventDeliveryView,
    EventView,
    KickBody,
    MeetingReply,
    MeetingRow,
    MemberView,
    OrgView,
    OverviewReply,
    SpanView,
    StateView,
    TimelineView,
    UserView,
)
from dingconf.control.console.service import ConsoleService
from dingconf.control.routes import utterance_view
from dingconf.core import errors
from dingconf.core.records import Conference
from dingconf.events.records import Delivery
from dingconf.http.operations import Call, Operation, op
from dingconf.meetings.routes import conf_info
from dingconf.meetings.schemas import ConfInfoReply
from dingconf.meetings.service import CreatedConference

__all__ = ["console_routes"]

_SUCCESS = {"success": True}
_PARAM_ERROR = errors.param_error.code


def _org(o: OrgSummary) -> OrgView:
    return OrgView(
        corp_id=o.org.corp_id,
        name=o.org.name,
        apps=[AppView(a.app_key, list(a.scopes), a.events) for a in o.apps],
        users=[UserView(u.union_id, u.nick) for u in o.users],
    )


def _people(speakers: list[Speaker] | tuple[Speaker, ...]) -> list[UserView]:
    return [UserView(s.union_id, s.nick) for s in speakers]


def _created(created: CreatedConference) -> CreatedReply:
    c = created.conference
    return CreatedReply(c.conference_id, c.room_code, c.external_link_url)


def _row(c: Conference, speaking: list[Speaker]) -> MeetingRow:
    return MeetingRow(
        conference_id=c.conference_id,
        corp_id=c.corp_id,
        title=c.title,
        status=int(c.status),
        room_code=c.room_code,
        host_id=c.host_id,
        creator_nick=c.creator_nick,
        start_time=c.start_time_ms,
        active_num=c.active_num,
        attend_num=c.attend_num,
        invited_num=c.invited_num,
        cloud_record_status=c.cloud_record_status,
        minutes_status=c.minutes_status,
        end_time=c.end_time_ms,
        speaking=_people(speaking),
    )


def _members(d: MeetingDetail) -> list[MemberView]:
    c = d.conference
    stays: dict[str, int] = defaultdict(int)
    latest = {}
    for s in d.sessions:  # by join time: the last one seen is the latest client
        stays[s.union_id] += 1
        latest[s.union_id] = s.device
    views = []
    for m in d.members:
        device = latest.get(m.union_id)
        views.append(
            MemberView(
                union_id=m.union_id,
                nick=m.nick,
                attend_status=int(m.attend_status),
                duration=m.duration_ms,
                stays=stays[m.union_id],
                host=m.union_id == c.host_id,
                cohost=m.union_id in c.cohost_ids,
                muted=m.muted,
                outer_org=m.outer_org,
                first_join_time=m.first_join_ms,
                last_join_time=m.last_join_ms,
                leave_time=m.leave_ms,
                device_type=device.device_type if device else None,
                device_version=device.version if device else None,
            )
        )
    return views


def _state(status: int, owner: str | None, spans: tuple[Span, ...]) -> StateView:
    return StateView(
        status=status,
        spans=[SpanView(s.take, s.owner, s.start_ms, s.end_ms) for s in spans],
        owner=owner,
    )


def _events(deliveries: tuple[Delivery, ...]) -> list[EventView]:
    by_event: dict[str, EventView] = {}
    for d in deliveries:
        e = d.event
        view = by_event.setdefault(
            e.event_id, EventView(e.event_id, e.event_type, e.seq, e.born_ms, [])
        )
        view.deliveries.append(
            EventDeliveryView(d.app_key, d.state, d.attempts, d.last_error or None)
        )
    return list(by_event.values())


def _meeting(d: MeetingDetail) -> MeetingReply:
    c = d.conference
    return MeetingReply(
        now=d.now_ms,
        corp_id=c.corp_id,
        host_id=c.host_id,
        cohost_ids=list(c.cohost_ids),
        locked=c.locked,
        query_conference_info=ConfInfoReply(conf_info(c)),
        members=_members(d),
        recording=_state(c.cloud_record_status, c.cloud_record_owner, d.record_spans),
        minutes=_state(c.minutes_status, c.minutes_owner, d.minutes_spans),
        utterances=[utterance_view(u) for u in d.utterances],
        events=_events(d.deliveries),
        users=[UserView(u.union_id, u.nick) for u in d.users],
        timeline=[TimelineView(t.at_ms, t.kind, t.text, t.union_id) for t in d.timeline],
        speaking=_people(d.speaking),
    )


def console_routes(console: ConsoleService, now_ms: Callable[[], int]) -> list[Operation]:
    """The console's reads and the host's actions."""

    async def overview(_c: Call[None]) -> OverviewReply:
        now = now_ms()
        orgs = await console.organisations()
        meetings = await console.meetings()
        speaking = await console.speaking(now)
        rows = [_row(c, speaking.get(c.conference_id, [])) for c in meetings]
        return OverviewReply(now, [_org(o) for o in orgs], rows)

    def create(c: Call[CreateBody]) -> Awaitable[CreatedConference]:
        b = c.body
        return console.create(b.corp_id, b.host_id, b.title, b.invite_user_ids)

    async def kick(c: Call[KickBody]) -> None:
        await console.kick(c.conference_id, c.body.union_ids, c.body.forbid_rejoin)

    conf = "/_dingconf/conferences/{conferenceId}"
    return [
        op("GET /_dingconf/overview", "ConsoleOverview", overview, guard="admin"),
        op(
            "POST /_dingconf/conferences",
            "ConsoleCreateConference",
            create,
            _created,
            body=CreateBody,
            param_error=_PARAM_ERROR,
            guard="admin",
        ),
        op(
            f"GET {conf}",
            "ConsoleMeeting",
            lambda c: console.meeting(c.conference_id, now_ms()),
            _meeting,
            guard="admin",
        ),
        op(
            f"POST {conf}/kick",
            "HostKick",
            kick,
            _SUCCESS,
            body=KickBody,
            param_error=_PARAM_ERROR,
            guard="admin",
        ),
        op(
            f"POST {conf}/cloudRecord/start",
            "HostStartCloudRecord",
            lambda c: console.start_recording(c.conference_id),
            _SUCCESS,
            guard="admin",
        ),
        op(
            f"POST {conf}/cloudRecord/stop",
            "HostStopCloudRecord",
            lambda c: console.stop_recording(c.conference_id),
            _SUCCESS,
            guard="admin",
        ),
        op(
            f"POST {conf}/close",
            "HostClose",
            lambda c: console.close(c.conference_id),
            _SUCCESS,
            guard="admin",
        ),
    ]
