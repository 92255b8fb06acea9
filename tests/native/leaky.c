/* leaky.c - a program for the native checker (ARR_CHECK=1): argv[1] picks
 * what it does wrong, "clean" does nothing wrong. */
#include "arr.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "clean";
    arr_t *a = arr_arange(0, 12, 1, ARR_FLOAT64);
    arr_t *m = arr_reshape(a, 2, (int64_t[]){3, 4}, ARR_COPY_NEVER);
    arr_t *t = arr_transpose(m, NULL);
    arr_t *c = arr_ascontiguous(t); /* t is not C-contiguous: a copy */
    if (a == NULL || m == NULL || t == NULL || c == NULL) {
        fprintf(stderr, "leaky: %s\n", arr_errmsg());
        return 1;
    }
    arr_set_label(c, "scratch");
    if (strcmp(mode, "copy") != 0)
        arr_free(c);
    arr_free(t);
    if (strcmp(mode, "orphan") == 0) {
        arr_free(a); /* m outlives its base */
        return 0;
    }
    arr_free(m);
    arr_free(a);
    return 0;
}
