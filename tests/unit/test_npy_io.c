/* test_npy_io.c - .npy I/O failures: every one is a clear error, no crash,
 * no file left behind. */
#include "unit.h"

#include "arr_internal.h" /* arr__alloc_fail_countdown */

#include <dirent.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

START_TEST(bad_paths)
{
    ck_assert_ptr_null(arr_load_npy(NULL, ARR_LOAD_COPY));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_create_npy(NULL, 1, (int64_t[]){4}, ARR_FLOAT64, ARR_ORDER_C));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_load_npy("/nonexistent/dir/x.npy", ARR_LOAD_COPY));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_msg(strstr(arr_errmsg(), "/nonexistent/dir/x.npy"), "%s", arr_errmsg());
    /* a directory, an empty file: errors that name the problem */
    for (int mode = ARR_LOAD_COPY; mode <= ARR_LOAD_MMAP_READWRITE; mode++) {
        ck_assert_ptr_null(arr_load_npy("/tmp", (arr_load_mode_t)mode));
        ck_assert_arr_err(ARR_EINVAL);
        ck_assert_ptr_null(arr_load_npy("/dev/null", (arr_load_mode_t)mode));
        ck_assert_arr_err(ARR_EINVAL);
    }
    arr_npy_header_t h;
    ck_assert_int_eq(arr_npy_read_header("/dev/null", &h), -1);
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_int_eq(arr_registry.count, 0);
}
END_TEST

START_TEST(unwritable_places)
{
    arr_t *a = arr_arange(0, 6, 1, ARR_INT32);
    ck_assert_int_eq(arr_save_npy(a, "/nonexistent/dir/x.npy"), -1);
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_int_eq(arr_save_npy(NULL, "/tmp/x.npy"), -1);
    ck_assert_int_eq(arr_save_npy(a, NULL), -1);
    ck_assert_ptr_null(arr_create_npy("/nonexistent/dir/x.npy", 1, (int64_t[]){4}, ARR_FLOAT64, ARR_ORDER_C));
    ck_assert_arr_err(ARR_EINVAL);
    /* a device is never truncated, mapped or removed */
    ck_assert_ptr_null(arr_create_npy("/dev/null", 1, (int64_t[]){4}, ARR_FLOAT64, ARR_ORDER_C));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_msg(strstr(arr_errmsg(), "not a regular file"), "%s", arr_errmsg());
    struct stat st;
    ck_assert_int_eq(stat("/dev/null", &st), 0);
    ck_assert(S_ISCHR(st.st_mode));
    /* nor written through: only regular files are saved to */
    ck_assert_int_eq(arr_save_npy(a, "/dev/null"), -1);
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_msg(strstr(arr_errmsg(), "not a regular file"), "%s", arr_errmsg());
    ck_assert_int_eq(stat("/dev/null", &st), 0);
    ck_assert(S_ISCHR(st.st_mode));
    arr_free(a);
    ck_assert_int_eq(arr_registry.count, 0);
}
END_TEST

START_TEST(round_trip_through_a_scratch_dir)
{
    char dir[] = "/tmp/arr_npy_io.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/m.npy", dir);
    arr_t *m = arr_create_npy(path, 2, (int64_t[]){3, 5}, ARR_FLOAT32, ARR_ORDER_F);
    ck_assert_arr_ok(m);
    ck_assert_int_eq(arr_flags(m) & ARR_F_CONTIGUOUS, ARR_F_CONTIGUOUS);
    ck_assert_int_eq(arr_fill(m, 2.5), 0);
    ck_assert_int_ge(arr_drop_pages(m), 0);
    arr_free(m);
    arr_t *back = arr_load_npy(path, ARR_LOAD_MMAP_READONLY);
    ck_assert_arr_ok(back);
    double sum = 0;
    ck_assert_int_eq(arr_sum(back, &sum), 0);
    ck_assert(sum == 37.5);
    ck_assert_int_eq(arr_flags(back) & ARR_WRITEABLE, 0);
    ck_assert_int_eq(arr_fill(back, 1.0), -1); /* read-only mapping */
    ck_assert_arr_err(ARR_EREADONLY);
    arr_free(back);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(rmdir(dir), 0); /* no temporary file left behind */
}
END_TEST

/* Entries of dir other than . and .. (a temporary file left behind shows). */
static int dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* Every path-taking function refuses a FIFO (no writer: open() would block
 * forever) and a socket at once.  alarm() turns a hang into a failure. */
START_TEST(never_blocks_on_a_fifo_or_socket)
{
    char dir[] = "/tmp/arr_npy_io.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char fifo[64], sock[64];
    snprintf(fifo, sizeof fifo, "%s/fifo.npy", dir);
    snprintf(sock, sizeof sock, "%s/sock.npy", dir);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    int sfd = socket(AF_UNIX, SOCK_STREAM, 0);
    ck_assert_int_ge(sfd, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
    ck_assert_int_eq(bind(sfd, (struct sockaddr *)&sa, sizeof sa), 0);
    const char *paths[] = {fifo, sock};
    const char *kinds[] = {"FIFO", "socket"};
    arr_t *a = arr_arange(0, 6, 1, ARR_INT32);
    alarm(20);
    for (int i = 0; i < 2; i++) {
        for (int mode = ARR_LOAD_COPY; mode <= ARR_LOAD_MMAP_READWRITE; mode++) {
            ck_assert_ptr_null(arr_load_npy(paths[i], (arr_load_mode_t)mode));
            ck_assert_arr_err(ARR_EINVAL);
            ck_assert_msg(strstr(arr_errmsg(), kinds[i]), "%s", arr_errmsg());
        }
        arr_npy_header_t h;
        ck_assert_int_eq(arr_npy_read_header(paths[i], &h), -1);
        ck_assert_msg(strstr(arr_errmsg(), kinds[i]), "%s", arr_errmsg());
        ck_assert_int_eq(arr_save_npy(a, paths[i]), -1);
        ck_assert_msg(strstr(arr_errmsg(), kinds[i]), "%s", arr_errmsg());
        ck_assert_ptr_null(arr_create_npy(paths[i], 1, (int64_t[]){4}, ARR_FLOAT64, ARR_ORDER_C));
        ck_assert_msg(strstr(arr_errmsg(), kinds[i]), "%s", arr_errmsg());
        struct stat st;
        ck_assert_int_eq(lstat(paths[i], &st), 0); /* still there, untouched */
        ck_assert(i == 0 ? S_ISFIFO(st.st_mode) : S_ISSOCK(st.st_mode));
    }
    alarm(0);
    arr_free(a);
    close(sfd);
    ck_assert_int_eq(dir_entries(dir), 2);
    unlink(fifo);
    unlink(sock);
    ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void assert_text(const char *path, const char *text)
{
    char buf[256] = {0};
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    ck_assert_msg(n == strlen(text) && memcmp(buf, text, n) == 0, "%s now holds '%s'", path, buf);
}

/* A failed arr_create_npy or arr_save_npy leaves the file at path as it was
 * (and no temporary file behind), whichever step fails. */
START_TEST(failed_create_keeps_the_old_file)
{
    char dir[] = "/tmp/arr_npy_io.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[300];
    snprintf(path, sizeof path, "%s/keep.npy", dir);
    write_text(path, "precious");
    /* 2^61 bytes: no file system sizes a file that large. */
    ck_assert_ptr_null(arr_create_npy(path, 2, (int64_t[]){INT64_C(1) << 30, INT64_C(1) << 28},
                                      ARR_FLOAT64, ARR_ORDER_C));
    ck_assert_msg(strstr(arr_errmsg(), "cannot size the file"), "%s", arr_errmsg());
    assert_text(path, "precious");
    ck_assert_int_eq(dir_entries(dir), 1);
    /* Every allocation the call makes, failed in turn. */
    for (long n = 1;; n++) {
        arr__alloc_fail_countdown = n;
        arr_t *m = arr_create_npy(path, 1, (int64_t[]){16}, ARR_FLOAT64, ARR_ORDER_C);
        long left = arr__alloc_fail_countdown;
        arr__alloc_fail_countdown = 0;
        if (m != NULL) {
            ck_assert_int_gt(left, 0); /* succeeded only once no failure hit it */
            arr_free(m);
            break;
        }
        ck_assert_arr_err(ARR_ENOMEM);
        assert_text(path, "precious");
        ck_assert_int_eq(dir_entries(dir), 1);
    }
    /* save: a failed allocation, likewise */
    write_text(path, "precious");
    arr_t *a = arr_arange(0, 6, 1, ARR_INT32);
    arr__alloc_fail_countdown = 1;
    ck_assert_int_eq(arr_save_npy(a, path), -1);
    arr__alloc_fail_countdown = 0;
    assert_text(path, "precious");
    ck_assert_int_eq(dir_entries(dir), 1);
    arr_free(a);
    unlink(path);
    ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* A file the caller may not write is refused, not replaced behind its back
 * (np.save's open() fails with EACCES): checked as an unprivileged user
 * (nobody, in a child, when the test runs as root). */
START_TEST(read_only_file_is_not_replaced)
{
    char dir[] = "/tmp/arr_npy_io.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(chmod(dir, 0777), 0); /* the directory is writable */
    char path[300];
    snprintf(path, sizeof path, "%s/ro.npy", dir);
    write_text(path, "precious");
    ck_assert_int_eq(chmod(path, 0444), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(3);
        arr_t *a = arr_arange(0, 6, 1, ARR_INT32);
        int saved = arr_save_npy(a, path);
        arr_t *m = arr_create_npy(path, 1, (int64_t[]){4}, ARR_FLOAT64, ARR_ORDER_C);
        int ok = saved == -1 && m == NULL && arr_errcode() == ARR_EINVAL;
        arr_free(m);
        arr_free(a);
        _exit(ok ? 0 : 4);
    }
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
    assert_text(path, "precious");
    ck_assert_int_eq(dir_entries(dir), 1);
    unlink(path);
    ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("npy_io");
    TCase *tc = tcase_create("npy_io");
    tcase_add_test(tc, bad_paths);
    tcase_add_test(tc, unwritable_places);
    tcase_add_test(tc, round_trip_through_a_scratch_dir);
    tcase_add_test(tc, never_blocks_on_a_fifo_or_socket);
    tcase_add_test(tc, failed_create_keeps_the_old_file);
    tcase_add_test(tc, read_only_file_is_not_replaced);
    suite_add_tcase(s, tc);
    return s;
}

ARR_TEST_MAIN()
