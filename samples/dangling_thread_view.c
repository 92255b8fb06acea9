/* dangling_thread_view.c - a worker thread keeps a view, the owner goes.
 *
 * The main thread hands a worker a view of the current batch, then
 * "reloads" by freeing the batch before the worker is done.  The worker's
 * view is orphaned and its reads go to freed memory.  Semaphores fix the
 * order of events, so the run is the same every time.
 *
 * expect native:
 * expect memcheck: InvalidRead=1
 * expect arrcheck: OrphanedView=1 DanglingAccess=1
 */
#include "sample.h"

#include <pthread.h>
#include <semaphore.h>

static sem_t batch_replaced;

static void *worker(void *arg)
{
    arr_t *window = arg;
    sem_wait(&batch_replaced); /* the race, made deterministic */
    const float *p = arr_data(window);
    float s = 0;
    for (int64_t i = 0; i < arr_size(window); i++)
        s += p[i]; /* dangling reads */
    (void)s; /* freed memory: the value means nothing */
    arr_free(window);
    return NULL;
}

int main(void)
{
    sem_init(&batch_replaced, 0, 0);
    arr_t *batch = must(arr_full(1, (int64_t[]){32}, ARR_FLOAT32, 2.0), "full");
    arr_t *window = must(arr_slice(batch, "8:16"), "slice");
    pthread_t t;
    if (pthread_create(&t, NULL, worker, window) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    arr_free(batch); /* BUG: the worker still reads through window */
    batch = must(arr_full(1, (int64_t[]){32}, ARR_FLOAT32, 3.0), "full");
    sem_post(&batch_replaced);
    pthread_join(t, NULL);
    printf("worker done\n");
    arr_free(batch);
    sem_destroy(&batch_replaced);
    return 0;
}
