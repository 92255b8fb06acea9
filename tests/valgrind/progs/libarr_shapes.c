/* libarr_shapes.c - every libarr operation that makes an array, each from
 * its own line and never freed, so arrcheck's leak report names each one.
 * Writes "id op dtype shape... / strides..." per handle to argv[1] (as the
 * handle holds them); libarr_shapes.py checks that arrcheck printed (and
 * profiled) the same shape, dtype and op for every id: the tools must be
 * told each array's final form, not an intermediate one. */
#include "arr.h"

#include <stdio.h>
#include <stdlib.h>

static FILE *out;

static void note(arr_t *a)
{
    if (a == NULL) {
        fprintf(stderr, "libarr_shapes: %s\n", arr_errmsg());
        exit(2);
    }
    fprintf(out, "%llu %s %s", (unsigned long long)arr_id(a), arr_op_name((arr_op_t)a->op),
            arr_dtype_name(arr_dtype(a)));
    for (int i = 0; i < arr_ndim(a); i++)
        fprintf(out, " %lld", (long long)arr_shape(a)[i]);
    fprintf(out, " /");
    for (int i = 0; i < arr_ndim(a); i++)
        fprintf(out, " %lld", (long long)arr_strides(a)[i]);
    fprintf(out, "\n");
}

static double wrapped[64];

int main(int argc, char **argv)
{
    if (argc < 3)
        return 64;
    out = fopen(argv[1], "w");
    if (out == NULL)
        return 1;
    arr_t *a = arr_arange(0, 1536, 1, ARR_FLOAT64);
    note(a);
    arr_t *m = arr_reshape(a, 2, (int64_t[]){48, 32}, ARR_COPY_NEVER);
    note(m);
    arr_t *t = arr_transpose(m, NULL);
    note(t);
    note(arr_reshape(t, 1, (int64_t[]){1536}, ARR_COPY_IF_NEEDED)); /* must copy */
    note(arr_reshape(t, 3, (int64_t[]){4, -1, 8}, ARR_COPY_IF_NEEDED)); /* must copy */
    note(arr_reshape(m, 3, (int64_t[]){6, 8, 32}, ARR_COPY_IF_NEEDED)); /* a view */
    note(arr_slice(m, "1:40:3, ::-2"));
    note(arr_transpose_n(m, 2, (int[]){1, 0}));
    note(arr_swapaxes(m, 0, 1));
    note(arr_expand_dims(m, 1));
    note(arr_squeeze(arr_expand_dims(m, 0), 0));
    note(arr_flip(m, 1));
    note(arr_broadcast_to(arr_slice(m, "0"), 2, (int64_t[]){5, 32}));
    note(arr_diagonal(m, 2, 0, 1));
    note(arr_ascontiguous(m));
    note(arr_ascontiguous(t));
    note(arr_asfortran(t));
    note(arr_asfortran(m));
    note(arr_copy(t, ARR_ORDER_K));
    note(arr_copy(m, ARR_ORDER_F));
    note(arr_astype(t, ARR_FLOAT32));
    note(arr_view(t));
    note(arr_zeros(2, (int64_t[]){3, 4}, ARR_INT16));
    note(arr_empty(1, (int64_t[]){0}, ARR_UINT8));
    note(arr_full(0, NULL, ARR_COMPLEX64, 2.0));
    note(arr_wrap(wrapped, 2, (int64_t[]){8, 4}, (int64_t[]){8, 64}, ARR_FLOAT64, 1));
    if (arr_save_npy(t, argv[2]) != 0)
        return 1;
    note(arr_load_npy(argv[2], ARR_LOAD_COPY));
    note(arr_load_npy(argv[2], ARR_LOAD_MMAP_READONLY));
    note(arr_create_npy(argv[2], 2, (int64_t[]){3, 5}, ARR_INT32, ARR_ORDER_F));
    fclose(out);
    return 0; /* nothing freed: every array is in the leak report */
}
