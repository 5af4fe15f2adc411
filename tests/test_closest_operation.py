"""A DingTalk call that matches no operation: DingTalk's JSON 404 on the wire, and in
the request journal the closest operation (a wrong method: the right one; a typo:
the nearest path)."""

from pathlib import Path
from typing import Any

import pytest

from in_process import InProcessApp, run

_ONE = "/v1.0/conference/videoConferences/6323d7568777190142ab9d10"
_NOT_FOUND = {
    "code": "InvalidAction.NotFound",
    "message": "Specified api is not found, please check your url and method.",
}


def _journaled(tmp_path: Path, method: str, target: str) -> tuple[int, Any, dict[str, Any]]:
    """The reply to one call, and the journal's entry for it."""

    async def go() -> tuple[int, Any, dict[str, Any]]:
        async with InProcessApp(f"sqlite:///{tmp_path / 'db'}") as app:
            status, body = await app.call(method, target, {"x": 1})
            _, journal = await app.call("GET", "/_dingconf/journal")
            return status, body, journal["requests"][0]

    return run(go())


@pytest.mark.parametrize(
    ("method", "target", "closest"),
    [
        # A wrong method on a real path: the method that path has.
        ("PATCH", _ONE, ("GET", "/v1.0/conference/videoConferences/{conferenceId}")),
        (
            "GET",
            f"{_ONE}/users/invite",
            ("POST", "/v1.0/conference/videoConferences/{conferenceId}/users/invite"),
        ),
        ("GET", "/v1.0/oauth2/accessToken", ("POST", "/v1.0/oauth2/accessToken")),
        # A typo in the path: the nearest operation's.
        (
            "POST",
            f"{_ONE}/member/kick",
            ("POST", "/v1.0/conference/videoConferences/{conferenceId}/members/kick"),
        ),
        ("POST", "/v1.0/oauth2/accesToken", ("POST", "/v1.0/oauth2/accessToken")),
        (
            "POST",
            "/v1.0/conference/videoConference",
            ("POST", "/v1.0/conference/videoConferences"),
        ),
    ],
)
def test_a_call_matching_no_operation_is_journaled_with_the_closest(
    tmp_path: Path, method: str, target: str, closest: tuple[str, str]
):
    status, body, entry = _journaled(tmp_path, method, target)
    # The wire answer is DingTalk's, unchanged.
    assert status == 404
    assert {k: body[k] for k in ("code", "message")} == _NOT_FOUND
    assert entry["method"] == method and entry["status"] == 404
    assert entry["closest"] == {"method": closest[0], "path": closest[1]}


def test_nothing_close_is_null_and_a_matched_call_has_none(tmp_path: Path):
    _, _, far = _journaled(tmp_path, "GET", "/v1.0/zzzzzzzz")
    assert far["closest"] is None
    _, _, matched = _journaled(tmp_path, "GET", _ONE)
    assert matched["action"] == "QueryConferenceInfo"
    assert matched["closest"] is None
