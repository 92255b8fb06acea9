"""The HTML report in a real browser (Debian's chromium, headless): it loads
from disk with no console error, the plot, the peak mark, the per-line table
and the icicle are there, hostile text stays text, a screenshot is made
(into $ARRDBG_BUILD/pyux/); python3 -m arrdbg html and bad input."""
import json
import os
import re
import shutil
import subprocess

import chromium
from conftest import BUILD, PYTHON, ROOT

# A file name and source lines that would be markup if pasted into the page.
EVIL_NAME = 'evil<b id="x">&amp;"\'.py'
SCRIPT = '''import numpy as np

def work():
    a = np.random.rand(1000, 1000)    # @a </script><script>document.body.setAttribute("data-pwned", "1")</script>
    b = a.T.copy()                    # @copy <img src=x onerror="document.body.setAttribute('data-pwned','2')">
    c = np.ascontiguousarray(a.T)     # @contig
    del a
    return b[:10, :10], c[0]          # @views

keep = work()
x = np.ones(10) + 1                   # @small
'''


def _run(tmp_path, *args):
    return subprocess.run([PYTHON, "-m", "arrdbg", *args], cwd=tmp_path, timeout=120,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _body(dom):
    return re.search(r"<body[^>]*>", dom).group(0)


def test_page_in_chromium(tmp_path, validate):
    (tmp_path / EVIL_NAME).write_text(SCRIPT)
    r = _run(tmp_path, "run", "-q", "--json", "r.json", "--html", "r.html", EVIL_NAME)
    assert r.returncode == 0, r.stderr
    rep = validate(json.loads((tmp_path / "r.json").read_text()))
    assert rep["timeline"] and max(p[2] for p in rep["timeline"]) == rep["peak"]["bytes"] == 24_000_000
    page = (tmp_path / "r.html").read_text()
    assert "<script>document.body" not in page and "http://" not in page.replace(
        "http://www.w3.org/2000/svg", "")  # no network: nothing to fetch
    dom, log = chromium.dom(tmp_path / "r.html")
    body = _body(dom)
    assert 'data-arrdbg-ready="1"' in body, (body, log[-2000:])
    assert 'data-arrdbg-errors="0"' in body and "data-pwned" not in body, body
    assert "Uncaught" not in log and "CONSOLE" not in log, log[-2000:]
    # the plot with its peak mark, the per-line table, pins, the icicle
    assert re.search(r'<svg[^>]*id="plot-svg".*?<path class="area" d="M', dom, re.S)
    assert 'id="peak-mark"' in dom and "peak 24.0 MB at event" in dom
    table = dom[dom.index('id="line-table"'):]
    table = table[:table.index("</table>")]
    assert table.count("<tr") == 1 + len(rep["lines"])
    assert "showing 5 of 5 lines" in dom
    assert dom.count('class="frame"') >= 4 and "all 24.0 MB" in dom
    pins = dom[dom.index('id="pins-exit"'):]
    pins = pins[:pins.index("</table>")]
    assert len(rep["pins_at_exit"]) == 2 and pins.count("<tr") == 3, pins  # header + the 2 views
    assert "0.010%" in pins and "0.10%" in pins and "float64(10, 10) 800 B" in pins
    # the hostile text is in the page as text
    assert "&lt;/script&gt;&lt;script&gt;document.body" in dom and "&lt;img src=x" in dom
    assert 'evil&lt;b id="x"&gt;&amp;amp;"\'.py' in dom
    assert '<b id="x">' not in dom
    out = os.path.join(BUILD, "pyux")
    os.makedirs(out, exist_ok=True)
    assert chromium.screenshot(tmp_path / "r.html", os.path.join(out, "report-hostile.png"))


def test_html_command_and_bad_input(tmp_path, validate):
    # the sample the README shows (a copy, a del, a 1% slice pinning its base)
    shutil.copy(os.path.join(ROOT, "samples", "np_memory_intensive.py"), tmp_path / "s.py")
    r = _run(tmp_path, "run", "-q", "--json", "s.json", "s.py")
    assert r.returncode == 0, r.stderr
    rep = validate(json.loads((tmp_path / "s.json").read_text()))
    r = _run(tmp_path, "html", "s.json")
    assert r.returncode == 0 and r.stdout.strip() == "s.html", r
    dom, log = chromium.dom(tmp_path / "s.html")
    assert 'data-arrdbg-ready="1"' in _body(dom) and 'data-arrdbg-errors="0"' in _body(dom)
    assert "peak 64.0 MB at event" in dom and len(rep["pins_at_exit"]) == 1 and "0.99%" in dom
    # the table sorted and filtered from the page's address
    def rows(fragment):
        d, _ = chromium.dom(tmp_path / "s.html", fragment=fragment)
        t = d[d.index('id="line-table"'):]
        t = t[t.index("<tbody>"):t.index("</tbody>")]
        assert 'data-arrdbg-errors="0"' in _body(d)
        return re.findall(r'<tr[^>]*><td title="[^"]*">([^<]*)</td>', t)
    assert rows("") == ["s.py:14", "s.py:15", "s.py:16"]        # allocated, largest first (ties: file order)
    assert rows("sort=line&dir=desc") == ["s.py:16", "s.py:15", "s.py:14"]
    assert rows("sort=freed&dir=desc")[0] == "s.py:16"
    assert rows("q=COPY()") == ["s.py:15"] and rows("q=%E0%A4%A") == ["s.py:14", "s.py:15", "s.py:16"]
    # the screenshot the README shows (docs/pyux-report.png is a copy)
    out = os.path.join(BUILD, "pyux")
    os.makedirs(out, exist_ok=True)
    shutil.copy(tmp_path / "s.html", os.path.join(out, "report.html"))
    assert chromium.screenshot(tmp_path / "s.html", os.path.join(out, "report.png"))
    # into a FIFO and through a symlink: written into, not replaced
    os.symlink("target.html", tmp_path / "link.html")
    assert _run(tmp_path, "html", "s.json", "-o", "link.html").returncode == 0
    assert os.path.islink(tmp_path / "link.html") and (tmp_path / "target.html").read_text().startswith("<!DOCTYPE")
    os.mkfifo(tmp_path / "fifo")
    reader = subprocess.Popen(["cat", str(tmp_path / "fifo")], stdout=subprocess.PIPE)
    try:
        assert _run(tmp_path, "html", "s.json", "-o", "fifo").returncode == 0
        got = reader.communicate(timeout=60)[0]
    finally:
        reader.kill()
        reader.wait()
    assert got.startswith(b"<!DOCTYPE") and os.path.exists(tmp_path / "fifo")
    # hostile input: one line, exit 2, no traceback
    cases = {"empty.json": "", "text.json": "not json", "list.json": "[1, 2]",
             "deep.json": "[" * 100000 + "]" * 100000, "other.json": '{"format": "x"}',
             "bad.json": json.dumps(dict(json.loads((tmp_path / "s.json").read_text()), lines="x"))}
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
    for name in list(cases) + ["missing.json", "."]:
        r = _run(tmp_path, "html", name, "-o", "out.html")
        assert r.returncode == 2, (name, r)
        assert r.stderr.startswith("arrdbg html: ") and r.stderr.count("\n") == 1, (name, r.stderr)
        assert "Traceback" not in r.stderr
    assert not os.path.exists(tmp_path / "out.html")


def test_every_string_is_text(tmp_path):
    """Every string of a real report (file names, code, ops, kinds, dtypes,
    holders, phase and block names...) replaced by markup that would run if
    it were parsed as HTML: the page still draws, and nothing ran."""
    (tmp_path / "s.py").write_text(SCRIPT.replace("keep = work()", "import arrdbg\narrdbg.phase('two')\n"
                                                  "keep = work()"))
    r = _run(tmp_path, "run", "-q", "--json", "s.json", "s.py")
    assert r.returncode == 0, r.stderr
    rep = json.loads((tmp_path / "s.json").read_text())
    n = [0]

    def poison(x):
        if isinstance(x, dict):
            return {k: poison(v) for k, v in x.items()}
        if isinstance(x, list):
            return [poison(v) for v in x]
        if isinstance(x, str):
            n[0] += 1
            return (f'</script><script>document.body.setAttribute("data-pwned","{n[0]}")</script>'
                    f'<img src=x onerror="document.body.setAttribute(\'data-pwned\',\'i{n[0]}\')">')
        return x
    bad = poison(rep)
    assert bad["phases"] and bad["pins_at_exit"] and n[0] > 50
    del bad["timeline"]  # and a saved report without one: the plot by event number
    (tmp_path / "bad.html").write_text(
        subprocess.run([PYTHON, "-c", "import json, sys, arrdbg.html as h; "
                                      "sys.stdout.write(h.render(json.load(sys.stdin)))"],
                       input=json.dumps(bad), stdout=subprocess.PIPE, text=True, check=True,
                       timeout=60).stdout)
    dom, log = chromium.dom(tmp_path / "bad.html")
    body = _body(dom)
    assert 'data-arrdbg-ready="1"' in body and 'data-arrdbg-errors="0"' in body, (body, log[-1500:])
    assert "data-pwned" not in body and "<img" not in dom
    assert dom.count("&lt;/script&gt;&lt;script&gt;") > 20
    assert "No timeline in this report" in dom and 'id="peak-mark"' in dom
