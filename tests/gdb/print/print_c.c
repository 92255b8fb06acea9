/* print_c.c - C values for tests/gdb/print/run.sh: gdb's own `print` and
 * the plugin's `print` (which hands everything but Python names to gdb
 * through `call`) must print the same text for them: ints, a struct with
 * an array and a string, a union, an enum, pointers, a 2-d array, a
 * function returning void and one returning a value. */
#include <stdio.h>

struct point {
    int x, y;
    double w[3];
    const char *name;
};

union bits {
    unsigned int u;
    float f;
};

enum color { RED, GREEN = 5, BLUE };

long big = 52776558133248L;
int grid[2][3] = {{1, 2, 3}, {4, 5, 6}};
struct point pt = {3, -4, {0.5, 1.5, 2.5}, "origin"};
struct point *ptp = &pt;
union bits ub = {0x3f800000u};
enum color hue = GREEN;
char text[8] = "abc";
int counter;

void bump(void);
int twice(int v);

void bump(void)
{
    counter++;
}

int twice(int v)
{
    return 2 * v;
}

void stop_here(void);

void stop_here(void)
{
    bump();
}

int main(void)
{
    stop_here();
    printf("%ld %d\n", big, counter);
    return 0;
}
