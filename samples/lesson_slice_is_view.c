/* lesson_slice_is_view.c - a slice is a view, a copy is not.
 *
 * NumPy: s = a[2:7] shares a's memory; c = a[2:7].copy() does not.
 * may_share_memory only compares memory bounds, so it says "maybe" for the
 * even and odd elements, which interleave; shares_memory solves exactly and
 * says no.  samples/lessons_numpy.py prints the same lines from NumPy and
 * samples/run compares the two.
 *
 * expect native:
 * expect memcheck:
 * expect arrcheck:
 */
#include "sample.h"

static const char *yes_no(int answer)
{
    return answer == ARR_SHARES_YES ? "True" : answer == ARR_SHARES_NO ? "False" : "error";
}

int main(void)
{
    arr_t *a = must(arr_arange(0, 10, 1, ARR_FLOAT64), "arange");
    arr_t *s = must(arr_slice(a, "2:7"), "slice");
    arr_t *c = must(arr_copy(s, ARR_ORDER_K), "copy");
    printf("s = a[2:7]: owndata %s, base is a %s\n",
           (arr_flags(s) & ARR_OWNDATA) ? "True" : "False", arr_base(s) == a ? "True" : "False");
    printf("c = a[2:7].copy(): owndata %s, base is None %s\n",
           (arr_flags(c) & ARR_OWNDATA) ? "True" : "False", arr_base(c) == NULL ? "True" : "False");
    printf("may_share_memory(a, s) = %s\n", yes_no(arr_may_share_memory(a, s)));
    printf("may_share_memory(a, c) = %s\n", yes_no(arr_may_share_memory(a, c)));

    arr_t *evens = must(arr_slice(a, "::2"), "slice");
    arr_t *odds = must(arr_slice(a, "1::2"), "slice");
    printf("may_share_memory(a[::2], a[1::2]) = %s\n", yes_no(arr_may_share_memory(evens, odds)));
    printf("shares_memory(a[::2], a[1::2]) = %s\n",
           yes_no(arr_shares_memory(evens, odds, ARR_MAX_WORK_EXACT)));
    arr_t *ev_of_s = must(arr_slice(s, "::2"), "slice"); /* a[2:7:2] */
    printf("shares_memory(a[::2], a[2:7][::2]) = %s\n",
           yes_no(arr_shares_memory(evens, ev_of_s, ARR_MAX_WORK_EXACT)));
    arr_free(ev_of_s);
    arr_free(odds);
    arr_free(evens);
    arr_free(c);
    arr_free(s);
    arr_free(a);
    return 0;
}
