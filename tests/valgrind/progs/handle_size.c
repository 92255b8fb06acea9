/* Prints sizeof(arr_t): crosscheck.py tells libarr's handle blocks from
 * other heap blocks in memcheck's leak report by it. */
#include "arr.h"

#include <stdio.h>

int main(void)
{
    printf("%zu\n", sizeof(arr_t));
    return 0;
}
