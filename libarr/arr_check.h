/* arr_check.h - internal: the native checker (arr_check.c, ARR_CHECK=1). */
#ifndef ARR_CHECK_H
#define ARR_CHECK_H

/* Defined in arr_check.c; arr_owner.c refers to it so a static link keeps
 * the checker (its constructor reads ARR_CHECK) in every program that makes
 * an array. */
extern const char arr__check_anchor;

#endif /* ARR_CHECK_H */
