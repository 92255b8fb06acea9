/* strings_preload.c - part of arrcheck's preload (vgpreload_arrcheck-*.so):
 * byte-at-a-time replacements for the C library's string functions.
 *
 * glibc's vectorised strlen, strchr, strcmp, ... read whole aligned
 * vectors, past the end of the string (never across a page, so natively
 * harmless).  Under arrcheck every load is checked against the quarantined
 * buffers, and one that lies right after a string's block turned such a
 * read into a false DanglingAccess.  As memcheck does (its preload
 * replaces these functions too), the program gets versions here that read
 * only the bytes the function's contract lets it read.  Replaced in
 * libc.so* (the public names and glibc's internal __GI_ aliases) and, for
 * the few ld.so uses, in ld-linux-x86-64.so.2.
 *
 * Built with -fno-tree-loop-distribute-patterns (valgrind.mk): gcc would
 * otherwise turn some loops back into calls of the functions replaced.
 */
#include <ctype.h>
#include <stddef.h>

#include <valgrind/valgrind.h>

#define LIBC libcZdsoZa                  /* libc.so* */
#define LDSO ldZhlinuxZhx86Zh64ZdsoZd2   /* ld-linux-x86-64.so.2 */
#define R(so, fn) I_REPLACE_SONAME_FNNAME_ZU(so, fn)
/* A declaration (for -Wmissing-prototypes) and the definition's head. */
#define DEF(ret, so, fn, ...) ret R(so, fn)(__VA_ARGS__); ret R(so, fn)(__VA_ARGS__)

#define STRLEN(so, fn)                                                                      \
    DEF(size_t, so, fn, const char *s)                                                      \
    {                                                                                       \
        size_t n = 0;                                                                       \
        while (s[n])                                                                        \
            n++;                                                                            \
        return n;                                                                           \
    }
#define STRNLEN(so, fn)                                                                     \
    DEF(size_t, so, fn, const char *s, size_t max)                                          \
    {                                                                                       \
        size_t n = 0;                                                                       \
        while (n < max && s[n])                                                             \
            n++;                                                                            \
        return n;                                                                           \
    }
/* strchr (nul: NULL when not found) and strchrnul (nul: the end). */
#define STRCHR(so, fn, at_end)                                                              \
    DEF(char *, so, fn, const char *s, int c)                                               \
    {                                                                                       \
        for (;; s++) {                                                                      \
            if (*s == (char)c)                                                              \
                return (char *)s;                                                           \
            if (!*s)                                                                        \
                return at_end;                                                              \
        }                                                                                   \
    }
#define STRRCHR(so, fn)                                                                     \
    DEF(char *, so, fn, const char *s, int c)                                               \
    {                                                                                       \
        const char *last = NULL;                                                            \
        for (;; s++) {                                                                      \
            if (*s == (char)c)                                                              \
                last = s;                                                                   \
            if (!*s)                                                                        \
                return (char *)last;                                                        \
        }                                                                                   \
    }
#define MEMCHR(so, fn)                                                                      \
    DEF(void *, so, fn, const void *p, int c, size_t n)                                     \
    {                                                                                       \
        const unsigned char *s = p;                                                         \
        for (size_t i = 0; i < n; i++)                                                      \
            if (s[i] == (unsigned char)c)                                                   \
                return (void *)(s + i);                                                     \
        return NULL;                                                                        \
    }
#define MEMRCHR(so, fn)                                                                     \
    DEF(void *, so, fn, const void *p, int c, size_t n)                                     \
    {                                                                                       \
        const unsigned char *s = p;                                                         \
        while (n-- > 0)                                                                     \
            if (s[n] == (unsigned char)c)                                                   \
                return (void *)(s + n);                                                     \
        return NULL;                                                                        \
    }
#define RAWMEMCHR(so, fn)                                                                   \
    DEF(void *, so, fn, const void *p, int c)                                               \
    {                                                                                       \
        const unsigned char *s = p;                                                         \
        while (*s != (unsigned char)c)                                                      \
            s++;                                                                            \
        return (void *)s;                                                                   \
    }
/* strcmp and strcasecmp (fold: how a byte is compared). */
#define STRCMP(so, fn, fold)                                                                \
    DEF(int, so, fn, const char *a, const char *b)                                          \
    {                                                                                       \
        const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;   \
        while (*x && fold(*x) == fold(*y))                                                  \
            x++, y++;                                                                       \
        return fold(*x) - fold(*y);                                                         \
    }
#define STRNCMP(so, fn, fold)                                                               \
    DEF(int, so, fn, const char *a, const char *b, size_t n)                                \
    {                                                                                       \
        const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;   \
        for (size_t i = 0; i < n; i++) {                                                    \
            if (fold(x[i]) != fold(y[i]) || !x[i])                                          \
                return fold(x[i]) - fold(y[i]);                                             \
        }                                                                                   \
        return 0;                                                                           \
    }
#define MEMCMP(so, fn)                                                                      \
    DEF(int, so, fn, const void *a, const void *b, size_t n)                                \
    {                                                                                       \
        const unsigned char *x = a, *y = b;                                                 \
        for (size_t i = 0; i < n; i++)                                                      \
            if (x[i] != y[i])                                                               \
                return x[i] - y[i];                                                         \
        return 0;                                                                           \
    }
/* strcpy (returns dst) and stpcpy (returns the end). */
#define STRCPY(so, fn, result)                                                              \
    DEF(char *, so, fn, char *dst, const char *src)                                         \
    {                                                                                       \
        char *d = dst;                                                                      \
        while ((*d = *src) != '\0')                                                         \
            d++, src++;                                                                     \
        return result;                                                                      \
    }
#define STRNCPY(so, fn)                                                                     \
    DEF(char *, so, fn, char *dst, const char *src, size_t n)                               \
    {                                                                                       \
        size_t i = 0;                                                                       \
        for (; i < n && src[i]; i++)                                                        \
            dst[i] = src[i];                                                                \
        for (; i < n; i++)                                                                  \
            dst[i] = '\0';                                                                  \
        return dst;                                                                         \
    }
#define STRCAT(so, fn)                                                                      \
    DEF(char *, so, fn, char *dst, const char *src)                                         \
    {                                                                                       \
        char *d = dst;                                                                      \
        while (*d)                                                                          \
            d++;                                                                            \
        while ((*d = *src) != '\0')                                                         \
            d++, src++;                                                                     \
        return dst;                                                                         \
    }
/* strspn (in: 1) and strcspn (in: 0): the length of the prefix whose bytes
 * are (not) in set. */
#define STRSPN(so, fn, in)                                                                  \
    DEF(size_t, so, fn, const char *s, const char *set)                                     \
    {                                                                                       \
        size_t n = 0;                                                                       \
        for (; s[n]; n++) {                                                                 \
            const char *c = set;                                                            \
            while (*c && *c != s[n])                                                        \
                c++;                                                                        \
            if ((*c != '\0') != (in))                                                       \
                break;                                                                      \
        }                                                                                   \
        return n;                                                                           \
    }
#define STRPBRK(so, fn)                                                                     \
    DEF(char *, so, fn, const char *s, const char *set)                                     \
    {                                                                                       \
        for (; *s; s++)                                                                     \
            for (const char *c = set; *c; c++)                                              \
                if (*c == *s)                                                               \
                    return (char *)s;                                                       \
        return NULL;                                                                        \
    }
#define STRSTR(so, fn)                                                                      \
    DEF(char *, so, fn, const char *hay, const char *needle)                                \
    {                                                                                       \
        for (;; hay++) {                                                                    \
            size_t i = 0;                                                                   \
            while (needle[i] && hay[i] == needle[i])                                        \
                i++;                                                                        \
            if (!needle[i])                                                                 \
                return (char *)hay;                                                         \
            if (!*hay)                                                                      \
                return NULL;                                                                \
        }                                                                                   \
    }

#define SAME(c) (c)
#define LOWER(c) tolower(c)

STRLEN(LIBC, strlen)
STRLEN(LIBC, __GI_strlen)
STRLEN(LDSO, strlen)
STRNLEN(LIBC, strnlen)
STRNLEN(LIBC, __GI_strnlen)
STRNLEN(LIBC, __strnlen)
STRCHR(LIBC, strchr, NULL)
STRCHR(LIBC, __GI_strchr, NULL)
STRCHR(LIBC, index, NULL)
STRCHR(LDSO, strchr, NULL)
STRCHR(LDSO, index, NULL)
STRCHR(LIBC, strchrnul, (char *)s)
STRCHR(LIBC, __GI_strchrnul, (char *)s)
STRRCHR(LIBC, strrchr)
STRRCHR(LIBC, __GI_strrchr)
STRRCHR(LIBC, rindex)
MEMCHR(LIBC, memchr)
MEMCHR(LIBC, __GI_memchr)
MEMRCHR(LIBC, memrchr)
MEMRCHR(LIBC, __GI_memrchr)
RAWMEMCHR(LIBC, rawmemchr)
RAWMEMCHR(LIBC, __GI_rawmemchr)
RAWMEMCHR(LIBC, __rawmemchr)
STRCMP(LIBC, strcmp, SAME)
STRCMP(LIBC, __GI_strcmp, SAME)
STRCMP(LDSO, strcmp, SAME)
STRNCMP(LIBC, strncmp, SAME)
STRNCMP(LIBC, __GI_strncmp, SAME)
STRCMP(LIBC, strcasecmp, LOWER)
STRCMP(LIBC, __GI_strcasecmp, LOWER)
STRNCMP(LIBC, strncasecmp, LOWER)
STRNCMP(LIBC, __GI_strncasecmp, LOWER)
MEMCMP(LIBC, memcmp)
MEMCMP(LIBC, __GI_memcmp)
MEMCMP(LIBC, bcmp)
MEMCMP(LIBC, __memcmpeq)
MEMCMP(LDSO, memcmp)
MEMCMP(LDSO, bcmp)
STRCPY(LIBC, strcpy, dst)
STRCPY(LIBC, __GI_strcpy, dst)
STRCPY(LIBC, stpcpy, d)
STRCPY(LIBC, __GI_stpcpy, d)
STRCPY(LIBC, __stpcpy, d)
STRNCPY(LIBC, strncpy)
STRNCPY(LIBC, __GI_strncpy)
STRCAT(LIBC, strcat)
STRCAT(LIBC, __GI_strcat)
STRSPN(LIBC, strspn, 1)
STRSPN(LIBC, __GI_strspn, 1)
STRSPN(LIBC, strcspn, 0)
STRSPN(LIBC, __GI_strcspn, 0)
STRPBRK(LIBC, strpbrk)
STRPBRK(LIBC, __GI_strpbrk)
STRSTR(LIBC, strstr)
STRSTR(LIBC, __GI_strstr)
