"""A user's minutes (闪记) pipeline, end to end, through the official SDK.

Create a meeting, people join; the host starts the minutes; people speak;
the host stops them; the pipeline reads the text, the summary and the meeting
result, downloads the document and the audio, and shares the minutes.
"""

import httpx
from alibabacloud_dingtalk.conference_1_0 import models as m
from alibabacloud_dingtalk.conference_1_0.client import Client as ConferenceClient
from alibabacloud_dingtalk.oauth2_1_0.client import Client as OAuthClient

from lifecycle import sdk, token_of
from minutes_helpers import minutes_state

from conftest import sdk_config

SECOND = 1000


def test_minutes_pipeline(fresh_server):
    server = fresh_server
    conf = ConferenceClient(sdk_config(server))
    token = token_of(OAuthClient(sdk_config(server)), "acme-app", "acme-secret")
    advance = server.clock.advance

    cid = sdk(
        conf,
        token,
        "CreateVideoConference",
        m.CreateVideoConferenceRequest(user_id="u-host", conf_title="Roadmap"),
    ).conference_id
    for person in ("u-host", "u-alice", "u-bob"):
        server.participants.join(cid, person)
    server.participants.say(cid, "u-host", "Small talk before the minutes.")

    advance(SECOND)
    sdk(conf, token, "StartMinutes", cid, m.StartMinutesRequest(union_id="u-host"))
    assert minutes_state(server, cid) == (1, "u-host")
    advance(2 * SECOND)
    server.participants.say(cid, "u-host", "Roadmap review: the mobile roadmap first.")
    advance(4 * SECOND)
    server.participants.say(cid, "u-alice", "Is the mobile release on track?")
    advance(3 * SECOND)
    server.participants.say(cid, "u-bob", "The mobile release is on track for June.")
    advance(3 * SECOND)
    server.participants.say(cid, "u-alice", "TODO: Bob will share the release checklist.")
    advance(2 * SECOND)
    sdk(conf, token, "StopMinutes", cid, m.StopMinutesRequest(union_id="u-host"))
    assert minutes_state(server, cid)[0] == 2
    server.participants.say(cid, "u-bob", "This is after the minutes stopped.")

    # The text: only what was said while the minutes ran, speaker by speaker.
    text = sdk(conf, token, "QueryMinutesText", cid, m.QueryMinutesTextRequest(union_id="u-host"))
    assert [(p.nick_name, p.paragraph) for p in text.paragraph_list] == [
        ("Hana Host", "Roadmap review: the mobile roadmap first."),
        ("Alice", "Is the mobile release on track?"),
        ("Bob", "The mobile release is on track for June."),
        ("Alice", "TODO: Bob will share the release checklist."),
    ]

    # The summary and the meeting result.
    summary = sdk(
        conf, token, "QueryMinutesSummary", cid, m.QueryMinutesSummaryRequest(union_id="u-host")
    ).summary
    assert summary.keywords[:3] == ["mobile", "release", "roadmap"]  # by frequency, then first use
    assert [a.text for a in summary.actions] == ["TODO: Bob will share the release checklist."]
    (qa,) = summary.questions_answering_summary
    assert qa.answer == "The mobile release is on track for June."
    result = sdk(
        conf,
        token,
        "QueryMinutesMeetingResult",
        cid,
        m.QueryMinutesMeetingResultRequest(union_id="u-host"),
    )
    assert result.action == ["TODO: Bob will share the release checklist."]
    assert "3 speaker(s)" in result.full_summary

    # The document, downloaded from the URL the API gave.
    doc_url = sdk(
        conf,
        token,
        "GenerateFlashMinutesDocumentUrl",
        cid,
        m.GenerateFlashMinutesDocumentUrlRequest(union_id="u-host"),
    ).minutes_doc_url
    with httpx.Client(timeout=30) as web:
        doc = web.get(doc_url)
        assert doc.status_code == 200
        assert "**Bob** (00:00:07): The mobile release is on track for June." in doc.text
        assert "after the minutes stopped" not in doc.text and "Small talk" not in doc.text

        # The audio of the take: a WAV file of the reported size.
        (audio,) = sdk(
            conf, token, "QueryMinutesAudio", cid, m.QueryMinutesAudioRequest(union_id="u-host")
        ).audio_list
        assert 14 * SECOND <= audio.duration < 17 * SECOND
        wav = web.get(audio.play_url)
        assert wav.headers["content-type"] == "audio/wav"
        assert len(wav.content) == audio.file_size and wav.content[:4] == b"RIFF"

        # Share with Carol, who then reads the minutes' document herself.
        sdk(
            conf,
            token,
            "AddRecordPermission",
            cid,
            m.AddRecordPermissionRequest(union_id="u-carol", owner_union_id="u-host"),
        )
        (link,) = sdk(
            conf,
            token,
            "QueryRecordMinutesUrl",
            cid,
            m.QueryRecordMinutesUrlRequest(recorder_union_id="u-carol"),
        ).record_minutes_urls
        assert "TODO: Bob will share" in web.get(link.record_minutes_url).text

    # The meeting ends: the minutes end with it.
    sdk(conf, token, "CloseVideoConference", cid, m.CloseVideoConferenceRequest(union_id="u-host"))
    assert minutes_state(server, cid)[0] == 3
