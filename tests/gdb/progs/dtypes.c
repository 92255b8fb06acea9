/* dtypes.c - hostile elements of every dtype, for the test that the
 * plugin's `print elements unlimited` text is gdb's own text of the same
 * elements (tests/gdb/cases/gdbtext.cmds).  For each dtype d:
 *   lin[d]   1-d, a read chunk (64 KiB) and 3000 elements more: random bit
 *            patterns (floats: subnormals, huge and tiny exponents, NaNs
 *            with payloads), the type's extremes and special values
 *            (-0.0, inf, -inf, nan, -nan, DBL_TRUE_MIN, INT64_MIN,
 *            UINT64_MAX, bool bytes 2 and 255), runs of 2..40 equal
 *            elements, and runs that cross the chunk edge;
 *   cube[d]  (1200, 3, 5): rows drawn from four values (a NaN among
 *            them for floats: runs of equal elements and rows), a row
 *            often repeating the one before, equal rows across the chunk
 *            edges of 8- and 16-byte dtypes;
 *   view[d]  cube[d][::-2, :, ::2] (negative and strided axes), and
 *            view_copy[d] a C-contiguous copy of it for gdb to print;
 *   flip[d]  cube[d][::-3] (contiguous rows, axis 0 flipped and strided),
 *            and flip_copy[d].
 * Deterministic: one fixed PRNG seed. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arr.h"
#include "spot.h"

arr_t *lin[ARR_NDTYPES], *cube[ARR_NDTYPES], *view[ARR_NDTYPES], *view_copy[ARR_NDTYPES];
arr_t *flip[ARR_NDTYPES], *flip_copy[ARR_NDTYPES];

static uint64_t state = 0x9e3779b97f4a7c15u;

static uint64_t next(void) /* xorshift64* */
{
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545f4914f6cdd1du;
}

#define MAX_SPECIALS 40
struct specials {
    int n;
    unsigned char v[MAX_SPECIALS][16];
};

static void add(struct specials *s, const void *bytes, size_t size)
{
    if (s->n < MAX_SPECIALS)
        memcpy(s->v[s->n++], bytes, size);
}

static void add_double(struct specials *s, int size, double x)
{
    if (size == 8) {
        add(s, &x, 8);
    } else {
        float f = (float)x;
        add(s, &f, 4);
    }
}

static void add_bits(struct specials *s, int size, uint64_t bits)
{
    if (size == 8) {
        add(s, &bits, 8);
    } else {
        uint32_t b = (uint32_t)bits;
        add(s, &b, 4);
    }
}

/* The special values of one float format (size 4 or 8). */
static void float_specials(struct specials *s, int size)
{
    static const double values[] = {
        0.0, -0.0, 0.1, -1.0 / 3, 1.5, 100.0, 1e15, 1e16, 1e17, 1e22, 1e-4, 1e-5,
        9007199254740993.0, 123456789012345680.0, 16777217.0, 0.30000000000000004,
        DBL_MIN, -DBL_MIN, DBL_MAX, -DBL_MAX, DBL_TRUE_MIN, FLT_MIN, FLT_MAX, FLT_TRUE_MIN,
        HUGE_VAL, -HUGE_VAL};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        add_double(s, size, values[i]);
    if (size == 8) {
        add_bits(s, 8, 0x7ff8000000000000u);  /* nan */
        add_bits(s, 8, 0xfff8000000000000u);  /* -nan */
        add_bits(s, 8, 0x7ff0000000000001u);  /* signalling nan, payload 1 */
        add_bits(s, 8, 0xfff00000deadbeefu);  /* -nan with a payload */
        add_bits(s, 8, 0x000fffffffffffffu);  /* largest subnormal */
    } else {
        add_bits(s, 4, 0x7fc00000u);
        add_bits(s, 4, 0xffc00000u);
        add_bits(s, 4, 0x7f800001u);
        add_bits(s, 4, 0xff80beefu);
        add_bits(s, 4, 0x007fffffu);
    }
}

static void specials_of(arr_dtype_t dtype, struct specials *s)
{
    int size = arr_dtype_size(dtype);
    s->n = 0;
    switch (dtype) {
    case ARR_FLOAT32:
    case ARR_FLOAT64:
        float_specials(s, size);
        break;
    case ARR_COMPLEX64:
    case ARR_COMPLEX128: {
        struct specials parts;
        parts.n = 0;
        float_specials(&parts, size / 2);
        /* (a, b) pairs: every part with another, NaNs and infinities
         * in either place */
        for (int i = 0; i < parts.n && s->n < MAX_SPECIALS; i++) {
            unsigned char pair[16];
            memcpy(pair, parts.v[i], (size_t)size / 2);
            memcpy(pair + size / 2, parts.v[(i * 7 + 3) % parts.n], (size_t)size / 2);
            add(s, pair, (size_t)size);
        }
        break;
    }
    case ARR_BOOL: {
        unsigned char b[] = {0, 1, 2, 255, 0x80};
        for (size_t i = 0; i < sizeof b; i++)
            add(s, &b[i], 1);
        break;
    }
    default: { /* integers: 0, 1, -1 (all ones), the extremes */
        uint64_t ones = size == 8 ? UINT64_MAX : (UINT64_C(1) << (8 * size)) - 1;
        uint64_t top = UINT64_C(1) << (8 * size - 1);
        uint64_t v[] = {0, 1, ones, top, top - 1, 7, 1000};
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
            add(s, &v[i], (size_t)size);  /* little-endian low bytes */
        break;
    }
    }
}

static void random_element(unsigned char *out, int size)
{
    uint64_t r[2] = {next(), next()};
    memcpy(out, r, (size_t)size);
}

/* 1-d: random elements, specials, runs; runs across every chunk edge. */
static void fill_line(unsigned char *data, int64_t n, int size, const struct specials *s)
{
    int64_t i = 0;
    while (i < n) {
        unsigned char x[16];
        int64_t run = 1;
        uint64_t r = next();
        switch (r % 8) {
        case 0: case 1: case 2:
            random_element(x, size);
            break;
        case 3:
            memcpy(x, s->v[(r >> 8) % (uint64_t)s->n], (size_t)size);
            break;
        case 4: case 5: { /* a run around `print repeats` 2 and 10 */
            static const int lengths[] = {2, 3, 9, 10, 11, 12, 25, 40};
            run = lengths[(r >> 8) % 8];
            if ((r >> 16) & 1)
                memcpy(x, s->v[(r >> 20) % (uint64_t)s->n], (size_t)size);
            else
                random_element(x, size);
            break;
        }
        case 6: /* an element equal to the one before: longer runs */
            memcpy(x, i ? data + (i - 1) * size : s->v[0], (size_t)size);
            break;
        default: /* the first two specials in turn (0 and -0.0 for floats) */
            memcpy(x, s->v[(r >> 8) & 1], (size_t)size);
            break;
        }
        for (int64_t k = 0; k < run && i < n; k++, i++)
            memcpy(data + i * size, x, (size_t)size);
    }
    /* runs of 30 across each chunk edge, one ending and one starting at it */
    int64_t chunk = 65536 / size;
    for (int64_t edge = chunk; edge + 40 < n; edge += chunk) {
        for (int64_t k = edge - 15; k < edge + 15; k++)
            memcpy(data + k * size, s->v[2], (size_t)size);
        for (int64_t k = edge - 40; k < edge - 15; k++)
            memcpy(data + k * size, s->v[3], (size_t)size);
    }
}

/* (rows, 3, 5): rows from a few values; a row often repeats the one
 * before; runs of 12 equal rows across each chunk edge of the rows. */
static void fill_cube(unsigned char *data, int64_t rows, int size, const struct specials *s)
{
    int64_t per_row = 15 * size;
    for (int64_t i = 0; i < rows; i++) {
        unsigned char *row = data + i * per_row;
        uint64_t r = next();
        if (i && r % 3 == 0) {
            memcpy(row, row - per_row, (size_t)per_row);
            continue;
        }
        for (int k = 0; k < 15; k++) {
            uint64_t q = next();
            /* 0, 1 or -0.0, then -1 or 0.1, then a NaN (floats) */
            int pick[4] = {0, 1, 2, s->n > 5 ? s->n - 5 : 3};
            const unsigned char *x = s->v[pick[(q >> 8) % 4]];
            if (k && q % 2 == 0)
                x = row + (k - 1) * size;  /* runs inside the row */
            memmove(row + k * size, x, (size_t)size);
        }
    }
    int64_t chunk = 65536 / per_row;
    for (int64_t edge = chunk; edge + 6 < rows; edge += chunk)
        for (int64_t i = edge - 6; i < edge + 6; i++)
            memcpy(data + i * per_row, data + (edge - 7) * per_row, (size_t)per_row);
}

int main(void)
{
    for (int d = 0; d < ARR_NDTYPES; d++) {
        int size = arr_dtype_size((arr_dtype_t)d);
        int64_t n = 65536 / size + 3000;
        int64_t shape[3] = {1200, 3, 5};
        struct specials s;
        specials_of((arr_dtype_t)d, &s);
        lin[d] = arr_empty(1, &n, (arr_dtype_t)d);
        cube[d] = arr_empty(3, shape, (arr_dtype_t)d);
        if (!lin[d] || !cube[d]) {
            fprintf(stderr, "dtypes: %s\n", arr_errmsg());
            return 1;
        }
        fill_line(arr_data(lin[d]), n, size, &s);
        fill_cube(arr_data(cube[d]), shape[0], size, &s);
        view[d] = arr_slice(cube[d], "::-2, :, ::2");
        view_copy[d] = view[d] ? arr_copy(view[d], ARR_ORDER_C) : NULL;
        flip[d] = arr_slice(cube[d], "::-3");
        flip_copy[d] = flip[d] ? arr_copy(flip[d], ARR_ORDER_C) : NULL;
        if (!view_copy[d] || !flip_copy[d]) {
            fprintf(stderr, "dtypes: %s\n", arr_errmsg());
            return 1;
        }
    }
    arrdbg_spot(1);
    for (int d = 0; d < ARR_NDTYPES; d++) {
        arr_free(flip_copy[d]);
        arr_free(flip[d]);
        arr_free(view_copy[d]);
        arr_free(view[d]);
        arr_free(cube[d]);
        arr_free(lin[d]);
    }
    return 0;
}
