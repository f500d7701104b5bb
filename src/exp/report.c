/*
 * report.c - see report.h.
 *
 * Speedup (speedup.csv), two readings of the poster's "ASHA-Prior provides a
 * nearly 25 % speed-up compared to MOBSTER", both computed from the mean
 * incumbent-test curves over seeds:
 *   1. target = the reference row's mean accuracy at the last report time H
 *      (6 h); t_ref = when the reference's mean curve first reaches it;
 *      t_m = when row m's mean curve first reaches it (within its budget);
 *      speedup_pct = 100 (t_ref - t_m) / t_ref.
 *   2. target_m = row m's own mean accuracy at H; t_m = when m first reaches
 *      it; t_ref_m = when the reference (which may run longer than H, as the
 *      poster's MOBSTER did) first reaches it; speedup_vs_ref_pct =
 *      100 (1 - t_m / t_ref_m).
 * A time that is never reached is left empty.  The reference of a row is
 * the reference row of its own search space (jahs_exp_reference,
 * experiment.h), never the first row that carries the reference's name: in
 * table1.exp "MOBSTER" is both the NB201 group's MOBSTER (paper_label) and
 * the cell64 one.
 */
#include "exp/report.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/afile.h"
#include "core/csv.h"
#include "core/gnuplot.h"
#include "core/log.h"
#include "core/util.h"
#include "exp/rundir.h"
#include "opt/opt.h"
#include "space/space.h"

typedef struct {
    double t;    /* end time of the event */
    double test; /* incumbent test accuracy after it */
    double val;
} point;

typedef struct {
    int has;        /* journal exists (with at least one row) */
    point *pts;
    size_t n;
} seed_traj;

typedef struct {
    seed_traj *seeds; /* n_seeds of the row */
    int n_with;       /* seeds with a journal */
    /* paper numbers: per report hour */
    double paper_mean[JAHS_EXP_MAX_REPORT], paper_std[JAHS_EXP_MAX_REPORT];
} row_data;

struct jahs_report {
    const jahs_experiment *e;
    row_data *rows;
    int paper_loaded;
};

static void free_rows(jahs_report *r)
{
    int i, s;
    if (!r->rows)
        return;
    for (i = 0; i < r->e->n_rows; i++) {
        if (!r->rows[i].seeds)
            continue;
        for (s = 0; s < r->e->rows[i].n_seeds; s++)
            free(r->rows[i].seeds[s].pts);
        free(r->rows[i].seeds);
    }
    free(r->rows);
}

void jahs_report_free(jahs_report *r)
{
    if (!r)
        return;
    free_rows(r);
    free(r);
}

/* A seed's incumbent curve: the journal's incumbent columns as they are. */
static int load_traj(const jahs_rundir_seed *rs, seed_traj *st,
                     jahs_error *err)
{
    size_t i;
    st->has = rs->n > 0;
    st->pts = rs->n ? malloc(rs->n * sizeof *st->pts) : NULL;
    if (rs->n && !st->pts)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    for (i = 0; i < rs->n; i++) {
        st->pts[i].t = rs->rows[i].end;
        st->pts[i].test = rs->rows[i].inc.test;
        st->pts[i].val = rs->rows[i].inc.val;
    }
    st->n = rs->n;
    return 0;
}

/* "test_2h_mean" style column for report hour h. */
static void hour_col(char *buf, size_t n, double h, const char *suffix)
{
    char hb[32];
    jahs_format_double(hb, sizeof hb, h);
    snprintf(buf, n, "test_%sh%s", hb, suffix);
}

static int load_paper(jahs_report *r, jahs_error *err)
{
    const jahs_experiment *e = r->e;
    jahs_csv_reader *rd;
    int cm, cg, rc, i, k;
    for (i = 0; i < e->n_rows; i++)
        for (k = 0; k < JAHS_EXP_MAX_REPORT; k++)
            r->rows[i].paper_mean[k] = r->rows[i].paper_std[k] = NAN;
    if (!e->paper_table[0])
        return 0;
    if (e->paper_table[0] != '/' && !jahs_path_exists(e->paper_table)) {
        /* relative paths are read from the working directory, not from the
         * experiment file's (issue 15, class 9: say so) */
        char *cwd = getcwd(NULL, 0);
        JAHS_FAIL(err, JAHS_ENOTFOUND,
                  "paper_table '%s' not found: relative paths are read from "
                  "the current directory ('%s'); run jahs from the repository "
                  "root or give an absolute path",
                  e->paper_table, cwd ? cwd : "?");
        free(cwd);
        return JAHS_ENOTFOUND;
    }
    if (!(rd = jahs_csv_reader_open(e->paper_table, err)))
        return err ? err->code : JAHS_EIO;
    if ((rc = jahs_csv_read_header(rd, err)) < 0 ||
        (cm = jahs_csv_require_col(rd, "method", err)) < 0) {
        jahs_csv_reader_free(rd);
        return err ? err->code : JAHS_EFORMAT;
    }
    cg = jahs_csv_col(rd, "group"); /* optional: methods repeat across groups */
    while ((rc = jahs_csv_next(rd, err)) == 1) {
        const char *m = jahs_csv_field(rd, (size_t)cm);
        for (i = 0; i < e->n_rows; i++) {
            const jahs_exp_row *row = &e->rows[i];
            const char *lab = row->paper_label[0] ? row->paper_label : row->label;
            if (strcmp(lab, m) != 0)
                continue;
            if (cg >= 0 && strcmp(jahs_csv_field(rd, (size_t)cg), row->group))
                continue;
            for (k = 0; k < e->n_report; k++) {
                char name[64];
                int c;
                const char *s;
                double v;
                hour_col(name, sizeof name, e->report_hours[k], "_mean");
                c = jahs_csv_col(rd, name);
                if (c < 0) {
                    hour_col(name, sizeof name, e->report_hours[k], "");
                    c = jahs_csv_col(rd, name);
                }
                s = c >= 0 ? jahs_csv_field(rd, (size_t)c) : "";
                if (*s) {
                    if ((rc = jahs_csv_get_double(rd, c, &v, err)) < 0)
                        goto out;
                    r->rows[i].paper_mean[k] = v;
                }
                hour_col(name, sizeof name, e->report_hours[k], "_std");
                c = jahs_csv_col(rd, name);
                s = c >= 0 ? jahs_csv_field(rd, (size_t)c) : "";
                if (*s) {
                    if ((rc = jahs_csv_get_double(rd, c, &v, err)) < 0)
                        goto out;
                    r->rows[i].paper_std[k] = v;
                }
            }
        }
    }
out:
    jahs_csv_reader_free(rd);
    if (rc < 0)
        return rc;
    r->paper_loaded = 1;
    return 0;
}

jahs_report *jahs_report_load(const jahs_experiment *e, const char *outdir,
                              jahs_error *err)
{
    jahs_report *r = calloc(1, sizeof *r);
    jahs_rundir *rd = NULL;
    int i, k;
    if (!r) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    r->e = e;
    if (!(r->rows = calloc((size_t)e->n_rows, sizeof *r->rows))) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto fail;
    }
    for (i = 0; i < e->n_rows; i++)
        if (!(r->rows[i].seeds = calloc((size_t)e->rows[i].n_seeds,
                                        sizeof(seed_traj)))) {
            JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
            goto fail;
        }
    if (!(rd = jahs_rundir_read(e, outdir, err)))
        goto fail;
    for (i = 0; i < rd->n_rows; i++) {
        const jahs_rundir_row *rr = &rd->rows[i];
        row_data *d = &r->rows[rr->index];
        for (k = 0; k < rr->n_seeds; k++) {
            seed_traj *st = &d->seeds[rr->seeds[k].index];
            if (load_traj(&rr->seeds[k], st, err))
                goto fail;
            d->n_with += st->has;
        }
    }
    jahs_rundir_free(rd);
    rd = NULL;
    if (load_paper(r, err))
        goto fail;
    return r;
fail:
    jahs_rundir_free(rd);
    jahs_report_free(r);
    return NULL;
}

int jahs_report_has_runs(const jahs_report *r, int row)
{
    return r->rows[row].n_with > 0;
}

/* Incumbent of one seed at time t: 1 with *test and *val, or 0 when none yet. */
static int seed_at(const seed_traj *st, double t, double *test, double *val)
{
    size_t lo = 0, hi = st->n;
    if (!st->has || st->n == 0 || st->pts[0].t > t)
        return 0;
    /* last point with .t <= t */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (st->pts[mid].t <= t)
            lo = mid;
        else
            hi = mid;
    }
    if (isnan(st->pts[lo].test))
        return 0;
    *test = st->pts[lo].test;
    *val = st->pts[lo].val;
    return 1;
}

/* Whether t (seconds) is past row's budget: the run never got there. */
static int past_budget(const jahs_report *r, int row, double t)
{
    return t > r->e->rows[row].budget_hours * 3600.0 * (1 + 1e-12) + 1e-9;
}

jahs_stat jahs_report_at(const jahs_report *r, int row, double t)
{
    const row_data *d = &r->rows[row];
    jahs_stat st = {0, NAN, NAN, NAN, 0};
    double sum = 0, sum2 = 0, vsum = 0;
    int s;
    if (past_budget(r, row, t)) {
        st.beyond = 1;
        return st;
    }
    for (s = 0; s < r->e->rows[row].n_seeds; s++) {
        double te, va;
        if (!seed_at(&d->seeds[s], t, &te, &va))
            continue;
        st.n++;
        sum += te;
        sum2 += te * te;
        vsum += va;
    }
    if (st.n > 0) {
        st.mean = sum / st.n;
        st.val_mean = vsum / st.n;
        st.std = st.n > 1 ? sqrt(fmax(0, (sum2 - st.n * st.mean * st.mean) /
                                             (st.n - 1)))
                          : 0.0;
    }
    return st;
}

jahs_stat jahs_report_seed_at(const jahs_report *r, int row, int seed_index,
                              double t)
{
    jahs_stat st = {0, NAN, NAN, NAN, 0};
    double te, va;
    if (seed_index < 0 || seed_index >= r->e->rows[row].n_seeds)
        return st;
    if (past_budget(r, row, t)) {
        st.beyond = 1;
        return st;
    }
    if (seed_at(&r->rows[row].seeds[seed_index], t, &te, &va)) {
        st.n = 1;
        st.mean = te;
        st.std = 0;
        st.val_mean = va;
    }
    return st;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double jahs_report_time_to(const jahs_report *r, int row, double target,
                           double horizon)
{
    const row_data *d = &r->rows[row];
    size_t total = 0, k = 0, i;
    double *ts, found = NAN;
    int s;
    if (d->n_with == 0 || isnan(target))
        return NAN;
    for (s = 0; s < r->e->rows[row].n_seeds; s++)
        total += d->seeds[s].n;
    ts = malloc((total ? total : 1) * sizeof *ts);
    if (!ts)
        return NAN;
    for (s = 0; s < r->e->rows[row].n_seeds; s++)
        for (i = 0; i < d->seeds[s].n; i++)
            ts[k++] = d->seeds[s].pts[i].t;
    qsort(ts, k, sizeof *ts, cmp_dbl);
    for (i = 0; i < k; i++) {
        jahs_stat st;
        if (ts[i] > horizon + 1e-9)
            break;
        st = jahs_report_at(r, row, ts[i]);
        /* the mean counts only once every run has a result */
        if (st.n == d->n_with && st.mean >= target - 1e-9) {
            found = ts[i];
            break;
        }
    }
    free(ts);
    return found;
}

/* ---- curves for resampling ------------------------------------------------ */

typedef struct {
    double t, test;
    int member;
    size_t idx; /* order within the member's journal */
} curve_event;

struct jahs_report_curves {
    const seed_traj **m; /* members */
    int n;
    curve_event *ev;
    size_t n_ev;
    double *v; /* scratch: each member's current value */
};

static int cmp_event(const void *a, const void *b)
{
    const curve_event *x = a, *y = b;
    if (x->t != y->t)
        return (x->t > y->t) - (x->t < y->t);
    if (x->member != y->member)
        return x->member - y->member;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

jahs_report_curves *jahs_report_curves_make(const jahs_report *r, int row,
                                            int first_n)
{
    const row_data *d = &r->rows[row];
    jahs_report_curves *c = calloc(1, sizeof *c);
    int s, ns = r->e->rows[row].n_seeds;
    size_t k = 0, i, total = 0;
    if (!c)
        return NULL;
    if (first_n < ns)
        ns = first_n;
    c->m = calloc((size_t)(ns > 0 ? ns : 1), sizeof *c->m);
    if (!c->m)
        goto fail;
    for (s = 0; s < ns; s++)
        if (d->seeds[s].has) {
            c->m[c->n++] = &d->seeds[s];
            total += d->seeds[s].n;
        }
    if (c->n == 0)
        goto fail;
    c->ev = malloc((total ? total : 1) * sizeof *c->ev);
    c->v = malloc((size_t)c->n * sizeof *c->v);
    if (!c->ev || !c->v)
        goto fail;
    for (s = 0; s < c->n; s++)
        for (i = 0; i < c->m[s]->n; i++) {
            curve_event *e = &c->ev[k++];
            e->t = c->m[s]->pts[i].t;
            e->test = c->m[s]->pts[i].test;
            e->member = s;
            e->idx = i;
        }
    c->n_ev = k;
    qsort(c->ev, c->n_ev, sizeof *c->ev, cmp_event);
    return c;
fail:
    jahs_report_curves_free(c);
    return NULL;
}

void jahs_report_curves_free(jahs_report_curves *c)
{
    if (!c)
        return;
    free(c->m);
    free(c->ev);
    free(c->v);
    free(c);
}

int jahs_report_curves_members(const jahs_report_curves *c)
{
    return c ? c->n : 0;
}

double jahs_report_curves_at(const jahs_report_curves *c, const int *w,
                             double t)
{
    double sum = 0, wsum = 0, te, va;
    int i;
    for (i = 0; i < c->n; i++) {
        if (w[i] <= 0)
            continue;
        if (!seed_at(c->m[i], t, &te, &va))
            return NAN;
        sum += w[i] * te;
        wsum += w[i];
    }
    return wsum > 0 ? sum / wsum : NAN;
}

double jahs_report_curves_time_to(const jahs_report_curves *c, const int *w,
                                  double target, double horizon)
{
    double sum = 0, wsum = 0;
    int i, missing = 0;
    size_t k;
    if (isnan(target))
        return NAN;
    for (i = 0; i < c->n; i++) {
        c->v[i] = NAN;
        if (w[i] > 0) {
            missing++;
            wsum += w[i];
        }
    }
    if (wsum <= 0)
        return NAN;
    for (k = 0; k < c->n_ev;) {
        double t = c->ev[k].t;
        if (t > horizon + 1e-9)
            break;
        /* every event at this time, then the mean */
        for (; k < c->n_ev && c->ev[k].t == t; k++) {
            const curve_event *e = &c->ev[k];
            int m = e->member;
            if (w[m] <= 0)
                continue;
            if (!isnan(c->v[m]))
                sum -= w[m] * c->v[m];
            else if (!isnan(e->test))
                missing--;
            if (isnan(e->test) && !isnan(c->v[m]))
                missing++;
            c->v[m] = e->test;
            if (!isnan(e->test))
                sum += w[m] * e->test;
        }
        if (missing == 0 && sum / wsum >= target - 1e-9)
            return t;
    }
    return NAN;
}

/* ---- writers -------------------------------------------------------------- */


/* Commit w when rc is 0, else discard it; rc or the commit's code. */
static int csv_done(jahs_csv_writer *w, int rc, jahs_error *err)
{
    if (rc) {
        jahs_csv_abort(w);
        return rc;
    }
    return jahs_csv_close(w, err);
}

static void fmt_num(char *buf, size_t n, double x, int digits)
{
    if (isnan(x))
        snprintf(buf, n, "%s", "");
    else
        snprintf(buf, n, "%.*f", digits, x);
}

/* x with digits decimals as a CSV field (empty when NAN). */
static void put_num(jahs_csv_writer *w, double x, int digits)
{
    char a[64];
    fmt_num(a, sizeof a, x, digits);
    jahs_csv_str(w, a);
}

/* The mean, std and validation mean of a statistic as three CSV fields (4
 * decimals; empty when there is no result). */
static void put_stat(jahs_csv_writer *w, jahs_stat st)
{
    put_num(w, st.mean, 4);
    put_num(w, st.std, 4);
    put_num(w, st.val_mean, 4);
}

/* The header fields test_<h>h_mean, _std, _paper_mean, _paper_std per report
 * hour. */
static void put_hour_cols(jahs_csv_writer *w, const jahs_experiment *e)
{
    static const char *const suffix[] = {"_mean", "_std", "_paper_mean",
                                         "_paper_std"};
    char name[64];
    int k, j;
    for (k = 0; k < e->n_report; k++)
        for (j = 0; j < 4; j++) {
            hour_col(name, sizeof name, e->report_hours[k], suffix[j]);
            jahs_csv_str(w, name);
        }
}

static double last_hour(const jahs_experiment *e)
{
    return e->report_hours[e->n_report - 1];
}

static int write_table(const jahs_report *r, const char *outdir,
                       jahs_error *err)
{
    const jahs_experiment *e = r->e;
    jahs_csv_writer *w;
    jahs_buf md = {0};
    int i, k, rc, blas, blas_rows = 0;
    char heading[2 * JAHS_EXP_STR + 160] = "";
    if (!(w = jahs_csv_open_in(outdir, "table.csv", err)))
        return err->code;
    jahs_csv_str(w, "group");
    jahs_csv_str(w, "dataset");
    jahs_csv_str(w, "prior_source");
    jahs_csv_str(w, "method");
    jahs_csv_str(w, "status");
    jahs_csv_str(w, "seeds");
    put_hour_cols(w, e);
    jahs_csv_str(w, "budget_hours"); /* report times past it are empty */
    jahs_csv_end_row(w, err);
    jahs_buf_printf(&md, "# %s\n\n", e->name);
    if (e->description[0])
        jahs_buf_printf(&md, "%s\n\n", e->description);
    jahs_buf_printf(&md,
                    "Incumbent test accuracy (%%), mean ± std over seeds; the "
                    "poster's figure beside ours.  Incumbent: best mean "
                    "validation accuracy at the highest fidelity reached.\n\n"
                    "| Method |");
    for (k = e->n_report - 1; k >= 0; k--)
        jahs_buf_printf(&md, " ours %g h | poster %g h |", e->report_hours[k],
                        e->report_hours[k]);
    jahs_buf_printf(&md, " seeds |\n|---|");
    for (k = 0; k < e->n_report; k++)
        jahs_buf_puts(&md, "---:|---:|");
    jahs_buf_puts(&md, "---:|\n");
    for (i = 0; i < e->n_rows; i++) {
        const jahs_exp_row *row = &e->rows[i];
        const row_data *d = &r->rows[i];
        int ran = d->n_with > 0;
        const char *status =
            ran ? (d->n_with == row->n_seeds ? "ok" : "partial")
                : (jahs_exp_row_needs_live(row) ? "live only" : "not run");
        char set[160], head[sizeof heading];
        /* a heading per group and setting (dataset, prior source) */
        jahs_exp_row_setting(row, set, sizeof set);
        snprintf(head, sizeof head, "%s%s%s", row->group,
                 row->group[0] ? " · " : "", set);
        if (strcmp(head, heading) != 0) {
            snprintf(heading, sizeof heading, "%s", head);
            jahs_buf_printf(&md, "| **%s** |", heading);
            for (k = 0; k < e->n_report; k++)
                jahs_buf_puts(&md, " | |");
            jahs_buf_puts(&md, " |\n");
        }
        jahs_csv_str(w, row->group);
        jahs_csv_str(w, row->dataset);
        jahs_csv_str(w, row->prior_source);
        jahs_csv_str(w, row->label);
        jahs_csv_str(w, status);
        jahs_csv_int(w, d->n_with);
        blas = jahs_opt_uses_blas(row->optimizer);
        blas_rows += blas;
        jahs_buf_printf(&md, "| %s%s |", row->label, blas ? " †" : "");
        for (k = 0; k < e->n_report; k++) {
            jahs_stat st = jahs_report_at(r, i, e->report_hours[k] * 3600.0);
            put_num(w, ran ? st.mean : NAN, 4);
            put_num(w, ran ? st.std : NAN, 4);
            put_num(w, d->paper_mean[k], 2);
            put_num(w, d->paper_std[k], 2);
        }
        jahs_csv_double(w, row->budget_hours);
        for (k = e->n_report - 1; k >= 0; k--) {
            jahs_stat st = jahs_report_at(r, i, e->report_hours[k] * 3600.0);
            if (!ran)
                jahs_buf_printf(&md, " %s |", status);
            else if (st.beyond)
                jahs_buf_printf(&md, " beyond the budget (%g h) |",
                                row->budget_hours);
            else if (st.n == 0)
                jahs_buf_puts(&md, " no result yet |");
            else
                jahs_buf_printf(&md, " %.1f ± %.1f |", st.mean, st.std);
            if (isnan(d->paper_mean[k]))
                jahs_buf_puts(&md, " — |");
            else if (isnan(d->paper_std[k]))
                jahs_buf_printf(&md, " %.1f |", d->paper_mean[k]);
            else
                jahs_buf_printf(&md, " %.1f ± %.1f |", d->paper_mean[k],
                                d->paper_std[k]);
        }
        jahs_buf_printf(&md, " %d |\n", d->n_with);
        if ((rc = jahs_csv_end_row(w, err))) {
            jahs_csv_abort(w);
            jahs_buf_free(&md);
            return rc;
        }
    }
    if ((rc = jahs_csv_close(w, err))) {
        jahs_buf_free(&md);
        return rc;
    }
    if (blas_rows)
        jahs_buf_puts(&md, "\n† its optimizer fits a GP through BLAS: the "
                           "trials, so these numbers, can differ with the "
                           "BLAS library or its CPU kernel (REPRODUCE.md, "
                           "\"Determinism\").\n");
    rc = jahs_afile_write_in(outdir, "table.md", md.data, md.len, err);
    jahs_buf_free(&md);
    return rc;
}

static int write_curves(const jahs_report *r, const char *outdir,
                        jahs_error *err)
{
    const jahs_experiment *e = r->e;
    jahs_csv_writer *w;
    int i, rc;
    static const char *head[] = {"method", "time_h", "n", "test_mean",
                                 "test_std", "val_mean"};
    if (!(w = jahs_csv_open_in(outdir, "curves.csv", err)))
        return err->code;
    jahs_csv_row(w, head, 6, err);
    for (i = 0; i < e->n_rows; i++) {
        double step = e->curve_step_minutes * 60.0, t;
        long k, steps;
        if (!r->rows[i].n_with)
            continue;
        steps = (long)floor(e->rows[i].budget_hours * 3600.0 / step + 1e-9);
        for (k = 0; k <= steps; k++) {
            jahs_stat st;
            t = k * step;
            st = jahs_report_at(r, i, t);
            jahs_csv_str(w, e->rows[i].label);
            put_num(w, t / 3600.0, 4);
            jahs_csv_int(w, st.n);
            put_stat(w, st);
            if ((rc = jahs_csv_end_row(w, err)))
                return csv_done(w, rc, err);
        }
    }
    return jahs_csv_close(w, err);
}

/* speedup.csv: one line per row that has runs and whose space has a
 * reference row with runs (jahs_exp_reference: the reference of the row's
 * own space, never one of another space); the reference's line included.
 * Not written when no row qualifies. */
static int write_speedup(const jahs_report *r, const char *outdir,
                         jahs_error *err)
{
    const jahs_experiment *e = r->e;
    jahs_csv_writer *w = NULL;
    int i, rc;
    double H = last_hour(e) * 3600.0;
    static const char *head[] = {
        "method",          "space",            "reference",
        "target_ref",      "t_ref_h",          "t_method_h",
        "speedup_pct",     "own_final",        "t_own_h",
        "ref_time_to_own_h", "speedup_vs_ref_pct"};
    for (i = 0; i < e->n_rows; i++) {
        int ref = jahs_exp_reference(e, i);
        double target, t_ref, t_m, own, t_own, t_ref_own, ref_horizon;
        if (!r->rows[i].n_with || ref < 0 || !r->rows[ref].n_with)
            continue;
        if (!w) {
            if (!(w = jahs_csv_open_in(outdir, "speedup.csv", err)))
                return err->code;
            jahs_csv_row(w, head, 11, err);
        }
        target = jahs_report_at(r, ref, H).mean;
        t_ref = jahs_report_time_to(r, ref, target, H);
        ref_horizon = e->rows[ref].budget_hours * 3600.0;
        t_m = jahs_report_time_to(r, i, target, e->rows[i].budget_hours * 3600.0);
        own = jahs_report_at(r, i, H).mean;
        t_own = jahs_report_time_to(r, i, own, H);
        t_ref_own = jahs_report_time_to(r, ref, own, ref_horizon);
        jahs_csv_str(w, e->rows[i].label);
        jahs_csv_str(w, e->rows[i].space);
        jahs_csv_str(w, e->rows[ref].label);
        put_num(w, target, 4);
        put_num(w, t_ref / 3600.0, 4);
        put_num(w, t_m / 3600.0, 4);
        put_num(w, 100.0 * (t_ref - t_m) / t_ref, 2);
        put_num(w, own, 4);
        put_num(w, t_own / 3600.0, 4);
        put_num(w, t_ref_own / 3600.0, 4);
        put_num(w, 100.0 * (1.0 - t_own / t_ref_own), 2);
        if ((rc = jahs_csv_end_row(w, err)))
            return csv_done(w, rc, err);
    }
    return w ? jahs_csv_close(w, err) : 0;
}

static int write_summary(const jahs_report *r, const char *outdir,
                         jahs_error *err)
{
    const jahs_experiment *e = r->e;
    jahs_csv_writer *w;
    int i, k, rc;
    static const char *head[] = {"method", "space", "optimizer", "prior",
                                 "confidence", "prior_fraction", "workers",
                                 "hours", "n", "test_mean", "test_std",
                                 "val_mean", "budget_hours"};
    if (!(w = jahs_csv_open_in(outdir, "summary.csv", err)))
        return err->code;
    jahs_csv_row(w, head, 13, err);
    for (i = 0; i < e->n_rows; i++) {
        const jahs_exp_row *row = &e->rows[i];
        if (!r->rows[i].n_with)
            continue;
        for (k = 0; k < e->n_report; k++) {
            jahs_stat st = jahs_report_at(r, i, e->report_hours[k] * 3600.0);
            jahs_csv_str(w, row->label);
            jahs_csv_str(w, row->space);
            jahs_csv_str(w, row->optimizer);
            jahs_csv_str(w, jahs_prior_cover_name(row->prior));
            jahs_csv_str(w, jahs_confidence_name(row->confidence));
            jahs_csv_double(w, row->opt.prior_fraction);
            jahs_csv_int(w, row->workers);
            jahs_csv_double(w, e->report_hours[k]);
            jahs_csv_int(w, st.n);
            put_stat(w, st);
            jahs_csv_double(w, row->budget_hours);
            if ((rc = jahs_csv_end_row(w, err)))
                return csv_done(w, rc, err);
        }
    }
    return jahs_csv_close(w, err);
}

static int write_ablation(const jahs_report *r, const char *outdir,
                          jahs_error *err)
{
    const jahs_experiment *e = r->e;
    jahs_csv_writer *w;
    jahs_buf v = {0};
    int i, k, rc;
    if (!e->ablation[0])
        return 0;
    if (!(w = jahs_csv_open_in(outdir, "ablation.csv", err)))
        return err->code;
    jahs_csv_str(w, "method");
    jahs_csv_str(w, e->ablation);
    jahs_csv_str(w, "seeds");
    put_hour_cols(w, e);
    jahs_csv_end_row(w, err);
    for (i = 0; i < e->n_rows; i++) {
        const jahs_exp_row *row = &e->rows[i];
        if (!r->rows[i].n_with)
            continue;
        jahs_csv_str(w, row->label);
        v.len = 0;
        jahs_exp_row_value(e, row, e->ablation, &v);
        jahs_csv_str(w, v.data ? v.data : "");
        jahs_csv_int(w, r->rows[i].n_with);
        for (k = 0; k < e->n_report; k++) {
            jahs_stat st = jahs_report_at(r, i, e->report_hours[k] * 3600.0);
            put_num(w, st.mean, 4);
            put_num(w, st.std, 4);
            put_num(w, r->rows[i].paper_mean[k], 2);
            put_num(w, r->rows[i].paper_std[k], 2);
        }
        if ((rc = jahs_csv_end_row(w, err))) {
            jahs_csv_abort(w);
            jahs_buf_free(&v);
            return rc;
        }
    }
    jahs_buf_free(&v);
    return jahs_csv_close(w, err);
}

/* ---- plots (gnuplot) --------------------------------------------------- */

/*
 * What the plots draw, and whose plots they follow:
 *   curves.svg/.png  one panel per search space (jahs_exp_same_search_space:
 *                    top10 shares nb201's panel), the mean incumbent test
 *                    accuracy over seeds as steps with a +-1 std band, one
 *                    line per row: Syne Tune v0.13.0's comparative plot
 *                    (syne_tune/experiments/visualization/plotting.py: one
 *                    plot per benchmark, docstring of ComparativeResults,
 *                    lines 340-360; a colour per setup and its band, lines
 *                    742-753) and DeepCAVE v1.4's "Cost over Time"
 *                    (deepcave/plugins/objective/cost_over_time.py: groups
 *                    as mean +- std, steps (line_shape "hv"), lines 365-425)
 *   seeds.svg/.png   every seed's own incumbent curve, the rows' colours and
 *                    dash patterns: DeepCAVE's "show runs" beside "show
 *                    groups" (cost_over_time.py, lines 348-360)
 *   rank.svg/.png    the mean rank of each row over time (1 = best), ranked
 *                    per seed among the panel's rows that ran that seed, ties
 *                    averaged, no result yet ranked last, then averaged over
 *                    the seeds: the "paired" variant of HPOBench's average
 *                    rank plot (automl/HPOBenchExperimentUtils,
 *                    HPOBenchExperimentUtils/analysis/rank_plotting.py,
 *                    lines 151-185, pandas rank(na_option="bottom")), without
 *                    its random draws, so the plot is deterministic
 *   ablation.svg     the swept value against the incumbent at each report
 *                    time, the points joined in the order of the value
 * Every line of a panel has its own colour and dash pattern
 * (jahs_plot_line_style);
 * the y range comes from the data; the legend sits outside the curves; the
 * report hours are marked; plot_time = log puts time on a log axis (as
 * DeepCAVE's "Logarithmic Time" and HPOBench's rank plot do).  The same
 * journals give the same scripts and, with the same gnuplot, byte-identical
 * SVG files.
 */

/* matplotlib's "tab10" colours (Syne Tune's C0..C9) and two more */
static const char *const colours[] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#000000", "#aec7e8"};
/* gnuplot dash patterns (dash, gap, ...) in units of the line width */
static const char *const dashes[] = {
    "solid",          "(8,4)",     "(2,3)",       "(8,4,2,4)",
    "(14,4,4,4)",     "(4,4)",     "(14,6)",      "(2,7)",
    "(8,3,2,3,2,3)",  "(20,5)",    "(6,2,2,2)",   "(3,3,9,3)"};
#define N_STYLE 12

/* " lc rgb '#...' dt ..." for line j of a plot: colour and dash pattern
 * both distinct for j < 12, the pair distinct for j < 144. */
void jahs_plot_line_style(jahs_buf *b, int j)
{
    int c = j % N_STYLE, d = (j % N_STYLE + j / N_STYLE) % N_STYLE;
    jahs_buf_printf(b, " lc rgb '%s' dt %s", colours[c], dashes[d]);
}

/*
 * Render <outdir>/<base>.svg and .png with gnuplot from a script made of
 * `head` (data blocks and settings) and, once per terminal, `body` (plot
 * commands, or a whole multiplot).  The script is kept as <base>.gp; the
 * images are written to temporary names and renamed, so a failed gnuplot
 * leaves no half image.
 */
/* The panels of the time plots: rows with runs, grouped by search space in
 * the order of their first row.  rows points into one block, owned by the
 * first panel (free_panels). */
typedef struct {
    int *rows;
    int n;
} panel;

static void free_panels(panel *p)
{
    if (p)
        free(p[0].rows);
    free(p);
}

static int make_panels(const jahs_report *r, panel **out, int *n_out)
{
    const jahs_experiment *e = r->e;
    size_t m = (size_t)(e->n_rows ? e->n_rows : 1);
    panel *p = calloc(m, sizeof *p);
    int *of = calloc(m, sizeof *of), *block = calloc(m, sizeof *block);
    int i, k, n = 0, used = 0;
    if (!p || !of || !block) {
        free(p);
        free(of);
        free(block);
        return JAHS_ENOMEM;
    }
    for (i = 0; i < e->n_rows; i++) {
        of[i] = -1;
        if (!r->rows[i].n_with)
            continue;
        for (k = 0; k < i; k++)
            if (of[k] >= 0 && jahs_exp_same_search_space(e->rows[k].space,
                                                         e->rows[i].space))
                break;
        of[i] = k < i ? of[k] : n++;
        p[of[i]].n++;
    }
    for (k = 0; k < n; k++) {
        p[k].rows = block + used;
        used += p[k].n;
        p[k].n = 0;
    }
    if (n == 0)
        p[0].rows = block;
    for (i = 0; i < e->n_rows; i++)
        if (of[i] >= 0)
            p[of[i]].rows[p[of[i]].n++] = i;
    free(of);
    *out = p;
    *n_out = n;
    return 0;
}

/* "nb201, top10": the spaces of panel p, each once, in row order. */
static void panel_spaces(const jahs_experiment *e, const panel *p, jahs_buf *b)
{
    int j, k;
    for (j = 0; j < p->n; j++) {
        const char *sp = e->rows[p->rows[j]].space;
        for (k = 0; k < j && strcmp(e->rows[p->rows[k]].space, sp); k++)
            ;
        if (k == j)
            jahs_buf_printf(b, "%s%s", j ? ", " : "", sp);
    }
}

/* The curves.csv grid of row `row`: times k * *step (seconds) for k in
 * 0..the returned count, up to the row's budget. */
static long grid_steps(const jahs_experiment *e, int row, double *step)
{
    *step = e->curve_step_minutes * 60.0;
    return (long)floor(e->rows[row].budget_hours * 3600.0 / *step + 1e-9);
}

/* Settings of one panel: title, axes, key outside, the report hours marked.
 * x from x0 (log) or 0 to maxh hours; y over [lo, hi] with a margin. */
static void panel_head(const jahs_report *r, const panel *p, jahs_buf *b,
                       const char *what, const char *ylabel, double x0,
                       double maxh, double lo, double hi, int reverse_y)
{
    const jahs_experiment *e = r->e;
    int log_t = strcmp(e->plot_time, "log") == 0, k;
    double pad = hi > lo ? 0.05 * (hi - lo) : 1.0;
    jahs_buf_puts(b, "unset arrow\nunset label\nset title \"");
    jahs_gnuplot_escape(b, e->name);
    jahs_buf_puts(b, ": ");
    jahs_buf_puts(b, what);
    jahs_buf_puts(b, ", space ");
    {
        jahs_buf sp = {0};
        panel_spaces(e, p, &sp);
        jahs_gnuplot_escape(b, sp.data ? sp.data : "");
        jahs_buf_free(&sp);
    }
    jahs_buf_printf(b, "\"\nset xlabel 'time (hours%s)'\nset ylabel '%s'\n"
                       "set key outside right top vertical font ',9'\n"
                       "set grid\n",
                    log_t ? ", log scale" : "", ylabel);
    if (log_t)
        jahs_buf_printf(b, "set logscale x\nset xrange [%.6g:%.6g]\n", x0, maxh);
    else
        jahs_buf_printf(b, "unset logscale x\nset xrange [0:%.6g]\n", maxh);
    if (isnan(lo) || isnan(hi))
        jahs_buf_puts(b, "set yrange [*:*]\n");
    else if (reverse_y)
        jahs_buf_printf(b, "set yrange [%.4f:%.4f]\n", hi + pad, lo - pad);
    else
        jahs_buf_printf(b, "set yrange [%.4f:%.4f]\n", lo - pad, hi + pad);
    for (k = 0; k < e->n_report; k++) {
        double h = e->report_hours[k];
        if (h > maxh + 1e-9 || (log_t && h < x0))
            continue;
        jahs_buf_printf(b,
                        "set arrow from %.6g, graph 0 to %.6g, graph 1 nohead "
                        "lc rgb '#555555' dt (3,3) lw 1 back\n"
                        "set label '%g h' at %.6g, graph 1 offset 0.5,-1 "
                        "left textcolor rgb '#555555' font ',9'\n",
                        h, h, h, h);
    }
}

/* Largest budget (hours) and first result time (hours, > 0) of a panel. */
static void panel_times(const jahs_report *r, const panel *p, double *maxh,
                        double *first)
{
    int j, s;
    *maxh = 0;
    *first = INFINITY;
    for (j = 0; j < p->n; j++) {
        int i = p->rows[j];
        const row_data *d = &r->rows[i];
        if (r->e->rows[i].budget_hours > *maxh)
            *maxh = r->e->rows[i].budget_hours;
        for (s = 0; s < r->e->rows[i].n_seeds; s++)
            if (d->seeds[s].has && d->seeds[s].n > 0 &&
                d->seeds[s].pts[0].t > 0 && d->seeds[s].pts[0].t / 3600.0 < *first)
                *first = d->seeds[s].pts[0].t / 3600.0;
    }
    if (!isfinite(*first) || *first >= *maxh)
        *first = *maxh > 0 ? *maxh / 1000.0 : 1e-3;
}

static void title_of(jahs_buf *b, const char *label)
{
    jahs_buf_puts(b, " title \"");
    jahs_gnuplot_escape(b, label);
    jahs_buf_puts(b, "\"");
}

/* curves: mean +- std steps on the curves.csv grid. */
static void curves_panel(const jahs_report *r, const panel *p, int pi,
                         jahs_buf *head, jahs_buf *body)
{
    const jahs_experiment *e = r->e;
    double step, maxh, first, lo = INFINITY, hi = -INFINITY;
    jahs_buf plot = {0};
    int j;
    panel_times(r, p, &maxh, &first);
    for (j = 0; j < p->n; j++) {
        int i = p->rows[j];
        long k, steps = grid_steps(e, i, &step);
        jahs_buf_printf(head, "$c%d_%d << EOD\n", pi, j);
        for (k = 0; k <= steps; k++) {
            jahs_stat st = jahs_report_at(r, i, k * step);
            if (st.n == 0)
                continue;
            jahs_buf_printf(head, "%.4f %.4f %.4f\n", k * step / 3600.0,
                            st.mean, st.std);
            lo = fmin(lo, st.mean - st.std);
            hi = fmax(hi, st.mean + st.std);
        }
        jahs_buf_puts(head, "EOD\n");
        jahs_buf_printf(&plot,
                        "%s$c%d_%d using 1:($2-$3):($2+$3) with filledcurves "
                        "fc rgb '%s' fs transparent solid 0.12 noborder "
                        "notitle, $c%d_%d using 1:2 with steps lw 2",
                        j ? ", \\\n  " : "", pi, j, colours[j % N_STYLE], pi, j);
        jahs_plot_line_style(&plot, j);
        title_of(&plot, e->rows[i].label);
    }
    panel_head(r, p, body, "mean over seeds (band: +-1 std)",
               "incumbent test accuracy (%)", first, maxh,
               isfinite(lo) ? lo : NAN, isfinite(hi) ? hi : NAN, 0);
    jahs_buf_printf(body, "plot %s\n", plot.data ? plot.data : "");
    jahs_buf_free(&plot);
}

/* seeds: every seed's incumbent steps, to the end of its row's budget. */
static void seeds_panel(const jahs_report *r, const panel *p, int pi,
                        jahs_buf *head, jahs_buf *body)
{
    const jahs_experiment *e = r->e;
    double maxh, first, lo = INFINITY, hi = -INFINITY;
    jahs_buf plot = {0};
    int j, s, any = 0;
    panel_times(r, p, &maxh, &first);
    for (j = 0; j < p->n; j++) {
        int i = p->rows[j], titled = 0;
        const row_data *d = &r->rows[i];
        for (s = 0; s < e->rows[i].n_seeds; s++) {
            const seed_traj *st = &d->seeds[s];
            double last = NAN;
            size_t k;
            if (!st->has)
                continue;
            jahs_buf_printf(head, "$s%d_%d_%d << EOD\n", pi, j, s);
            for (k = 0; k < st->n; k++) {
                if (isnan(st->pts[k].test))
                    continue;
                jahs_buf_printf(head, "%.4f %.4f\n", st->pts[k].t / 3600.0,
                                st->pts[k].test);
                last = st->pts[k].test;
                lo = fmin(lo, last);
                hi = fmax(hi, last);
            }
            if (!isnan(last))
                jahs_buf_printf(head, "%.4f %.4f\n",
                                e->rows[i].budget_hours, last);
            jahs_buf_puts(head, "EOD\n");
            jahs_buf_printf(&plot, "%s$s%d_%d_%d using 1:2 with steps lw 1.2",
                            any ? ", \\\n  " : "", pi, j, s);
            jahs_plot_line_style(&plot, j);
            if (!titled) {
                jahs_buf buf = {0};
                jahs_buf_printf(&buf, "%s (%d seeds)", e->rows[i].label,
                                d->n_with);
                title_of(&plot, buf.data);
                jahs_buf_free(&buf);
                titled = 1;
            } else {
                jahs_buf_puts(&plot, " notitle");
            }
            any = 1;
        }
    }
    panel_head(r, p, body, "each seed's incumbent",
               "incumbent test accuracy (%)", first, maxh,
               isfinite(lo) ? lo : NAN, isfinite(hi) ? hi : NAN, 0);
    jahs_buf_printf(body, "plot %s\n", plot.data ? plot.data : "");
    jahs_buf_free(&plot);
}

/*
 * Mean rank of row p->rows[j] at time t among the panel's rows: for each
 * seed value run by that row, its rank among the panel's rows that ran that
 * seed (1 = highest incumbent test accuracy, ties averaged, rows without a
 * result yet after those with one), averaged over those seeds; NAN when the
 * row has no seed.
 */
static double mean_rank(const jahs_report *r, const panel *p, int j, double t)
{
    const jahs_experiment *e = r->e;
    int i = p->rows[j], s, q, n_seeds = 0;
    double sum = 0;
    for (s = 0; s < e->rows[i].n_seeds; s++) {
        uint64_t seed = e->rows[i].seeds[s];
        double mine = NAN, better = 0, tied = 0;
        jahs_stat me = jahs_report_seed_at(r, i, s, t);
        if (!r->rows[i].seeds[s].has)
            continue;
        if (me.n)
            mine = me.mean;
        for (q = 0; q < p->n; q++) {
            int o = p->rows[q], so;
            jahs_stat them;
            if (q == j)
                continue;
            for (so = 0; so < e->rows[o].n_seeds &&
                         e->rows[o].seeds[so] != seed;
                 so++)
                ;
            if (so == e->rows[o].n_seeds || !r->rows[o].seeds[so].has)
                continue;
            them = jahs_report_seed_at(r, o, so, t);
            if (isnan(mine)) {
                /* no result: below every row with one, tied with the rest */
                if (them.n)
                    better++;
                else
                    tied++;
            } else if (them.n) {
                if (them.mean > mine)
                    better++;
                else if (them.mean == mine)
                    tied++;
            }
        }
        sum += 1.0 + better + 0.5 * tied;
        n_seeds++;
    }
    return n_seeds ? sum / n_seeds : NAN;
}

/* rank: the mean rank of each row on the curves.csv grid. */
static void rank_panel(const jahs_report *r, const panel *p, int pi,
                       jahs_buf *head, jahs_buf *body)
{
    const jahs_experiment *e = r->e;
    int j, log_t = strcmp(e->plot_time, "log") == 0;
    double step, maxh, first;
    jahs_buf plot = {0};
    panel_times(r, p, &maxh, &first);
    for (j = 0; j < p->n; j++) {
        long k, steps = grid_steps(e, p->rows[j], &step);
        jahs_buf_printf(head, "$r%d_%d << EOD\n", pi, j);
        for (k = 0; k <= steps; k++) {
            double m = mean_rank(r, p, j, k * step);
            if (k == 0 && log_t)
                continue;
            if (!isnan(m))
                jahs_buf_printf(head, "%.4f %.4f\n", k * step / 3600.0, m);
        }
        jahs_buf_puts(head, "EOD\n");
        jahs_buf_printf(&plot, "%s$r%d_%d using 1:2 with steps lw 2",
                        j ? ", \\\n  " : "", pi, j);
        jahs_plot_line_style(&plot, j);
        title_of(&plot, e->rows[p->rows[j]].label);
    }
    panel_head(r, p, body, "mean rank over seeds (1 = best)", "mean rank",
               first, maxh, 1.0, (double)p->n, 1);
    jahs_buf_printf(body, "plot %s\n", plot.data ? plot.data : "");
    jahs_buf_free(&plot);
}

typedef void (*panel_fn)(const jahs_report *r, const panel *p, int pi,
                         jahs_buf *head, jahs_buf *body);

/* One time plot, base.svg/.png: a panel per search space (rank: only the
 * panels with two rows or more; none: no plot). */
static int time_plot(const jahs_report *r, const char *outdir,
                     const char *base, panel_fn fn, int min_rows,
                     jahs_error *err)
{
    panel *p = NULL;
    jahs_buf head = {0}, body = {0};
    char size[64];
    int n, k, used = 0, rc;
    if (make_panels(r, &p, &n))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    for (k = 0; k < n; k++)
        used += p[k].n >= min_rows;
    if (used == 0) {
        free_panels(p);
        return 0;
    }
    jahs_buf_puts(&head, "set style fill transparent solid 0.12 noborder\n");
    if (used > 1)
        jahs_buf_printf(&body, "set multiplot layout %d,1\n", used);
    for (k = 0; k < n; k++)
        if (p[k].n >= min_rows)
            fn(r, &p[k], k, &head, &body);
    if (used > 1)
        jahs_buf_puts(&body, "unset multiplot\n");
    snprintf(size, sizeof size, "1100,%d", 460 * used);
    rc = jahs_gnuplot_render(outdir, base, size, head.data, body.data, err);
    jahs_buf_free(&head);
    jahs_buf_free(&body);
    free_panels(p);
    return rc;
}

/* The x of row i in the ablation plot: its ablation key's value (the
 * confidence as 0, 1, 2 for low, medium, high); 0 when it has none. */
static double ablation_x(const jahs_experiment *e, int i)
{
    const jahs_exp_row *row = &e->rows[i];
    if (strcmp(e->ablation, "confidence") == 0)
        return (double)row->confidence;
    if (strcmp(e->ablation, "workers") == 0)
        return (double)row->workers;
    return row->opt.prior_fraction;
}

static const jahs_experiment *ablation_sort_e;
static int cmp_ablation(const void *a, const void *b)
{
    int i = *(const int *)a, j = *(const int *)b;
    double x = ablation_x(ablation_sort_e, i), y = ablation_x(ablation_sort_e, j);
    return x < y ? -1 : x > y ? 1 : (i > j) - (i < j);
}

/* The rows with runs in the order of their swept value (ties: file order);
 * *n of them.  malloc'd. */
static int *ablation_order(const jahs_report *r, int *n)
{
    const jahs_experiment *e = r->e;
    int *ord = malloc((size_t)(e->n_rows ? e->n_rows : 1) * sizeof *ord);
    int i;
    *n = 0;
    if (!ord)
        return NULL;
    for (i = 0; i < e->n_rows; i++)
        if (r->rows[i].n_with)
            ord[(*n)++] = i;
    ablation_sort_e = e;
    qsort(ord, (size_t)*n, sizeof *ord, cmp_ablation);
    ablation_sort_e = NULL;
    return ord;
}

static int plot_ablation(const jahs_report *r, const char *outdir,
                         jahs_error *err)
{
    const jahs_experiment *e = r->e;
    jahs_buf head = {0}, body = {0};
    int i, k, rc, n, *ord;
    double lo = INFINITY, hi = -INFINITY, xlo = INFINITY, xhi = -INFINITY;
    if (!e->ablation[0])
        return 0;
    if (!(ord = ablation_order(r, &n)))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    if (n == 0) {
        free(ord);
        return 0;
    }
    jahs_buf_puts(&body, "plot ");
    for (k = 0; k < e->n_report; k++) {
        jahs_buf_printf(&head, "$h%d << EOD\n", k);
        for (i = 0; i < n; i++) {
            jahs_stat st = jahs_report_at(r, ord[i], e->report_hours[k] * 3600.0);
            double x = ablation_x(e, ord[i]);
            xlo = fmin(xlo, x);
            xhi = fmax(xhi, x);
            if (st.n == 0)
                continue;
            jahs_buf_printf(&head, "%.4f %.4f %.4f\n", x, st.mean, st.std);
            lo = fmin(lo, st.mean - st.std);
            hi = fmax(hi, st.mean + st.std);
        }
        jahs_buf_puts(&head, "EOD\n");
        jahs_buf_printf(&body, "%s$h%d using 1:2:3 with yerrorlines lw 2 pt %d",
                        k ? ", \\\n  " : "", k, k % 13 + 1);
        jahs_plot_line_style(&body, k);
        jahs_buf_printf(&body, " title '%g h'", e->report_hours[k]);
    }
    jahs_buf_puts(&body, "\n");
    free(ord);
    jahs_buf_printf(&head, "set xlabel '%s'\nset ylabel 'incumbent test "
                           "accuracy (%%)'\nset grid\n"
                           "set key outside right top vertical\n",
                    e->ablation);
    if (strcmp(e->ablation, "confidence") == 0)
        jahs_buf_puts(&head, "set xtics ('low' 0, 'medium' 1, 'high' 2)\n");
    {
        double pad = xhi > xlo ? 0.05 * (xhi - xlo) : 0.5;
        double ypad = hi > lo ? 0.05 * (hi - lo) : 1.0;
        jahs_buf_printf(&head, "set xrange [%.4f:%.4f]\n", xlo - pad, xhi + pad);
        if (isfinite(lo))
            jahs_buf_printf(&head, "set yrange [%.4f:%.4f]\n", lo - ypad,
                            hi + ypad);
    }
    jahs_buf_puts(&head, "set title \"");
    jahs_gnuplot_escape(&head, e->name);
    jahs_buf_printf(&head, ": incumbent by %s (error bars: +-1 std over "
                           "seeds)\"\n",
                    e->ablation);
    rc = jahs_gnuplot_render(outdir, "ablation", "900,500", head.data,
                             body.data, err);
    jahs_buf_free(&head);
    jahs_buf_free(&body);
    return rc;
}

/* One line per row with runs whose budget ends before the last report
 * time: its later columns read "beyond the budget". */
static void warn_beyond_budget(const jahs_report *r)
{
    const jahs_experiment *e = r->e;
    int i;
    for (i = 0; i < e->n_rows; i++)
        if (r->rows[i].n_with && past_budget(r, i, last_hour(e) * 3600.0))
            jahs_info("[%s]: report time %g h is beyond its budget (%g h): "
                      "reported as 'beyond the budget'",
                      e->rows[i].label, last_hour(e), e->rows[i].budget_hours);
}

const jahs_experiment *jahs_report_experiment(const jahs_report *r)
{
    return r->e;
}

int jahs_report_write(const jahs_report *r, const char *outdir, int *plots,
                      jahs_error *err)
{
    int rc;
    jahs_buf claims = {0};
    if (plots)
        *plots = 0;
    warn_beyond_budget(r);
    if ((rc = jahs_mkdirs(outdir, err)) || (rc = write_table(r, outdir, err)) ||
        (rc = write_curves(r, outdir, err)) ||
        (rc = write_speedup(r, outdir, err)) ||
        (rc = write_summary(r, outdir, err)) ||
        (rc = write_ablation(r, outdir, err)))
        return rc;
    if ((rc = jahs_report_claims(r, &claims, err))) {
        jahs_buf_free(&claims);
        return rc;
    }
    rc = jahs_afile_write_in(outdir, "claims.md", claims.data, claims.len,
                             err);
    jahs_buf_free(&claims);
    if (rc)
        return rc;
    if (!jahs_gnuplot_enabled())
        return 0;
    if ((rc = time_plot(r, outdir, "curves", curves_panel, 1, err)) ||
        (rc = time_plot(r, outdir, "seeds", seeds_panel, 1, err)) ||
        (rc = time_plot(r, outdir, "rank", rank_panel, 2, err)) ||
        (rc = plot_ablation(r, outdir, err)))
        return rc;
    if (plots)
        *plots = 1;
    return 0;
}
