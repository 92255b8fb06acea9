/* leaky.c - a program for the native checker (ARR_CHECK=1): argv[1] picks
 * what it does wrong, "clean" does nothing wrong.  tests/native/run.sh finds
 * the lines it expects in reports by the SITE: markers below, so editing
 * this file does not break the test. */
#include "arr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A static function (not in any dynamic symbol table) that leaks. */
__attribute__((noinline)) static arr_t *normalised(arr_t *t)
{
    return arr_ascontiguous(t); /* SITE:normalised */
}

/* Inlined into its caller: the report still names it and its line. */
__attribute__((always_inline)) static inline arr_t *scratch_row(arr_t *m)
{
    return arr_slice(m, "0"); /* SITE:scratch_row */
}

static int grouped(void)
{
    /* 3 copies of 800 bytes from one site (2,400 bytes), a 2,000-byte
     * array, an 800-byte one, 2 views of one site: listed in that order. */
    arr_t *big = arr_zeros(1, (int64_t[]){250}, ARR_FLOAT64); /* SITE:big */
    arr_t *m = arr_zeros(2, (int64_t[]){10, 10}, ARR_FLOAT64); /* SITE:m */
    arr_t *t = arr_transpose(m, NULL);
    for (int i = 0; i < 3; i++)
        if (normalised(t) == NULL)
            return 1;
    for (int i = 0; i < 2; i++)
        if (scratch_row(m) == NULL)
            return 1;
    arr_free(t);
    return big == NULL;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "clean";
    if (strcmp(mode, "grouped") == 0)
        return grouped();
    arr_t *a = arr_arange(0, 12, 1, ARR_FLOAT64);
    arr_t *m = arr_reshape(a, 2, (int64_t[]){3, 4}, ARR_COPY_NEVER); /* SITE:reshape */
    arr_t *t = arr_transpose(m, NULL);
    arr_t *c = normalised(t); /* t is not C-contiguous: a copy */
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
    return strcmp(mode, "fail") == 0 ? 7 : 0;
}
