/* gslmix_libarr.c - libarr and GSL (unmodified, plain -lgsl) in one
 * process: their arrays take ids from one sequence (arrcheck's NEW_ID), so
 * no "id in use" warning, and each finding names the right array: the
 * libarr astype copy, the GSL memcpy copy, the GSL row view read after
 * its matrix was freed. */
#include <stdio.h>
#include <gsl/gsl_matrix.h>

#include "arr.h"

static void leak_copies(const arr_t *a, const gsl_matrix *m)
{
    arr_t *c = arr_astype(a, ARR_FLOAT32);  /* libarr #4: astype of #1 */
    gsl_matrix *mc = gsl_matrix_alloc(3, 4); /* GSL #5 */
    gsl_matrix_memcpy(mc, m);                /* a copy of #2 */
    (void)c;
    mc = NULL;
}

int main(void)
{
    int64_t shape[2] = {3, 4};
    arr_t *a = arr_zeros(2, shape, ARR_FLOAT64); /* libarr #1 */
    gsl_matrix *m = gsl_matrix_alloc(3, 4);      /* GSL #2 */
    gsl_matrix_set_all(m, 1.5);
    gsl_vector_view row = gsl_matrix_row(m, 1);  /* GSL view #3 of #2 */
    leak_copies(a, m);
    arr_t *b = arr_zeros(2, shape, ARR_INT32);   /* libarr #6 */
    gsl_matrix_free(m);
    double x = gsl_vector_get(&row.vector, 2);   /* through view #3 of freed #2 */
    arr_free(b);
    arr_free(a);
    printf("%g\n", x);
    return 0;
}
