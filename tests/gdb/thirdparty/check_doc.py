"""check_doc.py GDB_OUT ARRCHECK_TXT: docs/ADOPTING.md shows what is real.

Every ```c block is text of samples/thirdparty_matrix.c (or of the GSL
adapter, valgrind/gsl_adapter.c), every ```python block text of
samples/thirdparty_matrix-gdb.py (or of gdb/python/arrdbg_gdb/foreign.py),
the plain block of "expect" lines text of the sample's header; the blocks
after "<!-- checked: arrcheck output -->" and "<!-- checked: gdb output -->"
are, line by line and in order, in the real outputs (addresses, pids and
line numbers aside; "(gdb) ..." command lines are not in the gdb
transcript); after "<!-- checked: arrcheck gsl output -->", in the GSL
samples' expected reports (tests/valgrind/gsl_*.stderr.exp, which
check-valgrind compares with real runs); after "<!-- checked: gsl gdb
output -->", in tests/gdb/gsl/expected.txt.  The sizes the page states are
measured here: the sample's lines marked arrcheck, the adapter's lines and
comment lines, the lines of the shipped GSL layouts."""
import re
import sys

DOC = "docs/ADOPTING.md"


def norm(line):
    line = re.sub(r"^==\d+== ?", "", line)
    line = re.sub(r"0x(?:ADDR|[0-9A-Fa-f]+|\.+)", "0xADDR", line)
    line = re.sub(r"(\.c):\d+\)", r"\1)", line)
    return line.rstrip()


def blocks(text):
    """(language, preceding line, body) of each fenced block."""
    out, lines, k = [], text.splitlines(), 0
    while k < len(lines):
        m = re.match(r"^```(\w*)$", lines[k])
        if not m:
            k += 1
            continue
        end = lines.index("```", k + 1)
        out.append((m.group(1), lines[k - 1] if k else "", "\n".join(lines[k + 1:end]) + "\n"))
        k = end + 1
    return out


def in_order(want, have, what):
    it = iter(have)
    for line in want:
        if not any(line == h for h in it):
            sys.exit("%s: %r is not in the real output (or not in this order)" % (what, line))


def measured(doc, sample):
    """The sizes stated in the page's table are the files' own."""
    lines = sample.splitlines()
    first = next(k for k, l in enumerate(lines) if "---- arrcheck:" in l)
    last = next(k for k, l in enumerate(lines) if "---- end of arrcheck" in l)
    tagged = last - first - 1 + sum(1 for l in lines if "/* arrcheck */" in l or l == '#include "arrcheck.h"')
    adapter = open("valgrind/gsl_adapter.c").read().splitlines()
    quiet = sum(1 for l in adapter if not l.strip() or l.strip().startswith(("/*", "*", "//")))
    fp = open("gdb/python/arrdbg_gdb/foreign.py").read().splitlines()
    a = next(k for k, l in enumerate(fp) if l.startswith("GSL_MATRIX = dict("))
    b = next(k for k, l in enumerate(fp) if l.startswith("def _is_gsl"))
    for text in ("| %d lines (marked `arrcheck`) |" % tagged,
                 "`valgrind/gsl_adapter.c`: %d lines, of which %d are comments or blank" % (len(adapter), quiet),
                 "| shipped layouts | %d lines |" % (b - a)):
        if text not in doc:
            sys.exit("%s: the measured size %r is not what the page says" % (DOC, text))


def main():
    doc = open(DOC).read()
    sample = open("samples/thirdparty_matrix.c").read()
    gdbpy = open("samples/thirdparty_matrix-gdb.py").read()
    adapter = open("valgrind/gsl_adapter.c").read()
    foreign_py = open("gdb/python/arrdbg_gdb/foreign.py").read()
    gsl_reports = []
    for name in ("gsl_leak_copy", "gsl_stale_view", "gsl_returned_view"):
        gsl_reports += [norm(l) for l in open("tests/valgrind/%s.stderr.exp" % name).read().splitlines()]
    gsl_gdb = [norm(l) for l in open("tests/gdb/gsl/expected.txt").read().splitlines()]
    measured(doc, sample)
    gdb_out = [norm(l) for l in open(sys.argv[1]).read().splitlines()]
    arrcheck = [norm(l) for l in open(sys.argv[2]).read().splitlines()]
    seen = set()
    for lang, before, body in blocks(doc):
        if lang == "c":
            if body not in sample and body not in adapter:
                sys.exit("%s: a C block is not text of samples/thirdparty_matrix.c:\n%s" % (DOC, body))
            seen.add("c")
        elif lang == "python":
            if body not in gdbpy and body not in foreign_py:
                sys.exit("%s: a Python block is not text of samples/thirdparty_matrix-gdb.py "
                         "or foreign.py" % DOC)
            seen.add("python")
        elif "checked: arrcheck gsl output" in before:
            in_order([norm(l) for l in body.splitlines()], gsl_reports, DOC + " GSL arrcheck block")
            seen.add("gsl")
        elif "checked: gsl gdb output" in before:
            want = [norm(l) for l in body.splitlines() if not l.startswith("(gdb) ")]
            in_order(want, gsl_gdb, DOC + " GSL gdb block")
            seen.add("gsl gdb")
        elif "checked: arrcheck output" in before:
            in_order([norm(l) for l in body.splitlines()], arrcheck, DOC + " arrcheck block")
            seen.add("arrcheck")
        elif "checked: gdb output" in before:
            want = [norm(l) for l in body.splitlines() if not l.startswith("(gdb) ")]
            in_order(want, gdb_out, DOC + " gdb block")
            seen.add("gdb")
        elif "expect arrcheck:" in body:
            if body not in sample:
                sys.exit("%s: the expectations shown are not the sample's" % DOC)
            seen.add("expect")
    missing = {"c", "python", "arrcheck", "gdb", "expect", "gsl", "gsl gdb"} - seen
    if missing:
        sys.exit("%s: no checked block for %s" % (DOC, ", ".join(sorted(missing))))


main()
