/*
 * journal.c - see journal.h.  The record's fields before and after the
 * parameter and fold columns are tables of (name, type, offset), read and
 * written by the same loops.
 */
#include "exp/journal.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

typedef struct {
    const char *name;
    char type; /* 'l' int64_t, 'i' int, 'd' double, 'o' jahs_origin */
    size_t off; /* in jahs_record */
} column;

#define COL(n, t, f) {n, t, offsetof(jahs_record, f)}
static const column head[] = {
    COL("seq", 'l', seq),           COL("worker", 'i', worker),
    COL("start", 'd', start),       COL("end", 'd', end),
    COL("trial", 'l', trial.id),    COL("config_id", 'l', trial.config_id),
    COL("origin", 'o', trial.origin), COL("rung", 'i', trial.rung),
    COL("bracket", 'i', trial.bracket), COL("epochs", 'i', trial.epochs),
    COL("resume_from", 'i', trial.resume_from)};
static const column tail[] = {
    COL("val", 'd', result.val_acc), COL("test", 'd', result.test_acc),
    COL("cost", 'd', result.cost),   COL("inc_trial", 'l', inc.trial),
    COL("inc_epochs", 'i', inc.epochs), COL("inc_val", 'd', inc.val),
    COL("inc_test", 'd', inc.test)};
#define N_HEAD JAHS_ARRAY_LEN(head)
#define N_TAIL JAHS_ARRAY_LEN(tail)
static const char *const fold_name[3] = {"val", "test", "cost"};
static const size_t fold_off[3] = {offsetof(jahs_fold, val),
                                   offsetof(jahs_fold, test),
                                   offsetof(jahs_fold, cost)};

static size_t n_columns(const jahs_space *sp, int n_folds)
{
    return N_HEAD + (size_t)sp->n + 3 * (size_t)n_folds + N_TAIL;
}

/* The name of column i into buf. */
static const char *column_name(const jahs_space *sp, int n_folds, size_t i,
                               char *buf, size_t size)
{
    size_t p = (size_t)sp->n, f = 3 * (size_t)n_folds;
    if (i < N_HEAD)
        return head[i].name;
    if ((i -= N_HEAD) < p)
        return sp->params[i].name;
    if ((i -= p) < f) {
        snprintf(buf, size, "%s_f%zu", fold_name[i / (size_t)n_folds],
                 i % (size_t)n_folds);
        return buf;
    }
    return tail[i - f].name;
}

int jahs_journal_header(jahs_csv_writer *w, const jahs_space *sp, int n_folds,
                        jahs_error *err)
{
    size_t i, n = n_columns(sp, n_folds);
    char buf[64];
    for (i = 0; i < n; i++)
        jahs_csv_str(w, column_name(sp, n_folds, i, buf, sizeof buf));
    return jahs_csv_end_row(w, err);
}

static void put_columns(jahs_csv_writer *w, const column *c, size_t n,
                        const jahs_record *r)
{
    size_t i;
    for (i = 0; i < n; i++) {
        const char *p = (const char *)r + c[i].off;
        switch (c[i].type) {
        case 'l':
            jahs_csv_int(w, *(const int64_t *)p);
            break;
        case 'i':
            jahs_csv_int(w, *(const int *)p);
            break;
        case 'd':
            jahs_csv_double(w, *(const double *)p);
            break;
        default:
            jahs_csv_str(w, jahs_origin_name(*(const jahs_origin *)p));
        }
    }
}

int jahs_journal_write(jahs_csv_writer *w, const jahs_space *sp,
                       const jahs_record *r, jahs_error *err)
{
    int i, k, f;
    char buf[64];
    put_columns(w, head, N_HEAD, r);
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
    for (k = 0; k < 3; k++)
        for (f = 0; f < r->n_folds; f++)
            jahs_csv_double(w, *(const double *)((const char *)&r->fold[f] +
                                                 fold_off[k]));
    put_columns(w, tail, N_TAIL, r);
    return jahs_csv_end_row(w, err);
}

/* A number that may be "nan" (empty is an error). */
static int num(const jahs_csv_reader *r, size_t col, double *out,
               jahs_error *err)
{
    if (strcmp(jahs_csv_field(r, col), "nan") == 0) {
        *out = NAN;
        return 0;
    }
    return jahs_csv_get_double(r, (int)col, out, err);
}

/* Columns c[0 .. n-1] from the fields at *col on (the row of path). */
static int get_columns(const jahs_csv_reader *r, const char *path,
                       const column *c, size_t n, size_t *col,
                       jahs_record *row, jahs_error *err)
{
    size_t i;
    for (i = 0; i < n; i++, (*col)++) {
        char *p = (char *)row + c[i].off;
        const char *s = jahs_csv_field(r, *col);
        long v;
        int o, rc;
        switch (c[i].type) {
        case 'd':
            if ((rc = num(r, *col, (double *)p, err)))
                return rc;
            break;
        case 'o':
            for (o = 0; o < JAHS_ORIGIN_COUNT; o++)
                if (strcmp(jahs_origin_name((jahs_origin)o), s) == 0)
                    break;
            if (o == JAHS_ORIGIN_COUNT)
                return JAHS_FAIL(err, JAHS_EFORMAT,
                                 "%s:%ld: unknown origin '%s'", path,
                                 jahs_csv_line(r), s);
            *(jahs_origin *)p = (jahs_origin)o;
            break;
        default:
            if ((rc = jahs_csv_get_long(r, (int)*col, &v, err)))
                return rc;
            if (c[i].type == 'l')
                *(int64_t *)p = v;
            else
                *(int *)p = (int)v;
        }
    }
    return 0;
}

/* One row of the journal into row. */
static int get_row(const jahs_csv_reader *r, const char *path,
                   const jahs_space *sp, int n_folds, jahs_record *row,
                   jahs_error *err)
{
    size_t c = 0;
    int k, f, rc;
    memset(row, 0, sizeof *row);
    row->n_folds = n_folds;
    row->status = JAHS_RECORD_DONE;
    if ((rc = get_columns(r, path, head, N_HEAD, &c, row, err)))
        return rc;
    for (k = 0; k < sp->n; k++, c++) {
        const char *s = jahs_csv_field(r, c);
        if (!*s)
            row->trial.config[k] = NAN;
        else if (jahs_param_parse(&sp->params[k], s, &row->trial.config[k]))
            return JAHS_FAIL(err, JAHS_EFORMAT,
                             "%s:%ld: bad value '%s' for parameter '%s'", path,
                             jahs_csv_line(r), s, sp->params[k].name);
    }
    for (k = 0; k < 3; k++)
        for (f = 0; f < n_folds; f++, c++)
            if ((rc = num(r, c,
                          (double *)((char *)&row->fold[f] + fold_off[k]),
                          err)))
                return rc;
    return get_columns(r, path, tail, N_TAIL, &c, row, err);
}


/* Row i (at line) against what a run can write; rows[0 .. i-1] are checked.
 * 0, or JAHS_EFORMAT naming path:line and what is wrong. */
static int check_row(const char *path, long line, const jahs_record *rows,
                     size_t i, const jahs_journal_bounds *b, jahs_error *err)
{
    const jahs_record *x = &rows[i];
    int f, max_ep = b && b->max_epochs > 0 ? b->max_epochs : 0;
    char why[160] = "";
    if (x->seq != (int64_t)i)
        snprintf(why, sizeof why,
                 "seq %lld where %zu was expected (a gap or a duplicate: rows "
                 "lost, or two runs writing one journal)",
                 (long long)x->seq, i);
    else if (x->trial.epochs < 1 || (max_ep && x->trial.epochs > max_ep))
        snprintf(why, sizeof why, "epochs %d outside 1..%d (max_epochs)",
                 x->trial.epochs, max_ep ? max_ep : x->trial.epochs);
    else if (x->trial.resume_from < 0 ||
             x->trial.resume_from > x->trial.epochs)
        snprintf(why, sizeof why, "resume_from %d outside 0..%d (epochs)",
                 x->trial.resume_from, x->trial.epochs);
    else if (x->worker < 0 || (b && b->workers > 0 && x->worker >= b->workers))
        snprintf(why, sizeof why, "worker %d outside 0..%d", x->worker,
                 b && b->workers > 0 ? b->workers - 1 : x->worker);
    else if (x->trial.id < 0)
        snprintf(why, sizeof why, "trial %lld is negative",
                 (long long)x->trial.id);
    else if (!isfinite(x->start) || !isfinite(x->end) || x->start < 0 ||
             x->end < x->start)
        snprintf(why, sizeof why,
                 "times start %g, end %g (expected 0 <= start <= end)",
                 x->start, x->end);
    else if (isinf(x->result.val_acc) || isinf(x->result.test_acc))
        snprintf(why, sizeof why, "accuracy val %g, test %g is infinite",
                 x->result.val_acc, x->result.test_acc);
    else if (!isfinite(x->result.cost) || x->result.cost < 0)
        snprintf(why, sizeof why, "cost %g (expected a finite cost >= 0)",
                 x->result.cost);
    for (f = 0; !why[0] && f < x->n_folds; f++)
        if (isinf(x->fold[f].val) || isinf(x->fold[f].test) ||
            !isfinite(x->fold[f].cost) || x->fold[f].cost < 0)
            snprintf(why, sizeof why,
                     "fold %d: val %g, test %g, cost %g (expected accuracies "
                     "that are not infinite and a finite cost >= 0)",
                     f, x->fold[f].val, x->fold[f].test, x->fold[f].cost);
    if (!why[0]) { /* the incumbent columns: one of the rows so far */
        const jahs_incumbent *in = &x->inc;
        size_t k;
        int hit = in->trial == -1 && isnan(in->val) && isnan(in->test);
        for (k = 0; !hit && k <= i; k++)
            hit = rows[k].trial.id == in->trial &&
                  rows[k].trial.epochs == in->epochs &&
                  rows[k].result.val_acc == in->val &&
                  rows[k].result.test_acc == in->test;
        if (!hit)
            snprintf(why, sizeof why,
                     "incumbent (trial %lld, %d epochs, val %g, test %g) is "
                     "not one of the rows so far",
                     (long long)in->trial, in->epochs, in->val, in->test);
    }
    if (why[0])
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "%s:%ld: %s; the journal is damaged (remove it, or "
                         "run with --fresh)",
                         path, line, why);
    return 0;
}

int jahs_journal_read(const char *path, const jahs_space *sp, int n_folds,
                      const jahs_journal_bounds *bounds, jahs_record **rows,
                      size_t *n, jahs_error *err)
{
    jahs_csv_reader *r;
    size_t nh, i, cap = 0, cnt = 0, len = 0;
    jahs_record *out = NULL;
    char buf[64], *text = NULL, *nl;
    int rc;
    *rows = NULL;
    *n = 0;
    if (!jahs_path_exists(path))
        return 0;
    if (n_folds < 1 || n_folds > JAHS_MAX_FOLDS)
        return JAHS_FAIL(err, JAHS_EINVAL, "bad number of folds %d", n_folds);
    /* read-only: a torn last line is left in the file, not read */
    if ((rc = jahs_read_file(path, &text, &len, err)))
        return rc;
    nl = len ? memrchr(text, '\n', len) : NULL;
    if (nl)
        nl[1] = '\0';
    else
        text[0] = '\0';
    r = jahs_csv_reader_string(text, path, err);
    free(text);
    if (!r)
        return err ? err->code : JAHS_EIO;
    nh = n_columns(sp, n_folds);
    if ((rc = jahs_csv_next(r, err)) <= 0) /* an empty file: no rows */
        goto out;
    if (jahs_csv_nfields(r) != nh) {
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "%s:1: journal header has %zu columns, expected %zu "
                       "for space '%s' with %d folds",
                       path, jahs_csv_nfields(r), nh, sp->name, n_folds);
        goto out;
    }
    for (i = 0; i < nh; i++) {
        const char *want = column_name(sp, n_folds, i, buf, sizeof buf);
        if (strcmp(jahs_csv_field(r, i), want) != 0) {
            rc = JAHS_FAIL(err, JAHS_EFORMAT,
                           "%s:1: journal column %zu is '%s', expected '%s'",
                           path, i + 1, jahs_csv_field(r, i), want);
            goto out;
        }
    }
    while ((rc = jahs_csv_next(r, err)) == 1) {
        if (jahs_csv_nfields(r) != nh) {
            rc = JAHS_FAIL(err, JAHS_EFORMAT,
                           "%s:%ld: row has %zu fields, expected %zu", path,
                           jahs_csv_line(r), jahs_csv_nfields(r), nh);
            goto out;
        }
        if (jahs_grow((void **)&out, &cap, cnt + 1, sizeof *out)) {
            rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
            goto out;
        }
        if ((rc = get_row(r, path, sp, n_folds, &out[cnt], err)) ||
            (rc = check_row(path, jahs_csv_line(r), out, cnt, bounds, err)))
            goto out;
        cnt++;
    }
out:
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
                                int n_folds, const jahs_journal_bounds *bounds,
                                jahs_error *err)
{
    jahs_journal *j = calloc(1, sizeof *j);
    int existed = 0;
    if (!j) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    j->sp = sp;
    jahs_incumbent_init(&j->inc);
    if (jahs_journal_read(path, sp, n_folds, bounds, &j->old, &j->n_old,
                          err) ||
        !(j->w = jahs_csv_open(path, JAHS_CSV_JOURNAL, &existed, err)) ||
        (!existed && jahs_journal_header(j->w, sp, n_folds, err))) {
        jahs_journal_abort(j);
        return NULL;
    }
    if (j->n_old)
        j->inc = j->old[j->n_old - 1].inc;
    j->rows = (int64_t)j->n_old;
    return j;
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
