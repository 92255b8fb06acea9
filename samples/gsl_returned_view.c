/* gsl_returned_view.c - a function returns a view of a matrix it freed:
 * the caller reads through it.  Plain GSL, no arrdbg header.
 *
 * expect native:
 * expect memcheck: InvalidRead=1
 * expect arrcheck: DanglingAccess=1
 */
#include <stdio.h>
#include <gsl/gsl_matrix.h>

static gsl_vector_view diagonal_of_fresh(size_t n)
{
    gsl_matrix *m = gsl_matrix_alloc(n, n);
    gsl_matrix_set_identity(m);
    gsl_vector_view d = gsl_matrix_diagonal(m);
    gsl_matrix_free(m); /* the view outlives its matrix */
    return d;
}

int main(void)
{
    gsl_vector_view d = diagonal_of_fresh(4);
    printf("%g\n", gsl_vector_get(&d.vector, 2));
    return 0;
}
