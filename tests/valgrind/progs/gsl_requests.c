/* gsl_requests.c - arrcheck's level-2 requests (arrcheck.h), spoken
 * directly, as the GSL adapter speaks them; each step prints what the tool
 * answered, so a tool without the request fails the test:
 *   RUNNING             the level (0 without arrcheck)
 *   VALUE_VIEW_CREATED  a view held by value: no OrphanedView when its
 *                       owner is freed with it in scope; retired when its
 *                       frame returns, when assigned again, or by
 *                       STORAGE_FREED (heap storage: the request says so)
 *   ID_OF / BASE_ID_OF  the library needs no table of its own
 *   FREED               of a value view: retires it; so does its thread's
 *                       exit
 *   COPIED              an owner filled by a copy is a LeakedCopy "copy of"
 *   NEW_ID (level 3)    above every id sent or handed out, never twice
 * and a read through a value view after its owner went to quarantine is
 * a DanglingAccess naming the view. */
#include "req_common.h"

#include <pthread.h>
#include <stdio.h>

typedef struct { double *data; long n; } vec_t; /* a view value */

static const int64_t four[1] = {4}, two[1] = {2};

static uint64_t value_view(vec_t *v, uint64_t id, uint64_t base, double *buf, long off)
{
    v->data = buf + off;
    v->n = 2;
    struct arrcheck_array_info info = req_info(id, base, v, buf, 32, 1, two);
    info.handle_bytes = sizeof *v;
    info.extent_lo = off * 8;
    info.extent_hi = off * 8 + 16;
    info.op_name = "row";
    return ARRCHECK_VALUE_VIEW_CREATED(&info);
}

/* A view in this frame, gone when it returns. */
static void short_lived(double *buf, uintptr_t *where)
{
    vec_t v;
    *where = (uintptr_t)&v;
    value_view(&v, 3, 1, buf, 0);
    printf("in frame: ID_OF(view) = %lu\n", (unsigned long)ARRCHECK_ID_OF(&v));
}

/* A thread that makes a view in its frame and exits. */
static double *thread_buf;
static uintptr_t thread_view;

static void *thread_main(void *arg)
{
    vec_t v;
    thread_view = (uintptr_t)&v;
    value_view(&v, 7, 1, thread_buf, 2);
    return arg;
}

int main(void)
{
    printf("RUNNING = %lu\n", (unsigned long)ARRCHECK_RUNNING());

    double *buf = malloc(32);
    char *owner = malloc(64);
    struct arrcheck_array_info info = req_info(1, 1, owner, buf, 32, 1, four);
    ARRCHECK_OWNER_CREATED(&info);

    vec_t v;
    printf("on stack: VALUE_VIEW_CREATED = %lu\n", (unsigned long)value_view(&v, 2, 1, buf, 2));
    printf("ID_OF(view) = %lu, BASE_ID_OF(view) = %lu, ID_OF(owner) = %lu\n",
           (unsigned long)ARRCHECK_ID_OF(&v), (unsigned long)ARRCHECK_BASE_ID_OF(&v),
           (unsigned long)ARRCHECK_ID_OF(owner));
    value_view(&v, 4, 1, buf, 0); /* assigned again: #2 is gone */
    printf("assigned again: ID_OF(view) = %lu\n", (unsigned long)ARRCHECK_ID_OF(&v));
    uintptr_t where;
    short_lived(buf, &where);
    /* Any request from main retires the view of the frame that returned. */
    printf("frame returned: ID_OF(its view) = %lu\n", (unsigned long)ARRCHECK_ID_OF(where));
    pthread_t t;
    thread_buf = buf;
    pthread_create(&t, NULL, thread_main, NULL);
    pthread_join(t, NULL);
    printf("thread exited: ID_OF(its view) = %lu\n", (unsigned long)ARRCHECK_ID_OF(thread_view));
    vec_t *held = malloc(sizeof *held);
    printf("on heap: VALUE_VIEW_CREATED = %lu\n", (unsigned long)value_view(held, 5, 1, buf, 2));
    ARRCHECK_STORAGE_FREED(held, sizeof *held);
    printf("storage freed: ID_OF(held) = %lu\n", (unsigned long)ARRCHECK_ID_OF(held));
    free(held);

    /* FREED of a value view retires it too; bad requests get a warning. */
    vec_t w;
    value_view(&w, 6, 1, buf, 0);
    ARRCHECK_FREED(6, &w);
    printf("freed: ID_OF(view) = %lu\n", (unsigned long)ARRCHECK_ID_OF(&w));
    ARRCHECK_VALUE_VIEW_CREATED(NULL);
    ARRCHECK_STORAGE_FREED(~(uintptr_t)0 - 7, 16);
    printf("ID_OF(NULL) = %lu\n", (unsigned long)ARRCHECK_ID_OF(NULL));

    /* The owner goes to quarantine with view #4 in scope: no OrphanedView. */
    ARRCHECK_FREED_TO_QUARANTINE(1, owner);
    volatile double x = v.data[1]; /* DanglingAccess through view #4 */
    (void)x;
    ARRCHECK_QUARANTINE_RELEASED(buf);
    free(buf);
    free(owner);

    /* A copy told after the fact. */
    double *src_buf = malloc(32), *dst_buf = malloc(32);
    char *src = malloc(64), *dst = malloc(64);
    info = req_info(10, 10, src, src_buf, 32, 1, four);
    ARRCHECK_OWNER_CREATED(&info);
    info = req_info(11, 11, dst, dst_buf, 32, 1, four);
    ARRCHECK_OWNER_CREATED(&info);
    memset(dst_buf, 0, 32);
    ARRCHECK_COPIED(11, 10);
    ARRCHECK_COPIED(99, 10); /* no such owner: a warning */
    ARRCHECK_FREED(10, src);
    dst = NULL; /* #11 leaks: a LeakedCopy, copy of #10 */

    /* Ids from the tool: above #11 (the highest sent), then one more each;
     * a library that numbers itself sends #40: the next is above it. */
    uint64_t a = ARRCHECK_NEW_ID(), b = ARRCHECK_NEW_ID();
    char *self = malloc(64);
    double *self_buf = malloc(32);
    info = req_info(40, 40, self, self_buf, 32, 1, four);
    ARRCHECK_OWNER_CREATED(&info);
    printf("NEW_ID = %lu, %lu; after #40: %lu\n", (unsigned long)a, (unsigned long)b,
           (unsigned long)ARRCHECK_NEW_ID());
    ARRCHECK_FREED(40, self);
    free(self_buf);
    free(self);
    return 0;
}
