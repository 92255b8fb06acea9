"""IPython and Jupyter: %load_ext arrdbg, then

    %%arrdbg                 run the cell, then its report (peak, copies, pins,
                             per line: "In [3]:2" is line 2 of cell 3)
    %arrdbg STATEMENT        the same for one statement
    %arrdbg_report           the report of the session so far (every measured
                             cell is a phase of it, with its own peak)

%%arrdbg and %arrdbg take limits, as the pytest marker does:
`%%arrdbg --peak "64 MB" --copies 0 --pinned 0`; a cell over one raises
ArrdbgLimitError after its report.

In Jupyter a report is the HTML page of arrdbg.html (in an iframe of its
own) with the text as its text/plain fallback; in a terminal, the text.
Lines of code typed into the session are named by their cell ("In [3]:2");
what a cell defines and a later cell calls keeps its own cell's name.
"""
import ast
import io
import itertools
import linecache
import re

import arrdbg
from . import _limits

_cell_ids = itertools.count(1)
_measured = {}  # code file name of a measured cell -> "In [N]"


class ArrdbgLimitError(Exception):
    """A measured cell went over one of its limits (IPython shows the
    message alone, not a traceback through the magic)."""

    def _render_traceback_(self):
        return [f"ArrdbgLimitError: {self}"]


class Report:
    """A report that shows as HTML in Jupyter and as text elsewhere."""

    def __init__(self, data, text):
        self.data = data
        self.text = text

    def __repr__(self):
        return self.text

    def _repr_pretty_(self, p, cycle):
        p.text(self.text)

    def _repr_html_(self):
        from . import html
        return html.fragment(self.data, next(_cell_ids))


def _names(shell):
    """{code file name: "In [N]"} of the session's cells."""
    out = dict(_measured)
    fmap = getattr(getattr(shell, "compile", None), "_filename_map", None) or {}
    for fname, n in fmap.items():
        out[fname] = f"In [{n}]"
    return out


def _rename(obj, names):
    """The report with every file name of a cell replaced by its In [N]."""
    if isinstance(obj, dict):
        return {k: (names.get(v, v) if k.endswith("file") and isinstance(v, str) else _rename(v, names))
                for k, v in obj.items()}
    if isinstance(obj, list):
        return [_rename(v, names) for v in obj]
    return obj


def _cell_name(shell):
    return f"In [{shell.execution_count}]"


def _compile_cell(shell, src, name, first_line):
    """Code objects (body, last expression or None) of a cell's source,
    named name so its lines read as name:LINE from first_line on."""
    src = shell.transform_cell(src) if hasattr(shell, "transform_cell") else src
    fname = f"<arrdbg {name}>"
    _measured[fname] = name
    padded = "\n" * (first_line - 1) + src
    linecache.cache[fname] = (len(padded), None, padded.splitlines(True), fname)
    tree = ast.parse(padded, fname)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    body = compile(tree, fname, "exec")
    return fname, body, (compile(last, fname, "eval") if last is not None else None)


_OPTION = re.compile(r"""\s*--(peak|copies|pinned)(?:\s+|=)("[^"]*"|'[^']*'|[^\s"']+)""")


def _parse_options(line):
    """(limits, the rest of the line) of `--peak SIZE --copies N --pinned N STMT`."""
    opts, pos = {}, 0
    while True:
        m = _OPTION.match(line, pos)
        if m is None:
            break
        v = m.group(2)
        opts[m.group(1)] = v[1:-1] if v[0] in "\"'" else v
        pos = m.end()
    rest = line[pos:].strip()
    if rest.startswith("--"):
        raise ArrdbgLimitError(f"arrdbg: unknown option or missing value: {rest.split()[0]} "
                               f"(the options are --peak SIZE, --copies N, --pinned N)")
    try:
        return _limits.parse_limits(**opts), rest
    except ValueError as e:
        raise ArrdbgLimitError(f"arrdbg: {e}") from None


def _measure(shell, src, first_line, limits):
    from . import _window
    name = _cell_name(shell)
    fname, body, last = _compile_cell(shell, src, name, first_line)
    value = None
    w = _window.Window(name).start()
    try:
        exec(body, shell.user_ns)
        if last is not None:
            value = eval(last, shell.user_ns)
    finally:
        from . import _timeline
        rep = _rename(_timeline.attach(w.stop()), _names(shell))
        over = _window.over_limits(rep, limits)
        text = _window.text(rep)
        if over:
            text = "arrdbg: over the limits: " + "; ".join(over) + "\n" + text
        from IPython.display import display
        display(Report(rep, text))
    if over:
        raise ArrdbgLimitError(f"{name} exceeded its NumPy memory limits: " + "; ".join(over))
    return value


def session_report(shell):
    """The session's report so far (a Report)."""
    from ._text import print_report
    data = _rename(arrdbg.report_data(), _names(shell))
    buf = io.StringIO()
    print_report(data, buf)
    return Report(data, buf.getvalue().rstrip("\n"))


def load_ipython_extension(shell):
    from IPython.core.magic import Magics, line_cell_magic, line_magic, magics_class

    @magics_class
    class ArrdbgMagics(Magics):
        @line_cell_magic
        def arrdbg(self, line, cell=None):
            """%%arrdbg [--peak SIZE] [--copies N] [--pinned N]: run the cell and show its
            NumPy memory report.  %arrdbg [options] STATEMENT: the same for one statement."""
            try:
                limits, rest = _parse_options(line)
            except ArrdbgLimitError as e:
                print(e)
                return None
            if cell is None and not rest:
                print("arrdbg: usage: %arrdbg [--peak SIZE] [--copies N] [--pinned N] STATEMENT")
                return None
            from ._window import WindowError
            try:
                if cell is None:
                    return _measure(self.shell, rest, 1, limits)
                return _measure(self.shell, cell, 2, limits)
            except SyntaxError as e:  # before anything ran: say where, in one line
                print(f"arrdbg: {_cell_name(self.shell)}:{e.lineno}: SyntaxError: {e.msg}")
            except WindowError as e:
                print(e)
            return None

        @line_magic
        def arrdbg_report(self, line):
            """%arrdbg_report: the NumPy memory report of the session so far."""
            return session_report(self.shell)

    arrdbg.install()
    from . import _timeline
    _timeline.start()
    shell.register_magics(ArrdbgMagics)
