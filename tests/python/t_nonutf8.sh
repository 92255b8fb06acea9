# Scripts under directories whose names are not UTF-8: each line keeps its
# own file (the name as the file system has it), no "?" and no merging.
set -u
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
"$ARRDBG_PYTHON" - "$d" <<'PY' || exit 1
import json, os, subprocess, sys
d = sys.argv[1].encode()
one, two = os.path.join(d, b"a\xff"), os.path.join(d, b"b\xfe")
for p, n in ((one, 1000), (two, 3000)):
    os.mkdir(p)
    with open(os.path.join(p, b"mod.py"), "w") as f:
        f.write("import numpy as np\ndef make():\n    return np.ones(%d)\n" % n)
with open(os.path.join(one, b"main.py"), "w") as f:
    f.write("import sys\nimport numpy as np\nimport mod\nsys.path.insert(0, sys.argv[1])\n"
            "del sys.modules['mod']\nx = mod.make()\nimport mod as mod2\ny = mod2.make()\n")
js = os.path.join(d, b"r.json")
subprocess.run([sys.executable, "-m", "arrdbg", "run", "-q", "--json", js,
                os.path.join(one, b"main.py"), two], check=True, timeout=120)
rows = json.load(open(js))["lines"]
files = {os.fsencode(r["file"]): r["allocated"] for r in rows if r["file"] and "mod.py" in r["file"]}
want = {os.path.join(one, b"mod.py"): 8000, os.path.join(two, b"mod.py"): 24000}
ok = {k: v // 64 for k, v in files.items()} == {k: v // 64 for k, v in want.items()}
print("ok" if ok else "FAIL: rows %s, want %s" % (files, want))
sys.exit(0 if ok else 1)
PY
