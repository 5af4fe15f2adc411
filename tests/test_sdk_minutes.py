"""Minutes (闪记) operations through the official SDK, on both backends."""

from urllib.parse import parse_qs, urlsplit

import pytest
from alibabacloud_dingtalk.conference_1_0 import models as m

from minutes_helpers import Minutes, minutes_server  # noqa: F401  (the ``mins`` fixture)
from wire_types import assert_sentence_types

from sdk_errors import assert_sdk_error

ONE = "/v1.0/conference/videoConferences/{}"


def text(mins: Minutes, cid: str, union_id: str = "u-host", **paging):
    request = m.QueryMinutesTextRequest(union_id=union_id, **paging)
    return mins.call("QueryMinutesText", cid, request)


def said_texts(body) -> list[str]:
    return [s.sentence for p in body.paragraph_list for s in p.sentence_list]


# --- StartMinutes / StopMinutes and their state ---------------------------------------


def test_start_and_stop_move_the_minutes_state(mins: Minutes):
    cid = mins.meeting()
    assert mins.status(cid) == (0, None)  # never started
    mins.start(cid, owner="u-alice")
    assert mins.status(cid) == (1, "u-alice")
    mins.stop(cid)
    assert mins.status(cid) == (2, "u-alice")
    mins.start(cid)  # again: a new take, owned by the starter
    assert mins.status(cid) == (1, "u-host")
    mins.call("CloseVideoConference", cid, m.CloseVideoConferenceRequest(union_id="u-host"))
    assert mins.status(cid) == (3, "u-host")


def test_start_errors(mins: Minutes, oauth_of):
    cid = mins.meeting()
    start = m.StartMinutesRequest(union_id="u-host")
    assert_sdk_error(
        lambda: mins.call("StartMinutes", cid, m.StartMinutesRequest(union_id="u-bob")),
        404,
        "minutesStartPermissionError",
    )
    globex = oauth_of("globex-app", "globex-secret")
    assert_sdk_error(
        lambda: mins.call("StartMinutes", cid, start, token=globex), 400, "orgAccessForbidden"
    )
    assert_sdk_error(lambda: mins.call("StartMinutes", "0" * 24, start), 400, "paramsError")
    reader = oauth_of("acme-reader", "reader-secret")
    assert_sdk_error(
        lambda: mins.call("StartMinutes", cid, start, token=reader),
        403,
        "Forbidden.AccessDenied.AccessTokenPermissionDenied",
    )
    mins.start(cid)
    assert_sdk_error(lambda: mins.call("StartMinutes", cid, start), 404, "minutesStartError")
    mins.call("CloseVideoConference", cid, m.CloseVideoConferenceRequest(union_id="u-host"))
    assert_sdk_error(lambda: mins.call("StartMinutes", cid, start), 400, "roomClosed")
    stop = m.StopMinutesRequest(union_id="u-host")
    assert_sdk_error(lambda: mins.call("StopMinutes", cid, stop), 400, "roomClosed")


def test_stop_errors_and_owner_may_stop(mins: Minutes):
    cid = mins.meeting()
    stop = m.StopMinutesRequest(union_id="u-host")
    assert_sdk_error(lambda: mins.call("StopMinutes", cid, stop), 400, "minutesNotFound")
    mins.start(cid, owner="u-alice")
    assert_sdk_error(
        lambda: mins.call("StopMinutes", cid, m.StopMinutesRequest(union_id="u-bob")),
        400,
        "minutesStopPermissionError",
    )
    mins.stop(cid, "u-alice")  # the owner
    assert mins.status(cid) == (2, "u-alice")


def test_co_host_may_start(mins: Minutes):
    cid = mins.meeting()
    mins.server.participants.join(cid, "u-bob")
    cohosts = m.CohostsRequest(action="add", user_list=[m.CohostsRequestUserList(union_id="u-bob")])
    mins.call("Cohosts", cid, cohosts)
    mins.start(cid, "u-bob")
    assert mins.status(cid) == (1, "u-bob")


# --- QueryMinutesText -----------------------------------------------------------------


def test_text_has_only_speech_while_minutes_ran(mins: Minutes):
    cid = mins.meeting()
    mins.say(cid, "u-host", "before the minutes")
    mins.start(cid)
    mins.say(cid, "u-host", "Welcome everyone")
    mins.say(cid, "u-host", "first point is budget")
    mins.say(cid, "u-alice", "budget looks fine")
    mins.stop(cid)
    mins.say(cid, "u-bob", "between takes")
    mins.start(cid)
    mins.say(cid, "u-bob", "second take now")
    body = text(mins, cid)
    assert said_texts(body) == [
        "Welcome everyone",
        "first point is budget",
        "budget looks fine",
        "second take now",
    ]
    assert body.has_more is False and body.next_token is None
    first, second, third = body.paragraph_list
    # One speaker turn = one paragraph; takes number the record.
    assert (first.union_id, first.nick_name, first.record_id) == ("u-host", "Hana Host", 1)
    assert first.paragraph == "Welcome everyone first point is budget"
    assert (second.nick_name, second.record_id, third.record_id) == ("Alice", 1, 2)
    assert first.paragraph_id == 1 and third.paragraph_id == 3
    s1 = first.sentence_list[0]
    assert (
        s1.union_id == "u-host" and s1.start_time < s1.end_time <= first.sentence_list[1].start_time
    )
    assert [w.word for w in s1.word_list] == ["Welcome", "everyone"]
    assert s1.word_list[0].word_id == "1"
    assert s1.word_list[0].start_time == s1.start_time
    assert s1.word_list[-1].end_time <= s1.end_time
    assert first.start_time == s1.start_time and first.end_time == first.sentence_list[1].end_time


def test_text_exact_json_types(mins: Minutes):
    cid = mins.meeting()
    mins.start(cid)
    mins.say(cid, "u-host", "hello there")
    raw = mins.get(ONE.format(cid) + "/minutes/textInfos", unionId="u-host").json()
    assert set(raw) == {"hasMore", "paragraphList"}  # no nextToken on the last page
    paragraph = raw["paragraphList"][0]
    assert {k: type(v) for k, v in paragraph.items()} == {
        "paragraphId": int,
        "recordId": int,
        "unionId": str,
        "nickName": str,
        "paragraph": str,
        "startTime": int,
        "endTime": int,
        "sentenceList": list,
    }
    assert_sentence_types(paragraph)


def test_text_paging_and_direction(mins: Minutes):
    cid = mins.meeting()
    mins.start(cid)
    for who, line in [("u-host", "one"), ("u-alice", "two"), ("u-bob", "three")]:
        mins.say(cid, who, line)
    page1 = text(mins, cid, max_results=2)
    assert said_texts(page1) == ["one", "two"] and page1.has_more is True
    page2 = text(mins, cid, max_results=2, next_token=page1.next_token)
    assert said_texts(page2) == ["three"] and page2.has_more is False
    backwards = text(mins, cid, direction="1")
    assert said_texts(backwards) == ["three", "two", "one"]
    for bad in ({"max_results": 0}, {"max_results": 101}, {"direction": "up"}, {"next_token": "x"}):
        assert_sdk_error(lambda b=bad: text(mins, cid, **b), 400, "paramError")


def test_read_errors(mins: Minutes, oauth_of):
    cid = mins.meeting()
    request = m.QueryMinutesTextRequest(union_id="u-host")
    assert_sdk_error(lambda: mins.call("QueryMinutesText", cid, request), 404, "minutesNotFound")
    mins.start(cid, owner="u-alice")
    assert_sdk_error(lambda: mins.call("QueryMinutesText", "a" * 24, request), 404, "roomNotFound")
    assert_sdk_error(lambda: mins.call("QueryMinutesText", "nope", request), 400, "paramError")
    globex = oauth_of("globex-app", "globex-secret")
    assert_sdk_error(
        lambda: mins.call("QueryMinutesText", cid, request, token=globex), 403, "noPermission"
    )
    # Neither the owner (u-alice), the host, nor shared with: refused.
    bob = m.QueryMinutesTextRequest(union_id="u-bob")
    assert_sdk_error(lambda: mins.call("QueryMinutesText", cid, bob), 403, "noPermission")
    assert said_texts(mins.call("QueryMinutesText", cid, request)) == []  # the host may read


# --- QueryMinutesAudio and the served audio ---------------------------------------------


def test_audio_per_finished_take_is_served(mins: Minutes):
    cid = mins.meeting()
    mins.server.clock.move(freeze=True)  # the take lasts what the clock is moved, exactly
    try:
        mins.start(cid)
        mins.server.clock.advance(5000)
        mins.stop(cid)  # a take of 6 s (stop advances 1 s more)
        mins.start(cid, owner="u-alice")  # still running: no audio yet
    finally:
        mins.server.clock.move(freeze=False)
    audio = mins.call("QueryMinutesAudio", cid, m.QueryMinutesAudioRequest(union_id="u-host"))
    (take,) = audio.audio_list
    assert (take.record_id, take.union_id) == ("1", "u-host")
    assert take.duration == take.end_time - take.start_time == 6000
    assert take.file_size == 44 + 8 * take.duration
    raw = mins.get(ONE.format(cid) + "/minutes/audioInfos", unionId="u-host").json()
    assert {k: type(v) for k, v in raw["audioList"][0].items()} == {
        "recordId": str,
        "unionId": str,
        "startTime": int,
        "endTime": int,
        "duration": int,
        "fileSize": int,
        "playUrl": str,
    }
    got = mins.http.get(take.play_url)
    assert got.status_code == 200 and got.headers["content-type"] == "audio/wav"
    assert len(got.content) == take.file_size and got.content[:4] == b"RIFF"
    assert got.content[8:12] == b"WAVE"
    # A tampered link is refused; so is an expired one.
    parts = urlsplit(take.play_url)
    query = parse_qs(parts.query)
    forged = f"{parts.path}?expires={int(query['expires'][0]) + 10**9}&sig={query['sig'][0]}"
    assert mins.http.get(forged).json()["code"] == "invalidSignature"
    mins.server.clock.advance(3_600_000)
    expired = mins.http.get(take.play_url)
    assert expired.status_code == 403 and expired.json()["code"] == "urlExpired"


@pytest.fixture(scope="module")
def oauth_of(mins: Minutes):
    """Tokens of other apps of the module's server."""
    return lambda key, secret: mins.server.token(key, secret)
