/* Program shapes in which a leak verdict must not change (issue 13):
 *
 *   shapes thread      a worker leaks a copy and returns; main joins it
 *   shapes return|exit|abort|sigterm|segv
 *                      a helper leaks a copy, then the program ends so
 *   shapes altstack    a handler on a malloc'd sigaltstack makes both, checks, exits
 *   shapes setstack    a thread on a malloc'd stack (pthread_attr_setstack) checks
 *   shapes coroutine   a makecontext coroutine on a malloc'd stack makes both, exits
 *
 * In every shape one array is held only by a heap object that a global
 * points to (still reachable) and one copy made by a function that has
 * returned is held by nobody (lost), exactly as memcheck calls the blocks.
 * The malloc'd stacks are small (64 KiB, so they come from the brk heap)
 * and are allocated after the heap object, so the object lies below them.
 */
#include "arr.h"
#include "arrcheck.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#define STACK_BYTES (64 * 1024)

struct holder {
    long tag;
    arr_t *array;
};
static struct holder *held; /* the heap object is reachable; it holds #1 */

/* #1, made on whatever stack runs this: on the alternate stack and in the
 * coroutine, so no stale copy of its pointer lies on the main stack. */
static void hold_one(void)
{
    int64_t n = 8;
    held->array = arr_zeros(1, &n, ARR_FLOAT64);
}

/* Makes a copy and forgets it: its pointer stays only in this dead frame. */
static void leak_a_copy(void)
{
    arr_t *c = arr_copy(held->array, ARR_ORDER_C);
    if (arr_ndim(c) != 1)
        abort();
}

/* The same, 4 KiB further down the stack: the stale pointer lies below
 * anything the calls that end the process (abort, raise) overwrite. */
static void deep_leak(void)
{
    volatile char pad[4096];
    pad[0] = 1;
    leak_a_copy();
    (void)pad[0];
}

static void *worker(void *arg)
{
    (void)arg;
    leak_a_copy();
    return NULL;
}

static void check_now(const char *where)
{
    int n = (int)ARRCHECK_LEAK_CHECK();
    printf("%s: %d findings\n", where, n);
    fflush(stdout);
}

/* One call deeper than check_now, so the copy's stale pointer lies below
 * the stack pointer at the check (in an unwritten slot of check_now's own
 * frame it would count: memcheck knows such a slot is undefined, arrcheck
 * does not; see valgrind/README.md). */
static void make_both(void)
{
    hold_one();
    leak_a_copy();
}

static void on_usr1(int sig)
{
    (void)sig;
    make_both();
    check_now("handler");
    exit(0);
}

static void *on_own_stack(void *arg)
{
    (void)arg;
    check_now("thread on a malloc'd stack");
    return NULL;
}

static ucontext_t main_ctx, co_ctx;

/* Exits from the coroutine: the leak check runs with the stack pointer in
 * the heap. */
static void coroutine(void)
{
    make_both();
    exit(0);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "return";
    int on_main = strcmp(mode, "altstack") != 0 && strcmp(mode, "coroutine") != 0;
    held = malloc(sizeof *held);
    held->tag = 7;
    held->array = NULL;
    if (on_main)
        hold_one();
    if (strcmp(mode, "thread") == 0) {
        pthread_t t;
        pthread_create(&t, NULL, worker, NULL);
        pthread_join(t, NULL);
        return 0;
    }
    if (on_main)
        deep_leak();
    if (strcmp(mode, "exit") == 0)
        exit(0);
    if (strcmp(mode, "abort") == 0)
        abort();
    if (strcmp(mode, "sigterm") == 0)
        raise(SIGTERM);
    if (strcmp(mode, "segv") == 0)
        *(volatile int *)(argv[0] - (long)argv[0] + 16) = 1;
    if (strcmp(mode, "altstack") == 0) {
        stack_t ss = { .ss_sp = malloc(STACK_BYTES), .ss_size = STACK_BYTES, .ss_flags = 0 };
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_usr1;
        sa.sa_flags = SA_ONSTACK;
        sigaltstack(&ss, NULL);
        sigaction(SIGUSR1, &sa, NULL);
        raise(SIGUSR1);
    }
    if (strcmp(mode, "setstack") == 0) {
        pthread_attr_t attr;
        pthread_t t;
        pthread_attr_init(&attr);
        pthread_attr_setstack(&attr, malloc(STACK_BYTES), STACK_BYTES);
        pthread_create(&t, &attr, on_own_stack, NULL);
        pthread_join(t, NULL);
    }
    if (strcmp(mode, "coroutine") == 0) {
        getcontext(&co_ctx);
        co_ctx.uc_stack.ss_sp = malloc(STACK_BYTES);
        co_ctx.uc_stack.ss_size = STACK_BYTES;
        co_ctx.uc_link = &main_ctx;
        makecontext(&co_ctx, coroutine, 0);
        swapcontext(&main_ctx, &co_ctx);
    }
    return 0;
}
