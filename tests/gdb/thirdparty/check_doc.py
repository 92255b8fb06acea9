"""check_doc.py GDB_OUT ARRCHECK_TXT: docs/ADOPTING.md shows what is real.

Every ```c block is text of samples/thirdparty_matrix.c, the ```python block
text of samples/thirdparty_matrix-gdb.py, the plain block of "expect" lines
text of the sample's header; the blocks after "<!-- checked: arrcheck output
-->" and "<!-- checked: gdb output -->" are, line by line and in order, in
the real outputs (addresses, pids and line numbers aside; "(gdb) ..."
command lines are not in the gdb transcript)."""
import re
import sys

DOC = "docs/ADOPTING.md"


def norm(line):
    line = re.sub(r"^==\d+== ?", "", line)
    line = re.sub(r"0x[0-9A-Fa-f]+", "0xADDR", line)
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


def main():
    doc = open(DOC).read()
    sample = open("samples/thirdparty_matrix.c").read()
    gdbpy = open("samples/thirdparty_matrix-gdb.py").read()
    gdb_out = [norm(l) for l in open(sys.argv[1]).read().splitlines()]
    arrcheck = [norm(l) for l in open(sys.argv[2]).read().splitlines()]
    seen = set()
    for lang, before, body in blocks(doc):
        if lang == "c":
            if body not in sample:
                sys.exit("%s: a C block is not text of samples/thirdparty_matrix.c:\n%s" % (DOC, body))
            seen.add("c")
        elif lang == "python":
            if body not in gdbpy:
                sys.exit("%s: the Python block is not text of samples/thirdparty_matrix-gdb.py" % DOC)
            seen.add("python")
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
    missing = {"c", "python", "arrcheck", "gdb", "expect"} - seen
    if missing:
        sys.exit("%s: no checked block for %s" % (DOC, ", ".join(sorted(missing))))


main()
