/* test_npy.c - .npy load/save/create, the header parser's error paths and
 * mapped owners.  NumPy itself is checked in tests/npy (make check-npy);
 * these tests pin libarr's own behaviour, including every way a file can be
 * cut short or corrupted, and run under ASan (make SANITIZE=1). */
#include "unit.h"

#include "arr_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[64];

static void make_tmpdir(void)
{
    strcpy(tmpdir, "/tmp/arrdbg-test-npy-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static const char *tmp_path(const char *name)
{
    static char path[160];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    return path;
}

static void write_file(const char *path, const void *bytes, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(bytes, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

static size_t read_file(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

/* A file made of a hand-written header (padded to 64 bytes as NumPy does)
 * and data; returns its length in out. */
static size_t npy_bytes(char *out, size_t cap, int major, const char *header, const void *data,
                        size_t data_len)
{
    size_t lsize = major == 1 ? 2 : 4, hl = strlen(header);
    size_t total = 8 + lsize + hl + 1;
    size_t padded = (total + 63) / 64 * 64;
    ck_assert_uint_le(padded + data_len, cap);
    memcpy(out, "\x93NUMPY", 6);
    out[6] = (char)major;
    out[7] = 0;
    size_t field = padded - 8 - lsize;
    for (size_t i = 0; i < lsize; i++)
        out[8 + i] = (char)(field >> (8 * i));
    memcpy(out + 8 + lsize, header, hl);
    memset(out + 8 + lsize + hl, ' ', padded - total);
    out[padded - 1] = '\n';
    memcpy(out + padded, data, data_len);
    return padded + data_len;
}

/* 0, 1, ... n-1 as dtype (bool: false then trues). */
static arr_t *arange_as(int64_t n, arr_dtype_t dtype)
{
    arr_t *f = arr_arange(0, (double)n, 1, ARR_FLOAT64);
    ck_assert_arr_ok(f);
    arr_t *a = arr_astype(f, dtype);
    ck_assert_arr_ok(a);
    arr_free(f);
    return a;
}

/* The header text of a file (after the 10-byte prefix), NUL-terminated. */
static const char *header_text(const char *path)
{
    static char buf[256];
    size_t n = read_file(path, buf, sizeof buf - 1);
    buf[n] = '\0';
    return n > 10 ? buf + 10 : "";
}

/* ---- round trips ---------------------------------------------------------- */

START_TEST(test_roundtrip_every_dtype_and_mode)
{
    make_tmpdir();
    const char *path = tmp_path("rt.npy");
    for (int dt = 0; dt < ARR_NDTYPES; dt++) {
        arr_t *flat = arange_as(24, (arr_dtype_t)dt);
        arr_t *a = arr_reshape(flat, 3, (int64_t[]){2, 3, 4}, ARR_COPY_NEVER);
        ck_assert_arr_ok(a);
        ck_assert_int_eq(arr_save_npy(a, path), 0);
        for (int mode = ARR_LOAD_COPY; mode <= ARR_LOAD_MMAP_READWRITE; mode++) {
            arr_t *b = arr_load_npy(path, (arr_load_mode_t)mode);
            ck_assert_arr_ok(b);
            ck_assert_int_eq(arr_equal(a, b), 1);
            ck_assert_int_eq(arr_dtype(b), dt);
            ck_assert_int_eq(b->op, ARR_OP_LOAD);
            ck_assert(!arr_is_view(b));
            int flags = arr_flags(b);
            ck_assert(flags & ARR_OWNDATA);
            ck_assert(flags & ARR_C_CONTIGUOUS);
            ck_assert_int_eq(!!(flags & ARR_WRITEABLE), mode != ARR_LOAD_MMAP_READONLY);
            ck_assert_int_eq(arr_free(b), 0);
        }
        arr_free(a);
        arr_free(flat);
    }
    remove_tmpdir();
}
END_TEST

START_TEST(test_fortran_order_kept)
{
    make_tmpdir();
    const char *path = tmp_path("f.npy");
    arr_t *flat = arange_as(12, ARR_FLOAT64);
    arr_t *c = arr_reshape(flat, 2, (int64_t[]){3, 4}, ARR_COPY_NEVER);
    arr_t *f = arr_asfortran(c); /* an F-ordered copy */
    ck_assert_arr_ok(f);
    ck_assert_int_eq(arr_save_npy(f, path), 0);
    ck_assert_ptr_nonnull(strstr(header_text(path), "'fortran_order': True"));
    for (int mode = ARR_LOAD_COPY; mode <= ARR_LOAD_MMAP_COPY; mode++) {
        arr_t *b = arr_load_npy(path, (arr_load_mode_t)mode);
        ck_assert_arr_ok(b);
        ck_assert_int_eq(arr_equal(b, c), 1);
        ck_assert_int_eq(arr_strides(b)[0], 8);
        ck_assert_int_eq(arr_strides(b)[1], 24);
        ck_assert_int_eq(arr_flags(b) & (ARR_C_CONTIGUOUS | ARR_F_CONTIGUOUS), ARR_F_CONTIGUOUS);
        arr_free(b);
    }
    /* A transposed C array is F-contiguous too: written F, as np.save does. */
    arr_t *t = arr_transpose(c, NULL);
    ck_assert_int_eq(arr_save_npy(t, path), 0);
    ck_assert_ptr_nonnull(strstr(header_text(path), "'shape': (4, 3)"));
    ck_assert_ptr_nonnull(strstr(header_text(path), "'fortran_order': True"));
    arr_t *b = arr_load_npy(path, ARR_LOAD_COPY);
    ck_assert_int_eq(arr_equal(b, t), 1);
    arr_free(b);
    arr_free(t);
    arr_free(f);
    arr_free(c);
    arr_free(flat);
    remove_tmpdir();
}
END_TEST

START_TEST(test_strided_views_saved_in_c_order)
{
    make_tmpdir();
    const char *path = tmp_path("v.npy");
    arr_t *flat = arange_as(60, ARR_INT32);
    arr_t *a = arr_reshape(flat, 3, (int64_t[]){3, 4, 5}, ARR_COPY_NEVER);
    const char *specs[] = {"::-1", "1:, ::2, ::-2", ":, 2", "..., None, 1:3", "2, 3, 4", "2:1"};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        arr_t *v = arr_slice(a, specs[i]);
        ck_assert_arr_ok(v);
        ck_assert_int_eq(arr_save_npy(v, path), 0);
        arr_t *b = arr_load_npy(path, ARR_LOAD_COPY);
        ck_assert_arr_ok(b);
        ck_assert_msg(arr_equal(b, v) == 1, "view %s saved wrong", specs[i]);
        ck_assert(arr_flags(b) & ARR_C_CONTIGUOUS);
        arr_free(b);
        arr_free(v);
    }
    arr_free(a);
    arr_free(flat);
    remove_tmpdir();
}
END_TEST

START_TEST(test_header_bytes_as_numpy)
{
    make_tmpdir();
    const char *path = tmp_path("h.npy");
    /* np.save(np.zeros((3, 4))) starts with exactly these 128 bytes. */
    char want[128];
    const char *dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }";
    memcpy(want, "\x93NUMPY\x01\x00\x76\x00", 10);
    size_t n = strlen(dict);
    memcpy(want + 10, dict, n);
    memset(want + 10 + n, ' ', 127 - 10 - n);
    want[127] = '\n';
    arr_t *z = arr_zeros(2, (int64_t[]){3, 4}, ARR_FLOAT64);
    ck_assert_int_eq(arr_save_npy(z, path), 0);
    char got[256];
    ck_assert_uint_eq(read_file(path, got, sizeof got), 128 + 96);
    ck_assert(memcmp(got, want, 128) == 0);
    arr_free(z);
    /* 0-d: '()' and no growth padding (55 bytes of dict, so 128 in all);
     * 1-d: '(5,)'; bool is '|b1'. */
    arr_t *s = arr_full(0, NULL, ARR_BOOL, 1);
    ck_assert_int_eq(arr_save_npy(s, path), 0);
    ck_assert_uint_eq(read_file(path, got, sizeof got), 129);
    ck_assert(memcmp(got + 10, "{'descr': '|b1', 'fortran_order': False, 'shape': (), }    ", 59) == 0);
    ck_assert_int_eq(got[127], '\n');
    ck_assert_int_eq(got[128], 1);
    arr_free(s);
    arr_t *v = arr_zeros(1, (int64_t[]){5}, ARR_COMPLEX128);
    ck_assert_int_eq(arr_save_npy(v, path), 0);
    read_file(path, got, sizeof got);
    ck_assert(memcmp(got + 10, "{'descr': '<c16', 'fortran_order': False, 'shape': (5,), }", 58) == 0);
    arr_free(v);
    remove_tmpdir();
}
END_TEST

START_TEST(test_big_endian_swapped_on_copy)
{
    make_tmpdir();
    const char *path = tmp_path("be.npy");
    unsigned char data[3 * 8] = {0x3f, 0xf0, 0, 0, 0, 0, 0, 0,         /* 1.0 */
                                 0xc0, 0x00, 0, 0, 0, 0, 0, 0,         /* -2.0 */
                                 0x7f, 0xf0, 0, 0, 0, 0, 0, 0};        /* inf */
    char file[256];
    size_t n = npy_bytes(file, sizeof file, 1, "{'descr': '>f8', 'fortran_order': False, 'shape': (3,), }",
                         data, sizeof data);
    write_file(path, file, n);
    arr_t *a = arr_load_npy(path, ARR_LOAD_COPY);
    ck_assert_arr_ok(a);
    const double *p = arr_data(a);
    ck_assert(p[0] == 1.0 && p[1] == -2.0 && isinf(p[2]) && p[2] > 0);
    arr_free(a);
    ck_assert_ptr_null(arr_load_npy(path, ARR_LOAD_MMAP_READONLY));
    ck_assert_arr_err(ARR_ETYPE);
    ck_assert_ptr_nonnull(strstr(arr_errmsg(), "big-endian"));
    ck_assert_ptr_null(arr_load_npy(path, ARR_LOAD_MMAP_COPY));
    ck_assert_arr_err(ARR_ETYPE);
    /* Complex: each half swapped on its own. */
    unsigned char cdata[8] = {0x3f, 0x80, 0, 0, 0x40, 0x00, 0, 0}; /* 1+2j as >c8 */
    n = npy_bytes(file, sizeof file, 1, "{'descr': '>c8', 'fortran_order': False, 'shape': (), }",
                  cdata, sizeof cdata);
    write_file(path, file, n);
    a = arr_load_npy(path, ARR_LOAD_COPY);
    ck_assert_arr_ok(a);
    const float *c = arr_data(a);
    ck_assert(c[0] == 1.0f && c[1] == 2.0f);
    arr_free(a);
    /* One-byte items need no swap and may be mapped whatever the order char. */
    unsigned char bytes[2] = {7, 250};
    n = npy_bytes(file, sizeof file, 1, "{'descr': '>u1', 'fortran_order': False, 'shape': (2,), }",
                  bytes, 2);
    write_file(path, file, n);
    a = arr_load_npy(path, ARR_LOAD_MMAP_READONLY);
    ck_assert_arr_ok(a);
    ck_assert_int_eq(((unsigned char *)arr_data(a))[1], 250);
    arr_free(a);
    remove_tmpdir();
}
END_TEST

START_TEST(test_versions_and_header_styles)
{
    make_tmpdir();
    const char *path = tmp_path("s.npy");
    double data[6] = {1, 2, 3, 4, 5, 6};
    const struct { int major; const char *header; } ok[] = {
        {1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"},
        {2, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"},
        {3, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"},
        {1, "{\"shape\": (2, 3), \"descr\": \"<f8\", \"fortran_order\": False}"},
        {1, "{'descr':'<f8','fortran_order':False,'shape':(2,3,)}"},
        {1, "{\n\t'descr': '=f8',\n 'fortran_order': False,\n 'shape': (2L, 3L), }"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char file[256];
        size_t n = npy_bytes(file, sizeof file, ok[i].major, ok[i].header, data, sizeof data);
        write_file(path, file, n);
        arr_t *a = arr_load_npy(path, ARR_LOAD_MMAP_READONLY);
        ck_assert_msg(a != NULL, "header %zu: %s", i, arr_errmsg());
        ck_assert_int_eq(arr_ndim(a), 2);
        ck_assert_int_eq(arr_shape(a)[1], 3);
        ck_assert(((double *)arr_data(a))[5] == 6.0);
        arr_npy_header_t h;
        ck_assert_int_eq(arr_npy_parse_header(file, n, &h), 0);
        ck_assert_int_eq(h.version_major, ok[i].major);
        ck_assert_int_eq(h.data_offset % 64, 0);
        ck_assert_int_eq(h.data_bytes, 48);
        arr_free(a);
    }
    remove_tmpdir();
}
END_TEST

/* ---- malformed input ------------------------------------------------------ */

START_TEST(test_corrupted_headers)
{
    static const struct {
        int major;
        const char *header;
        arr_err_t code;
        const char *words;
    } bad[] = {
        {1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'x': 1, }", ARR_EINVAL, "unexpected key 'x'"},
        {1, "{'descr': '<f8', 'fortran_order': False, }", ARR_EINVAL, "lacks 'shape'"},
        {1, "{'fortran_order': False, 'shape': (3,), }", ARR_EINVAL, "lacks 'descr'"},
        {1, "{'descr': '<f8', 'descr': '<f8\\0', 'fortran_order': False, 'shape': (3,)}", ARR_EINVAL, "'<f8?' is not a valid"},
        {1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3), }", ARR_EINVAL, "not a tuple"},
        {1, "{'descr': '<f8', 'fortran_order': False, 'shape': (-3,), }", ARR_EINVAL, "negative"},
        {1, "{'descr': '<f8', 'fortran_order': False, 'shape': (03,), }", ARR_EINVAL, "leading zero"},
        {1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3.0,), }", ARR_EINVAL, "','"},
        {1, "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }", ARR_EOVERFLOW, "64 bits"},
        {1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", ARR_EOVERFLOW, "overflow"},
        {1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1), }", ARR_EINVAL, "more than 32"},
        {1, "{'descr': '<f8', 'fortran_order': 1, 'shape': (3,), }", ARR_EINVAL, "True or False"},
        {1, "{'descr': '<f8', 'fortran_order': Truex, 'shape': (3,), }", ARR_EINVAL, "True or False"},
        {1, "{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }", ARR_ETYPE, "'<f2'"},
        {1, "{'descr': '<f8x', 'fortran_order': False, 'shape': (3,), }", ARR_EINVAL, "'<f8x'"},
        {1, "{'descr': '<f16', 'fortran_order': False, 'shape': (3,), }", ARR_ETYPE, "'<f16'"},
        {1, "{'descr': b'<f8', 'fortran_order': False, 'shape': (3,), }", ARR_EINVAL, "'<f8' is not a valid"},
        {1, "{'descr': '', 'fortran_order': False, 'shape': (3,), }", ARR_EINVAL, "descr ''"},
        {1, "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3,), }", ARR_ETYPE, "structured"},
        {1, "{'descr': '<f8", ARR_EINVAL, "unterminated string"},
        {1, "{'descr': '<f8, 'fortran_order': False, 'shape': (3,), }", ARR_EINVAL, "expected ','"},
        {1, "{'descr': '<f\\x3', 'fortran_order': False, 'shape': (3,), }", ARR_EINVAL, "escape"},
        {1, "{'descr': <f8, 'fortran_order': False, 'shape': (3,), }", ARR_EINVAL, "not a quoted string"},
        {1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), } x", ARR_EINVAL, "after the header dict"},
        {1, "{'descr': '<f8' 'fortran_order': False, 'shape': (3,), }", ARR_EINVAL, "expected ','"},
        {1, "[1, 2]", ARR_EINVAL, "opening brace"},
        {1, "", ARR_EINVAL, "header ends"},
        {1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,", ARR_EINVAL, "header ends"},
        {2, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'shape2': (1,)}", ARR_EINVAL, "unexpected key"},
        {3, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }\xff", ARR_EINVAL, "UTF-8"},
        {3, "{'descr': '\xcf\x80', 'fortran_order': False, 'shape': (3,), }", ARR_EINVAL, "descr"},
    };
    make_tmpdir();
    const char *path = tmp_path("bad.npy");
    double data[3] = {0};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char file[512];
        size_t n = npy_bytes(file, sizeof file, bad[i].major, bad[i].header, data, sizeof data);
        write_file(path, file, n);
        for (int mode = ARR_LOAD_COPY; mode <= ARR_LOAD_MMAP_READWRITE; mode++) {
            ck_assert_ptr_null(arr_load_npy(path, (arr_load_mode_t)mode));
            ck_assert_msg(arr_errcode() == bad[i].code && strstr(arr_errmsg(), bad[i].words),
                          "case %zu: want %s '%s', got %s: %s", i, arr_strerror(bad[i].code),
                          bad[i].words, arr_strerror(arr_errcode()), arr_errmsg());
            ck_assert_ptr_nonnull(strstr(arr_errmsg(), path)); /* names the file */
        }
        arr_npy_header_t h;
        ck_assert_int_eq(arr_npy_parse_header(file, n, &h), -1);
        ck_assert_int_eq(arr_errcode(), bad[i].code);
    }
    ck_assert_int_eq(arr_stats().live_owners, 0);
    remove_tmpdir();
}
END_TEST

START_TEST(test_bad_prefix)
{
    char file[256];
    double data[1] = {0};
    size_t n = npy_bytes(file, sizeof file, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }",
                         data, sizeof data);
    arr_npy_header_t h;
    ck_assert_int_eq(arr_npy_parse_header(file, n, &h), 0);
    file[1] = 'M';
    ck_assert_int_eq(arr_npy_parse_header(file, n, &h), -1);
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_nonnull(strstr(arr_errmsg(), "magic"));
    file[1] = 'N';
    const unsigned char versions[][2] = {{0, 0}, {4, 0}, {1, 1}, {255, 255}};
    for (int i = 0; i < 4; i++) {
        file[6] = (char)versions[i][0];
        file[7] = (char)versions[i][1];
        ck_assert_int_eq(arr_npy_parse_header(file, n, &h), -1);
        ck_assert_ptr_nonnull(strstr(arr_errmsg(), "version"));
    }
    file[6] = 1;
    file[7] = 0;
    /* A header length beyond the bytes present. */
    file[8] = (char)0xff;
    file[9] = (char)0xff;
    ck_assert_int_eq(arr_npy_parse_header(file, n, &h), -1);
    ck_assert_ptr_nonnull(strstr(arr_errmsg(), "truncated header"));
    ck_assert_int_eq(arr_npy_parse_header(NULL, 10, &h), -1);
    ck_assert_int_eq(arr_npy_parse_header(file, n, NULL), -1);
    ck_assert_arr_err(ARR_EINVAL);
}
END_TEST

/* Every prefix of a valid file must be refused cleanly, in every mode; the
 * parser alone accepts a prefix once the whole header is in. */
START_TEST(test_truncated_at_every_offset)
{
    make_tmpdir();
    const char *full = tmp_path("full.npy"), *cut = tmp_path("cut.npy");
    arr_t *flat = arange_as(30, ARR_COMPLEX64);
    arr_t *a = arr_reshape(flat, 3, (int64_t[]){5, 3, 2}, ARR_COPY_NEVER);
    ck_assert_int_eq(arr_save_npy(a, full), 0);
    static char bytes[4096];
    size_t len = read_file(full, bytes, sizeof bytes);
    ck_assert_uint_eq(len, 128 + 30 * 8);
    arr_npy_header_t h;
    ck_assert_int_eq(arr_npy_parse_header(bytes, len, &h), 0);
    for (size_t k = 0; k < len; k++) {
        write_file(cut, bytes, k);
        for (int mode = ARR_LOAD_COPY; mode <= ARR_LOAD_MMAP_READWRITE; mode++) {
            arr_clear_error();
            ck_assert_ptr_null(arr_load_npy(cut, (arr_load_mode_t)mode));
            ck_assert_msg(arr_errcode() == ARR_EINVAL && strstr(arr_errmsg(), "truncated"),
                          "cut at %zu: %s", k, arr_errmsg());
        }
        int parsed = arr_npy_parse_header(bytes, k, &h);
        ck_assert_int_eq(parsed, (int64_t)k >= 128 ? 0 : -1);
    }
    write_file(cut, bytes, len);
    arr_t *b = arr_load_npy(cut, ARR_LOAD_MMAP_COPY);
    ck_assert_int_eq(arr_equal(a, b), 1);
    arr_free(b);
    arr_free(a);
    arr_free(flat);
    ck_assert_int_eq(arr_stats().live_owners, 0);
    remove_tmpdir();
}
END_TEST

/* A few random byte flips per position of the header: never a crash, and
 * either a clean error or a header that parses to a consistent size. */
START_TEST(test_header_byte_flips)
{
    arr_t *a = arr_zeros(2, (int64_t[]){4, 6}, ARR_INT16);
    make_tmpdir();
    const char *path = tmp_path("flip.npy");
    ck_assert_int_eq(arr_save_npy(a, path), 0);
    static char bytes[1024], copy[1024];
    size_t len = read_file(path, bytes, sizeof bytes);
    unsigned seed = 12345;
    for (size_t pos = 0; pos < 128; pos++)
        for (int rep = 0; rep < 8; rep++) {
            memcpy(copy, bytes, len);
            seed = seed * 1103515245u + 12345u;
            copy[pos] = (char)(seed >> 16);
            arr_npy_header_t h;
            if (arr_npy_parse_header(copy, len, &h) == 0) {
                ck_assert_int_ge(h.data_offset, 10);
                ck_assert_int_ge(h.data_bytes, 0);
            } else {
                ck_assert_int_ne(arr_errcode(), ARR_OK);
                ck_assert_int_gt((int)strlen(arr_errmsg()), 10);
            }
            write_file(path, copy, len);
            arr_t *b = arr_load_npy(path, ARR_LOAD_COPY);
            if (b)
                arr_free(b);
        }
    arr_free(a);
    ck_assert_int_eq(arr_stats().live_owners, 0);
    remove_tmpdir();
}
END_TEST

START_TEST(test_bad_arguments_and_io)
{
    make_tmpdir();
    ck_assert_ptr_null(arr_load_npy(NULL, ARR_LOAD_COPY));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_load_npy(tmp_path("x"), (arr_load_mode_t)42));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_nonnull(strstr(arr_errmsg(), "mode"));
    ck_assert_ptr_null(arr_load_npy(tmp_path("missing.npy"), ARR_LOAD_COPY));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_nonnull(strstr(arr_errmsg(), strerror(ENOENT)));
    ck_assert_ptr_null(arr_load_npy(tmpdir, ARR_LOAD_MMAP_READONLY));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_nonnull(strstr(arr_errmsg(), "regular file"));
    ck_assert_ptr_null(arr_load_npy("/dev/null", ARR_LOAD_COPY));
    ck_assert_arr_err(ARR_EINVAL);

    arr_t *a = arr_zeros(1, (int64_t[]){3}, ARR_FLOAT64);
    ck_assert_int_eq(arr_save_npy(a, NULL), -1);
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_int_eq(arr_save_npy(a, tmp_path("no/such/dir.npy")), -1);
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_int_eq(arr_save_npy(NULL, tmp_path("n.npy")), -1);
    ck_assert_int_ne(arr_errcode(), ARR_OK);
    /* An orphan's memory is gone: nothing to save. */
    arr_t *v = arr_slice(a, "1:");
    arr_free(a);
    ck_assert_int_eq(arr_save_npy(v, tmp_path("o.npy")), -1);
    ck_assert_arr_err(ARR_EORPHAN);
    ck_assert_int_eq(access(tmp_path("o.npy"), F_OK), -1);
    arr_free(v);

    ck_assert_ptr_null(arr_create_npy(tmp_path("c.npy"), 1, (int64_t[]){-1}, ARR_FLOAT64, ARR_ORDER_C));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_create_npy(tmp_path("c.npy"), 1, (int64_t[]){3}, ARR_NDTYPES, ARR_ORDER_C));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_create_npy(tmp_path("c.npy"), 1, (int64_t[]){3}, ARR_FLOAT64, ARR_ORDER_K));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_create_npy(tmp_path("c.npy"), 2, (int64_t[]){INT64_MAX / 2, 4}, ARR_FLOAT64,
                                      ARR_ORDER_C));
    ck_assert_arr_err(ARR_EOVERFLOW);
    ck_assert_ptr_null(arr_create_npy(tmp_path("no/dir.npy"), 1, (int64_t[]){3}, ARR_FLOAT64, ARR_ORDER_C));
    ck_assert_arr_err(ARR_EINVAL);
    arr_npy_header_t h;
    ck_assert_int_eq(arr_npy_read_header(tmp_path("missing.npy"), &h), -1);
    ck_assert_int_eq(arr_npy_read_header(NULL, &h), -1);
    ck_assert_int_eq(arr_drop_pages(NULL), -1);
    remove_tmpdir();
}
END_TEST

/* Data placed at an offset that is not a multiple of the item size: read
 * works, mapping refuses. */
START_TEST(test_misaligned_data)
{
    make_tmpdir();
    const char *path = tmp_path("odd.npy");
    const char *dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
    char file[128];
    size_t hl = strlen(dict) + 2; /* a space and the newline: data at 10 + hl */
    memcpy(file, "\x93NUMPY\x01\x00", 8);
    file[8] = (char)hl;
    file[9] = 0;
    memcpy(file + 10, dict, strlen(dict));
    file[10 + hl - 2] = ' ';
    file[10 + hl - 1] = '\n';
    double d[2] = {1.5, -2.5};
    memcpy(file + 10 + hl, d, sizeof d);
    ck_assert_int_ne((10 + hl) % 8, 0);
    write_file(path, file, 10 + hl + sizeof d);
    arr_t *a = arr_load_npy(path, ARR_LOAD_COPY);
    ck_assert_arr_ok(a);
    double got;
    ck_assert_int_eq(arr_get_f64(a, (int64_t[]){1}, &got), 0);
    ck_assert(got == -2.5);
    arr_free(a);
    ck_assert_ptr_null(arr_load_npy(path, ARR_LOAD_MMAP_READONLY));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_nonnull(strstr(arr_errmsg(), "not aligned"));
    remove_tmpdir();
}
END_TEST

/* ---- mapped owners ---------------------------------------------------------- */

START_TEST(test_mmap_modes_write_semantics)
{
    make_tmpdir();
    const char *path = tmp_path("m.npy");
    arr_t *a = arange_as(10, ARR_FLOAT64);
    ck_assert_int_eq(arr_save_npy(a, path), 0);
    double got;

    arr_t *r = arr_load_npy(path, ARR_LOAD_MMAP_READONLY);
    ck_assert_int_eq(arr_set_f64(r, (int64_t[]){0}, 99), -1);
    ck_assert_arr_err(ARR_EREADONLY);
    arr_t *rv = arr_slice(r, "2:5");
    ck_assert(!(arr_flags(rv) & ARR_WRITEABLE));
    arr_free(rv);
    arr_free(r);

    arr_t *c = arr_load_npy(path, ARR_LOAD_MMAP_COPY);
    ck_assert_int_eq(arr_set_f64(c, (int64_t[]){3}, 99), 0);
    ck_assert_int_eq(arr_drop_pages(c), 0); /* would lose the change: not done */
    ck_assert_int_eq(arr_get_f64(c, (int64_t[]){3}, &got), 0);
    ck_assert(got == 99);
    arr_t *check = arr_load_npy(path, ARR_LOAD_COPY);
    ck_assert_int_eq(arr_equal(check, a), 1); /* the file never changes */
    arr_free(check);
    arr_free(c);

    arr_t *w = arr_load_npy(path, ARR_LOAD_MMAP_READWRITE);
    ck_assert_int_eq(arr_set_f64(w, (int64_t[]){4}, -7), 0);
    ck_assert_int_gt(arr_drop_pages(w), 0); /* shared: the page cache keeps it */
    ck_assert_int_eq(arr_get_f64(w, (int64_t[]){4}, &got), 0);
    ck_assert(got == -7);
    arr_free(w);
    check = arr_load_npy(path, ARR_LOAD_COPY);
    ck_assert_int_eq(arr_get_f64(check, (int64_t[]){4}, &got), 0);
    ck_assert(got == -7);
    arr_free(check);
    arr_free(a);
    remove_tmpdir();
}
END_TEST

START_TEST(test_mapped_owner_views_and_drop)
{
    make_tmpdir();
    const char *path = tmp_path("d.npy");
    arr_t *a = arange_as(5000, ARR_INT64);
    ck_assert_int_eq(arr_save_npy(a, path), 0);
    arr_t *m = arr_load_npy(path, ARR_LOAD_MMAP_READONLY);
    ck_assert_arr_ok(m);
    ck_assert_int_eq(m->buffer_bytes, 128 + 5000 * 8); /* the whole file is the buffer */
    ck_assert_ptr_eq(arr_data(m), (char *)m->buffer + 128);
    arr_t *v = arr_slice(m, "1000:3000:2");
    ck_assert_ptr_eq(arr_base(v), m);
    int64_t dropped = arr_drop_pages(v);
    ck_assert_int_ge(dropped, 16000);
    ck_assert_int_eq(dropped % sysconf(_SC_PAGESIZE), 0);
    ck_assert_int_eq(arr_equal(m, a), 1); /* pages come back from the file */
    ck_assert_int_eq(arr_drop_pages(a), 0); /* ordinary memory: nothing */
    /* Freeing the mapped owner first orphans the view, as for any owner. */
    ck_assert_int_eq(arr_free(m), 0);
    ck_assert_int_eq(arr_drop_pages(v), -1);
    ck_assert_arr_err(ARR_EORPHAN);
    ck_assert_int_eq(arr_free(v), 0);
    arr_free(a);
    remove_tmpdir();
}
END_TEST

START_TEST(test_create_npy)
{
    make_tmpdir();
    const char *path = tmp_path("new.npy");
    for (int order = 0; order < 2; order++) {
        arr_t *m = arr_create_npy(path, 2, (int64_t[]){3, 5}, ARR_INT32, order ? ARR_ORDER_F : ARR_ORDER_C);
        ck_assert_arr_ok(m);
        ck_assert(arr_flags(m) & ARR_WRITEABLE);
        ck_assert(arr_flags(m) & (order ? ARR_F_CONTIGUOUS : ARR_C_CONTIGUOUS));
        double s;
        ck_assert_int_eq(arr_sum(m, &s), 0);
        ck_assert(s == 0); /* zero-filled */
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 5; j++)
                ck_assert_int_eq(arr_set_f64(m, (int64_t[]){i, j}, i * 10 + j), 0);
        arr_free(m);
        arr_t *b = arr_load_npy(path, ARR_LOAD_COPY);
        ck_assert_arr_ok(b);
        ck_assert_int_eq(arr_strides(b)[order ? 1 : 0], order ? 12 : 20);
        double got;
        ck_assert_int_eq(arr_get_f64(b, (int64_t[]){2, 4}, &got), 0);
        ck_assert(got == 24);
        arr_free(b);
    }
    /* F order of a 1-d array is C order too: recorded as C, as NumPy. */
    arr_t *m = arr_create_npy(path, 1, (int64_t[]){4}, ARR_UINT8, ARR_ORDER_F);
    arr_free(m);
    ck_assert_ptr_nonnull(strstr(header_text(path), "'fortran_order': False"));
    /* Empty and 0-d. */
    m = arr_create_npy(path, 2, (int64_t[]){0, 4}, ARR_FLOAT32, ARR_ORDER_C);
    ck_assert_arr_ok(m);
    arr_free(m);
    arr_t *b = arr_load_npy(path, ARR_LOAD_MMAP_READONLY);
    ck_assert_int_eq(arr_size(b), 0);
    arr_free(b);
    m = arr_create_npy(path, 0, NULL, ARR_COMPLEX128, ARR_ORDER_C);
    ck_assert_arr_ok(m);
    arr_free(m);
    remove_tmpdir();
}
END_TEST

START_TEST(test_allocation_failures)
{
    make_tmpdir();
    const char *path = tmp_path("af.npy");
    arr_t *a = arange_as(100, ARR_FLOAT32);
    ck_assert_int_eq(arr_save_npy(a, path), 0);
    for (int mode = ARR_LOAD_COPY; mode <= ARR_LOAD_MMAP_COPY; mode++)
        for (long n = 1;; n++) {
            int64_t owners = arr_stats().live_owners;
            arr__alloc_fail_countdown = n;
            arr_t *b = arr_load_npy(path, (arr_load_mode_t)mode);
            long left = arr__alloc_fail_countdown;
            arr__alloc_fail_countdown = 0;
            if (b != NULL) {
                ck_assert_int_gt(left, 0); /* succeeded only once no failure was met */
                ck_assert_int_eq(arr_equal(a, b), 1);
                arr_free(b);
                break;
            }
            ck_assert_arr_err(ARR_ENOMEM);
            ck_assert_int_eq(arr_stats().live_owners, owners);
        }
    arr_t *v = arr_slice(a, "::3");
    for (long n = 1;; n++) {
        arr__alloc_fail_countdown = n;
        int rc = arr_save_npy(v, path);
        long left = arr__alloc_fail_countdown;
        arr__alloc_fail_countdown = 0;
        if (rc == 0) {
            ck_assert_int_gt(left, 0);
            break;
        }
        ck_assert_arr_err(ARR_ENOMEM);
        /* A failed save leaves the old file as it was (it holds a). */
        arr_t *old = arr_load_npy(path, ARR_LOAD_COPY);
        ck_assert_arr_ok(old);
        ck_assert_int_eq(arr_equal(old, a), 1);
        arr_free(old);
    }
    arr_free(v);
    arr_free(a);
    remove_tmpdir();
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("npy");
    TCase *tc = tcase_create("npy");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_roundtrip_every_dtype_and_mode);
    tcase_add_test(tc, test_fortran_order_kept);
    tcase_add_test(tc, test_strided_views_saved_in_c_order);
    tcase_add_test(tc, test_header_bytes_as_numpy);
    tcase_add_test(tc, test_big_endian_swapped_on_copy);
    tcase_add_test(tc, test_versions_and_header_styles);
    tcase_add_test(tc, test_corrupted_headers);
    tcase_add_test(tc, test_bad_prefix);
    tcase_add_test(tc, test_truncated_at_every_offset);
    tcase_add_test(tc, test_header_byte_flips);
    tcase_add_test(tc, test_bad_arguments_and_io);
    tcase_add_test(tc, test_misaligned_data);
    tcase_add_test(tc, test_mmap_modes_write_semantics);
    tcase_add_test(tc, test_mapped_owner_views_and_drop);
    tcase_add_test(tc, test_create_npy);
    tcase_add_test(tc, test_allocation_failures);
    suite_add_tcase(s, tc);
    return s;
}

ARR_TEST_MAIN()
