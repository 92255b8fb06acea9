/* fuzz_common.h - what the libFuzzer harnesses share: a byte reader over the
 * fuzzer's input and invariant checks on libarr handles.  The harnesses are
 * built together with libarr's sources, so they may use arr_internal.h. */
#ifndef ARR_FUZZ_COMMON_H
#define ARR_FUZZ_COMMON_H

#include "arr_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A broken invariant is a crash for libFuzzer: it saves the input. */
#define FUZZ_CHECK(cond, ...)                                                        \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "fuzz invariant failed at %s:%d: %s: ", __FILE__,        \
                    __LINE__, #cond);                                                \
            fprintf(stderr, __VA_ARGS__);                                            \
            fprintf(stderr, " (last libarr error: %s)\n", arr_errmsg());             \
            abort();                                                                 \
        }                                                                            \
    } while (0)

/* Reads the input a byte at a time; zeros once it runs out, so every input
 * decodes to some program. */
typedef struct fuzz_input {
    const uint8_t *data;
    size_t size, pos;
} fuzz_input_t;

static inline uint8_t fuzz_byte(fuzz_input_t *in)
{
    return in->pos < in->size ? in->data[in->pos++] : 0;
}

static inline bool fuzz_done(const fuzz_input_t *in) { return in->pos >= in->size; }

/* A value in [0, n). */
static inline int fuzz_below(fuzz_input_t *in, int n) { return n <= 1 ? 0 : fuzz_byte(in) % n; }

/* A value in [lo, hi]. */
static inline int fuzz_range(fuzz_input_t *in, int lo, int hi)
{
    return lo + fuzz_below(in, hi - lo + 1);
}

/* The error of a failed call must be one the caller was told to expect, with
 * a message. */
static inline void fuzz_check_error(const char *what, unsigned allowed_mask)
{
    arr_err_t code = arr_errcode();
    FUZZ_CHECK(code != ARR_OK && (allowed_mask & (1u << code)),
               "%s failed with unexpected %s", what, arr_strerror(code));
    const char *msg = arr_errmsg();
    FUZZ_CHECK(msg != NULL && msg[0] != '\0', "%s: empty error message", what);
}

#define ERRBIT(code) (1u << (code))

/* The view's elements lie inside its owner's buffer, its bookkeeping agrees
 * with the owner, and its contiguity flags follow from its strides. */
static inline void fuzz_check_handle_layout(const arr_t *a, const void *owner_start,
                                            int64_t owner_bytes)
{
    FUZZ_CHECK(a->magic == ARR_MAGIC_LIVE, "arr #%" PRIu64 " magic %#x", a->id, a->magic);
    FUZZ_CHECK(a->ndim >= 0 && a->ndim <= ARR_MAXDIMS, "ndim %d", a->ndim);
    FUZZ_CHECK(a->itemsize == arr_dtype_size((arr_dtype_t)a->dtype), "itemsize %d", a->itemsize);
    int64_t size = 1;
    for (int i = 0; i < a->ndim; i++) {
        FUZZ_CHECK(a->shape[i] >= 0, "negative shape[%d]", i);
        size *= a->shape[i];
    }
    int want = arr__contiguity(a->ndim, a->shape, a->strides, a->itemsize);
    FUZZ_CHECK((a->flags & (ARR_C_CONTIGUOUS | ARR_F_CONTIGUOUS)) == want,
               "arr #%" PRIu64 " flags %#x but its strides say %#x", a->id, a->flags, want);
    if (size == 0)
        return;
    int64_t lo, hi;
    arr__extent(a, &lo, &hi);
    int64_t start = (const char *)a->data - (const char *)owner_start;
    FUZZ_CHECK(start + lo >= 0 && start + hi <= owner_bytes,
               "arr #%" PRIu64 " spans [%" PRId64 ", %" PRId64 ") of a %" PRId64 "-byte buffer",
               a->id, start + lo, start + hi, owner_bytes);
}

#endif
