"""Where new threads get arrdbg's handler: NumPy's handler is per context
and a new thread starts in a fresh one."""


def patch(enter):
    """Threads start in a fresh context, whose NumPy handler is the default:
    make each new threading.Thread set ours first."""
    import threading
    orig = threading.Thread._bootstrap_inner
    if getattr(orig, "_arrdbg", False):
        return

    def _bootstrap_inner(self):
        try:
            enter()
        except Exception:
            pass
        return orig(self)
    _bootstrap_inner._arrdbg = True
    threading.Thread._bootstrap_inner = _bootstrap_inner
