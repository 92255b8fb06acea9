"""What made an allocation: the op of a site, read from its bytecode.

A site is (code object, instruction offset) of the first Python frame outside
NumPy's package when NumPy asked for data memory.  The instruction at that
offset says what the user's line was doing:

  BINARY_OP / COMPARE_OP / UNARY_*   "arithmetic" when the result is stored or
                                     returned right away, else "temporary" (it
                                     feeds another operation of the same
                                     expression: a + b in a + b + c)
  BINARY_SUBSCR / STORE_SUBSCR       "indexing": a plain slice makes a view and
                                     allocates nothing, so data made here is
                                     fancy or boolean indexing
  CALL (PRECALL, and friends)        the name of the callable, found by walking
                                     the operand stack back from the call to the
                                     instruction that pushed it (LOAD_ATTR
                                     "copy", LOAD_GLOBAL "zeros", ...), mapped by
                                     the table below; "random.NAME" for
                                     np.random's and Generator's samplers

When the allocation comes from NumPy's own Python code (np.sort, np.load, ...)
the user's instruction is still the call, so the same rule applies.  Anything
else (an unknown instruction, a call whose callable cannot be found) is
"other".  Each site is classified once.
"""
import bisect
import dis
import sys

# op -> kind.  Calls not listed are kind "result" with op "call NAME".
CALL_OPS = {
    "copy": "copy", "astype": "copy", "ascontiguousarray": "copy",
    "asfortranarray": "copy", "flatten": "copy", "array": "copy", "require": "copy",
    "take": "copy", "compress": "copy", "repeat": "copy",
    "zeros": "creation", "ones": "creation", "empty": "creation", "full": "creation",
    "zeros_like": "creation", "ones_like": "creation", "empty_like": "creation",
    "full_like": "creation", "arange": "creation", "linspace": "creation",
    "logspace": "creation", "eye": "creation", "identity": "creation",
    "fromiter": "creation", "fromfunction": "creation", "tile": "creation",
    "concatenate": "creation", "stack": "creation", "vstack": "creation",
    "hstack": "creation", "column_stack": "creation",
    "load": "load", "fromfile": "load", "loadtxt": "load", "genfromtxt": "load",
    "frombuffer": "load", "read_array": "load",
    # A library call that returns a new array of the user's data.
    "asarray": "copy", "asanyarray": "copy", "to_numpy": "copy",
}
# A reshape or ravel allocates only when it must copy.
RESHAPE_COPY = {"reshape", "ravel"}
RANDOM_NAMES = {
    "rand", "randn", "random", "random_sample", "sample", "ranf", "normal", "uniform",
    "integers", "randint", "standard_normal", "choice", "permutation", "poisson",
    "binomial", "exponential", "beta", "gamma", "lognormal", "standard_exponential",
    "multivariate_normal", "bytes",
}

STORES = {"STORE_FAST", "STORE_NAME", "STORE_GLOBAL", "STORE_DEREF", "STORE_ATTR",
          "RETURN_VALUE", "YIELD_VALUE", "STORE_SUBSCR"}

_instr_cache = {}


def _instructions(code):
    got = _instr_cache.get(code)
    if got is None:
        ins = [i for i in dis.get_instructions(code) if i.opname not in ("CACHE", "EXTENDED_ARG")]
        got = (ins, {i.offset: n for n, i in enumerate(ins)})
        _instr_cache[code] = got
    return got


def _stack_io(ins):
    """(pops, pushes) of an instruction, or None when not modelled (3.11)."""
    op, arg = ins.opname, ins.arg or 0
    if op in ("LOAD_CONST", "LOAD_FAST", "LOAD_NAME", "LOAD_DEREF", "LOAD_CLOSURE",
              "LOAD_CLASSDEREF", "PUSH_NULL", "LOAD_ASSERTION_ERROR", "LOAD_BUILD_CLASS"):
        return 0, 1
    if op == "LOAD_GLOBAL":
        return 0, 1 + (arg & 1 if sys.version_info >= (3, 11) else 0)
    if op == "LOAD_ATTR":
        return 1, 1
    if op == "LOAD_METHOD":
        return 1, 2
    if op in ("BINARY_OP", "BINARY_SUBSCR", "COMPARE_OP", "IS_OP", "CONTAINS_OP") or \
            op.startswith("BINARY_") or op.startswith("INPLACE_"):
        return 2, 1
    if op.startswith("UNARY_") or op in ("GET_ITER", "LIST_TO_TUPLE", "FORMAT_VALUE"):
        return 1, 1
    if op in ("BUILD_TUPLE", "BUILD_LIST", "BUILD_SET", "BUILD_SLICE", "BUILD_STRING"):
        return arg, 1
    if op == "BUILD_MAP":
        return 2 * arg, 1
    if op == "BUILD_CONST_KEY_MAP":
        return arg + 1, 1
    if op in ("PRECALL", "KW_NAMES", "NOP", "RESUME"):
        return 0, 0
    if op == "CALL":
        return arg + 2, 1
    if op in ("CALL_FUNCTION", "CALL_METHOD"):
        return arg + (2 if op == "CALL_METHOD" else 1), 1
    if op == "CALL_FUNCTION_KW":
        return arg + 2, 1
    if op == "CALL_FUNCTION_EX":
        return 2 + (arg & 1) + (1 if sys.version_info >= (3, 11) else 0), 1
    if op in ("COPY", "DUP_TOP"):
        return 0, 1
    if op in ("LIST_EXTEND", "SET_UPDATE", "DICT_UPDATE", "DICT_MERGE", "LIST_APPEND", "SET_ADD"):
        return 1, 0  # into the container below, which stays
    if op == "MAKE_FUNCTION":
        return 1 + bin((arg or 0) & 0x0F).count("1"), 1
    return None


def _pusher(ins, idx, depth):
    """The instruction before idx that pushed the stack item `depth` below the
    top (as it is just before instruction idx runs), or None."""
    i = idx - 1
    while i >= 0 and depth >= 0:
        io = _stack_io(ins[i])
        if io is None:
            return None
        pops, pushes = io
        if depth < pushes:
            return ins[i]
        depth = depth - pushes + pops
        i -= 1
    return None


def _name_of(ins, idx, pusher):
    if pusher is None:
        return None, None
    name = pusher.argval if isinstance(pusher.argval, str) else None
    owner = None
    if pusher.opname in ("LOAD_ATTR", "LOAD_METHOD"):
        j = ins.index(pusher)
        o = _pusher(ins, j, 0)
        if o is not None and isinstance(o.argval, str):
            owner = o.argval
    return name, owner


def _call_depth(call):
    op, arg = call.opname, call.arg or 0
    if op in ("CALL", "PRECALL"):
        # The callable (or self of a method) sits under the arguments.  A
        # specialised PRECALL (3.11) makes some calls itself, so the frame
        # can point at it rather than at the CALL after it.
        return arg
    if op in ("CALL_FUNCTION", "CALL_METHOD"):
        return arg
    if op == "CALL_FUNCTION_KW":
        return arg + 1
    if op == "CALL_FUNCTION_EX":
        return 1 + (arg & 1)
    return None


# What builds a Python sequence (np.array of it is a creation, not a copy).
_SEQ_BUILDERS = {"BUILD_LIST", "BUILD_TUPLE", "BUILD_SET", "LIST_TO_TUPLE"}
_SEQ_CALLS = {"list", "tuple", "range", "zip", "map", "sorted", "reversed", "enumerate"}
FROM_PYTHON = {"array", "asarray", "asanyarray", "fromiter"}


def _python_sequence(ins, pusher, depth=0):
    """Whether the instruction pusher leaves a Python list/tuple/range on
    the stack: a display, a constant tuple, list * n or list + list, a
    comprehension, list(...)/range(...)."""
    if pusher is None or depth > 3:
        return False
    op = pusher.opname
    if op in _SEQ_BUILDERS:
        return True
    if op == "LOAD_CONST":
        return isinstance(pusher.argval, (tuple, list, frozenset))
    j = ins.index(pusher)
    if op in ("BINARY_OP", "BINARY_MULTIPLY", "BINARY_ADD"):
        return _python_sequence(ins, _pusher(ins, j, 1), depth + 1) or \
            _python_sequence(ins, _pusher(ins, j, 0), depth + 1)
    cd = _call_depth(pusher)
    if cd is not None:
        # 3.11 calls a comprehension's function as [function, iterator] CALL 0.
        for callee in (_pusher(ins, j, cd), _pusher(ins, j, cd + 1)):
            if callee is not None and callee.opname == "MAKE_FUNCTION":
                code = _pusher(ins, ins.index(callee), 0)
                name = getattr(getattr(code, "argval", None), "co_name", "")
                return name in ("<listcomp>", "<setcomp>", "<genexpr>")
        callee = _pusher(ins, j, cd)
        return callee is not None and isinstance(callee.argval, str) and \
            callee.argval in _SEQ_CALLS
    return False


def classify_call(name, owner):
    if name is None:
        return "call ?", "result"
    if name in RESHAPE_COPY:
        return "reshape-copy", "copy"
    if name in RANDOM_NAMES:
        return "random." + name, "creation"
    if name in CALL_OPS:
        return name, CALL_OPS[name]
    return "call " + name, "result"


def classify(code, lasti, np_code=None):
    """(op, kind) for the instruction at byte offset lasti of code."""
    try:
        if code is None or lasti is None or lasti < 0:
            return "other", "other"
        ins, at = _instructions(code)
        idx = at.get(lasti)
        if idx is None:
            # A caller's frame points at the last CACHE entry of its CALL
            # while the callee (NumPy's Python code) runs: the instruction
            # is the last one starting at or before lasti.
            idx = bisect.bisect_right([i.offset for i in ins], lasti) - 1
            if idx < 0:
                return "other", "other"
        op = ins[idx].opname
        if op in ("BINARY_OP", "COMPARE_OP") or op.startswith("BINARY_") and op != "BINARY_SUBSCR" \
                or op.startswith("UNARY_") or op.startswith("INPLACE_"):
            nxt = ins[idx + 1].opname if idx + 1 < len(ins) else "RETURN_VALUE"
            if op == "BINARY_OP" and "=" in (ins[idx].argrepr or ""):
                return "arithmetic", "arithmetic"  # in place (a += b) that had to allocate
            return ("arithmetic", "arithmetic") if nxt in STORES else ("temporary", "arithmetic")
        if op in ("BINARY_SUBSCR", "STORE_SUBSCR"):
            return "indexing", "copy"
        depth = _call_depth(ins[idx])
        if depth is not None:
            name, owner = _name_of(ins, idx, _pusher(ins, idx, depth))
            if name is None and np_code is not None:
                name = np_code.co_name
            if name in FROM_PYTHON and depth >= 1 and \
                    _python_sequence(ins, _pusher(ins, idx, depth - 1)):  # the first argument
                return name + "(list)", "creation"  # made from Python objects
            return classify_call(name, owner)
        return "other", "other"
    except Exception:  # a bytecode shape the walk does not know: say so
        return "other", "other"
