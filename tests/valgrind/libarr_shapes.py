#!/usr/bin/python3
"""libarr_shapes.py OUTDIR - for every array progs/libarr_shapes.c made, the
dtype, shape and op arrcheck's leak report prints and its profile JSON
records must equal the handle's (OUTDIR/handles.txt, written by the program
from the handles themselves).  Prints "ok N arrays" or FAIL lines; the runner
compares that with libarr_shapes.post.exp."""
import glob
import json
import os
import re
import sys

out = sys.argv[1]
handles = {}
with open(os.path.join(out, "handles.txt")) as f:
    for line in f:
        head, _strides = line.rstrip("\n").split(" /", 1)
        words = head.split(" ")
        # "id op dtype dims...": ops may hold a space ("reshape (copy)")
        ident = int(words[0])
        dims_at = next(i for i in range(len(words) - 1, 0, -1) if not words[i].isdigit()) + 1
        dtype = words[dims_at - 1]
        op = " ".join(words[1:dims_at - 1])
        handles[ident] = (op, dtype, [int(w) for w in words[dims_at:]])

failures = []
log = open(os.path.join(out, "log")).read()
printed = {}
for m in re.finditer(r"Array #(\d+) (\w+) (\w+)\[([^\]]*)\][^(\n]*\((.*)\)\s*$", log, re.M):
    ident, _kind, dtype, dims, tail = m.groups()
    op = re.sub(r" of #\d+$", "", tail)
    printed[int(ident)] = (op, dtype, [int(d) for d in dims.split(", ")] if dims else [])
profile = json.load(open(glob.glob(os.path.join(out, "prof.json*"))[0]))
profiled = {a["id"]: (a["op"], a["dtype"], a["shape"]) for a in profile["arrays"]}

for ident, want in sorted(handles.items()):
    if printed.get(ident) != want:
        failures.append(f"#{ident}: handle {want}, leak report {printed.get(ident)}")
    if profiled.get(ident) != want:
        failures.append(f"#{ident}: handle {want}, profile {profiled.get(ident)}")
if len(handles) < 25:
    failures.append(f"only {len(handles)} handles noted")
for f in failures:
    print("FAIL", f)
if not failures:
    print(f"ok {len(handles)} arrays")
