/* arr_error.c - the thread-local last error: arr__fail, arr_errcode,
 * arr_errmsg, arr_strerror. */
#include "arr_error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local arr_err_t last_code;
static _Thread_local char last_msg[512];

static void set_error_v(arr_err_t code, const char *fmt, va_list ap)
{
    last_code = code;
    vsnprintf(last_msg, sizeof last_msg, fmt, ap);
}

int arr__fail(arr_err_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_error_v(code, fmt, ap);
    va_end(ap);
    return -1;
}

void *arr__fail_p(arr_err_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_error_v(code, fmt, ap);
    va_end(ap);
    return NULL;
}

arr_err_t arr_errcode(void) { return last_code; }
const char *arr_errmsg(void) { return last_code == ARR_OK ? "no error" : last_msg; }
void arr_clear_error(void)
{
    last_code = ARR_OK;
    last_msg[0] = '\0';
}

const char *arr_strerror(arr_err_t code)
{
    switch (code) {
    case ARR_OK: return "ARR_OK";
    case ARR_EINVAL: return "ARR_EINVAL";
    case ARR_ENOMEM: return "ARR_ENOMEM";
    case ARR_EOVERFLOW: return "ARR_EOVERFLOW";
    case ARR_EINDEX: return "ARR_EINDEX";
    case ARR_ESYNTAX: return "ARR_ESYNTAX";
    case ARR_ESHAPE: return "ARR_ESHAPE";
    case ARR_ECOPY: return "ARR_ECOPY";
    case ARR_EREADONLY: return "ARR_EREADONLY";
    case ARR_ENOTLIVE: return "ARR_ENOTLIVE";
    case ARR_EORPHAN: return "ARR_EORPHAN";
    case ARR_ETOOHARD: return "ARR_ETOOHARD";
    case ARR_ETYPE: return "ARR_ETYPE";
    }
    return "ARR_E?";
}
