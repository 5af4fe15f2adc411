"""The error catalogue (dingconf.core.errors) is the only place codes and their statuses are made.

Every factory gives its code at the status its table row names; the table in
the module's docstring and the one in docs/errors.md are the same and list
exactly the catalogue; the docs name each API's parameter code as the route
table declares it; and no module of src/ builds an error of the tree itself,
so a new code cannot bypass the catalogue.
"""

import ast
import re
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest

from dingconf.app import api_operations, build_services, open_store
from dingconf.control.toolkit import Toolkit
from dingconf.core import errors
from dingconf.core.config import Settings
from dingconf.core.errors import DingError, ErrorCode
from dingconf.http.errors import InjectedError, error_body, status_of

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "dingconf"
DOC = ROOT / "docs" / "errors.md"
_ROW = re.compile(r"^\| `([^`]+)` \| (\d{3}) \| ([^|]+) \| ([^|]+) \|$", re.MULTILINE)
# Factories that take something other than a message, with an example argument.
_SPECIAL: dict[str, tuple[Callable[..., DingError], object]] = {
    "Missing<name>": (errors.missing_parameter, "roomCode"),
    "Forbidden.AccessDenied.AccessTokenPermissionDenied": (
        errors.scope_denied,
        ["qyapi_conference_read"],
    ),
}


def table(text: str) -> list[tuple[str, int, str, str]]:
    """The rows of the code table in ``text``: code, status, meaning, operations."""
    return [(c, int(s), m.strip(), o.strip()) for c, s, m, o in _ROW.findall(text)]


def catalogue() -> dict[str, ErrorCode[DingError]]:
    """Every public code of the catalogue, by factory name."""
    return {
        name: value
        for name, value in vars(errors).items()
        if isinstance(value, ErrorCode) and not name.startswith("_")
    }


def made() -> list[DingError]:
    """One error from every factory of the catalogue."""
    made = [code() for code in catalogue().values()]
    made += [factory(argument) for factory, argument in _SPECIAL.values()]
    return made


def test_every_factory_makes_its_own_code_at_its_tables_status():
    rows = {(code, status) for code, status, _, _ in table(errors.__doc__ or "")}
    seen = set()
    for error in made():
        code = "Missing<name>" if error.code == "MissingroomCode" else error.code
        assert (code, status_of(error)) in rows, f"{error.code} ({status_of(error)}) has no row"
        seen.add((code, status_of(error)))
        body = msgspec.json.decode(error_body(error, "REQ"))
        assert (body["code"], body["message"], body["requestid"]) == (
            error.code,
            error.message,
            "REQ",
        )
    assert seen == rows, f"rows without a factory: {sorted(rows - seen)}"


def test_the_table_names_each_code_and_status_once():
    rows = [(code, status) for code, status, _, _ in table(errors.__doc__ or "")]
    assert len(rows) == len(set(rows)) == len(catalogue()) + len(_SPECIAL)


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_a_factory_says_its_default_or_the_given_message(name):
    code = catalogue()[name]
    default = code()
    assert type(default) is code.kind
    assert (default.code, default.status) == (code.code, code.status)
    assert default.message == (code.message or code.code)
    assert code("error:a detail").message == "error:a detail"


def test_the_statuses_are_dingtalks():
    assert status_of(errors.room_not_found()) == 404
    assert status_of(errors.params_error("error:x")) == 400
    assert status_of(errors.missing_access_token()) == 400
    assert status_of(errors.no_permission()) == 403
    assert status_of(errors.request_entity_too_large("x")) == 413
    assert status_of(errors.system_error()) == 500
    assert status_of(errors.close_permission_error()) == 404
    assert status_of(errors.permission_error("x")) == 400
    assert status_of(InjectedError(429, "Throttling", "slow down")) == 429


def test_a_scope_error_carries_the_scopes_for_its_detail():
    body = msgspec.json.decode(error_body(errors.scope_denied(["a", "b"]), "REQ"))
    assert body["accessdenieddetail"] == {"requiredScopes": ["a", "b"]}


def test_only_parameter_codes_may_be_named_by_an_api():
    for code in ("paramError", "paramsError", "InvalidParameter", "invalidState"):
        assert errors.bad_parameter(code, "error:x").code == code
    with pytest.raises(KeyError):
        errors.bad_parameter("roomNotFound", "error:x")


def _tree_classes() -> set[str]:
    classes = {name for name, value in vars(errors).items() if _is_error_class(value)}
    return classes | {"InjectedError"}


def _is_error_class(value: object) -> bool:
    return isinstance(value, type) and issubclass(value, DingError)


def built_outside_the_catalogue(root: Path) -> list[str]:
    """Each place under ``root`` that builds an error of the tree directly.

    A fault rule's error (InjectedError) carries the code a test asked for,
    never a literal one, and is the one exception.
    """
    classes = _tree_classes()
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.relative_to(root) == Path("core/errors.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in classes:
                continue
            literal = any(isinstance(a, ast.Constant | ast.JoinedStr) for a in node.args[1:2])
            if name == "InjectedError" and not literal:
                continue
            found.append(f"{path.relative_to(root)}:{node.lineno} {name}")
    return found


def test_no_module_builds_an_error_but_through_the_catalogue():
    assert built_outside_the_catalogue(SRC) == []


def test_the_scan_sees_a_literal_code(tmp_path):
    (tmp_path / "rogue.py").write_text(
        "from dingconf.core.errors import NotFound\n"
        "def f():\n"
        "    raise NotFound('roomNotFound', 'ROOM NOT FOUND')\n"
        "def g(rule):\n"
        "    raise InjectedError(rule.status, rule.code, rule.message)\n"
        "def h(rule):\n"
        "    raise InjectedError(500, 'systemError', rule.message)\n"
    )
    assert built_outside_the_catalogue(tmp_path) == [
        "rogue.py:3 NotFound",
        "rogue.py:7 InjectedError",
    ]


def test_the_docs_table_is_the_catalogues():
    documented = table(DOC.read_text(encoding="utf-8"))
    assert documented
    assert documented == table(errors.__doc__ or "")


def parameter_codes() -> str:
    """docs/errors.md's list of each DingTalk API's code for a malformed value."""
    settings = Settings()
    services = build_services(settings, open_store(settings.database))
    by_code: dict[str, set[str]] = {}
    for operation in api_operations(services, Toolkit.of(settings, services.clock.now_ms)):
        if operation.path.startswith("/v1.0/"):
            by_code.setdefault(operation.param_error, set()).add(operation.action)
    return "".join(
        f"- `{code}`: {', '.join(sorted(actions))}\n" for code, actions in sorted(by_code.items())
    )


def test_the_docs_list_each_apis_parameter_code():
    assert parameter_codes() in DOC.read_text(encoding="utf-8")
