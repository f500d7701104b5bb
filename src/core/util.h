/*
 * util.h - small helpers shared by every layer: strict number parsing,
 * strings, a growable byte buffer, directories and file existence.
 */
#ifndef JAHS_CORE_UTIL_H
#define JAHS_CORE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define JAHS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Strict parsers: the whole string (surrounding blanks allowed) must be the
 * number.  Return 0 and write *out, or JAHS_EPARSE / JAHS_ERANGE without
 * touching err (callers know the context and write the message).
 */
int jahs_parse_double(const char *s, double *out);
int jahs_parse_long(const char *s, long *out);
int jahs_parse_u64(const char *s, uint64_t *out);
/* true/false, yes/no, on/off, 1/0 (case-insensitive). */
int jahs_parse_bool(const char *s, int *out);

/* malloc'd copy of s (NULL on allocation failure). */
char *jahs_strdup(const char *s);
/* malloc'd copy of the first n bytes of s, NUL-terminated. */
char *jahs_strndup(const char *s, size_t n);
/* Trim blanks in place; returns s advanced past leading blanks. */
char *jahs_strtrim(char *s);
/* Case-insensitive equality. */
int jahs_streq_nocase(const char *a, const char *b);

/*
 * Shortest "%.{15,16,17}g" text that reads back as exactly x (strtod round
 * trip); "nan", "inf", "-inf" for non-finite values.  buf needs 32 bytes.
 * Returns buf.
 */
char *jahs_format_double(char *buf, size_t size, double x);

/* A growable NUL-terminated byte buffer.  Zero-initialise; free with jahs_buf_free. */
typedef struct jahs_buf {
    char *data;
    size_t len, cap;
} jahs_buf;
int jahs_buf_append(jahs_buf *b, const char *s, size_t n);
int jahs_buf_puts(jahs_buf *b, const char *s);
int jahs_buf_printf(jahs_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void jahs_buf_reset(jahs_buf *b);
void jahs_buf_free(jahs_buf *b);

/*
 * Make the array *p (elements of elem bytes, capacity *cap) hold at least
 * need elements, doubling from 16.  0, or JAHS_ENOMEM with *p untouched.
 */
int jahs_grow(void **p, size_t *cap, size_t need, size_t elem);

/* mkdir -p; 0 or JAHS_EIO with the path in err. */
int jahs_mkdirs(const char *path, jahs_error *err);
/* mkdir -p of the directory part of path (nothing when there is none). */
int jahs_mkdirs_parent(const char *path, jahs_error *err);
/* 1 when path exists (any type), 0 otherwise. */
int jahs_path_exists(const char *path);
/* Join a and b with one '/'; malloc'd, NULL on allocation failure. */
char *jahs_path_join(const char *a, const char *b);
/* Read a whole file into a malloc'd NUL-terminated buffer. */
int jahs_read_file(const char *path, char **out, size_t *len, jahs_error *err);

/* Monotonic time in seconds. */
double jahs_now(void);

/* FNV-1a 64-bit hash of a NUL-terminated string. */
uint64_t jahs_hash_str(const char *s);
/* SplitMix64 finaliser: a good 64-bit mixing function. */
uint64_t jahs_mix64(uint64_t x);

#endif
