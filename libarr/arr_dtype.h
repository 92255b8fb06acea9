/* arr_dtype.h - internal: dtypes and the machine (arr_dtype.c): checking a
 * dtype, converting one element to and from double, and which vector
 * instructions the kernels may use.  Depends on arr.h only. */
#ifndef ARR_DTYPE_H
#define ARR_DTYPE_H

#include "arr.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* 0, or -1 + ARR_EINVAL naming fn for an unknown dtype. */
int arr__check_dtype(arr_dtype_t dtype, const char *fn);

/* The vector kernels (arr_math.c, arr_copy.c): arr__use_avx() says whether
 * to use AVX (the CPU has it and arr__avoid_avx is 0); the unit tests set
 * arr__avoid_avx to cover the SSE2 paths on an AVX machine too. */
int arr__use_avx(void);
extern int arr__avoid_avx;

/* Element conversion: one element of dtype at p (any alignment) as a
 * double (the real part of a complex), and back.  Inline: arr_equal and
 * arr_arange call them per element. */
static inline double arr__load_f64(const void *p, arr_dtype_t dtype)
{
    switch (dtype) {
    case ARR_BOOL: { uint8_t v; memcpy(&v, p, 1); return v != 0; }
    case ARR_INT8: { int8_t v; memcpy(&v, p, sizeof v); return v; }
    case ARR_INT16: { int16_t v; memcpy(&v, p, sizeof v); return v; }
    case ARR_INT32: { int32_t v; memcpy(&v, p, sizeof v); return v; }
    case ARR_INT64: { int64_t v; memcpy(&v, p, sizeof v); return (double)v; }
    case ARR_UINT8: { uint8_t v; memcpy(&v, p, sizeof v); return v; }
    case ARR_UINT16: { uint16_t v; memcpy(&v, p, sizeof v); return v; }
    case ARR_UINT32: { uint32_t v; memcpy(&v, p, sizeof v); return v; }
    case ARR_UINT64: { uint64_t v; memcpy(&v, p, sizeof v); return (double)v; }
    case ARR_FLOAT32:
    case ARR_COMPLEX64: { float v; memcpy(&v, p, sizeof v); return v; }
    case ARR_FLOAT64:
    case ARR_COMPLEX128: { double v; memcpy(&v, p, sizeof v); return v; }
    default: return NAN;
    }
}

/* double -> integer T: truncation toward zero when it fits the open interval
 * (LO, HI), else T's minimum (NaN included).  The same rule as the copy
 * engine's casts (arr_copy.c); test_copy/test_math check they agree. */
#define ARR_STORE_INT(T, TMIN, LO, HI)                                               \
    {                                                                                \
        T x_ = (v > (LO) && v < (HI)) ? (T)v : (TMIN);                               \
        memcpy(p, &x_, sizeof x_);                                                   \
        return;                                                                      \
    }

static inline void arr__store_f64(void *p, arr_dtype_t dtype, double v)
{
    switch (dtype) {
    case ARR_BOOL: { uint8_t x = v != 0; memcpy(p, &x, 1); return; }
    case ARR_INT8: ARR_STORE_INT(int8_t, INT8_MIN, -129.0, 128.0)
    case ARR_INT16: ARR_STORE_INT(int16_t, INT16_MIN, -32769.0, 32768.0)
    case ARR_INT32: ARR_STORE_INT(int32_t, INT32_MIN, -2147483649.0, 2147483648.0)
    case ARR_INT64: ARR_STORE_INT(int64_t, INT64_MIN, -9223372036854777856.0, 9223372036854775808.0)
    case ARR_UINT8: ARR_STORE_INT(uint8_t, 0, -1.0, 256.0)
    case ARR_UINT16: ARR_STORE_INT(uint16_t, 0, -1.0, 65536.0)
    case ARR_UINT32: ARR_STORE_INT(uint32_t, 0, -1.0, 4294967296.0)
    case ARR_UINT64: ARR_STORE_INT(uint64_t, 0, -1.0, 18446744073709551616.0)
    case ARR_FLOAT32: { float x = (float)v; memcpy(p, &x, sizeof x); return; }
    case ARR_FLOAT64: memcpy(p, &v, sizeof v); return;
    case ARR_COMPLEX64: { float x[2] = {(float)v, 0}; memcpy(p, x, sizeof x); return; }
    case ARR_COMPLEX128: { double x[2] = {v, 0}; memcpy(p, x, sizeof x); return; }
    default: return;
    }
}
#undef ARR_STORE_INT

#endif /* ARR_DTYPE_H */
