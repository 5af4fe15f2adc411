"""Bodies of the analytics operations and of the control API's device and network reports.

Field for field as the SDK models them (``GetConfDataByConferenceIdResponseBody``,
``GetConfDetailDataResponseBodyList``, ``GetUserMetricDataResponseBodyMetricDataList``,
``MetricMapValue``): the metric figures are strings there, times are integers.
Fields left at their default are omitted, never sent as ``null``.
"""

from dingconf.http.body import Body as _Body

__all__ = [
    "ConfDataReply",
    "DeclineBody",
    "DetailItem",
    "DetailReply",
    "DeviceBody",
    "LastMetricBody",
    "LastMetricReply",
    "MetricItem",
    "MetricReply",
    "NetworkBody",
    "SampleBody",
]


class SampleBody(_Body):
    """Control API: one network sample.

    At a join its time is ``offsetMs`` from the join; in a later report it is
    ``atMs``, else now + ``offsetMs``.
    """

    at_ms: int | None = None
    offset_ms: int = 0
    rtt: int = 20
    loss_rate: int = 0
    jitter: int = 10
    send_bit_rate: int = 1_200_000
    recv_bit_rate: int = 800_000


class DeviceBody(_Body):
    """Control API: the client a person joins from, and its network samples.

    Without ``samples`` the join reports one default sample; ``[]`` reports none.
    """

    device_type: str = "Win"
    version: str = "6.1.1"
    camera_on: bool = False
    samples: list[SampleBody] | None = None


class NetworkBody(_Body):
    """Control API: a person's client reports network samples later in the meeting."""

    union_id: str
    samples: list[SampleBody]


class DeclineBody(_Body):
    """Control API: an invitee declines the call ringing them."""

    union_id: str
    reason: str | None = None


class ConfDataReply(_Body):
    """GetConfDataByConferenceId response."""

    conference_id: str
    title: str
    creator_id: str
    creator_nick: str
    start_time: int
    time_length: int
    user_count: int
    free_type: str
    scene: str
    end_time: int | None = None
    dept_name: str | None = None


class DetailItem(_Body):
    """A ``list`` item of GetConfDetailData: one stay of one person."""

    conference_id: str
    session_id: str
    union_id: str
    nick: str
    role: str
    status: str
    belong_org: str
    device_type: str
    version: str
    network_quality: str
    join_time: int
    duration: int
    leave_time: int | None = None


class DetailReply(_Body):
    """GetConfDetailData response."""

    list: list[DetailItem]
    next_token: str


class MetricItem(_Body):
    """A ``metricDataList`` item of GetUserMetricData (and a ``metricMap`` value)."""

    timestamp: int
    round_trip_time: str
    lost_rate: str
    send_bit_rate: str
    recv_bit_rate: str
    audio_jitter_avg: str | None = None
    audio_jitter_max: str | None = None


class MetricReply(_Body):
    """GetUserMetricData response."""

    metric_data_list: list[MetricItem]


class LastMetricBody(_Body):
    """GetUserLastMetric request."""

    union_id_list: list[str]


class LastMetricReply(_Body):
    """GetUserLastMetric response: unionId → latest sample."""

    metric_map: dict[str, MetricItem]
