"""The magics in IPython's own shell (python3-ipython) and in a real Jupyter
kernel (python3-ipykernel) driven by nbclient through a small notebook whose
cells allocate, copy and pin; the figures against the arrays' nbytes."""
import html
import json
import os
import re
import subprocess

import nbformat
from nbclient import NotebookClient

import chromium
from conftest import BUILD, PYTHON
from test_readme import README, matches, readme_block

# Run in a fresh interpreter: the magics install arrdbg in the process.
SHELL_DRIVER = r'''
import json, sys
from IPython.core.interactiveshell import InteractiveShell
ip = InteractiveShell.instance()
out = {"cells": []}
from arrdbg import ipython as m
_init = m.Report.__init__
def _keep(self, data, text):  # every report a magic shows, for the schema check
    out["cells"].append(data)
    _init(self, data, text)
m.Report.__init__ = _keep
def cell(src):
    r = ip.run_cell(src, store_history=True)
    return r
cell("%load_ext arrdbg")                                                    # In [1]
cell("import numpy as np\ndef f(a):\n    return a.T.copy()\n")              # In [2]
print("=== cell 3")
r = cell("%%arrdbg\na = np.random.rand(500, 1000)\nb = f(a)\nc = np.ascontiguousarray(a.T)\nkeep = b[0, :5]\ndel b\nc.shape")
out["cell3_result"] = list(r.result)
print("=== cell 4")
r = cell("%arrdbg --peak '1 MB' x = np.zeros(10**6)")
out["cell4_error"] = type(r.error_in_exec).__name__
print("=== cell 5")
cell("%arrdbg --peak 1XB x = 1")
cell("%arrdbg --copies")
cell("%%arrdbg\nx = 1\ny = (\n")
cell("%%arrdbg\n%arrdbg x = 2\n")
print("=== cell 9")
cell("%arrdbg_report")
rep = m.session_report(ip)
out["session"] = rep.data
out["html"] = rep._repr_html_()
print("=== json")
print(json.dumps(out))
'''


def test_magics_in_ipython_shell(tmp_path, validate):
    (tmp_path / "drive.py").write_text(SHELL_DRIVER)
    p = subprocess.run([PYTHON, "drive.py"], cwd=tmp_path, timeout=120, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    assert p.returncode == 0, p.stderr
    text, js = p.stdout.split("=== json\n")
    out = json.loads(js)
    c3 = text[text.index("=== cell 3"):text.index("=== cell 4")]
    # lines named by their cell: In [3]:2 is the cell's line 2 (line 1 is %%arrdbg);
    # f's copy is in In [2], where f was typed; 500*1000*8 = 4,000,000 bytes each
    assert "arrdbg: In [3]: peak 12.0 MB (12,000,000 bytes), copies 2 (8.0 MB), pinned bases 1" in c3, c3
    assert "4,000,000      1 arrays  In [3]:2                 random.rand      a = np.random.rand(500, 1000)" in c3
    assert "4,000,000      1 arrays  In [2]:3                 copy             return a.T.copy()" in c3
    assert "In [3]:4" in c3 and "ascontiguousarray" in c3
    assert "pinned: a 40 B view made at line 5 (In [3]:5), held by keep, keeps alive a 4.0 MB base made at " \
           "line 3 (In [2]:3, copy)" in c3
    assert "Out[3]: (1000, 500)" in c3 and out["cell3_result"] == [1000, 500]
    c4 = text[text.index("=== cell 4"):text.index("=== cell 5")]
    assert "arrdbg: over the limits: peak 8,000,000 bytes (8.0 MB) > limit 1,000,000 (1.0 MB)" in c4
    assert "ArrdbgLimitError: In [4] exceeded its NumPy memory limits" in c4 and "Traceback" not in c4
    assert out["cell4_error"] == "ArrdbgLimitError"
    c5 = text[text.index("=== cell 5"):text.index("=== cell 9")]
    assert c5.splitlines()[1:] == [
        "arrdbg: bad size '1XB': expected bytes or a number and a unit (B, kB, MB, GB, TB, KiB, MiB, "
        "GiB, TiB), e.g. '64 MB' or '1.5 GiB'",
        "arrdbg: unknown option or missing value: --copies (the options are --peak SIZE, --copies N, "
        "--pinned N)",
        "arrdbg: In [7]:3: SyntaxError: '(' was never closed",
        "arrdbg: cannot measure 'In [8]' inside 'In [8]' (windows do not nest)",
        "arrdbg: In [8]: peak 0 B (0 bytes), copies 0 (0 B), pinned bases 0"], c5
    c7 = text[text.index("=== cell 9"):]
    assert "peak of each phase" in c7 and "In [3]:2" in c7 and "<arrdbg" not in c7
    validate(out["session"])
    assert len(out["cells"]) == 5  # cells 3, 4 and 8, %arrdbg_report (cell 9), session_report
    for rep in out["cells"]:
        validate(rep)
    assert out["cells"][0]["window"]["peak"] == 12_000_000 and out["cells"][0]["window"]["pinned"] == 1
    c = out["cells"][0]  # its own timeline: from its start to its end, its peak a point of it
    assert c["timeline"][0][1] == c["window"]["first_event"] - 1 and c["timeline"][-1][1] == c["window"]["last_event"]
    assert max(p[2] for p in c["timeline"]) == c["peak"]["bytes"]
    assert out["session"]["peak"]["bytes"] == 20_000_000  # a, f's copy, c, x (4 + 4 + 4 + 8 MB)
    assert out["html"].startswith("<iframe ") and "srcdoc=\"&lt;!DOCTYPE html&gt;" in out["html"]


NOTEBOOK = [
    "%load_ext arrdbg",
    "import numpy as np",
    "%%arrdbg\na = np.random.rand(1000, 1000)   # 8 MB\nb = a.T.copy()                  # a copy\n"
    "corner = b[:3, :3]              # a view that pins b\ndel b",
    "%arrdbg total = (a * 2).sum()",
    "%arrdbg_report",
]


def test_magics_in_a_jupyter_kernel(tmp_path, validate):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in NOTEBOOK]
    env_path = os.environ.get("PYTHONPATH", "")
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}},
                            startup_timeout=120)
    assert os.path.join(BUILD, "python") in env_path.split(os.pathsep)  # the kernel inherits it
    client.execute()
    os.makedirs(os.path.join(BUILD, "pyux"), exist_ok=True)
    nbformat.write(nb, os.path.join(BUILD, "pyux", "notebook.ipynb"))
    outs = [c.outputs for c in nb.cells]
    assert not any(o.get("output_type") == "error" for c in outs for o in c), outs
    cell3 = [o for o in outs[2] if o["output_type"] == "display_data"]
    assert len(cell3) == 1
    text, page = cell3[0]["data"]["text/plain"], cell3[0]["data"]["text/html"]
    with open(os.path.join(BUILD, "pyux", "notebook_cell.txt"), "w") as f:
        f.write(text + "\n")
    first = "arrdbg: In [3]: peak 16.0 MB (16,000,000 bytes), copies 1 (8.0 MB), pinned bases 1"
    assert text.startswith(first)
    # python/README.md shows this cell's report: it must be what the kernel printed
    shown = [first] + readme_block(first)
    assert matches(shown, text.splitlines()) is None, (matches(shown, text.splitlines()), text)
    assert "\n".join(NOTEBOOK[2].splitlines()[:5]) in open(README).read()
    assert "8,000,000      1 arrays  In [3]:2                 random.rand" in text
    assert "8,000,000      1 arrays  In [3]:3                 copy             b = a.T.copy()" in text
    assert "pinned: a 72 B view made at line 4 (In [3]:4), held by corner, keeps alive a 8.0 MB base made " \
           "at line 3 (In [3]:3, copy)" in text
    # the cell's HTML is the report page in an iframe: the page draws in Chromium
    assert page.startswith("<iframe ") and 'sandbox="allow-scripts" srcdoc="' in page
    srcdoc = html.unescape(page.split('srcdoc="', 1)[1].rsplit('"></iframe>', 1)[0])
    (tmp_path / "cell.html").write_text(srcdoc)
    dom, log = chromium.dom(tmp_path / "cell.html")
    body = re.search(r"<body[^>]*>", dom).group(0)
    assert 'data-arrdbg-ready="1"' in body and 'data-arrdbg-errors="0"' in body, (body, log[-2000:])
    assert "In [3]:3" in dom and 'id="line-table"' in dom
    cell4 = outs[3][0]["data"]["text/plain"]
    assert "In [4]:1" in cell4 and "temporary" in cell4 and "8,000,000" in cell4, cell4
    rep = outs[4][0]["data"]["text/plain"]
    assert "arrdbg: NumPy data memory" in rep and "In [3]:3" in rep and "In [4]" in rep
