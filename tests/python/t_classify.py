"""Each allocation's op: a copy op allocates exactly when NumPy says the
result does not share memory with its input (np.shares_memory), and is then
named for the call; arithmetic, temporaries, indexing and creation too."""
import numpy as np

import arrdbg
import check

rng = np.random.default_rng(0)
base = rng.random((40, 30))  # @rand
contig = np.arange(120.0).reshape(10, 12)

r_copy = base.copy()  # @copy
r_astype = base.astype(np.float32)  # @astype
r_asc_t = np.ascontiguousarray(base.T)  # @asc_copy
r_asc_c = np.ascontiguousarray(contig)  # @asc_nocopy
r_asf = np.asfortranarray(contig)  # @asf
r_resh_c = contig.reshape(-1)  # @reshape_nocopy
r_resh_t = contig.T.reshape(-1)  # @reshape_copy
r_fancy = base[[1, 5, 7]]  # @fancy
r_bool = contig[contig > 50]  # @bool
r_arith = base * 3.0  # @arith
r_temp = base * 3.0 + base  # @temp
r_zeros = np.zeros((7, 9))  # @zeros
r_empty = np.empty(33)  # @empty
r_slice = base[2:10, ::2]  # @slice

for _ in range(60):  # 3.11 specialises the call: the frame may point at PRECALL
    r_loop = contig.copy()  # @loop

data = arrdbg.report_data()
src = {"copy": base, "astype": base, "asc_copy": base, "asc_nocopy": contig, "asf": contig,
       "reshape_nocopy": contig, "reshape_copy": contig, "slice": base}
res = {"copy": r_copy, "astype": r_astype, "asc_copy": r_asc_t, "asc_nocopy": r_asc_c,
       "asf": r_asf, "reshape_nocopy": r_resh_c, "reshape_copy": r_resh_t, "slice": r_slice}
want_op = {"copy": "copy", "astype": "astype", "asc_copy": "ascontiguousarray",
           "asc_nocopy": "ascontiguousarray", "asf": "asfortranarray",
           "reshape_nocopy": "reshape-copy", "reshape_copy": "reshape-copy", "slice": None}


def ops_at(marker):
    e = check.line_entry(data, __file__, check.marker_line(marker))
    return (e["ops"], e["arrays"], e["allocated"]) if e else ([], 0, 0)


for m, r in res.items():
    copied = not np.shares_memory(r, src[m])
    ops, n, nbytes = ops_at(m)
    if copied:
        check.check(n == 1 and nbytes == r.nbytes and ops == [want_op[m]],
                    f"@{m}: NumPy copied {r.nbytes} bytes; arrdbg saw {n} arrays {nbytes} bytes {ops}")
    else:
        check.check(n == 0, f"@{m}: NumPy made a view; arrdbg saw {n} arrays {ops}")

for m, r, op in (("fancy", r_fancy, "indexing"), ("zeros", r_zeros, "zeros"),
                 ("empty", r_empty, "empty"), ("arith", r_arith, "arithmetic"),
                 ("rand", base, "random.random")):
    ops, n, nbytes = ops_at(m)
    check.check(op in ops and nbytes >= r.nbytes, f"@{m}: want {op} >= {r.nbytes} bytes, got {ops} {nbytes}")
ops, n, nbytes = ops_at("bool")
check.check("indexing" in ops and "temporary" in ops, f"@bool: mask temporary + indexing, got {ops}")
ops, n, nbytes = ops_at("temp")
check.check(ops[:1] == ["temporary"] and "arithmetic" in ops,
            f"@temp: base * 3.0 is a temporary, the sum the result: {ops}")
kinds = {o["op"]: o["kind"] for o in data["ops"]}
for op, kind in (("copy", "copy"), ("astype", "copy"), ("indexing", "copy"),
                 ("zeros", "creation"), ("random.random", "creation"),
                 ("arithmetic", "arithmetic"), ("temporary", "arithmetic")):
    check.check(kinds.get(op) == kind, f"op {op}: kind {kinds.get(op)}, want {kind}")
ops, n, nbytes = ops_at("loop")
check.check(ops == ["copy"] and n == 60, f"@loop: 60 copies, got {n} {ops}")
check.done()
