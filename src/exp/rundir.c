/*
 * rundir.c - see rundir.h.
 */
#include "exp/rundir.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/afile.h"
#include "core/conf.h"
#include "core/util.h"
#include "exp/journal.h"
#include "space/space_file.h"

#define EXPERIMENT_FILE "experiment.exp"
#define OVERRIDES_FILE "overrides.txt"

char *jahs_rundir_unit_path(const char *dir, const jahs_exp_row *r,
                            uint64_t seed, jahs_unit_file f)
{
    static const char *const ext[] = {"csv", "done", "settings"};
    jahs_buf b = {0};
    if (jahs_buf_printf(&b, "%s/runs/%s/seed%llu.%s", dir, r->slug,
                        (unsigned long long)seed, ext[f])) {
        jahs_buf_free(&b);
        return NULL;
    }
    return b.data;
}

char *jahs_rundir_checkpoints(const char *dir, const jahs_exp_row *r)
{
    jahs_buf b = {0};
    if (jahs_buf_printf(&b, "%s/checkpoints/%s", dir, r->slug)) {
        jahs_buf_free(&b);
        return NULL;
    }
    return b.data;
}

/* nftw callback: remove everything, depth first */
static int remove_entry(const char *p, const struct stat *sb, int flag,
                        struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p) != 0 && errno != ENOENT ? -1 : 0;
}

char *jahs_rundir_default(const jahs_experiment *e, const char *suffix)
{
    jahs_buf b = {0};
    if (jahs_buf_printf(&b, "results/%s%s", e->name, suffix)) {
        jahs_buf_free(&b);
        return NULL;
    }
    return b.data;
}


int jahs_rundir_prepare(const char *dir, const jahs_experiment *e,
                        jahs_error *err)
{
    char *text;
    size_t len;
    int rc;
    if ((rc = jahs_mkdirs(dir, err)) ||
        (rc = jahs_read_file(e->path, &text, &len, err)))
        return rc;
    rc = jahs_afile_write_in(dir, EXPERIMENT_FILE, text, len, err);
    free(text);
    if (rc)
        return rc;
    return jahs_afile_write_in(dir, OVERRIDES_FILE, e->overrides.data, e->overrides.len,
                    err);
}

jahs_experiment *jahs_rundir_experiment(const char *dir, jahs_error *err)
{
    char *path = jahs_path_join(dir, EXPERIMENT_FILE);
    char *ov = jahs_path_join(dir, OVERRIDES_FILE), *text = NULL, *line;
    char *save = NULL;
    jahs_experiment *e = NULL;
    struct stat st;
    if (!path || !ov) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        JAHS_FAIL(err, JAHS_ENOTFOUND,
                  "run directory '%s' does not exist: it is not a results "
                  "directory of 'jahs run' (expected experiment.exp and "
                  "runs/)",
                  dir);
        goto out;
    }
    if (!jahs_path_exists(path)) {
        JAHS_FAIL(err, JAHS_ENOTFOUND,
                  "'%s' is missing: '%s' is not a results directory of 'jahs "
                  "run' (expected experiment.exp and runs/<row>/seed<k>.csv)",
                  path, dir);
        goto out;
    }
    if (!(e = jahs_experiment_load(path, err)) || !jahs_path_exists(ov))
        goto out;
    if (jahs_read_file(ov, &text, NULL, err)) {
        jahs_experiment_free(e);
        e = NULL;
        goto out;
    }
    for (line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (!strchr(line, '='))
            continue;
        if (jahs_experiment_set_text(e, line, err)) {
            jahs_error_prefix(err, "%s", ov);
            jahs_experiment_free(e);
            e = NULL;
            goto out;
        }
    }
out:
    free(text);
    free(path);
    free(ov);
    return e;
}

/* ---- units ----------------------------------------------------------------- */

/* The settings check; write: record them for a unit without results. */
static int unit_settings(const char *dir, const jahs_experiment *e,
                         const jahs_exp_row *r, uint64_t seed, int write,
                         jahs_error *err)
{
    char *journal = jahs_rundir_unit_path(dir, r, seed, JAHS_UNIT_JOURNAL);
    char *path = jahs_rundir_unit_path(dir, r, seed, JAHS_UNIT_SETTINGS);
    char *want = NULL, *have = NULL;
    int rc;
    if (!journal || !path) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    if ((write && (rc = jahs_mkdirs_parent(journal, err))) ||
        (rc = jahs_exp_row_settings(e, r, &want, err)))
        goto out;
    if (!jahs_path_exists(journal) || !jahs_path_exists(path)) {
        jahs_buf b = {0};
        if (jahs_path_exists(journal)) {
            rc = JAHS_FAIL(err, JAHS_ESTATE,
                           "'%s' has no settings record ('%s'); remove the "
                           "results directory or run with --fresh",
                           journal, path);
            goto out;
        }
        if (!write)
            goto out;
        jahs_buf_printf(&b, "%s\n", want);
        rc = jahs_afile_write(path, b.data, b.len, err);
        jahs_buf_free(&b);
        goto out;
    }
    if ((rc = jahs_read_file(path, &have, NULL, err)))
        goto out;
    if (strcmp(jahs_strtrim(have), want) != 0)
        rc = JAHS_FAIL(err, JAHS_ESTATE,
                       "'%s' was made with other settings than [%s] now has "
                       "(recorded in '%s'); use another --out directory or run "
                       "with --fresh to discard it",
                       journal, r->label, path);
out:
    free(have);
    free(want);
    free(path);
    free(journal);
    return rc;
}

int jahs_rundir_unit_settings(const char *dir, const jahs_experiment *e,
                              const jahs_exp_row *r, uint64_t seed,
                              jahs_error *err)
{
    return unit_settings(dir, e, r, seed, 1, err);
}

int jahs_rundir_unit_check(const char *dir, const jahs_experiment *e,
                           const jahs_exp_row *r, uint64_t seed,
                           jahs_error *err)
{
    return unit_settings(dir, e, r, seed, 0, err);
}

int jahs_rundir_unit_done(const char *dir, const jahs_exp_row *r,
                          uint64_t seed)
{
    char *path = jahs_rundir_unit_path(dir, r, seed, JAHS_UNIT_DONE);
    int done = path && jahs_path_exists(path);
    free(path);
    return done;
}

int jahs_rundir_unit_finish(const char *dir, const jahs_exp_row *r,
                            uint64_t seed, int64_t trials,
                            const jahs_incumbent *inc, jahs_error *err)
{
    char *path = jahs_rundir_unit_path(dir, r, seed, JAHS_UNIT_DONE);
    jahs_buf b = {0};
    int rc;
    jahs_buf_printf(&b,
                    "row = %s\nseed = %llu\ntrials = %lld\n"
                    "incumbent_trial = %lld\nincumbent_epochs = %d\n"
                    "incumbent_val = %.17g\nincumbent_test = %.17g\n",
                    r->label, (unsigned long long)seed, (long long)trials,
                    (long long)inc->trial, inc->epochs, inc->val, inc->test);
    rc = path && b.data ? jahs_afile_write(path, b.data, b.len, err)
                        : JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    jahs_buf_free(&b);
    free(path);
    return rc;
}

int jahs_rundir_unit_discard(const char *dir, const jahs_exp_row *r,
                             uint64_t seed, jahs_error *err)
{
    int f;
    for (f = JAHS_UNIT_JOURNAL; f <= JAHS_UNIT_SETTINGS; f++) {
        char *p = jahs_rundir_unit_path(dir, r, seed, (jahs_unit_file)f);
        int rc = 0;
        if (!p)
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        if (remove(p) != 0 && errno != ENOENT)
            rc = JAHS_FAIL(err, JAHS_EIO, "cannot remove '%s': %s", p,
                           strerror(errno));
        free(p);
        if (rc)
            return rc;
    }
    { /* its live checkpoints, which are its results too */
        char *ck = jahs_rundir_checkpoints(dir, r);
        jahs_buf b = {0};
        int rc = 0;
        if (!ck || jahs_buf_printf(&b, "%s/seed%llu", ck,
                                   (unsigned long long)seed))
            rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        else if (jahs_path_exists(b.data) &&
                 nftw(b.data, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
            rc = JAHS_FAIL(err, JAHS_EIO, "cannot remove '%s': %s", b.data,
                           strerror(errno));
        free(ck);
        jahs_buf_free(&b);
        return rc;
    }
}

/* ---- the lock ----------------------------------------------------------------- */

struct jahs_rundir_lock {
    int fd;
};

/* flock (how: LOCK_EX or LOCK_SH) on the directory itself: nothing is
 * written (a read-only directory can be locked), and the lock dies with its
 * process, so a killed run leaves no stale lock. */
static int lock_dir(const char *dir, int how, jahs_rundir_lock **lock,
                    jahs_error *err)
{
    int fd;
    *lock = NULL;
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return JAHS_FAIL(err, JAHS_EIO, "cannot open '%s': %s", dir,
                         strerror(errno));
    if (flock(fd, how | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        if (e == EWOULDBLOCK)
            return JAHS_FAIL(err, JAHS_ESTATE,
                             "'%s' is in use by another jahs process (wait "
                             "for it to finish, or use another --out)",
                             dir);
        return JAHS_FAIL(err, JAHS_EIO, "cannot lock '%s': %s", dir,
                         strerror(e));
    }
    if (!(*lock = malloc(sizeof **lock))) {
        close(fd);
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    }
    (*lock)->fd = fd;
    return 0;
}

int jahs_rundir_lock_take(const char *dir, jahs_rundir_lock **lock,
                          jahs_error *err)
{
    int rc;
    *lock = NULL;
    if ((rc = jahs_mkdirs(dir, err)))
        return rc;
    return lock_dir(dir, LOCK_EX, lock, err);
}

int jahs_rundir_lock_shared(const char *dir, jahs_rundir_lock **lock,
                            jahs_error *err)
{
    return lock_dir(dir, LOCK_SH, lock, err);
}

void jahs_rundir_unlock(jahs_rundir_lock *lock)
{
    if (!lock)
        return;
    close(lock->fd); /* releases the flock */
    free(lock);
}

/* ---- reading ------------------------------------------------------------------ */

/* Case-insensitive substring test. */
static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle), i, j;
    if (n == 0)
        return 1;
    for (i = 0; hay[i]; i++) {
        for (j = 0; j < n && hay[i + j]; j++)
            if (tolower((unsigned char)hay[i + j]) !=
                tolower((unsigned char)needle[j]))
                break;
        if (j == n)
            return 1;
    }
    return 0;
}

void jahs_rundir_free(jahs_rundir *rd)
{
    int i, s;
    if (!rd)
        return;
    for (i = 0; rd->rows && i < rd->n_rows; i++) {
        jahs_rundir_row *r = &rd->rows[i];
        for (s = 0; r->seeds && s < r->n_seeds; s++) {
            free(r->seeds[s].path);
            free(r->seeds[s].rows);
        }
        free(r->seeds);
        jahs_space_free(r->space);
    }
    free(rd->rows);
    if (rd->owns_e)
        jahs_experiment_free(rd->e);
    free(rd->path);
    free(rd);
}

/* The unit's .done against its journal's rows (issue 15, class 2): the
 * number of trials and the incumbent must be the last row's. */
static int check_done(const char *dir, const jahs_exp_row *row,
                      const jahs_rundir_seed *rs, jahs_error *err)
{
    char *path = jahs_rundir_unit_path(dir, row, rs->seed, JAHS_UNIT_DONE);
    jahs_conf *c = path ? jahs_conf_parse_file(path, err) : NULL;
    const jahs_incumbent *last = rs->n ? &rs->rows[rs->n - 1].inc : NULL;
    long trials = -1, inc_trial = -2;
    double val = NAN, test = NAN;
    const char *sv = "", *st = "";
    int rc = 0, found = 0;
    if (!path)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    if (!c) {
        free(path);
        return err ? err->code : JAHS_EIO;
    }
    if ((rc = jahs_conf_get_long(c, &c->sections[0], "trials", 0, LONG_MAX,
                                 &trials, &found, err)) ||
        (rc = jahs_conf_get_long(c, &c->sections[0], "incumbent_trial", -1,
                                 LONG_MAX, &inc_trial, &found, err)) ||
        (rc = jahs_conf_get_str(c, &c->sections[0], "incumbent_val", &sv,
                                &found)) ||
        (rc = jahs_conf_get_str(c, &c->sections[0], "incumbent_test", &st,
                                &found)))
        goto out;
    /* "nan" while there is no incumbent */
    if (jahs_parse_double(sv, &val) || jahs_parse_double(st, &test))
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "'%s': incumbent_val '%s' / incumbent_test '%s' are not "
                       "numbers",
                       path, sv, st);
    else if (trials != (long)rs->n)
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "'%s' says %ld trials, its journal '%s' has %zu rows",
                       path, trials, rs->path, rs->n);
    else if (last && (inc_trial != (long)last->trial ||
                      !(val == last->val || (isnan(val) && isnan(last->val))) ||
                      !(test == last->test ||
                        (isnan(test) && isnan(last->test)))))
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "'%s' names incumbent trial %ld (val %.17g), its "
                       "journal '%s' ends with trial %lld (val %.17g)",
                       path, inc_trial, val, rs->path,
                       (long long)last->trial, last->val);
out:
    jahs_conf_free(c);
    free(path);
    return rc;
}

/* The journals of one row (the seeds that have one). */
static int read_row(jahs_rundir *rd, int index, jahs_error *err)
{
    const jahs_exp_row *row = &rd->e->rows[index];
    jahs_rundir_row *r = &rd->rows[rd->n_rows++];
    int s, rc;
    r->row = row;
    r->index = index;
    if (!(r->space = jahs_exp_row_space(rd->e, row, err))) {
        jahs_error_prefix(err, "row [%s]", row->label);
        return err ? err->code : JAHS_ENOMEM;
    }
    if (!(r->seeds = calloc((size_t)row->n_seeds, sizeof *r->seeds)))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    for (s = 0; s < row->n_seeds; s++) {
        jahs_rundir_seed *rs = &r->seeds[r->n_seeds];
        char *path = jahs_rundir_unit_path(rd->path, row, row->seeds[s],
                                           JAHS_UNIT_JOURNAL);
        if (!path)
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        if (!jahs_path_exists(path)) {
            free(path);
            continue;
        }
        rs->seed = row->seeds[s];
        rs->index = s;
        rs->path = path;
        rs->done = jahs_rundir_unit_done(rd->path, row, rs->seed);
        r->n_seeds++;
        rd->n_journals++;
        if ((rc = jahs_journal_read(path, r->space, row->folds,
                                    &(jahs_journal_bounds){row->opt.max_epochs,
                                                           row->workers},
                                    &rs->rows, &rs->n, err)) ||
            (rs->done && (rc = check_done(rd->path, row, rs, err))))
            return rc;
    }
    return 0;
}

/* A reader of path over e (owned when owns_e, also on failure) with the
 * journals of e's rows whose label or slug contains filter (NULL: all). */
static jahs_rundir *rundir_new(const char *path, jahs_experiment *e,
                               int owns_e, const char *filter,
                               jahs_error *err)
{
    jahs_rundir *rd = calloc(1, sizeof *rd);
    int i;
    if (!rd || !(rd->path = jahs_strdup(path)) ||
        !(rd->rows = calloc((size_t)e->n_rows, sizeof *rd->rows))) {
        if (rd)
            free(rd->path);
        free(rd);
        if (owns_e)
            jahs_experiment_free(e);
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    rd->e = e;
    rd->owns_e = owns_e;
    for (i = 0; i < e->n_rows; i++) {
        const jahs_exp_row *row = &e->rows[i];
        if (filter && !contains_nocase(row->label, filter) &&
            !contains_nocase(row->slug, filter))
            continue;
        if (read_row(rd, i, err)) {
            jahs_rundir_free(rd);
            return NULL;
        }
    }
    return rd;
}

jahs_rundir *jahs_rundir_read(const jahs_experiment *e, const char *path,
                              jahs_error *err)
{
    return rundir_new(path, (jahs_experiment *)e, 0, NULL, err);
}

jahs_rundir *jahs_rundir_open(const char *path, const char *rows_filter,
                              jahs_error *err)
{
    jahs_experiment *e = jahs_rundir_experiment(path, err);
    jahs_rundir *rd = e ? rundir_new(path, e, 1, rows_filter, err) : NULL;
    if (!rd)
        return NULL;
    if (rd->n_rows == 0) {
        JAHS_FAIL(err, JAHS_ENOTFOUND,
                  "no row of '%s/experiment.exp' matches '%s' (rows: see the "
                  "[sections] of the experiment file)",
                  path, rows_filter ? rows_filter : "");
        goto fail;
    }
    if (rd->n_journals == 0) {
        JAHS_FAIL(err, JAHS_ENOTFOUND,
                  "no journals under '%s/runs' for the %s (expected "
                  "runs/<row slug>/seed<k>.csv, as 'jahs run' writes)",
                  path, rows_filter && *rows_filter ? "matching rows" : "rows");
        goto fail;
    }
    return rd;
fail:
    jahs_rundir_free(rd);
    return NULL;
}
