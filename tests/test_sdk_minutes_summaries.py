"""Minutes (闪记) summaries, links, documents and sharing through the official SDK."""

from alibabacloud_dingtalk.conference_1_0 import models as m

from minutes_helpers import Minutes, minutes_server  # noqa: F401  (the ``mins`` fixture)

from sdk_errors import assert_sdk_error

ONE = "/v1.0/conference/videoConferences/{}"


def summary(mins: Minutes, cid: str, types=None, union_id: str = "u-host"):
    request = m.QueryMinutesSummaryRequest(union_id=union_id, summary_type_list=types)
    return mins.call("QueryMinutesSummary", cid, request).summary


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
    mins.server.clock.advance(61_000)
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


def test_links_of_a_meeting_named_with_a_space_lead_to_its_minutes(mins: Minutes):
    # The SDK sends " id" as %20id: the meeting is found by its trimmed id, and
    # the links and task ids made for it must be that meeting's.
    cid = _discussion(mins)
    mins.stop(cid)
    spaced = " " + cid
    record = m.QueryRecordMinutesUrlRequest(recorder_union_id="u-host")
    (plain,) = mins.call("QueryRecordMinutesUrl", cid, record).record_minutes_urls
    (url,) = mins.call("QueryRecordMinutesUrl", spaced, record).record_minutes_urls
    assert url.task_uuid == plain.task_uuid
    assert "Budget review" in mins.http.get(url.record_minutes_url).text
    document = m.GenerateFlashMinutesDocumentUrlRequest(union_id="u-host")
    doc_url = mins.call("GenerateFlashMinutesDocumentUrl", spaced, document).minutes_doc_url
    assert "Budget review" in mins.http.get(doc_url).text
    audio = m.QueryMinutesAudioRequest(union_id="u-host")
    (take,) = mins.call("QueryMinutesAudio", spaced, audio).audio_list
    got = mins.http.get(take.play_url)
    assert got.status_code == 200 and got.headers["content-type"] == "audio/wav"
