/*
 * progress.h - a one-line progress bar on stderr, drawn only when stderr is
 * a terminal (quiet in pipes, logs and CI), redrawn at most every 0.1 s.
 */
#ifndef JAHS_CORE_PROGRESS_H
#define JAHS_CORE_PROGRESS_H

#include <stddef.h>

typedef struct jahs_progress {
    const char *label;
    double total;
    double done;
    double start, last_draw;
    int enabled;
    int drawn;
} jahs_progress;

/* Start a bar for total units; enabled when stderr is a tty and JAHS_QUIET is
 * unset (force with JAHS_PROGRESS=1 for testing). */
void jahs_progress_start(jahs_progress *p, const char *label, double total);
/* Set the units done (redraws when due). */
void jahs_progress_update(jahs_progress *p, double done);
/* Draw the final state and end the line. */
void jahs_progress_finish(jahs_progress *p);

#endif
