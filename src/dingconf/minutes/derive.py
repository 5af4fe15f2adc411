"""The minutes' content, derived from what was said while they ran: pure functions.

Nothing here is random or learned; every answer follows from the transcript
by fixed rules (docs/fidelity.md, "Minutes"):

- only utterances said inside a MINUTES span count (start ≤ at < end);
- a sentence is one utterance; it lasts ``_MS_PER_WORD`` per word (a CJK
  character counts as a word), cut short by the next utterance or the span's end;
- a paragraph is a speaker's turn: consecutive sentences of one speaker in one
  take with less than ``PARAGRAPH_PAUSE_MS`` of silence between them;
- a chapter is a run of paragraphs without a pause of ``CHAPTER_PAUSE_MS`` or
  more and within one take; its headline is its top keywords, its summary the
  first sentence of each speaker turn;
- keywords are the most frequent words (ties by first use), stop words aside;
- actions (todos) are sentences containing TODO, will, need to, should, must,
  action item, 需要, 待办, 负责 or 跟进; questions end with ``?``/``？`` and are
  answered by the next sentence of another speaker.
"""

import re
from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

from dingconf.content.records import Span, Utterance

__all__ = [
    "CHAPTER_PAUSE_MS",
    "PARAGRAPH_PAUSE_MS",
    "Chapter",
    "Paragraph",
    "Sentence",
    "Word",
    "actions",
    "chapters",
    "key_sentences",
    "keywords",
    "minuted",
    "paragraphs",
    "questions",
    "sentences",
    "speakers",
    "summary_text",
]

PARAGRAPH_PAUSE_MS = 10_000
CHAPTER_PAUSE_MS = 60_000
_MS_PER_WORD = 400
_KEYWORDS = 5
_KEY_SENTENCES = 3
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'_-]*|[\u3400-\u9fff]")
_TERM = re.compile(r"[A-Za-z][A-Za-z'_-]{2,}|[\u3400-\u9fff]{2,}")
# One boundary test before the alternatives: three times faster than one per word.
_ACTION = re.compile(
    r"\b(?:TODO\b|will\b|needs? to\b|should\b|must\b|action item)|需要|待办|负责|跟进",
    re.IGNORECASE,
)
_STOP_WORDS = (
    "the and for that this with you are was were have has had not but all can "
    "our out will shall should must need needs what when where who why how then "
    "than them they their there here into from about also just let lets it's "
    "its i'm we're you're yes okay ok"
)
_STOP = frozenset(_STOP_WORDS.split())


class Word(NamedTuple):
    """One word of a sentence, with its share of the sentence's time."""

    word_id: int
    word: str
    start_ms: int
    end_ms: int


class Sentence(NamedTuple):
    """One utterance said while the minutes ran."""

    sentence_id: int  # from 1, in order of saying
    take: int
    union_id: str
    nick: str
    text: str
    start_ms: int
    end_ms: int

    @property
    def words(self) -> tuple[Word, ...]:
        """The words, sharing the sentence's time (derived when shown: most
        answers need only the text)."""
        tokens = _tokens(self.text)
        step = max(1, (self.end_ms - self.start_ms) // len(tokens))
        start, end = self.start_ms, self.end_ms
        return tuple(
            Word(n + 1, w, start + n * step, min(end, start + (n + 1) * step))
            for n, w in enumerate(tokens)
        )


class Paragraph(NamedTuple):
    """A speaker's turn."""

    paragraph_id: int
    take: int
    union_id: str
    nick: str
    sentences: tuple[Sentence, ...]

    @property
    def start_ms(self) -> int:
        return self.sentences[0].start_ms

    @property
    def end_ms(self) -> int:
        return self.sentences[-1].end_ms

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)


class Chapter(NamedTuple):
    """A stretch of conversation between long pauses."""

    chapter_id: int
    headline: str
    summary: str
    start_ms: int
    end_ms: int


def minuted(utterances: Iterable[Utterance], spans: Iterable[Span]) -> list[tuple[int, Utterance]]:
    """The utterances said while the minutes ran, each with its take."""
    windows = list(spans)
    found: list[tuple[int, Utterance]] = []
    for u in utterances:
        for span in windows:
            if span.start_ms <= u.at_ms and (span.end_ms is None or u.at_ms < span.end_ms):
                found.append((span.take, u))
                break
    return found


def _span_end(spans: Iterable[Span], take: int, at_ms: int) -> int | None:
    for span in spans:
        inside = span.start_ms <= at_ms and (span.end_ms is None or at_ms < span.end_ms)
        if span.take == take and inside:
            return span.end_ms
    return None


def sentences(utterances: Iterable[Utterance], spans: Iterable[Span]) -> list[Sentence]:
    """The minutes' sentences, timed (see the module's rules)."""
    windows = list(spans)
    said = minuted(utterances, windows)
    result: list[Sentence] = []
    for i, (take, u) in enumerate(said):
        end = u.at_ms + _MS_PER_WORD * len(_tokens(u.text))
        limits = [_span_end(windows, take, u.at_ms)]
        if i + 1 < len(said):
            limits.append(said[i + 1][1].at_ms)
        end = min([end, *(x for x in limits if x is not None and x > u.at_ms)])
        result.append(Sentence(i + 1, take, u.union_id, u.nick, u.text, u.at_ms, end))
    return result


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text) or [text]


def paragraphs(said: list[Sentence]) -> list[Paragraph]:
    """Speaker turns: same speaker, same take, short silences."""
    turns: list[list[Sentence]] = []
    for s in said:
        last = turns[-1][-1] if turns else None
        if (
            last is not None
            and last.union_id == s.union_id
            and last.take == s.take
            and s.start_ms - last.end_ms < PARAGRAPH_PAUSE_MS
        ):
            turns[-1].append(s)
        else:
            turns.append([s])
    return [
        Paragraph(i + 1, t[0].take, t[0].union_id, t[0].nick, tuple(t)) for i, t in enumerate(turns)
    ]


def keywords(texts: Iterable[str], limit: int = _KEYWORDS) -> list[str]:
    """The most frequent terms (ties by first use), stop words aside."""
    counts: Counter[str] = Counter()
    first: dict[str, None] = {}  # terms in order of first use
    for text in texts:
        found = _terms(text)
        counts.update(found)
        first.update(dict.fromkeys(found))
    for word in _STOP.intersection(counts):
        del counts[word]
    rank = {term: n for n, term in enumerate(first)}
    return sorted(counts, key=lambda k: (-counts[k], rank[k]))[:limit]


def _terms(text: str) -> list[str]:
    # Lowered first: one call per text instead of one per term.
    return _TERM.findall(text.lower())


def chapters(turns: list[Paragraph]) -> list[Chapter]:
    """Chapters: runs of speaker turns split at long pauses and new takes."""
    groups: list[list[Paragraph]] = []
    for p in turns:
        last = groups[-1][-1] if groups else None
        if last is None or last.take != p.take or p.start_ms - last.end_ms >= CHAPTER_PAUSE_MS:
            groups.append([p])
        else:
            groups[-1].append(p)
    result = []
    for i, group in enumerate(groups):
        terms = keywords(p.text for p in group)
        headline = ", ".join(terms[:3]) or group[0].sentences[0].text
        summary = " ".join(f"{p.nick}: {p.sentences[0].text}" for p in group)
        result.append(Chapter(i + 1, headline, summary, group[0].start_ms, group[-1].end_ms))
    return result


def actions(said: list[Sentence]) -> list[Sentence]:
    """Sentences that commit someone to something."""
    return [s for s in said if _ACTION.search(s.text)]


def key_sentences(
    said: list[Sentence], limit: int = _KEY_SENTENCES, top_terms: list[str] | None = None
) -> list[Sentence]:
    """The sentences richest in the minutes' keywords (``top_terms`` when already
    known), in order of saying."""
    top = set(keywords(s.text for s in said) if top_terms is None else top_terms)

    def weight(s: Sentence) -> int:
        return sum(map(top.__contains__, _terms(s.text)))

    chosen = sorted(said, key=lambda s: (-weight(s), s.sentence_id))[:limit]
    return sorted((s for s in chosen if weight(s) > 0), key=lambda s: s.sentence_id)


def questions(said: list[Sentence]) -> list[tuple[Sentence, Sentence]]:
    """Questions and the next sentence of another speaker, which answers them."""
    # answer_at[i]: the first sentence after i by someone other than i's speaker
    # (one pass from the end, so a long monologue costs no rescans).
    answer_at: list[int | None] = [None] * len(said)
    for i in range(len(said) - 2, -1, -1):
        differs = said[i + 1].union_id != said[i].union_id
        answer_at[i] = i + 1 if differs else answer_at[i + 1]
    pairs = []
    for s, at in zip(said, answer_at, strict=True):
        if at is not None and s.text.rstrip().endswith(("?", "？")):
            pairs.append((s, said[at]))
    return pairs


def speakers(said: list[Sentence]) -> list[tuple[str, str, list[Sentence]]]:
    """Each speaker (unionId, nick) with their sentences, in order of first speaking."""
    by: dict[str, tuple[str, list[Sentence]]] = {}
    for s in said:
        by.setdefault(s.union_id, (s.nick, []))[1].append(s)
    return [(uid, nick, lines) for uid, (nick, lines) in by.items()]


def summary_text(said: list[Sentence], top_terms: list[str] | None = None) -> str:
    """A one-paragraph summary: who spoke, how much, and about what."""
    if not said:
        return "Nothing was said while the minutes ran."
    people = speakers(said)
    names = ", ".join(nick for _, nick, _ in people)
    minutes = max(1, round((said[-1].end_ms - said[0].start_ms) / 60_000))
    top = keywords(s.text for s in said) if top_terms is None else top_terms
    topics = ", ".join(top) or "no recurring topic"
    return (
        f"{len(people)} speaker(s) ({names}) said {len(said)} sentence(s) "
        f"over about {minutes} minute(s). Topics: {topics}."
    )
