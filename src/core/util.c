/*
 * util.c - see util.h.
 */
#include "core/util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

static const char *skip_blank(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return s;
}

int jahs_parse_double(const char *s, double *out)
{
    char *end;
    double v;
    if (!s)
        return JAHS_EPARSE;
    s = skip_blank(s);
    if (!*s)
        return JAHS_EPARSE;
    errno = 0;
    v = strtod(s, &end);
    if (end == s)
        return JAHS_EPARSE;
    end = (char *)skip_blank(end);
    if (*end)
        return JAHS_EPARSE;
    if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL))
        return JAHS_ERANGE;
    *out = v;
    return 0;
}

int jahs_parse_long(const char *s, long *out)
{
    char *end;
    long v;
    if (!s)
        return JAHS_EPARSE;
    s = skip_blank(s);
    if (!*s)
        return JAHS_EPARSE;
    errno = 0;
    v = strtol(s, &end, 10);
    if (end == s)
        return JAHS_EPARSE;
    end = (char *)skip_blank(end);
    if (*end)
        return JAHS_EPARSE;
    if (errno == ERANGE)
        return JAHS_ERANGE;
    *out = v;
    return 0;
}

int jahs_parse_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    if (!s)
        return JAHS_EPARSE;
    s = skip_blank(s);
    if (!*s || *s == '-')
        return JAHS_EPARSE;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (end == s)
        return JAHS_EPARSE;
    end = (char *)skip_blank(end);
    if (*end)
        return JAHS_EPARSE;
    if (errno == ERANGE)
        return JAHS_ERANGE;
    *out = (uint64_t)v;
    return 0;
}

int jahs_parse_bool(const char *s, int *out)
{
    static const char *yes[] = {"true", "yes", "on", "1"};
    static const char *no[] = {"false", "no", "off", "0"};
    size_t i;
    if (!s)
        return JAHS_EPARSE;
    for (i = 0; i < JAHS_ARRAY_LEN(yes); i++) {
        if (jahs_streq_nocase(s, yes[i])) {
            *out = 1;
            return 0;
        }
        if (jahs_streq_nocase(s, no[i])) {
            *out = 0;
            return 0;
        }
    }
    return JAHS_EPARSE;
}

char *jahs_strdup(const char *s)
{
    return s ? jahs_strndup(s, strlen(s)) : NULL;
}

char *jahs_strndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *jahs_strtrim(char *s)
{
    size_t n;
    while (*s && isspace((unsigned char)*s))
        s++;
    n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

int jahs_streq_nocase(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

char *jahs_format_double(char *buf, size_t size, double x)
{
    int prec;
    if (isnan(x)) {
        snprintf(buf, size, "nan");
        return buf;
    }
    if (isinf(x)) {
        snprintf(buf, size, x > 0 ? "inf" : "-inf");
        return buf;
    }
    for (prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    return buf;
}

int jahs_buf_append(jahs_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        char *p;
        while (cap < b->len + n + 1)
            cap *= 2;
        p = realloc(b->data, cap);
        if (!p)
            return JAHS_ENOMEM;
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int jahs_buf_puts(jahs_buf *b, const char *s)
{
    return jahs_buf_append(b, s, strlen(s));
}

int jahs_buf_printf(jahs_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return JAHS_EINVAL;
    if ((size_t)n < sizeof small)
        return jahs_buf_append(b, small, (size_t)n);
    {
        char *big = malloc((size_t)n + 1);
        int rc;
        if (!big)
            return JAHS_ENOMEM;
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        rc = jahs_buf_append(b, big, (size_t)n);
        free(big);
        return rc;
    }
}

void jahs_buf_reset(jahs_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void jahs_buf_free(jahs_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int jahs_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    size_t c;
    void *q;
    if (need <= *cap)
        return 0;
    c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    q = realloc(*p, c * elem);
    if (!q)
        return JAHS_ENOMEM;
    *p = q;
    *cap = c;
    return 0;
}

int jahs_mkdirs(const char *path, jahs_error *err)
{
    char *p = jahs_strdup(path);
    char *q;
    if (!p)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    for (q = p + 1; *q; q++) {
        if (*q != '/')
            continue;
        *q = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            int e = errno;
            JAHS_FAIL(err, JAHS_EIO, "cannot create directory '%s': %s", p,
                      strerror(e));
            free(p);
            return JAHS_EIO;
        }
        *q = '/';
    }
    if (mkdir(p, 0777) != 0 && errno != EEXIST) {
        int e = errno;
        JAHS_FAIL(err, JAHS_EIO, "cannot create directory '%s': %s", p,
                  strerror(e));
        free(p);
        return JAHS_EIO;
    }
    free(p);
    return 0;
}

int jahs_mkdirs_parent(const char *path, jahs_error *err)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    int rc;
    if (!slash || slash == path)
        return 0;
    dir = jahs_strndup(path, (size_t)(slash - path));
    if (!dir)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    rc = jahs_mkdirs(dir, err);
    free(dir);
    return rc;
}

int jahs_path_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

char *jahs_path_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int slash = la > 0 && a[la - 1] != '/';
    char *p = malloc(la + lb + 2);
    if (!p)
        return NULL;
    memcpy(p, a, la);
    if (slash)
        p[la++] = '/';
    memcpy(p + la, b, lb + 1);
    return p;
}

int jahs_read_file(const char *path, char **out, size_t *len, jahs_error *err)
{
    FILE *f = fopen(path, "rb");
    jahs_buf b = {0};
    char chunk[65536];
    size_t n;
    if (!f)
        return JAHS_FAIL(err, JAHS_EIO, "cannot open '%s': %s", path,
                         strerror(errno));
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (jahs_buf_append(&b, chunk, n) != 0) {
            fclose(f);
            jahs_buf_free(&b);
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory reading '%s'",
                             path);
        }
    }
    if (ferror(f)) {
        fclose(f);
        jahs_buf_free(&b);
        return JAHS_FAIL(err, JAHS_EIO, "cannot read '%s'", path);
    }
    fclose(f);
    if (!b.data && jahs_buf_append(&b, "", 0) != 0)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    *out = b.data;
    if (len)
        *len = b.len;
    return 0;
}

double jahs_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

uint64_t jahs_hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    while (*s) {
        h ^= (unsigned char)*s++;
        h *= 1099511628211ULL;
    }
    return h;
}

uint64_t jahs_mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}
