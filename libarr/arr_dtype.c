/* arr_dtype.c - the dtype and op name tables, dtype checks, and the CPU
 * probe that picks the vector kernels. */
#include "arr_dtype.h"
#include "arr_error.h"

/* ---- dtypes and ops ----------------------------------------------------- */

static const struct {
    const char *name;
    int size;
} dtype_table[ARR_NDTYPES] = {
    [ARR_BOOL] = {"bool", 1},        [ARR_INT8] = {"int8", 1},
    [ARR_INT16] = {"int16", 2},      [ARR_INT32] = {"int32", 4},
    [ARR_INT64] = {"int64", 8},      [ARR_UINT8] = {"uint8", 1},
    [ARR_UINT16] = {"uint16", 2},    [ARR_UINT32] = {"uint32", 4},
    [ARR_UINT64] = {"uint64", 8},    [ARR_FLOAT32] = {"float32", 4},
    [ARR_FLOAT64] = {"float64", 8},  [ARR_COMPLEX64] = {"complex64", 8},
    [ARR_COMPLEX128] = {"complex128", 16},
};

const char *arr_dtype_name(arr_dtype_t dtype)
{
    return (unsigned)dtype < ARR_NDTYPES ? dtype_table[dtype].name : "?";
}

int arr_dtype_size(arr_dtype_t dtype)
{
    return (unsigned)dtype < ARR_NDTYPES ? dtype_table[dtype].size : -1;
}

static const char *const op_names[ARR_NOPS] = {
    [ARR_OP_NONE] = "none",
    [ARR_OP_EMPTY] = "empty",
    [ARR_OP_ZEROS] = "zeros",
    [ARR_OP_FULL] = "full",
    [ARR_OP_ARANGE] = "arange",
    [ARR_OP_WRAP] = "wrap",
    [ARR_OP_VIEW] = "view",
    [ARR_OP_SLICE] = "slice",
    [ARR_OP_TRANSPOSE] = "transpose",
    [ARR_OP_SWAPAXES] = "swapaxes",
    [ARR_OP_SQUEEZE] = "squeeze",
    [ARR_OP_EXPAND_DIMS] = "expand_dims",
    [ARR_OP_FLIP] = "flip",
    [ARR_OP_BROADCAST_TO] = "broadcast_to",
    [ARR_OP_DIAGONAL] = "diagonal",
    [ARR_OP_RESHAPE] = "reshape",
    [ARR_OP_ASCONTIGUOUS] = "ascontiguous",
    [ARR_OP_ASFORTRAN] = "asfortran",
    [ARR_OP_COPY] = "copy",
    [ARR_OP_ASTYPE] = "astype",
    [ARR_OP_ASCONTIGUOUS_COPY] = "ascontiguous (copy)",
    [ARR_OP_ASFORTRAN_COPY] = "asfortran (copy)",
    [ARR_OP_RESHAPE_COPY] = "reshape (copy)",
    [ARR_OP_LOAD] = "load",
};

const char *arr_op_name(arr_op_t op)
{
    return (unsigned)op < ARR_NOPS && op_names[op] ? op_names[op] : "?";
}

bool arr_op_is_copy(arr_op_t op) { return op >= ARR_OP_COPY && op <= ARR_OP_RESHAPE_COPY; }

int arr__check_dtype(arr_dtype_t dtype, const char *fn)
{
    if ((unsigned)dtype >= ARR_NDTYPES)
        return arr__fail(ARR_EINVAL, "%s: unknown dtype %d", fn, (int)dtype);
    return 0;
}

/* ---- the CPU ------------------------------------------------------------ */

/* Non-zero: the vector kernels in arr_math.c and arr_copy.c use SSE2 even
 * where AVX exists.  Only the unit tests set it, to cover both paths on one
 * machine. */
int arr__avoid_avx;

int arr__use_avx(void)
{
#if defined(__x86_64__) && defined(__SSE2__)
    return !arr__avoid_avx && __builtin_cpu_supports("avx");
#else
    return 0;
#endif
}
