"""Minutes (闪记) operations through the official SDK, on both backends."""

from urllib.parse import parse_qs, urlsplit

import pytest
from alibabacloud_dingtalk.conference_1_0 import models as m

from minutes_helpers import Minutes, minutes_server  # noqa: F401  (the ``mins`` fixture)

from sdk_errors import assert_sdk_error

ONE = "/v1.0/conference/videoConferences/{}"


def text(mins: Minutes, cid: str, union_id: str = "u-host", **paging):
    request = m.QueryMinutesTextRequest(union_id=union_id, **paging)
    return mins.call("QueryMinutesText", cid, request)


def said_texts(body) -> list[str]:
    return [s.sentence for p in body.paragraph_list for s in p.sentence_list]


def summary(mins: Minutes, cid: str, types=None, union_id: str = "u-host"):
    request = m.QueryMinutesSummaryRequest(union_id=union_id, summary_type_list=types)
    return mins.call("QueryMinutesSummary", cid, request).summary


# --- StartMinutes / StopMinutes and confInfo ------------------------------------------


def test_start_and_stop_move_conf_info(mins: Minutes):
    cid = mins.meeting()
    assert mins.status(cid) == (None, None)  # never started: absent
    mins.start(cid, owner="u-alice")
    assert mins.status(cid) == (1, "u-alice")
    mins.stop(cid)
    assert mins.status(cid) == (2, "u-alice")
    mins.start(cid)  # again: a new take, owned by the starter
    assert mins.status(cid) == (1, "u-host")
    raw = mins.get(ONE.format(cid)).json()["confInfo"]
    assert type(raw["minutesStatus"]) is int and raw["minutesOwnerUnionId"] == "u-host"
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
    assert_sdk_error(
        lambda: mins.call("StartMinutes", cid, m.StartMinutesRequest()), 400, "paramError"
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
    mins.server.join(cid, "u-bob")
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
    sentence = paragraph["sentenceList"][0]
    assert {k: type(v) for k, v in sentence.items()} == {
        "unionId": str,
        "sentence": str,
        "startTime": int,
        "endTime": int,
        "wordList": list,
    }
    assert {k: type(v) for k, v in sentence["wordList"][0].items()} == {
        "wordId": str,
        "word": str,
        "startTime": int,
        "endTime": int,
    }


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
    assert_sdk_error(
        lambda: mins.call("QueryMinutesText", cid, m.QueryMinutesTextRequest()), 400, "paramError"
    )
    # Neither the owner (u-alice), the host, nor shared with: refused.
    bob = m.QueryMinutesTextRequest(union_id="u-bob")
    assert_sdk_error(lambda: mins.call("QueryMinutesText", cid, bob), 403, "noPermission")
    assert said_texts(mins.call("QueryMinutesText", cid, request)) == []  # the host may read


# --- QueryMinutesAudio and the served audio ---------------------------------------------


def test_audio_per_finished_take_is_served(mins: Minutes):
    cid = mins.meeting()
    mins.start(cid)
    mins.server.advance_clock(5000)
    mins.stop(cid)  # a take of 6 s (stop advances 1 s more)
    mins.start(cid, owner="u-alice")  # still running: no audio yet
    audio = mins.call("QueryMinutesAudio", cid, m.QueryMinutesAudioRequest(union_id="u-host"))
    (take,) = audio.audio_list
    assert (take.record_id, take.union_id) == ("1", "u-host")
    # The server clock runs in real time too: the take lasted 6 s and a little.
    assert take.duration == take.end_time - take.start_time
    assert 6000 <= take.duration < 9000
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
    mins.server.advance_clock(3_600_000)
    expired = mins.http.get(take.play_url)
    assert expired.status_code == 403 and expired.json()["code"] == "urlExpired"


# --- summaries ----------------------------------------------------------------------------


def _discussion(mins: Minutes) -> str:
    cid = mins.meeting()
    mins.start(cid)
    mins.say(cid, "u-host", "Budget review for the launch budget")
    mins.say(cid, "u-alice", "Is the launch date fixed?")
    mins.say(cid, "u-host", "The launch date is March")
    mins.say(cid, "u-alice", "TODO: Alice will send the budget sheet")
    mins.say(cid, "u-bob", "Hiring plan is next", after_ms=90_000)  # a new chapter
    mins.say(cid, "u-bob", "We need to hire two engineers")
    return cid


def test_summary_derived_from_the_transcript(mins: Minutes):
    cid = _discussion(mins)
    s = summary(mins, cid)
    assert s.keywords[:3] == ["budget", "launch", "date"]
    assert [a.text for a in s.actions] == [
        "TODO: Alice will send the budget sheet",
        "We need to hire two engineers",
    ]
    assert [a.sentence_id for a in s.actions] == [4, 6] and s.actions[0].id == 1
    assert len(s.auto_chapters) == 2
    c1, c2 = s.auto_chapters
    assert c1.headline == "budget, launch, date" and c1.id == 1
    assert c1.summary.startswith("Hana Host: Budget review for the launch budget")
    assert c1.end < c2.start and c2.summary.startswith("Bob: Hiring plan is next")
    (qa,) = s.questions_answering_summary
    assert (qa.question, qa.answer) == ("Is the launch date fixed?", "The launch date is March")
    assert (qa.sentence_ids_of_question, qa.sentence_ids_of_answer) == ([2], [3])
    assert [(c.speaker_id, c.speaker_name) for c in s.conversational_summary] == [
        ("u-host", "Hana Host"),
        ("u-alice", "Alice"),
        ("u-bob", "Bob"),
    ]
    assert "3 speaker(s)" in s.paragraph_summary and "budget" in s.paragraph_summary
    assert s.key_sentences and all(k.text for k in s.key_sentences)
    only = summary(mins, cid, ["keywords", "actions"])
    assert only.keywords == s.keywords

    def raw(types):
        return mins.http.post(
            ONE.format(cid) + "/minutes/summaries/query",
            json={"unionId": "u-host", "summaryTypeList": types},
            headers={"x-acs-dingtalk-access-token": mins.token},
        ).json()

    # Only the parts asked for are present.
    assert raw(["paragraphSummary"]) == {"summary": {"paragraphSummary": s.paragraph_summary}}
    assert set(raw(["keywords", "actions"])["summary"]) == {"keywords", "actions"}
    full = raw(None)["summary"]
    assert set(full) == {
        "actions",
        "autoChapters",
        "conversationalSummary",
        "keySentences",
        "keywords",
        "paragraphSummary",
        "questionsAnsweringSummary",
    }
    assert {k: type(v) for k, v in full["actions"][0].items()} == {
        "id": int,
        "text": str,
        "sentenceId": int,
        "start": int,
        "end": int,
    }
    assert {k: type(v) for k, v in full["autoChapters"][0].items()} == {
        "id": int,
        "headline": str,
        "summary": str,
        "start": int,
        "end": int,
    }
    assert {k: type(v) for k, v in full["questionsAnsweringSummary"][0].items()} == {
        "question": str,
        "answer": str,
        "sentenceIdsOfQuestion": list,
        "sentenceIdsOfAnswer": list,
    }
    assert {k: type(v) for k, v in full["conversationalSummary"][0].items()} == {
        "speakerId": str,
        "speakerName": str,
        "summary": str,
    }
    assert_sdk_error(lambda: summary(mins, cid, ["mood"]), 400, "paramError")


def test_meeting_result_and_flash_summary(mins: Minutes):
    cid = _discussion(mins)
    flash = m.QueryFlashMinutesSummaryRequest(recorder_union_id="u-host")
    running = mins.call("QueryFlashMinutesSummary", cid, flash).flash_minutes_summary
    assert running.status == 1 and len(running.summary) == 2
    mins.stop(cid)
    done = mins.call("QueryFlashMinutesSummary", cid, flash).flash_minutes_summary
    assert done.status == 2
    assert [c.headline for c in done.summary] == [
        c.headline for c in summary(mins, cid).auto_chapters
    ]
    result = mins.call(
        "QueryMinutesMeetingResult", cid, m.QueryMinutesMeetingResultRequest(union_id="u-host")
    )
    assert result.full_summary == summary(mins, cid).paragraph_summary
    assert result.action == [
        "TODO: Alice will send the budget sheet",
        "We need to hire two engineers",
    ]
    raw = mins.get(ONE.format(cid) + "/minutes/meetingResult", unionId="u-host").json()
    assert set(raw) == {"fullSummary", "action"}
    assert_sdk_error(
        lambda: mins.call(
            "QueryFlashMinutesSummary",
            cid,
            m.QueryFlashMinutesSummaryRequest(recorder_union_id="u-carol"),
        ),
        403,
        "noPermission",
    )


def test_explicit_summary_wins(mins: Minutes):
    cid = _discussion(mins)
    status, _, body = mins.server.request(
        "PUT",
        f"/_dingconf/conferences/{cid}/minutes/summary",
        {
            "fullSummary": "We agreed on March.",
            "keywords": ["march"],
            "actions": ["Ship it"],
            "chapters": [{"headline": "All", "summary": "Everything", "start": 1, "end": 2}],
        },
    )
    assert status == 200, body
    result = mins.call(
        "QueryMinutesMeetingResult", cid, m.QueryMinutesMeetingResultRequest(union_id="u-host")
    )
    assert (result.full_summary, result.action) == ("We agreed on March.", ["Ship it"])
    s = summary(mins, cid)
    assert s.keywords == ["march"] and [a.text for a in s.actions] == ["Ship it"]
    assert [(c.headline, c.summary, c.start, c.end) for c in s.auto_chapters] == [
        ("All", "Everything", 1, 2)
    ]
    status, _, body = mins.server.request(
        "PUT", f"/_dingconf/conferences/{cid}/minutes/summary", {"mood": "good"}
    )
    assert status == 400


# --- links, documents and sharing -----------------------------------------------------------


def test_record_urls_documents_and_sharing(mins: Minutes):
    cid = _discussion(mins)
    mins.stop(cid)
    mins.start(cid)
    mins.say(cid, "u-host", "Second take closing words")
    mins.stop(cid)
    urls = mins.call(
        "QueryRecordMinutesUrl", cid, m.QueryRecordMinutesUrlRequest(recorder_union_id="u-host")
    ).record_minutes_urls
    assert len(urls) == 2 and len({u.task_uuid for u in urls}) == 2
    first = mins.http.get(urls[0].record_minutes_url)
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/markdown")
    assert "**Alice**" in first.text and "Second take" not in first.text
    assert "Second take closing words" in mins.http.get(urls[1].record_minutes_url).text

    doc_url = mins.call(
        "GenerateFlashMinutesDocumentUrl",
        cid,
        m.GenerateFlashMinutesDocumentUrlRequest(union_id="u-host", expire_time=60),
    ).minutes_doc_url
    doc = mins.http.get(doc_url).text
    assert doc.startswith("# Minutes: minutes")
    assert "- [ ] TODO: Alice will send the budget sheet" in doc
    assert "Second take closing words" in doc

    # Carol may not see them until the owner shares them.
    carol = m.GenerateFlashMinutesDocumentUrlRequest(union_id="u-carol")
    assert_sdk_error(
        lambda: mins.call("GenerateFlashMinutesDocumentUrl", cid, carol), 403, "noPermission"
    )
    assert_sdk_error(
        lambda: mins.call(
            "QueryRecordMinutesUrl",
            cid,
            m.QueryRecordMinutesUrlRequest(recorder_union_id="u-carol"),
        ),
        403,
        "noPermission",
    )
    not_owner = m.AddRecordPermissionRequest(union_id="u-carol", owner_union_id="u-bob")
    assert_sdk_error(lambda: mins.call("AddRecordPermission", cid, not_owner), 403, "noPermission")
    granted = mins.call(
        "AddRecordPermission",
        cid,
        m.AddRecordPermissionRequest(union_id="u-carol", owner_union_id="u-host", share_scope=0),
    )
    assert granted.code == "200" and granted.task_uuid == urls[1].task_uuid
    carol_url = mins.call("GenerateFlashMinutesDocumentUrl", cid, carol).minutes_doc_url
    assert "Second take closing words" in mins.http.get(carol_url).text
    # The link names its reader: swapping the reader breaks the signature.
    assert mins.http.get(carol_url.replace("u-carol", "u-bob")).status_code == 403
    # The link expires after expireTime seconds.
    mins.server.advance_clock(61_000)
    assert mins.http.get(doc_url).json()["code"] == "urlExpired"


def test_link_and_grant_errors(mins: Minutes):
    cid = mins.meeting()
    grant = m.AddRecordPermissionRequest(union_id="u-carol", owner_union_id="u-host")
    assert_sdk_error(lambda: mins.call("AddRecordPermission", cid, grant), 404, "minutesNotFound")
    mins.start(cid)
    for bad in (
        m.AddRecordPermissionRequest(owner_union_id="u-host"),
        m.AddRecordPermissionRequest(union_id="u-carol"),
        m.AddRecordPermissionRequest(union_id="u-carol", owner_union_id="u-host", share_scope=7),
    ):
        assert_sdk_error(lambda b=bad: mins.call("AddRecordPermission", cid, b), 400, "paramError")
    assert_sdk_error(
        lambda: mins.call(
            "GenerateFlashMinutesDocumentUrl",
            cid,
            m.GenerateFlashMinutesDocumentUrlRequest(union_id="u-host", expire_time=0),
        ),
        400,
        "paramError",
    )
    raw = mins.get(ONE.format(cid) + "/flashMinutes/document/generate", unionId="u-host").json()
    assert set(raw) == {"minutesDocUrl"} and raw["minutesDocUrl"].startswith(mins.server.url)
    raw = mins.get(ONE.format(cid) + "/flashMinutes/recordUrls", recorderUnionId="u-host").json()
    assert {k: type(v) for k, v in raw["recordMinutesUrls"][0].items()} == {
        "recordMinutesUrl": str,
        "taskUuid": str,
    }
    unsigned = mins.http.get(f"/media/minutes/{cid}/document", params={"unionId": "u-host"})
    assert unsigned.status_code == 403 and unsigned.json()["code"] == "invalidSignature"


@pytest.fixture(scope="module")
def oauth_of(mins: Minutes):
    """Tokens of other apps of the module's server."""
    return lambda key, secret: mins.server.token(key, secret)
