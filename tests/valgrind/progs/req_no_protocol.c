/* A program that never speaks the arrcheck protocol (a use after free
 * memcheck would report): arrcheck ends with one line saying it saw no
 * arrays, instead of a bare "0 errors" (issue 23). */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    int *volatile p = malloc(4 * sizeof *p);
    p[0] = 1;
    free(p);
    volatile int x = p[0]; /* memcheck: invalid read */
    (void)x;
    puts("done");
    return 0;
}
