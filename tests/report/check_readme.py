#!/usr/bin/python3
"""tests/report/check_readme.py - README.md shows real, current output, every
line of it, libarr's own stack frames and their line numbers included:

  - each code block that starts with "$ COMMAND" (continued by a trailing
    backslash) running a program of build/ is run again, and its output
    must equal the block's text;
  - each block after a line "<!-- check_readme: COMMAND | MODE -->" is
    checked against COMMAND's output (run from the top of the tree):
      excerpt   the block's lines appear in it, consecutively;
      records   each record of the block (a line and the indented lines
                under it, spaces squeezed: a table row) is one of its records;
      sections  a gdb transcript: each "(gdb) CMD" of the block is followed
                by what CMD printed in it ("== CMD" starts each section);
    and ", frames-without-lines" when the block shows libarr's frames as
    "(arr_free.c)", as it says.
Only pids, hex addresses and where in libc gdb stopped are normalised.
gdb's start-up chatter (breakpoint address, libthread_db, the line of
exit.c) is left out of the README and of the comparison.

    check_readme.py BUILD            compare; exit 1 when a block is stale
    check_readme.py BUILD --update   rewrite the stale "$ COMMAND" blocks
"""
import difflib
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
README = os.path.join(ROOT, "README.md")
RUN_BLOCK_RE = re.compile(r"^```\n(\$ (?:[^\n]*\\\n)*[^\n]*build/[^\n]*\n)(.*?)^```\n", re.M | re.S)
MARKED_RE = re.compile(r"^<!-- check_readme: (.*?) \| ([a-z, -]+) -->\n+```\n(.*?)^```\n", re.M | re.S)
GDB_CHATTER = re.compile(r"^(Breakpoint 1 at |\[Thread debugging|Using host libthread_db|\d+\t"
                         r"|\[Inferior 1 \(process \d+\) killed\]|\s*$)")


def normalise(text):
    text = re.sub(r"==\d+==", "==PID==", text)
    text = re.sub(r"0x[0-9A-Fa-f]+", "0xADDR", text)
    # Where gdb stopped in exit() depends on libc's debug info being there.
    text = re.sub(r"^Breakpoint 1, .*$", "Breakpoint 1, ...", text, flags=re.M)
    return text


def run(command, build):
    cmd = command.replace("\\\n", " ").replace("build/", build.rstrip("/") + "/")
    env = dict(os.environ, ARRDBG_BUILD=build)
    env.pop("ARR_CHECK_EXITCODE", None)
    p = subprocess.run(["bash", "-c", "exec 2>&1\n" + cmd], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=300)
    out = p.stdout
    if cmd.lstrip().startswith("gdb "):
        out = "".join(line for line in out.splitlines(True) if not GDB_CHATTER.match(line))
    return out


def records(text):
    """Table rows: a line and the indented lines under it, spaces squeezed."""
    recs = []
    for line in text.splitlines():
        if not line.strip() or set(line.strip()) == {"-"}:
            continue
        if line[0].isspace() and recs and not line.lstrip().startswith("="):
            recs[-1] += " " + " ".join(line.split())
        else:
            recs.append(" ".join(line.split()))
    return recs


def sections(text, prompt):
    """{command: its output lines}: from "(gdb) CMD" lines (prompt=True) or
    from a tour's "== CMD   (comment)" echo lines."""
    out, current = {}, None
    for line in text.splitlines():
        m = re.match(r"^\(gdb\) (.*)$", line) if prompt else re.match(r"^== (\S.*?)(?:   \(.*\))?$", line)
        if m:
            current = m.group(1).strip()
            out[current] = []
        elif current is not None and (line.strip() or not prompt):
            out[current].append(line)
    return {k: [line for line in v if line.strip()] for k, v in out.items()}


def check_marked(command, mode, block, fresh):
    """'' when the block agrees with the fresh output, else what differs."""
    if "frames-without-lines" in mode:
        fresh = re.sub(r"\((arr_[a-z_]+\.c):\d+\)", r"(\1)", fresh)
    fresh, block = normalise(fresh), normalise(block)
    if mode.startswith("excerpt"):
        want, got = block.splitlines(), fresh.splitlines()
        for i in range(len(got) - len(want) + 1):
            if got[i:i + len(want)] == want:
                return ""
        best = max(range(max(len(got), 1)), key=lambda i: sum(
            a == b for a, b in zip(got[i:i + len(want)], want)))
        return "\n".join(difflib.unified_diff(want, got[best:best + len(want)], "README.md",
                                              "a fresh run", lineterm="", n=1))
    if mode.startswith("records"):
        have = set(records(fresh))
        missing = [r for r in records(block) if r not in have]
        return "\n".join("not in a fresh run: " + r for r in missing)
    if mode.startswith("sections"):
        want, got = sections(block, True), sections(fresh, False)
        problems = []
        for cmd, lines in want.items():
            if cmd not in got:
                problems.append(f"(gdb) {cmd}: not in a fresh run")
            elif lines != got[cmd]:
                problems += [f"(gdb) {cmd}:"] + list(difflib.unified_diff(
                    lines, got[cmd], "README.md", "a fresh run", lineterm="", n=1))
        return "\n".join(problems)
    return f"unknown mode {mode!r}"


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    update = "--update" in sys.argv
    with open(README, encoding="utf-8") as f:
        text = f.read()
    passed = failed = 0

    def verdict(ok, what, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
            print(f"ok    README block: {what}")
        else:
            failed += 1
            print(f"FAIL  README block is stale: {what}\n      " + "\n      ".join(detail.splitlines()[:30]))

    blocks = list(RUN_BLOCK_RE.finditer(text))
    pieces, last = [], 0
    for m in blocks:
        command = m.group(1)[2:].rstrip("\n")
        fresh = run(command, build)
        same = normalise(fresh) == normalise(m.group(2))
        if not same and update:
            pieces += [text[last:m.start(2)], fresh]
            last = m.end(2)
            print(f"updated README block: $ {command.splitlines()[0]}")
            continue
        diff = "" if same else "\n".join(difflib.unified_diff(
            normalise(m.group(2)).splitlines(), normalise(fresh).splitlines(), "README.md",
            "a fresh run", lineterm="", n=1))
        verdict(same, "$ " + command.splitlines()[0], diff)
    if update and pieces:
        with open(README, "w", encoding="utf-8") as f:
            f.write("".join(pieces) + text[last:])

    marked = list(MARKED_RE.finditer(text))
    for m in marked:
        command, mode, block = m.group(1), m.group(2).strip(), m.group(3)
        problems = check_marked(command, mode, block, run(command, build))
        verdict(not problems, f"{command} ({mode})", problems)

    if sum("tutorial_pipeline" in m.group(1) for m in blocks) < 3:
        failed += 1
        print("FAIL  README has fewer than the three tools' tutorial blocks")
    if len(marked) < 4:
        failed += 1
        print(f"FAIL  README has {len(marked)} check_readme-marked blocks, expected at least 4")
    if failed:
        print("      (after checking the new output is right: tests/report/check_readme.py "
              f"{build} --update rewrites the \"$ COMMAND\" blocks; marked blocks by hand)")
    print(f"readme: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
