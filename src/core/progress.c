/*
 * progress.c - see progress.h.
 */
#include "core/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/util.h"

void jahs_progress_start(jahs_progress *p, const char *label, double total)
{
    const char *force = getenv("JAHS_PROGRESS");
    p->label = label;
    p->total = total > 0 ? total : 1;
    p->done = 0;
    p->start = p->last_draw = jahs_now();
    p->drawn = 0;
    p->enabled = (force && *force == '1') ||
                 (isatty(STDERR_FILENO) && !getenv("JAHS_QUIET"));
}

static void draw(jahs_progress *p)
{
    enum { WIDTH = 30 };
    double frac = p->done / p->total, el = jahs_now() - p->start;
    int fill, i;
    char bar[WIDTH + 1];
    if (frac < 0)
        frac = 0;
    if (frac > 1)
        frac = 1;
    fill = (int)(frac * WIDTH + 0.5);
    for (i = 0; i < WIDTH; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[WIDTH] = '\0';
    if (frac > 0 && frac < 1)
        fprintf(stderr, "\r%s [%s] %5.1f%%  %.0fs elapsed, ~%.0fs left ",
                p->label, bar, 100 * frac, el, el * (1 - frac) / frac);
    else
        fprintf(stderr, "\r%s [%s] %5.1f%%  %.0fs elapsed          ", p->label,
                bar, 100 * frac, el);
    fflush(stderr);
    p->drawn = 1;
}

void jahs_progress_update(jahs_progress *p, double done)
{
    double now;
    p->done = done;
    if (!p->enabled)
        return;
    now = jahs_now();
    if (now - p->last_draw < 0.1 && p->drawn)
        return;
    p->last_draw = now;
    draw(p);
}

void jahs_progress_finish(jahs_progress *p)
{
    if (!p->enabled)
        return;
    p->done = p->total;
    draw(p);
    fputc('\n', stderr);
}
