"""One OpenAPI 3.1 document for the whole surface, generated from the route table.

Every :class:`~dingconf.http.operations.Operation` (the DingTalk operations and
the control API) becomes an operation of the document: its method and path,
its action as ``operationId`` and ``x-action``, its guard as the security it needs, its body
Struct as the request body and its reply's type as the 200 response. The
reply's type is ``op(returns=...)`` when given, else the return annotation of
the reply function (or of the call, when the call's result is the reply);
schemas come from the msgspec Structs (``msgspec.json.schema_components``), so
the document cannot drift from what the server decodes and encodes.

Query parameters are read by the calls themselves and are not declared, so
the document lists path parameters only.

``GET /openapi.json`` serves the document; ``GET /docs`` a self-contained page
rendering it (no CDN: it must work offline).
"""

import re
import typing
from collections.abc import Sequence
from importlib.metadata import version
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Route

from dingconf.http.operations import Call, Operation, op

__all__ = ["DOCS_PAGE", "docs_routes", "openapi_document", "openapi_routes"]

_PATH_PARAM = re.compile(r"{(\w+)(?::\w+)?}")
_REF = "#/components/schemas/{name}"
_ANY_OBJECT: dict[str, Any] = {"type": "object"}
_SECURITY: dict[str, list[dict[str, list[str]]]] = {
    "token": [{"dingtalkToken": []}],
    # Required when the server has an admin token; a loopback server without one needs none.
    "admin": [{"adminToken": []}, {}],
    "open": [],
}
_ERROR = {
    "type": "object",
    "description": "DingTalk's error body (spec §2.1).",
    "required": ["code", "message", "requestid"],
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "requestid": {"type": "string"},
        "accessdenieddetail": {
            "type": "object",
            "properties": {"requiredScopes": {"type": "array", "items": {"type": "string"}}},
        },
    },
}


def _schema_type(t: Any) -> Any:
    """``t`` if msgspec can describe it, else None."""
    try:
        msgspec.json.schema(t)
    except (TypeError, ValueError):
        return None
    return t


def _reply_type(o: Operation) -> Any:
    """The type of an operation's reply, or None when nothing says it."""
    if o.returns is not None:
        return _schema_type(o.returns)
    target = o.call if o.reply is None else o.reply
    if isinstance(target, type):  # a Struct class built from the call's result
        return _schema_type(target)
    if not callable(target):
        return _schema_type(type(target)) if isinstance(target, msgspec.Struct) else None
    try:
        hints = typing.get_type_hints(target)
    except Exception:  # lambdas and odd annotations say nothing
        return None
    returned = hints.get("return")
    return None if returned is None or returned is type(None) else _schema_type(returned)


def _constant_schema(o: Operation) -> dict[str, Any] | None:
    """A constant mapping reply, described by example."""
    if o.reply is not None and not callable(o.reply) and not isinstance(o.reply, msgspec.Struct):
        return {"type": "object", "example": dict(o.reply)}
    return None


def _tag(path: str) -> str:
    if path.startswith("/v1.0/"):
        return "DingTalk"
    if path.startswith("/app/"):
        return "Join page"
    return "Control" if path.startswith("/_dingconf/") else "Documentation"


def openapi_document(operations: Sequence[Operation]) -> dict[str, Any]:
    """The OpenAPI 3.1 document describing ``operations``."""
    types: list[Any] = []
    for o in operations:
        types += [t for t in (o.body, _reply_type(o)) if t is not None]
    unique = list(dict.fromkeys(types))
    schemas, components = msgspec.json.schema_components(unique, ref_template=_REF)
    schema_of = dict(zip(unique, schemas, strict=True))
    components["Error"] = _ERROR
    paths: dict[str, dict[str, Any]] = {}
    uses: dict[str, int] = {}
    for o in operations:
        path = _PATH_PARAM.sub(r"{\1}", o.path)
        # An action served at two paths (QueryConferenceInfo with an empty id)
        # needs a second, unique operationId; ``x-action`` keeps the action's name.
        uses[o.action] = uses.get(o.action, 0) + 1
        operation_id = o.action if uses[o.action] == 1 else f"{o.action}_{uses[o.action]}"
        reply = _reply_type(o)
        ok_schema = schema_of[reply] if reply is not None else _constant_schema(o) or _ANY_OBJECT
        entry: dict[str, Any] = {
            "operationId": operation_id,
            "x-action": o.action,
            "summary": o.action,
            "tags": [_tag(path)],
            "security": _SECURITY.get(o.guard, []),
            "responses": {
                "200": {
                    "description": "Success.",
                    "content": {"application/json": {"schema": ok_schema}},
                },
                "default": {
                    "description": "A DingTalk error.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
            },
        }
        params = _PATH_PARAM.findall(path)
        if params:
            entry["parameters"] = [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                for name in params
            ]
        if o.body is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": schema_of[o.body]}},
            }
        paths.setdefault(path, {})[o.method.lower()] = entry
    paths["/docs"] = {
        "get": {
            "operationId": "Docs",
            "x-action": "Docs",
            "summary": "This document as a browsable page.",
            "tags": ["Documentation"],
            "security": [],
            "responses": {
                "200": {"description": "An HTML page.", "content": {"text/html": {}}},
            },
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "dingconf",
            "version": version("dingconf"),
            "description": "DingTalk's video-conference open API (conference_1.0) as "
            "dingconf serves it, and dingconf's control API under /_dingconf.",
        },
        "servers": [{"url": "/"}],
        "tags": [
            {"name": "DingTalk", "description": "DingTalk's operations, wire-compatible."},
            {"name": "Control", "description": "The emulator's control API."},
            {"name": "Documentation", "description": "This document."},
        ],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "dingtalkToken": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "x-acs-dingtalk-access-token",
                },
                "adminToken": {"type": "apiKey", "in": "header", "name": "x-dingconf-admin-token"},
            },
        },
    }


async def _unused(_c: Call[None]) -> None:
    return None


def openapi_routes(operations: Sequence[Operation]) -> list[Operation]:
    """``GET /openapi.json``, describing ``operations`` and itself (encoded once)."""
    declared = op("GET /openapi.json", "GetOpenApi", _unused, {}, guard="open")
    document = openapi_document([*operations, declared])
    return [op("GET /openapi.json", "GetOpenApi", _unused, document, guard="open")]


#: The page at ``/docs``: fetches ``/openapi.json`` and lists every operation.
DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>dingconf API</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:70em}
h2{border-bottom:1px solid #ccc}details{margin:.3em 0;padding:.3em;border:1px solid #ddd}
summary{cursor:pointer}code.m{display:inline-block;width:4.5em;font-weight:bold}
.get{color:#1565c0}.post{color:#2e7d32}.put{color:#ef6c00}.delete{color:#c62828}
pre{background:#f6f8fa;padding:.5em;overflow:auto}
</style></head><body>
<h1>dingconf API</h1>
<p>Rendered from <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<div id="ops">Loading…</div>
<script>
const ents = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"};
const esc = s => String(s).replace(/[&<>"']/g, c => ents[c]);
const show = v => "<pre>" + esc(JSON.stringify(v, null, 2)) + "</pre>";
fetch("/openapi.json").then(r => r.json()).then(doc => {
  const byTag = {};
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, o] of Object.entries(methods)) {
      (byTag[o.tags[0]] = byTag[o.tags[0]] || []).push([path, method, o]);
    }
  }
  let html = "";
  for (const [tag, ops] of Object.entries(byTag)) {
    html += "<h2>" + esc(tag) + "</h2>";
    for (const [path, method, o] of ops) {
      html += "<details><summary><code class='m " + method + "'>" + method.toUpperCase() +
        "</code> <code>" + esc(path) + "</code> — " + esc(o.operationId) + "</summary>";
      if (o.parameters) html += "<h4>Path parameters</h4>" + show(o.parameters.map(p => p.name));
      if (o.requestBody) html += "<h4>Request body</h4>" +
        show(o.requestBody.content["application/json"].schema);
      const ok = o.responses["200"].content;
      if (ok["application/json"]) html += "<h4>Response</h4>" + show(ok["application/json"].schema);
      html += "</details>";
    }
  }
  html += "<h2>Schemas</h2>";
  for (const [name, s] of Object.entries(doc.components.schemas)) {
    html += "<details id='" + esc(name) + "'><summary>" + esc(name) + "</summary>" +
      show(s) + "</details>";
  }
  document.getElementById("ops").innerHTML = html;
});
</script></body></html>
"""


async def _docs(_request: Request) -> HTMLResponse:
    return HTMLResponse(DOCS_PAGE)


def docs_routes() -> list[BaseRoute]:
    """``GET /docs``: the browsable page."""
    return [Route("/docs", _docs, methods=["GET"])]
