"""Shared by tests/pyux: the report schema check every test applies to the
reports it makes, and the paths of the tree (run by tests/pyux/pyux.mk with
PYTHONPATH=build/python)."""
import json
import os

import jsonschema
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("ARRDBG_BUILD", os.path.join(ROOT, "build"))
PYTHON = os.environ.get("ARRDBG_PYTHON", "/usr/bin/python3")

pytest_plugins = ["pytester"]


def _validator():
    import arrdbg
    schema = arrdbg.schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="session")
def validate():
    """validate(report dict or JSON text): fails the test on a report the
    schema does not describe."""
    v = _validator()

    def check(rep):
        if isinstance(rep, (str, bytes)):
            rep = json.loads(rep)
        errors = sorted(v.iter_errors(rep), key=lambda e: list(e.path))
        assert not errors, "report does not match report.schema.json: " + "; ".join(
            f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5])
        return rep
    return check
