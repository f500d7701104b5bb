/*
 * afile.h - atomic whole-file writes: write to a temporary file beside the
 * target, then rename over it on commit.  A reader never sees a half-written
 * result; an aborted or crashed write leaves the old file (or none).
 */
#ifndef JAHS_CORE_AFILE_H
#define JAHS_CORE_AFILE_H

#include <stdio.h>

#include "core/error.h"

typedef struct jahs_afile {
    FILE *f;     /* write through this */
    char *path;  /* final path */
    char *tmp;   /* temporary path: "<path>.tmp.<pid>" */
} jahs_afile;

/*
 * Open a temporary file for path (creating parent directories).  On success
 * af->f is ready for writing; finish with jahs_afile_commit or _abort.
 */
int jahs_afile_open(jahs_afile *af, const char *path, jahs_error *err);
/* Flush, close and rename over the target; on any failure the temporary is
 * removed and the target untouched.  af is released either way. */
int jahs_afile_commit(jahs_afile *af, jahs_error *err);
/* Close and remove the temporary; the target is untouched.  Idempotent. */
void jahs_afile_abort(jahs_afile *af);

/* The temporary path jahs_afile_open uses for path (malloc'd). */
char *jahs_afile_tmp_path(const char *path);

/* Write the whole of data to path atomically. */
int jahs_afile_write(const char *path, const char *data, size_t len,
                     jahs_error *err);

#endif
