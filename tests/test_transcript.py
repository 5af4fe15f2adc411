"""The pure pieces of recordings: transcripts, takes and file bytes; the shared URL key."""

import asyncio

from dingconf.app import open_store
from dingconf.content.records import RECORD, Span, Utterance
from dingconf.content.transcript import WORD_MS, inside, paragraphs, sentences_of, words_of
from dingconf.core.clock import Clock
from dingconf.recording.files import file_size, media_id, record_id, takes
from dingconf.recording.media import MP4, MediaFile, MediaSigner, media_bytes

CID = "65f0c0de0123456789abcdef"


def said(seq: int, who: str, text: str, at: int) -> Utterance:
    return Utterance(CID, seq, who, who.title(), text, at)


def span(take: int, start: int, end: int | None) -> Span:
    return Span(CID, RECORD, take, "host", start, end)


def test_words_and_sentences():
    assert words_of("Hello, world! It's a well-known 2026 plan.") == [
        "Hello",
        "world",
        "It's",
        "a",
        "well-known",
        "2026",
        "plan",
    ]
    assert words_of("这里是小钉，OK") == ["这", "里", "是", "小", "钉", "OK"]
    assert sentences_of("One. Two? 三。四！ tail") == ["One.", "Two?", "三。", "四！", "tail"]


def test_only_speech_inside_spans_counts():
    spans = [span(1, 1000, 2000), span(1, 5000, None)]
    utterances = [
        said(1, "a", "before", 999),
        said(2, "a", "start", 1000),
        said(3, "a", "end", 2000),  # a span's end is outside it
        said(4, "b", "running", 9000),
    ]
    assert [u.text for u in inside(utterances, spans)] == ["start", "running"]


def test_paragraphs_follow_speaker_turns_and_time():
    spans = [span(1, 1000, None)]
    # Said out of seq order (an explicit offset): time decides the order.
    utterances = [
        said(3, "b", "Yes.", 4000),
        said(1, "a", "Hi. Ready?", 2000),
        said(2, "a", "我们开始。", 3000),
    ]
    first, second = paragraphs(utterances, spans)
    assert (first.union_id, first.text) == ("a", "Hi. Ready? 我们开始。")
    assert [s.text for s in first.sentences] == ["Hi.", "Ready?", "我们开始。"]
    assert (first.start_ms, first.sentences[2].start_ms) == (1000, 2000)
    assert first.sentences[1].words[0].start_ms == 1000 + WORD_MS
    assert [w.word_id for w in first.sentences[2].words] == ["2.0#0", "2.0#1", "2.0#2", "2.0#3"]
    assert (second.union_id, second.start_ms, second.end_ms) == ("b", 3000, 3000 + WORD_MS)
    assert paragraphs(utterances, []) == []


def test_takes_exclude_pauses_and_running_takes_have_no_end():
    spans = [span(1, 0, 10_000), span(1, 40_000, 47_000), span(2, 50_000, None)]
    first, second = takes(CID, spans, running=True)
    assert (first.take, first.start_ms, first.end_ms, first.duration_ms) == (1, 0, 47_000, 17_000)
    assert first.file_size == file_size(17_000) == 32 + 17 * 18_750
    assert (second.end_ms, second.duration_ms) == (None, 0)
    assert first.media_id == media_id(CID, 1) != second.media_id
    assert len(record_id(CID)) <= 16 and int(record_id(CID)) < 2**53
    assert file_size(10**9) == 4 * 1024 * 1024


def test_file_bytes_are_exact_and_deterministic():
    size = 200_000
    body = b"".join(media_bytes("m1", size))
    assert len(body) == size and body == b"".join(media_bytes("m1", size))
    assert body[4:8] == b"ftyp" and body[28:32] == b"free"
    assert int.from_bytes(body[24:28], "big") == size - 24
    assert body != b"".join(media_bytes("m2", size))
    assert len(b"".join(media_bytes("m1", 32))) == 32


def test_processes_sharing_a_database_share_the_url_key(database_url):
    async def run() -> None:
        one, two = open_store(database_url), open_store(database_url)
        await one.open()
        await two.open()
        try:
            clock = Clock()
            signer = MediaSigner(one, clock, "http://a")
            other = MediaSigner(two, clock, "http://b")
            file = MediaFile("m1", MP4, 1000, 2000)
            url = await signer.url(file)
            name, query = url.rsplit("/", 1)[1].split("?")
            params = dict(p.split("=") for p in query.split("&"))
            assert await other.verify(name, params) == file
        finally:
            await one.close()
            await two.close()

    asyncio.run(run())
