/* sample.h - the one helper every sample shares: stop with libarr's own
 * message when a call that cannot fail in a correct program fails, so a
 * libarr error is never mistaken for the bug a sample demonstrates. */
#ifndef SAMPLE_H
#define SAMPLE_H

#include "arr.h"

#include <stdio.h>
#include <stdlib.h>

static inline arr_t *must(arr_t *a, const char *what)
{
    if (a == NULL) {
        fprintf(stderr, "sample: %s failed: %s\n", what, arr_errmsg());
        exit(1);
    }
    return a;
}

static inline void must_ok(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "sample: %s failed: %s\n", what, arr_errmsg());
        exit(1);
    }
}

#endif /* SAMPLE_H */
