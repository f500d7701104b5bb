/*
 * log.c - see log.h.
 */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int level = -1;

static int env_level(void)
{
    const char *e = getenv("JAHS_LOG");
    if (!e)
        return JAHS_LOG_INFO;
    if (strcmp(e, "debug") == 0)
        return JAHS_LOG_DEBUG;
    if (strcmp(e, "warn") == 0)
        return JAHS_LOG_WARN;
    if (strcmp(e, "quiet") == 0)
        return JAHS_LOG_QUIET;
    return JAHS_LOG_INFO;
}

void jahs_log_set_level(int l) { level = l; }

int jahs_log_level(void)
{
    if (level < 0)
        level = env_level();
    return level;
}

void jahs_log(int l, const char *fmt, ...)
{
    va_list ap;
    if (l < jahs_log_level())
        return;
    fputs(l == JAHS_LOG_WARN ? "jahs: warning: " : "jahs: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
