"""The plugin's DingconfServer as a user's test drives it: request() and its grouped helpers."""

from pathlib import Path

import pytest

from dingconf.testing.plugin import DingconfServer
from dingconf.testing.toolkit import ControlHelper

TOKEN_BODY = {"appKey": "acme-app", "appSecret": "acme-secret"}


def methods(cls: type) -> set[str]:
    """Every method and property a class has, its bases' (bar ``object``) included."""
    return {
        name
        for klass in cls.__mro__
        if klass is not object
        for name, value in vars(klass).items()
        if callable(value) or isinstance(value, property | staticmethod | classmethod)
    }


def test_request_takes_the_body_as_json_too(server: DingconfServer):
    status, _, answer = server.request("POST", "/v1.0/oauth2/accessToken", json=TOKEN_BODY)
    assert status == 200, answer
    assert answer["accessToken"]
    status, _, answer = server.request("POST", "/v1.0/oauth2/accessToken", TOKEN_BODY)
    assert status == 200, answer
    with pytest.raises(TypeError, match="not both"):
        server.request("POST", "/v1.0/oauth2/accessToken", TOKEN_BODY, json=TOKEN_BODY)


def test_no_class_of_the_plugin_has_more_than_25_methods(tmp_path: Path):
    assert len(methods(DingconfServer)) <= 25, sorted(methods(DingconfServer))
    server = DingconfServer(tmp_path)  # not started: only its shape is looked at
    helpers = [h for h in vars(server).values() if isinstance(h, ControlHelper)]
    names = {type(h).__name__ for h in helpers}
    assert names == {"Clock", "Participants", "Events", "State", "Journal", "Faults"}
    for helper in helpers:
        assert len(methods(type(helper))) <= 25, (type(helper).__name__, methods(type(helper)))
