"""The OpenAPI 3.1 document at /openapi.json and the page at /docs."""

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from dingconf.app import api_routes, build_services, open_store
from dingconf.core.config import Settings
from dingconf.testing.plugin import DingconfServer


@pytest.fixture(scope="module")
def document(server: DingconfServer) -> dict[str, Any]:
    with httpx.Client(base_url=server.url) as client:
        reply = client.get("/openapi.json")  # open: no token of any kind
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/json;charset=utf-8"
    doc: dict[str, Any] = reply.json()
    return doc


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """A validator of ``schema`` whose ``#/components/...`` references resolve in ``document``."""
    return Draft202012Validator({**schema, "components": document["components"]})


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema


def test_every_route_of_the_table_is_in_it(document, tmp_path: Path):
    settings = Settings(database=f"sqlite:///{tmp_path / 'unused.sqlite3'}")
    routes = api_routes(settings, build_services(settings, open_store(settings.database)))
    described = {
        (method.upper(), path, entry["x-action"])
        for path, methods in document["paths"].items()
        for method, entry in methods.items()
    }
    table = {(r.method, r.path, r.action) for r in routes}
    assert table <= described
    assert described - table == {("GET", "/docs", "Docs")}
    assert len(table) >= 59  # every DingTalk operation served, the control API, the document
    ids = [e["operationId"] for methods in document["paths"].values() for e in methods.values()]
    assert len(ids) == len(set(ids))


def test_operations_carry_their_schemas_and_security(document):
    schemas = document["components"]["schemas"]
    create = document["paths"]["/v1.0/conference/videoConferences"]["post"]
    assert create["operationId"] == "CreateVideoConference"
    assert create["security"] == [{"dingtalkToken": []}]
    body = create["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/CreateVideoConferenceBody"}
    assert set(schemas["CreateVideoConferenceBody"]["required"]) == {"userId", "confTitle"}
    query = document["paths"]["/v1.0/conference/videoConferences/{conferenceId}"]["get"]
    assert query["parameters"] == [
        {"name": "conferenceId", "in": "path", "required": True, "schema": {"type": "string"}}
    ]
    ok = query["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/ConfInfoReply"}
    assert query["responses"]["default"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    faults = document["paths"]["/_dingconf/faults"]
    assert faults["post"]["security"] == [{"adminToken": []}, {}]
    assert faults["post"]["tags"] == ["Control"]
    assert "FaultBody" in schemas and "JournalReply" in schemas
    assert document["paths"]["/openapi.json"]["get"]["security"] == []
    # Every DingTalk operation's success is described by a schema, not left open.
    for path, methods in document["paths"].items():
        if path.startswith("/v1.0/"):
            for entry in methods.values():
                schema = entry["responses"]["200"]["content"]["application/json"]["schema"]
                assert schema != {"type": "object"}, entry["operationId"]


def test_real_replies_validate_against_the_document(document, server, http, token, create_meeting):
    created = create_meeting("Described")
    info = http.get(
        f"/v1.0/conference/videoConferences/{created.conference_id}",
        headers={"x-acs-dingtalk-access-token": token},
    )
    schema = document["paths"]["/v1.0/conference/videoConferences/{conferenceId}"]["get"]
    ok = schema["responses"]["200"]["content"]["application/json"]["schema"]
    _validator(document, ok).validate(info.json())
    wrong = dict(info.json(), confInfo={"conferenceId": 42})
    assert not _validator(document, ok).is_valid(wrong)
    error = http.get(
        f"/v1.0/conference/videoConferences/{'f' * 24}",
        headers={"x-acs-dingtalk-access-token": token},
    )
    _validator(document, {"$ref": "#/components/schemas/Error"}).validate(error.json())
    _, _, journal = server.request("GET", "/_dingconf/journal?limit=1")
    reply = document["paths"]["/_dingconf/journal"]["get"]["responses"]["200"]
    _validator(document, reply["content"]["application/json"]["schema"]).validate(journal)


def test_the_docs_page_renders_the_document_offline(server):
    with httpx.Client(base_url=server.url) as client:
        page = client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'fetch("/openapi.json")' in page.text
    # Self-contained: no script, style or font fetched from anywhere else.
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page.text)
    assert "://" not in page.text
