"""stripped/normalize.py FILE: the answers check.py wrote, without what only
debug info can give (source lines in "made at" / "made by", addresses), so
that a run on a stripped program must match a run with DWARF exactly."""
import re
import sys

out = []
cut = None
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line.startswith(("debug info for struct arr:", "registry in:")):
        continue
    if line.startswith("(gdb) "):
        cut = None
    if "made at" in line and line.lstrip().startswith("id "):
        cut = line.index("made at")  # arr list: the last column
    if cut is not None and re.match(r"^ *(#\d+|id) ", line):
        line = line[:cut]
    line = re.sub(r"(, at | made at ).*", r"\1...", line)
    line = re.sub(r"0x[0-9a-f]+", "0xADDR", line)
    out.append(line.rstrip())
sys.stdout.write("\n".join(out) + "\n")
