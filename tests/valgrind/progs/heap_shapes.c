/* Heap and program shapes for crosscheck.py (issue 23): in each, one array
 * (a float64[8] from arr_zeros, made by make_one) ends the program held in
 * one particular way, and arrcheck's verdict for it must be memcheck's for
 * its handle block.
 *
 *   heap_shapes --list     prints the shape names, one a line
 *   heap_shapes SHAPE      runs one
 *
 * The names say where the only pointer is at exit; see shapes[] below.
 */
#include "arr.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static arr_t *make_one(void)
{
    int64_t n = 8;
    arr_t *a = arr_zeros(1, &n, ARR_FLOAT64);
    if (a == NULL)
        abort();
    return a;
}

/* Global holders.  volatile: the stores are kept at -O0 anyway, but the
 * intent is that they are real memory words. */
static arr_t *volatile g_arr;
static void *volatile g_ptr;
static uintptr_t volatile g_word;

/* The pointer lies past the words a C library's free list writes into a
 * freed block (glibc's tcache: the first two). */
struct holder {
    long tag[4];
    arr_t *array;
};

/* Makes an array and leaves its pointer only in this frame, which is
 * popped on return. */
static void make_and_forget(void)
{
    arr_t *volatile a = make_one();
    (void)a;
}

/* ---- heap holders -------------------------------------------------------- */

static void freed_holder(void)       /* memcheck: definitely lost */
{
    struct holder *h = malloc(sizeof *h);
    h->array = make_one();
    free(h);
}

static void freed_big_holder(void)   /* a 100 kB holder */
{
    free(malloc(100 * 1024)); /* glibc: raises its mmap threshold, the next one is heap */
    struct holder *h = malloc(100 * 1024);
    h->array = make_one();
    free(h);
}

static void realloc_old_holder(void) /* the old block of a moved table */
{
    arr_t **t = malloc(8 * sizeof *t);
    t[4] = make_one();
    arr_t **bigger = realloc(t, 4096 * sizeof *t);
    bigger[4] = NULL;
    g_ptr = bigger;
}

static void realloc_new_holder(void) /* the moved table holds it */
{
    arr_t **t = malloc(8 * sizeof *t);
    t[4] = make_one();
    g_ptr = realloc(t, 4096 * sizeof *t);
}

static void heap_holder(void)        /* global -> block -> block -> array */
{
    struct holder **outer = malloc(sizeof *outer);
    *outer = malloc(sizeof **outer);
    (*outer)->array = make_one();
    g_ptr = outer;
}

static void indirect_loss(void)      /* the holder itself is leaked */
{
    struct holder *h = malloc(sizeof *h);
    h->array = make_one();
    h = NULL;
}

static void interior_pointer(void)   /* memcheck: possibly lost */
{
    g_ptr = (char *)make_one() + 16;
}

static void interior_holder(void)    /* reached only through a possibly lost block */
{
    struct holder *h = malloc(sizeof *h);
    h->array = make_one();
    g_ptr = (char *)h + 4;
}

static void xor_hidden(void)         /* a masked pointer is no pointer */
{
    g_word = (uintptr_t)make_one() ^ 0x5a5a5a5a5a5a5a5aULL;
}

static void global_holder(void)
{
    g_arr = make_one();
}

static void dead_stack(void)
{
    make_and_forget();
}

/* ---- mappings ------------------------------------------------------------ */

static void *map_holder(int prot_after, int flags, int fd)
{
    void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, flags, fd, 0);
    if (m == MAP_FAILED)
        abort();
    ((arr_t **)m)[0] = make_one();
    if (prot_after != (PROT_READ | PROT_WRITE) && mprotect(m, 4096, prot_after) != 0)
        abort();
    return m;
}

static void mmap_anon(void)
{
    map_holder(PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
}

static void mmap_readonly(void)      /* memcheck scans only writable mappings */
{
    map_holder(PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1);
}

static int temp_file(void)
{
    char path[] = "/tmp/heap_shapes.XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || unlink(path) != 0 || ftruncate(fd, 4096) != 0)
        abort();
    return fd;
}

static void mmap_file_private(void)
{
    map_holder(PROT_READ | PROT_WRITE, MAP_PRIVATE, temp_file());
}

static void mmap_file_shared(void)
{
    map_holder(PROT_READ | PROT_WRITE, MAP_SHARED, temp_file());
}

/* ---- threads ------------------------------------------------------------- */

static __thread arr_t *t_arr;
static pthread_barrier_t ready;

static void tls_main(void)
{
    t_arr = make_one();
}

static void *tls_worker(void *live)
{
    t_arr = make_one();
    if (live) {
        pthread_barrier_wait(&ready);
        for (;;)
            pause();
    }
    return NULL;
}

static void tls_dead_thread(void)
{
    pthread_t t;
    pthread_create(&t, NULL, tls_worker, NULL);
    pthread_join(t, NULL);
}

static void tls_live_thread(void)
{
    pthread_t t;
    pthread_barrier_init(&ready, NULL, 2);
    pthread_create(&t, NULL, tls_worker, (void *)1);
    pthread_barrier_wait(&ready);
}

static void *hold_on_stack(void *arg)
{
    arr_t *volatile a = make_one();
    pthread_barrier_wait(&ready);
    (void)arg;
    for (;;)
        pause();
    return (void *)a;
}

static void cancelled_thread(void)   /* its stack is gone with it */
{
    pthread_t t;
    pthread_barrier_init(&ready, NULL, 2);
    pthread_create(&t, NULL, hold_on_stack, NULL);
    pthread_barrier_wait(&ready);
    pthread_cancel(t);
    pthread_join(t, NULL);
}

static void detached_running(void)   /* still running at exit: a root */
{
    pthread_t t;
    pthread_attr_t at;
    pthread_barrier_init(&ready, NULL, 2);
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    pthread_create(&t, &at, hold_on_stack, NULL);
    pthread_barrier_wait(&ready);
}

static void detached_exited(void)    /* returned before exit */
{
    pthread_t t;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    pthread_create(&t, &at, tls_worker, NULL);
    while (arr_stats().live_owners == 0)
        usleep(1000);
    usleep(200 * 1000); /* let it finish exiting */
}

static volatile int clone_ready;
static int clone_child(void *arg)
{
    arr_t *volatile a = arg;
    clone_ready = 1;
    for (;;)
        syscall(SYS_pause);
    return a != NULL;
}

static void clone_vm(void)           /* a raw CLONE_VM thread on a malloc'd stack */
{
    size_t size = 256 * 1024;
    char *stack = malloc(size);
    int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM;
    if (clone(clone_child, stack + size, flags, make_one()) < 0)
        abort();
    while (!clone_ready)
        sched_yield();
    g_ptr = stack;
}

/* ---- control flow -------------------------------------------------------- */

static jmp_buf jump;

static void jump_from_here(void)
{
    arr_t *volatile a = make_one();
    (void)a;
    longjmp(jump, 1);
}

static void deep_then_jump(int depth)
{
    volatile char pad[256];
    pad[0] = (char)depth;
    if (depth > 0)
        deep_then_jump(depth - 1);
    else
        jump_from_here();
    (void)pad[0];
}

static void longjmp_out(void)        /* the frames jumped over are dead */
{
    if (setjmp(jump) == 0)
        deep_then_jump(3);
}

static void exit_in_handler(int sig)
{
    (void)sig;
    exit(0);
}

static void exit_from_handler_on(int altstack)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = exit_in_handler;
    if (altstack) {
        stack_t ss = {.ss_sp = malloc(64 * 1024), .ss_size = 64 * 1024};
        sigaltstack(&ss, NULL);
        sa.sa_flags = SA_ONSTACK;
    }
    sigaction(SIGUSR1, &sa, NULL);
    arr_t *volatile a = make_one(); /* main's frame is live under the handler */
    raise(SIGUSR1);
    (void)a;
}

static void signal_exit(void) { exit_from_handler_on(0); }
static void signal_exit_altstack(void) { exit_from_handler_on(1); }

static void register_only(void)      /* the pointer only in a callee-saved register */
{
    uintptr_t p = (uintptr_t)make_one() ^ 1;
    __asm__ volatile("mov %0, %%r15\n\txor $1, %%r15" : : "r"(p) : "r15");
    p = 0;
    syscall(SYS_exit_group, 0);
}

/* ---- processes ----------------------------------------------------------- */

static void fork_child(int keep)     /* the child's own report */
{
    pid_t pid = fork();
    if (pid == 0) {
        if (keep)
            g_arr = make_one();
        else
            make_and_forget();
        exit(0);
    }
    waitpid(pid, NULL, 0);
}

static void fork_child_leaks(void) { fork_child(0); }
static void fork_child_holds(void) { fork_child(1); }

static void vfork_exec(void)         /* the parent's array after a vfork+exec */
{
    make_and_forget();
    g_arr = make_one();
    pid_t pid = vfork();
    if (pid == 0) {
        execl("/bin/true", "true", (char *)NULL);
        _exit(127);
    }
    waitpid(pid, NULL, 0);
}

static const struct {
    const char *name;
    void (*run)(void);
} shapes[] = {
    {"freed_holder", freed_holder},
    {"freed_big_holder", freed_big_holder},
    {"realloc_old_holder", realloc_old_holder},
    {"realloc_new_holder", realloc_new_holder},
    {"heap_holder", heap_holder},
    {"indirect_loss", indirect_loss},
    {"interior_pointer", interior_pointer},
    {"interior_holder", interior_holder},
    {"xor_hidden", xor_hidden},
    {"global_holder", global_holder},
    {"dead_stack", dead_stack},
    {"mmap_anon", mmap_anon},
    {"mmap_readonly", mmap_readonly},
    {"mmap_file_private", mmap_file_private},
    {"mmap_file_shared", mmap_file_shared},
    {"tls_main", tls_main},
    {"tls_live_thread", tls_live_thread},
    {"tls_dead_thread", tls_dead_thread},
    {"cancelled_thread", cancelled_thread},
    {"detached_running", detached_running},
    {"detached_exited", detached_exited},
    {"clone_vm", clone_vm},
    {"longjmp_out", longjmp_out},
    {"signal_exit", signal_exit},
    {"signal_exit_altstack", signal_exit_altstack},
    {"register_only", register_only},
    {"fork_child_leaks", fork_child_leaks},
    {"fork_child_holds", fork_child_holds},
    {"vfork_exec", vfork_exec},
};

int main(int argc, char **argv)
{
    size_t n = sizeof shapes / sizeof shapes[0];
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < n; i++)
            printf("%s\n", shapes[i].name);
        return 0;
    }
    for (size_t i = 0; argc == 2 && i < n; i++) {
        if (strcmp(argv[1], shapes[i].name) == 0) {
            shapes[i].run();
            return 0;
        }
    }
    fprintf(stderr, "usage: heap_shapes --list | SHAPE\n");
    return 2;
}
