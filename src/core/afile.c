/*
 * afile.c - see afile.h.
 */
#include "core/afile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"

char *jahs_afile_tmp_path(const char *path)
{
    jahs_buf b = {0};
    if (jahs_buf_printf(&b, "%s.tmp.%ld", path, (long)getpid()) != 0) {
        jahs_buf_free(&b);
        return NULL;
    }
    return b.data;
}

int jahs_afile_open(jahs_afile *af, const char *path, jahs_error *err)
{
    int rc;
    memset(af, 0, sizeof *af);
    rc = jahs_mkdirs_parent(path, err);
    if (rc)
        return rc;
    af->path = jahs_strdup(path);
    af->tmp = jahs_afile_tmp_path(path);
    if (!af->path || !af->tmp) {
        jahs_afile_abort(af);
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    }
    af->f = fopen(af->tmp, "wb");
    if (!af->f) {
        int e = errno;
        JAHS_FAIL(err, JAHS_EIO, "cannot create '%s': %s", af->tmp,
                  strerror(e));
        jahs_afile_abort(af);
        return JAHS_EIO;
    }
    return 0;
}

int jahs_afile_commit(jahs_afile *af, jahs_error *err)
{
    int bad;
    if (!af->f)
        return JAHS_FAIL(err, JAHS_ESTATE, "atomic file '%s' is not open",
                         af->path ? af->path : "?");
    bad = fflush(af->f) != 0 || ferror(af->f);
    bad = (fclose(af->f) != 0) || bad;
    af->f = NULL;
    if (bad) {
        JAHS_FAIL(err, JAHS_EIO, "cannot write '%s': %s", af->path,
                  strerror(errno));
        jahs_afile_abort(af);
        return JAHS_EIO;
    }
    if (rename(af->tmp, af->path) != 0) {
        int e = errno;
        JAHS_FAIL(err, JAHS_EIO, "cannot rename '%s' to '%s': %s", af->tmp,
                  af->path, strerror(e));
        jahs_afile_abort(af);
        return JAHS_EIO;
    }
    free(af->tmp);
    free(af->path);
    af->tmp = af->path = NULL;
    return 0;
}

void jahs_afile_abort(jahs_afile *af)
{
    if (af->f) {
        fclose(af->f);
        af->f = NULL;
    }
    if (af->tmp) {
        remove(af->tmp);
        free(af->tmp);
        af->tmp = NULL;
    }
    free(af->path);
    af->path = NULL;
}

int jahs_afile_write(const char *path, const char *data, size_t len,
                     jahs_error *err)
{
    jahs_afile af;
    int rc = jahs_afile_open(&af, path, err);
    if (rc)
        return rc;
    if (len && fwrite(data, 1, len, af.f) != len) {
        jahs_afile_abort(&af);
        return JAHS_FAIL(err, JAHS_EIO, "cannot write '%s'", path);
    }
    return jahs_afile_commit(&af, err);
}
