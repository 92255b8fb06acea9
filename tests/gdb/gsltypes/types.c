/* types.c - one GSL matrix (2x3) and one strided column view of it per GSL
 * element type, each element printed by the program itself: the gdb test
 * (tests/gdb/gsltypes/run.sh) compares `print` and `arr info` of each, live
 * and on a core, with these lines.  Line "NAME: e e e ..." in C order;
 * a complex element as "RE IM". */
#include <stdio.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

static void stop_here(void) {}

/* SFX: GSL's type suffix; T: element; V(i): element i's value; FMT, ARG:
 * its printf. */
#define REAL_TYPE(SFX, T, V, FMT, ARG)                                              \
    gsl_matrix##SFX *m##SFX = gsl_matrix##SFX##_alloc(2, 3);                          \
    for (size_t i = 0; i < 6; i++)                                                    \
        gsl_matrix##SFX##_set(m##SFX, i / 3, i % 3, (T)(V(i)));                       \
    gsl_vector##SFX##_view c##SFX = gsl_matrix##SFX##_column(m##SFX, 1);              \
    printf("m" #SFX ":");                                                             \
    for (size_t i = 0; i < 6; i++)                                                    \
        printf(" " FMT, ARG(gsl_matrix##SFX##_get(m##SFX, i / 3, i % 3)));            \
    printf("\nc" #SFX ":");                                                           \
    for (size_t i = 0; i < 2; i++)                                                    \
        printf(" " FMT, ARG(gsl_vector##SFX##_get(&c##SFX.vector, i)));               \
    printf("\n");

#define COMPLEX_TYPE(SFX, T, V, FMT, ARG)                                           \
    gsl_matrix##SFX *m##SFX = gsl_matrix##SFX##_alloc(2, 3);                          \
    for (size_t i = 0; i < 6; i++) {                                                  \
        T *e = gsl_matrix##SFX##_ptr(m##SFX, i / 3, i % 3);                           \
        e->dat[0] = V(i);                                                             \
        e->dat[1] = -V(i + 1) / 2;                                                    \
    }                                                                                 \
    gsl_vector##SFX##_view c##SFX = gsl_matrix##SFX##_column(m##SFX, 1);              \
    printf("m" #SFX ":");                                                             \
    for (size_t i = 0; i < 6; i++) {                                                  \
        T *e = gsl_matrix##SFX##_ptr(m##SFX, i / 3, i % 3);                           \
        printf(" " FMT " " FMT, ARG(e->dat[0]), ARG(e->dat[1]));                      \
    }                                                                                 \
    printf("\nc" #SFX ":");                                                           \
    for (size_t i = 0; i < 2; i++) {                                                  \
        T *e = gsl_vector##SFX##_ptr(&c##SFX.vector, i);                              \
        printf(" " FMT " " FMT, ARG(e->dat[0]), ARG(e->dat[1]));                      \
    }                                                                                 \
    printf("\n");

#define SIGNED(i) (((int)(i) - 2) * 37)     /* -74 .. 111: fits a char */
#define UNSIGNED(i) ((unsigned)(i) * 50 + 3) /* 3 .. 253 */
#define FRACTION(i) (((i) + 1) / 3.0L - 1)   /* not exact in any binary type */
#define AS_INT(x) ((int)(x))
#define AS_UINT(x) ((unsigned)(x))
#define AS_LONG(x) ((long)(x))
#define AS_ULONG(x) ((unsigned long)(x))
#define AS_DOUBLE(x) ((double)(x))
#define AS_LDOUBLE(x) ((long double)(x))

int main(void)
{
    REAL_TYPE(, double, FRACTION, "%.17g", AS_DOUBLE)
    REAL_TYPE(_float, float, FRACTION, "%.9g", AS_DOUBLE)
    REAL_TYPE(_long_double, long double, FRACTION, "%.21Lg", AS_LDOUBLE)
    REAL_TYPE(_int, int, SIGNED, "%d", AS_INT)
    REAL_TYPE(_uint, unsigned int, UNSIGNED, "%u", AS_UINT)
    REAL_TYPE(_long, long, SIGNED, "%ld", AS_LONG)
    REAL_TYPE(_ulong, unsigned long, UNSIGNED, "%lu", AS_ULONG)
    REAL_TYPE(_short, short, SIGNED, "%d", AS_INT)
    REAL_TYPE(_ushort, unsigned short, UNSIGNED, "%u", AS_UINT)
    REAL_TYPE(_char, char, SIGNED, "%d", AS_INT)
    REAL_TYPE(_uchar, unsigned char, UNSIGNED, "%u", AS_UINT)
    COMPLEX_TYPE(_complex, gsl_complex, FRACTION, "%.17g", AS_DOUBLE)
    COMPLEX_TYPE(_complex_float, gsl_complex_float, FRACTION, "%.9g", AS_DOUBLE)
    COMPLEX_TYPE(_complex_long_double, gsl_complex_long_double, FRACTION, "%.21Lg", AS_LDOUBLE)
    fflush(stdout);
    stop_here();
    return 0;
}
