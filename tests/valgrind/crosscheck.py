#!/usr/bin/env python3
"""crosscheck.py BUILD [WORD...] - arrcheck's leak verdicts agree with memcheck's.

For every libarr program in BUILD/tests/valgrind (with the arguments of
each .vgtest that runs it, else none), every shape heap_shapes lists (its
fork shapes: each process's report compared with the same process's) and
every sample in BUILD/samples, runs memcheck and arrcheck (both --xml, all leak kinds) and compares, per
place an array was made, arrcheck's verdicts (lost / still reachable) with
memcheck's verdicts for the heap blocks that hold those arrays' handles
(blocks of sizeof(arr_t) bytes, allocated under a libarr call made there).
Memcheck's definitely, indirectly and possibly lost count as lost (as
arrcheck calls them: valgrind/README.md, "The reachability rule").

"A place" is the first frames of the program's own code under the
outermost libarr frame: arrcheck's stacks (with --show-libarr-frames=yes)
and memcheck's allocation stacks both pass through it.  Programs that send
the client requests themselves (req_*) have no libarr handles and are
skipped.  Prints one line per program (with its verdicts) and exits 1 on
any disagreement; WORDs run only the programs whose name holds one.
"""
import concurrent.futures
import os
import re
import shlex
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
TREE = os.path.dirname(os.path.dirname(HERE))
KEY_FRAMES = 3
SHAPES = "heap_shapes"
MC_LOST = {"Leak_DefinitelyLost", "Leak_IndirectlyLost", "Leak_PossiblyLost"}


def libarr_frame(fr):
    d, f = fr.findtext("dir") or "", fr.findtext("file") or ""
    return d.endswith("/libarr") or re.match(r"arr_\w+\.c$", f) is not None


def allocator_frame(fr):
    return "vgpreload" in (fr.findtext("obj") or "")


def place(stack):
    """The program's frames under the outermost libarr frame of the top
    run of allocator/libarr frames; None when no libarr frame is on top."""
    frames = stack.findall("frame") if stack is not None else []
    i, seen_libarr = 0, False
    while i < len(frames) and (allocator_frame(frames[i]) or libarr_frame(frames[i])):
        seen_libarr = seen_libarr or libarr_frame(frames[i])
        i += 1
    if not seen_libarr or i == len(frames):
        return None
    return tuple((fr.findtext("fn"), fr.findtext("file"), fr.findtext("line"))
                 for fr in frames[i:i + KEY_FRAMES])


def parse(path):
    try:
        return ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return None


def arrcheck_verdicts(root):
    """Verdicts of the last leak search (at exit): ARRCHECK_LEAK_CHECK()
    makes earlier ones; each search numbers its loss records from 1."""
    runs = []
    for err in root.iter("error"):
        if not (err.findtext("kind") or "").startswith("Leaked"):
            continue
        m = re.search(r"in loss record (\d+) of", err.findtext("xwhat/text") or "")
        if not runs or (m and int(m.group(1)) == 1):
            runs.append([])
        runs[-1].append(err)
    out = {}
    for err in runs[-1] if runs else []:
        key = place(err.find("stack"))
        if key is None:
            continue
        text = err.findtext("xwhat/text") or ""
        out.setdefault(key, set()).add("reachable" if "still reachable" in text else "lost")
    return out


def memcheck_verdicts(root, handle_size):
    out = {}
    for err in root.iter("error"):
        kind = err.findtext("kind") or ""
        if not kind.startswith("Leak_"):
            continue
        text = err.findtext("xwhat/text") or ""
        m = re.match(r"([\d,]+) (?:\(([\d,]+) direct, [\d,]+ indirect\) )?bytes in ([\d,]+) blocks", text)
        if not m:
            continue
        direct = int((m.group(2) or m.group(1)).replace(",", ""))
        blocks = int(m.group(3).replace(",", ""))
        if blocks == 0 or direct != blocks * handle_size:
            continue
        key = place(err.find("stack"))
        if key is None:
            continue
        out.setdefault(key, set()).add("lost" if kind in MC_LOST else "reachable")
    return out


def run(cmd, env=None):
    try:
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120,
                       env=env, cwd=TREE)
    except subprocess.TimeoutExpired:
        pass


def xml_files(pattern):
    """The XML files one run wrote (one per process with --xml-file=X.%p.xml),
    the first process's first (pids grow)."""
    d, base = os.path.split(pattern)
    head = base.split("%p")[0]
    found = [(int(m.group(1)), os.path.join(d, f)) for f in os.listdir(d)
             for m in [re.fullmatch(re.escape(head) + r"(\d+)\.xml", f)] if m]
    return [f for _, f in sorted(found)]


def check(job, handle_size, tmp):
    """Runs both tools on one program; with children (a fork shape), every
    process writes its own XML and process i of one run is compared with
    process i of the other."""
    name, argv, children = job
    tag = re.sub(r"[^\w.-]", "_", name)
    mc, ac = os.path.join(tmp, tag + ".mc.%p.xml"), os.path.join(tmp, tag + ".ac.%p.xml")
    common = ["--xml=yes", "--num-callers=40"]
    if not children:
        common.append("--child-silent-after-fork=yes")
    run(["valgrind", "--tool=memcheck", "--leak-check=full", "--show-leak-kinds=all",
         "--xml-file=" + mc] + common + argv)
    run([os.path.join(TREE, "valgrind", "arrgrind"), "--show-leak-kinds=all",
         "--show-libarr-frames=yes", "--xml-file=" + ac] + common + argv)
    mfiles, afiles = xml_files(mc), xml_files(ac)
    mroots, aroots = [parse(f) for f in mfiles], [parse(f) for f in afiles]
    if not mroots or not aroots or None in mroots + aroots or len(mroots) != len(aroots):
        return name, 0, [f"XML from memcheck: {len(mfiles)} files, from arrcheck: {len(afiles)}"], ""
    problems, seen, shown = [], 0, []
    for proc, (mroot, aroot) in enumerate(zip(mroots, aroots)):
        a, m = arrcheck_verdicts(aroot), memcheck_verdicts(mroot, handle_size)
        seen += len(a)
        for key in sorted(set(a) | set(m), key=str):
            av, mv = sorted(a.get(key, set())), sorted(m.get(key, set()))
            shown.append("/".join(av) or "-")
            if av != mv:
                where = " < ".join(f"{fn} ({f}:{ln})" for fn, f, ln in key)
                who = f"process {proc + 1}: " if len(mroots) > 1 else ""
                problems.append(f"{who}at {where}: arrcheck {av}, memcheck {mv}")
    return name, seen, problems, ", ".join(shown)


def jobs(build):
    progs = os.path.join(build, "tests", "valgrind")
    seen, out = set(), []
    for vgtest in sorted(os.listdir(HERE)):
        if not vgtest.endswith(".vgtest"):
            continue
        fields = {}
        with open(os.path.join(HERE, vgtest)) as f:
            for line in f:
                k, _, v = line.partition(":")
                fields[k.strip()] = v.strip()
        prog = fields.get("prog", "")
        if not prog or prog.startswith("req_") or prog == "handle_size":
            continue
        if os.path.exists(os.path.join(HERE, vgtest[:-7] + ".gdb")):
            continue  # needs gdb to finish; its program runs below without arguments
        args = fields.get("args", "")
        if "$" in args:
            continue  # needs the runner's environment
        if (prog, args) in seen:
            continue
        seen.add((prog, args))
        out.append((f"{prog} {args}".strip(), [os.path.join(progs, prog)] + shlex.split(args), False))
    ran = {p for p, _ in seen}
    for src in sorted(os.listdir(os.path.join(HERE, "progs"))):
        prog = src[:-2]
        if src.endswith(".c") and not prog.startswith("req_") and prog != "handle_size" \
                and prog != SHAPES and prog not in ran:
            out.append((prog, [os.path.join(progs, prog)], False))
    # heap_shapes: one run per shape it lists; fork shapes compare each process
    shapes = subprocess.run([os.path.join(progs, SHAPES), "--list"], capture_output=True,
                            text=True, check=True, timeout=30).stdout.split()
    out += [(f"{SHAPES} {s}", [os.path.join(progs, SHAPES), s], s.startswith("fork"))
            for s in shapes]
    samples = os.path.join(build, "samples")
    for src in sorted(os.listdir(os.path.join(TREE, "samples"))):
        if src.endswith(".c") and os.path.exists(os.path.join(samples, src[:-2])):
            out.append(("samples/" + src[:-2], [os.path.join(samples, src[:-2])], False))
    return out


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(TREE, "build"))
    only = sys.argv[2:]  # words a program's name must contain (all by default)
    size = subprocess.run([os.path.join(build, "tests", "valgrind", "handle_size")],
                          capture_output=True, text=True, check=True)
    handle_size = int(size.stdout)
    failed = total = 0
    with tempfile.TemporaryDirectory() as tmp, \
            concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for name, narrays, problems, verdicts in pool.map(lambda j: check(j, handle_size, tmp),
                                                          [j for j in jobs(build) if not only
                                                           or any(w in j[0] for w in only)]):
            total += 1
            if problems:
                failed += 1
                print(f"DIFFER {name}")
                for p in problems:
                    print("   " + p)
            else:
                print(f"agree  {name} ({narrays} places: {verdicts or 'none'})")
    print(f"crosscheck: {total - failed} programs agree with memcheck, {failed} differ")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
