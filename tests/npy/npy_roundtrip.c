/* npy_roundtrip.c - the C side of the NumPy round-trip test (check_npy.py).
 *
 *   npy_roundtrip MODE IN OUT [SLICE [T]]
 *
 * Loads IN with arr_load_npy (MODE: copy, mmap-r, mmap-c, mmap-rw), takes
 * arr_slice(SLICE) of it when given ("-" for none) and its transpose when T
 * follows, saves that with arr_save_npy to OUT, and prints one line:
 *     dtype ndim shape... flags=<C|F|W|O> sum=<hex> chunked=<hex> chunked_small=<hex>
 * (sums as C99 hex floats, exact), for the script to compare with NumPy.
 * A load failure prints "error <code> <message>" and exits 2.
 *
 *   npy_roundtrip header FILE...
 *
 * Parses each FILE's header with arr_npy_read_header and prints one line per
 * file: "ok <dtype> <big_endian> <fortran> <shape...>" or "error <code>". */
#include "arr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_mode(const char *s, arr_load_mode_t *mode)
{
    static const struct { const char *name; arr_load_mode_t mode; } modes[] = {
        {"copy", ARR_LOAD_COPY}, {"mmap-r", ARR_LOAD_MMAP_READONLY},
        {"mmap-c", ARR_LOAD_MMAP_COPY}, {"mmap-rw", ARR_LOAD_MMAP_READWRITE}};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (strcmp(s, modes[i].name) == 0) {
            *mode = modes[i].mode;
            return 0;
        }
    return -1;
}

static int headers(int n, char **paths)
{
    for (int i = 0; i < n; i++) {
        arr_npy_header_t h;
        if (arr_npy_read_header(paths[i], &h) != 0) {
            printf("error %s\n", arr_strerror(arr_errcode()));
            continue;
        }
        printf("ok %s %d %d", arr_dtype_name(h.dtype), h.big_endian, h.fortran_order);
        for (int k = 0; k < h.ndim; k++)
            printf(" %lld", (long long)h.shape[k]);
        printf("\n");
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "header") == 0)
        return headers(argc - 2, argv + 2);
    arr_load_mode_t mode;
    if (argc < 4 || parse_mode(argv[1], &mode) != 0) {
        fprintf(stderr, "usage: npy_roundtrip copy|mmap-r|mmap-c|mmap-rw IN OUT [SLICE [T]]\n");
        return 64;
    }
    arr_t *a = arr_load_npy(argv[2], mode);
    if (a == NULL) {
        printf("error %s %s\n", arr_strerror(arr_errcode()), arr_errmsg());
        return 2;
    }
    arr_t *v = a, *t = NULL;
    if (argc > 4 && strcmp(argv[4], "-") != 0) {
        v = arr_slice(a, argv[4]);
        if (v == NULL) {
            fprintf(stderr, "slice %s: %s\n", argv[4], arr_errmsg());
            return 1;
        }
    }
    if (argc > 5 && strcmp(argv[5], "T") == 0) {
        t = arr_transpose(v, NULL);
        if (t == NULL) {
            fprintf(stderr, "transpose: %s\n", arr_errmsg());
            return 1;
        }
    }
    arr_t *out = t ? t : v;
    if (arr_save_npy(out, argv[3]) != 0) {
        fprintf(stderr, "save: %s\n", arr_errmsg());
        return 1;
    }
    double sum, chunked, chunked_small;
    if (arr_sum(out, &sum) != 0 || arr_chunked_sum(out, 0, &chunked) != 0 ||
        arr_chunked_sum(out, 40, &chunked_small) != 0) {
        fprintf(stderr, "sum: %s\n", arr_errmsg());
        return 1;
    }
    int flags = arr_flags(a);
    printf("%s %d", arr_dtype_name(arr_dtype(a)), arr_ndim(a));
    for (int i = 0; i < arr_ndim(a); i++)
        printf(" %lld", (long long)arr_shape(a)[i]);
    printf(" flags=%s%s%s%s sum=%a chunked=%a chunked_small=%a\n",
           flags & ARR_C_CONTIGUOUS ? "C" : "", flags & ARR_F_CONTIGUOUS ? "F" : "",
           flags & ARR_WRITEABLE ? "W" : "", flags & ARR_OWNDATA ? "O" : "", sum, chunked,
           chunked_small);
    if (t)
        arr_free(t);
    if (v != a)
        arr_free(v);
    arr_free(a);
    return 0;
}
