/*
 * error.c - messages and names of the codes in error.h, and the error record.
 */
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *jahs_strerror(int code)
{
    switch (code) {
#define JAHS_X_MSG(name, value, msg)                                           \
    case JAHS_##name:                                                          \
        return msg;
        JAHS_ERRNO_MAP(JAHS_X_MSG)
#undef JAHS_X_MSG
    case JAHS_OK:
        return "success";
    case JAHS_WAIT:
        return "waiting for results";
    case JAHS_DONE:
        return "done";
    default:
        return "unknown error";
    }
}

const char *jahs_error_name(int code)
{
    switch (code) {
#define JAHS_X_NAME(name, value, msg)                                          \
    case JAHS_##name:                                                          \
        return #name;
        JAHS_ERRNO_MAP(JAHS_X_NAME)
#undef JAHS_X_NAME
    case JAHS_OK:
        return "OK";
    case JAHS_WAIT:
        return "WAIT";
    case JAHS_DONE:
        return "DONE";
    default:
        return "UNKNOWN";
    }
}

int jahs_error_vset(jahs_error *err, int code, const char *file, int line,
                    const char *fmt, va_list ap)
{
    if (!err)
        return code;
    err->code = code;
    err->file = file;
    err->line = line;
    if (!fmt || !*fmt) {
        snprintf(err->msg, sizeof err->msg, "%s", jahs_strerror(code));
    } else {
        /* a message longer than msg (a long path in it) keeps its head and
         * its tail, where the reason is, with "[...]" between */
        va_list ap2;
        char *full = NULL;
        int n;
        va_copy(ap2, ap);
        n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        if (n >= (int)sizeof err->msg &&
            (full = malloc((size_t)n + 1)) != NULL) {
            size_t keep = sizeof err->msg / 2 - 4;
            vsnprintf(full, (size_t)n + 1, fmt, ap2);
            memcpy(err->msg, full, keep);
            memcpy(err->msg + keep, "[...]", 5);
            memcpy(err->msg + keep + 5, full + n - (sizeof err->msg - keep - 6),
                   sizeof err->msg - keep - 6);
            err->msg[sizeof err->msg - 1] = '\0';
            free(full);
        }
        va_end(ap2);
    }
    return code;
}

int jahs_error_set(jahs_error *err, int code, const char *file, int line,
                   const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    jahs_error_vset(err, code, file, line, fmt, ap);
    va_end(ap);
    return code;
}

void jahs_error_prefix(jahs_error *err, const char *fmt, ...)
{
    char head[JAHS_ERROR_MSG_MAX], old[JAHS_ERROR_MSG_MAX];
    size_t hl, ol;
    va_list ap;
    if (!err)
        return;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    old[sizeof old - 1] = '\0';
    hl = strlen(head);
    if (hl > sizeof err->msg - 3)
        hl = sizeof err->msg - 3;
    memcpy(err->msg, head, hl);
    memcpy(err->msg + hl, ": ", 2);
    ol = strlen(old);
    if (ol > sizeof err->msg - hl - 3)
        ol = sizeof err->msg - hl - 3;
    memcpy(err->msg + hl + 2, old, ol);
    err->msg[hl + 2 + ol] = '\0';
}
