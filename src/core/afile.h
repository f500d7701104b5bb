/*
 * afile.h - atomic whole-file writes: write to a temporary file beside the
 * target, then rename over it on commit.  A reader never sees a half-written
 * result; an aborted or crashed write leaves the old file (or none).
 *
 * Temporaries are "<path>.tmp.<pid>.<random>", created with O_EXCL and
 * O_NOFOLLOW in the target's directory (never an existing file or a planted
 * symlink: issue 15, class 5), with the mode the umask gives.  While one
 * exists it is registered: SIGINT, SIGTERM and SIGHUP (when their handler is
 * the default) remove every registered temporary before the process dies
 * of the signal.  A SIGKILL leaves them; jahs_afile_tmp_count finds them.
 */
#ifndef JAHS_CORE_AFILE_H
#define JAHS_CORE_AFILE_H

#include <stdio.h>

#include "core/error.h"

typedef struct jahs_afile {
    FILE *f;     /* write through this */
    char *path;  /* final path */
    char *tmp;   /* temporary path (see above) */
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

/*
 * A fresh temporary beside path (parent directories created), registered
 * for removal on a signal.  Returns its name (malloc'd; give it back with
 * jahs_afile_tmp_commit or jahs_afile_tmp_remove) and, when fd is not
 * NULL, an open descriptor on it (the caller closes it); NULL with err
 * filled when it cannot be created.
 */
char *jahs_afile_tmp_create(const char *path, int *fd, jahs_error *err);
/* Rename tmp over path; tmp is unregistered and freed either way (removed
 * when the rename fails). */
int jahs_afile_tmp_commit(char *tmp, const char *path, jahs_error *err);
/* Remove, unregister and free tmp; NULL is a no-op. */
void jahs_afile_tmp_remove(char *tmp);
/* How many temporaries of path ("<path>.tmp.*") exist now: 0 after every
 * commit, abort or handled signal. */
int jahs_afile_tmp_count(const char *path);

/* Write the whole of data to path atomically. */
int jahs_afile_write(const char *path, const char *data, size_t len,
                     jahs_error *err);
/* The same to dir/name (joined without a length limit). */
int jahs_afile_write_in(const char *dir, const char *name, const char *data,
                        size_t len, jahs_error *err);

#endif
