"""Meeting analytics operations, and the control API's device and network reports."""

from dingconf.analytics.records import Device, NetworkSample, checked_device, checked_sample
from dingconf.analytics.schemas import (
    ConfDataReply,
    DetailItem,
    DetailReply,
    DeviceBody,
    LastMetricBody,
    LastMetricReply,
    MetricItem,
    MetricReply,
    SampleBody,
)
from dingconf.analytics.service import AnalyticsService, Detail, LastMetric
from dingconf.core import errors
from dingconf.core.paging import Page
from dingconf.core.records import Conference, ConferenceStatus
from dingconf.http.operations import Call, Operation, op
from dingconf.http.params import bool_query, required_int_query
from dingconf.listing.service import FREE_TYPE, SCENE

__all__ = ["analytics_routes", "device_of", "samples_of"]

_PARAM_ERROR = errors.param_error.code
_SUCCESS = {"success": True}
# GetConfDetailData's role and status, in DingTalk's words (the SDK's examples
# are 参会人 and 已离开).
_HOST, _COHOST, _ATTENDEE = "主持人", "联席主持人", "参会人"
_INSIDE, _LEFT = "在会中", "已离开"


def device_of(body: DeviceBody | None) -> Device | None:
    """The join's client; ``paramError`` for a deviceType DingTalk does not report."""
    if body is None:
        return None
    return checked_device(body.device_type, body.version, body.camera_on)


def samples_of(
    union_id: str, bodies: list[SampleBody] | None, now_ms: int | None
) -> list[NetworkSample] | None:
    """Samples at ``atMs`` or ``now_ms`` + ``offsetMs``; ``paramError`` for impossible figures.

    With ``now_ms`` None (a join) a sample's time is its ``offsetMs`` from the
    join, and ``atMs`` is refused.
    """
    if bodies is None:
        return None
    samples = []
    for b in bodies:
        if now_ms is None and b.at_ms is not None:
            raise errors.param_error("a join's samples are timed by offsetMs")
        at_ms = b.at_ms if b.at_ms is not None else (now_ms or 0) + b.offset_ms
        sample = NetworkSample(
            union_id, at_ms, b.rtt, b.loss_rate, b.jitter, b.send_bit_rate, b.recv_bit_rate
        )
        samples.append(checked_sample(sample))
    return samples


def _conf_data(found: tuple[Conference, str | None, int]) -> ConfDataReply:
    c, dept_name, now = found
    ended = c.ended_at_ms is not None
    until = c.end_time_ms if ended and c.end_time_ms is not None else now
    started = c.status != ConferenceStatus.INITIALISED
    return ConfDataReply(
        conference_id=c.conference_id,
        title=c.title,
        creator_id=c.creator_id,
        creator_nick=c.creator_nick,
        start_time=c.start_time_ms,
        time_length=max(0, until - c.start_time_ms) if started else 0,
        user_count=c.attend_num,
        free_type=FREE_TYPE,
        scene=SCENE,
        end_time=c.end_time_ms if ended else None,
        dept_name=dept_name,
    )


def _role(c: Conference, union_id: str) -> str:
    if union_id == c.host_id:
        return _HOST
    return _COHOST if union_id in c.cohost_ids else _ATTENDEE


def _details(found: tuple[Conference, Page[Detail]]) -> DetailReply:
    c, page = found
    items = []
    for d in page.items:
        s = d.session
        items.append(
            DetailItem(
                conference_id=s.conference_id,
                session_id=f"{s.conference_id}-{s.union_id}-{s.seq}",
                union_id=s.union_id,
                nick=s.nick,
                role=_role(c, s.union_id),
                status=_INSIDE if s.leave_ms is None else _LEFT,
                belong_org="false" if s.outer_org else "true",
                device_type=s.device.device_type,
                version=s.device.version,
                network_quality=d.network_quality,
                join_time=s.join_ms,
                duration=d.duration_ms,
                leave_time=s.leave_ms,
            )
        )
    return DetailReply(list=items, next_token=page.next_token)


def _metric(s: NetworkSample, last: LastMetric | None = None) -> MetricItem:
    return MetricItem(
        timestamp=s.at_ms,
        round_trip_time=str(s.rtt),
        lost_rate=str(s.loss_rate),
        send_bit_rate=str(s.send_bit_rate),
        recv_bit_rate=str(s.recv_bit_rate),
        audio_jitter_avg=None if last is None else str(last.jitter_avg),
        audio_jitter_max=None if last is None else str(last.jitter_max),
    )


def _metrics(samples: list[NetworkSample]) -> MetricReply:
    return MetricReply(metric_data_list=[_metric(s) for s in samples])


def _last_metrics(found: dict[str, LastMetric]) -> LastMetricReply:
    return LastMetricReply(metric_map={u: _metric(m.sample, m) for u, m in found.items()})


def analytics_routes(analytics: AnalyticsService) -> list[Operation]:
    """The analytics operations."""

    async def conf_data(c: Call[None]) -> tuple[Conference, str | None, int]:
        bool_query(c.request, "realData", _PARAM_ERROR)  # required; every record is "real"
        return await analytics.conference_data(c.principal, c.conference_id)

    async def user_metrics(c: Call[None]) -> list[NetworkSample]:
        union_id = c.query("unionId")
        begin = required_int_query(c.request, "beginTime", _PARAM_ERROR)
        end = required_int_query(c.request, "endTime", _PARAM_ERROR)
        return await analytics.user_metrics(c.principal, c.conference_id, union_id, begin, end)

    one = "/v1.0/conference/videoConferences/{conferenceId}"
    return [
        # The reads answer a malformed id as QueryConferenceInfo does: paramError.
        op(
            f"GET {one}/infos",
            "GetConfDataByConferenceId",
            conf_data,
            _conf_data,
            param_error=_PARAM_ERROR,
        ),
        op(
            f"GET {one}/details",
            "GetConfDetailData",
            lambda c: analytics.details(
                c.principal, c.conference_id, c.optional("nick"), *c.paging(_PARAM_ERROR)
            ),
            _details,
            param_error=_PARAM_ERROR,
        ),
        op(
            f"GET {one}/metricDatas",
            "GetUserMetricData",
            user_metrics,
            _metrics,
            param_error=_PARAM_ERROR,
        ),
        op(
            f"POST {one}/lastMetricDatas/query",
            "GetUserLastMetric",
            lambda c: analytics.last_metrics(c.principal, c.conference_id, c.body.union_id_list),
            _last_metrics,
            body=LastMetricBody,
            param_error=_PARAM_ERROR,
        ),
    ]
