"""Secrets and tokens never reach the database file in plain text."""

from dingconf.pytest_plugin import DingconfServer


def test_database_file_holds_no_plain_secret_or_token(fresh_server: DingconfServer):
    token = fresh_server.token("acme-app", "acme-secret")
    status, _, corp = fresh_server.request(
        "POST",
        "/v1.0/oauth2/corpAccessToken",
        {
            "suiteKey": "suite-x",
            "suiteSecret": "suite-secret",
            "authCorpId": "dingacme",
            "suiteTicket": "t",
        },
    )
    assert status == 200
    fresh_server.stop()  # flush the WAL into the main file
    raw = b"".join(p.read_bytes() for p in fresh_server.workdir.glob("dingconf.sqlite3*"))
    assert b"acme-app" in raw  # the file really holds the app
    for plain in ("acme-secret", "suite-secret", "globex-secret", token, corp["accessToken"]):
        assert plain.encode() not in raw, plain
    assert b"scrypt$" in raw
    assert token not in fresh_server.log() and "acme-secret" not in fresh_server.log()
