"""python/README.md shows real output: the pytest example's block is what
`pytest --arrdbg` prints for tests/pyux/example_pipeline.py now ("..." in
the block skips lines, the seconds column may differ)."""
import os
import re
import subprocess

from conftest import PYTHON, ROOT

README = os.path.join(ROOT, "python", "README.md")


def readme_block(first_line):
    """The lines of the README's code block that starts with first_line."""
    with open(README) as f:
        text = f.read()
    m = re.search(r"^```\n" + re.escape(first_line) + r"\n(.*?)^```\n", text, re.M | re.S)
    assert m, f"python/README.md has no block starting with {first_line!r}"
    return m.group(1).splitlines()


def _norm(line):
    return re.sub(r"\s\d+\.\d\d$", " S.SS", line.rstrip())


def matches(shown, got):
    """Every line shown appears in got, in order; "..." skips lines."""
    got = [_norm(x) for x in got]
    i = 0
    skip = False
    for line in shown:
        if line == "...":
            skip = True
            continue
        want = _norm(line)
        if skip:
            while i < len(got) and got[i] != want:
                i += 1
        if i >= len(got) or got[i] != want:
            return f"README line {line!r} is not what was printed (next printed: {got[i] if i < len(got) else 'end'!r})"
        i += 1
        skip = False
    return None


def test_pytest_example_is_current():
    cmd = "pytest -p arrdbg.pytest_plugin --arrdbg -q tests/pyux/example_pipeline.py"
    shown = readme_block("$ " + cmd)
    p = subprocess.run([PYTHON, "-m", *cmd.split()[:1], *cmd.split()[1:], "-p", "no:cacheprovider"],
                       cwd=ROOT, timeout=120, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert p.returncode == 1
    got = [ln for ln in p.stdout.splitlines() if not re.match(r"^1 failed in ", ln)]
    err = matches(shown, got)
    assert err is None, err + "\n" + p.stdout
