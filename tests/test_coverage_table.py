"""``docs/coverage.md`` is what ``scripts/coverage.py`` generates now."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "coverage.py"


def _script():
    spec = importlib.util.spec_from_file_location("coverage_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_coverage_table_is_current():
    script = _script()
    assert script.OUTPUT.read_text(encoding="utf-8") == script.render(), (
        "docs/coverage.md is stale: run `.venv/bin/python scripts/coverage.py`"
    )


def test_every_sdk_operation_is_listed_once_and_every_route_exists_in_the_sdk():
    script = _script()
    operations = script.sdk_operations()
    assert len(operations) == len({a for a, _, _ in operations}) == 52
    # The trailing-slash alias of QueryConferenceInfo only answers missingRoomId.
    served = {
        op
        for op in script.implemented()
        if op[2].startswith("/v1.0/conference/") and not op[2].endswith("/")
    }
    # A route under /v1.0/conference that the SDK does not know would be a typo.
    assert served - set(operations) == set()
    assert {a for a, _, _ in served} >= {"QueryConferenceInfo", "CreateScheduleConference"}
