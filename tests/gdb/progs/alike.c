/* alike.c - arrays made alike, one after the other, for the registry walk
 * (tests/gdb/cases/walk_alike): 3,000 owners of one kind, 1,000 labelled
 * alike, 1,000 views of one owner, all with handles at a constant step
 * (malloc'd in turn), which the walk reads a column at a time and takes
 * as one kind per run when every row of the run agrees. */
#include <stdio.h>

#include "arr.h"
#include "spot.h"

#define NPLAIN 3000
#define NLABELLED 1000
#define NVIEWS 1000

static arr_t *plain[NPLAIN];
static arr_t *labelled[NLABELLED];
static arr_t *views[NVIEWS];

int main(void)
{
    int64_t four = 4;
    for (int i = 0; i < NPLAIN; i++)
        if ((plain[i] = arr_zeros(1, &four, ARR_INT32)) == NULL)
            return 1;
    for (int i = 0; i < NLABELLED; i++) {
        if ((labelled[i] = arr_zeros(1, &four, ARR_FLOAT32)) == NULL)
            return 1;
        arr_set_label(labelled[i], "weights");
    }
    arr_t *base = arr_arange(0, 100, 1, ARR_FLOAT64);
    for (int i = 0; i < NVIEWS && base; i++)
        if ((views[i] = arr_slice(base, "0:50")) == NULL)
            return 1;
    if (base == NULL) {
        fprintf(stderr, "alike: %s\n", arr_errmsg());
        return 1;
    }
    arrdbg_spot(1);
    for (int i = 0; i < NVIEWS; i++)
        arr_free(views[i]);
    arr_free(base);
    for (int i = 0; i < NLABELLED; i++)
        arr_free(labelled[i]);
    for (int i = 0; i < NPLAIN; i++)
        arr_free(plain[i]);
    return 0;
}
