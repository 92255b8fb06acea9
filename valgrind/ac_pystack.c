/* ac_pystack.c - the Python stack of an arrcheck error in a Python process.
 *
 * When an error is reported (ac_pystack_key, just before the error goes to
 * the error manager: never on the hot path), the Python frames of the
 * thread that made it are read from the guest's memory, CPython 3.11's
 * layout, as gdb/python/arrdbg_gdb/pyframe.py reads them:
 *
 *   _PyRuntime.interpreters.head -> PyInterpreterState (next, threads.head)
 *   PyThreadState (next, cframe, native_thread_id == this thread's LWP)
 *   _PyCFrame.current_frame -> _PyInterpreterFrame (f_code, previous,
 *       prev_instr, owner) -> PyCodeObject (co_filename, co_qualname,
 *       co_firstlineno, co_linetable, _co_firsttraceable, co_code_adaptive)
 *
 * _PyRuntime and Py_Version are found in the .dynsym of the loaded python
 * objects (python3.11, libpython3.11.so); Py_Version must say 3.11.  Every
 * read is checked with the address-space manager first and every pointer may
 * be garbage: types are checked by tp_name, counts and walks are capped, a
 * cycle in the frame chain is found (Brent), and a broken chain ends the
 * stack with the reason.  The stack is printed under the error (text: an
 * auxwhat line and "at/by FUNC (FILE:LINE)" lines; XML: an <auxwhat> and a
 * <stack> of <frame>s).  --python-stack=no turns it off.
 *
 * The stack is part of the error's identity: the key (a hash of the text
 * printed) goes into the error's extra and ac_eq_Error compares it, so two
 * Python lines reaching the same C read are two errors, and the same Python
 * and C stacks merge.  The stack read for the key is the one kept when the
 * error is new (ac_pystack_capture): one read per report.
 *
 * The offsets are those of the 3.11 headers for a 64-bit release build;
 * tests/gdb/numpy/run.sh (pyoffsets) checks each AC_PY_ value below against
 * the compiler's offsetof, by the pyframe.py key named in its comment. */
#include <elf.h>

#include "pub_tool_basics.h"
#include "pub_tool_vki.h"
#include "pub_tool_aspacemgr.h"
#include "pub_tool_debuginfo.h"
#include "pub_tool_hashtable.h"
#include "pub_tool_libcbase.h"
#include "pub_tool_libcfile.h"
#include "pub_tool_libcprint.h"
#include "pub_tool_libcproc.h"
#include "pub_tool_mallocfree.h"
#include "pub_tool_options.h"

#include "ac_include.h"

#define AC_PY_RUNTIME_INTERP_HEAD 40     /* runtime.interp_head */
#define AC_PY_INTERP_NEXT 0              /* interp.next */
#define AC_PY_INTERP_THREADS_HEAD 16     /* interp.threads_head */
#define AC_PY_TSTATE_NEXT 8              /* tstate.next */
#define AC_PY_TSTATE_CFRAME 56           /* tstate.cframe */
#define AC_PY_TSTATE_NATIVE_ID 160       /* tstate.native_thread_id */
#define AC_PY_CFRAME_CURRENT 8           /* cframe.current_frame */
#define AC_PY_FRAME_CODE 32              /* frame.f_code */
#define AC_PY_FRAME_PREVIOUS 48          /* frame.previous */
#define AC_PY_FRAME_PREV_INSTR 56        /* frame.prev_instr */
#define AC_PY_FRAME_OWNER 69             /* frame.owner */
#define AC_PY_CODE_FIRSTLINENO 72        /* code.co_firstlineno */
#define AC_PY_CODE_FILENAME 112          /* code.co_filename */
#define AC_PY_CODE_QUALNAME 128          /* code.co_qualname */
#define AC_PY_CODE_LINETABLE 136         /* code.co_linetable */
#define AC_PY_CODE_FIRSTTRACEABLE 168    /* code._co_firsttraceable */
#define AC_PY_CODE_ADAPTIVE 184          /* code.co_code_adaptive */
#define AC_PY_ASCII_LENGTH 16            /* ascii.length */
#define AC_PY_ASCII_STATE 32             /* ascii.state */
#define AC_PY_SIZEOF_ASCII 48            /* sizeof.ascii */
#define AC_PY_SIZEOF_COMPACT 72          /* sizeof.compact */
#define AC_PY_BYTES_SVAL 32              /* bytes.ob_sval */
#define AC_PY_VAR_SIZE 16                /* var.ob_size */
#define AC_PY_OB_TYPE 8                  /* PyObject.ob_type */
#define AC_PY_TP_NAME 24                 /* PyTypeObject.tp_name */
#define AC_PY_OWNED_BY_GENERATOR 1

#define MAX_INTERPRETERS 64
#define MAX_THREADS 4096
#define MAX_WALK 1000000          /* frames counted past the shown ones */
#define MAX_TEXT 256              /* bytes of a file or function name kept */
#define MAX_LINETABLE (1 << 20)

typedef struct {
    HChar *fn, *file;
    Int line;                     /* 0: unknown */
    Addr instr;                   /* prev_instr: the bytecode being run */
    Addr frame;                   /* the _PyInterpreterFrame */
} PyFrameText;

typedef struct {
    VgHashNode node;              /* key: the Error (stable once recorded) */
    UInt n;                       /* frames kept (at most --num-callers) */
    ULong more;                   /* frames past them that were walked */
    HChar *broken;                /* why the walk stopped early, or NULL */
    PyFrameText *frames;
} PyStack;

Bool ac_clo_python_stack = True;

static VgHashTable *stacks;
static Addr py_runtime;           /* 0: not found (yet) */
static Int searched_objects = -1; /* DebugInfo count at the last search */

/* ---- guest memory ---------------------------------------------------- */

static Bool rd(Addr a, void *out, SizeT n)
{
    if (a == 0 || a + n < a || !VG_(am_is_valid_for_client)(a, n, VKI_PROT_READ))
        return False;
    VG_(memcpy)(out, (const void *)a, n);
    return True;
}

static Bool rd_word(Addr a, Addr *out) { return rd(a, out, sizeof *out); }

/* Is the object at a of the type named want ("str", "code", "bytes")?
 * The last few type addresses that passed are remembered. */
static Bool is_type(Addr a, const HChar *want)
{
    static struct { Addr tp; const HChar *name; } seen[4];
    Addr tp, name;
    HChar text[16];
    if (!rd_word(a + AC_PY_OB_TYPE, &tp) || tp == 0)
        return False;
    for (UInt i = 0; i < 4; i++)
        if (seen[i].tp == tp)
            return VG_(strcmp)(seen[i].name, want) == 0;
    SizeT len = VG_(strlen)(want) + 1;
    if (!rd_word(tp + AC_PY_TP_NAME, &name) || !rd(name, text, len) ||
        VG_(memcmp)(text, want, len) != 0)
        return False;
    static UInt next;
    seen[next % 4].tp = tp, seen[next % 4].name = want, next++;
    return True;
}

/* A compact str as UTF-8 into out (truncated, NUL-ended); False if it is
 * not one. */
static Bool rd_str(Addr a, HChar *out, Int nout)
{
    Long length;
    UInt state;
    if (!is_type(a, "str") || !rd(a + AC_PY_ASCII_LENGTH, &length, 8) ||
        !rd(a + AC_PY_ASCII_STATE, &state, 4))
        return False;
    UInt kind = (state >> 2) & 7, compact = (state >> 5) & 1, ascii = (state >> 6) & 1;
    if (length < 0 || length > 1 << 20 || !compact || (kind != 1 && kind != 2 && kind != 4))
        return False;
    Addr data = a + (ascii ? AC_PY_SIZEOF_ASCII : AC_PY_SIZEOF_COMPACT);
    Int o = 0;
    for (Long i = 0; i < length && o < nout - 4; i++) {
        UInt c = 0;
        if (!rd(data + i * kind, &c, kind))
            return False;
        if (c < 0x80) {
            out[o++] = (HChar)c;
        } else if (c < 0x800) {
            out[o++] = (HChar)(0xc0 | c >> 6), out[o++] = (HChar)(0x80 | (c & 63));
        } else if (c < 0x10000) {
            out[o++] = (HChar)(0xe0 | c >> 12), out[o++] = (HChar)(0x80 | ((c >> 6) & 63));
            out[o++] = (HChar)(0x80 | (c & 63));
        } else {
            out[o++] = '?';
        }
    }
    out[o] = '\0';
    return True;
}

/* ---- the line of an instruction (CPython's Objects/locations.md) ------ */

static UInt varint(const UChar *t, Int n, Int *pos)
{
    UInt value = 0, shift = 0;
    while (*pos < n && shift < 32) {
        UChar b = t[(*pos)++];
        value |= (UInt)(b & 63) << shift;
        shift += 6;
        if (!(b & 64))
            break;
    }
    return value;
}

static Int line_of(const UChar *t, Int n, Int first_line, Long index)
{
    Int pos = 0, line = first_line;
    Long addr = 0;
    while (pos < n) {
        UChar head = t[pos++];
        if (!(head & 0x80))
            return -1; /* out of step with the table: garbage */
        Int code = (head >> 3) & 15, length = (head & 7) + 1, here = line;
        if (code == 15) {
            here = -1;
        } else if (code == 14 || code == 13) {
            UInt v = varint(t, n, &pos);
            line += (v & 1) ? -(Int)(v >> 1) : (Int)(v >> 1);
            here = line;
            if (code == 14)
                varint(t, n, &pos), varint(t, n, &pos), varint(t, n, &pos);
        } else if (code >= 10) {
            line += code - 10;
            here = line;
            pos += 2;
        } else {
            pos += 1;
        }
        if (addr <= index && index < addr + length)
            return here;
        addr += length;
    }
    return -1;
}

static Int frame_line(Addr code, Addr prev_instr)
{
    Addr start = code + AC_PY_CODE_ADAPTIVE, table;
    Int first;
    Long size;
    if (prev_instr < start || !rd_word(code + AC_PY_CODE_LINETABLE, &table) ||
        !is_type(table, "bytes") || !rd(table + AC_PY_VAR_SIZE, &size, 8) || size < 0 ||
        size > MAX_LINETABLE || !rd(code + AC_PY_CODE_FIRSTLINENO, &first, 4))
        return 0;
    UChar *t = VG_(malloc)("ac.pystack.linetable", size ? size : 1);
    Int line = rd(table + AC_PY_BYTES_SVAL, t, size)
                   ? line_of(t, (Int)size, first, (Long)(prev_instr - start) / 2)
                   : -1;
    VG_(free)(t);
    return line > 0 ? line : 0;
}

/* ---- finding _PyRuntime ------------------------------------------------ */

/* The value of the dynamic symbol name in the ELF file at path, or 0. */
static Addr dynsym(const HChar *path, const HChar *name)
{
    SysRes sr = VG_(open)(path, VKI_O_RDONLY, 0);
    if (sr_isError(sr))
        return 0;
    Int fd = sr_Res(sr);
    Addr found = 0;
    Elf64_Ehdr eh;
    Elf64_Shdr *sh = NULL;
    HChar *strtab = NULL;
    SizeT want = VG_(strlen)(name) + 1;
#define PREAD(buf, n, off) (VG_(lseek)(fd, (off), VKI_SEEK_SET) == (Off64T)(off) && \
                            VG_(read)(fd, (buf), (Int)(n)) == (Int)(n))
    if (!PREAD(&eh, sizeof eh, 0) || VG_(memcmp)(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
        eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_shentsize != sizeof(Elf64_Shdr) ||
        eh.e_shnum == 0 || eh.e_shnum > 4096)
        goto out;
    sh = VG_(malloc)("ac.pystack.shdr", eh.e_shnum * sizeof *sh);
    if (!PREAD(sh, eh.e_shnum * sizeof *sh, eh.e_shoff))
        goto out;
    for (UInt s = 0; s < eh.e_shnum && !found; s++) {
        if (sh[s].sh_type != SHT_DYNSYM || sh[s].sh_link >= eh.e_shnum ||
            sh[s].sh_entsize != sizeof(Elf64_Sym) || sh[s].sh_size > (64 << 20))
            continue;
        const Elf64_Shdr *ss = &sh[sh[s].sh_link];
        if (ss->sh_size == 0 || ss->sh_size > (64 << 20))
            continue;
        strtab = VG_(malloc)("ac.pystack.strtab", ss->sh_size + 1);
        if (!PREAD(strtab, ss->sh_size, ss->sh_offset))
            goto out;
        strtab[ss->sh_size] = '\0';
        Elf64_Sym sym[256];
        ULong nsym = sh[s].sh_size / sizeof(Elf64_Sym);
        for (ULong k = 0; k < nsym && !found; k += 256) {
            ULong m = nsym - k < 256 ? nsym - k : 256;
            if (!PREAD(sym, m * sizeof *sym, sh[s].sh_offset + k * sizeof *sym))
                goto out;
            for (ULong j = 0; j < m; j++)
                if (sym[j].st_name + want <= ss->sh_size && sym[j].st_shndx != SHN_UNDEF &&
                    VG_(memcmp)(strtab + sym[j].st_name, name, want) == 0) {
                    found = sym[j].st_value;
                    break;
                }
        }
    }
#undef PREAD
out:
    if (strtab)
        VG_(free)(strtab);
    if (sh)
        VG_(free)(sh);
    VG_(close)(fd);
    return found;
}

/* _PyRuntime of a CPython 3.11 in the process, or 0.  Searched again only
 * when objects were loaded since the last search. */
static Addr find_runtime(void)
{
    if (py_runtime)
        return py_runtime;
    Int count = 0;
    for (const DebugInfo *di = VG_(next_DebugInfo)(NULL); di; di = VG_(next_DebugInfo)(di))
        count++;
    if (count == searched_objects)
        return 0;
    searched_objects = count;
    for (const DebugInfo *di = VG_(next_DebugInfo)(NULL); di; di = VG_(next_DebugInfo)(di)) {
        const HChar *path = VG_(DebugInfo_get_filename)(di);
        const HChar *base = path ? VG_(basename)(path) : "";
        if (VG_(strncmp)(base, "python3", 7) != 0 && VG_(strncmp)(base, "libpython3", 10) != 0)
            continue;
        Addr runtime = dynsym(path, "_PyRuntime"), version = dynsym(path, "Py_Version");
        UInt hex;
        if (!runtime || !version)
            continue;
        PtrdiffT bias = VG_(DebugInfo_get_text_bias)(di);
        if (rd(version + bias, &hex, 4) && (hex >> 16) == 0x030b) {
            py_runtime = runtime + bias;
            return py_runtime;
        }
    }
    return 0;
}

/* ---- the walk ---------------------------------------------------------- */

static HChar *copy(const HChar *s) { return VG_(strdup)("ac.pystack.text", s); }

/* The PyThreadState of the thread with this LWP, or 0. */
static Addr thread_state(Addr runtime, Int lwp)
{
    Addr interp, ts;
    if (!rd_word(runtime + AC_PY_RUNTIME_INTERP_HEAD, &interp))
        return 0;
    for (UInt i = 0; interp && i < MAX_INTERPRETERS; i++) {
        if (!rd_word(interp + AC_PY_INTERP_THREADS_HEAD, &ts))
            return 0;
        for (UInt t = 0; ts && t < MAX_THREADS; t++) {
            ULong native;
            if (!rd(ts + AC_PY_TSTATE_NATIVE_ID, &native, 8))
                return 0;
            if (native == (ULong)lwp)
                return ts;
            if (!rd_word(ts + AC_PY_TSTATE_NEXT, &ts))
                return 0;
        }
        if (!rd_word(interp + AC_PY_INTERP_NEXT, &interp))
            return 0;
    }
    return 0;
}

static PyStack *walk(Addr tstate)
{
    UInt cap = VG_(clo_backtrace_size) > 0 ? (UInt)VG_(clo_backtrace_size) : 12;
    PyStack *st = VG_(calloc)("ac.pystack", 1, sizeof *st);
    st->frames = VG_(calloc)("ac.pystack.frames", cap, sizeof *st->frames);
    Addr cframe, f = 0, mark = 0;
    HChar why[160];
    why[0] = '\0';
    if (!rd_word(tstate + AC_PY_TSTATE_CFRAME, &cframe) ||
        !rd_word(cframe + AC_PY_CFRAME_CURRENT, &f))
        VG_(snprintf)(why, sizeof why, "the thread state at %#lx is unreadable", tstate);
    ULong steps = 0, power = 1;
    while (f && !why[0]) {
        Addr code, prev, next;
        UChar owner;
        Int first;
        Bool again = f == mark; /* a cycle: exact among the frames kept, else Brent's */
        for (UInt i = 0; i < st->n && !again; i++)
            again = st->frames[i].frame == f;
        if (again) {
            VG_(snprintf)(why, sizeof why, "the frame chain has a cycle at frame %#lx", f);
            break;
        }
        if (++steps == power) /* Brent: a new mark at every power of two */
            mark = f, power *= 2;
        if (steps > MAX_WALK) {
            VG_(snprintf)(why, sizeof why, "walk stopped after %d frames (a cap)", MAX_WALK);
            break;
        }
        if (!rd_word(f + AC_PY_FRAME_CODE, &code) || !rd_word(f + AC_PY_FRAME_PREV_INSTR, &prev) ||
            !rd(f + AC_PY_FRAME_OWNER, &owner, 1) || !rd_word(f + AC_PY_FRAME_PREVIOUS, &next)) {
            VG_(snprintf)(why, sizeof why, "frame %#lx is unreadable", f);
            break;
        }
        if (!is_type(code, "code") || !rd(code + AC_PY_CODE_FIRSTTRACEABLE, &first, 4)) {
            VG_(snprintf)(why, sizeof why, "frame %#lx has no code object (f_code %#lx)", f, code);
            break;
        }
        /* Frames still being set up hold no line yet: skipped (pyframe.py). */
        if (owner == AC_PY_OWNED_BY_GENERATOR ||
            prev >= code + AC_PY_CODE_ADAPTIVE + 2 * (Addr)(first > 0 ? first : 0)) {
            if (st->n < cap) {
                HChar fn[MAX_TEXT], file[MAX_TEXT];
                Addr p;
                if (!rd_word(code + AC_PY_CODE_QUALNAME, &p) || !rd_str(p, fn, sizeof fn))
                    VG_(strcpy)(fn, "???");
                if (!rd_word(code + AC_PY_CODE_FILENAME, &p) || !rd_str(p, file, sizeof file))
                    VG_(strcpy)(file, "???");
                PyFrameText *t = &st->frames[st->n++];
                t->fn = copy(fn), t->file = copy(file), t->instr = prev, t->frame = f;
                t->line = frame_line(code, prev);
            } else {
                st->more++;
            }
        }
        f = next;
    }
    st->broken = why[0] ? copy(why) : NULL;
    return st;
}

/* ---- the hooks (ac_errors.c) -------------------------------------------- */

static Bool wants_stack(const Error *err)
{
    ErrorKind k = VG_(get_error_kind)(err);
    /* Leaks are found at exit: no Python line made them there. */
    return k == AC_ERR_DANGLING_ACCESS || k == AC_ERR_ORPHANED_VIEW || k == AC_ERR_INVALID_FREE;
}

/* The Python stack of this moment, or NULL (no CPython 3.11 here). */
static PyStack *read_now(void)
{
    Addr runtime = find_runtime();
    if (!runtime)
        return NULL;
    Addr ts = thread_state(runtime, VG_(gettid)());
    if (ts)
        return walk(ts);
    PyStack *st = VG_(calloc)("ac.pystack", 1, sizeof *st);
    st->broken = copy("this thread runs no Python code");
    return st;
}

static void drop(PyStack *st)
{
    for (UInt i = 0; i < st->n; i++)
        VG_(free)(st->frames[i].fn), VG_(free)(st->frames[i].file);
    if (st->frames)
        VG_(free)(st->frames);
    if (st->broken)
        VG_(free)(st->broken);
    VG_(free)(st);
}

static ULong mix(ULong h, const void *p, SizeT n) /* FNV-1a */
{
    for (SizeT i = 0; i < n; i++)
        h = (h ^ ((const UChar *)p)[i]) * 0x100000001b3ULL;
    return h;
}

/* A hash of what ac_pystack_pp prints for st: equal stacks, equal keys. */
static UWord stack_key(const PyStack *st)
{
    ULong h = 0xcbf29ce484222325ULL;
    for (UInt i = 0; i < st->n; i++) {
        const PyFrameText *t = &st->frames[i];
        h = mix(h, t->fn, VG_(strlen)(t->fn) + 1);
        h = mix(h, t->file, VG_(strlen)(t->file) + 1);
        h = mix(h, &t->line, sizeof t->line);
    }
    h = mix(h, &st->more, sizeof st->more);
    if (st->broken)
        h = mix(h, st->broken, VG_(strlen)(st->broken) + 1);
    return (UWord)(h | 1);
}

/* Read by ac_pystack_key for the error being reported; taken by
 * ac_pystack_capture when that error is new, dropped at the next report
 * when it merged into an earlier one. */
static PyStack *pending;

UWord ac_pystack_key(void)
{
    if (pending)
        drop(pending), pending = NULL;
    if (!ac_clo_python_stack)
        return 0;
    pending = read_now();
    return pending ? stack_key(pending) : 0;
}

void ac_pystack_capture(const Error *err)
{
    if (!ac_clo_python_stack || !wants_stack(err))
        return;
    PyStack *st = pending ? pending : read_now();
    pending = NULL;
    if (!st)
        return;
    if (!stacks)
        stacks = VG_(HT_construct)("ac.pystacks");
    st->node.key = (UWord)err;
    VG_(HT_add_node)(stacks, st);
}

void ac_pystack_pp(const Error *err)
{
    PyStack *st = stacks && wants_stack(err) ? VG_(HT_lookup)(stacks, (UWord)err) : NULL;
    if (!st)
        return;
    Bool xml = VG_(clo_xml);
    if (st->n == 0 && st->broken) { /* one line: why there is none */
        if (xml)
            VG_(printf_xml)("  <auxwhat>Python stack not read: %pS</auxwhat>\n", st->broken);
        else
            VG_(umsg)(" Python stack not read: %s\n", st->broken);
        return;
    }
    if (xml)
        VG_(printf_xml)("  <auxwhat>Python stack, innermost first (CPython 3.11 frames)</auxwhat>\n"
                        "  <stack>\n");
    else
        VG_(umsg)(" Python stack, innermost first:\n");
    for (UInt i = 0; i < st->n; i++) {
        const PyFrameText *t = &st->frames[i];
        if (xml) {
            const HChar *slash = VG_(strrchr)(t->file, '/');
            const HChar *base = slash ? slash + 1 : t->file;
            HChar dir[MAX_TEXT];
            VG_(strncpy)(dir, t->file, sizeof dir - 1);
            dir[slash ? slash - t->file : 0] = '\0';
            VG_(printf_xml)("    <frame>\n      <ip>%#lx</ip>\n      <obj>python</obj>\n"
                            "      <fn>%pS</fn>\n", t->instr, t->fn);
            if (dir[0])
                VG_(printf_xml)("      <dir>%pS</dir>\n", dir);
            VG_(printf_xml)("      <file>%pS</file>\n", base);
            if (t->line)
                VG_(printf_xml)("      <line>%d</line>\n", t->line);
            VG_(printf_xml)("    </frame>\n");
        } else if (t->line) {
            VG_(umsg)("   %s %s (%s:%d)\n", i ? "by" : "at", t->fn, t->file, t->line);
        } else {
            VG_(umsg)("   %s %s (%s)\n", i ? "by" : "at", t->fn, t->file);
        }
    }
    if (xml)
        VG_(printf_xml)("  </stack>\n");
    HChar text[240];
    if (st->more) {
        VG_(snprintf)(text, sizeof text, "(and %llu more Python frames: --num-callers shows more)",
                      st->more);
        if (xml)
            VG_(printf_xml)("  <auxwhat>%pS</auxwhat>\n", text);
        else
            VG_(umsg)("   %s\n", text);
    }
    if (st->broken) {
        VG_(snprintf)(text, sizeof text, "Python stack cut short: %s", st->broken);
        if (xml)
            VG_(printf_xml)("  <auxwhat>%pS</auxwhat>\n", text);
        else
            VG_(umsg)("   %s\n", text);
    }
}
