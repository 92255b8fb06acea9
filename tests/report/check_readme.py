#!/usr/bin/python3
"""tests/report/check_readme.py - README.md's walkthrough shows real, current
output: each code block there that starts with "$ COMMAND" (continued by a
trailing backslash) on build/samples/tutorial_pipeline is run again, and its
output must equal the block's text, after both are normalised (pids, hex
addresses, line numbers inside libarr's own files, which move as libarr
changes, and where in libc gdb stopped).  gdb's start-up chatter (breakpoint address, libthread_db, the
line of exit.c) is left out of the README and of the comparison.

    check_readme.py BUILD            compare; exit 1 when a block is stale
    check_readme.py BUILD --update   rewrite the stale blocks from fresh runs
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
README = os.path.join(ROOT, "README.md")
BLOCK_RE = re.compile(r"^```\n(\$ (?:[^\n]*\\\n)*[^\n]*tutorial_pipeline[^\n]*\n)(.*?)^```\n",
                      re.M | re.S)
GDB_CHATTER = re.compile(r"^(Breakpoint 1 at |\[Thread debugging|Using host libthread_db|\d+\t"
                         r"|\s*$)")


def normalise(text):
    text = re.sub(r"==\d+==", "==PID==", text)
    text = re.sub(r"0x[0-9A-Fa-f]+", "0xADDR", text)
    text = re.sub(r"\((arr_[a-z_]+\.c):\d+\)", r"(\1:N)", text)
    # Where gdb stopped in exit() depends on libc's debug info being there.
    text = re.sub(r"^Breakpoint 1, .*$", "Breakpoint 1, ...", text, flags=re.M)
    return text


def run(command, build):
    cmd = command.replace("\\\n", " ").replace("build/", build.rstrip("/") + "/")
    env = dict(os.environ, ARRDBG_BUILD=build)
    env.pop("ARR_CHECK_EXITCODE", None)
    p = subprocess.run(["bash", "-c", cmd + " 2>&1"], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=300)
    out = p.stdout
    if cmd.lstrip().startswith("gdb "):
        out = "".join(line for line in out.splitlines(True) if not GDB_CHATTER.match(line))
    return out


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    update = "--update" in sys.argv
    with open(README, encoding="utf-8") as f:
        text = f.read()
    blocks = list(BLOCK_RE.finditer(text))
    passed = failed = 0
    pieces, last = [], 0
    for m in blocks:
        command = m.group(1)[2:].rstrip("\n")
        fresh = run(command, build)
        if normalise(fresh) == normalise(m.group(2)):
            passed += 1
            print(f"ok    README block: $ {command.splitlines()[0]}")
            continue
        if update:
            pieces += [text[last:m.start(2)], fresh]
            last = m.end(2)
            print(f"updated README block: $ {command.splitlines()[0]}")
            continue
        failed += 1
        import difflib
        diff = difflib.unified_diff(normalise(m.group(2)).splitlines(), normalise(fresh).splitlines(),
                                    "README.md", "a fresh run", lineterm="", n=1)
        print(f"FAIL  README block is stale: $ {command.splitlines()[0]}\n      " +
              "\n      ".join(list(diff)[:30]))
    if update and pieces:
        with open(README, "w", encoding="utf-8") as f:
            f.write("".join(pieces) + text[last:])
    if len(blocks) < 3:
        failed += 1
        print(f"FAIL  README has {len(blocks)} tutorial blocks, expected the three tools' runs")
    if failed:
        print("      (after checking the new output is right: tests/report/check_readme.py "
              f"{build} --update)")
    print(f"readme: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
