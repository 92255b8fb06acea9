"""arrdbg: which line made which NumPy copy, what was live at the peak, which
small view keeps a huge base alive.

    python3 -m arrdbg run SCRIPT [ARGS...]     # report at exit
    import arrdbg; arrdbg.install(); ...; arrdbg.report()

install() puts a NumPy data-memory handler (NumPy >= 1.22) in front of the
current one; it records every ndarray data buffer made and freed from then
on, with the Python line that made it.  Nothing happens until install() is
called: importing NumPy alone is untouched.
"""
import os
import sys

__all__ = ["install", "installed", "report", "report_data", "phase", "configure", "tag", "set_tag",
           "NumpyTooOld"]

MIN_NUMPY = (1, 22)


class NumpyTooOld(RuntimeError):
    """NumPy has no data-memory handler API (PyDataMem_SetHandler, 1.22)."""


_state = {"installed": False, "previous": None, "peak_scan": None}


def _version_tuple(v):
    out = []
    for part in v.split(".")[:2]:
        digits = "".join(c for c in part if c.isdigit())
        out.append(int(digits) if digits else 0)
    return tuple(out)


def installed():
    return _state["installed"]


def install():
    """Start recording.  Returns the name of the handler arrdbg chains to.

    Raises NumpyTooOld (nothing installed) on NumPy < 1.22."""
    if _state["installed"]:
        return _state["previous"]
    import numpy as np
    if _version_tuple(np.__version__) < MIN_NUMPY:
        raise NumpyTooOld(
            f"arrdbg: NumPy {np.__version__} is older than 1.22 and has no data-memory "
            f"handler API (PyDataMem_SetHandler); nothing was installed")
    from . import _arrdbg, _report
    npdir = os.path.dirname(os.path.abspath(np.__file__)) + os.sep
    # NumPy 1.2x wraps its public functions in code compiled from a string
    # named "<__array_function__ internals>": NumPy's too.
    prev = _arrdbg.install([npdir, "<__array_function__ internals>"])
    _arrdbg.set_callbacks(_report.classify_pending, _report.peak_scan, 1 << 20)
    if _arrdbg.stats()["on_valgrind"]:
        # Freed buffers wait in a quarantine under Valgrind; give them
        # back at exit, before the tool's final checks.
        import atexit
        atexit.register(_arrdbg.release_quarantine)
    # A forked child reports only what it made itself.
    os.register_at_fork(after_in_child=_report.after_fork)
    _state["installed"] = True
    _state["previous"] = prev
    return prev


def configure(**opts):
    """Report options: lib (directories whose code is a library's),
    no_lib, stack_depth, min_bytes, top, imports (see `run --help`)."""
    from . import _attrib
    for k, v in opts.items():
        if k not in _attrib.options:
            raise TypeError(f"arrdbg.configure: no option {k!r}")
        _attrib.options[k] = list(v) if k == "lib" else v


def set_tag(name):
    """From now on, this thread's NumPy allocations carry the tag name (a
    str; None: no tag).  Returns the previous tag.  Needs install()."""
    from . import _arrdbg
    return _arrdbg.set_tag(name)


class tag:
    """with arrdbg.tag("load"): ...  -- the allocations of this thread in
    the block carry the tag; the previous tag is back after it."""

    def __init__(self, name):
        self.name = name
        self._prev = []

    def __enter__(self):
        self._prev.append(set_tag(self.name))
        return self

    def __exit__(self, *exc):
        set_tag(self._prev.pop())
        return False


def phase(name):
    """End the current phase (the first is "start") and begin one called
    name: the report lists each phase's own peak, so two ways of doing the
    same work can be compared in one run."""
    from . import _report
    _report.end_phase(name)


def report_data():
    """The report as a dict (what `run --json` writes; its JSON Schema:
    report.schema.json in this package, see schema())."""
    from . import _report
    from . import _timeline
    data = _report.build()
    data["schema_version"] = SCHEMA_VERSION
    return _timeline.attach(data)  # live bytes over time, when sampled


def schema():
    """The report's JSON Schema (report.schema.json), as a dict."""
    import json
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "report.schema.json")) as f:
        return json.load(f)


# The version report.schema.json describes (its "schema_version" const;
# tests/pyux checks the two agree).
SCHEMA_VERSION = 1


def load_ipython_extension(ipython):
    """`%load_ext arrdbg`: the %arrdbg, %%arrdbg and %arrdbg_report magics."""
    from . import ipython as _ipython
    _ipython.load_ipython_extension(ipython)


def report(file=None):
    """Print the report (to stderr by default)."""
    from . import _report
    _report.print_report(_report.build(), file if file is not None else sys.stderr)
