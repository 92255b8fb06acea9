/* gsl_leak_copy.c - a GSL program that leaks a copy of its matrix on every
 * pass of a loop: gsl_matrix_alloc + gsl_matrix_memcpy, never freed.
 * Plain GSL, no arrdbg header: arrcheck's GSL adapter (its preload) sees
 * the matrices of this unmodified program.
 *
 * expect native:
 * expect memcheck: Leak_DefinitelyLost=3 Leak_IndirectlyLost=6
 * expect arrcheck: LeakedCopy=3
 */
#include <stdio.h>
#include <gsl/gsl_matrix.h>

static double trace_of_scaled(const gsl_matrix *m, double k)
{
    gsl_matrix *work = gsl_matrix_alloc(m->size1, m->size2); /* the leaked copy */
    gsl_matrix_memcpy(work, m);
    gsl_matrix_scale(work, k);
    double t = 0;
    for (size_t i = 0; i < work->size1; i++)
        t += gsl_matrix_get(work, i, i);
    return t; /* work is never freed */
}

int main(void)
{
    gsl_matrix *a = gsl_matrix_alloc(4, 4);
    gsl_matrix_set_identity(a);
    double sum = 0;
    for (int pass = 1; pass <= 3; pass++)
        sum += trace_of_scaled(a, pass);
    printf("sum of traces %g\n", sum);
    gsl_matrix_free(a);
    return 0;
}
