"""Helpers of tests/dask: a real LocalCluster, marker lines, checks."""
import contextlib
import re
import shutil
import sys
import tempfile
import time

MB = 1000 * 1000


def line_of(path, marker):
    """The number of the line of path ending in `# @marker`."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if re.search(rf"#\s*@{marker}\s*$", line):
                return n
    raise LookupError(f"no @{marker} in {path}")


failures = []


def schema_errors(data, part=None):
    """What report.schema.json (python3-jsonschema) finds wrong in data: a
    whole arrdbg report, or with part="dask_cluster" one cluster report
    (arrdbg.dask.report_data); [] when it validates."""
    import jsonschema
    import arrdbg
    schema = arrdbg.schema()
    if part:
        schema = dict(schema, **{"$ref": f"#/$defs/{part}"})
        for k in ("required", "properties", "type"):
            schema.pop(k, None)
    v = jsonschema.Draft202012Validator(schema)
    out = []
    for e in v.iter_errors(data):
        while e.context:  # inside a oneOf: the deepest error of its branches
            e = max(e.context, key=lambda c: len(c.absolute_path))
        out.append(f"{'/'.join(map(str, e.absolute_path))}: {e.message}"[:200])
    return out


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what, flush=True)
    if not cond:
        failures.append(what)


def done():
    if failures:
        print(f"{len(failures)} checks failed", file=sys.stderr)
        sys.exit(1)


@contextlib.contextmanager
def cluster(n_workers=2, **kw):
    """LocalCluster(processes=True) on loopback, no dashboard, and its Client."""
    from distributed import Client, LocalCluster
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address="127.0.0.1:0", **kw) as c, Client(c) as client:
        yield c, client


def tmpdir():
    return tempfile.mkdtemp(prefix="arrdbg-dask-test-")


def main_in_tmpdir(run):
    """run(a fresh temporary directory), removed after; then the verdict."""
    tmp = tmpdir()
    try:
        run(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    done()


def wait_until(cond, timeout):
    """Polls cond() until it is true or timeout seconds have passed; its last value."""
    end = time.time() + timeout
    while not cond() and time.time() < end:
        time.sleep(0.05)
    return cond()


def by_address(data):
    return {w["address"]: w for w in data["workers"]}
