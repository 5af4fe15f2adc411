"""A user's recording pipeline, end to end, through the official SDK.

Create a meeting, people join and speak, the host records (with a pause),
stops; the pipeline polls the play info until the file is ready, downloads it,
and reads the transcript to see who said what.
"""

import httpx
from alibabacloud_dingtalk.conference_1_0 import models as m
from alibabacloud_dingtalk.conference_1_0.client import Client as ConferenceClient
from alibabacloud_dingtalk.oauth2_1_0.client import Client as OAuthClient

from lifecycle import info, sdk, token_of

from conftest import sdk_config

SECOND = 1000


def test_recording_pipeline(fresh_server):
    server = fresh_server
    conf = ConferenceClient(sdk_config(server))
    token = token_of(OAuthClient(sdk_config(server)), "acme-app", "acme-secret")
    advance = server.clock.advance

    created = sdk(
        conf,
        token,
        "CreateVideoConference",
        m.CreateVideoConferenceRequest(
            user_id="u-host", conf_title="Budget review", invite_user_ids=["u-alice", "u-bob"]
        ),
    )
    cid = created.conference_id
    for person in ("u-host", "u-alice", "u-bob"):
        server.participants.join(cid, person)
    server.participants.say(cid, "u-host", "Before we record: coffee is in the kitchen.")

    advance(SECOND)
    sdk(conf, token, "StartCloudRecord", cid, m.StartCloudRecordRequest(union_id="u-host"))
    advance(5 * SECOND)
    hello = server.participants.say(cid, "u-alice", "Hello everyone. Let's review the plan.")
    advance(3 * SECOND)
    server.participants.say(cid, "u-alice", "First item is the budget.")
    advance(2 * SECOND)
    agree = server.participants.say(cid, "u-bob", "I agree!")
    # A span ends before its end instant: a pause within the same millisecond
    # as the last words would leave them out, so the pause comes a moment later.
    advance(1)
    paused = server.request("POST", f"/_dingconf/conferences/{cid}/cloudRecord/pause")
    assert paused[0] == 200, paused
    advance(30 * SECOND)
    server.participants.say(cid, "u-host", "This is off the record.")
    advance(1)  # likewise, words in the resume's millisecond would count as recorded
    resumed = server.request("POST", f"/_dingconf/conferences/{cid}/cloudRecord/resume")
    assert resumed[0] == 200, resumed
    advance(2 * SECOND)
    server.participants.say(cid, "u-alice", "这里是小钉。")
    advance(5 * SECOND)
    sdk(conf, token, "StopCloudRecord", cid, m.StopCloudRecordRequest(union_id="u-host"))
    assert info(conf, token, cid).cloud_record_status == 3

    # The pipeline lists the recording's files.
    videos = sdk(
        conf, token, "QueryCloudRecordVideo", cid, m.QueryCloudRecordVideoRequest(union_id="u-host")
    ).video_list
    assert len(videos) == 1
    video = videos[0]
    assert video.union_id == "u-host"
    # 10 s before the pause and 7 s after it were recorded (plus the real
    # milliseconds the test itself takes); the pause, at least 30 s, is not.
    assert 17 * SECOND <= video.duration <= video.end_time - video.start_time - 30 * SECOND
    assert video.file_size > 0

    # It polls the play info until the file is ready, a minute after the stop.
    request = m.QueryCloudRecordVideoPlayInfoRequest(
        union_id="u-host", media_id=video.media_id, region_id=video.region_id
    )
    play = sdk(conf, token, "QueryCloudRecordVideoPlayInfo", cid, request)
    waited = 0
    while play.status != 1:
        assert play.status == 0 and play.mp_4file_url is None and play.play_url is None
        assert waited < 120 * SECOND, "the file never became ready"
        advance(10 * SECOND)
        waited += 10 * SECOND
        play = sdk(conf, token, "QueryCloudRecordVideoPlayInfo", cid, request)
    assert waited >= 60 * SECOND
    assert (play.duration, play.file_size) == (video.duration, video.file_size)

    # It downloads the file.
    with httpx.Client(timeout=30) as client:
        download = client.get(play.mp_4file_url)
        assert download.status_code == 200
        assert download.headers["content-type"] == "video/mp4"
        assert len(download.content) == video.file_size
        assert download.content[4:8] == b"ftyp"
        playlist = client.get(play.play_url)
        assert playlist.status_code == 200
        assert playlist.text.startswith("#EXTM3U")

    # It reads the transcript: only what was said while recording, by speaker turns.
    texts = sdk(
        conf, token, "QueryCloudRecordText", cid, m.QueryCloudRecordTextRequest(union_id="u-host")
    )
    assert texts.has_more is False
    said = [(p.union_id, p.nick_name, p.paragraph) for p in texts.paragraph_list]
    assert said == [
        ("u-alice", "Alice", "Hello everyone. Let's review the plan. First item is the budget."),
        ("u-bob", "Bob", "I agree!"),
        ("u-alice", "Alice", "这里是小钉。"),
    ]
    first = texts.paragraph_list[0]
    assert [s.sentence for s in first.sentence_list] == [
        "Hello everyone.",
        "Let's review the plan.",
        "First item is the budget.",
    ]
    assert [w.word for w in first.sentence_list[0].word_list] == ["Hello", "everyone"]
    # Times count from the recording's start (Alice spoke 5 s in, Bob 10 s in, and
    # the few milliseconds the test's own calls take).
    assert first.start_time == hello["time"] - video.start_time >= 5 * SECOND
    assert texts.paragraph_list[1].start_time == agree["time"] - video.start_time >= 10 * SECOND
    assert [w.word for w in texts.paragraph_list[2].sentence_list[0].word_list] == list(
        "这里是小钉"
    )
    assert all(p.record_id == int(video.record_id) for p in texts.paragraph_list)
