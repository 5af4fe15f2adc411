"""An attendance pipeline, written as a user's integration would run it.

People join from different devices, one drops out and rejoins from another
device, the host closes the meeting; then the pipeline reads
GetHistoryConfDataList, GetConfDataByConferenceId and GetConfDetailData
through the official SDK and builds its attendance report. Everything it reads
must agree with what happened.
"""

from collections import defaultdict
from typing import Any

from alibabacloud_dingtalk.conference_1_0 import models as m
from alibabacloud_dingtalk.conference_1_0.client import Client as ConferenceClient

from lifecycle import sdk

from conftest import sdk_config

MINUTE = 60_000
SLACK = 20_000  # the server clock also runs in real time while the test runs


def near(value: int, expected: int) -> bool:
    return expected <= value < expected + SLACK


def all_details(conf: ConferenceClient, token: str, cid: str) -> list[Any]:
    """Every GetConfDetailData record, page by page as a pipeline reads them."""
    records: list[Any] = []
    next_token = None
    while True:
        page = sdk(
            conf,
            token,
            "GetConfDetailData",
            cid,
            m.GetConfDetailDataRequest(max_results=2, next_token=next_token),
        )
        records.extend(page.list)
        if not page.next_token:
            return records
        next_token = page.next_token


def test_attendance_pipeline(fresh_server):
    server = fresh_server
    conf = ConferenceClient(sdk_config(server))
    token = server.token("acme-app", "acme-secret")
    opened = server.clock.advance(0)

    created = sdk(
        conf,
        token,
        "CreateVideoConference",
        m.CreateVideoConferenceRequest(
            user_id="u-host", conf_title="Quarterly review", invite_user_ids=["u-alice"]
        ),
    )
    cid = created.conference_id

    # The meeting as it happens (minutes from the host's join).
    server.participants.join(cid, "u-host", device_type="Mac", camera_on=True)
    server.clock.advance(2 * MINUTE)
    server.participants.join(cid, "u-alice", device_type="iOS")
    server.clock.advance(MINUTE)
    server.participants.join(cid, "ext-partner", "Partner", device_type="Web")
    server.clock.advance(2 * MINUTE)
    server.participants.join(
        cid, "u-carol", device_type="Android", samples=[{"rtt": 600, "lossRate": 15}]
    )
    server.clock.advance(15 * MINUTE)  # minute 20: Alice's phone drops out
    server.participants.leave(cid, "u-alice")
    server.clock.advance(2 * MINUTE)  # minute 22: she is back, from her laptop
    server.participants.join(cid, "u-alice", device_type="Win", version="7.0.2")
    server.clock.advance(18 * MINUTE)  # minute 40: Carol leaves
    server.participants.leave(cid, "u-carol")
    server.clock.advance(20 * MINUTE)  # minute 60: the host closes the meeting
    sdk(conf, token, "CloseVideoConference", cid, m.CloseVideoConferenceRequest(union_id="u-host"))
    closed = server.clock.advance(0)

    # 1. Which meetings ended in the window: the history list.
    history = sdk(
        conf,
        token,
        "GetHistoryConfDataList",
        m.GetHistoryConfDataListRequest(
            start_time=opened, end_time=closed, real_data=True, max_results=20
        ),
    )
    (item,) = [x for x in history.list if x.conference_id == cid]
    assert (item.title, item.creator_id, item.creator_nick) == (
        "Quarterly review",
        "u-host",
        "Hana Host",
    )
    assert item.dept_name == "Engineering"  # the creator's department
    assert item.user_count == 4  # host, Alice (twice), the partner, Carol
    assert near(item.time_length, 60 * MINUTE)
    assert item.time_length == item.end_time - item.start_time

    # 2. The meeting's own record agrees with the history item, field for field.
    data = sdk(
        conf,
        token,
        "GetConfDataByConferenceId",
        cid,
        m.GetConfDataByConferenceIdRequest(real_data=True),
    )
    assert data.to_map() == item.to_map()

    # 3. One record per stay, with the device of each.
    records = all_details(conf, token, cid)
    stays = [(r.union_id, r.device_type) for r in records]
    assert stays == [
        ("u-host", "Mac"),
        ("u-alice", "iOS"),
        ("ext-partner", "Web"),
        ("u-carol", "Android"),
        ("u-alice", "Win"),
    ]
    assert all(r.status == "已离开" and r.leave_time is not None for r in records)
    assert all(r.duration == r.leave_time - r.join_time for r in records)
    assert {r.union_id: r.belong_org for r in records} == {
        "u-host": "true",
        "u-alice": "true",
        "ext-partner": "false",
        "u-carol": "true",
    }
    assert [r.version for r in records if r.union_id == "u-alice"] == ["6.1.1", "7.0.2"]
    assert {r.union_id: r.network_quality for r in records}["u-carol"] == "3"
    host = records[0]
    # An instant meeting starts when it is created; the host joins just after.
    assert near(host.join_time, item.start_time) and host.leave_time == item.end_time

    # 4. The attendance report: minutes in the meeting per person.
    attended: dict[str, int] = defaultdict(int)
    for r in records:
        attended[r.union_id] += r.duration
    expected = {"u-host": 60, "u-alice": 18 + 38, "ext-partner": 57, "u-carol": 35}
    assert set(attended) == set(expected)
    for union_id, minutes in expected.items():
        assert near(attended[union_id], minutes * MINUTE), union_id

    # 5. It agrees with the members query's own durations.
    members = sdk(
        conf,
        token,
        "QueryConferenceMembers",
        cid,
        m.QueryConferenceMembersRequest(max_results=20),
    ).member_models
    assert {x.union_id: x.duration for x in members} == dict(attended)
