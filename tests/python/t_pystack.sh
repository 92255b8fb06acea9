# arrcheck's Python stack under each error of a Python process (issue 28):
# a C extension's read of a freed NumPy buffer shows the Python line of the
# read (innermost first, under the native stack; also in XML, where
# --num-callers=3 shows 3 frames and says how many more); with the
# caller link of a frame broken in memory (a cycle, address 0x10, a bytes
# object) it shows the frames before the break and says why the chain ends;
# --python-stack=no shows none.  The Python stack is part of an error's
# identity: the same C read from two Python lines is two errors, text and
# XML, the second counted twice (the same Python and C stacks merge).  Fails when the tool is not built.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$(cd "$(dirname "$0")" && pwd)
ls "$ARRDBG_BUILD"/valgrind/lib/arrcheck-* >/dev/null 2>&1 || { echo "FAIL: arrcheck not built"; exit 1; }
ls "$ARRDBG_BUILD"/samples/np_dangling_ext*.so >/dev/null 2>&1 || { echo "FAIL: np_dangling_ext not built"; exit 1; }
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
export PYTHONPATH=$PYTHONPATH:$ARRDBG_BUILD/samples
for run in intact:xml cycle:text bad:text junk:text intact:off two:text two:xmlall; do
    mode=${run%:*} how=${run#*:}
    case $how in
    text) opts=(--log-file="$d/$mode") ;;
    xml) opts=(--xml=yes --xml-file="$d/$mode.xml" --log-file="$d/$mode" --num-callers=3) ;;
    off) opts=(--log-file="$d/off" --python-stack=no) ;;
    xmlall) opts=(--xml=yes --xml-file="$d/$mode.xml" --log-file="$d/$mode.xmllog") ;;
    esac
    timeout 300 "$root/valgrind/arrgrind" "${opts[@]}" "$ARRDBG_PYTHON" -m arrdbg run -q \
        "$here/vg_pystack.py" "$mode" >"$d/$mode.out" 2>&1 || { echo "FAIL: $run: exit $?"; cat "$d/$mode.out"; exit 1; }
done
"$ARRDBG_PYTHON" - "$d" "$here/vg_pystack.py" <<'PY'
import re, sys
import xml.etree.ElementTree as ET
here = sys.argv[2].rsplit("/", 1)[0]
sys.path.insert(0, here)
import check
d, prog = sys.argv[1], sys.argv[2]


def python_stack(path):
    """The Python stack lines under the one DanglingAccess of a text log."""
    text = open(path).read()
    check.check(text.count("DanglingAccess:") == 1, "%s: one DanglingAccess" % path)
    lines = [re.sub(r"^==\d+== ", "", l) for l in text.splitlines()]
    head = " Python stack, innermost first:"
    if head not in lines:
        return None
    out = []
    for l in lines[lines.index(head) + 1:]:
        if not l.startswith("   "):
            break
        out.append(l)
    return out


where = lambda tag: "(%s/vg_pystack.py:%d)" % (here, check.marker_line(tag, prog))
for mode, cut in (("cycle", r"the frame chain has a cycle at frame 0x[0-9a-f]+"),
                  ("bad", r"frame 0x10 is unreadable"),
                  ("junk", r"frame 0x[0-9a-f]+ has no code object \(f_code 0x0\)")):
    s = python_stack(d + "/" + mode) or []
    check.check(len(s) == 4 and s[0] == "   at <lambda>.<locals>.<lambda> " + where("call") and s[1] == "   by <lambda> " + where("call")
                and s[2] == "   by broken " + where("broken") and re.fullmatch("   Python stack cut short: " + cut, s[3]),
                "%s: the frames before the break, then why: %s" % (mode, s))
tops = []   # the intact read in XML, --num-callers=3: 3 Python frames, innermost first, then how many more
for e in ET.parse(d + "/intact.xml").getroot().iter("error"):
    after = False
    for c in e:
        if c.tag == "auxwhat":
            after = (c.text or "").startswith("Python stack")
            if (c.text or "").startswith(("Python stack cut short", "(and ")):
                tops.append(c.text)
        elif c.tag == "stack" and after:
            tops += [(f.findtext("fn"), f.findtext("dir"), f.findtext("file"), int(f.findtext("line") or 0))
                     for f in c.iter("frame")]
check.check(tops[:1] == [("<module>", here, "vg_pystack.py", check.marker_line("intact", prog))]
            and len(tops) == 4 and tops[3] == "(and 3 more Python frames: --num-callers shows more)",
            "XML: %s" % tops)
# two Python lines, one C read: two errors, each with its line; @second's counted twice
two = [re.sub(r"^==\d+== ", "", l) for l in open(d + "/two").read().splitlines()]
heads = [two[k + 1] for k, l in enumerate(two) if l == " Python stack, innermost first:"]
check.check(heads == ["   at <module> " + where("first"), "   at <module> " + where("second")]
            and sum(l.startswith("DanglingAccess:") for l in two) == 2
            and any(l.startswith("ERROR SUMMARY: 3 errors from 2 contexts") for l in two),
            "two lines, text: %s" % (heads or two[-5:]))
root = ET.parse(d + "/two.xml").getroot()
counts = {p.findtext("unique"): int(p.findtext("count")) for p in root.iter("pair")}
got = []
for e in root.iter("error"):
    stacks = [c for c in e if c.tag == "stack"]
    top = stacks[-1].find("frame") if stacks else None
    got.append((top.findtext("fn"), int(top.findtext("line") or 0), counts.get(e.findtext("unique")))
               if top is not None else None)
check.check(got == [("<module>", check.marker_line("first", prog), 1), ("<module>", check.marker_line("second", prog), 2)],
            "two lines, XML: (top Python frame, count) %s" % got)
off = open(d + "/off").read()
check.check(off.count("DanglingAccess:") == 1 and "Python stack" not in off, "--python-stack=no: %s" % off[-500:])
sys.exit(1 if check.failures else 0)
PY
