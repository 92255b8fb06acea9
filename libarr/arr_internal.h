/* arr_internal.h - what libarr's source files share; not installed.
 * Prefix: arr__ for internal functions. */
#ifndef ARR_INTERNAL_H
#define ARR_INTERNAL_H

#include "arr.h"

#include <stdarg.h>

#if defined(__GNUC__)
#define ARR__PRINTF(f, a) __attribute__((format(printf, f, a)))
#define ARR__CALLER __builtin_return_address(0)
#else
#define ARR__PRINTF(f, a)
#define ARR__CALLER NULL
#endif

/* Stride arithmetic wraps like NumPy's npy_intp does on overflow (e.g. a
 * step of 2**63-1 that still selects one element) instead of being
 * undefined behaviour in C. */
static inline int64_t arr__wrap_mul(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a * (uint64_t)b);
}
static inline int64_t arr__wrap_add(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* Error reporting: sets the thread-local error and returns -1 (or NULL via
 * the _p variant) so callers can write `return arr__fail(...)`. */
int arr__fail(arr_err_t code, const char *fmt, ...) ARR__PRINTF(2, 3);
void *arr__fail_p(arr_err_t code, const char *fmt, ...) ARR__PRINTF(2, 3);

/* Allocation goes through here so tests can inject failures (see
 * arr__alloc_fail_countdown).  Return NULL on failure, never abort. */
void *arr__malloc(size_t n);
void *arr__calloc(size_t n, size_t size);
void arr__free_mem(void *p);
/* Test hook: when > 0, the Nth following allocation fails (1 = next). */
extern long arr__alloc_fail_countdown;

/* Checks that a is a live handle; on failure sets ARR_ENOTLIVE/ARR_EINVAL
 * naming fn and returns -1. */
int arr__check_live(const arr_t *a, const char *fn);
/* Checks a live handle whose data may be read: not an orphan. */
int arr__check_readable(const arr_t *a, const char *fn);

/* Overflow-checked size of ndim dims of itemsize bytes; -1 + ARR_EOVERFLOW /
 * ARR_EINVAL (negative dim) on failure.  fn names the caller in messages. */
int64_t arr__nbytes_checked(int ndim, const int64_t *shape, int64_t itemsize,
                            const char *fn);
int arr__check_dtype(arr_dtype_t dtype, const char *fn);
/* Normalises a possibly negative axis against ndim; -1 + ARR_EINVAL. */
int arr__normalize_axis(int axis, int ndim, const char *fn);

/* Recomputes C/F contiguity into a->flags with NumPy's rules. */
void arr__update_contiguity(arr_t *a);
int arr__contiguity(int ndim, const int64_t *shape, const int64_t *strides,
                    int64_t itemsize);

/* A new owner with an uninitialised buffer laid out so that axes are
 * ordered by perm (perm[0] outermost ... perm[ndim-1] innermost, i.e. the
 * innermost has stride itemsize).  perm NULL: C order.  op/source record how
 * it was made; caller is the public call's return address. */
arr_t *arr__new_owner(int ndim, const int64_t *shape, arr_dtype_t dtype,
                      const int *perm, arr_op_t op, const arr_t *source,
                      const void *caller);
/* A new owner over a buffer that something other than malloc made (a mapped
 * file, ...): libarr calls release(buffer, bytes) when the owner's buffer
 * goes (at arr_free, or when the last orphan of a quarantined buffer goes).
 * strides NULL: C order.  On failure nothing is released: the caller still
 * owns buffer. */
arr_t *arr__new_owner_external(void *buffer, int64_t bytes, void *data, int ndim,
                               const int64_t *shape, const int64_t *strides, arr_dtype_t dtype,
                               int writeable, void (*release)(void *, int64_t), arr_op_t op,
                               const void *caller);
/* A new view over src's owner: data, shape and strides as given.  The view
 * inherits WRITEABLE from src unless readonly.  src may itself be a view. */
arr_t *arr__new_view(arr_t *src, int ndim, const int64_t *shape,
                     const int64_t *strides, char *data, arr_op_t op,
                     int readonly, const void *caller);

/* Copy operations with the caller's address threaded through. */
arr_t *arr__copy(const arr_t *a, arr_order_t order, arr_op_t op, const void *caller);
arr_t *arr__astype(const arr_t *a, arr_dtype_t dtype, arr_op_t op, const void *caller);
/* Copies values from src into dst (same shape, any strides, any dtypes),
 * assuming no overlap.  Both must be valid. */
void arr__copy_values(arr_t *dst, const arr_t *src);

/* Element conversion helpers (arr_math.c). */
double arr__load_f64(const void *p, arr_dtype_t dtype);
void arr__store_f64(void *p, arr_dtype_t dtype, double v);

/* True when running under Valgrind (set once before main).  Tests may set it
 * natively to exercise the quarantine paths: the client requests themselves
 * are no-ops outside Valgrind. */
extern bool arr__under_valgrind;

/* The vector kernels (arr_math.c, arr_copy.c): arr__use_avx() says whether
 * to use AVX (the CPU has it and arr__avoid_avx is 0); the unit tests set
 * arr__avoid_avx to cover the SSE2 paths on an AVX machine too. */
int arr__use_avx(void);
extern int arr__avoid_avx;

/* Raw form of arr_shares_memory (arr_overlap.c), for tests and tools: do the
 * byte sets of two strided layouts intersect?  Each side is (data address,
 * ndim, shape, strides in bytes, itemsize); nothing is dereferenced.
 * max_work as for arr_shares_memory.  Returns ARR_SHARES_NO / _YES /
 * _TOO_HARD (with ARR_ETOOHARD set), or -1 + ARR_EINVAL on malformed input.
 * *work_done (may be NULL) receives the number of search nodes visited. */
int arr__solve_overlap(const void *data_a, int ndim_a, const int64_t *shape_a,
                       const int64_t *strides_a, int64_t itemsize_a, const void *data_b,
                       int ndim_b, const int64_t *shape_b, const int64_t *strides_b,
                       int64_t itemsize_b, int64_t max_work, int64_t *work_done);

/* Writes a shape as Python prints a tuple: "(3, 4)", "(5,)", "()".  sep is
 * ", " (NumPy's reshape messages) or "," (its broadcast messages).  Output
 * is truncated to cap bytes, always NUL-terminated when cap > 0. */
void arr__format_shape(char *buf, size_t cap, int ndim, const int64_t *shape, const char *sep);

/* Byte extent [lo, hi) of an array's elements relative to its data pointer;
 * lo == hi for an empty array. */
void arr__extent(const arr_t *a, int64_t *lo, int64_t *hi);

/* Defined next to the .debug_gdb_scripts entry (arr_gdb_autoload.c); the
 * core refers to it so a static link keeps gdb's auto-load section. */
extern const char arr__gdb_autoload_anchor;

#endif /* ARR_INTERNAL_H */
