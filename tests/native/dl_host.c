/* dl_host.c LIBARR_SO - loads libarr.so with dlopen, leaks an array, unloads
 * it with dlclose, and goes on: with ARR_CHECK=1 the unloaded library
 * reports what it still had, and the rest of main and the atexit handlers
 * run (issue 23).  Not linked with libarr. */
#include "arr.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static void own_atexit(void)
{
    printf("own atexit ran\n");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: dl_host LIBARR_SO\n");
        return 2;
    }
    atexit(own_atexit);
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "dl_host: %s\n", dlerror());
        return 2;
    }
    arr_t *(*zeros)(int, const int64_t *, arr_dtype_t);
    *(void **)&zeros = dlsym(lib, "arr_zeros");
    int64_t n = 4;
    if (!zeros || !zeros(1, &n, ARR_FLOAT64)) {
        fprintf(stderr, "dl_host: arr_zeros failed\n");
        return 2;
    }
    dlclose(lib);
    printf("after dlclose\n");
    return 0;
}
