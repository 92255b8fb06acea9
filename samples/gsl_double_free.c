/* gsl_double_free.c - a GSL matrix freed twice: on an error branch and
 * again in the common cleanup.  memcheck reports the invalid reads and
 * frees inside GSL; arrcheck reports one InvalidFree at the program's
 * second gsl_matrix_free, with where the matrix was made and first
 * freed.  Plain GSL, no arrdbg header.
 *
 * expect native:
 * expect memcheck: InvalidRead=3 InvalidFree=3
 * expect arrcheck: InvalidFree=1
 */
#include <stdio.h>
#include <gsl/gsl_matrix.h>

static int fill(gsl_matrix *m, double scale)
{
    if (scale < 0) {
        gsl_matrix_free(m); /* error branch frees... */
        return -1;
    }
    gsl_matrix_set_all(m, scale);
    return 0;
}

int main(void)
{
    gsl_matrix *m = gsl_matrix_alloc(3, 3);
    int rc = fill(m, -1.0);
    gsl_matrix_free(m); /* ...and the cleanup frees again */
    printf("fill returned %d\n", rc);
    return 0;
}
