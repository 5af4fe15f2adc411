"""The code's shape stays small: modules, folders and classes a reader can hold in mind.

The limits are the design's (README, "Design"): no module over 400 lines, no
folder over 15 modules, no class over 25 methods counting the project's own
classes it inherits from (records and wire Structs hold fields, not methods).
"""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "dingconf"


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)


def test_no_module_is_over_400_lines():
    long = {
        p.relative_to(SRC).as_posix(): n
        for p in _modules()
        if (n := len(p.read_text().splitlines())) > 400
    }
    assert long == {}


def test_no_folder_holds_more_than_15_modules():
    crowded = {}
    for folder in {p.parent for p in _modules()}:
        count = sum(1 for p in folder.glob("*.py"))
        if count > 15:
            crowded[folder.relative_to(SRC).as_posix()] = count
    assert crowded == {}


def _classes() -> dict[str, tuple[list[str], set[str]]]:
    """Each class of the package by name: its bases' names and its own methods."""
    found: dict[str, tuple[list[str], set[str]]] = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                bases = [b.id if isinstance(b, ast.Name) else ast.unparse(b) for b in node.bases]
                methods = {
                    b.name
                    for b in node.body
                    if isinstance(b, ast.FunctionDef | ast.AsyncFunctionDef)
                }
                found[f"{path.relative_to(SRC).as_posix()}:{node.name}"] = (bases, methods)
    return found


def test_no_class_has_more_than_25_methods_with_what_it_inherits_here():
    classes = _classes()

    def base(name: str, module: str) -> str | None:
        # Names repeat across modules (a Clock in core/ and one in testing/): a
        # class is its module's and name's; a base is its module's, else imported.
        if f"{module}:{name}" in classes:
            return f"{module}:{name}"
        return next((key for key in classes if key.endswith(f":{name}")), None)

    def methods(key: str, seen: frozenset[str] = frozenset()) -> set[str]:
        bases, own = classes[key]
        module = key.split(":")[0]
        found = [b for b in (base(name, module) for name in bases) if b and b not in seen]
        return own.union(*(methods(b, seen | {key}) for b in found))

    big = {key: len(methods(key)) for key in classes}
    assert {key: n for key, n in big.items() if n > 25} == {}


def test_only_tables_modules_and_the_database_run_statements():
    # Rules live in services and records, statements in a feature's tables:
    # a route or a service that ran SQL would mix the two again.
    running = {
        p.relative_to(SRC).as_posix()
        for p in _modules()
        if any(f".{call}(" in p.read_text() for call in ("execute", "fetchone", "fetchall"))
    }
    assert running
    assert {m for m in running if not (m.endswith("tables.py") or m.startswith("db/"))} == set()
