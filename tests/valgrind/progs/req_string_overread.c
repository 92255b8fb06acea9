/* glibc's vectorised string functions read whole aligned words, past a
 * string's end; when a quarantined buffer (ARRCHECK_FREED_TO_QUARANTINE)
 * lies right after the string's block, those reads must not be taken for
 * DanglingAccess: arrcheck's preload replaces them with byte loops, as
 * memcheck's does (issue 23).  Strings of every length 1..200 are each
 * followed by a quarantined 512-byte buffer; the program's own reads stay
 * inside the strings.  Prints a checksum; any error fails the test. */
#include "req_common.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef size_t (*len_fn)(const char *);

int main(void)
{
    static const int64_t shape[1] = {64};
    /* Called through volatile pointers: no builtin folding. */
    len_fn volatile my_strlen = strlen;
    size_t (*volatile my_strnlen)(const char *, size_t) = strnlen;
    char *(*volatile my_strchr)(const char *, int) = strchr;
    char *(*volatile my_strrchr)(const char *, int) = strrchr;
    void *(*volatile my_memchr)(const void *, int, size_t) = memchr;
    int (*volatile my_strcmp)(const char *, const char *) = strcmp;
    int (*volatile my_strncmp)(const char *, const char *, size_t) = strncmp;
    int (*volatile my_memcmp)(const void *, const void *, size_t) = memcmp;
    char *(*volatile my_strcpy)(char *, const char *) = strcpy;
    char *(*volatile my_stpcpy)(char *, const char *) = stpcpy;
    char *(*volatile my_strcat)(char *, const char *) = strcat;
    char *(*volatile my_strchrnul)(const char *, int) = strchrnul;
    void *(*volatile my_rawmemchr)(const void *, int) = rawmemchr;
    size_t (*volatile my_strspn)(const char *, const char *) = strspn;
    size_t (*volatile my_strcspn)(const char *, const char *) = strcspn;
    int (*volatile my_strcasecmp)(const char *, const char *) = strcasecmp;
    unsigned long sum = 0;
    uint64_t id = 1;
    for (size_t len = 1; len <= 200; len++) {
        char *s = malloc(len + 1), *t = malloc(len + 1);
        double *quarantined = malloc(512);
        void *handle = malloc(64);
        memset(s, 'a', len);
        s[len] = '\0';
        memset(t, 'a', len);
        t[len] = '\0';
        struct arrcheck_array_info info = req_info(id, id, handle, quarantined, 512, 1, shape);
        (void)ARRCHECK_OWNER_CREATED(&info);
        (void)ARRCHECK_FREED_TO_QUARANTINE(id, handle);
        char *dst = malloc(2 * len + 2);
        sum += my_strlen(s) + my_strnlen(s, 4096);
        sum += (my_strchr(s, 'z') == NULL) + (my_strrchr(s, 'a') == s + len - 1);
        sum += (my_memchr(s, 'z', len + 1) == NULL) + (size_t)(my_strchrnul(s, 'z') - s);
        sum += (size_t)((char *)my_rawmemchr(s, 0) - s);
        sum += (my_strcmp(s, t) == 0) + (my_strncmp(s, t, 4096) == 0);
        sum += (my_memcmp(s, t, len + 1) == 0) + (my_strcasecmp(s, t) == 0);
        sum += my_strspn(s, "a") + my_strcspn(s, "z");
        my_strcpy(dst, s);
        sum += (size_t)(my_stpcpy(dst, s) - dst);
        my_strcat(dst, t);
        sum += my_strlen(dst);
        (void)ARRCHECK_QUARANTINE_RELEASED(quarantined);
        free(dst);
        free(quarantined);
        free(handle);
        free(s);
        free(t);
        id++;
    }
    printf("checksum %lu\n", sum);
    return 0;
}
