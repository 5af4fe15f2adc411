"""Transcripts: what was said while a recording (or the minutes) ran, as paragraphs.

Pure functions over :class:`~dingconf.model.Utterance` and
:class:`~dingconf.model.Span`, shared by every operation that shows speech
(QueryCloudRecordText today, the minutes later), so that all of them cut the
same words at the same times.

The shape follows DingTalk's transcripts
(``queries-the-text-information-about-cloud-recording``): a paragraph is one
speaker's turn (consecutive utterances of one person), made of sentences
(one utterance split at sentence-ending punctuation), made of words (runs of
letters or digits; each CJK character is a word of its own). Speech has no
duration of its own here, so every word lasts :data:`WORD_MS` from the moment
the utterance was said. Times are relative to ``origin_ms``. A turn longer
than :data:`PARAGRAPH_CHARS` continues in a new paragraph, so that a page of
paragraphs can be bounded (QueryCloudRecordText).

Cutting turns (:func:`turns`) reads no words; a paragraph's sentences and
words are derived only when it is shown (:func:`paragraph`).
"""

import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from dingconf.content.records import Span, Utterance

__all__ = [
    "PARAGRAPH_CHARS",
    "WORD_MS",
    "Paragraph",
    "Sentence",
    "Turn",
    "Word",
    "inside",
    "origin_of",
    "paragraph",
    "paragraphs",
    "sentences_of",
    "turns",
    "words_of",
]

#: How long one word takes to say.
WORD_MS = 300
#: A turn's paragraph takes utterances up to this many characters (always at
#: least one); the turn goes on in the next paragraph.
PARAGRAPH_CHARS = 2000

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
# One CJK character, or a run of other letters/digits (apostrophes and hyphens inside).
_WORD = re.compile(rf"[{_CJK}]|[^\W{_CJK}_]+(?:['’\-][^\W{_CJK}_]+)*")
# A sentence ends after its terminal punctuation (and any closing quotes).
_SENTENCE = re.compile(r"[^.!?。！？…]*(?:[.!?。！？…]+[\"'”’」』)]*|$)")
_ENDS_CJK = re.compile(rf"[{_CJK}。！？，、；：」』）]$")


class Word(NamedTuple):
    """One word, with its times relative to the transcript's origin."""

    word_id: str
    text: str
    start_ms: int
    end_ms: int


class Sentence(NamedTuple):
    """One sentence of one speaker."""

    union_id: str
    text: str
    start_ms: int
    end_ms: int
    words: tuple[Word, ...]


class Paragraph(NamedTuple):
    """One speaker's turn: consecutive sentences of one person."""

    union_id: str
    nick: str
    text: str
    start_ms: int
    end_ms: int
    sentences: tuple[Sentence, ...]


def inside(utterances: Iterable[Utterance], spans: Sequence[Span]) -> list[Utterance]:
    """The utterances said while a span ran, in the order they were said.

    A span covers ``[start_ms, end_ms)``; one still running covers everything after its start.
    """
    kept = [
        u
        for u in utterances
        if any(s.start_ms <= u.at_ms and (s.end_ms is None or u.at_ms < s.end_ms) for s in spans)
    ]
    return sorted(kept, key=lambda u: (u.at_ms, u.seq))


def words_of(text: str) -> list[str]:
    """The words of a text: letter/digit runs, each CJK character alone; no punctuation."""
    return _WORD.findall(text)


def sentences_of(text: str) -> list[str]:
    """A text split after sentence-ending punctuation; blank pieces dropped."""
    return [piece.strip() for piece in _SENTENCE.findall(text) if piece.strip()]


def _sentences(u: Utterance, origin_ms: int) -> list[Sentence]:
    start = u.at_ms - origin_ms
    out: list[Sentence] = []
    for index, text in enumerate(sentences_of(u.text)):
        words = words_of(text) or [text]
        # The id names the utterance and the sentence, then the word's place in it.
        prefix = f"{u.seq}.{index}"
        timed = tuple(
            Word(f"{prefix}#{i}", w, start + i * WORD_MS, start + (i + 1) * WORD_MS)
            for i, w in enumerate(words)
        )
        out.append(Sentence(u.union_id, text, start, timed[-1].end_ms, timed))
        start = timed[-1].end_ms
    return out


def _join(texts: Iterable[str]) -> str:
    joined = ""
    for text in texts:
        # CJK text runs on without spaces; other scripts are separated by one.
        gap = "" if not joined or _ENDS_CJK.search(joined) else " "
        joined += gap + text
    return joined


class Turn(NamedTuple):
    """The utterances of one paragraph, before any word is derived."""

    union_id: str
    utterances: tuple[Utterance, ...]

    @property
    def chars(self) -> int:
        """How much text the paragraph holds."""
        return sum(len(u.text) for u in self.utterances)


def turns(utterances: Iterable[Utterance], spans: Sequence[Span]) -> list[Turn]:
    """The paragraphs of what was said inside ``spans``: speaker turns, each cut
    after :data:`PARAGRAPH_CHARS` characters."""
    result: list[Turn] = []
    current: list[Utterance] = []
    size = 0
    for u in inside(utterances, spans):
        if current and (current[0].union_id != u.union_id or size >= PARAGRAPH_CHARS):
            result.append(Turn(current[0].union_id, tuple(current)))
            current, size = [], 0
        if u.text.strip():  # blank speech makes no sentence, but still ends a turn
            current.append(u)
            size += len(u.text)
    if current:
        result.append(Turn(current[0].union_id, tuple(current)))
    return result


def origin_of(spans: Sequence[Span]) -> int:
    """Where a transcript's times count from: the first span's start."""
    return min(s.start_ms for s in spans)


def paragraphs(
    utterances: Iterable[Utterance], spans: Sequence[Span], origin_ms: int | None = None
) -> list[Paragraph]:
    """The transcript of what was said inside ``spans``, by speaker turns.

    Args:
        utterances: everything said in the meeting (any order).
        spans: the spans that count (e.g. a meeting's RECORD spans).
        origin_ms: the time the transcript's times count from; by default the
            first span's start.
    """
    if not spans:
        return []
    origin = origin_of(spans) if origin_ms is None else origin_ms
    return [paragraph(t, origin) for t in turns(utterances, spans)]


def paragraph(turn: Turn, origin_ms: int) -> Paragraph:
    """A turn's paragraph, its sentences and words timed from ``origin_ms``."""
    sentences = tuple(s for u in turn.utterances for s in _sentences(u, origin_ms))
    return Paragraph(
        union_id=turn.union_id,
        # The nick of the turn's last utterance: the name shown when it ended.
        nick=turn.utterances[-1].nick,
        text=_join(s.text for s in sentences),
        start_ms=sentences[0].start_ms,
        end_ms=max(s.end_ms for s in sentences),
        sentences=sentences,
    )
