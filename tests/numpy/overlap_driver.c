/* overlap_driver.c - the C side of tests/numpy/mem_overlap.py.
 *
 * Reads one problem per line on stdin:
 *     MAX_WORK  NDIM_A ITEMSIZE_A OFFSET_A SHAPE_A... STRIDES_A...
 *               NDIM_B ITEMSIZE_B OFFSET_B SHAPE_B... STRIDES_B...
 * wraps both layouts with arr_wrap at BASE + OFFSET (nothing is ever read:
 * the addresses are arithmetic only) and prints arr_shares_memory's answer:
 * 0 (no), 1 (yes), 2 (too hard), or "E <message>" on an error.  With
 * MAX_WORK = "may", arr_may_share_memory instead. */
#include "arr.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE ((uintptr_t)1 << 46)

static int read_layout(int64_t *ndim, int64_t *itemsize, int64_t *offset, int64_t *shape,
                       int64_t *strides)
{
    if (scanf("%ld %ld %ld", (long *)ndim, (long *)itemsize, (long *)offset) != 3 || *ndim < 0 ||
        *ndim > ARR_MAXDIMS)
        return -1;
    for (int64_t i = 0; i < *ndim; i++)
        if (scanf("%ld", (long *)&shape[i]) != 1)
            return -1;
    for (int64_t i = 0; i < *ndim; i++)
        if (scanf("%ld", (long *)&strides[i]) != 1)
            return -1;
    return 0;
}

static arr_dtype_t dtype_of(int64_t itemsize)
{
    switch (itemsize) {
    case 1: return ARR_INT8;
    case 2: return ARR_INT16;
    case 4: return ARR_INT32;
    case 8: return ARR_INT64;
    default: return ARR_COMPLEX128;
    }
}

int main(void)
{
    char work[32];
    while (scanf("%31s", work) == 1) {
        int64_t nd[2], isz[2], off[2], shape[2][ARR_MAXDIMS], strides[2][ARR_MAXDIMS];
        for (int k = 0; k < 2; k++)
            if (read_layout(&nd[k], &isz[k], &off[k], shape[k], strides[k]) != 0) {
                fprintf(stderr, "overlap_driver: bad input\n");
                return 64;
            }
        arr_t *w[2];
        for (int k = 0; k < 2; k++)
            w[k] = arr_wrap((void *)(BASE + (uintptr_t)off[k]), (int)nd[k], shape[k], strides[k],
                            dtype_of(isz[k]), 0);
        if (w[0] == NULL || w[1] == NULL) {
            printf("E %s\n", arr_errmsg());
        } else {
            int answer = strcmp(work, "may") == 0 ? arr_may_share_memory(w[0], w[1])
                                                  : arr_shares_memory(w[0], w[1], atol(work));
            if (answer < 0)
                printf("E %s\n", arr_errmsg());
            else
                printf("%d\n", answer);
        }
        arr_free(w[0]);
        arr_free(w[1]);
        fflush(stdout);
    }
    return 0;
}
