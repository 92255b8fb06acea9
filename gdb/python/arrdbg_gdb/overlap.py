"""May-share and exact shares-memory tests for strided arrays.

Pure Python (no gdb import).  The exact test decides whether two arrays have
a byte in common, the way NumPy's shares_memory defines it: a bounded linear
Diophantine problem.  Every byte of array A is

    A_low + sum_i |sA_i| * x_i + u,   0 <= x_i <= nA_i - 1, 0 <= u < itemsizeA

where A_low is the lowest element address.  Writing B's byte the same way and
substituting y' = ub - y for B's variables turns "byte of A == byte of B" into

    sum_k c_k * z_k = rhs,   c_k > 0, 0 <= z_k <= ub_k,
    rhs = (B's highest byte) - A_low

which a depth-first search solves exactly: variables in decreasing
coefficient order, each tried only in the residue class that keeps the rest
divisible by the gcd of the remaining coefficients, pruned by the largest sum
the rest can reach, and the last two solved in closed form.  A work budget
(nodes visited) bounds the search; past it the answer is "too hard".
"""

import re
from math import gcd


# An array's element count must stay below this (NumPy's limit is 2**63 - 1
# bytes; descriptors claiming more are garbage).
MAX_ELEMENTS = 1 << 62


def element_count(shape):
    """The product of shape; ValueError naming the negative axis or the
    overflow of MAX_ELEMENTS.  O(ndim)."""
    size = 1
    for axis, d in enumerate(shape):
        if d < 0:
            raise ValueError("shape[%d] %d" % (axis, d))
        size *= d
        if size > MAX_ELEMENTS:
            raise ValueError("element count over 2**62")
    return size


class Operand:
    """One array as the solver needs it: address of element 0, shape,
    strides in bytes (any sign), itemsize."""

    __slots__ = ("data", "shape", "strides", "itemsize")

    def __init__(self, data, shape, strides, itemsize):
        self.data = data
        self.shape = tuple(shape)
        self.strides = tuple(strides)
        self.itemsize = itemsize

    def size(self):
        n = 1
        for d in self.shape:
            n *= d
        return n

    def extent(self):
        """Byte range [lo, hi) relative to data; (0, 0) when empty."""
        return extent(self.shape, self.strides, self.itemsize)

    def bounds(self):
        """Absolute byte range [lo, hi) of the memory the array touches."""
        lo, hi = self.extent()
        return self.data + lo, self.data + hi


def extent(shape, strides, itemsize):
    if any(d == 0 for d in shape):
        return 0, 0
    lo = hi = 0
    for d, s in zip(shape, strides):
        if s < 0:
            lo += s * (d - 1)
        else:
            hi += s * (d - 1)
    return lo, hi + itemsize


def may_share(a, b):
    """Memory-bounds test.  Returns the overlapping byte range (lo, hi) of the
    two bounds, or None when they are disjoint (or either is empty)."""
    if a.size() == 0 or b.size() == 0:
        return None
    alo, ahi = a.bounds()
    blo, bhi = b.bounds()
    lo, hi = max(alo, blo), min(ahi, bhi)
    return (lo, hi) if lo < hi else None


class TooHard(Exception):
    """The exact search exceeded its work budget."""


YES, NO, TOO_HARD = "yes", "no", "too hard"


class Witness:
    """One shared byte: the element of each array that holds it."""

    __slots__ = ("address", "index_a", "index_b", "range_a", "range_b")

    def __init__(self, address, index_a, index_b, range_a, range_b):
        self.address = address
        self.index_a = index_a
        self.index_b = index_b
        self.range_a = range_a
        self.range_b = range_b

    def common_range(self):
        """Bytes [lo, hi) that the two witness elements have in common."""
        return (max(self.range_a[0], self.range_b[0]),
                min(self.range_a[1], self.range_b[1]))


def shares(a, b, max_work=None):
    """Exact test.  Returns (YES, Witness), (NO, None) or (TOO_HARD, None).
    max_work: None or negative for no limit, else the most search nodes."""
    if may_share(a, b) is None:
        return NO, None
    terms = []  # (coefficient, upper bound, owner tag, axis)
    for tag, op in (("a", a), ("b", b)):
        for axis, (d, s) in enumerate(zip(op.shape, op.strides)):
            if d > 1 and s != 0:
                terms.append((abs(s), d - 1, tag, axis))
        if op.itemsize > 1:
            terms.append((1, op.itemsize - 1, tag, None))
    a_low = a.data + a.extent()[0]
    b_high = b.data + b.extent()[1] - 1
    rhs = b_high - a_low
    budget = None if max_work is None or max_work < 0 else max_work
    try:
        values = _solve(terms, rhs, budget)
    except TooHard:
        return TOO_HARD, None
    if values is None:
        return NO, None
    return YES, _witness(a, b, terms, values)


def _solve(terms, rhs, budget):
    """Values z_k (one per term) with sum c_k z_k == rhs, or None."""
    if rhs < 0:
        return None
    # Merge equal coefficients: one variable with the summed bound, split
    # back greedily afterwards.
    merged = {}
    for c, ub, _tag, _axis in terms:
        merged[c] = merged.get(c, 0) + ub
    coefs = sorted(merged, reverse=True)
    ubs = [merged[c] for c in coefs]
    n = len(coefs)
    if n == 0:
        return [] if rhs == 0 else None
    gcd_rest = [0] * (n + 1)   # gcd of coefs[k:]
    reach = [0] * (n + 1)      # largest sum coefs[k:] can make
    for k in range(n - 1, -1, -1):
        gcd_rest[k] = gcd(gcd_rest[k + 1], coefs[k])
        reach[k] = reach[k + 1] + coefs[k] * ubs[k]
    z = [0] * n
    work = [0]

    def spend():
        work[0] += 1
        if budget is not None and work[0] > budget:
            raise TooHard()

    def dfs(k, r):
        spend()
        if r < 0 or r > reach[k] or r % gcd_rest[k]:
            return False
        c, ub = coefs[k], ubs[k]
        if k == n - 1:
            z[k] = r // c
            return True
        if k == n - 2:
            return _two_terms(c, ub, coefs[k + 1], ubs[k + 1], r, z, k)
        g = gcd_rest[k + 1]
        d = gcd(c, g)
        modulus = g // d
        first = 0 if modulus == 1 else (r // d) * pow(c // d, -1, modulus) % modulus
        hi = min(ub, r // c)
        lo = max(0, -(-(r - reach[k + 1]) // c))
        x = hi - (hi - first) % modulus
        while x >= lo:
            z[k] = x
            if dfs(k + 1, r - c * x):
                return True
            x -= modulus
        return False

    if not dfs(0, rhs):
        return None
    # Split merged values back over the original terms.
    remaining = dict(zip(coefs, z))
    values = []
    for c, ub, _tag, _axis in terms:
        take = min(ub, remaining[c])
        remaining[c] -= take
        values.append(take)
    return values


def _two_terms(c1, ub1, c2, ub2, r, z, k):
    """c1*x + c2*y == r, 0 <= x <= ub1, 0 <= y <= ub2, in closed form."""
    g, p, q = _ext_gcd(c1, c2)
    if r % g:
        return False
    x0, y0 = p * (r // g), q * (r // g)
    step_x, step_y = c2 // g, c1 // g
    # x = x0 + step_x*t, y = y0 - step_y*t
    t_lo = max(_ceil_div(-x0, step_x), _ceil_div(y0 - ub2, step_y))
    t_hi = min((ub1 - x0) // step_x, y0 // step_y)
    if t_lo > t_hi:
        return False
    z[k] = x0 + step_x * t_hi
    z[k + 1] = y0 - step_y * t_hi
    return True


def _ceil_div(a, b):
    return -(-a // b)


def _ext_gcd(a, b):
    """(g, p, q) with a*p + b*q == g == gcd(a, b)."""
    old_r, rr = a, b
    old_p, p = 1, 0
    old_q, q = 0, 1
    while rr:
        quot = old_r // rr
        old_r, rr = rr, old_r - quot * rr
        old_p, p = p, old_p - quot * p
        old_q, q = q, old_q - quot * q
    return old_r, old_p, old_q


def _witness(a, b, terms, values):
    """Turns solver values back into element indices and byte addresses."""
    index = {"a": [0] * len(a.shape), "b": [0] * len(b.shape)}
    byte = {"a": 0, "b": 0}
    for (c, ub, tag, axis), v in zip(terms, values):
        if tag == "b":
            v = ub - v  # undo y' = ub - y
        if axis is None:
            byte[tag] = v
        else:
            op = a if tag == "a" else b
            # Counted from the lowest address: flip back for negative strides.
            index[tag][axis] = v if op.strides[axis] > 0 else op.shape[axis] - 1 - v
    ranges = {}
    for tag, op in (("a", a), ("b", b)):
        addr = op.data + sum(i * s for i, s in zip(index[tag], op.strides))
        ranges[tag] = (addr, addr + op.itemsize)
    address = ranges["a"][0] + byte["a"]
    return Witness(address, tuple(index["a"]), tuple(index["b"]),
                   ranges["a"], ranges["b"])


# ---- the answer as arr shares prints it (libarr, NumPy and foreign arrays) ----


def _parenthesised(expr):
    """Whether expr is one (...) group as a whole."""
    if not (expr.startswith("(") and expr.endswith(")")):
        return False
    depth = 0
    for k, c in enumerate(expr):
        depth += {"(": 1, ")": -1}.get(c, 0)
        if depth == 0 and k < len(expr) - 1:
            return False
    return True


def element_name(expr, index):
    """expr[i, j] for the witness of arr shares, in the user's words: the
    expression as typed (parenthesised unless a name or #ID)."""
    expr = expr.strip()
    if not (re.match(r"^(#\d+|[A-Za-z_$][\w$]*(\s*(\.|->)\s*[A-Za-z_]\w*|\[[^\]]*\]|\(\))*)$", expr)
            or _parenthesised(expr)):
        expr = "(%s)" % expr
    if not index:
        return expr
    return "%s[%s]" % (expr, ", ".join(str(i) for i in index))


def report(pair, oa, ob, max_work, exprs=("a", "b"), relative=lambda lo, hi: ""):
    """The lines of `arr shares` for operands oa and ob: pair names them
    in the first column, exprs are the user's expressions (the witness
    elements are named by them), relative(lo, hi) may add where a byte
    range lies in a base's data.  Cost: the exact search is bounded by
    max_work steps."""
    bounds = may_share(oa, ob)
    if bounds is None:
        lines = ["%s: may share memory (bounds): no" % pair]
    else:
        lines = ["%s: may share memory (bounds): yes, bounds overlap in [0x%x, 0x%x)%s, %d bytes"
                 % (pair, bounds[0], bounds[1], relative(*bounds), bounds[1] - bounds[0])]
    answer, witness = shares(oa, ob, max_work)
    if answer == YES:
        lo, hi = witness.common_range()
        lines.append("%s: shares memory (exact): yes, %s and %s share bytes [0x%x, 0x%x)%s"
                     % (pair, element_name(exprs[0], witness.index_a),
                        element_name(exprs[1], witness.index_b), lo, hi, relative(lo, hi)))
    elif answer == NO:
        lines.append("%s: shares memory (exact): no" % pair)
    else:
        lines.append("%s: shares memory (exact): too hard (search stopped after %d steps; see set arr max-work)"
                     % (pair, max_work))
    return lines


def report_mixed(argv, found, describe, resolve_libarr, max_work):
    """`arr shares` where some operands are not libarr arrays: found[i] is
    what argv[i] named (None: a libarr array, resolve_libarr gives its
    descriptor), describe(found) its (Operand, name)."""
    operands, names = [], []
    for f, text in zip(found, argv):
        if f is None:
            d = resolve_libarr(text)
            operand, name = d.operand(), "#%d" % d.id
        else:
            operand, name = describe(f)
        operands.append(operand)
        names.append(name)
    return report("%s and %s" % tuple(names), operands[0], operands[1], max_work, argv)
