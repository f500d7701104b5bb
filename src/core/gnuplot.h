/*
 * gnuplot.h - running gnuplot for the plots of the report and the analyses:
 * found on PATH without a shell, run with the script as an argument (never
 * through a shell, so no path needs quoting), strings quoted for its
 * scripts.
 */
#ifndef JAHS_CORE_GNUPLOT_H
#define JAHS_CORE_GNUPLOT_H

#include "core/error.h"
#include "core/util.h"

/* 1 when plots are wanted and possible: gnuplot is on PATH and
 * $JAHS_NO_PLOTS is unset. */
int jahs_gnuplot_enabled(void);

/* Run `gnuplot script` (its output to /dev/null): 0, or JAHS_EIO naming the
 * script when it cannot start or fails. */
int jahs_gnuplot_run(const char *script, jahs_error *err);

/* Append s to b with '"' and '\' escaped (inside a "..." gnuplot string). */
void jahs_gnuplot_escape(jahs_buf *b, const char *s);

#endif
