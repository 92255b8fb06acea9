"""make bench-pyux: how big and how slow the HTML report is with N sites
(default 10^5).  A real run's report is grown to N per-line rows over 100
files, N/10 buffers live at the peak, each with its own 5-frame stack; it
must still validate against the schema; then `python3 -m arrdbg html`
renders it and headless Chromium loads the page (the DOM dumped after its
script drew everything).  Prints the sizes and times, beside a tiny report's.

(A script with 10^5 distinct allocating lines is not the way to make one:
the run itself spends its time classifying 10^5 sites, which is the
handler's cost, not the page's.)"""
import copy
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chromium  # noqa: E402

PYTHON = os.environ.get("ARRDBG_PYTHON", "/usr/bin/python3")
SMALL = "import numpy as np\na = np.random.rand(300, 300)\nb = a.T.copy()\nc = b[:2]\ndel b\n"


def load_time(path, runs=3):
    best = None
    for _ in range(runs):
        t = time.monotonic()
        dom, _log = chromium.dom(path, timeout=600, budget_ms=120000)
        dt = time.monotonic() - t
        body = re.search(r"<body[^>]*>", dom).group(0)
        assert 'data-arrdbg-ready="1"' in body and 'data-arrdbg-errors="0"' in body, body
        best = dt if best is None else min(best, dt)
    return best


def grow(rep, n):
    big = copy.deepcopy(rep)
    tmpl = rep["lines"][0]
    big["lines"] = [dict(tmpl, file=f"/src/pkg/module_{i % 100}.py", line=i // 100 + 1,
                         func=f"f{i % 977}", allocated=(i * 7919) % 10**7, freed=(i * 104729) % 10**7,
                         arrays=1 + i % 5, code=f"x{i} = np.empty({i}) <&> '\"", stacks=[])
                    for i in range(n)]
    for e in big["lines"]:
        e["net"] = e["allocated"] - e["freed"]
    m = max(1, n // 10)
    big["frames"] = [{"file": f"/src/pkg/module_{i % 100}.py", "line": i % 500 + 1, "func": f"f{i % 977}"}
                     for i in range(5 * m)]
    big["stacks"] = [[5 * j + k for k in range(5)] for j in range(m)]
    live = rep["peak"]["live"][0]
    big["peak"]["live"] = [dict(live, bytes=1000 + j, event=j + 1, stack=j) for j in range(m)]
    big["peak"]["bytes"] = sum(a["bytes"] for a in big["peak"]["live"])
    big["totals"]["peak_bytes"] = big["peak"]["bytes"]
    return big


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "small.py"), "w") as f:
            f.write(SMALL)
        subprocess.run([PYTHON, "-m", "arrdbg", "run", "-q", "--json", "small.json", "small.py"],
                       cwd=d, check=True, timeout=120)
        with open(os.path.join(d, "small.json")) as f:
            rep = json.load(f)
        with open(os.path.join(d, "big.json"), "w") as f:
            json.dump(grow(rep, n), f)
        t = time.monotonic()
        subprocess.run([PYTHON, "-m", "arrdbg", "html", "big.json"], cwd=d, check=True, timeout=1200,
                       stdout=subprocess.DEVNULL)
        render = time.monotonic() - t
        subprocess.run([PYTHON, "-m", "arrdbg", "html", "small.json"], cwd=d, check=True, timeout=120,
                       stdout=subprocess.DEVNULL)
        big = load_time(os.path.join(d, "big.html"))
        tiny = load_time(os.path.join(d, "small.html"))
        mb = lambda name: os.path.getsize(os.path.join(d, name)) / 1e6  # noqa: E731
        print(f"{n:,} lines, {n // 10:,} buffers at the peak: JSON {mb('big.json'):.1f} MB; "
              f"arrdbg html (validation included) {render:.1f} s; HTML {mb('big.html'):.1f} MB; "
              f"headless Chromium load {big:.1f} s (a small report: {tiny:.1f} s)")


if __name__ == "__main__":
    main()
