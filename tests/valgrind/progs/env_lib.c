/* Prints the VALGRIND_LIB the program sees: valgrind/arrgrind must not
 * leak its own (issue 13: a program running valgrind --tool=memcheck
 * itself failed with "failed to start tool"). */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    const char *lib = getenv("VALGRIND_LIB");
    printf("VALGRIND_LIB %s%s\n", lib ? "= " : "unset", lib ? lib : "");
    printf("marker %s\n", getenv("ARRGRIND_CLIENT_VALGRIND_LIB") ? "present" : "gone");
    return 0;
}
