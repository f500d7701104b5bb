/*
 * log.h - messages to stderr with a level; JAHS_LOG=debug|info|warn|quiet
 * or jahs_log_set_level choose what is shown (default info).
 */
#ifndef JAHS_CORE_LOG_H
#define JAHS_CORE_LOG_H

enum { JAHS_LOG_DEBUG = 0, JAHS_LOG_INFO = 1, JAHS_LOG_WARN = 2, JAHS_LOG_QUIET = 3 };

void jahs_log_set_level(int level);
int jahs_log_level(void);
void jahs_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define jahs_debug(...) jahs_log(JAHS_LOG_DEBUG, __VA_ARGS__)
#define jahs_info(...) jahs_log(JAHS_LOG_INFO, __VA_ARGS__)
#define jahs_warn(...) jahs_log(JAHS_LOG_WARN, __VA_ARGS__)

#endif
