/* req_fuzz SEED STEPS THREADS - random, hostile arrcheck client requests.
 *
 * Each thread runs STEPS random requests (seeded from SEED and its number)
 * with hostile ids (0, reused, huge, another thread's), sizes (ndim out of
 * range, huge handle and buffer sizes, negative extents), pointers (NULL,
 * small numbers, unmapped memory, a PROT_NONE page, pages past the end of
 * a MAP_SHARED file, pointers into live handles) and orders (frees before
 * creation, double frees, views of freed owners, releases of unknown
 * buffers, labels and ignore ranges anywhere, leak checks mid-run), plus
 * loads and stores into the buffers of owners it freed.  The program
 * itself never dereferences a hostile pointer; the tool must answer every
 * request with a warning or a finding and never crash or lose its report.
 * Exits 0.
 */
#include "req_common.h"

#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#define SLOTS 64

static char *noaccess;   /* a PROT_NONE page */
static char *past_end;   /* a page past the end of a shared file mapping */
static long steps;
static unsigned long seed0;

typedef struct {
    uint64_t id;
    void *handle;
    double *buffer;
    int live;
} Slot;

static uint64_t next(uint64_t *s)
{
    /* xorshift64* */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

static const void *hostile_ptr(uint64_t *s, Slot *slots)
{
    switch (next(s) % 9) {
    case 0: return NULL;
    case 1: return (const void *)(uintptr_t)(next(s) % 4096);
    case 2: return (const void *)(uintptr_t)0x7ff0deadbeefULL;
    case 3: return noaccess + next(s) % 4096;
    case 4: return past_end + next(s) % 4096;
    case 5: return (const void *)(uintptr_t)-8;
    case 6: return slots[next(s) % SLOTS].handle;
    case 7: return "float64";
    default: return past_end + 4096 - 3; /* a string that runs off the page */
    }
}

static void *run(void *arg)
{
    uint64_t s = seed0 * 0x9E3779B97F4A7C15ULL + (uintptr_t)arg + 1;
    Slot slots[SLOTS];
    memset(slots, 0, sizeof slots);
    int64_t shape[40];
    for (int i = 0; i < 40; i++)
        shape[i] = (int64_t)(i + 1);
    uint64_t base = ((uintptr_t)arg + 1) << 40;
    for (long step = 0; step < steps; step++) {
        Slot *sl = &slots[next(&s) % SLOTS];
        Slot *other = &slots[next(&s) % SLOTS];
        uint64_t pick = next(&s) % 100;
        uint64_t id = next(&s) % 8 == 0 ? next(&s) % 64 /* shared among threads */
                                         : base + (uint64_t)step + 1;
        if (pick < 30) { /* an owner, maybe with hostile fields */
            struct arrcheck_array_info info;
            double *buffer = malloc(64);
            void *handle = malloc(64);
            info = req_info(id, id, handle, buffer, 64, (int)(next(&s) % 4), shape);
            switch (next(&s) % 12) {
            case 0: info.ndim = (int32_t)(next(&s) % 80) - 20; break;
            case 1: info.shape = hostile_ptr(&s, slots); break;
            case 2: info.dtype_name = hostile_ptr(&s, slots); break;
            case 3: info.op_name = hostile_ptr(&s, slots); break;
            case 4: info.label = hostile_ptr(&s, slots); break;
            case 5: info.handle_bytes = next(&s); break;
            case 6: info.buffer_bytes = next(&s) >> (next(&s) % 64); break;
            case 7: info.version = (uint32_t)next(&s); break;
            case 8: info.size = (uint32_t)(next(&s) % 400); break;
            case 9: info.handle = hostile_ptr(&s, slots); break;
            default: break;
            }
            if (next(&s) % 20 == 0)
                (void)ARRCHECK_OWNER_CREATED(hostile_ptr(&s, slots));
            else
                (void)ARRCHECK_OWNER_CREATED(&info);
            if (sl->live) { /* forget the old one: a leak */
                sl->live = 0;
            }
            sl->id = id;
            sl->handle = handle;
            sl->buffer = buffer;
            sl->live = 1;
        } else if (pick < 45) { /* a view of some slot (maybe freed, maybe bogus) */
            void *handle = malloc(64);
            struct arrcheck_array_info info =
                req_info(id, other->id ? other->id : next(&s), handle,
                         other->buffer ? (void *)other->buffer : (void *)hostile_ptr(&s, slots),
                         0, 1, shape);
            info.extent_lo = (int64_t)(next(&s) % 128) - 64;
            (void)ARRCHECK_VIEW_CREATED(&info);
            sl->id = id;
            sl->handle = handle;
            sl->buffer = NULL;
            sl->live = 1;
        } else if (pick < 60) { /* free: right, wrong id, wrong handle, twice */
            uint64_t fid = next(&s) % 4 == 0 ? next(&s) : sl->id;
            const void *fh = next(&s) % 4 == 0 ? hostile_ptr(&s, slots) : sl->handle;
            (void)ARRCHECK_OWNER_FREED_WITH_VIEWS(fid, next(&s) % 3);
            (void)ARRCHECK_FREED(fid, fh);
            sl->live = 0;
        } else if (pick < 68) { /* the buffer is released (or something else is) */
            (void)ARRCHECK_QUARANTINE_RELEASED(next(&s) % 2 ? (const void *)sl->buffer
                                                            : hostile_ptr(&s, slots));
        } else if (pick < 76) {
            (void)ARRCHECK_LABEL(next(&s) % 2 ? sl->id : next(&s), hostile_ptr(&s, slots));
        } else if (pick < 84) {
            const void *a = next(&s) % 2 ? (const void *)slots : hostile_ptr(&s, slots);
            (void)ARRCHECK_IGNORE_RANGE(a, next(&s) % 3 == 0 ? 0 : next(&s) >> (next(&s) % 64));
        } else if (pick < 86) {
            (void)ARRCHECK_LEAK_CHECK();
        } else if (pick < 88) { /* an unknown request number of the tool */
            (void)VALGRIND_DO_CLIENT_REQUEST_EXPR(0, VG_USERREQ__ARR_IGNORE_RANGE + 1 +
                                                         (unsigned)(next(&s) % 50),
                                                  hostile_ptr(&s, slots), next(&s), 0, 0, 0);
        } else if (sl->buffer) { /* touch a buffer that may be quarantined */
            volatile double *b = sl->buffer;
            b[next(&s) % 8] += 1.0;
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    seed0 = argc > 1 ? strtoul(argv[1], NULL, 10) : 1;
    steps = argc > 2 ? atol(argv[2]) : 1000;
    int threads = argc > 3 ? atoi(argv[3]) : 1;
    long page = sysconf(_SC_PAGESIZE);
    noaccess = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int fd = memfd_create("req-fuzz", 0);
    if (noaccess == MAP_FAILED || fd < 0 || ftruncate(fd, page) != 0)
        return 1;
    char *map = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED)
        return 1;
    past_end = map + 2 * page;
    pthread_t t[16];
    if (threads < 1 || threads > 16)
        threads = 1;
    for (int i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, run, (void *)(uintptr_t)i);
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    printf("req_fuzz: seed %lu, %ld steps x %d threads done\n", seed0, steps, threads);
    return 0;
}
