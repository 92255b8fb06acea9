"""`python3 -m arrdbg run [OPTIONS] SCRIPT [ARGS...]`: run SCRIPT exactly as
`python3 SCRIPT ARGS...` would, with arrdbg installed, and report at exit.

As python3 does: SCRIPT may be a file, a directory or zip file with a
__main__.py, or `-` (the program on stdin); sys.argv is [SCRIPT, ARGS...]
untouched (a `--` after SCRIPT is kept); sys.path[0] is the script's
directory (the directory or zip itself; '' for stdin); a SyntaxError prints
python's message and exits 1; an uncaught exception prints its traceback
(the script's frames only) and exits 1; sys.exit() works as usual.

Outputs: the text report to stderr (or --output FILE), --json FILE.  Both
paths are resolved when run starts (the script may chdir) and `%p` in them
becomes the process id (each forked child writes its own; a child reports
only the arrays it made).  A regular file (or no file) at a path is
replaced whole (written beside it, then renamed); anything else there (a
FIFO, a device, a symlink) is written into, as open(PATH, 'w') does.  A
report that cannot be written says so on stderr (never on stdout) and
changes no exit status; the text report is printed even when --json fails.
"""
import argparse
import os
import signal
import stat
import sys
import traceback
import types

USAGE = ("usage: python3 -m arrdbg run [--json FILE] [--html FILE] [--output FILE] [--quiet] [--lib DIR] "
         "[--no-lib]\n       [--stack-depth N] [--min-bytes N] [--top N] [--imports] [--dask] "
         "SCRIPT|DIR|ZIP|- [ARGS...]")

# Options that take a value (the token after them is not the script).
_VALUED = {"--json", "--html", "--output", "-o", "--lib", "--stack-depth", "--min-bytes", "--top"}


def _count(text):
    """A whole number >= 0 (argparse type)."""
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 0")
    return n


def _parser():
    p = argparse.ArgumentParser(prog="python3 -m arrdbg run", add_help=True, usage=USAGE[7:])
    p.add_argument("--json", metavar="FILE", help="also write the report as JSON")
    p.add_argument("--html", metavar="FILE", help="also write the report as one self-contained HTML page")
    p.add_argument("--output", "-o", metavar="FILE", help="the text report to FILE")
    p.add_argument("--quiet", "-q", action="store_true", help="no text report")
    p.add_argument("--lib", action="append", default=[], metavar="DIR",
                   help="code under DIR is a library's: charge its bytes to the caller's line")
    p.add_argument("--no-lib", action="store_true",
                   help="charge bytes to the innermost frame outside NumPy, library or not")
    p.add_argument("--stack-depth", type=_count, default=4, metavar="N",
                   help="library frames shown under a line (default 4)")
    p.add_argument("--min-bytes", type=_count, default=None, metavar="N",
                   help="text table: lines below N bytes are left out (default: 100 kB, "
                   "or 1%% of the bytes allocated when less)")
    p.add_argument("--top", type=_count, default=40, metavar="N",
                   help="text table: at most N lines (default 40; 0: all)")
    p.add_argument("--imports", action="store_true",
                   help="text table: also the lines that allocated only while importing")
    p.add_argument("--dask", action="store_true",
                   help="arrdbg on the workers of every distributed.Client SCRIPT makes (and "
                        "task prefixes for dask's local schedulers): arrdbg.dask")
    return p


def split_argv(argv):
    """(options, script, args): everything after SCRIPT belongs to it,
    verbatim.  script None when there is none."""
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            i += 1
            break
        if a == "-" or not a.startswith("-"):
            break
        i += 2 if a in _VALUED else 1
    if i >= len(argv):
        return argv, None, []
    return argv[:i] if argv[i - 1:i] != ["--"] else argv[:i - 1], argv[i], argv[i + 1:]


def err(msg):
    """A line on stderr, and never anywhere else (with 2>&- sys.stderr is
    None: print() would write to stdout)."""
    write_stderr(msg.rstrip("\n") + "\n")


def write_stderr(text):
    """Writes to the process's stderr, straight to its descriptor: a full or
    closed stderr loses the text and changes nothing else (no exception, no
    unflushed buffer failing at exit)."""
    e = sys.stderr
    if e is None:
        return
    try:
        e.flush()
    except (OSError, ValueError):
        pass
    try:
        fd = e.fileno()
    except (OSError, ValueError, AttributeError):
        fd = None
    if fd is None:
        try:
            e.write(text)
            e.flush()
        except (OSError, ValueError):
            pass
        return
    data = text.encode(getattr(e, "encoding", None) or "utf-8", "backslashreplace")
    try:
        while data:
            data = data[os.write(fd, data):]
    except OSError:
        pass


def out_path(path):
    """An output path as given at start: absolute, %p -> the process id
    when the report is written (so a forked child has its own)."""
    return None if path is None else os.path.abspath(path)


def _expand(path):
    return path.replace("%p", str(os.getpid()))


def write_file(path, text):
    """Writes text at path: a regular file (or none) is replaced whole, by a
    per-process temporary file renamed over it; anything else (FIFO, device,
    symlink) is opened and written into."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        with open(path, "w") as f:
            f.write(text)
        return
    tmp = "%s.%d.tmp" % (path, os.getpid())
    try:
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def final_report(args):
    import json
    import arrdbg
    from . import _text
    try:
        sys.stdout.flush()
    except (OSError, ValueError, AttributeError):
        pass
    try:
        data = arrdbg.report_data()
        if args.dask:  # the cluster reports taken as each Client closed
            from . import dask as arrdbg_dask
            data["dask"] = arrdbg_dask.collected()
    except Exception as e:  # never hide the script's own outcome behind ours
        err(f"arrdbg: the report failed: {type(e).__name__}: {e}")
        return
    if args.json:
        path = _expand(args.json)
        try:
            write_file(path, json.dumps(data, indent=1))
        except (OSError, ValueError) as e:
            err(f"arrdbg: cannot write the JSON report {path}: {e}")
    if args.html:  # the page (arrdbg/html.py)
        path = _expand(args.html)
        try:
            from . import html
            write_file(path, html.render(data, title=os.path.basename(args.script)))
        except (OSError, ValueError) as e:
            err(f"arrdbg: cannot write the HTML report {path}: {e}")
    if args.quiet:
        return
    try:
        import io
        buf = io.StringIO()
        _text.print_report(data, buf)
        text = buf.getvalue()
    except Exception as e:
        err(f"arrdbg: the report failed: {type(e).__name__}: {e}")
        return
    if args.output:
        path = _expand(args.output)
        try:
            write_file(path, text)
        except (OSError, ValueError) as e:
            err(f"arrdbg: cannot write the report {path}: {e}")
    else:
        write_stderr(text)


def _load(script):
    """(code, file, path0, spec) of what python3 SCRIPT would run; raises
    OSError/ImportError (cannot open) or SyntaxError."""
    if script == "-":
        src = sys.stdin.buffer.read() if sys.stdin is not None else b""
        return compile(src, "<stdin>", "exec"), "<stdin>", "", None
    if os.path.isdir(script) or (os.path.isfile(script) and _is_zip(script)):
        import pkgutil
        importer = pkgutil.get_importer(script)
        spec = importer.find_spec("__main__") if importer is not None else None
        if spec is None or spec.loader is None:
            raise ImportError(f"can't find '__main__' module in {script!r}")
        return spec.loader.get_code("__main__"), spec.origin, script, spec
    with open(script, "rb") as f:
        src = f.read()
    # The absolute path: sites name it, and gdb may read them from a core
    # far from the working directory.
    return compile(src, os.path.abspath(script), "exec"), script, \
        os.path.dirname(os.path.abspath(script)), None


def _is_zip(path):
    import zipfile
    try:
        return zipfile.is_zipfile(path)
    except OSError:
        return False


def _print_exception(e):
    """The traceback python3 would print: the script's frames only."""
    tb = e.__traceback__
    here = os.path.abspath(__file__)
    while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) == here:
        tb = tb.tb_next
    e.__traceback__ = tb
    try:
        sys.excepthook(type(e), e, tb)
    except Exception:
        write_stderr("".join(traceback.format_exception(type(e), e, tb)))


def main(argv):
    opts, script, rest = split_argv(argv)
    p = _parser()
    if script is None:
        if any(o in ("-h", "--help") for o in opts):
            p.print_help()
            return 0
        err("arrdbg: no script to run")
        err(USAGE)
        return 2
    try:
        args = p.parse_args(opts)
    except SystemExit as e:
        return 2 if e.code else 0
    args.json, args.output = out_path(args.json), out_path(args.output)
    args.html, args.script = out_path(args.html), script
    if script != "-" and not os.path.exists(script):
        err(f"{sys.executable}: can't open file {script!r}: [Errno 2] No such file or directory")
        return 2

    import arrdbg
    arrdbg.configure(lib=args.lib, no_lib=args.no_lib, stack_depth=args.stack_depth,
                     min_bytes=args.min_bytes, top=args.top, imports=args.imports)
    try:
        arrdbg.install()
    except arrdbg.NumpyTooOld as e:
        err(str(e))
        return 2
    except ImportError as e:
        err(f"arrdbg: cannot load NumPy or the handler: {e}")
        return 2
    if args.html or args.json:
        from . import _timeline
        _timeline.start()  # live bytes over time, for the page's plot
    if args.dask:
        try:
            from . import dask as arrdbg_dask
            arrdbg_dask.hook_clients(quiet=args.quiet)
        except ImportError as e:
            err(f"arrdbg: --dask needs dask and distributed (python3-dask, python3-distributed): {e}")
            return 2
    try:
        code, file, path0, spec = _load(script)
    except SyntaxError as e:
        write_stderr("".join(traceback.format_exception_only(type(e), e)))
        return 1
    except (OSError, ImportError, ValueError) as e:
        err(f"{sys.executable}: can't open file {script!r}: {e}")
        return 2
    sys.argv = [script] + rest
    sys.path[0] = path0  # where `python3 -m arrdbg` put the working directory
    # A fresh __main__ module, kept alive until the report has looked at
    # what the script left behind.
    import builtins
    main_mod = types.ModuleType("__main__")
    main_mod.__file__ = file
    main_mod.__builtins__ = builtins
    main_mod.__spec__ = spec
    if spec is not None:
        main_mod.__loader__ = spec.loader
    sys.modules["__main__"] = main_mod
    from . import _arrdbg
    _arrdbg.set_stack_root(True)  # stacks start at the script's frame
    try:
        exec(code, main_mod.__dict__)
    except SystemExit:
        _arrdbg.set_stack_root(False)
        final_report(args)
        raise
    except KeyboardInterrupt as e:
        _arrdbg.set_stack_root(False)
        _print_exception(e)
        final_report(args)
        # As python3 does: die of SIGINT, so the parent sees it.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
        return 130
    except BaseException as e:
        _arrdbg.set_stack_root(False)
        _print_exception(e)
        final_report(args)
        return 1
    _arrdbg.set_stack_root(False)
    final_report(args)
    return 0
