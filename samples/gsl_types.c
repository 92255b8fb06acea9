/* gsl_types.c - GSL's other element types, plain GSL: a float matrix
 * copied and never freed on each pass of a loop, an int matrix read through
 * a column view after it was freed, a float transpose copy and an
 * unsigned char vector and a complex float vector never freed,
 * and clean complex and long double views.  arrcheck names each with its
 * element type (float32, int32, uint8, complex64), as for double.
 *
 * expect native:
 * expect memcheck: Leak_DefinitelyLost=5 Leak_IndirectlyLost=10 InvalidRead=1
 * expect arrcheck: LeakedCopy=3 LeakedArray=2 DanglingAccess=1
 */
#include <stdio.h>
#include <gsl/gsl_complex_math.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

static float corner_of_copy(const gsl_matrix_float *f)
{
    gsl_matrix_float *work = gsl_matrix_float_alloc(f->size1, f->size2); /* leaked */
    gsl_matrix_float_memcpy(work, f);
    return gsl_matrix_float_get(work, 0, 0);
}

static int stale_column(void)
{
    gsl_matrix_int *m = gsl_matrix_int_alloc(2, 3);
    gsl_matrix_int_set_all(m, 7);
    gsl_vector_int_view col = gsl_matrix_int_column(m, 1);
    gsl_matrix_int_free(m);
    return gsl_vector_int_get(&col.vector, 1); /* m is gone */
}

int main(void)
{
    gsl_matrix_float *f = gsl_matrix_float_alloc(3, 4);
    gsl_matrix_float_set_all(f, 2.5f);
    float sum = 0;
    for (int pass = 0; pass < 2; pass++)
        sum += corner_of_copy(f);
    gsl_matrix_float *t = gsl_matrix_float_alloc(4, 3); /* leaked too */
    gsl_matrix_float_transpose_memcpy(t, f);
    sum += gsl_matrix_float_get(t, 3, 2);
    t = NULL;
    int v = stale_column();
    gsl_vector_uchar *bytes = gsl_vector_uchar_calloc(10); /* never freed */
    gsl_vector_uchar_set(bytes, 3, 200);
    gsl_vector_complex_float *cz = gsl_vector_complex_float_calloc(3); /* never freed */
    GSL_SET_REAL(gsl_vector_complex_float_ptr(cz, 1), 0.5f);

    gsl_vector_complex *z = gsl_vector_complex_alloc(6);
    gsl_vector_complex_set_zero(z);
    gsl_vector_complex_view zs = gsl_vector_complex_subvector_with_stride(z, 1, 2, 3);
    gsl_vector_complex_set(&zs.vector, 2, gsl_complex_rect(1.0, -1.0));
    gsl_matrix_long_double *ld = gsl_matrix_long_double_calloc(3, 3);
    gsl_vector_long_double_view d = gsl_matrix_long_double_diagonal(ld);
    gsl_vector_long_double_set(&d.vector, 2, 4.0L);
    double z5 = GSL_IMAG(gsl_vector_complex_get(z, 5));
    long double tr = gsl_matrix_long_double_get(ld, 2, 2);
    gsl_matrix_long_double_free(ld);
    gsl_vector_complex_free(z);
    gsl_matrix_float_free(f);
    printf("%g %d %d %g %g\n", sum, v, gsl_vector_uchar_get(bytes, 3), z5, (double)tr);
    bytes = NULL;
    cz = NULL;
    return 0;
}
