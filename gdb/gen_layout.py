#!/usr/bin/env python3
"""gdb/gen_layout.py - writes gdb/python/arrdbg_gdb/_generated.py from the C.

The gdb plugin reads libarr's structs from memory.  With debug info it takes
the offsets from DWARF; without (a stripped libarr, a core of a release
build) it needs them from somewhere else, and so does every name the plugin
prints.  None of that is written by hand: this script

  1. finds the field declarations of `struct arr`, `struct arr_registry` and
     `struct arr_stats` in libarr/arr.h (so a new field is picked up, never
     forgotten), and the enumerators of `enum arr_flag`;
  2. writes a small C program that includes arr.h and arrcheck.h and prints
     offsetof/sizeof of every field (with _Static_assert that the field's
     size is what its type says), the limits and magics, the flag values,
     and libarr's own name tables through its public functions
     (arr_dtype_name, arr_dtype_size, arr_op_name, arr_op_is_copy) and the
     layout_version libarr's registry starts with;
  3. compiles it against the headers, links it with libarr, runs it, and
     writes its output as the Python module (rewritten only when its text
     changes; touched otherwise, so make sees it up to date).

Usage (gdb/gdb.mk runs it; `make` keeps the module current):
  gen_layout.py --cc "gcc -std=c11 ..." --lib build/libarr.a --ldflags "-lm" \
      --work build/gdb --out gdb/python/arrdbg_gdb/_generated.py
"""

import argparse
import hashlib
import os
import re
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARR_H = os.path.join(ROOT, "libarr", "arr.h")

# C type -> the plugin's kind (layout.py decodes these).
KINDS = {
    "uint32_t": ("u32", 4), "int32_t": ("i32", 4),
    "uint64_t": ("u64", 8), "int64_t": ("i64", 8),
    "char": ("char", 1),
}
# (C struct tag, how the C program names the type, Python name prefix)
STRUCTS = (("arr", "struct arr", "ARR"),
           ("arr_registry", "struct arr_registry", "REGISTRY"),
           ("arr_stats", "struct arr_stats", "STATS"))


class GenError(Exception):
    pass


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def struct_body(text, tag):
    """The text between the braces of `struct tag { ... }`."""
    m = re.search(r"\bstruct\s+%s\s*\{" % re.escape(tag), text)
    if not m:
        raise GenError("arr.h has no definition of struct %s" % tag)
    depth, i = 1, m.end()
    while depth:
        if i >= len(text):
            raise GenError("struct %s: no closing brace" % tag)
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    return text[m.end():i - 1]


def fields_of(body, tag):
    """[(name, kind, is_array)] in declaration order.  kind: a KINDS kind,
    'ptr' for any pointer (function pointers too) or 'struct:TAG' for a
    nested struct the plugin decodes separately."""
    out = []
    for decl in body.split(";"):
        decl = " ".join(decl.split())
        if not decl:
            continue
        fp = re.match(r"^.*\(\s*\*\s*(\w+)\s*\)\s*\(.*\)$", decl)
        if fp:
            out.append((fp.group(1), "ptr", False))
            continue
        m = re.match(r"^(.*?)(\w+)\s*(\[[^\]]+\])?$", decl)
        if not m:
            raise GenError("struct %s: cannot read the declaration %r" % (tag, decl))
        ctype, name, array = m.group(1).strip(), m.group(2), m.group(3)
        if "," in ctype:
            raise GenError("struct %s: one field per declaration please (%r)" % (tag, decl))
        base = ctype.replace("const ", "").replace("*", "").strip()
        if "*" in ctype:
            kind = "ptr"
        elif base in KINDS:
            kind = KINDS[base][0]
        elif base.startswith("struct ") or base.endswith("_t"):
            kind = "struct:" + base
        else:
            raise GenError("struct %s: field %s has type %r, which the plugin cannot decode"
                           % (tag, name, ctype))
        if array and kind.startswith(("ptr", "struct")):
            raise GenError("struct %s: array of %s (%s) is not supported" % (tag, ctype, name))
        out.append((name, kind, bool(array)))
    return out


def enumerators(text, tag):
    m = re.search(r"\benum\s+%s\s*\{(.*?)\}" % re.escape(tag), text, re.S)
    if not m:
        raise GenError("arr.h has no enum %s" % tag)
    return [e.split("=")[0].strip() for e in m.group(1).split(",") if e.strip()]


def c_program(text):
    lines = ['#include <stddef.h>', '#include <stdio.h>', '#include "arr.h"',
             '#include "arrcheck.h"', '',
             'static void str(const char *s)', '{', '    putchar(\'"\');',
             '    for (; *s; s++) {',
             '        if (*s == \'"\' || *s == \'\\\\\') putchar(\'\\\\\');',
             '        putchar(*s);', '    }', '    putchar(\'"\');', '}', '',
             'int main(void)', '{']
    w = lines.append
    for tag, ctype, prefix in STRUCTS:
        fields = fields_of(struct_body(text, tag), tag)
        w('    printf("%s_SIZE = %%zu\\n", sizeof(%s));' % (prefix, ctype))
        w('    printf("%s_FIELDS = (\\n");' % prefix)
        nested = []
        for name, kind, is_array in fields:
            member = "((%s *)0)->%s" % (ctype, name)
            if kind.startswith("struct:"):
                nested.append((name, kind[7:]))
                continue
            count = "(sizeof %s / sizeof %s[0])" % (member, member) if is_array else "1"
            size = "sizeof(void *)" if kind == "ptr" else str(_kind_size(kind))
            w('    _Static_assert(sizeof %s == %s * %s, "%s.%s: its size is not its type\'s");'
              % (member, size, count, tag, name))
            w('    printf("    (\\"%s\\", \\"%s\\", %%zu, %%zu),\\n", (size_t)%s, offsetof(%s, %s));'
              % (name, kind, count, ctype, name))
        w('    printf(")\\n");')
        for name, sub in nested:
            w('    printf("%s_%s_OFFSET = %%zu\\n", offsetof(%s, %s));'
              % (prefix, name.upper(), ctype, name))
            w('    _Static_assert(sizeof(((%s *)0)->%s) == sizeof(%s), "nested %s");'
              % (ctype, name, sub, name))
    w('    printf("POINTER_SIZE = %zu\\n", sizeof(void *));')
    for py, c in (("MAXDIMS", "ARR_MAXDIMS"), ("LABEL_MAX", "ARR_LABEL_MAX"),
                  ("MAGIC_LIVE", "ARR_MAGIC_LIVE"), ("MAGIC_FREED", "ARR_MAGIC_FREED"),
                  ("REGISTRY_MAGIC", "ARR_REGISTRY_MAGIC"),
                  ("ARRCHECK_PROTOCOL_VERSION", "ARRCHECK_PROTOCOL_VERSION"),
                  ("ARRCHECK_MAX_NDIM", "ARRCHECK_MAX_NDIM"),
                  ("ARRCHECK_LABEL_MAX", "ARRCHECK_LABEL_MAX")):
        w('    printf("%s = %%llu\\n", (unsigned long long)(%s));' % (py, c))
    w('    printf("LAYOUT_VERSION = %u\\n", (unsigned)arr_registry.layout_version);')
    w('    printf("LEAK_WORDS = {\\"copy\\": "); str(ARRCHECK_FINDING_COPY);')
    w('    printf(", \\"owner\\": "); str(ARRCHECK_FINDING_ARRAY);')
    w('    printf(", \\"view\\": "); str(ARRCHECK_FINDING_VIEW);')
    w('    printf(", \\"orphan\\": "); str(ARRCHECK_FINDING_ORPHAN); printf("}\\n");')
    w('    printf("LEAK_SUMMARY_C_FORMAT = "); str(ARRCHECK_LEAK_SUMMARY_FORMAT); printf("\\n");')
    w('    printf("FLAG_NAMES = (\\n");')
    for e in enumerators(text, "arr_flag"):
        w('    printf("    (%%d, \\"%s\\"),\\n", (int)%s);' % (e[len("ARR_"):], e))
    w('    printf(")\\n");')
    w('    printf("DTYPES = (");')
    w('    for (int i = 0; i < ARR_NDTYPES; i++) { str(arr_dtype_name((arr_dtype_t)i)); printf(", "); }')
    w('    printf(")\\nDTYPE_SIZES = (");')
    w('    for (int i = 0; i < ARR_NDTYPES; i++) printf("%d, ", arr_dtype_size((arr_dtype_t)i));')
    w('    printf(")\\nOPS = (");')
    w('    for (int i = 0; i < ARR_NOPS; i++) { str(arr_op_name((arr_op_t)i)); printf(", "); }')
    w('    printf(")\\nCOPY_OPS = frozenset((");')
    w('    for (int i = 0; i < ARR_NOPS; i++) if (arr_op_is_copy((arr_op_t)i)) printf("%d, ", i);')
    w('    printf("))\\n");')
    w('    return 0;')
    w('}')
    return "\n".join(lines) + "\n"


def _kind_size(kind):
    for k, size in KINDS.values():
        if k == kind:
            return size
    raise GenError("unknown kind " + kind)


HEADER = '''"""GENERATED by gdb/gen_layout.py from libarr/arr.h, valgrind/arrcheck.h and
libarr's name tables (arr_dtype_name, arr_op_name, ...): do not edit; `make`
rewrites it when they change.  layout.py is what the plugin imports.

*_FIELDS: (name, kind, count, offset) in declaration order, offsets as the
compiler laid the struct out for a %d-bit target.
"""

'''


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cc", required=True, help="compiler and flags")
    ap.add_argument("--lib", required=True, help="libarr.a to link")
    ap.add_argument("--ldflags", default="")
    ap.add_argument("--work", required=True, help="directory for the C program")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    try:
        with open(ARR_H) as f:
            text = strip_comments(f.read())
        source = c_program(text)
    except (OSError, GenError) as exc:
        sys.exit("gen_layout.py: %s" % exc)
    os.makedirs(args.work, exist_ok=True)
    c_path = os.path.join(args.work, "gen_layout.c")
    exe = os.path.join(args.work, "gen_layout")
    with open(c_path, "w") as f:
        f.write(source)
    cmd = (shlex.split(args.cc) + ["-I" + os.path.join(ROOT, "libarr"),
                                   "-I" + os.path.join(ROOT, "valgrind"),
                                   c_path, "-o", exe, args.lib] + shlex.split(args.ldflags))
    if subprocess.call(cmd) != 0:
        sys.exit("gen_layout.py: compiling %s failed" % c_path)
    body = subprocess.run([exe], stdout=subprocess.PIPE, check=True,
                          universal_newlines=True).stdout
    namespace = {}
    exec(compile(body, "<gen_layout output>", "exec"), namespace)  # must be valid Python
    # What layout_version promises: the three structs' fields, offsets and
    # sizes (tests/gdb/layout_versions pairs each version with its digest).
    facts = repr([(p, namespace[p + "_FIELDS"], namespace[p + "_SIZE"]) for _t, _c, p in STRUCTS]
                 + [namespace["REGISTRY_STATS_OFFSET"], namespace["POINTER_SIZE"]])
    body += 'LAYOUT_DIGEST = "%s"\n' % hashlib.sha256(facts.encode()).hexdigest()[:16]
    text = HEADER % (namespace["POINTER_SIZE"] * 8) + body
    try:
        with open(args.out) as f:
            if f.read() == text:
                os.utime(args.out)  # up to date with what it is made from
                return
    except OSError:
        pass
    tmp = args.out + ".tmp.%d" % os.getpid()
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, args.out)


if __name__ == "__main__":
    main()
