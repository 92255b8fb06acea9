/* gsl_clean_lu.c - a clean GSL program: hundreds of views (rows, columns,
 * submatrices, subvectors), an LU solve (gsl_linalg_LU_decomp/solve), a
 * matrix-vector product (gsl_blas_dgemv) and an FFT over column views.
 * Every matrix is freed, with views still in scope: no finding.
 * Plain GSL, no arrdbg header.
 *
 * expect native:
 * expect memcheck:
 * expect arrcheck:
 */
#include <stdio.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_fft_real.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_permutation.h>
#include <gsl/gsl_vector.h>

#define N 8

static double column_sums(const gsl_matrix *m)
{
    double total = 0;
    for (size_t j = 0; j < m->size2; j++) {
        gsl_vector_const_view c = gsl_matrix_const_column(m, j);
        for (size_t i = 0; i < c.vector.size; i++)
            total += gsl_vector_get(&c.vector, i);
    }
    return total;
}

int main(void)
{
    gsl_matrix *a = gsl_matrix_alloc(N, N);
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++)
            gsl_matrix_set(a, i, j, i == j ? N + 1.0 : 1.0 / (1.0 + i + j));

    /* Hundreds of views: every row, column and 2x2 block, many times. */
    double acc = 0;
    for (int pass = 0; pass < 10; pass++) {
        for (size_t i = 0; i < N; i++) {
            gsl_vector_view r = gsl_matrix_row(a, i);
            gsl_vector_view head = gsl_vector_subvector(&r.vector, 0, N / 2);
            acc += gsl_vector_get(&head.vector, 0);
        }
        for (size_t i = 0; i + 1 < N; i += 2) {
            gsl_matrix_view b = gsl_matrix_submatrix(a, i, i, 2, 2);
            acc += gsl_matrix_get(&b.matrix, 1, 1);
        }
        acc += column_sums(a);
    }

    /* Solve a x = b with LU, then check a x with dgemv. */
    gsl_matrix *lu = gsl_matrix_alloc(N, N);
    gsl_matrix_memcpy(lu, a);
    gsl_vector *b = gsl_vector_alloc(N), *x = gsl_vector_alloc(N), *ax = gsl_vector_alloc(N);
    for (size_t i = 0; i < N; i++)
        gsl_vector_set(b, i, 1.0 + i);
    gsl_permutation *p = gsl_permutation_alloc(N);
    int sign;
    gsl_linalg_LU_decomp(lu, p, &sign);
    gsl_linalg_LU_solve(lu, p, b, x);
    gsl_blas_dgemv(CblasNoTrans, 1.0, a, x, 0.0, ax);
    double err = 0;
    for (size_t i = 0; i < N; i++)
        err += gsl_vector_get(ax, i) - gsl_vector_get(b, i);

    /* A real FFT of each column of a signal matrix, in place, through
     * column views (the stride is the matrix's row length). */
    gsl_matrix *sig = gsl_matrix_calloc(N, N);
    for (size_t i = 0; i < N; i++)
        gsl_matrix_set(sig, i, 0, 1.0);
    for (size_t j = 0; j < N; j++) {
        gsl_vector_view col = gsl_matrix_column(sig, j);
        gsl_fft_real_radix2_transform(col.vector.data, col.vector.stride, N);
    }

    printf("views %.3f, LU residual %.1e, fft[0] %g\n", acc, err, gsl_matrix_get(sig, 0, 0));
    gsl_permutation_free(p);
    gsl_vector_free(b);
    gsl_vector_free(x);
    gsl_vector_free(ax);
    gsl_matrix_free(lu);
    gsl_matrix_free(sig);
    gsl_matrix_free(a);
    return 0;
}
