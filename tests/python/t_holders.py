"""What holds a view that pins a base is named as the program names it: a
global or the path from one (store.chunk, cache['block'], keep[0]); else
an object's attribute (Class.attr) or a list's item."""
import numpy as np

import arrdbg
import check


class Store:
    pass


store = Store()
store.chunk = np.random.rand(500, 400)[:5]  # @attr
cache = {"block": np.random.rand(500, 400)[:5]}  # @dict
keep = [np.random.rand(500, 400)[:5]]  # @list
glob = np.random.rand(500, 400)[:5]  # @global


def hidden():
    """Held where no global leads: found through gc.get_referrers."""
    s = Store()
    s.part = np.random.rand(500, 400)[:5]  # @inner
    return s, [0, np.random.rand(500, 400)[:5]]  # @anon


hold = (lambda x: lambda: x)(hidden())  # in a closure: no path from a global

pins = arrdbg.report_data()["pins_at_exit"]
held = {v["line"]: v["holder"] for p in pins for v in p["views"]}
want = {"attr": "store.chunk", "dict": "cache['block']", "list": "keep[0]", "global": "glob",
        "inner": "Store.part", "anon": "list[1]"}
for mk, name in want.items():
    got = held.get(check.marker_line(mk))
    check.check(got == name, f"@{mk}: held by {got!r}, want {name!r}")
check.done()
