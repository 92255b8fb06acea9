/* lesson_chunked.c - chunk by chunk through views: bounded peak memory.
 *
 * Sum of squares of a large int32 array, computed in float64.  The
 * whole-array way converts everything at once (a float64 copy twice the
 * size of the input); the chunked way walks the array through views (no
 * copy) and converts one chunk at a time, so its extra memory is one chunk
 * whatever the input size.  Both give the same answer; arr_stats() shows
 * the peaks.  Output compared with samples/lesson_chunked.out.
 *
 * expect native:
 * expect memcheck:
 * expect arrcheck:
 */
#include "sample.h"

enum { N = 1 << 18, CHUNK = 4096 };

static double sum_squares(const arr_t *f64)
{
    const double *p = arr_data(f64);
    double s = 0;
    for (int64_t i = 0; i < arr_size(f64); i++)
        s += p[i] * p[i];
    return s;
}

static double whole_array(arr_t *a)
{
    arr_t *f = must(arr_astype(a, ARR_FLOAT64), "astype");
    double s = sum_squares(f);
    arr_free(f);
    return s;
}

static double chunked(arr_t *a)
{
    double s = 0;
    for (int64_t start = 0; start < arr_size(a); start += CHUNK) {
        char spec[64];
        snprintf(spec, sizeof spec, "%lld:%lld", (long long)start, (long long)(start + CHUNK));
        arr_t *view = must(arr_slice(a, spec), "slice");
        arr_t *f = must(arr_astype(view, ARR_FLOAT64), "astype");
        s += sum_squares(f);
        arr_free(f);
        arr_free(view);
    }
    return s;
}

int main(void)
{
    arr_t *a = must(arr_arange(0, N, 1, ARR_INT32), "arange");
    int64_t input = arr_stats().live_bytes;
    printf("input: %d int32 = %lld bytes\n", N, (long long)input);

    /* The peak only grows, so the smaller run goes first. */
    double s_chunk = chunked(a);
    arr_stats_t st = arr_stats();
    printf("chunked (%d elements per view): peak above input %lld bytes, %lld copies made\n",
           CHUNK, (long long)(st.peak_bytes - input), (long long)st.created_copies);
    int64_t copies_before = st.created_copies;
    double s_whole = whole_array(a);
    st = arr_stats();
    printf("whole array at once:            peak above input %lld bytes, %lld copies made\n",
           (long long)(st.peak_bytes - input), (long long)(st.created_copies - copies_before));
    printf("same answer: %s (%.0f)\n", s_chunk == s_whole ? "yes" : "NO", s_whole);
    arr_free(a);
    return 0;
}
