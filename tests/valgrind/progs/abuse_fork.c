/* abuse_fork.c - arrcheck follows a fork: the child inherits the parent's
 * arrays, leaks one copy of its own and exits; the parent frees everything.
 * Each process must get its own, correct report. */
#include "arr.h"

#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    arr_t *a = arr_arange(0, 16, 1, ARR_FLOAT64);
    arr_t *v = arr_slice(a, "::2");
    pid_t pid = fork();
    if (pid == 0) {
        arr_t *c = arr_copy(v, ARR_ORDER_C); /* the child's leak */
        c = NULL;                             /* ... and lost */
        (void)c;
        arr_free(v);
        arr_free(a);
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    arr_free(v);
    arr_free(a);
    printf("child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}
