/*
 * journal.c - see journal.h.
 */
#include "exp/journal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

static const char *fixed_head[] = {"seq",   "worker",    "start",  "end",
                                   "trial", "config_id", "origin", "rung",
                                   "bracket", "epochs",  "resume_from"};
static const char *tail_head[] = {"val",       "test",       "cost",
                                  "inc_trial", "inc_epochs", "inc_val",
                                  "inc_test"};

/* The expected header as a list of names (malloc'd strings). */
static int header_names(const jahs_space *sp, int n_folds, char ***out,
                        size_t *n)
{
    size_t cap = JAHS_ARRAY_LEN(fixed_head) + (size_t)sp->n +
                 3 * (size_t)n_folds + JAHS_ARRAY_LEN(tail_head);
    char **h = calloc(cap, sizeof *h);
    size_t k = 0, i;
    int f;
    char buf[64];
    if (!h)
        return JAHS_ENOMEM;
    for (i = 0; i < JAHS_ARRAY_LEN(fixed_head); i++)
        h[k++] = jahs_strdup(fixed_head[i]);
    for (i = 0; i < (size_t)sp->n; i++)
        h[k++] = jahs_strdup(sp->params[i].name);
    for (f = 0; f < n_folds; f++) {
        snprintf(buf, sizeof buf, "val_f%d", f);
        h[k++] = jahs_strdup(buf);
    }
    for (f = 0; f < n_folds; f++) {
        snprintf(buf, sizeof buf, "test_f%d", f);
        h[k++] = jahs_strdup(buf);
    }
    for (f = 0; f < n_folds; f++) {
        snprintf(buf, sizeof buf, "cost_f%d", f);
        h[k++] = jahs_strdup(buf);
    }
    for (i = 0; i < JAHS_ARRAY_LEN(tail_head); i++)
        h[k++] = jahs_strdup(tail_head[i]);
    for (i = 0; i < k; i++)
        if (!h[i]) {
            for (i = 0; i < k; i++)
                free(h[i]);
            free(h);
            return JAHS_ENOMEM;
        }
    *out = h;
    *n = k;
    return 0;
}

static void free_names(char **h, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        free(h[i]);
    free(h);
}

int jahs_journal_header(jahs_csv_writer *w, const jahs_space *sp, int n_folds,
                        jahs_error *err)
{
    char **h;
    size_t n;
    int rc;
    if (header_names(sp, n_folds, &h, &n))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    rc = jahs_csv_row(w, (const char *const *)h, n, err);
    free_names(h, n);
    return rc;
}

int jahs_journal_write(jahs_csv_writer *w, const jahs_space *sp,
                       const jahs_record *r, jahs_error *err)
{
    int i, f;
    char buf[64];
    jahs_csv_int(w, r->seq);
    jahs_csv_int(w, r->worker);
    jahs_csv_double(w, r->start);
    jahs_csv_double(w, r->end);
    jahs_csv_int(w, r->trial.id);
    jahs_csv_int(w, r->trial.config_id);
    jahs_csv_str(w, jahs_origin_name(r->trial.origin));
    jahs_csv_int(w, r->trial.rung);
    jahs_csv_int(w, r->trial.bracket);
    jahs_csv_int(w, r->trial.epochs);
    jahs_csv_int(w, r->trial.resume_from);
    for (i = 0; i < sp->n; i++) {
        const jahs_param *p = &sp->params[i];
        if (isnan(r->trial.config[i]))
            jahs_csv_str(w, "");
        else if (p->kind == JAHS_PARAM_FLOAT)
            jahs_csv_double(w, r->trial.config[i]); /* exact round trip */
        else
            jahs_csv_str(w, jahs_param_format(p, r->trial.config[i], buf,
                                              sizeof buf));
    }
    for (f = 0; f < r->n_folds; f++)
        jahs_csv_double(w, r->fold[f].val);
    for (f = 0; f < r->n_folds; f++)
        jahs_csv_double(w, r->fold[f].test);
    for (f = 0; f < r->n_folds; f++)
        jahs_csv_double(w, r->fold[f].cost);
    jahs_csv_double(w, r->result.val_acc);
    jahs_csv_double(w, r->result.test_acc);
    jahs_csv_double(w, r->result.cost);
    jahs_csv_int(w, r->inc.trial);
    jahs_csv_int(w, r->inc.epochs);
    jahs_csv_double(w, r->inc.val);
    jahs_csv_double(w, r->inc.test);
    return jahs_csv_end_row(w, err);
}

static int origin_parse(const char *s)
{
    int o;
    for (o = 0; o < JAHS_ORIGIN_COUNT; o++)
        if (strcmp(jahs_origin_name((jahs_origin)o), s) == 0)
            return o;
    return -1;
}

/* A number that may be "nan" (empty is an error). */
static int num(const jahs_csv_reader *r, int col, double *out, jahs_error *err)
{
    const char *s = jahs_csv_field(r, (size_t)col);
    if (strcmp(s, "nan") == 0) {
        *out = NAN;
        return 0;
    }
    return jahs_csv_get_double(r, col, out, err);
}

static int inum(const jahs_csv_reader *r, int col, int64_t *out,
                jahs_error *err)
{
    long v;
    int rc = jahs_csv_get_long(r, col, &v, err);
    if (rc == 0)
        *out = v;
    return rc;
}

int jahs_journal_read(const char *path, const jahs_space *sp, int n_folds,
                      jahs_record **rows, size_t *n, jahs_error *err)
{
    jahs_csv_reader *r;
    char **h = NULL;
    size_t nh = 0, i, cap = 0, cnt = 0;
    jahs_record *out = NULL;
    int rc;
    *rows = NULL;
    *n = 0;
    if (!jahs_path_exists(path))
        return 0;
    if (n_folds < 1 || n_folds > JAHS_MAX_FOLDS)
        return JAHS_FAIL(err, JAHS_EINVAL, "bad number of folds %d", n_folds);
    /* a torn last line is not a row */
    if ((rc = jahs_csv_journal_repair(path, err)))
        return rc;
    if (!(r = jahs_csv_reader_open(path, err)))
        return err ? err->code : JAHS_EIO;
    if ((rc = header_names(sp, n_folds, &h, &nh))) {
        jahs_csv_reader_free(r);
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    }
    rc = jahs_csv_next(r, err);
    if (rc == 0) { /* empty file: no rows */
        rc = 0;
        goto out;
    }
    if (rc < 0)
        goto out;
    if (jahs_csv_nfields(r) != nh) {
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "%s:1: journal header has %zu columns, expected %zu "
                       "for space '%s' with %d folds",
                       path, jahs_csv_nfields(r), nh, sp->name, n_folds);
        goto out;
    }
    for (i = 0; i < nh; i++)
        if (strcmp(jahs_csv_field(r, i), h[i]) != 0) {
            rc = JAHS_FAIL(err, JAHS_EFORMAT,
                           "%s:1: journal column %zu is '%s', expected '%s'",
                           path, i + 1, jahs_csv_field(r, i), h[i]);
            goto out;
        }
    while ((rc = jahs_csv_next(r, err)) == 1) {
        jahs_record *row;
        int c = 0, k, f;
        int64_t v;
        if (jahs_csv_nfields(r) != nh) {
            rc = JAHS_FAIL(err, JAHS_EFORMAT,
                           "%s:%ld: row has %zu fields, expected %zu", path,
                           jahs_csv_line(r), jahs_csv_nfields(r), nh);
            goto out;
        }
        if (cnt == cap) {
            jahs_record *p;
            cap = cap ? 2 * cap : 64;
            p = realloc(out, cap * sizeof *p);
            if (!p) {
                rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
                goto out;
            }
            out = p;
        }
        row = &out[cnt];
        memset(row, 0, sizeof *row);
        row->n_folds = n_folds;
        if ((rc = inum(r, c++, &row->seq, err)) || (rc = inum(r, c++, &v, err)))
            goto out;
        row->worker = (int)v;
        if ((rc = num(r, c++, &row->start, err)) ||
            (rc = num(r, c++, &row->end, err)) ||
            (rc = inum(r, c++, &row->trial.id, err)) ||
            (rc = inum(r, c++, &row->trial.config_id, err)))
            goto out;
        if ((k = origin_parse(jahs_csv_field(r, (size_t)c))) < 0) {
            rc = JAHS_FAIL(err, JAHS_EFORMAT, "%s:%ld: unknown origin '%s'",
                           path, jahs_csv_line(r), jahs_csv_field(r, (size_t)c));
            goto out;
        }
        row->trial.origin = (jahs_origin)k;
        c++;
        if ((rc = inum(r, c++, &v, err)))
            goto out;
        row->trial.rung = (int)v;
        if ((rc = inum(r, c++, &v, err)))
            goto out;
        row->trial.bracket = (int)v;
        if ((rc = inum(r, c++, &v, err)))
            goto out;
        row->trial.epochs = (int)v;
        if ((rc = inum(r, c++, &v, err)))
            goto out;
        row->trial.resume_from = (int)v;
        for (k = 0; k < sp->n; k++, c++) {
            const char *s = jahs_csv_field(r, (size_t)c);
            if (!*s) {
                row->trial.config[k] = NAN;
                continue;
            }
            if (jahs_param_parse(&sp->params[k], s, &row->trial.config[k])) {
                rc = JAHS_FAIL(err, JAHS_EFORMAT,
                               "%s:%ld: bad value '%s' for parameter '%s'",
                               path, jahs_csv_line(r), s, sp->params[k].name);
                goto out;
            }
        }
        for (f = 0; f < n_folds; f++)
            if ((rc = num(r, c++, &row->fold[f].val, err)))
                goto out;
        for (f = 0; f < n_folds; f++)
            if ((rc = num(r, c++, &row->fold[f].test, err)))
                goto out;
        for (f = 0; f < n_folds; f++)
            if ((rc = num(r, c++, &row->fold[f].cost, err)))
                goto out;
        if ((rc = num(r, c++, &row->result.val_acc, err)) ||
            (rc = num(r, c++, &row->result.test_acc, err)) ||
            (rc = num(r, c++, &row->result.cost, err)) ||
            (rc = inum(r, c++, &row->inc.trial, err)) ||
            (rc = inum(r, c++, &v, err)))
            goto out;
        row->inc.epochs = (int)v;
        if ((rc = num(r, c++, &row->inc.val, err)) ||
            (rc = num(r, c++, &row->inc.test, err)))
            goto out;
        row->status = JAHS_RECORD_DONE;
        cnt++;
    }
out:
    free_names(h, nh);
    jahs_csv_reader_free(r);
    if (rc < 0) {
        free(out);
        return rc;
    }
    *rows = out;
    *n = cnt;
    return 0;
}

/* ---- the appender ------------------------------------------------------ */

struct jahs_journal {
    const jahs_space *sp;
    jahs_csv_writer *w;
    jahs_record *old; /* read at open */
    size_t n_old;
    int64_t rows;
    jahs_incumbent inc;
};

jahs_journal *jahs_journal_open(const char *path, const jahs_space *sp,
                                int n_folds, jahs_error *err)
{
    jahs_journal *j = calloc(1, sizeof *j);
    int existed = 0;
    if (!j) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    j->sp = sp;
    jahs_incumbent_init(&j->inc);
    if (jahs_journal_read(path, sp, n_folds, &j->old, &j->n_old, err))
        goto fail;
    if (j->n_old)
        j->inc = j->old[j->n_old - 1].inc;
    j->rows = (int64_t)j->n_old;
    if (!(j->w = jahs_csv_open(path, JAHS_CSV_JOURNAL, &existed, err)))
        goto fail;
    if (!existed && jahs_journal_header(j->w, sp, n_folds, err))
        goto fail;
    return j;
fail:
    jahs_journal_abort(j);
    return NULL;
}

const jahs_record *jahs_journal_replay(const jahs_journal *j, size_t *n)
{
    *n = j->n_old;
    return j->old;
}

int jahs_journal_append(jahs_journal *j, const jahs_record *r,
                        jahs_error *err)
{
    jahs_record row = *r;
    int rc;
    jahs_incumbent_update(&j->inc, r->trial.id, r->trial.epochs,
                          r->result.val_acc, r->result.test_acc);
    row.inc = j->inc;
    if ((rc = jahs_journal_write(j->w, j->sp, &row, err)))
        return rc;
    j->rows++;
    return 0;
}

const jahs_incumbent *jahs_journal_incumbent(const jahs_journal *j)
{
    return &j->inc;
}

int64_t jahs_journal_rows(const jahs_journal *j) { return j->rows; }

int jahs_journal_close(jahs_journal *j, jahs_error *err)
{
    int rc;
    if (!j)
        return 0;
    rc = jahs_csv_close(j->w, err);
    j->w = NULL;
    jahs_journal_abort(j);
    return rc;
}

void jahs_journal_abort(jahs_journal *j)
{
    if (!j)
        return;
    jahs_csv_abort(j->w);
    free(j->old);
    free(j);
}
