/* endings.c - the native checker (ARR_CHECK=1) only adds a report: the
 * program's own exit work still runs and its output still comes (issue 23).
 *
 *   endings atexit-first   an atexit handler registered before libarr's
 *                          constructor, then a leak: the handler runs
 *   endings fork-storm N   N forks while two threads use libarr: every
 *                          child uses libarr at once (none hangs)
 *   endings fork-report    the parent holds #1, a child leaks its own: the
 *                          child's report lists only its array
 *   endings stderr-closed FILE   stderr closed, FILE opened on fd 2, a leak:
 *                          FILE holds only the program's data
 * tests/native/run.sh runs them. */
#include "arr.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void own_atexit(void)
{
    printf("own atexit ran\n");
}

/* Runs before libarr's constructor (priority 101 < the default). */
__attribute__((constructor(101))) static void register_first(void)
{
    const char *mode = getenv("ENDINGS_EARLY_ATEXIT");
    if (mode && *mode)
        atexit(own_atexit);
}

static arr_t *one(void)
{
    int64_t n = 4;
    return arr_zeros(1, &n, ARR_FLOAT64);
}

static volatile int stop;
static void *churn(void *arg)
{
    (void)arg;
    while (!stop)
        arr_free(one());
    return NULL;
}

static int fork_storm(int n)
{
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, churn, NULL);
    int hung = 0, bad = 0;
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            alarm(10); /* a child stuck on libarr's lock dies of SIGALRM */
            arr_t *a = one();
            arr_free(a);
            _exit(a ? 0 : 1);
        }
        int st = 0;
        waitpid(pid, &st, 0);
        if (WIFSIGNALED(st))
            hung++;
        else if (WEXITSTATUS(st) != 0)
            bad++;
    }
    stop = 1;
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    printf("forks %d hung %d failed %d\n", n, hung, bad);
    return hung + bad ? 1 : 0;
}

static int fork_report(void)
{
    arr_t *kept = one();
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        (void)one(); /* the child's own leak */
        exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    printf("child exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    arr_free(kept);
    return 0;
}

static int stderr_closed(const char *path)
{
    close(2);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd != 2)
        return 2;
    static const char data[] = "data\n";
    if (write(fd, data, sizeof data - 1) != (ssize_t)(sizeof data - 1))
        return 2;
    (void)one(); /* a leak */
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "atexit-first") == 0) {
        (void)one();
        printf("main done\n");
        return 0;
    }
    if (strcmp(mode, "fork-storm") == 0 && argc == 3)
        return fork_storm(atoi(argv[2]));
    if (strcmp(mode, "fork-report") == 0)
        return fork_report();
    if (strcmp(mode, "stderr-closed") == 0 && argc == 3)
        return stderr_closed(argv[2]);
    fprintf(stderr, "usage: endings atexit-first | fork-storm N | fork-report | stderr-closed FILE\n");
    return 2;
}
