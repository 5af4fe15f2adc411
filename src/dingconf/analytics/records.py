"""How people took part in a meeting: their clients, stays and network quality.

Tests drive this through the control API (a join's ``device``, later network
samples); the analytics operations derive every figure from it.
"""

from typing import NamedTuple

from dingconf.core import errors

__all__ = [
    "DEVICE_TYPES",
    "Device",
    "NetworkSample",
    "SessionRecord",
    "checked_device",
    "checked_sample",
]

#: ``deviceType`` values a join may report (DingTalk's member models list
#: Win, Mac, iOS and Android; Web joins exist too).
DEVICE_TYPES = frozenset({"Win", "Mac", "iOS", "Android", "Web"})


class Device(NamedTuple):
    """The client a person joined from."""

    device_type: str = "Win"
    version: str = "6.1.1"
    camera_on: bool = False


class NetworkSample(NamedTuple):
    """One network report of a person's client, at a time on the server clock."""

    union_id: str
    at_ms: int
    rtt: int = 20  # round-trip time, ms
    loss_rate: int = 0  # packet loss, percent
    jitter: int = 10  # ms
    send_bit_rate: int = 1_200_000  # bit/s
    recv_bit_rate: int = 800_000  # bit/s


class SessionRecord(NamedTuple):
    """One stay of a person in a meeting, from join to leave."""

    conference_id: str
    union_id: str
    seq: int  # the person's n-th stay, from 1
    nick: str
    join_ms: int
    leave_ms: int | None  # None while inside
    device: Device
    outer_org: bool


def checked_device(device_type: str, version: str, camera_on: bool) -> Device:
    """A join's client; ``paramError`` for a deviceType DingTalk does not report."""
    if device_type not in DEVICE_TYPES:
        raise errors.param_error(f"deviceType must be one of {', '.join(sorted(DEVICE_TYPES))}")
    return Device(device_type, version, camera_on)


def checked_sample(sample: NetworkSample) -> NetworkSample:
    """A network report as given; ``paramError`` for figures no client can report."""
    if not 0 <= sample.loss_rate <= 100:
        raise errors.param_error("lossRate is a percentage, 0 to 100")
    if min(sample.rtt, sample.jitter, sample.send_bit_rate, sample.recv_bit_rate) < 0:
        raise errors.param_error("network figures must not be negative")
    return sample
