/* abuse_crash.c - the program dies of SIGSEGV with arrays live (one copy
 * leaked, one view orphaned): arrcheck must still write its summary and
 * must not crash itself. */
#include "arr.h"

#include <stdio.h>

int main(void)
{
    arr_t *a = arr_arange(0, 8, 1, ARR_INT32);
    arr_t *v = arr_slice(a, "1:");
    arr_t *c = arr_copy(v, ARR_ORDER_C);
    (void)c;
    arr_free(a); /* v is orphaned */
    fflush(stdout);
    volatile int *nowhere = NULL;
    return *nowhere; /* SIGSEGV */
}
