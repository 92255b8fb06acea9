"""pytest plugin: NumPy data memory per test, and limits that fail a test.

    pytest --arrdbg                         # per-test peak, copies, pins + a summary
    pytest --arrdbg-peak="64 MB"            # default limits for every test
           --arrdbg-copies=0 --arrdbg-pinned=0

    @pytest.mark.arrdbg(peak="64 MB", copies=0, pinned=0)   # each optional
    def test_pipeline(): ...

Registered as the pytest11 entry point "arrdbg.pytest_plugin" when installed
(pip install .), the module's own name: from a checkout, pytest -p
arrdbg.pytest_plugin; installed, the same -p is harmless and -p
no:arrdbg.pytest_plugin turns it off.  Only the call phase of
a test is measured (not its fixtures), with arrdbg's NumPy handler
(installed at the first measured test; a session with neither an option nor
a marked test installs nothing).  A test over a limit fails with the block's
report as its failure text; the measured figures are also in each test
report's user_properties ("arrdbg", the block's JSON report), which
--junitxml writes out.  What peak, copies and pinned mean: arrdbg/_window.py.
"""
import json

import pytest

from . import _limits

_KEY = "_arrdbg_state"


def pytest_addoption(parser):
    g = parser.getgroup("arrdbg", "arrdbg: NumPy data memory per test")
    g.addoption("--arrdbg", action="store_true", default=False,
                help="measure every test's NumPy peak, copies and pinned bases; print them "
                     "and a summary at the end")
    g.addoption("--arrdbg-peak", metavar="SIZE", default=None,
                help="fail a test whose NumPy peak (above what was live when it started) "
                     "exceeds SIZE ('64 MB', '1.5 GiB', bytes); a marker's own limit wins")
    g.addoption("--arrdbg-copies", metavar="N", default=None,
                help="fail a test that makes more than N copies")
    g.addoption("--arrdbg-pinned", metavar="N", default=None,
                help="fail a test that leaves more than N bases pinned by views")


class _State:
    def __init__(self, config):
        self.all = config.getoption("--arrdbg")
        try:
            self.defaults = _limits.parse_limits(config.getoption("--arrdbg-peak"),
                                                 config.getoption("--arrdbg-copies"),
                                                 config.getoption("--arrdbg-pinned"))
        except ValueError as e:
            raise pytest.UsageError(f"arrdbg: --arrdbg-* option: {e}") from None
        self.results = {}  # nodeid -> block report
        self.pending = {}  # nodeid -> (report, [over-limit lines]) or error text


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "arrdbg(peak=None, copies=None, pinned=None): fail the test when its NumPy "
                   "peak (a size: '64 MB', '1.5 GiB', bytes), its copies or the bases it leaves "
                   "pinned exceed the limits given")
    setattr(config, _KEY, _State(config))


def _marker_limits(item):
    """The limits of the test's arrdbg markers (the closest wins), or None."""
    marks = list(item.iter_markers(name="arrdbg"))
    if not marks:
        return None
    merged = {}
    for m in reversed(marks):  # farthest first: the closest overrides
        if m.args:
            raise ValueError(f"@pytest.mark.arrdbg takes keywords only "
                             f"({', '.join(_limits.LIMIT_NAMES)}), not {m.args!r}")
        bad = sorted(set(m.kwargs) - set(_limits.LIMIT_NAMES))
        if bad:
            raise ValueError(f"@pytest.mark.arrdbg: unknown limit {bad[0]!r} "
                             f"(the limits are {', '.join(_limits.LIMIT_NAMES)})")
        merged.update(m.kwargs)
    return _limits.parse_limits(**merged)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    st = getattr(item.config, _KEY)
    try:
        marked = _marker_limits(item)
    except ValueError as e:
        st.pending[item.nodeid] = f"arrdbg: {e}"
        yield
        return
    if marked is None and not st.all and not st.defaults:
        yield
        return
    limits = dict(st.defaults, **(marked or {}))
    from . import _window
    try:
        w = _window.Window(item.nodeid, phase=False).start()
    except Exception as e:  # NumPy too old, no extension: say so, once per test
        st.pending[item.nodeid] = f"arrdbg: cannot measure: {e}"
        yield
        return
    try:
        yield
    finally:
        rep = w.stop()
    st.results[item.nodeid] = rep
    item.user_properties.append(("arrdbg", json.dumps(rep)))
    st.pending[item.nodeid] = (rep, _window.over_limits(rep, limits))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if call.when != "call":
        return
    st = getattr(item.config, _KEY)
    got = st.pending.pop(item.nodeid, None)
    if got is None:
        return
    report = outcome.get_result()
    if isinstance(got, str):  # a bad marker or no handler: the test fails with that line
        if report.passed:
            report.outcome = "failed"
            report.longrepr = got
        return
    rep, over = got
    if over and report.passed:
        report.outcome = "failed"
        from . import _window
        report.longrepr = (f"arrdbg: {item.nodeid} exceeded its NumPy memory limits: "
                           + "; ".join(over) + "\n" + _window.text(rep))


def pytest_terminal_summary(terminalreporter, config):
    st = getattr(config, _KEY, None)
    if st is None or not st.all or not st.results:
        return
    from . import _window
    from ._text import pin_message
    tr = terminalreporter
    tr.section("arrdbg: NumPy data memory per test (largest peak first)")
    rows = sorted(st.results.items(), key=lambda kv: (-kv[1]["window"]["peak"], kv[0]))
    for nodeid, rep in rows:
        tr.write_line(f"{nodeid}: {_window.summary_line(rep)}")
        top = max(rep["lines"], key=lambda e: e["allocated"], default=None)
        if top is not None and top["allocated"]:
            tr.write_line(f"    largest line: {_window._loc(top['file'], top['line'])} "
                          f"{top['allocated']:,} bytes in {top['arrays']:,} arrays  {top['code'][:60]}")
        for p in rep["pins_at_exit"]:
            tr.write_line("    pinned: " + pin_message(p))
    w = [r["window"] for _, r in rows]
    tr.write_line("")
    tr.write_line(f"{'tests':>7} {'largest peak':>16} {'total copies':>13} {'copy bytes':>16} "
                  f"{'pinned':>7} {'seconds':>8}")
    tr.write_line(f"{len(w):>7,} {max(x['peak'] for x in w):>16,} {sum(x['copies'] for x in w):>13,} "
                  f"{sum(x['copy_bytes'] for x in w):>16,} {sum(x['pinned'] or 0 for x in w):>7,} "
                  f"{sum(x['seconds'] for x in w):>8.2f}")
