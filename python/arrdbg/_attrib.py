"""Whose line a site's bytes are charged to.

Every site carries its whole Python stack (interned by the handler: a
stack is a tuple of frame ids, innermost first).  The bytes go to the
innermost frame in the user's code: not NumPy's, not the standard
library's, not an installed package's (site-packages, dist-packages), not
arrdbg's, not under a directory given with --lib.  The library frames
between that line and NumPy ("via") say which library function made the
buffer.  --no-lib charges the innermost frame outside NumPy (the library's
own line), as arrdbg did before stacks.

A site whose stack runs through the import machinery
(<frozen importlib._bootstrap>) inside the user's frame was made while a
module was being imported: an "import-time" site (hidden from the text
table unless --imports).
"""
import os
import sysconfig

# What run's options (and arrdbg.configure) set; report_data() reads it.
# min_bytes None: 100 kB, or 1% of the bytes allocated when that is less.
options = {"lib": [], "no_lib": False, "stack_depth": 4, "min_bytes": None, "top": 40,
           "imports": False}

_PSEUDO = 2  # sites 0 and 1 are "<no GIL>" and "<no Python frame>"
_HERE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def library_prefixes(extra=()):
    """Directories whose code is a library's, each ending in a separator."""
    out = set()
    paths = sysconfig.get_paths()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        if paths.get(key):
            out.add(os.path.join(paths[key], ""))
    out.add(_HERE)
    for p in extra:
        out.add(os.path.join(os.path.abspath(p), ""))
    return tuple(sorted(out))


class Attributor:
    """Charges sites to lines; one per report (it caches per frame and site)."""

    def __init__(self, frames, stacks, opts=None):
        self.frames, self.stacks = frames, stacks
        self.opts = dict(options, **(opts or {}))
        self.prefixes = library_prefixes(self.opts["lib"])
        self._lib = {}
        self._site = {}

    def is_library(self, file):
        got = self._lib.get(file)
        if got is None:
            if file.startswith("<"):
                got = file.startswith(("<frozen", "<__array_function__"))
            else:
                got = (file.startswith(self.prefixes) or "/site-packages/" in file
                       or "/dist-packages/" in file)
            self._lib[file] = got
        return got

    def site(self, i, s):
        """{"user": frame id or None, "via": [frame ids, outer to inner],
        "user_code": bool, "import_time": bool} of site i (s: its row)."""
        got = self._site.get(i)
        if got is not None:
            return got
        got = {"user": None, "via": [], "user_code": False, "import_time": False,
               "stack": None}
        if i >= _PSEUDO and s[12] < len(self.stacks):
            ids = self.stacks[s[12]]
            fr = self.frames
            leaf = 0
            while leaf + 1 < len(ids) and fr[ids[leaf]][5]:
                leaf += 1
            user = leaf
            if not self.opts["no_lib"]:
                while user < len(ids) and self.is_library(fr[ids[user]][0]):
                    user += 1
            if user < len(ids):
                got["user_code"] = not self.is_library(fr[ids[user]][0])
            else:
                user = leaf  # no frame of the user's: the library's own line
            got["user"] = ids[user]
            got["via"] = list(reversed(ids[leaf:user]))
            got["import_time"] = any(fr[f][0].startswith("<frozen importlib")
                                     for f in ids[:user])
            got["stack"] = s[12]
        self._site[i] = got
        return got

    def short(self, frame_id):
        """'sklearn/utils/validation.py:879 check_array': a frame as a reader
        knows it (a package path from its top directory)."""
        file, func, line = self.frames[frame_id][:3]
        for marker in ("/site-packages/", "/dist-packages/"):
            k = file.rfind(marker)
            if k >= 0:
                file = file[k + len(marker):]
                break
        else:
            for p in self.prefixes:
                if file.startswith(p):
                    file = file[len(p):]
                    break
            else:
                file = os.path.basename(file)
        return f"{file}:{line} {func}"

    def via_text(self, via):
        """The library path, outer to inner, at most stack_depth frames (the
        outermost and the innermost ones; '...' for those left out)."""
        n = max(1, int(self.opts["stack_depth"]))
        names = [self.short(f) for f in via]
        if len(names) > n:
            names = names[:1] + ["..."] + names[len(names) - (n - 1):] if n > 1 else \
                ["..."] + names[-1:]
        return " > ".join(names)
