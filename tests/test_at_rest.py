"""Secrets and tokens never reach the database in plain text."""

from dingconf.testing.plugin import DingconfServer
from over_http import suite_token

from backends import table_rows


def test_database_file_holds_no_plain_secret_or_token(fresh_server: DingconfServer):
    token = fresh_server.token("acme-app", "acme-secret")
    corp_token = suite_token(fresh_server)
    fresh_server.stop()
    if fresh_server.database.startswith("sqlite:///"):
        # The raw bytes of the file and its WAL, not just what SQL shows.
        stored = b"".join(p.read_bytes() for p in fresh_server.workdir.glob("dingconf.sqlite3*"))
    else:
        stored = "\n".join(row for _, row in table_rows(fresh_server.database)).encode()
    assert b"acme-app" in stored  # the database really holds the app
    for plain in ("acme-secret", "suite-secret", "globex-secret", token, corp_token):
        assert plain.encode() not in stored, plain
    assert b"scrypt$" in stored
    assert token not in fresh_server.log() and "acme-secret" not in fresh_server.log()
