"""The pytest plugin in a real pytest session (pytester, a subprocess each):
pass, fail, the failure text, options, bad input; the measured figures
against NumPy's own nbytes."""
import json
import xml.etree.ElementTree as ET

PLUGIN = ("-p", "arrdbg.pytest_plugin")

TESTS = '''import json, os
import numpy as np
import pytest

CACHE = []

def _note(name, n):
    with open(os.path.join(os.path.dirname(__file__), name + ".nbytes"), "w") as f:
        f.write(str(n))

def test_small():
    a = np.zeros(1000)
    _note("test_small", a.nbytes)

@pytest.mark.arrdbg(peak="64 MB", copies=2, pinned=0)
def test_within():
    a = np.zeros((500, 1000))
    b = a.T.copy()
    c = np.ascontiguousarray(a.T)
    _note("test_within", a.nbytes + b.nbytes + c.nbytes)

@pytest.mark.arrdbg(peak="1 MB")
def test_peak():
    a = np.zeros((1000, 1000))  # @big
    b = a + a                   # @plus
    _note("test_peak", a.nbytes + b.nbytes)

@pytest.mark.arrdbg(copies=0)
def test_copy():
    a = np.zeros((100, 100))
    b = a.T.copy()              # @copy

@pytest.mark.arrdbg(pinned=0)
def test_pin():
    a = np.zeros((1000, 1000))  # @pinbase
    CACHE.append(a[0, :10])     # @pin
'''


def _line(marker):
    """The line of TESTS (as test_mem.py) that carries # @marker."""
    return next(n for n, ln in enumerate(TESTS.splitlines(), 1) if ln.endswith("# @" + marker))


def _props(pytester):
    """{test name: the block report} from the junit XML's properties."""
    out = {}
    for tc in ET.parse(pytester.path / "junit.xml").getroot().iter("testcase"):
        for p in tc.iter("property"):
            if p.get("name") == "arrdbg":
                out[tc.get("name")] = json.loads(p.get("value"))
    return out


def test_pass_fail_and_failure_text(pytester, validate):
    pytester.makepyfile(test_mem=TESTS)
    r = pytester.runpytest_subprocess(*PLUGIN, "--arrdbg", "--junitxml=junit.xml")
    r.assert_outcomes(passed=2, failed=3)
    out = r.stdout.str()
    # the failure text is the block's report: the limit, the line, its code
    r.stdout.fnmatch_lines([
        "*test_mem.py::test_peak exceeded its NumPy memory limits: peak 16,000,000 bytes (16.0 MB) "
        "> limit 1,000,000 (1.0 MB)",
        f"*8,000,000*test_mem.py:{_line('big')} *zeros*a = np.zeros((1000, 1000))*",
        f"*8,000,000*test_mem.py:{_line('plus')} *arithmetic*b = a + a*",
    ])
    r.stdout.fnmatch_lines(["*test_copy exceeded*copies 1 (80.0 kB) > limit 0*",
                            "*copies by op: copy 1 (80.0 kB)*"])
    r.stdout.fnmatch_lines(["*test_pin exceeded*pinned bases 1 > limit 0*",
                            f"*pinned: a 80 B view made at line {_line('pin')} (test_mem.py:{_line('pin')}), "
                            f"held by *, keeps alive a 8.0 MB base made at line {_line('pinbase')}*"])
    # the per-test lines, largest peak first, and the summary table
    sec = out[out.index("arrdbg: NumPy data memory per test"):]
    order = [ln.split("::")[1].split(":")[0] for ln in sec.splitlines() if "test_mem.py::" in ln and ": peak " in ln]
    assert order == ["test_peak", "test_within", "test_pin", "test_copy", "test_small"], order
    assert "tests     largest peak" in sec and "16,000,000" in sec
    # the figures against what NumPy says the arrays weigh (nbytes)
    props = _props(pytester)
    assert set(props) == {"test_small", "test_within", "test_peak", "test_copy", "test_pin"}
    for name in ("test_small", "test_within", "test_peak"):
        want = int((pytester.path / f"{name}.nbytes").read_text())
        assert props[name]["window"]["peak"] == want, (name, props[name]["window"], want)
    assert props["test_within"]["window"]["copies"] == 2
    assert props["test_copy"]["window"]["copies"] == 1
    assert props["test_pin"]["window"]["pinned"] == 1
    for rep in props.values():
        validate(rep)


def test_command_line_defaults_and_marker_wins(pytester):
    pytester.makepyfile(test_d='''
import numpy as np, pytest
def test_default():
    np.zeros(200_000)
@pytest.mark.arrdbg(peak="2 MB")
def test_marker_allows_more():
    np.zeros(200_000)
''')
    r = pytester.runpytest_subprocess(*PLUGIN, "--arrdbg-peak=1 MiB")
    r.assert_outcomes(passed=1, failed=1)
    r.stdout.fnmatch_lines(["*test_default exceeded*peak 1,600,000 bytes (1.6 MB) > limit 1,048,576*"])
    r = pytester.runpytest_subprocess(*PLUGIN, "--arrdbg-peak=1.7 MB")
    r.assert_outcomes(passed=2)


def test_unmeasured_session_installs_nothing(pytester):
    pytester.makepyfile(test_n='''
import numpy as np
def test_handler():
    np.ones(10)
    assert np.core.multiarray.get_handler_name() == "default_allocator"
''')
    pytester.runpytest_subprocess(*PLUGIN).assert_outcomes(passed=1)


def test_bad_sizes_are_one_line_errors(pytester):
    pytester.makepyfile(test_b='''
import pytest
@pytest.mark.arrdbg(peak="12 parsecs")
def test_bad_marker():
    pass
@pytest.mark.arrdbg(peek="1 MB")
def test_misspelt():
    pass
@pytest.mark.arrdbg("1 MB")
def test_positional():
    pass
''')
    r = pytester.runpytest_subprocess(*PLUGIN)
    r.assert_outcomes(failed=3)
    r.stdout.fnmatch_lines(["arrdbg: bad size '12 parsecs': expected bytes or a number and a unit*",
                            "arrdbg: @pytest.mark.arrdbg: unknown limit 'peek'*",
                            "arrdbg: @pytest.mark.arrdbg takes keywords only*"])
    assert "Traceback" not in r.stdout.str()
    for opt in ("--arrdbg-peak=-5", "--arrdbg-peak=1 XB", "--arrdbg-copies=two", "--arrdbg-pinned=-1"):
        r = pytester.runpytest_subprocess(*PLUGIN, opt)
        assert r.ret == 4, (opt, r.ret)  # pytest's usage error
        err = r.stderr.str()
        assert "arrdbg: --arrdbg-* option: bad" in err and "Traceback" not in err, err


def _entry_points(pytester):
    """The pytest11 entry points of pyproject.toml, as pip installs them: a
    dist-info in the session's directory (on sys.path as python -m pytest's
    cwd), so pytest loads the plugin from its entry point as when installed."""
    import os
    import tomllib
    from conftest import ROOT
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        eps = tomllib.load(f)["project"]["entry-points"]["pytest11"]
    d = pytester.path / "arrdbg-0.dist-info"
    d.mkdir()
    (d / "METADATA").write_text("Metadata-Version: 2.1\nName: arrdbg\nVersion: 0\n")
    (d / "entry_points.txt").write_text(
        "[pytest11]\n" + "".join(f"{k} = {v}\n" for k, v in eps.items()))
    return eps


def test_entry_point_and_dash_p_together(pytester):
    """Installed (entry point) and -p arrdbg.pytest_plugin at once: one plugin,
    no "Plugin already registered"; -p no:NAME with the name -p takes turns
    the installed one off."""
    eps = _entry_points(pytester)
    assert list(eps.values()) == ["arrdbg.pytest_plugin"], eps
    pytester.makepyfile(test_e='''
import numpy as np, pytest
@pytest.mark.arrdbg(copies=0)
def test_copy():
    np.ones(9).copy()
''')
    for args in ((), PLUGIN, PLUGIN + PLUGIN):
        r = pytester.runpytest_subprocess(*args, "--arrdbg")
        out = r.stdout.str() + r.stderr.str()
        assert "already registered" not in out and "Traceback" not in out, (args, out)
        r.assert_outcomes(failed=1)
        assert out.count("test_copy exceeded its NumPy memory limits: copies 1") == 1, (args, out)
        assert out.count("arrdbg: NumPy data memory per test") == 1, (args, out)
    r = pytester.runpytest_subprocess("-p", "no:arrdbg.pytest_plugin", "--arrdbg")
    assert r.ret == 4 and "unrecognized arguments: --arrdbg" in r.stderr.str(), r.stderr.str()
    r = pytester.runpytest_subprocess("-p", "no:arrdbg.pytest_plugin")
    r.assert_outcomes(passed=1)  # the marker is unknown to pytest then, nothing measured
