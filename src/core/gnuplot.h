/*
 * gnuplot.h - running gnuplot for the plots of the report and the analyses:
 * found on PATH, started with posix_spawnp and an argument vector (never
 * through a shell, so no path needs shell quoting), every string it reads
 * escaped, and what it wrote checked before it is renamed into place.
 */
#ifndef JAHS_CORE_GNUPLOT_H
#define JAHS_CORE_GNUPLOT_H

#include "core/error.h"
#include "core/util.h"

/* 1 when plots are wanted and possible: gnuplot is on PATH and
 * $JAHS_NO_PLOTS is unset. */
int jahs_gnuplot_enabled(void);
/* Why jahs_gnuplot_enabled is 0, for a message: "plots are switched off
 * ($JAHS_NO_PLOTS)" or "gnuplot not found ..."; NULL when it is 1. */
const char *jahs_gnuplot_why_not(void);

/* Run `gnuplot [-e setup] script` (its output to /dev/null): 0, or JAHS_EIO
 * naming the script when it cannot start or fails.  setup may be NULL. */
int jahs_gnuplot_run(const char *script, const char *setup, jahs_error *err);

/* Append s to b as the inside of a "..." gnuplot string: '"' and '\'
 * escaped, newlines as \n and other control bytes as octal \ooo, so no
 * string can end the line or the string early. */
void jahs_gnuplot_escape(jahs_buf *b, const char *s);

/*
 * Render dir/base.svg and dir/base.png from the script `head` (data blocks
 * and settings) plus, per terminal, `body` (the drawing commands: "plot
 * ..." or a whole multiplot), text not enhanced (labels are shown as
 * they are).  The script is kept as
 * dir/base.gp and names the images by their final names relative to dir
 * (so `cd dir && gnuplot base.gp` redraws them, and identical runs write
 * identical scripts); jahs passes temporaries (afile.h) through `-e`
 * instead.  Each image is checked before it is renamed into place:
 * non-empty, the format's signature and its end (PNG: the IEND chunk, SVG:
 * the closing </svg>), so a full disk or a killed gnuplot is an error
 * naming the file, never a truncated image.  size: "900,600".
 */
int jahs_gnuplot_render(const char *dir, const char *base, const char *size,
                        const char *head, const char *body, jahs_error *err);

/* 0 when the file at path is a whole PNG (png 1) or SVG (png 0), else
 * JAHS_EIO with what is wrong and `name` in err. */
int jahs_gnuplot_check_image(const char *path, int png, const char *name,
                             jahs_error *err);

#endif
