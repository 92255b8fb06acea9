"""arrdbg: gdb pretty-printers and `arr` commands for libarr arrays.

Load from the source tree with `source gdb/arrdbg.py`; libarr also carries a
.debug_gdb_scripts entry that imports this package when gdb loads it.
register() is idempotent: printers per objfile (or globally), commands once.
The modules layout, overlap and npy do not need gdb (the offline tests use
them with plain Python), so nothing gdb-specific is imported here.
"""

_commands_registered = [False]


def register(objfile=None):
    import gdb

    try:
        from . import commands, memory, model, printers
    except ImportError as exc:  # e.g. _generated.py not made yet: say so, no traceback
        gdb.write("arrdbg: %s\n" % exc)
        return

    printers.register(objfile)
    if not _commands_registered[0]:
        _commands_registered[0] = True
        commands.register()
        from . import vgdb
        vgdb.register()
        _add_source_tree(gdb)
        from . import numpy_support
        numpy_support.register()
        memory.connect_events()
        for name in ("new_objfile", "clear_objfiles"):
            events = getattr(gdb.events, name, None)
            if events is not None:
                events.connect(model.forget_where)


def _add_source_tree(gdb):
    """Loaded from a source tree (gdb/python/arrdbg_gdb): add the tree to
    gdb's source path, so `list` finds libarr's sources from any directory
    (objects name them relative to the tree: -ffile-prefix-map).  An
    installed package (share/arrdbg/python) adds nothing."""
    import os

    package = os.path.dirname(os.path.abspath(__file__))
    tree = os.path.dirname(os.path.dirname(os.path.dirname(package)))
    if os.path.isfile(os.path.join(tree, "libarr", "arr.h")):
        try:
            gdb.execute("directory " + tree, to_string=True)
        except gdb.error:
            pass
