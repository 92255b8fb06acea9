/* arr_npy.c - NumPy's .npy files: load (read or mmap), save, create mapped.
 *
 * The format (numpy/lib/format.py, NEP 1): the magic "\x93NUMPY", a major and
 * a minor version byte, the header length (little-endian uint16 for 1.0,
 * uint32 for 2.0 and 3.0), then the header: a Python dict literal
 *     {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
 * padded with spaces and a newline so that the data starts on a 64-byte
 * boundary (16 in old files; any offset is accepted when reading).  1.0 and
 * 2.0 headers are latin-1, 3.0 headers UTF-8.  The data follows, C or
 * Fortran order, in the byte order the descr names.
 *
 * The header parser is strict and never trusts a length: every size is
 * checked against the bytes actually present, and every failure is an error
 * naming the problem (ARR_EINVAL for a malformed or truncated file or an I/O
 * error, ARR_ETYPE for a dtype libarr lacks, ARR_EOVERFLOW for a shape whose
 * size overflows).  Trailing bytes after the data are ignored, as NumPy does.
 *
 * Load modes: ARR_LOAD_COPY reads into a fresh malloc'd owner (big-endian
 * data is byte-swapped, each half of a complex separately).  The mmap modes
 * map the whole file (offset 0, so no page alignment is needed) and make an
 * owner over it with arr__new_owner_external, data = map + data_offset,
 * released by munmap; a Fortran-order file keeps F strides.  Mapping refuses
 * big-endian data (ARR_ETYPE: a native view of it would show wrong values,
 * and a swapped copy would defeat the point of mapping) and data whose
 * offset is not a multiple of its item size (ARR_EINVAL: libarr arrays are
 * aligned); ARR_LOAD_COPY handles both.
 *
 * Saving writes exactly np.save's bytes (NumPy 1.24): the dict with keys in
 * sorted order, the spare spaces NumPy leaves for the growing axis, padding
 * to 64 bytes, version 1.0 unless the header exceeds 65535 bytes.
 *
 * arr_drop_pages (MADV_DONTNEED) is what keeps a pass over a mapped file from
 * growing the resident set: it is only done for read-only and shared
 * mappings, whose pages come back from the file; a copy-on-write mapping's
 * written pages would be lost, so there it does nothing. */
#include "arr_alloc.h"
#include "arr_dtype.h"
#include "arr_error.h"
#include "arr_iter.h"
#include "arr_layout.h"
#include "arr_owner.h"
#include "arr_registry.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_PREFIX_LEN 8   /* magic + 2 version bytes */
#define NPY_ALIGN 64       /* NumPy's ARRAY_ALIGN */
#define NPY_GROWTH_DIGITS 21 /* NumPy's GROWTH_AXIS_MAX_DIGITS */

/* The array-protocol type string of each dtype, without its byte-order char. */
static const struct {
    char kind;
    int size;
} npy_types[ARR_NDTYPES] = {
    [ARR_BOOL] = {'b', 1},     [ARR_INT8] = {'i', 1},     [ARR_INT16] = {'i', 2},
    [ARR_INT32] = {'i', 4},    [ARR_INT64] = {'i', 8},    [ARR_UINT8] = {'u', 1},
    [ARR_UINT16] = {'u', 2},   [ARR_UINT32] = {'u', 4},   [ARR_UINT64] = {'u', 8},
    [ARR_FLOAT32] = {'f', 4},  [ARR_FLOAT64] = {'f', 8},  [ARR_COMPLEX64] = {'c', 8},
    [ARR_COMPLEX128] = {'c', 16},
};

/* ---- the header parser -------------------------------------------------- */

typedef struct parser {
    const char *p, *end;
    const char *ctx; /* "arr_load_npy: <path>" or the function name */
    int version_major;
} parser_t;

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

static void skip_space(parser_t *ps)
{
    while (ps->p < ps->end && is_space(*ps->p))
        ps->p++;
}

/* Where the parser stands, for messages: the byte offset in the header. */
static long header_pos(const parser_t *ps, const char *start) { return (long)(ps->p - start); }

static int expect_char(parser_t *ps, char c, const char *what)
{
    skip_space(ps);
    if (ps->p >= ps->end)
        return arr__fail(ARR_EINVAL, "%s: header ends where %s ('%c') should be", ps->ctx, what, c);
    if (*ps->p != c)
        return arr__fail(ARR_EINVAL, "%s: header has '%c' where %s ('%c') should be", ps->ctx,
                         (unsigned char)*ps->p >= 0x20 && (unsigned char)*ps->p < 0x7f ? *ps->p : '?',
                         what, c);
    ps->p++;
    return 0;
}

/* Python string literals, as ast.literal_eval reads them (NumPy parses the
 * header with it): an optional prefix (r, u, b, br, rb in any case), single,
 * double or triple quotes, backslash escapes unless raw, and adjacent
 * literals concatenated ('<f' '8' is '<f8').  The decoded value is kept as
 * bytes; a character above U+00FF (only an escape can make one in a latin-1
 * header) is stored as 0xff, which matches no key or descr.  is_bytes marks
 * a b'' literal, which NumPy accepts neither as a key nor as a descr. */
typedef struct pystr {
    char s[64];
    size_t len;    /* decoded length (may exceed sizeof s: then too long) */
    int is_bytes;
} pystr_t;

static void pystr_put(pystr_t *v, unsigned long cp)
{
    if (v->len < sizeof v->s)
        v->s[v->len] = (char)(cp > 0xff ? 0xff : cp);
    v->len++;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One escape after the backslash (ps->p at the char after it). */
static int parse_escape(parser_t *ps, pystr_t *v, const char *what)
{
    if (ps->p >= ps->end)
        return arr__fail(ARR_EINVAL, "%s: unterminated string in %s", ps->ctx, what);
    char c = *ps->p++;
    static const char plain[] = "\\\\''\"\"a\ab\bf\fn\nr\rt\tv\v";
    for (const char *e = plain; *e; e += 2)
        if (c == e[0]) {
            pystr_put(v, (unsigned char)e[1]);
            return 0;
        }
    if (c == '\n') /* line continuation */
        return 0;
    if (c >= '0' && c <= '7') {
        unsigned long cp = (unsigned long)(c - '0');
        for (int k = 0; k < 2 && ps->p < ps->end && *ps->p >= '0' && *ps->p <= '7'; k++)
            cp = cp * 8 + (unsigned long)(*ps->p++ - '0');
        pystr_put(v, cp);
        return 0;
    }
    int digits = c == 'x' ? 2 : !v->is_bytes && c == 'u' ? 4 : !v->is_bytes && c == 'U' ? 8 : 0;
    if (digits == 0) {
        if (c == 'N' && !v->is_bytes)
            return arr__fail(ARR_EINVAL, "%s: unsupported \\N{...} escape in %s", ps->ctx, what);
        pystr_put(v, '\\'); /* Python keeps an unknown escape as it is */
        pystr_put(v, (unsigned char)c);
        return 0;
    }
    unsigned long cp = 0;
    for (int k = 0; k < digits; k++) {
        int d = ps->p < ps->end ? hex_digit(*ps->p) : -1;
        if (d < 0)
            return arr__fail(ARR_EINVAL, "%s: truncated \\%c escape in %s", ps->ctx, c, what);
        cp = cp * 16 + (unsigned long)d;
        ps->p++;
    }
    if (cp > 0x10ffff)
        return arr__fail(ARR_EINVAL, "%s: escape out of range in %s", ps->ctx, what);
    pystr_put(v, cp);
    return 0;
}

/* One literal, appended to v. */
static int parse_one_string(parser_t *ps, pystr_t *v, int first, const char *what)
{
    int raw = 0, bytes = 0;
    for (int k = 0; k < 2 && ps->p < ps->end; k++) {
        char c = (char)(*ps->p | 0x20);
        if (c == 'r' && !raw)
            raw = 1;
        else if (c == 'b' && !bytes)
            bytes = 1;
        else if (c == 'u' && k == 0 && ps->p + 1 < ps->end &&
                 (ps->p[1] == '\'' || ps->p[1] == '"')) {
            ps->p++;
            break;
        } else
            break;
        ps->p++;
    }
    if (ps->p >= ps->end || (*ps->p != '\'' && *ps->p != '"'))
        return arr__fail(ARR_EINVAL, "%s: %s is not a quoted string", ps->ctx, what);
    if (first)
        v->is_bytes = bytes;
    else if (v->is_bytes != bytes)
        return arr__fail(ARR_EINVAL, "%s: %s mixes bytes and str literals", ps->ctx, what);
    char quote = *ps->p;
    int triple = ps->end - ps->p >= 3 && ps->p[1] == quote && ps->p[2] == quote;
    ps->p += triple ? 3 : 1;
    for (;;) {
        if (ps->p >= ps->end || (!triple && *ps->p == '\n'))
            return arr__fail(ARR_EINVAL, "%s: unterminated string in %s", ps->ctx, what);
        char c = *ps->p;
        if (c == quote && (!triple || (ps->end - ps->p >= 3 && ps->p[1] == quote &&
                                       ps->p[2] == quote))) {
            ps->p += triple ? 3 : 1;
            return 0;
        }
        ps->p++;
        if (bytes && (unsigned char)c >= 0x80)
            return arr__fail(ARR_EINVAL, "%s: non-ASCII character in a bytes literal (%s)",
                             ps->ctx, what);
        if (c == '\\' && !raw) {
            if (parse_escape(ps, v, what) != 0)
                return -1;
        } else if (c == '\\' && raw && ps->p < ps->end) {
            /* A raw string still cannot end in an odd backslash. */
            pystr_put(v, '\\');
            pystr_put(v, (unsigned char)*ps->p++);
        } else {
            pystr_put(v, (unsigned char)c);
        }
    }
}

static int starts_string(const parser_t *ps)
{
    const char *q = ps->p;
    for (int k = 0; k < 2 && q < ps->end && strchr("rRbBuU", *q) && *q; k++)
        q++;
    return q < ps->end && (*q == '\'' || *q == '"');
}

static int parse_string(parser_t *ps, pystr_t *v, const char *what)
{
    skip_space(ps);
    if (ps->p >= ps->end)
        return arr__fail(ARR_EINVAL, "%s: header ends where %s should be", ps->ctx, what);
    memset(v, 0, sizeof *v);
    for (int first = 1;; first = 0) {
        if (parse_one_string(ps, v, first, what) != 0)
            return -1;
        skip_space(ps);
        if (!starts_string(ps))
            break;
    }
    if (v->len > sizeof v->s)
        v->len = sizeof v->s + 1; /* marks "too long": matches nothing */
    return 0;
}

static int pystr_is(const pystr_t *v, const char *word)
{
    return !v->is_bytes && v->len == strlen(word) && memcmp(v->s, word, v->len) == 0;
}

/* The dtype a descr string names, as np.dtype(str) reads it (NumPy 1.24):
 * a name from np.sctypeDict ("float64", "double", "int", ...: no byte-order
 * prefix), or an optional byte order (<, >, =, |) followed by a one-char type
 * code ("d", "?", "Q", ...) or by a kind and an item size that C's strtol
 * reads to the end ("f8", "<f 8", "<f+08": leading white space and a sign are
 * accepted, nothing after the digits).  Returns the dtype, -1 for a string
 * NumPy rejects, -2 for a dtype NumPy has and libarr lacks.  *big: '>'. */
static int descr_dtype(const char *s, size_t n, int *big)
{
    static const struct {
        const char *name;
        arr_dtype_t dtype;
    } names[] = {
        {"bool", ARR_BOOL},          {"bool8", ARR_BOOL},         {"bool_", ARR_BOOL},
        {"byte", ARR_INT8},          {"int8", ARR_INT8},          {"short", ARR_INT16},
        {"int16", ARR_INT16},        {"intc", ARR_INT32},         {"int32", ARR_INT32},
        {"int", ARR_INT64},          {"int0", ARR_INT64},         {"int64", ARR_INT64},
        {"int_", ARR_INT64},         {"intp", ARR_INT64},         {"long", ARR_INT64},
        {"longlong", ARR_INT64},     {"ubyte", ARR_UINT8},        {"uint8", ARR_UINT8},
        {"ushort", ARR_UINT16},      {"uint16", ARR_UINT16},      {"uintc", ARR_UINT32},
        {"uint32", ARR_UINT32},      {"uint", ARR_UINT64},        {"uint0", ARR_UINT64},
        {"uint64", ARR_UINT64},      {"uintp", ARR_UINT64},       {"ulong", ARR_UINT64},
        {"ulonglong", ARR_UINT64},   {"single", ARR_FLOAT32},     {"float32", ARR_FLOAT32},
        {"double", ARR_FLOAT64},     {"float", ARR_FLOAT64},      {"float64", ARR_FLOAT64},
        {"float_", ARR_FLOAT64},     {"csingle", ARR_COMPLEX64},  {"complex64", ARR_COMPLEX64},
        {"singlecomplex", ARR_COMPLEX64}, {"cdouble", ARR_COMPLEX128},
        {"cfloat", ARR_COMPLEX128},  {"complex", ARR_COMPLEX128}, {"complex128", ARR_COMPLEX128},
        {"complex_", ARR_COMPLEX128},
    };
    /* One-char codes (x86-64 Linux: long is 64 bits). */
    static const char codes[] = "?bBhHiIlLqQpPfdFD";
    static const arr_dtype_t code_types[] = {
        ARR_BOOL,   ARR_INT8,   ARR_UINT8,  ARR_INT16,   ARR_UINT16,  ARR_INT32,
        ARR_UINT32, ARR_INT64,  ARR_UINT64, ARR_INT64,   ARR_UINT64,  ARR_INT64,
        ARR_UINT64, ARR_FLOAT32, ARR_FLOAT64, ARR_COMPLEX64, ARR_COMPLEX128};
    /* Codes and names NumPy has and libarr lacks (half, long double,
     * strings, objects, datetimes, void, ...). */
    static const char other_codes[] = "egGOSUVaMmc";
    *big = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i].name) == n && memcmp(names[i].name, s, n) == 0)
            return (int)names[i].dtype;
    size_t i = 0;
    if (n > 0 && strchr("<>=|", s[0]) && s[0]) {
        *big = s[0] == '>';
        i = 1;
    }
    if (i >= n || s[i] == '\0')
        return -1;
    char kind = s[i];
    if (kind == 'M' || kind == 'm')
        return -2; /* datetimes and timedeltas, any unit */
    if (i + 1 == n) {
        const char *c = strchr(codes, kind);
        if (c != NULL)
            return (int)code_types[c - codes];
        return strchr(other_codes, kind) ? -2 : -1;
    }
    /* kind + size, read as strtol does, to the end of the string. */
    size_t j = i + 1;
    while (j < n && (s[j] == ' ' || (s[j] >= '\t' && s[j] <= '\r')))
        j++;
    int neg = 0;
    if (j < n && (s[j] == '+' || s[j] == '-'))
        neg = s[j++] == '-';
    if (j >= n || s[j] < '0' || s[j] > '9')
        return -1;
    long size = 0;
    for (; j < n; j++) {
        if (s[j] < '0' || s[j] > '9')
            return -1;
        if (size < 1000)
            size = size * 10 + (s[j] - '0');
    }
    if (neg)
        size = -size;
    for (int dt = 0; dt < ARR_NDTYPES; dt++)
        if (npy_types[dt].kind == kind && npy_types[dt].size == size)
            return dt;
    /* Kinds NumPy sizes that libarr lacks at that size. */
    if ((kind == 'f' && (size == 2 || size == 16)) || (kind == 'c' && size == 32))
        return -2;
    if (strchr("SUVaMm", kind) && kind)
        return -2; /* strings, void, datetimes: any size NumPy reads */
    return -1;
}

/* The descr value: a list or tuple (structured or sub-array dtypes) is
 * refused; a string is kept for resolve_descr, run once the whole dict is
 * read (as in Python, a key given twice takes its last value). */
static int parse_descr(parser_t *ps, pystr_t *v)
{
    skip_space(ps);
    if (ps->p < ps->end && (*ps->p == '[' || *ps->p == '('))
        return arr__fail(ARR_ETYPE,
                         "%s: structured or sub-array dtypes (a %s descr) are not supported",
                         ps->ctx, *ps->p == '[' ? "list" : "tuple");
    return parse_string(ps, v, "the 'descr' value");
}

/* A string for messages: unprintable bytes as '?'. */
static void pystr_show(const pystr_t *v, char *out, size_t cap)
{
    size_t m = v->len < sizeof v->s ? v->len : sizeof v->s;
    if (m + 1 > cap)
        m = cap - 1;
    for (size_t i = 0; i < m; i++)
        out[i] = (unsigned char)v->s[i] >= 0x20 && (unsigned char)v->s[i] < 0x7f ? v->s[i] : '?';
    out[m] = '\0';
}

static int resolve_descr(const parser_t *ps, const pystr_t *v, arr_npy_header_t *h)
{
    char shown[sizeof v->s + 1];
    pystr_show(v, shown, sizeof shown);
    int big = 0;
    /* NumPy's descr_to_dtype takes a str (or a list or tuple), never bytes. */
    int dt = v->len <= sizeof v->s && !v->is_bytes ? descr_dtype(v->s, v->len, &big) : -1;
    if (dt == -1)
        return arr__fail(ARR_EINVAL, "%s: descr '%s' is not a valid dtype descriptor", ps->ctx,
                         shown);
    if (dt == -2)
        return arr__fail(ARR_ETYPE,
                         "%s: descr '%s' is not a dtype libarr has (b1, i1-i8, u1-u8, f4, f8, c8, c16)",
                         ps->ctx, shown);
    h->dtype = (arr_dtype_t)dt;
    h->big_endian = big && npy_types[dt].size > 1;
    return 0;
}

static int parse_bool(parser_t *ps, int *out)
{
    skip_space(ps);
    size_t left = (size_t)(ps->end - ps->p);
    if (left >= 4 && memcmp(ps->p, "True", 4) == 0) {
        *out = 1;
        ps->p += 4;
    } else if (left >= 5 && memcmp(ps->p, "False", 5) == 0) {
        *out = 0;
        ps->p += 5;
    } else {
        return arr__fail(ARR_EINVAL, "%s: 'fortran_order' is not True or False", ps->ctx);
    }
    /* "Truex" is a name, not True. */
    if (ps->p < ps->end && (*ps->p == '_' || (*ps->p >= '0' && *ps->p <= '9') ||
                            ((*ps->p | 0x20) >= 'a' && (*ps->p | 0x20) <= 'z')))
        return arr__fail(ARR_EINVAL, "%s: 'fortran_order' is not True or False", ps->ctx);
    return 0;
}

/* A non-negative decimal Python int (Python 3 forbids leading zeros; 1.0 and
 * 2.0 files from Python 2 may carry an L suffix, which NumPy accepts). */
static int parse_dim(parser_t *ps, int64_t *out, int axis)
{
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == '-')
        return arr__fail(ARR_EINVAL, "%s: negative dimension on axis %d of 'shape'", ps->ctx, axis);
    if (ps->p >= ps->end)
        return arr__fail(ARR_EINVAL, "%s: header ends inside 'shape'", ps->ctx);
    if (*ps->p < '0' || *ps->p > '9')
        return arr__fail(ARR_EINVAL, "%s: 'shape' item %d is not an integer", ps->ctx, axis);
    const char *start = ps->p;
    int64_t v = 0;
    while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *ps->p - '0', &v))
            return arr__fail(ARR_EOVERFLOW, "%s: dimension %d of 'shape' does not fit in 64 bits",
                             ps->ctx, axis);
        ps->p++;
    }
    if (*start == '0' && ps->p - start > 1)
        return arr__fail(ARR_EINVAL, "%s: 'shape' item %d has a leading zero", ps->ctx, axis);
    if (ps->version_major < 3 && ps->p < ps->end && *ps->p == 'L')
        ps->p++;
    *out = v;
    return 0;
}

static int parse_shape(parser_t *ps, arr_npy_header_t *h)
{
    if (expect_char(ps, '(', "the 'shape' tuple") != 0)
        return -1;
    int n = 0;
    int commas = 0;
    for (;;) {
        skip_space(ps);
        if (ps->p < ps->end && *ps->p == ')') {
            ps->p++;
            break;
        }
        if (n == ARR_MAXDIMS)
            return arr__fail(ARR_EINVAL, "%s: 'shape' has more than %d dimensions", ps->ctx,
                             ARR_MAXDIMS);
        if (parse_dim(ps, &h->shape[n], n) != 0)
            return -1;
        n++;
        skip_space(ps);
        if (ps->p >= ps->end)
            return arr__fail(ARR_EINVAL, "%s: header ends inside 'shape'", ps->ctx);
        if (*ps->p == ',') {
            ps->p++;
            commas++;
        } else if (*ps->p != ')') {
            return arr__fail(ARR_EINVAL, "%s: 'shape' items must be separated by ','", ps->ctx);
        }
    }
    /* (3) is the int 3 in Python, not a tuple. */
    if (n == 1 && commas == 0)
        return arr__fail(ARR_EINVAL, "%s: 'shape' is not a tuple (a 1-d shape is written (n,))",
                         ps->ctx);
    h->ndim = n;
    return 0;
}

/* UTF-8 check for 3.0 headers: well-formed sequences only (no overlongs,
 * surrogates or code points above U+10FFFF). */
static int valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len;
        unsigned min;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            len = 2, min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3, min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4, min = 0x10000;
        } else {
            return 0;
        }
        if (n - i < len)
            return 0;
        unsigned cp = c & (0x7f >> len);
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += len;
    }
    return 1;
}

static int parse_dict(parser_t *ps, arr_npy_header_t *h)
{
    const char *start = ps->p;
    if (expect_char(ps, '{', "the header dict's opening brace") != 0)
        return -1;
    int seen_descr = 0, seen_order = 0, seen_shape = 0;
    pystr_t descr;
    for (;;) {
        skip_space(ps);
        if (ps->p < ps->end && *ps->p == '}') {
            ps->p++;
            break;
        }
        pystr_t key;
        if (parse_string(ps, &key, "a header key") != 0)
            return -1;
        if (expect_char(ps, ':', "the ':' after a key") != 0)
            return -1;
        int *seen;
        int rc;
        if (pystr_is(&key, "descr")) {
            seen = &seen_descr;
            rc = parse_descr(ps, &descr);
        } else if (pystr_is(&key, "fortran_order")) {
            seen = &seen_order;
            rc = parse_bool(ps, &h->fortran_order);
        } else if (pystr_is(&key, "shape")) {
            seen = &seen_shape;
            rc = parse_shape(ps, h);
        } else {
            char shown[sizeof key.s + 1];
            pystr_show(&key, shown, sizeof shown);
            return arr__fail(ARR_EINVAL, "%s: unexpected key %s'%s' in the header", ps->ctx,
                             key.is_bytes ? "b" : "", shown);
        }
        if (rc != 0)
            return -1;
        *seen = 1;
        skip_space(ps);
        if (ps->p >= ps->end)
            return arr__fail(ARR_EINVAL, "%s: header ends inside the dict", ps->ctx);
        if (*ps->p == ',')
            ps->p++;
        else if (*ps->p != '}')
            return arr__fail(ARR_EINVAL, "%s: expected ',' or '}' at byte %ld of the header",
                             ps->ctx, header_pos(ps, start));
    }
    skip_space(ps);
    if (ps->p != ps->end)
        return arr__fail(ARR_EINVAL, "%s: unexpected text after the header dict (byte %ld)",
                         ps->ctx, header_pos(ps, start));
    if (!seen_descr || !seen_order || !seen_shape)
        return arr__fail(ARR_EINVAL, "%s: the header lacks '%s'", ps->ctx,
                         !seen_descr ? "descr" : !seen_order ? "fortran_order" : "shape");
    return resolve_descr(ps, &descr, h);
}

static uint32_t read_le(const unsigned char *p, int n)
{
    uint32_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* Length of the fixed prefix (magic, version, header length) once the version
 * is known; -1 + error for a bad magic or version.  len >= NPY_PREFIX_LEN. */
static int prefix_len(const unsigned char *b, const char *ctx, int *major, int *minor)
{
    if (memcmp(b, NPY_MAGIC, NPY_MAGIC_LEN) != 0)
        return arr__fail(ARR_EINVAL, "%s: not a .npy file (no \\x93NUMPY magic)", ctx);
    *major = b[6];
    *minor = b[7];
    if (*major < 1 || *major > 3 || *minor != 0)
        return arr__fail(ARR_EINVAL, "%s: unsupported .npy format version %d.%d (1.0, 2.0, 3.0 are)",
                         ctx, *major, *minor);
    return NPY_PREFIX_LEN + (*major == 1 ? 2 : 4);
}

static int parse_header_ctx(const void *bytes, size_t len, arr_npy_header_t *out, const char *ctx)
{
    const unsigned char *b = bytes;
    if (len < NPY_PREFIX_LEN)
        return arr__fail(ARR_EINVAL, "%s: truncated: %zu bytes, a .npy file starts with %d",
                         ctx, len, NPY_PREFIX_LEN);
    arr_npy_header_t h;
    memset(&h, 0, sizeof h);
    int pre = prefix_len(b, ctx, &h.version_major, &h.version_minor);
    if (pre < 0)
        return -1;
    if (len < (size_t)pre)
        return arr__fail(ARR_EINVAL, "%s: truncated inside the header length field", ctx);
    uint32_t hlen = read_le(b + NPY_PREFIX_LEN, pre - NPY_PREFIX_LEN);
    if ((uint64_t)len - (uint64_t)pre < hlen)
        return arr__fail(ARR_EINVAL,
                         "%s: truncated header: it says %" PRIu32 " bytes, %zu are there", ctx,
                         hlen, len - (size_t)pre);
    const char *text = (const char *)b + pre;
    if (h.version_major == 3 && !valid_utf8((const unsigned char *)text, hlen))
        return arr__fail(ARR_EINVAL, "%s: the 3.0 header is not valid UTF-8", ctx);
    /* Python (NumPy parses the header with ast.literal_eval) refuses source
     * text with a NUL byte anywhere, inside a string literal too. */
    if (memchr(text, '\0', hlen) != NULL)
        return arr__fail(ARR_EINVAL, "%s: the header contains a NUL byte (at byte %ld)", ctx,
                         (long)((const char *)memchr(text, '\0', hlen) - text));
    parser_t ps = {text, text + hlen, ctx, h.version_major};
    if (parse_dict(&ps, &h) != 0)
        return -1;
    h.data_offset = pre + (int64_t)hlen;
    int64_t nbytes = arr__nbytes_checked(h.ndim, h.shape, npy_types[h.dtype].size, ctx);
    if (nbytes < 0)
        return -1;
    if (nbytes > INT64_MAX - h.data_offset)
        return arr__fail(ARR_EOVERFLOW, "%s: the data would end past 2^63 bytes", ctx);
    h.data_bytes = nbytes;
    *out = h;
    return 0;
}

int arr_npy_parse_header(const void *bytes, size_t len, arr_npy_header_t *out)
{
    static const char fn[] = "arr_npy_parse_header";
    if (bytes == NULL && len > 0)
        return arr__fail(ARR_EINVAL, "%s: bytes is NULL", fn);
    if (out == NULL)
        return arr__fail(ARR_EINVAL, "%s: out is NULL", fn);
    return parse_header_ctx(bytes, len, out, fn);
}

/* ---- files ---------------------------------------------------------------- */

/* pread of exactly n bytes; -1 + errno (0 for a short file). */
static int read_full(int fd, void *buf, size_t n, off_t off)
{
    char *p = buf;
    while (n > 0) {
        ssize_t got = pread(fd, p, n, off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            if (got == 0)
                errno = 0;
            return -1;
        }
        p += got;
        n -= (size_t)got;
        off += got;
    }
    return 0;
}

static int write_full(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t put = write(fd, p, n);
        if (put < 0 && errno == EINTR)
            continue;
        if (put < 0)
            return -1;
        p += put;
        n -= (size_t)put;
    }
    return 0;
}

/* What a non-regular file is, for messages. */
static const char *file_kind(mode_t mode)
{
    return S_ISFIFO(mode) ? "a FIFO" : S_ISSOCK(mode) ? "a socket" : S_ISDIR(mode) ? "a directory"
         : S_ISCHR(mode) ? "a character device" : S_ISBLK(mode) ? "a block device"
         : S_ISLNK(mode) ? "a symbolic link" : "not a file";
}

/* Opens an existing path without ever blocking on it: O_NONBLOCK and
 * O_NOCTTY make open() return at once on a FIFO without a writer, a
 * terminal or a device; fstat then refuses anything but a regular file, and
 * O_NONBLOCK is cleared again for the reads.  Returns the fd (with *st
 * filled), or -1 with ARR_EINVAL naming the problem. */
static int open_regular(const char *path, int flags, const char *ctx, struct stat *st)
{
    int fd = open(path, flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        /* A socket cannot be opened at all (ENXIO): say what it is. */
        int e = errno;
        if (stat(path, st) == 0 && !S_ISREG(st->st_mode))
            return arr__fail(ARR_EINVAL, "%s: not a regular file (%s)", ctx, file_kind(st->st_mode));
        return arr__fail(ARR_EINVAL, "%s: cannot open: %s", ctx, strerror(e));
    }
    if (fstat(fd, st) != 0) {
        arr__fail(ARR_EINVAL, "%s: cannot stat: %s", ctx, strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st->st_mode)) {
        arr__fail(ARR_EINVAL, "%s: not a regular file (%s)", ctx, file_kind(st->st_mode));
        goto fail;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
        arr__fail(ARR_EINVAL, "%s: fcntl: %s", ctx, strerror(errno));
        goto fail;
    }
    return fd;
fail:
    close(fd);
    return -1;
}

/* An open regular file, its size and its parsed header (data checked to be
 * there).  Returns the fd, or -1 with an error. */
static int open_npy(const char *path, const char *ctx, arr_npy_header_t *h, int64_t *file_size,
                    int flags)
{
    struct stat st;
    int fd = open_regular(path, flags, ctx, &st);
    if (fd < 0)
        return -1;
    *file_size = st.st_size;
    unsigned char prefix[NPY_PREFIX_LEN + 4];
    size_t have = (size_t)(st.st_size < (off_t)sizeof prefix ? st.st_size : (off_t)sizeof prefix);
    if (read_full(fd, prefix, have, 0) != 0) {
        arr__fail(ARR_EINVAL, "%s: read error: %s", ctx, errno ? strerror(errno) : "file shrank");
        goto fail;
    }
    int major, minor;
    if (have < NPY_PREFIX_LEN) {
        parse_header_ctx(prefix, have, h, ctx); /* reports the truncation */
        goto fail;
    }
    int pre = prefix_len(prefix, ctx, &major, &minor);
    if (pre < 0)
        goto fail;
    if (have < (size_t)pre) {
        parse_header_ctx(prefix, have, h, ctx);
        goto fail;
    }
    uint64_t hlen = read_le(prefix + NPY_PREFIX_LEN, pre - NPY_PREFIX_LEN);
    /* Only read as much header as the file holds: a lying length must not
     * make us allocate gigabytes. */
    uint64_t avail = (uint64_t)st.st_size - (uint64_t)pre;
    size_t want = (size_t)pre + (size_t)(hlen < avail ? hlen : avail);
    unsigned char *buf = arr__malloc(want);
    if (buf == NULL) {
        arr__fail(ARR_ENOMEM, "%s: out of memory for a %zu-byte header", ctx, want);
        goto fail;
    }
    if (read_full(fd, buf, want, 0) != 0) {
        arr__fail(ARR_EINVAL, "%s: read error: %s", ctx, errno ? strerror(errno) : "file shrank");
        arr__free_mem(buf);
        goto fail;
    }
    int rc = parse_header_ctx(buf, want, h, ctx);
    arr__free_mem(buf);
    if (rc != 0)
        goto fail;
    if (h->data_bytes > *file_size - h->data_offset) {
        arr__fail(ARR_EINVAL,
                  "%s: truncated data: the header asks for %" PRId64 " bytes, the file has %" PRId64
                  " after the header",
                  ctx, h->data_bytes, *file_size - h->data_offset);
        goto fail;
    }
    return fd;
fail:
    close(fd);
    return -1;
}

int arr_npy_read_header(const char *path, arr_npy_header_t *out)
{
    static const char fn[] = "arr_npy_read_header";
    if (path == NULL || out == NULL)
        return arr__fail(ARR_EINVAL, "%s: path/out is NULL", fn);
    char ctx[300];
    snprintf(ctx, sizeof ctx, "%s: %s", fn, path);
    int64_t size;
    int fd = open_npy(path, ctx, out, &size, O_RDONLY);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

/* Reverses the bytes of each of n units of width w in place. */
static void swap_bytes(char *p, int64_t n, int w)
{
    for (int64_t i = 0; i < n; i++, p += w)
        for (int a = 0, b = w - 1; a < b; a++, b--) {
            char t = p[a];
            p[a] = p[b];
            p[b] = t;
        }
}

/* Each mapping kind has its own release hook, so arr_drop_pages can tell
 * mappings whose pages may be dropped from copy-on-write ones. */
static void unmap_readonly(void *buffer, int64_t bytes) { munmap(buffer, (size_t)bytes); }
static void unmap_private(void *buffer, int64_t bytes) { munmap(buffer, (size_t)bytes); }
static void unmap_shared(void *buffer, int64_t bytes) { munmap(buffer, (size_t)bytes); }

/* Strides of a contiguous layout; F order reverses the axis nesting.  Axes of
 * length 0 do not scale the others (as libarr's own owners). */
static void contiguous_strides(int ndim, const int64_t *shape, int64_t itemsize, int fortran,
                               int64_t *strides)
{
    int64_t s = itemsize;
    for (int k = 0; k < ndim; k++) {
        int axis = fortran ? k : ndim - 1 - k;
        strides[axis] = s;
        if (shape[axis] != 0)
            s *= shape[axis];
    }
}

static arr_t *map_npy(int fd, const arr_npy_header_t *h, int64_t file_size, arr_load_mode_t mode,
                      const char *ctx, const void *caller)
{
    int itemsize = npy_types[h->dtype].size;
    if (h->big_endian)
        return arr__fail_p(ARR_ETYPE,
                           "%s: big-endian data cannot be mapped as native values; "
                           "load it with ARR_LOAD_COPY (byte-swapped)", ctx);
    if (h->data_offset % itemsize != 0)
        return arr__fail_p(ARR_EINVAL,
                           "%s: the data starts at byte %" PRId64
                           ", not aligned to its %d-byte items; load it with ARR_LOAD_COPY",
                           ctx, h->data_offset, itemsize);
    if ((uint64_t)file_size > SIZE_MAX)
        return arr__fail_p(ARR_EOVERFLOW, "%s: file too large to map", ctx);
    int prot = PROT_READ, flags = MAP_SHARED;
    void (*release)(void *, int64_t) = unmap_readonly;
    if (mode == ARR_LOAD_MMAP_COPY) {
        prot |= PROT_WRITE;
        flags = MAP_PRIVATE;
        release = unmap_private;
    } else if (mode == ARR_LOAD_MMAP_READWRITE) {
        prot |= PROT_WRITE;
        release = unmap_shared;
    }
    void *map = mmap(NULL, (size_t)file_size, prot, flags, fd, 0);
    if (map == MAP_FAILED)
        return arr__fail_p(errno == ENOMEM ? ARR_ENOMEM : ARR_EINVAL, "%s: cannot map: %s", ctx,
                           strerror(errno));
    int64_t strides[ARR_MAXDIMS];
    contiguous_strides(h->ndim, h->shape, itemsize, h->fortran_order, strides);
    arr_t *a = arr__new_owner_external(map, file_size, (char *)map + h->data_offset, h->ndim,
                                       h->shape, strides, h->dtype, prot & PROT_WRITE, release,
                                       ARR_OP_LOAD, caller);
    if (a == NULL)
        munmap(map, (size_t)file_size);
    return a;
}

static arr_t *read_npy(int fd, const arr_npy_header_t *h, const char *ctx, const void *caller)
{
    int perm[ARR_MAXDIMS];
    for (int i = 0; i < h->ndim; i++)
        perm[i] = h->fortran_order ? h->ndim - 1 - i : i;
    arr_t *a = arr__new_owner(h->ndim, h->shape, h->dtype, perm, ARR_OP_LOAD, NULL, caller);
    if (a == NULL)
        return NULL;
    if (h->data_bytes > 0 && read_full(fd, a->data, (size_t)h->data_bytes, h->data_offset) != 0) {
        int e = errno;
        arr_free(a);
        return arr__fail_p(ARR_EINVAL, "%s: read error: %s", ctx, e ? strerror(e) : "file shrank");
    }
    if (h->big_endian) {
        int unit = npy_types[h->dtype].kind == 'c' ? a->itemsize / 2 : a->itemsize;
        swap_bytes(a->data, h->data_bytes / unit, unit);
    }
    return a;
}

arr_t *arr_load_npy(const char *path, arr_load_mode_t mode)
{
    static const char fn[] = "arr_load_npy";
    const void *caller = ARR__CALLER;
    if (path == NULL)
        return arr__fail_p(ARR_EINVAL, "%s: path is NULL", fn);
    if ((unsigned)mode > ARR_LOAD_MMAP_READWRITE)
        return arr__fail_p(ARR_EINVAL, "%s: unknown load mode %d", fn, (int)mode);
    char ctx[300];
    snprintf(ctx, sizeof ctx, "%s: %s", fn, path);
    arr_npy_header_t h;
    int64_t file_size;
    int fd = open_npy(path, ctx, &h, &file_size,
                      mode == ARR_LOAD_MMAP_READWRITE ? O_RDWR : O_RDONLY);
    if (fd < 0)
        return NULL;
    arr_t *a = mode == ARR_LOAD_COPY ? read_npy(fd, &h, ctx, caller)
                                     : map_npy(fd, &h, file_size, mode, ctx, caller);
    close(fd); /* a mapping outlives its descriptor */
    return a;
}

/* ---- writing -------------------------------------------------------------- */

/* The whole prefix + header as np.save writes it, into buf (cap bytes);
 * returns its length, or -1 (never: cap is ample for 32 dims). */
static int64_t format_header(char *buf, size_t cap, arr_dtype_t dtype, int fortran, int ndim,
                             const int64_t *shape)
{
    char dict[ARR_MAXDIMS * 24 + 128];
    size_t n = 0;
    char order = npy_types[dtype].size == 1 ? '|' : '<';
    n += (size_t)snprintf(dict + n, sizeof dict - n,
                          "{'descr': '%c%c%d', 'fortran_order': %s, 'shape': (", order,
                          npy_types[dtype].kind, npy_types[dtype].size, fortran ? "True" : "False");
    for (int i = 0; i < ndim; i++)
        n += (size_t)snprintf(dict + n, sizeof dict - n, i ? ", %" PRId64 : "%" PRId64, shape[i]);
    n += (size_t)snprintf(dict + n, sizeof dict - n, "%s), }", ndim == 1 ? "," : "");
    if (ndim > 0) {
        /* Room for the growing axis to gain digits in place, as NumPy leaves. */
        char digits[24];
        int len = snprintf(digits, sizeof digits, "%" PRId64, shape[fortran ? ndim - 1 : 0]);
        for (int i = len; i < NPY_GROWTH_DIGITS; i++)
            dict[n++] = ' ';
    }
    size_t hlen = n + 1; /* the final newline */
    /* Version 1.0 unless its 16-bit length field cannot hold the header. */
    int lsize = 2;
    size_t pad = NPY_ALIGN - (NPY_PREFIX_LEN + 2 + hlen) % NPY_ALIGN;
    if (hlen + pad > 65535) {
        lsize = 4;
        pad = NPY_ALIGN - (NPY_PREFIX_LEN + 4 + hlen) % NPY_ALIGN;
    }
    size_t total = NPY_PREFIX_LEN + lsize + hlen + pad;
    if (total > cap)
        return -1;
    memcpy(buf, NPY_MAGIC, NPY_MAGIC_LEN);
    buf[6] = lsize == 2 ? 1 : 2;
    buf[7] = 0;
    uint32_t field = (uint32_t)(hlen + pad);
    for (int i = 0; i < lsize; i++)
        buf[NPY_PREFIX_LEN + i] = (char)(field >> (8 * i));
    memcpy(buf + NPY_PREFIX_LEN + lsize, dict, n);
    memset(buf + NPY_PREFIX_LEN + lsize + n, ' ', pad);
    buf[total - 1] = '\n';
    return (int64_t)total;
}

/* Writes a's elements in C order (or F order: the axes visited reversed)
 * through a bounded buffer, for arrays that are not contiguous that way. */
static int write_strided(int fd, const arr_t *a, int fortran)
{
    enum { BUF = 1 << 16 };
    char *buf = arr__malloc(BUF);
    if (buf == NULL)
        return arr__fail(ARR_ENOMEM, "arr_save_npy: out of memory for a write buffer");
    int nd = a->ndim, isz = a->itemsize;
    int64_t shape[ARR_MAXDIMS], strides[ARR_MAXDIMS];
    for (int k = 0; k < nd; k++) { /* k = 0 outermost in the file's order */
        int axis = fortran ? nd - 1 - k : k;
        shape[k] = a->shape[axis];
        strides[k] = a->strides[axis];
    }
    size_t used = 0;
    arr__iter_t it;
    if (arr__iter_init(&it, nd, shape, 1, (char *[]){a->data}, (const int64_t *[]){strides}))
        do
            for (int64_t i = 0; i < it.n; i++) {
                memcpy(buf + used, it.ptr[0] + i * it.inner[0], (size_t)isz);
                used += (size_t)isz;
                if (used + (size_t)isz > BUF) {
                    if (write_full(fd, buf, used) != 0)
                        goto io_error;
                    used = 0;
                }
            }
        while (arr__iter_next(&it));
    if (used > 0 && write_full(fd, buf, used) != 0)
        goto io_error;
    arr__free_mem(buf);
    return 0;
io_error:
    arr__free_mem(buf);
    return arr__fail(ARR_EINVAL, "arr_save_npy: write error: %s", strerror(errno));
}

/* The process's umask without changing it (umask() itself is not
 * thread-safe to read): Linux shows it in /proc/self/status. */
static mode_t current_umask(void)
{
    mode_t mask = 022;
    FILE *f = fopen("/proc/self/status", "re");
    if (f == NULL)
        return mask;
    char line[128];
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "Umask:", 6) == 0) {
            mask = (mode_t)strtol(line + 6, NULL, 8);
            break;
        }
    fclose(f);
    return mask;
}

/* ---- replacing a file without losing it -------------------------------------
 *
 * arr_save_npy and arr_create_npy never write into the file at path: they
 * write a temporary file next to it and rename it into place only once it is
 * complete, so a failure (full disk, a size too large, out of memory) leaves
 * whatever was at path as it was.  What np.save keeps by writing in place is
 * kept here too:
 *   - a symlink is followed (a chain of them too, relative or absolute, up to
 *     40 hops, as the kernel does) and its final target is replaced; a
 *     dangling link creates its target, as open(path, "wb") would;
 *   - a file the process may not write is refused (EACCES), not replaced;
 *   - the replaced file's permission bits (setuid/setgid/sticky too) and its
 *     owner and group (where the process may set them: as root, or the group
 *     when the caller is a member) go to the new file;
 *   - hard links are NOT kept: the new file is a new inode, so the file's
 *     other names keep the old contents (np.save rewrites the shared inode in
 *     place, which is not atomic: a failure half way leaves every name with a
 *     broken file).  Write through arr_create_npy + arr_copyto, or np.save,
 *     when every name must see the new data.
 *   - extended attributes and ACLs are not copied.
 * Only a regular file (or nothing) may be at the final target: a FIFO, a
 * socket, a device or a directory is refused at once, never opened. */

typedef struct target {
    char path[4096];   /* the final target: symlinks resolved */
    char tmp[4096 + 16];
    int exists;
    struct stat st;    /* of the existing target */
} target_t;

/* Resolves path's symlinks into t->path and checks what is there. */
static int resolve_target(const char *path, target_t *t, const char *ctx)
{
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof t->path)
        return arr__fail(ARR_EINVAL, "%s: path is empty or too long", ctx);
    memcpy(t->path, path, n + 1);
    for (int hops = 0;; hops++) {
        struct stat ls;
        if (lstat(t->path, &ls) != 0) {
            if (errno != ENOENT)
                return arr__fail(ARR_EINVAL, "%s: cannot stat: %s", ctx, strerror(errno));
            t->exists = 0; /* a new file (possibly a dangling link's target) */
            return 0;
        }
        if (!S_ISLNK(ls.st_mode)) {
            if (!S_ISREG(ls.st_mode))
                return arr__fail(ARR_EINVAL, "%s: not a regular file (%s)", ctx,
                                 file_kind(ls.st_mode));
            t->exists = 1;
            t->st = ls;
            return 0;
        }
        if (hops == 40)
            return arr__fail(ARR_EINVAL, "%s: too many levels of symbolic links", ctx);
        char link[4096];
        ssize_t len = readlink(t->path, link, sizeof link - 1);
        if (len < 0)
            return arr__fail(ARR_EINVAL, "%s: readlink: %s", ctx, strerror(errno));
        link[len] = '\0';
        if (link[0] == '/') {
            memcpy(t->path, link, (size_t)len + 1);
        } else {
            char *slash = strrchr(t->path, '/');
            size_t dir = slash ? (size_t)(slash - t->path) + 1 : 0;
            if (dir + (size_t)len + 1 > sizeof t->path)
                return arr__fail(ARR_EINVAL, "%s: symlink target path too long", ctx);
            memcpy(t->path + dir, link, (size_t)len + 1);
        }
    }
}

/* Creates t->tmp next to the target, with the old file's mode and owner or,
 * for a new file, 0666 less the umask (as open(2) would give).  Returns the
 * fd or -1 with an error. */
static int create_temp(target_t *t, const char *ctx)
{
    /* A file we may not write is not replaced either (np.save's open() would
     * fail with EACCES): a read-only file stays protected. */
    if (t->exists && faccessat(AT_FDCWD, t->path, W_OK, AT_EACCESS) != 0)
        return arr__fail(ARR_EINVAL, "%s: cannot write: %s", ctx, strerror(errno));
    snprintf(t->tmp, sizeof t->tmp, "%s.tmp.XXXXXX", t->path);
    int fd = mkostemp(t->tmp, O_CLOEXEC);
    if (fd < 0)
        return arr__fail(ARR_EINVAL, "%s: cannot create: %s", ctx, strerror(errno));
    if (t->exists) {
        /* Owner first: chown may clear the setuid/setgid bits fchmod sets. */
        if (fchown(fd, t->st.st_uid, t->st.st_gid) != 0)
            (void)fchown(fd, (uid_t)-1, t->st.st_gid); /* not root: the group if allowed */
        (void)fchmod(fd, t->st.st_mode & 07777);
    } else {
        (void)fchmod(fd, 0666 & ~current_umask());
    }
    return fd;
}

/* Renames the finished temporary file over the target (rc 0), or removes it
 * (rc != 0: the target is untouched).  Returns rc, or -1 if rename fails. */
static int finish_temp(target_t *t, int rc, const char *ctx)
{
    if (rc == 0 && rename(t->tmp, t->path) != 0)
        rc = arr__fail(ARR_EINVAL, "%s: cannot rename into place: %s", ctx, strerror(errno));
    if (rc != 0)
        unlink(t->tmp); /* only ever our own temporary file */
    return rc;
}

int arr_save_npy(const arr_t *a, const char *path)
{
    static const char fn[] = "arr_save_npy";
    if (arr__check_readable(a, fn) != 0)
        return -1;
    if (path == NULL)
        return arr__fail(ARR_EINVAL, "%s: path is NULL", fn);
    char ctx[300];
    snprintf(ctx, sizeof ctx, "%s: %s", fn, path);
    int fortran = (a->flags & ARR_F_CONTIGUOUS) && !(a->flags & ARR_C_CONTIGUOUS);
    char head[ARR_MAXDIMS * 24 + 256];
    int64_t hl = format_header(head, sizeof head, (arr_dtype_t)a->dtype, fortran, a->ndim, a->shape);
    if (hl < 0)
        return arr__fail(ARR_EOVERFLOW, "%s: header too long", ctx);
    target_t *t = arr__malloc(sizeof *t);
    if (t == NULL)
        return arr__fail(ARR_ENOMEM, "%s: out of memory", ctx);
    int rc = -1;
    int fd = resolve_target(path, t, ctx) == 0 ? create_temp(t, ctx) : -1;
    if (fd < 0)
        goto out;
    rc = 0;
    if (write_full(fd, head, (size_t)hl) != 0) {
        rc = arr__fail(ARR_EINVAL, "%s: write error: %s", ctx, strerror(errno));
    } else if (a->flags & (ARR_C_CONTIGUOUS | ARR_F_CONTIGUOUS)) {
        /* Contiguous in the order written: the bytes as they lie (an empty
         * array writes nothing). */
        int64_t nbytes = arr_nbytes(a);
        if (nbytes > 0 && write_full(fd, a->data, (size_t)nbytes) != 0)
            rc = arr__fail(ARR_EINVAL, "%s: write error: %s", ctx, strerror(errno));
    } else {
        rc = write_strided(fd, a, 0);
    }
    if (close(fd) != 0 && rc == 0)
        rc = arr__fail(ARR_EINVAL, "%s: write error at close: %s", ctx, strerror(errno));
    rc = finish_temp(t, rc, ctx);
out:
    arr__free_mem(t);
    return rc;
}

arr_t *arr_create_npy(const char *path, int ndim, const int64_t *shape, arr_dtype_t dtype,
                      arr_order_t order)
{
    static const char fn[] = "arr_create_npy";
    const void *caller = ARR__CALLER;
    if (path == NULL)
        return arr__fail_p(ARR_EINVAL, "%s: path is NULL", fn);
    if (arr__check_dtype(dtype, fn) != 0)
        return NULL;
    if (order != ARR_ORDER_C && order != ARR_ORDER_F)
        return arr__fail_p(ARR_EINVAL, "%s: order must be ARR_ORDER_C or ARR_ORDER_F", fn);
    int64_t nbytes = arr__nbytes_checked(ndim, shape, npy_types[dtype].size, fn);
    if (nbytes < 0)
        return NULL;
    /* As NumPy: F order is recorded only when it differs from C order. */
    int64_t strides[ARR_MAXDIMS];
    contiguous_strides(ndim, shape, npy_types[dtype].size, order == ARR_ORDER_F, strides);
    int fortran = order == ARR_ORDER_F &&
                  !(arr__contiguity(ndim, shape, strides, npy_types[dtype].size) & ARR_C_CONTIGUOUS);
    char head[ARR_MAXDIMS * 24 + 256];
    int64_t hl = format_header(head, sizeof head, dtype, fortran, ndim, shape);
    if (hl < 0 || nbytes > INT64_MAX - hl || (uint64_t)(hl + nbytes) > SIZE_MAX)
        return arr__fail_p(ARR_EOVERFLOW, "%s: file size overflows", fn);
    char ctx[300];
    snprintf(ctx, sizeof ctx, "%s: %s", fn, path);
    target_t *t = arr__malloc(sizeof *t);
    if (t == NULL)
        return arr__fail_p(ARR_ENOMEM, "%s: out of memory", ctx);
    /* Built under a temporary name and renamed over path only once mapped
     * and registered: a failure leaves path as it was. */
    arr_t *a = NULL;
    int fd = resolve_target(path, t, ctx) == 0 ? create_temp(t, ctx) : -1;
    if (fd < 0)
        goto out;
    int64_t size = hl + nbytes;
    void *map = MAP_FAILED;
    if (write_full(fd, head, (size_t)hl) != 0 || ftruncate(fd, (off_t)size) != 0) {
        arr__fail(errno == ENOSPC ? ARR_ENOMEM : ARR_EINVAL, "%s: cannot size the file: %s", ctx,
                  strerror(errno));
    } else if ((map = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) ==
               MAP_FAILED) {
        arr__fail(errno == ENOMEM ? ARR_ENOMEM : ARR_EINVAL, "%s: cannot map: %s", ctx,
                  strerror(errno));
    } else {
        a = arr__new_owner_external(map, size, (char *)map + hl, ndim, shape, strides, dtype, 1,
                                    unmap_shared, ARR_OP_LOAD, caller);
        if (a == NULL)
            munmap(map, (size_t)size);
    }
    close(fd); /* a mapping outlives its descriptor */
    if (finish_temp(t, a == NULL ? -1 : 0, ctx) != 0 && a != NULL) {
        arr_free(a); /* the rename failed: the mapping is of a removed file */
        a = NULL;
    }
out:
    arr__free_mem(t);
    return a;
}

int64_t arr_drop_pages(const arr_t *a)
{
    static const char fn[] = "arr_drop_pages";
    if (arr__check_readable(a, fn) != 0)
        return -1;
    const arr_t *owner = a->is_view ? a->base : a;
    if (owner->release != unmap_readonly && owner->release != unmap_shared)
        return 0;
    int64_t lo, hi;
    arr__extent(a, &lo, &hi);
    if (lo == hi)
        return 0;
    /* Whole pages touching the elements, clamped to the mapping: a page
     * shared with a neighbouring block is simply read back if needed. */
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t map_lo = (uintptr_t)owner->buffer;
    uintptr_t map_hi = map_lo + (uintptr_t)owner->buffer_bytes;
    uintptr_t from = ((uintptr_t)a->data + (uintptr_t)lo) & ~(page - 1);
    uintptr_t to = (uintptr_t)a->data + (uintptr_t)hi;
    to = (to + page - 1) & ~(page - 1);
    if (from < map_lo)
        from = map_lo;
    if (to > ((map_hi + page - 1) & ~(page - 1)))
        to = (map_hi + page - 1) & ~(page - 1);
    if (madvise((void *)from, to - from, MADV_DONTNEED) != 0)
        return arr__fail(ARR_EINVAL, "%s: madvise: %s", fn, strerror(errno));
    return (int64_t)(to - from);
}
