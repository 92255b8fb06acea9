/* views.c - arrays of every kind for the gdb plugin's tests: owners, views
 * with negative and zero strides, copies, every dtype family, a 0-d array,
 * and orphaned views once the owner is freed.
 *
 * Usage: views [OUTDIR]  With OUTDIR, writes NAME.txt for the arrays the
 * tests dump with `arr dump`: the values computed here through libarr, in C
 * order, one element a line ("re im" for complex), to compare with the .npy
 * files numpy reads back (a first line "# shape D0 D1 ..." gives the shape). */
#include <stdio.h>
#include <stdlib.h>

#include "arr.h"
#include "spot.h"

static void write_values(const char *outdir, const char *name, const arr_t *a)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.txt", outdir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    int ndim = arr_ndim(a);
    const int64_t *shape = arr_shape(a);
    int64_t index[ARR_MAXDIMS] = {0};
    int64_t n = arr_size(a);
    fprintf(f, "# shape");
    for (int d = 0; d < ndim; d++)
        fprintf(f, " %lld", (long long)shape[d]);
    fprintf(f, "\n");
    for (int64_t k = 0; k < n; k++) {
        if (arr_dtype(a) == ARR_COMPLEX128) {
            const double *p = arr_ptr(a, index);
            fprintf(f, "%.17g %.17g\n", p[0], p[1]);
        } else {
            double v = 0;
            if (arr_get_f64(a, index, &v) != 0) {
                fprintf(stderr, "%s: %s\n", name, arr_errmsg());
                exit(1);
            }
            fprintf(f, "%.17g\n", v);
        }
        for (int d = ndim - 1; d >= 0; d--) { /* C-order odometer */
            if (++index[d] < shape[d])
                break;
            index[d] = 0;
        }
    }
    fclose(f);
}

int main(int argc, char **argv)
{
    const char *outdir = argc > 1 ? argv[1] : NULL;
    int64_t shape34[2] = {3, 4};
    int64_t shape3[1] = {3};

    arr_t *base = arr_arange(0, 12, 1, ARR_FLOAT64);
    arr_set_label(base, "weights");
    arr_t *m = arr_reshape(base, 2, shape34, ARR_COPY_NEVER);
    arr_t *t = arr_transpose(m, NULL);
    arr_t *flipped = arr_flip(m, 1);
    arr_t *col = arr_slice(m, ":, 1");
    arr_t *row = arr_slice(m, "1");
    arr_t *bcast = arr_broadcast_to(row, 2, shape34);
    arr_t *every_other = arr_slice(m, "::2, ::-2");
    arr_t *copy = arr_copy(t, ARR_ORDER_C);
    arr_set_label(copy, "t copy");
    arr_t *ints = arr_arange(-3, 3, 1, ARR_INT16);
    arr_t *flags = arr_astype(ints, ARR_BOOL);
    arr_t *z = arr_full(1, shape3, ARR_COMPLEX128, 1.5);
    double *z1 = arr_ptr(z, (int64_t[]){1});
    z1[1] = -2.0;
    arr_t *f32 = arr_arange(0, 1, 0.25, ARR_FLOAT32);
    arr_t *scalar = arr_full(0, NULL, ARR_FLOAT64, 2.5);
    arr_t *null_arr = NULL;
    if (!m || !t || !flipped || !col || !row || !bcast || !every_other || !copy || !ints ||
        !flags || !z || !f32 || !scalar) {
        fprintf(stderr, "views: %s\n", arr_errmsg());
        return 1;
    }
    if (outdir) {
        write_values(outdir, "flipped", flipped);
        write_values(outdir, "bcast", bcast);
        write_values(outdir, "t", t);
        write_values(outdir, "every_other", every_other);
        write_values(outdir, "flags", flags);
        write_values(outdir, "ints", ints);
        write_values(outdir, "z", z);
        write_values(outdir, "f32", f32);
        write_values(outdir, "scalar", scalar);
    }
    arrdbg_spot(1);

    arr_free(base); /* m and every view of base become orphans */
    arrdbg_spot(2);

    arr_t *live[] = {m, t, flipped, col, row, bcast, every_other, copy, ints, flags, z, f32, scalar};
    for (size_t i = 0; i < sizeof live / sizeof live[0]; i++)
        arr_free(live[i]);
    (void)null_arr;
    arrdbg_spot(3);
    return 0;
}
