/* arrdiff.c - runs a script of libarr operations and prints every result as
 * one JSON line, for tests/numpy/diff.py to compare with NumPy.
 *
 * Script (stdin), one command a line; blank lines and '#' lines are skipped:
 *   seq ID                      start of a sequence (names reset at `end`)
 *   NAME = arange START STOP STEP DTYPE
 *   NAME = zeros DTYPE D...     | empty DTYPE D... | full DTYPE VALUE D...
 *   NAME = view SRC             | slice SRC SPEC...  (SPEC: rest of the line)
 *   NAME = reshape SRC never|ifneeded D...
 *   NAME = transpose SRC -      (reverse) | transpose SRC P...
 *   NAME = swapaxes SRC A1 A2   | squeeze SRC all|AXIS | flip SRC all|AXIS
 *   NAME = expand_dims SRC AXIS | broadcast_to SRC D...
 *   NAME = diagonal SRC OFFSET A1 A2
 *   NAME = copy SRC C|F|A|K     | ascontiguous SRC | asfortran SRC
 *   NAME = astype SRC DTYPE
 *   copyto DST SRC | fill A VALUE | set A VALUE I... | dump A | free A
 *   shares A B | equal A B
 *   end                         frees what is left, reports the live counts
 *
 * Output: exactly one JSON object per command (except `seq`).  An array result
 * carries its layout, flags, owner (by name), offset, values and sum, plus an
 * "internal" list of disagreements between the struct fields and the query
 * functions; a failed call carries libarr's error code and message.  A script
 * that cannot be understood gives {"script_error": ...} and exit status 2. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arr.h"

#define MAX_NAMES 4096
#define MAX_LINE 8192
#define MAX_TOKENS 64
#define MAX_VALUES 100000 /* elements printed per array; larger is a script error */

typedef struct named_array {
    char name[32];
    arr_t *arr; /* NULL once freed */
} named_array_t;

static named_array_t names[MAX_NAMES];
static int nnames;
static int script_errors;
static long line_number;

static const char *const err_names[] = {
    "OK",      "EINVAL",   "ENOMEM",   "EOVERFLOW", "EINDEX",  "ESYNTAX", "ESHAPE",
    "ECOPY",   "EREADONLY", "ENOTLIVE", "EORPHAN",  "ETOOHARD", "ETYPE",
};

static const char *err_name(arr_err_t code)
{
    if ((unsigned)code < sizeof err_names / sizeof err_names[0])
        return err_names[code];
    return "E?";
}

static void print_json_string(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

static void print_double(double v)
{
    if (v != v)
        fputs("NaN", stdout);
    else if (v > 1.7976931348623157e308)
        fputs("Infinity", stdout);
    else if (v < -1.7976931348623157e308)
        fputs("-Infinity", stdout);
    else
        printf("%.17g", v);
}

static void script_error(const char *fmt, ...)
{
    va_list ap;
    char msg[512];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    printf("{\"script_error\": ");
    print_json_string(msg);
    printf(", \"line\": %ld}\n", line_number);
    script_errors++;
}

static void print_failure(void)
{
    arr_err_t code = arr_errcode();
    printf("{\"ok\": 0, \"err\": \"%s\", \"msg\": ", err_name(code));
    print_json_string(arr_errmsg());
    printf("}\n");
}

static named_array_t *find_name(const char *name)
{
    for (int i = 0; i < nnames; i++)
        if (strcmp(names[i].name, name) == 0)
            return &names[i];
    return NULL;
}

/* The live array called name, or NULL after a script error. */
static arr_t *lookup(const char *name)
{
    named_array_t *entry = find_name(name);
    if (!entry) {
        script_error("unknown array name '%s'", name);
        return NULL;
    }
    if (!entry->arr) {
        script_error("array '%s' was freed", name);
        return NULL;
    }
    return entry->arr;
}

static const char *name_of(const arr_t *a)
{
    for (int i = 0; i < nnames; i++)
        if (names[i].arr == a)
            return names[i].name;
    return "?";
}

static int parse_i64(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end)
        return -1;
    *out = v;
    return 0;
}

static int parse_int(const char *s, int *out)
{
    int64_t v;
    if (parse_i64(s, &v) || v < -2147483647 - 1 || v > 2147483647)
        return -1;
    *out = (int)v;
    return 0;
}

static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end)
        return -1;
    *out = v;
    return 0;
}

static int parse_dtype(const char *s, arr_dtype_t *out)
{
    for (int d = 0; d < ARR_NDTYPES; d++)
        if (strcmp(arr_dtype_name((arr_dtype_t)d), s) == 0) {
            *out = (arr_dtype_t)d;
            return 0;
        }
    return -1;
}

/* Parses tokens into int64s; returns the count or -1 after a script error. */
static int parse_dims(char **tok, int ntok, int64_t *dims)
{
    if (ntok > ARR_MAXDIMS) {
        script_error("too many dimensions (%d)", ntok);
        return -1;
    }
    for (int i = 0; i < ntok; i++)
        if (parse_i64(tok[i], &dims[i])) {
            script_error("bad integer '%s'", tok[i]);
            return -1;
        }
    return ntok;
}

/* Appends a disagreement between a's fields and libarr's query functions. */
static void note(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void note(char *buf, size_t cap, const char *fmt, ...)
{
    size_t used = strlen(buf);
    if (used + 4 >= cap)
        return;
    if (used)
        strcat(buf, "; ");
    used = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, cap - used, fmt, ap);
    va_end(ap);
}

static int op_is_view_op(int op)
{
    return op >= ARR_OP_VIEW && op <= ARR_OP_ASFORTRAN;
}

/* Prints the flat C-order values of a (real parts, and imaginary parts of
 * complex arrays).  Returns 0, or -1 when an element could not be read. */
static int print_values(const arr_t *a, char *internal, size_t cap)
{
    int ndim = arr_ndim(a);
    const int64_t *shape = arr_shape(a);
    int64_t size = arr_size(a);
    int64_t index[ARR_MAXDIMS] = {0};
    int is_complex = a->dtype == ARR_COMPLEX64 || a->dtype == ARR_COMPLEX128;
    int failed = 0;

    printf(", \"values\": [");
    for (int64_t k = 0; k < size; k++) {
        double v = 0;
        if (arr_get_f64(a, index, &v) != 0) {
            if (!failed)
                note(internal, cap, "arr_get_f64 failed at flat %" PRId64 ": %s", k,
                     arr_errmsg());
            failed = 1;
        }
        if (k)
            putchar(',');
        print_double(v);
        for (int d = ndim - 1; d >= 0; d--) {
            if (++index[d] < shape[d])
                break;
            index[d] = 0;
        }
    }
    printf("]");
    if (!is_complex)
        return failed ? -1 : 0;

    /* Imaginary parts straight from memory: arr_get_f64 only gives the real. */
    memset(index, 0, sizeof index);
    printf(", \"imag\": [");
    for (int64_t k = 0; k < size; k++) {
        double im = 0;
        const char *p = arr_ptr(a, index);
        if (!p) {
            failed = 1;
        } else if (a->dtype == ARR_COMPLEX64) {
            float f;
            memcpy(&f, p + 4, sizeof f);
            im = f;
        } else {
            memcpy(&im, p + 8, sizeof im);
        }
        if (k)
            putchar(',');
        print_double(im);
        for (int d = ndim - 1; d >= 0; d--) {
            if (++index[d] < shape[d])
                break;
            index[d] = 0;
        }
    }
    printf("]");
    return failed ? -1 : 0;
}

/* Prints an array result.  source is the array it was made from (NULL for
 * creation ops and dumps).  with_values 0 leaves out the values and sums (of
 * arr_empty's uninitialised buffer, which even reading would be an error). */
static void print_array(const arr_t *a, const arr_t *source, int with_values)
{
    char internal[2048] = "";
    int ndim = arr_ndim(a);
    const int64_t *shape = arr_shape(a);
    const int64_t *strides = arr_strides(a);
    int flags = arr_flags(a);
    arr_t *base = arr_base(a);
    const arr_t *owner = base ? base : a;
    int64_t offset = (int64_t)((char *)arr_data(a) - (char *)arr_data(owner));

    /* The struct is documented as read-only mirror of the queries: check. */
    if (!arr_is_live(a) || a->magic != ARR_MAGIC_LIVE)
        note(internal, sizeof internal, "result is not live");
    if (ndim != a->ndim || shape != a->shape || strides != a->strides)
        note(internal, sizeof internal, "ndim/shape/strides queries disagree with fields");
    if (flags != a->flags)
        note(internal, sizeof internal, "arr_flags %d != flags field %d", flags, a->flags);
    if ((int)arr_is_view(a) != a->is_view)
        note(internal, sizeof internal, "arr_is_view != is_view field");
    if (arr_is_view(a) != (base != NULL))
        note(internal, sizeof internal, "is_view %d but arr_base %p", (int)arr_is_view(a),
             (void *)base);
    if (base != a->base)
        note(internal, sizeof internal, "arr_base != base field");
    if (owner->id != a->base_id)
        note(internal, sizeof internal, "base_id %" PRIu64 " != owner id %" PRIu64,
             a->base_id, owner->id);
    if (a->is_view && a->offset != offset)
        note(internal, sizeof internal, "offset field %" PRId64 " != data - owner data %" PRId64,
             a->offset, offset);
    if (a->is_view && a->buffer != owner->buffer)
        note(internal, sizeof internal, "view's buffer field != owner's buffer");
    if (a->itemsize != arr_dtype_size(arr_dtype(a)))
        note(internal, sizeof internal, "itemsize %d != dtype size", a->itemsize);
    int64_t size = 1;
    for (int d = 0; d < ndim; d++)
        size *= shape[d];
    if (arr_size(a) != size || arr_nbytes(a) != size * a->itemsize)
        note(internal, sizeof internal, "arr_size %" PRId64 "/arr_nbytes %" PRId64
             " != product of shape %" PRId64, arr_size(a), arr_nbytes(a), size);
    if (op_is_view_op(a->op) != a->is_view)
        note(internal, sizeof internal, "op %s but is_view %d", arr_op_name((arr_op_t)a->op),
             a->is_view);
    if (a->is_view && arr_op_is_copy((arr_op_t)a->op))
        note(internal, sizeof internal, "a view with a copy op %s", arr_op_name((arr_op_t)a->op));
    if (source && a->source_id != source->id)
        note(internal, sizeof internal, "source_id %" PRIu64 " != source's id %" PRIu64,
             a->source_id, source->id);
    if (size > MAX_VALUES) {
        script_error("array of %" PRId64 " elements is too large to print", size);
        return;
    }

    printf("{\"ok\": 1, \"dtype\": \"%s\", \"shape\": [", arr_dtype_name(arr_dtype(a)));
    for (int d = 0; d < ndim; d++)
        printf(d ? ", %" PRId64 : "%" PRId64, shape[d]);
    printf("], \"strides\": [");
    for (int d = 0; d < ndim; d++)
        printf(d ? ", %" PRId64 : "%" PRId64, strides[d]);
    printf("], \"offset\": %" PRId64 ", \"flags\": \"%s%s%s%s\", \"is_view\": %d, \"owner\": ",
           offset, flags & ARR_C_CONTIGUOUS ? "C" : "", flags & ARR_F_CONTIGUOUS ? "F" : "",
           flags & ARR_OWNDATA ? "O" : "", flags & ARR_WRITEABLE ? "W" : "",
           (int)arr_is_view(a));
    print_json_string(name_of(owner));
    printf(", \"op\": \"%s\"", arr_op_name((arr_op_t)a->op));

    if (!with_values) {
        printf(", \"values\": null, \"internal\": ");
        print_json_string(internal);
        printf("}\n");
        return;
    }
    print_values(a, internal, sizeof internal);
    double sum_re = 0, sum_im = 0;
    if (arr_sum_complex(a, &sum_re, &sum_im) != 0)
        note(internal, sizeof internal, "arr_sum_complex failed: %s", arr_errmsg());
    double sum = 0;
    if (arr_sum(a, &sum) != 0)
        note(internal, sizeof internal, "arr_sum failed: %s", arr_errmsg());
    else if (sum != sum_re && !(sum != sum && sum_re != sum_re))
        note(internal, sizeof internal, "arr_sum %g != real part of arr_sum_complex %g", sum,
             sum_re);
    printf(", \"sum\": ");
    print_double(sum);
    printf(", \"sum_imag\": ");
    print_double(sum_im);
    printf(", \"internal\": ");
    print_json_string(internal);
    printf("}\n");
}

/* Splits line into whitespace-separated tokens; returns their number.  rest[i]
 * points at the untouched remainder of the line from token i on. */
static int tokenize(char *line, char **tok, const char **rest, char *copy)
{
    int n = 0;
    char *p = line;
    strcpy(copy, line);
    while (n < MAX_TOKENS) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        tok[n] = p;
        rest[n] = copy + (p - line);
        n++;
        while (*p && !isspace((unsigned char)*p))
            p++;
        if (*p)
            *p++ = '\0';
    }
    return n;
}

static int parse_axis_or_all(const char *s, int *axis)
{
    if (strcmp(s, "all") == 0) {
        *axis = ARR_ALL_AXES;
        return 0;
    }
    return parse_int(s, axis);
}

/* Runs `NAME = OP ARGS`: tok[0] is NAME, tok[2] the op.  Returns the new
 * handle or NULL (failure printed by the caller through arr_errcode). */
static void run_assignment(char **tok, int ntok, const char **rest)
{
    const char *op = tok[2];
    char **args = tok + 3;
    int nargs = ntok - 3;
    arr_t *src = NULL;
    arr_t *result = NULL;
    int64_t dims[ARR_MAXDIMS];
    arr_dtype_t dtype;
    int ndims;

    if (find_name(tok[0]) && find_name(tok[0])->arr) {
        script_error("name '%s' is already live", tok[0]);
        return;
    }
    if (nnames >= MAX_NAMES || strlen(tok[0]) >= sizeof names[0].name) {
        script_error("too many names, or name too long");
        return;
    }
    arr_clear_error();

    if (strcmp(op, "arange") == 0) {
        double start, stop, step;
        if (nargs != 4 || parse_double(args[0], &start) || parse_double(args[1], &stop) ||
            parse_double(args[2], &step) || parse_dtype(args[3], &dtype)) {
            script_error("usage: arange START STOP STEP DTYPE");
            return;
        }
        result = arr_arange(start, stop, step, dtype);
    } else if (strcmp(op, "zeros") == 0 || strcmp(op, "empty") == 0 ||
               strcmp(op, "full") == 0) {
        int is_full = op[0] == 'f';
        double value = 0;
        if (nargs < 1 + is_full || parse_dtype(args[0], &dtype) ||
            (is_full && parse_double(args[1], &value))) {
            script_error("usage: zeros|empty DTYPE D... / full DTYPE VALUE D...");
            return;
        }
        ndims = parse_dims(args + 1 + is_full, nargs - 1 - is_full, dims);
        if (ndims < 0)
            return;
        if (is_full)
            result = arr_full(ndims, dims, dtype, value);
        else if (op[0] == 'z')
            result = arr_zeros(ndims, dims, dtype);
        else
            result = arr_empty(ndims, dims, dtype);
    } else {
        if (nargs < 1) {
            script_error("'%s' needs a source array", op);
            return;
        }
        src = lookup(args[0]);
        if (!src)
            return;
        args++;
        nargs--;
        int a1, a2;
        if (strcmp(op, "view") == 0 && nargs == 0) {
            result = arr_view(src);
        } else if (strcmp(op, "slice") == 0) {
            /* The spec is the rest of the line, possibly empty. */
            const char *spec = nargs ? rest[4] : "";
            result = arr_slice(src, spec);
        } else if (strcmp(op, "reshape") == 0 && nargs >= 1 &&
                   (strcmp(args[0], "never") == 0 || strcmp(args[0], "ifneeded") == 0)) {
            arr_copy_mode_t mode = args[0][0] == 'n' ? ARR_COPY_NEVER : ARR_COPY_IF_NEEDED;
            ndims = parse_dims(args + 1, nargs - 1, dims);
            if (ndims < 0)
                return;
            result = arr_reshape(src, ndims, dims, mode);
        } else if (strcmp(op, "transpose") == 0) {
            if (nargs == 1 && strcmp(args[0], "-") == 0) {
                result = arr_transpose(src, NULL);
            } else {
                int perm[ARR_MAXDIMS];
                if (nargs > ARR_MAXDIMS) {
                    script_error("transpose takes at most %d axes", ARR_MAXDIMS);
                    return;
                }
                for (int i = 0; i < nargs; i++)
                    if (parse_int(args[i], &perm[i])) {
                        script_error("bad axis '%s'", args[i]);
                        return;
                    }
                /* Any length: a wrong one must fail as NumPy's does. */
                result = arr_transpose_n(src, nargs, perm);
            }
        } else if (strcmp(op, "swapaxes") == 0 && nargs == 2 && !parse_int(args[0], &a1) &&
                   !parse_int(args[1], &a2)) {
            result = arr_swapaxes(src, a1, a2);
        } else if (strcmp(op, "squeeze") == 0 && nargs == 1 && !parse_axis_or_all(args[0], &a1)) {
            result = arr_squeeze(src, a1);
        } else if (strcmp(op, "flip") == 0 && nargs == 1 && !parse_axis_or_all(args[0], &a1)) {
            result = arr_flip(src, a1);
        } else if (strcmp(op, "expand_dims") == 0 && nargs == 1 && !parse_int(args[0], &a1)) {
            result = arr_expand_dims(src, a1);
        } else if (strcmp(op, "broadcast_to") == 0) {
            ndims = parse_dims(args, nargs, dims);
            if (ndims < 0)
                return;
            result = arr_broadcast_to(src, ndims, dims);
        } else if (strcmp(op, "diagonal") == 0 && nargs == 3 && !parse_i64(args[0], &dims[0]) &&
                   !parse_int(args[1], &a1) && !parse_int(args[2], &a2)) {
            result = arr_diagonal(src, dims[0], a1, a2);
        } else if (strcmp(op, "copy") == 0 && nargs == 1 && strlen(args[0]) == 1) {
            result = arr_copy(src, (arr_order_t)args[0][0]);
        } else if (strcmp(op, "ascontiguous") == 0 && nargs == 0) {
            result = arr_ascontiguous(src);
        } else if (strcmp(op, "asfortran") == 0 && nargs == 0) {
            result = arr_asfortran(src);
        } else if (strcmp(op, "astype") == 0 && nargs == 1 && !parse_dtype(args[0], &dtype)) {
            result = arr_astype(src, dtype);
        } else {
            script_error("unknown operation or bad arguments: '%s'", op);
            return;
        }
    }

    if (!result) {
        if (arr_errcode() == ARR_OK)
            printf("{\"ok\": 0, \"err\": \"OK\", \"msg\": \"returned NULL without an error\"}\n");
        else
            print_failure();
        return;
    }
    named_array_t *entry = find_name(tok[0]);
    if (!entry) {
        entry = &names[nnames++];
        snprintf(entry->name, sizeof entry->name, "%s", tok[0]);
    }
    entry->arr = result;
    print_array(result, src, strcmp(op, "empty") != 0);
}

/* Prints {"ok": 1} for rc == 0 and the error otherwise. */
static void print_status(int rc)
{
    if (rc == 0)
        printf("{\"ok\": 1}\n");
    else if (arr_errcode() == ARR_OK)
        printf("{\"ok\": 0, \"err\": \"OK\", \"msg\": \"failed without an error\"}\n");
    else
        print_failure();
}

/* Frees every array still named, oldest first (owners before their views, so
 * the orphaning path runs too), then reports what libarr still counts live. */
static void end_sequence(void)
{
    int free_failures = 0;
    for (int i = 0; i < nnames; i++) {
        if (names[i].arr && arr_free(names[i].arr) != 0)
            free_failures++;
        names[i].arr = NULL;
    }
    nnames = 0;
    arr_stats_t st = arr_stats();
    printf("{\"ok\": 1, \"end\": 1, \"free_failures\": %d, \"live_owners\": %" PRId64
           ", \"live_views\": %" PRId64 ", \"live_orphans\": %" PRId64
           ", \"live_bytes\": %" PRId64 "}\n",
           free_failures, st.live_owners, st.live_views, st.live_orphans, st.live_bytes);
}

static void run_line(char *line)
{
    char copy[MAX_LINE];
    char *tok[MAX_TOKENS];
    const char *rest[MAX_TOKENS];
    int ntok = tokenize(line, tok, rest, copy);
    arr_t *a, *b;
    double value;

    if (ntok == 0 || tok[0][0] == '#')
        return;
    arr_clear_error();
    if (ntok >= 3 && strcmp(tok[1], "=") == 0) {
        run_assignment(tok, ntok, rest);
    } else if (strcmp(tok[0], "seq") == 0) {
        if (nnames)
            script_error("'seq' before the previous sequence's 'end'");
    } else if (strcmp(tok[0], "end") == 0 && ntok == 1) {
        end_sequence();
    } else if (strcmp(tok[0], "copyto") == 0 && ntok == 3) {
        if ((a = lookup(tok[1])) && (b = lookup(tok[2])))
            print_status(arr_copyto(a, b));
    } else if (strcmp(tok[0], "fill") == 0 && ntok == 3 && !parse_double(tok[2], &value)) {
        if ((a = lookup(tok[1])))
            print_status(arr_fill(a, value));
    } else if (strcmp(tok[0], "set") == 0 && ntok >= 3 && !parse_double(tok[2], &value)) {
        int64_t index[ARR_MAXDIMS];
        if (!(a = lookup(tok[1])))
            return;
        if (ntok - 3 != arr_ndim(a)) {
            script_error("set needs %d indices", arr_ndim(a));
            return;
        }
        if (parse_dims(tok + 3, ntok - 3, index) < 0)
            return;
        print_status(arr_set_f64(a, index, value));
    } else if (strcmp(tok[0], "dump") == 0 && ntok == 2) {
        if ((a = lookup(tok[1])))
            print_array(a, NULL, 1);
    } else if (strcmp(tok[0], "free") == 0 && ntok == 2) {
        named_array_t *entry = find_name(tok[1]);
        if (!(a = lookup(tok[1])))
            return;
        int rc = arr_free(a);
        if (rc == 0)
            entry->arr = NULL;
        print_status(rc);
    } else if (strcmp(tok[0], "shares") == 0 && ntok == 3) {
        if (!(a = lookup(tok[1])) || !(b = lookup(tok[2])))
            return;
        int may = arr_may_share_memory(a, b);
        int exact = arr_shares_memory(a, b, ARR_MAX_WORK_EXACT);
        int bounds = arr_shares_memory(a, b, ARR_MAX_WORK_BOUNDS);
        printf("{\"ok\": 1, \"may_share\": %d, \"shares\": %d, \"shares_bounds\": %d}\n", may,
               exact, bounds);
    } else if (strcmp(tok[0], "equal") == 0 && ntok == 3) {
        if ((a = lookup(tok[1])) && (b = lookup(tok[2])))
            printf("{\"ok\": 1, \"equal\": %d}\n", arr_equal(a, b));
    } else {
        script_error("cannot understand the command '%s'", tok[0]);
    }
}

int main(void)
{
    char line[MAX_LINE];
    while (fgets(line, sizeof line, stdin)) {
        line_number++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            script_error("line longer than %d bytes", MAX_LINE - 2);
            return 2;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        run_line(line);
        fflush(stdout);
    }
    if (nnames)
        end_sequence();
    return script_errors ? 2 : 0;
}
