"""The JSON types DingTalk's transcript replies carry, shared by the recording
and minutes tests (both answer sentences and words of the same shape)."""

from typing import Any

SENTENCE_TYPES = {
    "unionId": str,
    "sentence": str,
    "startTime": int,
    "endTime": int,
    "wordList": list,
}
WORD_TYPES = {"wordId": str, "word": str, "startTime": int, "endTime": int}


def json_types(value: dict[str, Any]) -> dict[str, type]:
    """Each key of a decoded JSON object with the Python type of its value."""
    return {k: type(v) for k, v in value.items()}


def assert_sentence_types(paragraph: dict[str, Any]) -> None:
    """The paragraph's first sentence and its first word have exactly DingTalk's keys and
    JSON types."""
    sentence = paragraph["sentenceList"][0]
    assert json_types(sentence) == SENTENCE_TYPES
    assert json_types(sentence["wordList"][0]) == WORD_TYPES
