"""Meeting content and cloud-recording files, through the official SDK and plain HTTP.

The say control API; takes and their RECORD spans (pause/resume, stop, the
meeting's end, the booking's auto-start); QueryCloudRecordVideo,
QueryCloudRecordVideoPlayInfo and QueryCloudRecordText with their documented
errors; the signed file URLs.
"""

from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from alibabacloud_dingtalk.conference_1_0 import models as m
from alibabacloud_dingtalk.conference_1_0.client import Client as ConferenceClient
from alibabacloud_dingtalk.oauth2_1_0.client import Client as OAuthClient

from lifecycle import book, info, instances, sdk, token_of
from wire_types import assert_sentence_types

from conftest import auth, sdk_config
from sdk_errors import assert_sdk_error

SECOND = 1000
BASE = "/v1.0/conference/videoConferences"
SM = m.CreateScheduleConferenceRequestScheduleConfSettingModel
REC = m.CreateScheduleConferenceRequestScheduleConfSettingModelMoziConfOpenRecordSetting


def start(conf, token, cid, who="u-host"):
    sdk(conf, token, "StartCloudRecord", cid, m.StartCloudRecordRequest(union_id=who))


def stop(conf, token, cid, who="u-host"):
    sdk(conf, token, "StopCloudRecord", cid, m.StopCloudRecordRequest(union_id=who))


def control(server, cid, what):
    status, _, body = server.request("POST", f"/_dingconf/conferences/{cid}/{what}")
    assert status == 200, body
    return body


def videos(conf, token, cid, who="u-host"):
    request = m.QueryCloudRecordVideoRequest(union_id=who)
    return sdk(conf, token, "QueryCloudRecordVideo", cid, request).video_list


def play_info(conf, token, cid, video):
    request = m.QueryCloudRecordVideoPlayInfoRequest(
        union_id="u-host", media_id=video.media_id, region_id=video.region_id
    )
    return sdk(conf, token, "QueryCloudRecordVideoPlayInfo", cid, request)


def texts(conf, token, cid, **query):
    request = m.QueryCloudRecordTextRequest(**query)
    return sdk(conf, token, "QueryCloudRecordText", cid, request)


def live_meeting(server, create_meeting, *people):
    cid = create_meeting(invitees=["u-alice", "u-bob"]).conference_id
    for person in ("u-host", *people):
        server.participants.join(cid, person)
    return cid


# -- say ---------------------------------------------------------------------------------


def test_say_answers_the_stored_utterance(server, conf, acme_token, create_meeting):
    cid = live_meeting(server, create_meeting)
    say = f"/_dingconf/conferences/{cid}/say"
    status, _, body = server.request("POST", say, {"unionId": "u-host", "text": "Good morning."})
    assert status == 200
    assert set(body) == {"conferenceId", "seq", "unionId", "nick", "text", "time"}
    assert (body["conferenceId"], body["seq"], body["unionId"], body["nick"]) == (
        cid,
        1,
        "u-host",
        "Hana Host",
    )
    assert body["text"] == "Good morning."
    assert isinstance(body["time"], int) and body["time"] >= info(conf, acme_token, cid).start_time
    # The plugin's helper, at an explicit offset from the meeting's start.
    said = server.participants.say(cid, "u-host", "Said at the start.", offset_ms=0)
    assert (said["seq"], said["time"]) == (2, info(conf, acme_token, cid).start_time)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"unionId": "u-alice", "text": "hi"}, 400, "notInConference"),  # rung, not inside
        ({"unionId": "u-host", "text": "   "}, 400, "paramError"),
        ({"unionId": "u-host", "text": "x" * 4001}, 400, "paramError"),
        ({"unionId": "u-host", "text": "hi", "offsetMs": -1}, 400, "paramError"),
        ({"unionId": "u-host", "text": "hi", "offsetMs": 10**9}, 400, "paramError"),  # future
        ({"unionId": "u-host", "text": 7}, 400, "paramError"),
        ({"unionId": "u-host"}, 400, "Missingtext"),
    ],
)
def test_say_refuses(server, create_meeting, body, status, code):
    cid = live_meeting(server, create_meeting)
    got_status, _, got = server.request("POST", f"/_dingconf/conferences/{cid}/say", body)
    assert (got_status, got["code"]) == (status, code)


def test_say_only_inside_a_running_meeting(server, conf, acme_token, create_meeting):
    cid = live_meeting(server, create_meeting, "u-bob")
    say = f"/_dingconf/conferences/{cid}/say"
    server.participants.leave(cid, "u-bob")
    assert server.request("POST", say, {"unionId": "u-bob", "text": "hi"})[2]["code"] == (
        "notInConference"
    )
    sdk(
        conf,
        acme_token,
        "CloseVideoConference",
        cid,
        m.CloseVideoConferenceRequest(union_id="u-host"),
    )
    assert server.request("POST", say, {"unionId": "u-host", "text": "hi"})[2]["code"] == (
        "resourceClose"
    )
    unknown = "/_dingconf/conferences/000000000000000000000000/say"
    status, _, body = server.request("POST", unknown, {"unionId": "u-host", "text": "hi"})
    assert (status, body["code"]) == (404, "roomNotFound")


# -- takes and files ---------------------------------------------------------------------


def test_each_stopped_take_is_one_file(server, conf, acme_token, create_meeting, http, token):
    cid = live_meeting(server, create_meeting)
    start(conf, acme_token, cid)
    assert videos(conf, acme_token, cid) == []  # still recording: no file yet
    control(server, cid, "cloudRecord/pause")
    assert videos(conf, acme_token, cid) == []  # paused is not stopped
    control(server, cid, "cloudRecord/resume")
    stop(conf, acme_token, cid)
    start(conf, acme_token, cid)
    stop(conf, acme_token, cid)

    first, second = videos(conf, acme_token, cid)
    again = videos(conf, acme_token, cid)
    assert [v.to_map() for v in again] == [first.to_map(), second.to_map()]  # stable
    # One recordId per meeting (the doc), one mediaId per take.
    assert first.record_id == second.record_id and first.record_id.isdigit()
    assert first.media_id != second.media_id
    assert first.end_time <= second.start_time
    for v in (first, second):
        assert (v.union_id, v.region_id, v.record_type) == ("u-host", "cn-shenzhen", 1)
        assert v.start_time <= v.end_time and 0 <= v.duration <= v.end_time - v.start_time
        assert v.file_size >= 32

    # Exact JSON names and types, no nulls.
    reply = http.get(f"{BASE}/{cid}/cloudRecords/getVideos?unionId=u-host", headers=auth(token))
    assert reply.status_code == 200
    item = reply.json()["videoList"][0]
    types = {k: type(v) for k, v in item.items()}
    assert types == {
        "recordId": str,
        "mediaId": str,
        "regionId": str,
        "unionId": str,
        "startTime": int,
        "endTime": int,
        "duration": int,
        "fileSize": int,
        "recordType": int,
    }
    assert len(item["mediaId"]) == 32


def test_closing_the_meeting_finishes_the_take(server, conf, acme_token, create_meeting):
    cid = live_meeting(server, create_meeting)
    start(conf, acme_token, cid)
    control(server, cid, "cloudRecord/pause")
    sdk(
        conf,
        acme_token,
        "CloseVideoConference",
        cid,
        m.CloseVideoConferenceRequest(union_id="u-host"),
    )
    (video,) = videos(conf, acme_token, cid)
    assert video.end_time >= video.start_time
    # Ended meetings still answer: recordings are read after the meeting.
    assert play_info(conf, acme_token, cid, video).status in (0, 1)


def test_the_bookings_auto_start_opens_a_take(server, conf, acme_token):
    settings = SM(mozi_conf_open_record_setting=REC(record_auto_start=1, record_auto_start_type=2))
    sid = book(conf, acme_token, settings=settings).schedule_conference_id
    cid = instances(conf, acme_token, sid).conference_list[0].conference_id
    server.participants.join(cid, "u-bob")  # anyone joining starts it (type 2); the host owns it
    assert info(conf, acme_token, cid).cloud_record_status == 1
    stop(conf, acme_token, cid)
    (video,) = videos(conf, acme_token, cid)
    assert video.union_id == "u-host"


def test_play_info_while_processing(server, conf, acme_token, create_meeting, http, token):
    cid = live_meeting(server, create_meeting)
    start(conf, acme_token, cid)
    stop(conf, acme_token, cid)
    (video,) = videos(conf, acme_token, cid)
    body = play_info(conf, acme_token, cid, video)
    assert (body.status, body.duration, body.file_size) == (0, video.duration, video.file_size)
    query = urlencode({"unionId": "u-host", "mediaId": video.media_id, "regionId": "cn-shenzhen"})
    reply = http.get(f"{BASE}/{cid}/cloudRecords/videos/getPlayInfos?{query}", headers=auth(token))
    # No URL (and no null) until the file is ready.
    assert reply.json() == {"status": 0, "duration": video.duration, "fileSize": video.file_size}


# -- errors ------------------------------------------------------------------------------


def test_documented_errors(server, conf, oauth, acme_token, create_meeting):
    cid = live_meeting(server, create_meeting)
    vid = m.QueryCloudRecordVideoRequest(union_id="u-host")
    txt = m.QueryCloudRecordTextRequest(union_id="u-host")

    def play(**over):
        fields = {"union_id": "u-host", "media_id": "0" * 32, "region_id": "cn-shenzhen"} | over
        return m.QueryCloudRecordVideoPlayInfoRequest(**fields)

    calls = [("QueryCloudRecordVideo", vid), ("QueryCloudRecordText", txt)]
    calls.append(("QueryCloudRecordVideoPlayInfo", play()))
    # Never recorded.
    for action, request in calls:
        assert_sdk_error(
            lambda a=action, r=request: sdk(conf, acme_token, a, cid, r),
            400,
            "cloudRecordNotFound",
        )
    start(conf, acme_token, cid)
    # A take still running has no file yet.
    assert_sdk_error(
        lambda: sdk(conf, acme_token, "QueryCloudRecordVideoPlayInfo", cid, play()),
        400,
        "cloudRecordNotFound",
    )
    stop(conf, acme_token, cid)
    (video,) = videos(conf, acme_token, cid)

    globex = token_of(oauth, "globex-app", "globex-secret")
    writer = token_of(oauth, "acme-writer", "writer-secret")
    for action, request in calls:
        error = lambda t, c, r=request, a=action: lambda: sdk(conf, t, a, c, r)  # noqa: E731
        assert_sdk_error(error(globex, cid), 400, "orgAccessForbidden")
        assert_sdk_error(error(acme_token, "000000000000000000000000"), 400, "paramsError")
        assert_sdk_error(error(acme_token, "not-an-id"), 400, "paramsError")
        assert_sdk_error(
            error(writer, cid), 403, "Forbidden.AccessDenied.AccessTokenPermissionDenied"
        )

    stranger = m.QueryCloudRecordVideoRequest(union_id="g-host")
    assert_sdk_error(
        lambda: sdk(conf, acme_token, "QueryCloudRecordVideo", cid, stranger),
        400,
        "unknownUserError",
    )
    assert_sdk_error(
        lambda: sdk(
            conf, acme_token, "QueryCloudRecordVideo", cid, m.QueryCloudRecordVideoRequest()
        ),
        400,
        "MissingunionId",
    )
    for over, code in [
        ({"media_id": None}, "MissingmediaId"),
        ({"region_id": None}, "MissingregionId"),
        ({"union_id": "nobody"}, "unknownUserError"),
        ({"media_id": video.media_id, "region_id": "cn-hangzhou"}, "paramsError"),
        ({"media_id": "f" * 32}, "cloudRecordNotFound"),
    ]:
        request = play(**over)
        assert_sdk_error(
            lambda r=request: sdk(conf, acme_token, "QueryCloudRecordVideoPlayInfo", cid, r),
            400,
            code,
        )


# -- transcript --------------------------------------------------------------------------


@pytest.fixture
def transcript(fresh_server):
    """A stopped recording whose speech sits at exact times; (server, client, token, id)."""
    server = fresh_server
    conf = ConferenceClient(sdk_config(server))
    token = token_of(OAuthClient(sdk_config(server)), "acme-app", "acme-secret")
    created = sdk(
        conf,
        token,
        "CreateVideoConference",
        m.CreateVideoConferenceRequest(user_id="u-host", conf_title="Talk", invite_user_ids=[]),
    )
    cid = created.conference_id
    for person in ("u-host", "u-alice", "u-bob"):
        server.participants.join(cid, person)
    server.clock.advance(5 * SECOND)
    start(conf, token, cid)
    server.clock.advance(20 * SECOND)
    stop(conf, token, cid)
    server.clock.advance(SECOND)
    (video,) = videos(conf, token, cid)
    offset = video.start_time - info(conf, token, cid).start_time
    # Speech placed after the fact, relative to the recording's start.
    server.participants.say(cid, "u-host", "Too early.", offset_ms=offset - 500)
    for at, who, text in [
        (1000, "u-alice", "One two."),
        (4000, "u-bob", "Three."),
        (7000, "u-alice", "Four five six."),
        (10000, "u-bob", "七八。"),
    ]:
        server.participants.say(cid, who, text, offset_ms=offset + at)
    server.participants.say(cid, "u-host", "After the stop.")
    return server, conf, token, cid, video


def test_transcript_keeps_only_recorded_speech(transcript):
    _server, conf, token, cid, video = transcript
    body = texts(conf, token, cid)
    assert body.has_more is False
    starts = [(p.union_id, p.start_time, p.paragraph) for p in body.paragraph_list]
    assert starts == [
        ("u-alice", 1000, "One two."),
        ("u-bob", 4000, "Three."),
        ("u-alice", 7000, "Four five six."),
        ("u-bob", 10000, "七八。"),
    ]
    words = body.paragraph_list[2].sentence_list[0].word_list
    assert [(w.word, w.start_time, w.end_time) for w in words] == [
        ("Four", 7000, 7300),
        ("five", 7300, 7600),
        ("six", 7600, 7900),
    ]
    assert [p.next_ttoken for p in body.paragraph_list] == [1, 2, 3, 4]
    assert {p.record_id for p in body.paragraph_list} == {int(video.record_id)}


def test_transcript_paging_and_direction(transcript):
    _server, conf, token, cid, _video = transcript
    page = texts(conf, token, cid, max_results=3)
    assert (page.has_more, [p.start_time for p in page.paragraph_list]) == (
        True,
        [1000, 4000, 7000],
    )
    rest = texts(conf, token, cid, max_results=3, next_token=page.paragraph_list[-1].next_ttoken)
    assert (rest.has_more, [p.start_time for p in rest.paragraph_list]) == (False, [10000])
    down = texts(conf, token, cid, direction="1", start_time=7000)
    assert [p.start_time for p in down.paragraph_list] == [7000, 4000, 1000]
    up = texts(conf, token, cid, direction="0", start_time=4000)
    assert [p.start_time for p in up.paragraph_list] == [4000, 7000, 10000]
    for bad in ({"direction": "2"}, {"max_results": 0}, {"max_results": 2001}, {"next_token": -1}):
        assert_sdk_error(lambda q=bad: texts(conf, token, cid, **q), 400, "paramsError")


def test_transcript_json_types(transcript):
    server, _conf, token, cid, _video = transcript
    with httpx.Client(base_url=server.url, timeout=30) as client:
        reply = client.get(f"{BASE}/{cid}/cloudRecords/getTexts?maxResults=1", headers=auth(token))
        bad = client.get(f"{BASE}/{cid}/cloudRecords/getTexts?startTime=soon", headers=auth(token))
    assert (bad.status_code, bad.json()["code"]) == (400, "paramsError")
    body = reply.json()
    assert set(body) == {"hasMore", "paragraphList"} and body["hasMore"] is True
    paragraph = body["paragraphList"][0]
    assert {k: type(v) for k, v in paragraph.items()} == {
        "recordId": int,
        "unionId": str,
        "nickName": str,
        "paragraph": str,
        "startTime": int,
        "endTime": int,
        "status": int,
        "nextTtoken": int,
        "sentenceList": list,
    }
    assert_sentence_types(paragraph)


# -- signed file URLs --------------------------------------------------------------------


def test_file_urls_are_signed_and_expire(transcript):
    server, conf, token, cid, video = transcript
    server.clock.advance(60 * SECOND)
    ready = play_info(conf, token, cid, video)
    assert ready.status == 1
    url = ready.mp_4file_url
    assert url.startswith(f"{server.url}/media/records/{video.media_id}.mp4?")
    with httpx.Client(timeout=30) as client:
        first, second = client.get(url), client.get(url)
        assert first.content == second.content  # deterministic
        assert int(first.headers["content-length"]) == video.file_size == len(first.content)

        parts = urlsplit(url)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        base = f"{parts.scheme}://{parts.netloc}{parts.path}"
        for changed in (
            {"size": str(int(query["size"]) + 1)},
            {"Signature": "00" * 32},
            {"Signature": "zz"},
        ):
            refused = client.get(base, params=query | changed)
            assert (refused.status_code, refused.json()["code"]) == (403, "SignatureDoesNotMatch")
        missing = client.get(base)
        assert (missing.status_code, missing.json()["code"]) == (403, "SignatureDoesNotMatch")
        wrong_method = client.post(url)
        assert (wrong_method.status_code, wrong_method.json()["code"]) == (
            404,
            "InvalidAction.NotFound",
        )

        playlist = client.get(ready.play_url)
        assert playlist.headers["content-type"] == "application/vnd.apple.mpegurl"
        lines = playlist.text.splitlines()
        assert lines[0] == "#EXTM3U" and lines[-1] == "#EXT-X-ENDLIST"
        assert f"#EXTINF:{video.duration / 1000:.3f}," in lines
        segment = client.get(next(line for line in lines if line.startswith("http")))
        assert segment.content == first.content

        server.clock.advance(3601 * SECOND)
        expired = client.get(url)
        assert (expired.status_code, expired.json()["code"]) == (403, "AccessDenied")
