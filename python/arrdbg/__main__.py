"""python3 -m arrdbg run [OPTIONS] SCRIPT [ARGS...]
       python3 -m arrdbg html REPORT.json [-o FILE.html]
       python3 -m arrdbg diff OLD.json NEW.json [--threshold SIZE] [--copies N]

Runs SCRIPT as `python3 SCRIPT ARGS...` would (sys.argv, __main__, its
directory first on sys.path; SCRIPT may also be a directory or zip file
with a __main__.py, or - for stdin) with arrdbg's NumPy handler installed,
and prints the report when it ends (stderr, or --output FILE), also after
an exception or sys.exit() in the script (not after os._exit()).  --json
FILE also writes the report as JSON, --html FILE as one self-contained HTML
page.  `run --help` lists the options.
Exit status: the script's; 2 for a usage error or NumPy < 1.22.

python3 -m arrdbg html REPORT.json [-o FILE.html]
    the HTML page of a saved JSON report
python3 -m arrdbg diff OLD.json NEW.json [--threshold SIZE] [--copies N] [--all]
    what changed between two reports; exit status 1 when something grew
    past the threshold (see python/README.md)
"""
import sys

from . import _run


def _usage_error(msg):
    _run.err(f"arrdbg: {msg}")
    _run.err(_run.USAGE)
    return 2


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
    return _run.main(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
