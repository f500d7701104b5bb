/*
 * afile.c - see afile.h.
 */
#include "core/afile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "core/util.h"

/* ---- temporaries removed on a signal ---------------------------------------
 * A fixed table of slots, filled and emptied with atomic exchanges so that
 * the handler (which may interrupt any thread, between any two
 * instructions) reads only whole pointers; a name is freed only after its
 * slot is empty.  With every slot taken a temporary is simply not
 * registered (it is still removed on every error path). */
#define TMP_SLOTS 256
static _Atomic(char *) tmp_slot[TMP_SLOTS];
static const int tmp_signals[] = {SIGINT, SIGTERM, SIGHUP};
static pthread_once_t tmp_once = PTHREAD_ONCE_INIT;

static void on_signal(int sig)
{
    int i, saved = errno;
    for (i = 0; i < TMP_SLOTS; i++) {
        char *p = atomic_exchange(&tmp_slot[i], NULL);
        if (p)
            unlink(p); /* async-signal-safe */
    }
    errno = saved;
    signal(sig, SIG_DFL);
    raise(sig); /* die of the signal, as without us */
}

/* Handle the signals whose handler is still the default (never replace one
 * a program or a test installed; ignored signals stay ignored). */
static void install_handlers(void)
{
    size_t i;
    for (i = 0; i < JAHS_ARRAY_LEN(tmp_signals); i++) {
        struct sigaction old, sa;
        if (sigaction(tmp_signals[i], NULL, &old) != 0 ||
            old.sa_handler != SIG_DFL || (old.sa_flags & SA_SIGINFO))
            continue;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(tmp_signals[i], &sa, NULL);
    }
}

static void tmp_register(char *p)
{
    int i;
    pthread_once(&tmp_once, install_handlers);
    for (i = 0; i < TMP_SLOTS; i++) {
        char *expect = NULL;
        if (atomic_compare_exchange_strong(&tmp_slot[i], &expect, p))
            return;
    }
}

static void tmp_unregister(const char *p)
{
    int i;
    for (i = 0; i < TMP_SLOTS; i++) {
        char *expect = (char *)p;
        if (atomic_compare_exchange_strong(&tmp_slot[i], &expect, NULL))
            return;
    }
}

char *jahs_afile_tmp_create(const char *path, int *fd, jahs_error *err)
{
    static const char digits[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    static atomic_uint counter;
    jahs_buf b = {0};
    int tries, f = -1, e = 0;
    if (jahs_mkdirs_parent(path, err) != 0)
        return NULL;
    for (tries = 0; tries < 100 && f < 0; tries++) {
        unsigned char r[8];
        size_t k;
        uint64_t x = jahs_mix64(((uint64_t)getpid() << 32) ^
                                atomic_fetch_add(&counter, 1) ^
                                (uint64_t)(jahs_now() * 1e9));
        /* unpredictable where the kernel helps, unique either way */
        if (getrandom(r, sizeof r, GRND_NONBLOCK) == (ssize_t)sizeof r)
            for (k = 0; k < sizeof r; k++)
                x ^= (uint64_t)r[k] << (8 * k);
        jahs_buf_reset(&b);
        if (jahs_buf_printf(&b, "%s.tmp.%ld.", path, (long)getpid())) {
            jahs_buf_free(&b);
            JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
            return NULL;
        }
        for (k = 0; k < 8; k++, x /= 36)
            jahs_buf_append(&b, &digits[x % 36], 1);
        if (!b.data) {
            JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
            return NULL;
        }
        f = open(b.data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                 0666);
        e = errno;
        if (f < 0 && e != EEXIST)
            break;
    }
    if (f < 0) {
        JAHS_FAIL(err, JAHS_EIO, "cannot create '%s': %s",
                  b.data ? b.data : path, strerror(e));
        jahs_buf_free(&b);
        return NULL;
    }
    tmp_register(b.data);
    if (fd)
        *fd = f;
    else
        close(f);
    return b.data;
}

void jahs_afile_tmp_remove(char *tmp)
{
    if (!tmp)
        return;
    tmp_unregister(tmp);
    remove(tmp);
    free(tmp);
}

int jahs_afile_tmp_commit(char *tmp, const char *path, jahs_error *err)
{
    if (rename(tmp, path) != 0) {
        int e = errno;
        JAHS_FAIL(err, JAHS_EIO, "cannot rename '%s' to '%s': %s", tmp, path,
                  strerror(e));
        jahs_afile_tmp_remove(tmp);
        return JAHS_EIO;
    }
    tmp_unregister(tmp);
    free(tmp);
    return 0;
}

int jahs_afile_tmp_count(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? jahs_strndup(path, (size_t)(slash - path + 1))
                      : jahs_strdup(".");
    const char *base = slash ? slash + 1 : path;
    size_t bl = strlen(base);
    DIR *d = dir ? opendir(dir) : NULL;
    struct dirent *ent;
    int n = 0;
    while (d && (ent = readdir(d)))
        n += strncmp(ent->d_name, base, bl) == 0 &&
             strncmp(ent->d_name + bl, ".tmp.", 5) == 0;
    if (d)
        closedir(d);
    free(dir);
    return n;
}

/* ---- atomic files ---------------------------------------------------------- */

int jahs_afile_open(jahs_afile *af, const char *path, jahs_error *err)
{
    int fd = -1;
    memset(af, 0, sizeof *af);
    if (!(af->path = jahs_strdup(path)))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    if (!(af->tmp = jahs_afile_tmp_create(path, &fd, err))) {
        jahs_afile_abort(af);
        return err ? err->code : JAHS_EIO;
    }
    if (!(af->f = fdopen(fd, "wb"))) {
        int e = errno;
        close(fd);
        JAHS_FAIL(err, JAHS_EIO, "cannot open '%s': %s", af->tmp,
                  strerror(e));
        jahs_afile_abort(af);
        return JAHS_EIO;
    }
    return 0;
}

int jahs_afile_commit(jahs_afile *af, jahs_error *err)
{
    int bad, rc;
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
    rc = jahs_afile_tmp_commit(af->tmp, af->path, err);
    af->tmp = NULL;
    free(af->path);
    af->path = NULL;
    return rc;
}

void jahs_afile_abort(jahs_afile *af)
{
    if (af->f) {
        fclose(af->f);
        af->f = NULL;
    }
    jahs_afile_tmp_remove(af->tmp);
    af->tmp = NULL;
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

int jahs_afile_write_in(const char *dir, const char *name, const char *data,
                        size_t len, jahs_error *err)
{
    char *path = jahs_path_join(dir, name);
    int rc = path ? jahs_afile_write(path, data ? data : "", len, err)
                  : JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    free(path);
    return rc;
}
