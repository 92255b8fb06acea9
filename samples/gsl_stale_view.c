/* gsl_stale_view.c - reads through a GSL row view, column view and
 * submatrix view after their matrix was freed.  memcheck reports invalid
 * reads; arrcheck names the view (kind, where it was made) and the matrix
 * (where it was made and freed).  Plain GSL, no arrdbg header.
 *
 * expect native:
 * expect memcheck: InvalidRead=3
 * expect arrcheck: DanglingAccess=3
 */
#include <stdio.h>
#include <gsl/gsl_matrix.h>

int main(void)
{
    gsl_matrix *m = gsl_matrix_alloc(3, 4);
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 4; j++)
            gsl_matrix_set(m, i, j, 10.0 * i + j);
    gsl_vector_view row = gsl_matrix_row(m, 1);
    gsl_vector_view col = gsl_matrix_column(m, 2);
    gsl_matrix_view sub = gsl_matrix_submatrix(m, 1, 1, 2, 2);
    gsl_matrix_free(m);
    double r = gsl_vector_get(&row.vector, 3);     /* stale row view */
    double c = gsl_vector_get(&col.vector, 0);     /* stale column view */
    double s = gsl_matrix_get(&sub.matrix, 1, 0);  /* stale submatrix view */
    printf("%g %g %g\n", r, c, s);
    return 0;
}
