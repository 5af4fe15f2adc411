"""How an ack frame of each official Stream SDK is read (in-process, no server).

The Node.js run of the whole path is tests/test_node_stream.py; the Go SDK's
two forms are written here as its source writes them (event/event.go:
``{"status":"LATER","message":"later"}``; clientV2/event.go: the number 2).
"""

import json

import pytest

from dingconf.delivery.frames import parse_ack


def ack(code: int, data: object) -> str:
    headers = {"contentType": "application/json", "messageId": "m-1"}
    return json.dumps({"code": code, "headers": headers, "message": "OK", "data": data})


@pytest.mark.parametrize(
    "data",
    [
        json.dumps({"status": "LATER"}),  # Node.js: JSON.stringify({status: "LATER"})
        json.dumps({"status": "LATER", "message": "later"}),  # Go: NewLaterResponse()
        json.dumps({"status": 2, "message": ""}),  # Go clientV2: LAGER = 2
        {"status": "LATER"},  # data as an object rather than a JSON string
    ],
)
def test_a_200_ack_whose_data_says_later_asks_for_the_event_again(data: object) -> None:
    read = parse_ack(ack(200, data))
    assert read is not None
    assert (read.message_id, read.code, read.later) == ("m-1", 200, True)


@pytest.mark.parametrize(
    "data",
    [
        json.dumps({"status": "SUCCESS"}),  # Node.js
        json.dumps({"status": "SUCCESS", "message": "success"}),  # Go
        json.dumps({"status": 1, "message": ""}),  # Go clientV2: SUCCESS = 1
        # The Python SDK echoes the event's data; a status inside it is the meeting's.
        json.dumps({"openConfModel": {"status": 2}, "changeScene": "conference_created"}),
        json.dumps({"status": True}),
        "not json",
        "",
        None,
    ],
)
def test_a_200_ack_without_later_is_processed(data: object) -> None:
    read = parse_ack(ack(200, data))
    assert read is not None
    assert (read.code, read.later) == (200, False)


def test_the_python_sdks_failure_code_stays_a_failure() -> None:
    read = parse_ack(ack(500, json.dumps({"changeScene": "user_join"})))
    assert read is not None
    assert (read.code, read.later) == (500, False)
