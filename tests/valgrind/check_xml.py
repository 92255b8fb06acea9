"""check_xml.py FILE KIND... - checks a Valgrind XML output file: well
formed, one <kind> per <error> from arrcheck's set, each error with a
stack, and every KIND given present.  Prints what it found (compared with
the test's post.exp) and exits 1 on any problem."""
import sys
import xml.etree.ElementTree as ET

KNOWN = {"LeakedCopy", "LeakedArray", "LeakedView", "OrphanedView", "DanglingAccess",
         "InvalidFree"}


def main(argv):
    if len(argv) < 2:
        print("usage: check_xml.py FILE KIND...")
        return 2
    try:
        root = ET.parse(argv[1]).getroot()
    except (OSError, ET.ParseError) as exc:
        print(f"not well formed: {exc}")
        return 1
    print("well formed")
    problems = 0
    print("tool:", root.findtext("tool"))
    kinds = []
    for err in root.iter("error"):
        kind = err.findtext("kind")
        kinds.append(kind)
        if kind not in KNOWN:
            print(f"unknown kind {kind!r}")
            problems += 1
        if err.find("stack") is None or err.find("stack").find("frame") is None:
            print(f"{kind}: no stack")
            problems += 1
        if err.find("what") is None and err.find("xwhat") is None:
            print(f"{kind}: no what/xwhat")
            problems += 1
    print("kinds:", " ".join(sorted(set(kinds))))
    for want in argv[2:]:
        if want not in kinds:
            print(f"missing kind {want}")
            problems += 1
    print("errorcounts:", len(root.findall("./errorcounts/pair")))
    status = root.find("status/state")
    print("final status:", [s.findtext("state") for s in root.iter("status")][-1:])
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
