/* gsl_clean_views.c - a clean GSL program that keeps views in every kind
 * of storage: locals in a loop, views of views, const views, a view
 * returned from a function while its matrix lives, views stored in a
 * malloc'd struct (freed before their matrix, and one freed after), and
 * matrices freed while views of them are still in scope.  No finding:
 * GSL's views are values, and leaving one in scope is not a bug until it
 * is read.  Plain GSL, no arrdbg header.
 *
 * expect native:
 * expect memcheck:
 * expect arrcheck:
 */
#include <stdio.h>
#include <stdlib.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

struct window {
    gsl_matrix_view block;   /* a 2x2 block of some matrix */
    gsl_vector_view diag;    /* its diagonal */
};

static _gsl_vector_const_view last_row(const gsl_matrix *m)
{
    return gsl_matrix_const_row(m, m->size1 - 1);
}

static double sum(const gsl_vector *v)
{
    double s = 0;
    for (size_t i = 0; i < v->size; i++)
        s += gsl_vector_get(v, i);
    return s;
}

int main(void)
{
    gsl_matrix *m = gsl_matrix_alloc(6, 6);
    for (size_t i = 0; i < 6; i++)
        for (size_t j = 0; j < 6; j++)
            gsl_matrix_set(m, i, j, (double)(i * 6 + j));

    double total = 0;
    for (size_t k = 0; k + 2 <= 6; k += 2) {
        gsl_matrix_view outer = gsl_matrix_submatrix(m, k, 0, 2, 6);
        gsl_matrix_view inner = gsl_matrix_submatrix(&outer.matrix, 0, k, 2, 2); /* a view of a view */
        gsl_vector_view col = gsl_matrix_column(&inner.matrix, 1);
        gsl_vector_view part = gsl_vector_subvector(&col.vector, 0, 1);
        total += sum(&col.vector) + sum(&part.vector);
    }
    gsl_vector_const_view last = last_row(m);
    total += sum(&last.vector);

    struct window *w = malloc(sizeof *w);
    w->block = gsl_matrix_submatrix(m, 1, 1, 2, 2);
    w->diag = gsl_matrix_diagonal(&w->block.matrix);
    total += sum(&w->diag.vector);
    free(w); /* the views in it go with the block */

    gsl_vector *copy = gsl_vector_alloc(6);
    gsl_vector_view row = gsl_matrix_row(m, 2);
    gsl_vector_memcpy(copy, &row.vector);
    total += sum(copy);
    gsl_vector_free(copy);

    struct window *kept = malloc(sizeof *kept);
    kept->block = gsl_matrix_submatrix(m, 0, 0, 3, 3);
    kept->diag = gsl_matrix_diagonal(&kept->block.matrix);
    total += sum(&kept->diag.vector);
    gsl_matrix_free(m); /* views of m still in scope and in *kept: not read again */
    free(kept);
    printf("total %g\n", total);
    return 0;
}
