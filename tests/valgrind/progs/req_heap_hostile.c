/* arrcheck replaces malloc: hostile sizes and alignments fail (NULL,
 * ENOMEM) instead of stopping the tool (the core's allocator panics on an
 * alignment above 16 MiB). */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    volatile size_t huge = SIZE_MAX - 100, big_align = (size_t)1 << 30;
    void *p = memalign(big_align, 8);
    void *q = NULL;
    int rc = posix_memalign(&q, (size_t)1 << 26, 64);
    void *r = aligned_alloc(64, 128);
    void *s = malloc(huge);
    void *t = calloc(huge / 2, 4);
    void *u = realloc(r, huge);
    printf("memalign %s, posix_memalign %s, aligned_alloc %s, malloc %s, calloc %s, realloc %s\n",
           p ? "ok" : "NULL", rc == ENOMEM ? "ENOMEM" : "?", r ? "ok" : "NULL",
           s ? "ok" : "NULL", t ? "ok" : "NULL", u ? "ok" : "NULL");
    free(p);
    free(q);
    free(u ? u : r); /* a failed realloc leaves the block as it was */
    return 0;
}
