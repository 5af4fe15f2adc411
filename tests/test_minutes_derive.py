"""The minutes' derivations (service.minutes_derive): pure functions over the transcript."""

from dingconf.content.records import MINUTES, Span, Utterance
from dingconf.minutes import derive as d

CID = "c" * 24


def said(*lines: tuple[str, int, str]) -> list[Utterance]:
    return [
        Utterance(CID, i + 1, who, who.title(), text, at) for i, (who, at, text) in enumerate(lines)
    ]


def span(take: int, start: int, end: int | None) -> Span:
    return Span(CID, MINUTES, take, "host", start, end)


def test_only_speech_inside_a_span_counts():
    utterances = said(
        ("a", 5, "before"), ("a", 10, "at start"), ("b", 19, "inside"), ("a", 20, "at end")
    )
    kept = d.minuted(utterances, [span(1, 10, 20)])
    assert [u.text for _, u in kept] == ["at start", "inside"]  # start ≤ at < end
    assert [u.text for _, u in d.minuted(utterances, [span(1, 10, None)])] == [
        "at start",
        "inside",
        "at end",
    ]


def test_sentences_are_timed_by_words_and_cut_by_the_next():
    s = d.sentences(said(("a", 0, "one two three"), ("b", 500, "four")), [span(1, 0, None)])
    assert [(x.start_ms, x.end_ms) for x in s] == [(0, 500), (500, 900)]  # 400 ms a word
    assert [(w.word, w.start_ms, w.end_ms) for w in s[0].words] == [
        ("one", 0, 166),
        ("two", 166, 332),
        ("three", 332, 498),
    ]
    chinese = d.sentences(said(("a", 0, "需要跟进")), [span(1, 0, 10_000)])
    assert [w.word for w in chinese[0].words] == ["需", "要", "跟", "进"]


def test_paragraphs_by_speaker_turns_and_pauses_chapters_by_long_pauses():
    lines = said(
        ("a", 0, "alpha"),
        ("a", 1_000, "beta"),
        ("a", 20_000, "gamma after a pause"),
        ("b", 21_000, "delta"),
        ("b", 200_000, "epsilon after a long pause"),
    )
    turns = d.paragraphs(d.sentences(lines, [span(1, 0, None)]))
    assert [p.text for p in turns] == [
        "alpha beta",
        "gamma after a pause",
        "delta",
        "epsilon after a long pause",
    ]
    chapters = d.chapters(turns)
    assert [(c.chapter_id, c.start_ms) for c in chapters] == [(1, 0), (2, 200_000)]
    assert chapters[0].summary == "A: alpha A: gamma after a pause B: delta"
    # A new take starts a new chapter, however short the pause.
    two_takes = d.sentences(
        said(("a", 0, "x"), ("a", 1_000, "y")), [span(1, 0, 500), span(2, 600, None)]
    )
    assert [p.take for p in d.paragraphs(two_takes)] == [1, 2]
    assert len(d.chapters(d.paragraphs(two_takes))) == 2


def test_keywords_actions_questions():
    lines = said(
        ("a", 0, "The budget and the budget plan"),
        ("b", 1_000, "What about the plan?"),
        ("a", 2_000, "The plan is fine"),
        ("b", 3_000, "I will write the report"),
        ("a", 4_000, "我们需要预算"),
    )
    s = d.sentences(lines, [span(1, 0, None)])
    assert d.keywords(x.text for x in s) == ["plan", "budget", "fine", "write", "report"]
    assert [x.text for x in d.actions(s)] == ["I will write the report", "我们需要预算"]
    ((q, a),) = d.questions(s)
    assert (q.sentence_id, a.sentence_id) == (2, 3)
    assert d.summary_text([]) == "Nothing was said while the minutes ran."
    assert d.summary_text(s).startswith("2 speaker(s) (A, B) said 5 sentence(s)")
