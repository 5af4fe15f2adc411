"""Typos are refused, naming the closest valid value: seed keys, scopes, fault
rules' actions and control-API joins."""

from pathlib import Path

import yaml

from dingconf.testing.plugin import DingconfServer
from test_cli import dingconf_fails

READ = "VideoConference.Conference.Read"


def test_an_unknown_seed_key_names_the_closest(tmp_path: Path):
    seed = tmp_path / "seed.yaml"
    seed.write_text(yaml.safe_dump({"orgs": [{"corpId": "dingx", "usres": [{"unionId": "u"}]}]}))
    error = dingconf_fails("seed", str(seed), "--database", f"sqlite:///{tmp_path / 'db'}")
    assert "orgs[0]: unknown key 'usres' (did you mean 'users'?)" in error
    # Anywhere in the document, found before any of it is stored.
    bad_user = {"orgs": [{"corpId": "dingy", "users": [{"unionId": "u", "nik": "N"}]}]}
    seed.write_text(yaml.safe_dump(bad_user))
    error = dingconf_fails("seed", str(seed), "--database", f"sqlite:///{tmp_path / 'db'}")
    assert "orgs[0].users[0]: unknown key 'nik' (did you mean 'nick'?)" in error
    assert "no organisation 'dingy'" in dingconf_fails(
        "users", "add", "dingy", "u", "--database", f"sqlite:///{tmp_path / 'db'}"
    )


def test_an_unknown_scope_names_the_closest(tmp_path: Path):
    database = ("--database", f"sqlite:///{tmp_path / 'db'}")
    seed = tmp_path / "seed.yaml"
    app = {"appKey": "k", "appSecret": "s", "scopes": ["VideoConference.Conference.Raed"]}
    seed.write_text(yaml.safe_dump({"orgs": [{"corpId": "dingx", "apps": [app]}]}))
    error = dingconf_fails("seed", str(seed), *database)
    hint = f"unknown scope 'VideoConference.Conference.Raed' (did you mean '{READ}'?)"
    assert f"orgs[0].apps[0]: {hint}" in error
    error = dingconf_fails(
        "apps", "add", "dingx", "k", "--scope", "VideoConference.Conference.Raed", *database
    )
    assert hint in error
    assert "no app" in dingconf_fails("apps", "reset-secret", "k", *database)  # nothing stored


def test_the_control_api_refuses_an_unknown_scope(server: DingconfServer):
    status, _, body = server.request(
        "POST", "/_dingconf/orgs", {"scopes": ["VideoConference.Conference.Wirte"]}
    )
    assert (status, body["code"]) == (400, "paramError")
    assert "(did you mean 'VideoConference.Conference.Write'?)" in body["message"]


def test_a_fault_rule_for_an_unknown_action_names_the_closest(server: DingconfServer):
    status, _, body = server.request(
        "POST", "/_dingconf/faults", {"action": "QueryConferenceInf", "code": "boom"}
    )
    assert (status, body["code"]) == (400, "paramError")
    assert (
        "unknown action 'QueryConferenceInf' (did you mean 'QueryConferenceInfo'?)"
        in (body["message"])
    )
    assert server.request("GET", "/_dingconf/faults")[2]["faults"] == []


def test_a_join_of_a_unionid_close_to_a_users_is_refused_as_a_typo(server: DingconfServer):
    token = server.token("acme-app", "acme-secret")
    _, _, made = server.request(
        "POST",
        "/v1.0/conference/videoConferences",
        {"userId": "u-host", "confTitle": "typos"},
        {"x-acs-dingtalk-access-token": token},
    )
    cid = made["conferenceId"]
    join = f"/_dingconf/conferences/{cid}/join"
    status, _, body = server.request("POST", join, {"unionId": "u-alcie"})
    assert (status, body["code"]) == (400, "unknownUserError")
    assert "no user 'u-alcie' in dingacme (did you mean 'u-alice'?)" in body["message"]
    status, _, body = server.request(
        "POST", f"/_dingconf/roomCodes/{made['roomCode']}/join", {"unionId": "u-bbo"}
    )
    assert (status, body["code"]) == (400, "unknownUserError")
    inside = {
        p["unionId"]
        for p in server.request("GET", f"/_dingconf/conferences/{cid}/participants")[2][
            "participants"
        ]
    }
    assert not inside & {"u-alcie", "u-bbo"}
    # An outsider says so; one whose id resembles nobody's needs not.
    server.participants.join(cid, "u-alcie", outsider=True)
    server.participants.join(cid, f"guest-{cid}")
    server.participants.join(cid, "u-alcie")  # already in the meeting: no typo
