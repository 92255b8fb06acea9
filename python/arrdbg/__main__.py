"""python3 -m arrdbg run [--json FILE] [--html FILE] [--output FILE] [--quiet] [--lib DIR] [--no-lib]
                        [--stack-depth N] [--min-bytes N] [--top N] [--imports] SCRIPT [ARGS...]
       python3 -m arrdbg html REPORT.json [-o FILE.html]
       python3 -m arrdbg diff OLD.json NEW.json [--threshold SIZE] [--copies N]

Runs SCRIPT as `python3 SCRIPT ARGS...` would (sys.argv, __main__, its
directory first on sys.path) with arrdbg's NumPy handler installed, and
prints the report when it ends (stderr, or --output FILE), also after an
exception or sys.exit() in the script (not after os._exit()).  --json FILE also writes the report
as JSON, --html FILE as one self-contained HTML page (html: the same page
from a saved JSON report; diff: what changed between two, exit status 1 when
something grew past the threshold; see python/README.md).  Exit status: the script's; 2 for a usage error or NumPy < 1.22.
"""
import argparse
import builtins
import json
import os
import sys
import types


def _usage_error(msg):
    print(f"arrdbg: {msg}", file=sys.stderr)
    print("usage: python3 -m arrdbg run [--json FILE] [--html FILE] [--output FILE] [--quiet] "
          "SCRIPT [ARGS...]  (or: html REPORT.json, diff OLD.json NEW.json)", file=sys.stderr)
    return 2


def _final_report(args):
    import arrdbg
    from arrdbg import _report
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    try:
        data = arrdbg.report_data()
        if args.json:
            from arrdbg._files import write_text  # a FIFO or a link is written into
            write_text(args.json, json.dumps(data, indent=1))
        if args.html:
            from arrdbg import html
            html.write(data, args.html, title=os.path.basename(args.script))
        if not args.quiet:
            if args.output:
                with open(args.output, "w") as f:
                    _report.print_report(data, f)
            else:
                _report.print_report(data, sys.stderr)
    except OSError as e:
        print(f"arrdbg: cannot write the report: {e}", file=sys.stderr)
    except Exception as e:  # never hide the script's own outcome behind ours
        print(f"arrdbg: the report failed: {type(e).__name__}: {e}", file=sys.stderr)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    if argv[0] == "supp":  # an earlier version's command
        return _usage_error("there is no 'supp' any more: arrcheck needs no suppression file "
                            "for arrdbg (valgrind --tool=arrcheck python3 -m arrdbg run SCRIPT)")
    if argv[0] == "html":
        from arrdbg import html
        return html.main(argv[1:])
    if argv[0] == "diff":
        from arrdbg import diff
        return diff.main(argv[1:])
    if argv[0] != "run":
        return _usage_error(f"unknown command {argv[0]!r} (the commands are run, html, diff)")
    p = argparse.ArgumentParser(prog="python3 -m arrdbg run", add_help=True)
    p.add_argument("--json", metavar="FILE")
    p.add_argument("--html", metavar="FILE", help="the report as one self-contained HTML file")
    p.add_argument("--output", "-o", metavar="FILE")
    p.add_argument("--quiet", "-q", action="store_true", help="no text report")
    p.add_argument("--lib", action="append", default=[], metavar="DIR",
                   help="code under DIR is a library's: charge its bytes to the caller's line")
    p.add_argument("--no-lib", action="store_true",
                   help="charge bytes to the innermost frame outside NumPy, library or not")
    p.add_argument("--stack-depth", type=int, default=4, metavar="N",
                   help="library frames shown under a line (default 4)")
    p.add_argument("--min-bytes", type=int, default=None, metavar="N",
                   help="text table: lines below N bytes are left out (default: 100 kB, "
                   "or 1%% of the bytes allocated when less)")
    p.add_argument("--top", type=int, default=40, metavar="N",
                   help="text table: at most N lines (default 40; 0: all)")
    p.add_argument("--imports", action="store_true",
                   help="text table: also the lines that allocated only while importing")
    p.add_argument("script")
    p.add_argument("args", nargs=argparse.REMAINDER)
    args = p.parse_args(argv[1:])
    if not os.path.isfile(args.script):
        return _usage_error(f"{args.script}: no such file")

    import arrdbg
    arrdbg.configure(lib=args.lib, no_lib=args.no_lib, stack_depth=args.stack_depth,
                     min_bytes=args.min_bytes, top=args.top, imports=args.imports)
    try:
        arrdbg.install()
    except arrdbg.NumpyTooOld as e:
        print(e, file=sys.stderr)
        return 2
    except ImportError as e:
        print(f"arrdbg: cannot load NumPy or the handler: {e}", file=sys.stderr)
        return 2
    if args.html or args.json:
        from arrdbg import _timeline
        _timeline.start()  # live bytes over time, for the plot
    sys.argv = [args.script] + args.args
    sys.path.insert(0, os.path.dirname(os.path.abspath(args.script)))
    try:
        with open(args.script, "rb") as f:
            # The absolute path: sites name it, and gdb may read them
            # from a core far from the working directory.
            code = compile(f.read(), os.path.abspath(args.script), "exec")
    except (OSError, SyntaxError, ValueError) as e:
        return _usage_error(f"{args.script}: {e}")
    # Run it as python3 would: a fresh __main__ module, kept alive until the
    # report has looked at what the script left behind.
    main_mod = types.ModuleType("__main__")
    main_mod.__file__ = args.script
    main_mod.__builtins__ = builtins
    sys.modules["__main__"] = main_mod
    try:
        exec(code, main_mod.__dict__)
    finally:
        _final_report(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
