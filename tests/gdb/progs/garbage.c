/* garbage.c - garbage for the gdb plugin to survive: many fake arr_t filled
 * with random bytes (some with a valid magic and one bad field each), a few
 * descriptors that are valid but dangerous (huge shape, unmapped data, a
 * cyclic views list), then libarr's registry corrupted step by step.
 * Every print or arr command on them must give a short <arr: ...> answer:
 * no traceback, no hang, no huge read.  Never calls libarr after corrupting
 * the registry (exits with _exit). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arr.h"
#include "spot.h"

#define NFAKES 2000

arr_t *fakes;
int nfakes = NFAKES;
arr_t fake_huge, fake_unmapped, fake_cycle_owner, fake_cycle_a, fake_cycle_b;

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13; /* xorshift64 */
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void fill_random(void *p, size_t n)
{
    unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        b[i] = (unsigned char)next_random();
}

/* A descriptor that passes every check: float64, C order. */
static void make_valid(arr_t *a, uint64_t id, int ndim, const int64_t *shape, char *data)
{
    memset(a, 0, sizeof *a);
    a->magic = ARR_MAGIC_LIVE;
    a->id = id;
    a->base_id = id;
    a->ndim = ndim;
    a->dtype = ARR_FLOAT64;
    a->itemsize = 8;
    a->op = 1;
    a->data = data;
    a->flags = ARR_C_CONTIGUOUS | ARR_WRITEABLE;
    int64_t stride = 8;
    for (int d = ndim - 1; d >= 0; d--) {
        a->shape[d] = shape[d];
        a->strides[d] = stride;
        stride *= shape[d] ? shape[d] : 1;
    }
}

int main(void)
{
    int64_t shape[2] = {4, 5};
    arr_t *real = arr_zeros(2, shape, ARR_FLOAT64);
    arr_t *view = arr_slice(real, "::-1, 2");
    arr_t *copy = arr_copy(view, ARR_ORDER_C);
    if (!real || !view || !copy)
        return 1;

    fakes = malloc(sizeof(arr_t) * NFAKES);
    if (!fakes)
        return 1;
    char *small = arr_data(real);
    for (int i = 0; i < NFAKES; i++) {
        arr_t *f = &fakes[i];
        fill_random(f, sizeof *f);
        switch (i % 10) {
        case 0: /* random bytes only */
            break;
        case 1: /* a live magic, everything else random */
            f->magic = ARR_MAGIC_LIVE;
            break;
        case 2: /* ndim 4 billion (-1 as int32) or just past the maximum */
            make_valid(f, (uint64_t)i, 2, shape, small);
            f->ndim = (i / 10) % 2 ? -1 : ARR_MAXDIMS + 1 + (int32_t)(next_random() % 1000);
            break;
        case 3: /* a negative dimension */
            make_valid(f, (uint64_t)i, 2, shape, small);
            f->shape[next_random() % 2] = -(int64_t)(next_random() % 1000) - 1;
            break;
        case 4: /* data NULL with elements */
            make_valid(f, (uint64_t)i, 2, shape, NULL);
            break;
        case 5: /* a bad dtype or an itemsize that does not match it */
            make_valid(f, (uint64_t)i, 2, shape, small);
            if ((i / 10) % 2)
                f->dtype = (int32_t)next_random();
            else
                f->itemsize = 3;
            break;
        case 6: /* freed handle */
            make_valid(f, (uint64_t)i, 2, shape, small);
            f->magic = ARR_MAGIC_FREED;
            break;
        case 7: /* the printers' own synthetic-row magic, in memory */
            make_valid(f, (uint64_t)i, 2, shape, small);
            f->magic = 0x524f5731u;
            break;
        case 8: /* is_view / orphaned not booleans */
            make_valid(f, (uint64_t)i, 2, shape, small);
            f->is_view = (int32_t)next_random() | 2;
            break;
        case 9: /* element count overflows */
            make_valid(f, (uint64_t)i, 2, shape, small);
            f->ndim = 8;
            for (int d = 0; d < 8; d++)
                f->shape[d] = INT64_MAX / 2;
            break;
        }
    }

    /* Valid but dangerous descriptors. */
    int64_t huge[1] = {(int64_t)1 << 40};
    make_valid(&fake_huge, 900001, 1, huge, small);
    int64_t big2[2] = {1000000, 1000000};
    make_valid(&fake_unmapped, 900002, 2, big2, (char *)16);
    make_valid(&fake_cycle_owner, 900003, 2, shape, small);
    fake_cycle_owner.flags |= ARR_OWNDATA;
    fake_cycle_owner.nviews = (int64_t)1 << 60;
    fake_cycle_owner.views_head = &fake_cycle_a;
    make_valid(&fake_cycle_a, 900004, 2, shape, small);
    make_valid(&fake_cycle_b, 900005, 2, shape, small);
    fake_cycle_a.is_view = fake_cycle_b.is_view = 1;
    fake_cycle_a.base_id = fake_cycle_b.base_id = 900003;
    fake_cycle_a.base = fake_cycle_b.base = &fake_cycle_owner;
    fake_cycle_a.view_next = &fake_cycle_b;
    fake_cycle_b.view_next = &fake_cycle_a; /* a loop */
    arrdbg_spot(1);

    struct arr_registry *r = &arr_registry;

    /* Two handles close together, the second running into an unmapped
     * page: the plugin reads nearby handles in one span, that read fails,
     * and it must fall back to one read per handle (the first is fine). */
    long page = sysconf(_SC_PAGESIZE);
    char *pages = mmap(NULL, 3 * (size_t)page, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pages == MAP_FAILED || munmap(pages + page, (size_t)page) != 0)
        return 1;
    arr_t *near_ok = (arr_t *)(pages + page - sizeof(arr_t) - 400);
    arr_t *near_cut = (arr_t *)(pages + page - 304); /* not written: it is cut */
    make_valid(near_ok, 900010, 2, shape, small);
    arr_t *span_items[3] = {real, near_ok, near_cut};
    arr_t **saved_items = r->items;
    int64_t saved_count = r->count;
    r->items = span_items;
    r->count = 3;
    arrdbg_spot(2);
    r->items = saved_items;
    r->count = saved_count;

    /* The registry, corrupted a little more at each spot. */
    r->items[1] = &fakes[1];
    r->items[2] = r->items[0]; /* the same handle twice: a loop */
    arrdbg_spot(3);
    r->items[0] = (arr_t *)16; /* unmapped */
    r->count = (int64_t)1 << 40;
    arrdbg_spot(4);
    r->count = -5;
    arrdbg_spot(5);
    r->count = 3;
    r->items = (arr_t **)8;
    arrdbg_spot(6);
    r->magic = 0xdeadbeefu;
    arrdbg_spot(7);
    fill_random(r, sizeof *r);
    arrdbg_spot(8);
    _exit(0);
}
