/*
 * error.h - error and progress codes, and the error record filled on failure.
 *
 * One X-macro list generates the enum, the messages and the names (the libuv
 * pattern).  Functions in src/ return 0 on success or a negative JAHS_E* code,
 * and fill a jahs_error only when they fail.  Positive codes are progress
 * codes (JAHS_WAIT, JAHS_DONE; SQLite's SQLITE_ROW / SQLITE_DONE idea).
 */
#ifndef JAHS_CORE_ERROR_H
#define JAHS_CORE_ERROR_H

#include <stdarg.h>

/* X(name, value, message) */
#define JAHS_ERRNO_MAP(X)                                                      \
    X(EINVAL, -1, "invalid argument")                                          \
    X(ENOMEM, -2, "out of memory")                                             \
    X(EIO, -3, "input/output error")                                           \
    X(EPARSE, -4, "parse error")                                               \
    X(EFORMAT, -5, "bad file format")                                          \
    X(ERANGE, -6, "value out of range")                                        \
    X(ENOTFOUND, -7, "not found")                                              \
    X(EUNSUPPORTED, -8, "not supported")                                       \
    X(EHDF5, -9, "HDF5 error")                                                 \
    X(EGSL, -10, "GSL error")                                                  \
    X(ECUDA, -11, "CUDA error")                                                \
    X(ESTATE, -12, "invalid state")                                            \
    X(EUNAVAILABLE, -13, "resource unavailable")                               \
    X(ENUMERIC, -14, "numerical failure")                                      \
    X(EMPI, -15, "MPI error")                                                  \
    X(EUSAGE, -16, "usage error")

enum {
#define JAHS_X_ENUM(name, value, msg) JAHS_##name = (value),
    JAHS_ERRNO_MAP(JAHS_X_ENUM)
#undef JAHS_X_ENUM
    JAHS_OK = 0,
    /* progress codes: not errors */
    JAHS_WAIT = 1, /* nothing can start until a result comes back */
    JAHS_DONE = 2  /* the producer has nothing more to give */
};

#define JAHS_ERROR_MSG_MAX 1024

/*
 * The record of one failure: the code, a message a user can act on (lower
 * case, no full stop, subjects in quotes) and the source location that raised
 * it.  Zero-initialise it; it is only written when a function fails.
 */
typedef struct jahs_error {
    int code;
    const char *file; /* source file that raised the error (static string) */
    int line;
    char msg[JAHS_ERROR_MSG_MAX];
} jahs_error;

/* Message for a code ("invalid argument"); "unknown error" for others. */
const char *jahs_strerror(int code);

/* Name of a code without prefix ("EINVAL", "OK", "WAIT"); "UNKNOWN" otherwise. */
const char *jahs_error_name(int code);

/*
 * Fill err (which may be NULL) with code, location and a printf-style message;
 * return code so that callers can write `return JAHS_FAIL(err, ...)`.
 * An empty or NULL fmt uses the code's message.
 */
int jahs_error_set(jahs_error *err, int code, const char *file, int line,
                   const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
int jahs_error_vset(jahs_error *err, int code, const char *file, int line,
                    const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

/* Prefix err->msg with "prefix: " (for adding context while unwinding). */
void jahs_error_prefix(jahs_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Record a failure at the caller's location: return JAHS_FAIL(err, JAHS_EIO, "cannot open '%s'", p); */
#define JAHS_FAIL(err, code, ...)                                              \
    jahs_error_set((err), (code), __FILE__, __LINE__, __VA_ARGS__)

#endif
