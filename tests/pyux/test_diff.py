"""python3 -m arrdbg diff on two real runs of a script before and after a
fix: per-line and per-op deltas (against the arrays' nbytes), largest
first, exit status by threshold, bad input."""
import json
import subprocess

from conftest import PYTHON
from test_readme import matches, readme_block

BEFORE = '''import numpy as np

def step(a):
    b = a.T.copy()                   # 2,000,000 bytes a call
    c = np.ascontiguousarray(b.T)    # and again
    return c.sum()

a = np.random.rand(500, 500)
for i in range(3):
    step(a)
'''
AFTER = '''import numpy as np

def step(a):
    # fixed: no transposed copies
    c = np.ascontiguousarray(a)
    return c.sum()

a = np.random.rand(500, 500)
for i in range(3):
    step(a)
extra = np.zeros(100_000)
'''


def _arrdbg(tmp_path, *args):
    return subprocess.run([PYTHON, "-m", "arrdbg", *args], cwd=tmp_path, timeout=120,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _reports(tmp_path, validate):
    for name, src in (("old", BEFORE), ("new", AFTER)):
        (tmp_path / "prog.py").write_text(src)
        r = _arrdbg(tmp_path, "run", "-q", "--json", f"{name}.json", "prog.py")
        assert r.returncode == 0, r.stderr
        validate(json.loads((tmp_path / f"{name}.json").read_text()))


def test_diff_before_and_after_a_fix(tmp_path, validate):
    _reports(tmp_path, validate)
    r = _arrdbg(tmp_path, "diff", "old.json", "new.json")
    assert r.returncode == 1, r  # the new np.zeros grew past the default threshold (0)
    out = r.stdout
    lines = out[out.index("per line"):out.index("per op")].splitlines()[1:]
    # largest change first: the two removed copies (3 x 500*500*8), then the new zeros
    assert lines[0].split()[0] == "-6,000,000" and "b = a.T.copy()" in lines[0], out
    assert lines[1].split()[0] == "-6,000,000" and "np.ascontiguousarray(b.T)" in lines[1], out
    assert lines[2].split()[0] == "+800,000" and "prog.py:11" in lines[2] and "np.zeros" in lines[2], out
    assert "a = np.random.rand" not in out  # same line, same bytes: no row even though it moved
    ops = out[out.index("per op"):].splitlines()
    assert ops[1].split()[0] == "-6,000,000" and ops[3].split()[0] == "+800,000" and "zeros (creation)" in ops[3]
    assert "copies: 6 arrays (12.0 MB) -> 0 arrays (0 B)" in out
    assert "grew past the threshold" in out and "line prog.py:11 allocates 800,000 bytes more" in out
    # a threshold above the growth: exit 0; the other way round: the copies grew
    r = _arrdbg(tmp_path, "diff", "old.json", "new.json", "--threshold", "1 MB")
    assert r.returncode == 0 and "nothing grew past the threshold (1.0 MB" in r.stdout, r
    # python/README.md shows this very output
    err = matches(readme_block('$ python3 -m arrdbg diff old.json new.json --threshold "1 MB"'),
                  r.stdout.splitlines())
    assert err is None, err + "\n" + r.stdout
    r = _arrdbg(tmp_path, "diff", "new.json", "old.json", "--threshold", "1 MB")
    assert r.returncode == 1 and "copies grew by 6 arrays" in r.stdout, r
    assert "peak grew by" in r.stdout
    r = _arrdbg(tmp_path, "diff", "new.json", "new.json")
    assert r.returncode == 0 and r.stdout.count("no change") == 2, r


def test_diff_bad_input(tmp_path, validate):
    _reports(tmp_path, validate)
    (tmp_path / "bad.json").write_text('{"format": "arrdbg-numpy-report", "schema_version": 1}')
    (tmp_path / "deep.json").write_text("{\"a\":" * 50000 + "1" + "}" * 50000)
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe\x00garbage")
    for args in (["old.json", "missing.json"], ["bad.json", "new.json"], ["old.json", "deep.json"],
                 ["bin.json", "new.json"], ["old.json", "new.json", "--threshold", "-1"],
                 ["old.json", "new.json", "--copies", "x"]):
        r = _arrdbg(tmp_path, "diff", *args)
        assert r.returncode == 2, (args, r)
        assert r.stderr.startswith("arrdbg diff: ") and r.stderr.count("\n") == 1, (args, r.stderr)
        assert r.stdout == ""
