/* gsl_bench.c - an unmodified GSL program (plain -lgsl, no arrdbg header)
 * for make bench's GSL rows: each round makes double and float matrices,
 * a copy, a few hundred row/column/submatrix views, an LU solve and a
 * dgemv, and frees everything.  Timed natively, under memcheck and under
 * arrcheck (whose preload wraps GSL's functions); prints a checksum.
 *
 *   gsl_bench ROUNDS
 */
#include <stdio.h>
#include <stdlib.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_permutation.h>
#include <gsl/gsl_vector.h>

#define N 24

static double one_round(int r)
{
    gsl_matrix *a = gsl_matrix_alloc(N, N), *lu = gsl_matrix_alloc(N, N);
    gsl_matrix_float *f = gsl_matrix_float_calloc(N, N);
    gsl_vector *b = gsl_vector_alloc(N), *x = gsl_vector_alloc(N), *ax = gsl_vector_alloc(N);
    gsl_permutation *p = gsl_permutation_alloc(N);
    for (size_t i = 0; i < N; i++) {
        gsl_vector_set(b, i, 1.0 + i);
        for (size_t j = 0; j < N; j++)
            gsl_matrix_set(a, i, j, i == j ? N + r % 7 : 1.0 / (1.0 + i + j));
    }
    double acc = 0;
    for (size_t i = 0; i < N; i++) {
        gsl_vector_view row = gsl_matrix_row(a, i);
        gsl_vector_const_view col = gsl_matrix_const_column(a, i);
        gsl_vector_view head = gsl_vector_subvector(&row.vector, 0, N / 2);
        gsl_matrix_float_view sub = gsl_matrix_float_submatrix(f, i / 2, i / 2, 2, 2);
        gsl_matrix_float_set(&sub.matrix, 1, 1, (float)i);
        acc += gsl_vector_get(&head.vector, 0) + gsl_vector_get(&col.vector, i);
    }
    gsl_matrix_memcpy(lu, a);
    int sign;
    gsl_linalg_LU_decomp(lu, p, &sign);
    gsl_linalg_LU_solve(lu, p, b, x);
    gsl_blas_dgemv(CblasNoTrans, 1.0, a, x, 0.0, ax);
    acc += gsl_vector_get(ax, N - 1) + gsl_matrix_float_get(f, N / 2, N / 2);
    gsl_permutation_free(p);
    gsl_vector_free(ax);
    gsl_vector_free(x);
    gsl_vector_free(b);
    gsl_matrix_float_free(f);
    gsl_matrix_free(lu);
    gsl_matrix_free(a);
    return acc;
}

int main(int argc, char **argv)
{
    char *end = NULL;
    long rounds = argc == 2 ? strtol(argv[1], &end, 10) : -1;
    if (argc != 2 || *end != '\0' || rounds < 1 || rounds > 100000000) {
        fprintf(stderr, "usage: gsl_bench ROUNDS (1..100000000)\n");
        return 2;
    }
    double sum = 0;
    for (long r = 0; r < rounds; r++)
        sum += one_round((int)r);
    printf("%.6g\n", sum);
    return 0;
}
