/* arr_overlap.c - do two arrays share memory?  arr_may_share_memory (memory
 * bounds only) and arr_shares_memory (exact, with a work limit), with
 * NumPy's answers.
 *
 * The exact question is an integer problem.  A byte of array A is
 *     lo_A + sum_i |sA_i| * x_i + k,   0 <= x_i < shapeA_i,  0 <= k < itemsizeA
 * (a negative stride is made positive by counting its index from the other
 * end, which is why the sum starts at the lowest byte lo_A).  Counting B's
 * bytes down from its highest byte hi_B - 1 instead, A and B share a byte iff
 *     sum_i |sA_i| x_i + k + sum_j |sB_j| y_j + l = hi_B - 1 - lo_A
 * has a solution inside the bounds: a bounded linear Diophantine equation with
 * positive coefficients (NP-hard in general).  The mirror form with
 * hi_A - 1 - lo_B on the right is equivalent; the smaller right-hand side is
 * used.
 *
 * Before the search the problem is reduced as NumPy reduces it: axes of
 * length 1 and zero strides contribute nothing, an itemsize of 1 adds no
 * term, equal coefficients are merged (two variables with coefficient c and
 * bounds u, v act like one with bound u + v), each bound is cut to what the
 * right-hand side allows, and variables that must be 0 are dropped.  The
 * search and its work count are NumPy's (see "the solver" below).  The
 * set-up (addresses, extents) runs in checked 128-bit arithmetic; a problem
 * that does not fit in 64 bits answers TOO_HARD (NumPy: OverflowError)
 * instead of a wrong answer.
 */
#include "arr_overlap.h"
#include "arr_error.h"
#include "arr_registry.h"

#include <stdint.h>
#include <stdlib.h>

__extension__ typedef __int128 wide_t;

#define OVERLAP_MAX_TERMS (2 * ARR_MAXDIMS + 2)

/* Lowest and one-past-highest byte offsets from the data pointer of a
 * layout's elements, in 128 bits.  Returns 0 for an empty layout (any zero
 * dimension), 1 otherwise, -1 when even 128 bits overflow. */
static int layout_extent(int ndim, const int64_t *shape, const int64_t *strides,
                         int64_t itemsize, wide_t *lo, wide_t *hi)
{
    wide_t low = 0, high = itemsize;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] == 0)
            return 0;
    }
    for (int i = 0; i < ndim; i++) {
        wide_t reach;
        if (__builtin_mul_overflow((wide_t)strides[i], (wide_t)(shape[i] - 1), &reach))
            return -1;
        if (reach < 0 ? __builtin_add_overflow(low, reach, &low)
                      : __builtin_add_overflow(high, reach, &high))
            return -1;
    }
    *lo = low;
    *hi = high;
    return 1;
}

/* Adds a variable with coefficient coef (any sign, as a stride) and bound ub
 * to the raw term list, cut to what rhs allows; variables that can only be 0
 * are dropped.  Bounds are kept in 128 bits until merging is done. */
static void add_term(wide_t coef, wide_t ub, wide_t rhs, wide_t *coefs, wide_t *ubs,
                     int *n)
{
    if (coef < 0)
        coef = -coef;
    if (coef == 0 || ub <= 0)
        return;
    wide_t most = rhs / coef;
    if (ub > most)
        ub = most;
    if (ub == 0)
        return;
    coefs[*n] = coef;
    ubs[*n] = ub;
    (*n)++;
}

/* ---- the solver: NumPy's depth-first Euclid search, NumPy's work count ----
 *
 * The terms (coefficient a_i > 0, bound u_i > 0) are sorted by coefficient,
 * largest first: a_0 > a_1 > ... > a_n-1 (equal ones merged).  Let
 * g_v = gcd(a_0, ..., a_v) and R_v = a_0 u_0 + ... + a_v u_v.  The node
 * (v, b), v >= 1, asks whether a_0 x_0 + ... + a_v x_v = b has a solution in
 * the bounds.  Writing the first v terms as one variable X = (a_0 x_0 + ... +
 * a_v-1 x_v-1) / g_v-1, bounded by R_v-1 / g_v-1 (the bound NumPy's
 * precomputation gives it), the node needs g_v | b and a last variable x_v
 * with
 *     0 <= x_v <= u_v,  b - a_v x_v in [0, R_v-1],  g_v-1 | b - a_v x_v:
 * an arithmetic progression (step g_v-1 / g_v) in an interval.  Node v = 1
 * answers YES as soon as that set is not empty; a node v > 1 visits a child
 * (v - 1, b - a_v x_v) for each member, largest x_v first, and stops at the
 * first child that does not answer NO.
 *
 * Work, exactly as numpy/core/src/common/mem_overlap.c counts it (so that the
 * same max_work gives the same answer or the same TOO_HARD): a node about to
 * be entered when the count has reached max_work answers TOO_HARD; every node
 * that answers NO adds one (a YES adds nothing).  Zero or one term is
 * answered directly, with no work.  Overflow (R_v / g_v beyond int64 for a
 * combined bound NumPy computes, a merged bound beyond int64) answers
 * TOO_HARD where NumPy raises OverflowError.
 *
 * Cost: the number of nodes, at most the product of the bounds; for slices
 * of one contiguous parent the gcd chain leaves at most one member per
 * level, so O(n) nodes. */

typedef struct overlap_term {
    int64_t coef; /* > 0 */
    int64_t ub;   /* > 0: the variable ranges over 0..ub */
} overlap_term_t;

typedef struct overlap_search {
    int nterms;
    overlap_term_t term[OVERLAP_MAX_TERMS];
    int64_t gcd_to[OVERLAP_MAX_TERMS];   /* g_v = gcd(a_0..a_v) */
    wide_t reach_to[OVERLAP_MAX_TERMS];  /* R_v = sum_{i<=v} a_i u_i */
    int64_t max_work;                    /* > 0, or -1 for unlimited */
    int64_t work;
} overlap_search_t;

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b != 0) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Inverse of a modulo m, for gcd(a, m) == 1 and m >= 1 (0 when m == 1).
 * Extended Euclid; the cofactors stay below m in magnitude. */
static int64_t inverse_mod(int64_t a, int64_t m)
{
    if (m == 1)
        return 0;
    int64_t r0 = m, r1 = a % m;
    int64_t t0 = 0, t1 = 1;
    while (r1 != 0) {
        int64_t q = r0 / r1;
        int64_t r2 = r0 - q * r1;
        int64_t t2 = t0 - q * t1;
        r0 = r1;
        r1 = r2;
        t0 = t1;
        t1 = t2;
    }
    return t0 < 0 ? t0 + m : t0;
}

/* Node (v, b), v >= 1. */
static int search_node(overlap_search_t *s, int v, int64_t b)
{
    if (s->max_work >= 0 && s->work >= s->max_work)
        return ARR_SHARES_TOO_HARD;
    int64_t a2 = s->term[v].coef, u2 = s->term[v].ub;
    int64_t a1 = s->gcd_to[v - 1]; /* X's coefficient */
    wide_t r1 = s->reach_to[v - 1];
    int64_t g = s->gcd_to[v];
    if (b % g != 0) {
        s->work++;
        return ARR_SHARES_NO;
    }
    /* x_v in [lo, hi]: a2 x_v <= b and b - a2 x_v <= R_v-1 */
    int64_t hi = b / a2 < u2 ? b / a2 : u2;
    wide_t need = (wide_t)b - r1; /* a2 x_v >= need */
    int64_t lo = need <= 0 ? 0 : (int64_t)((need + a2 - 1) / a2);
    /* ... and a2 x_v == b (mod a1): x_v == (b/g) (a2/g)^-1 (mod a1/g) */
    int64_t m = a1 / g;
    int64_t want = (int64_t)((unsigned __int128)(uint64_t)((b / g) % m) *
                             (uint64_t)inverse_mod((a2 / g) % m, m) % (uint64_t)m);
    int64_t first = hi < 0 ? -1 : hi - (((hi - want) % m) + m) % m; /* largest <= hi */
    if (hi < lo || first < lo) {
        s->work++;
        return ARR_SHARES_NO;
    }
    if (v == 1)
        return ARR_SHARES_YES;
    for (int64_t x = first;; x -= m) {
        int answer = search_node(s, v - 1, b - a2 * x);
        if (answer != ARR_SHARES_NO)
            return answer;
        if (x - lo < m)
            break;
    }
    s->work++;
    return ARR_SHARES_NO;
}

/* Solves sum coef_i x_i = rhs over the raw terms (n of them, each coef > 0,
 * ub > 0, in 128 bits), as NumPy does: sort, merge equal coefficients, cut
 * each bound to rhs / coef and drop the variables that can only be 0. */
static int solve_terms(overlap_search_t *s, int64_t rhs, const wide_t *coefs, const wide_t *ubs,
                       int n)
{
    overlap_term_t raw[OVERLAP_MAX_TERMS];
    wide_t merged[OVERLAP_MAX_TERMS];
    for (int i = 0; i < n; i++) {
        raw[i].coef = (int64_t)coefs[i];
        raw[i].ub = 0;
        merged[i] = ubs[i];
    }
    /* Insertion sort, largest coefficient first (at most 66 terms). */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && raw[j - 1].coef < raw[j].coef; j--) {
            overlap_term_t t = raw[j - 1];
            raw[j - 1] = raw[j];
            raw[j] = t;
            wide_t u = merged[j - 1];
            merged[j - 1] = merged[j];
            merged[j] = u;
        }
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (m > 0 && raw[m - 1].coef == raw[i].coef) {
            merged[m - 1] += merged[i];
            continue;
        }
        raw[m] = raw[i];
        merged[m] = merged[i];
        m++;
    }
    int k = 0;
    for (int i = 0; i < m; i++) {
        if (merged[i] > INT64_MAX)
            return -2; /* NumPy's merge overflows */
        wide_t most = (wide_t)rhs / raw[i].coef;
        wide_t ub = merged[i] < most ? merged[i] : most;
        if (ub == 0)
            continue;
        s->term[k].coef = raw[i].coef;
        s->term[k].ub = (int64_t)ub;
        k++;
    }
    s->nterms = k;
    if (k == 0)
        return rhs == 0 ? ARR_SHARES_YES : ARR_SHARES_NO;
    if (k == 1)
        return rhs % s->term[0].coef == 0 && rhs / s->term[0].coef <= s->term[0].ub
                   ? ARR_SHARES_YES : ARR_SHARES_NO;
    s->gcd_to[0] = s->term[0].coef;
    s->reach_to[0] = (wide_t)s->term[0].coef * s->term[0].ub;
    for (int v = 1; v < k; v++) {
        s->gcd_to[v] = gcd64(s->gcd_to[v - 1], s->term[v].coef);
        s->reach_to[v] = s->reach_to[v - 1] + (wide_t)s->term[v].coef * s->term[v].ub;
        /* NumPy keeps the combined bound R_v / g_v in int64 for v <= k - 2 */
        if (v <= k - 2 && s->reach_to[v] / s->gcd_to[v] > INT64_MAX)
            return -2;
    }
    return search_node(s, k - 1, rhs);
}

/* ---- the exact search (max_work = ARR_MAX_WORK_EXACT) --------------------
 *
 * With no work limit the count does not matter, only the answer, so the
 * exact question gets a faster search than NumPy's: coefficients from the
 * largest, c_0 > c_1 > ...; g_k = gcd(c_k, ..., c_n-1) and R_k = sum_{i>=k}
 * c_i u_i.  A node (k, r) asks whether sum_{i>=k} c_i x_i = r is solvable; it
 * is not when r > R_k or g_k does not divide r.  Otherwise x_k must leave a
 * remainder r - c_k x_k divisible by g_k+1 and at most R_k+1: an arithmetic
 * progression in an interval, each member a child.  With two variables left
 * every member is a solution, so the last level is O(1).  (On NumPy's
 * documented hard instance this is several times faster than NumPy's order;
 * the answers are the same, both being exact.)  *work_done counts its nodes. */

typedef struct exact_term {
    int64_t coef; /* > 0 */
    int64_t ub;   /* > 0: the variable ranges over 0..ub */
} exact_term_t;

/* The reduced equation sum coef_i x_i = rhs and the search state. */
typedef struct exact_search {
    int nterms;
    int64_t rhs;
    exact_term_t term[OVERLAP_MAX_TERMS];
    int64_t gcd_from[OVERLAP_MAX_TERMS + 1];   /* g_k; g_n = 0 */
    int64_t reach_from[OVERLAP_MAX_TERMS + 1]; /* R_k, saturated at rhs + 1 */
    int64_t step[OVERLAP_MAX_TERMS];           /* g_k+1 / g_k */
    int64_t inverse[OVERLAP_MAX_TERMS];        /* (c_k / g_k)^-1 mod step_k */
    int64_t max_work;                          /* > 0, or -1 for unlimited */
    int64_t work;
} exact_search_t;

static int compare_coef_descending(const void *pa, const void *pb)
{
    const exact_term_t *a = pa, *b = pb;
    return (a->coef < b->coef) - (a->coef > b->coef);
}

/* Builds the reduced equation and its tables from the raw terms (coefs, ubs
 * of n entries, all coef <= rhs <= INT64_MAX, 0 < ub <= rhs / coef). */
static void prepare_exact(exact_search_t *s, int64_t rhs, const wide_t *coefs,
                           const wide_t *ubs, int n)
{
    exact_term_t raw[OVERLAP_MAX_TERMS];
    wide_t merged_ub[OVERLAP_MAX_TERMS];
    for (int i = 0; i < n; i++) {
        raw[i].coef = (int64_t)coefs[i];
        raw[i].ub = (int64_t)ubs[i]; /* <= rhs / coef, fits */
    }
    qsort(raw, (size_t)n, sizeof raw[0], compare_coef_descending);

    int m = 0;
    for (int i = 0; i < n; i++) {
        if (m > 0 && s->term[m - 1].coef == raw[i].coef) {
            merged_ub[m - 1] += raw[i].ub; /* <= 66 * 2^63: fits in 128 bits */
            continue;
        }
        s->term[m].coef = raw[i].coef;
        merged_ub[m] = raw[i].ub;
        m++;
    }
    for (int k = 0; k < m; k++) {
        wide_t most = (wide_t)rhs / s->term[k].coef;
        s->term[k].ub = (int64_t)(merged_ub[k] < most ? merged_ub[k] : most);
    }
    s->nterms = m;
    s->rhs = rhs;

    s->gcd_from[m] = 0;
    s->reach_from[m] = 0;
    for (int k = m - 1; k >= 0; k--) {
        s->gcd_from[k] = gcd64(s->term[k].coef, s->gcd_from[k + 1]);
        /* c_k * u_k <= rhs; saturate the running sum just above rhs, which is
         * all the search compares it with */
        int64_t sum;
        if (__builtin_add_overflow(s->reach_from[k + 1], s->term[k].coef * s->term[k].ub,
                                   &sum) ||
            sum > rhs)
            sum = rhs + 1;
        s->reach_from[k] = sum;
    }
    for (int k = 0; k + 1 < m; k++) {
        int64_t g = s->gcd_from[k];
        s->step[k] = s->gcd_from[k + 1] / g;
        s->inverse[k] = inverse_mod(s->term[k].coef / g, s->step[k]);
    }
}

/* Is sum_{i>=k} c_i x_i = rem solvable within the bounds?  rem >= 0. */
static int exact_node(exact_search_t *s, int k, int64_t rem)
{
    if (s->max_work > 0 && s->work >= s->max_work)
        return ARR_SHARES_TOO_HARD;
    s->work++;

    if (rem > s->reach_from[k])
        return ARR_SHARES_NO;
    if (k == s->nterms)
        return rem == 0 ? ARR_SHARES_YES : ARR_SHARES_NO;
    if (rem % s->gcd_from[k] != 0)
        return ARR_SHARES_NO;
    if (k == s->nterms - 1)
        return ARR_SHARES_YES; /* c_k divides rem and rem <= c_k u_k */

    int64_t coef = s->term[k].coef;
    /* x_k must leave rem - coef x_k in [0, R_k+1]: an interval [lo, hi] */
    int64_t rest = s->reach_from[k + 1];
    int64_t lo = 0;
    if (rem > rest)
        lo = (rem - rest) / coef + ((rem - rest) % coef != 0);
    int64_t hi = rem / coef;
    if (hi > s->term[k].ub)
        hi = s->term[k].ub;
    if (lo > hi)
        return ARR_SHARES_NO;

    /* ... and divisible by g_k+1: coef x_k == rem (mod g_k+1), i.e.
     * x_k == (rem / g_k) * inverse (mod step) */
    int64_t step = s->step[k];
    int64_t first = lo;
    if (step > 1) {
        int64_t g = s->gcd_from[k];
        unsigned __int128 want = (unsigned __int128)(uint64_t)((rem / g) % step) *
                                 (uint64_t)s->inverse[k] % (uint64_t)step;
        int64_t shift = ((int64_t)want - lo % step) % step;
        if (shift < 0)
            shift += step;
        if (shift > hi - lo)
            return ARR_SHARES_NO;
        first = lo + shift;
    }
    if (k == s->nterms - 2)
        return ARR_SHARES_YES; /* every such x_k gives an in-range x_k+1 */

    for (int64_t x = first;; x += step) {
        int answer = exact_node(s, k + 1, rem - coef * x);
        if (answer != ARR_SHARES_NO)
            return answer;
        if (hi - x < step)
            break;
    }
    return ARR_SHARES_NO;
}

static int check_layout(int ndim, const int64_t *shape, const int64_t *strides,
                        int64_t itemsize, const char *side, const char *fn)
{
    if (ndim < 0 || ndim > ARR_MAXDIMS)
        return arr__fail(ARR_EINVAL, "%s: array %s has ndim %d (must be 0..%d)", fn, side,
                         ndim, ARR_MAXDIMS);
    if (ndim > 0 && (shape == NULL || strides == NULL))
        return arr__fail(ARR_EINVAL, "%s: array %s has a NULL shape or strides", fn, side);
    if (itemsize < 1)
        return arr__fail(ARR_EINVAL, "%s: array %s has itemsize %lld (must be >= 1)", fn,
                         side, (long long)itemsize);
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0)
            return arr__fail(ARR_EINVAL, "%s: array %s has negative shape[%d] = %lld", fn,
                             side, i, (long long)shape[i]);
    }
    return 0;
}

static int solve_overlap(const void *data_a, int ndim_a, const int64_t *shape_a,
                         const int64_t *strides_a, int64_t itemsize_a, const void *data_b,
                         int ndim_b, const int64_t *shape_b, const int64_t *strides_b,
                         int64_t itemsize_b, int64_t max_work, int64_t *work_done,
                         const char *fn)
{
    if (work_done != NULL)
        *work_done = 0;
    if (check_layout(ndim_a, shape_a, strides_a, itemsize_a, "a", fn) < 0 ||
        check_layout(ndim_b, shape_b, strides_b, itemsize_b, "b", fn) < 0)
        return -1;
    if (max_work < ARR_MAX_WORK_EXACT)
        return arr__fail(ARR_EINVAL,
                         "%s: max_work must be ARR_MAX_WORK_EXACT (-1), "
                         "ARR_MAX_WORK_BOUNDS (0) or positive, got %lld",
                         fn, (long long)max_work);

    wide_t lo_a, hi_a, lo_b, hi_b;
    int has_a = layout_extent(ndim_a, shape_a, strides_a, itemsize_a, &lo_a, &hi_a);
    int has_b = layout_extent(ndim_b, shape_b, strides_b, itemsize_b, &lo_b, &hi_b);
    if (has_a == 0 || has_b == 0)
        return ARR_SHARES_NO; /* an empty array has no bytes to share */
    if (has_a < 0 || has_b < 0) {
        if (max_work == ARR_MAX_WORK_BOUNDS)
            return ARR_SHARES_YES; /* cannot rule it out: "may" */
        arr__fail(ARR_ETOOHARD, "%s: an array's extent overflows 128-bit arithmetic", fn);
        return ARR_SHARES_TOO_HARD;
    }
    /* An extent near the 128-bit limit plus an address could still wrap. */
    wide_t start_a, end_a, start_b, end_b;
    if (__builtin_add_overflow((wide_t)(uintptr_t)data_a, lo_a, &start_a) ||
        __builtin_add_overflow((wide_t)(uintptr_t)data_a, hi_a, &end_a) ||
        __builtin_add_overflow((wide_t)(uintptr_t)data_b, lo_b, &start_b) ||
        __builtin_add_overflow((wide_t)(uintptr_t)data_b, hi_b, &end_b)) {
        if (max_work == ARR_MAX_WORK_BOUNDS)
            return ARR_SHARES_YES;
        arr__fail(ARR_ETOOHARD, "%s: an array's address range overflows", fn);
        return ARR_SHARES_TOO_HARD;
    }
    if (!(start_a < end_b && start_b < end_a))
        return ARR_SHARES_NO;
    if (max_work == ARR_MAX_WORK_BOUNDS)
        return ARR_SHARES_YES;

    /* Both forms have the same terms (each side contributes |stride| and
     * itemsize); the smaller right-hand side prunes more. */
    wide_t rhs_ab = end_b - 1 - start_a, rhs_ba = end_a - 1 - start_b;
    wide_t rhs = rhs_ab < rhs_ba ? rhs_ab : rhs_ba;
    if (rhs > INT64_MAX) {
        arr__fail(ARR_ETOOHARD,
                  "%s: the overlap equation does not fit in 64-bit arithmetic "
                  "(byte ranges too far apart)",
                  fn);
        return ARR_SHARES_TOO_HARD;
    }

    wide_t coefs[OVERLAP_MAX_TERMS], ubs[OVERLAP_MAX_TERMS];
    int n = 0;
    for (int i = 0; i < ndim_a; i++)
        add_term(strides_a[i], (wide_t)shape_a[i] - 1, rhs, coefs, ubs, &n);
    for (int i = 0; i < ndim_b; i++)
        add_term(strides_b[i], (wide_t)shape_b[i] - 1, rhs, coefs, ubs, &n);
    add_term(1, (wide_t)itemsize_a - 1, rhs, coefs, ubs, &n);
    add_term(1, (wide_t)itemsize_b - 1, rhs, coefs, ubs, &n);

    int answer;
    if (max_work == ARR_MAX_WORK_EXACT) {
        exact_search_t exact; /* about 3 KiB: no allocation, no failure */
        prepare_exact(&exact, (int64_t)rhs, coefs, ubs, n);
        exact.max_work = -1;
        exact.work = 0;
        answer = exact_node(&exact, 0, exact.rhs);
        if (work_done != NULL)
            *work_done = exact.work;
    } else {
        overlap_search_t search;
        search.max_work = max_work;
        search.work = 0;
        answer = solve_terms(&search, (int64_t)rhs, coefs, ubs, n);
        if (work_done != NULL)
            *work_done = search.work;
    }
    if (answer == -2) {
        arr__fail(ARR_ETOOHARD, "%s: the overlap equation overflows 64-bit arithmetic", fn);
        return ARR_SHARES_TOO_HARD;
    }
    if (answer == ARR_SHARES_TOO_HARD)
        arr__fail(ARR_ETOOHARD,
                  "%s: gave up after max_work=%lld units of work without an answer "
                  "(use ARR_MAX_WORK_EXACT for an exact answer)",
                  fn, (long long)max_work);
    return answer;
}

int arr__solve_overlap(const void *data_a, int ndim_a, const int64_t *shape_a,
                       const int64_t *strides_a, int64_t itemsize_a, const void *data_b,
                       int ndim_b, const int64_t *shape_b, const int64_t *strides_b,
                       int64_t itemsize_b, int64_t max_work, int64_t *work_done)
{
    return solve_overlap(data_a, ndim_a, shape_a, strides_a, itemsize_a, data_b, ndim_b,
                         shape_b, strides_b, itemsize_b, max_work, work_done,
                         "arr__solve_overlap");
}

static int compare_arrays(const arr_t *a, const arr_t *b, int64_t max_work, const char *fn)
{
    if (arr__check_live(a, fn) < 0 || arr__check_live(b, fn) < 0)
        return -1;
    /* Orphaned views keep their data pointer: pure arithmetic, no read. */
    return solve_overlap(a->data, a->ndim, a->shape, a->strides, a->itemsize, b->data,
                         b->ndim, b->shape, b->strides, b->itemsize, max_work, NULL, fn);
}

int arr_may_share_memory(const arr_t *a, const arr_t *b)
{
    return compare_arrays(a, b, ARR_MAX_WORK_BOUNDS, "arr_may_share_memory");
}

int arr_shares_memory(const arr_t *a, const arr_t *b, int64_t max_work)
{
    int answer = compare_arrays(a, b, max_work, "arr_shares_memory");
    /* As np.shares_memory(a, b, max_work=0): overlapping bounds alone do not
     * answer the exact question, so that is "too hard", not "yes". */
    if (max_work == ARR_MAX_WORK_BOUNDS && answer == ARR_SHARES_YES) {
        arr__fail(ARR_ETOOHARD, "arr_shares_memory: max_work=0 compares bounds only, and they overlap");
        return ARR_SHARES_TOO_HARD;
    }
    return answer;
}
