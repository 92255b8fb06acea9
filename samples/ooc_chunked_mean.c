/* ooc_chunked_mean.c - the mean of a big .npy file through mmap and chunks,
 * with bounded resident memory, beside the whole-array way.
 *
 *   ooc_chunked_mean [--n N] [PATH]
 *
 * Uses an N x N float64 .npy file at PATH (default /tmp/arrdbg_ooc_<N>.npy),
 * creating it when missing or of another shape.  The chunked way maps the
 * file read-only (arr_load_npy ARR_LOAD_MMAP_READONLY) and takes the mean
 * with arr_chunked_mean: 4 MiB blocks, each dropped from resident memory once
 * summed, no copy.  The whole-array way (arr_load_npy ARR_LOAD_COPY +
 * arr_mean) runs in a child process so that each way's peak resident memory
 * (VmHWM) is its own.  The means must be bit-identical, and the chunked way
 * must stay under 64 MB natively.
 *
 * The default N is 1000 (an 8 MB file) so the sample suite's runs under
 * memcheck and arrcheck stay short; the 800 MB case of issue 9 is
 *     build/samples/ooc_chunked_mean --n 10000
 * The file is created and the whole-array way is run by exec'ing this
 * program again (--create, --whole): under Valgrind those children run
 * natively (no --trace-children), and the tool sees only the chunked way.
 *
 * expect native:
 * expect memcheck:
 * expect arrcheck:
 */
#include "sample.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <valgrind/valgrind.h>

enum { BLOCK_BYTES = 4 << 20, RSS_GOAL_MB = 64 };

/* Peak resident set of this process (kB), from /proc/self/status: per
 * address space, so an exec'd child starts afresh (ru_maxrss would not). */
static long peak_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

/* Element (i, j) of the test matrix: a fixed pseudo-random value in [0, 1). */
static double value_at(uint64_t k)
{
    k = (k + 0x9e3779b97f4a7c15u) * 0xbf58476d1ce4e5b9u;
    k = (k ^ (k >> 31)) * 0x94d049bb133111ebu;
    return (double)((k ^ (k >> 29)) >> 11) * 0x1.0p-53;
}

/* --create: the file written block by block through a shared mapping, so
 * neither this process nor the page cache's mapped share ever holds it all;
 * written under a temporary name, then renamed (runs may race for it). */
static int create_file(int64_t n, const char *path)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    arr_t *m = must(arr_create_npy(tmp, 2, (int64_t[]){n, n}, ARR_FLOAT64, ARR_ORDER_C), "create");
    int64_t rows = BLOCK_BYTES / (8 * n) > 0 ? BLOCK_BYTES / (8 * n) : 1;
    arr_chunks_t *it = arr_chunks(m, 1, (int[]){0}, (int64_t[]){rows});
    if (it == NULL)
        must(NULL, "chunks");
    arr_t *block;
    while ((block = arr_chunks_next(it)) != NULL) {
        int64_t first = arr_chunks_start(it)[0], nr = arr_shape(block)[0];
        double *p = arr_data(block); /* a C-contiguous run of whole rows */
        for (int64_t k = 0; k < nr * n; k++)
            p[k] = value_at((uint64_t)(first * n + k));
        must_ok((int)arr_drop_pages(block), "drop pages");
        arr_free(block);
    }
    must_ok(arr_errcode() == ARR_OK ? 0 : -1, "next block");
    arr_chunks_free(it);
    arr_free(m);
    if (rename(tmp, path) != 0) {
        fprintf(stderr, "ooc_chunked_mean: rename %s: %s\n", tmp, strerror(errno));
        unlink(tmp);
        return 1;
    }
    return 0;
}

/* --whole: the file read into memory, then arr_mean. */
static int whole_array(const char *path)
{
    arr_t *a = must(arr_load_npy(path, ARR_LOAD_COPY), "load");
    double mean;
    must_ok(arr_mean(a, &mean), "mean");
    arr_free(a);
    printf("%a %ld\n", mean, peak_rss_kb());
    return 0;
}

/* Runs this program again with args; its stdout (one line) into out. */
static int run_self(char *const args[], char *out, size_t cap)
{
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        unsetenv("ARR_CHECK"); /* the parent's check is the one reported */
        /* The program's own path: under Valgrind, /proc/self/exe itself
         * would be the tool, while readlink of it names the program. */
        char self[4096];
        ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
        if (len > 0) {
            self[len] = '\0';
            execv(self, args);
        }
        execv(args[0], args);
        _exit(127);
    }
    close(fd[1]);
    size_t used = 0;
    ssize_t got;
    while (used + 1 < cap && (got = read(fd[0], out + used, cap - 1 - used)) > 0)
        used += (size_t)got;
    out[used] = '\0';
    close(fd[0]);
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: ooc_chunked_mean [--n N] [PATH]   (1 <= N <= 100000)\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--create") == 0)
        return create_file(atoll(argv[2]), argv[3]);
    if (argc == 3 && strcmp(argv[1], "--whole") == 0)
        return whole_array(argv[2]);

    int64_t n = 1000;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--n") == 0 && i + 1 < argc) {
            char *end;
            errno = 0;
            long long v = strtoll(argv[++i], &end, 10);
            if (errno || *end || v < 1 || v > 100000)
                return usage();
            n = v;
        } else if (argv[i][0] != '-' && path == NULL && strlen(argv[i]) < 4000) {
            path = argv[i];
        } else {
            return usage();
        }
    }
    char default_path[64];
    if (path == NULL) {
        snprintf(default_path, sizeof default_path, "/tmp/arrdbg_ooc_%lld.npy", (long long)n);
        path = default_path;
    }
    char count[32], out[256];
    snprintf(count, sizeof count, "%lld", (long long)n);

    arr_npy_header_t h;
    int have = arr_npy_read_header(path, &h) == 0 && h.dtype == ARR_FLOAT64 && h.ndim == 2 &&
               h.shape[0] == n && h.shape[1] == n && !h.fortran_order && !h.big_endian;
    if (!have) {
        printf("creating %s (%lld x %lld float64, %.1f MB) block by block\n", path, (long long)n,
               (long long)n, (double)n * (double)n * 8 / 1e6);
        char *args[] = {argv[0], "--create", count, (char *)path, NULL};
        if (run_self(args, out, sizeof out) != 0) {
            fprintf(stderr, "ooc_chunked_mean: could not create %s\n", path);
            return 1;
        }
    }

    /* The chunked way, in this process. */
    arr_t *m = must(arr_load_npy(path, ARR_LOAD_MMAP_READONLY), "map");
    double chunked;
    must_ok(arr_chunked_mean(m, BLOCK_BYTES, &chunked), "chunked mean");
    arr_free(m);
    long chunked_kb = peak_rss_kb();
    arr_stats_t st = arr_stats();

    /* The whole-array way, in a child. */
    char *args[] = {argv[0], "--whole", (char *)path, NULL};
    double whole;
    long whole_kb;
    char hex[64];
    if (run_self(args, out, sizeof out) != 0 || sscanf(out, "%63s %ld", hex, &whole_kb) != 2) {
        fprintf(stderr, "ooc_chunked_mean: the whole-array run failed\n");
        return 1;
    }
    whole = strtod(hex, NULL);

    printf("%lld x %lld float64 in %s (%.1f MB)\n", (long long)n, (long long)n, path,
           (double)n * (double)n * 8 / 1e6);
    printf("chunked (mmap, %d MiB blocks): mean %.17g, peak RSS %.1f MB\n", BLOCK_BYTES >> 20,
           chunked, chunked_kb / 1024.0);
    printf("whole array (load + arr_mean): mean %.17g, peak RSS %.1f MB\n", whole, whole_kb / 1024.0);
    printf("copies made by the chunked way: %lld\n", (long long)st.created_copies);
    int ok = 1;
    if (memcmp(&chunked, &whole, sizeof whole) != 0) {
        printf("the means differ\n");
        ok = 0;
    } else {
        printf("the means agree bit for bit\n");
    }
    if (st.created_copies != 0)
        ok = 0;
    if (RUNNING_ON_VALGRIND) {
        printf("(under Valgrind: this process's RSS includes the tool's; not checked)\n");
    } else if (chunked_kb >= RSS_GOAL_MB * 1024L) {
        printf("the chunked way went over %d MB\n", RSS_GOAL_MB);
        ok = 0;
    }
    return ok ? 0 : 1;
}
