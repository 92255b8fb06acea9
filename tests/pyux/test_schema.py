"""report.schema.json: a valid JSON Schema whose version is the one reports
carry; the samples' reports validate, and reports with a field removed or
of the wrong type do not (the schema is not a blank cheque)."""
import copy
import glob
import json
import os
import subprocess

import jsonschema
import pytest

import arrdbg
from conftest import PYTHON, ROOT


def test_version_agrees():
    s = arrdbg.schema()
    jsonschema.Draft202012Validator.check_schema(s)
    assert s["properties"]["schema_version"]["const"] == arrdbg.SCHEMA_VERSION


@pytest.fixture(scope="module")
def sample_reports(tmp_path_factory):
    out = []
    tmp = tmp_path_factory.mktemp("samples")
    for path in ("np_memory_intensive.py", "np_views_and_copies.py", "np_cache_grows.py"):
        js = tmp / (path + ".json")
        p = subprocess.run([PYTHON, "-m", "arrdbg", "run", "-q", "--json", str(js),
                            os.path.join(ROOT, "samples", path)], cwd=tmp, timeout=120,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert p.returncode == 0, p.stderr
        out.append(json.loads(js.read_text()))
    return out


def test_samples_validate(sample_reports, validate):
    assert glob.glob(os.path.join(ROOT, "samples", "np_*.py"))
    for rep in sample_reports:
        assert rep["schema_version"] == arrdbg.SCHEMA_VERSION
        validate(rep)


@pytest.mark.parametrize("breakage", [
    lambda r: r.pop("totals"),
    lambda r: r.__setitem__("schema_version", 99),
    lambda r: r["totals"].__setitem__("peak_bytes", -1),
    lambda r: r["lines"][0].pop("file"),
    lambda r: r["lines"][0].__setitem__("allocated", "12"),
    lambda r: r["peak"]["live"][0].__setitem__("shape", "(2000, 2000)"),
    lambda r: r["ops"][0].__setitem__("kind", "mystery"),
    lambda r: r["pins_at_exit"][0].__setitem__("views", []),
    lambda r: r.__setitem__("timeline", [[0.0, 1]]),
])
def test_broken_reports_do_not_validate(sample_reports, breakage):
    rep = copy.deepcopy(sample_reports[0])  # np_memory_intensive: a pin, a peak, lines
    breakage(rep)
    v = jsonschema.Draft202012Validator(arrdbg.schema())
    assert list(v.iter_errors(rep)), "the schema accepted a broken report"
