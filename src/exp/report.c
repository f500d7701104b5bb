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
 * A time that is never reached is left empty.
 */
#include "exp/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/afile.h"
#include "core/csv.h"
#include "core/gnuplot.h"
#include "core/util.h"
#include "exp/rundir.h"
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

jahs_stat jahs_report_at(const jahs_report *r, int row, double t)
{
    const row_data *d = &r->rows[row];
    jahs_stat st = {0, NAN, NAN, NAN};
    double sum = 0, sum2 = 0, vsum = 0;
    int s;
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
    jahs_stat st = {0, NAN, NAN, NAN};
    double te, va;
    if (seed_index < 0 || seed_index >= r->e->rows[row].n_seeds)
        return st;
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
    int i, k, rc;
    const char *group = NULL;
    if (!(w = jahs_csv_open_in(outdir, "table.csv", err)))
        return err->code;
    jahs_csv_str(w, "group");
    jahs_csv_str(w, "method");
    jahs_csv_str(w, "status");
    jahs_csv_str(w, "seeds");
    put_hour_cols(w, e);
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
        if (row->group[0] && (!group || strcmp(group, row->group) != 0)) {
            group = row->group;
            jahs_buf_printf(&md, "| **%s** |", group);
            for (k = 0; k < e->n_report; k++)
                jahs_buf_puts(&md, " | |");
            jahs_buf_puts(&md, " |\n");
        }
        jahs_csv_str(w, row->group);
        jahs_csv_str(w, row->label);
        jahs_csv_str(w, status);
        jahs_csv_int(w, d->n_with);
        jahs_buf_printf(&md, "| %s |", row->label);
        for (k = 0; k < e->n_report; k++) {
            jahs_stat st = jahs_report_at(r, i, e->report_hours[k] * 3600.0);
            put_num(w, ran ? st.mean : NAN, 4);
            put_num(w, ran ? st.std : NAN, 4);
            put_num(w, d->paper_mean[k], 2);
            put_num(w, d->paper_std[k], 2);
        }
        for (k = e->n_report - 1; k >= 0; k--) {
            jahs_stat st = jahs_report_at(r, i, e->report_hours[k] * 3600.0);
            if (!ran)
                jahs_buf_printf(&md, " %s |", status);
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

static int find_row(const jahs_experiment *e, const char *label)
{
    int i;
    for (i = 0; i < e->n_rows; i++)
        if (strcmp(e->rows[i].label, label) == 0 ||
            strcmp(e->rows[i].paper_label, label) == 0)
            return i;
    return -1;
}

static int write_speedup(const jahs_report *r, const char *outdir,
                         jahs_error *err)
{
    const jahs_experiment *e = r->e;
    jahs_csv_writer *w;
    int ref, i, rc;
    double H = last_hour(e) * 3600.0, target, t_ref;
    static const char *head[] = {
        "method",          "reference",        "target_ref",
        "t_ref_h",         "t_method_h",       "speedup_pct",
        "own_final",       "t_own_h",          "ref_time_to_own_h",
        "speedup_vs_ref_pct"};
    if (!e->reference[0] || (ref = find_row(e, e->reference)) < 0 ||
        !r->rows[ref].n_with)
        return 0;
    if (!(w = jahs_csv_open_in(outdir, "speedup.csv", err)))
        return err->code;
    jahs_csv_row(w, head, 10, err);
    target = jahs_report_at(r, ref, H).mean;
    t_ref = jahs_report_time_to(r, ref, target, H);
    for (i = 0; i < e->n_rows; i++) {
        double t_m, own, t_own, t_ref_own, ref_horizon;
        if (!r->rows[i].n_with)
            continue;
        ref_horizon = e->rows[ref].budget_hours * 3600.0;
        t_m = jahs_report_time_to(r, i, target, e->rows[i].budget_hours * 3600.0);
        own = jahs_report_at(r, i, H).mean;
        t_own = jahs_report_time_to(r, i, own, H);
        t_ref_own = jahs_report_time_to(r, ref, own, ref_horizon);
        jahs_csv_str(w, e->rows[i].label);
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
    return jahs_csv_close(w, err);
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
                                 "val_mean"};
    if (!(w = jahs_csv_open_in(outdir, "summary.csv", err)))
        return err->code;
    jahs_csv_row(w, head, 12, err);
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

static int plot_curves(const jahs_report *r, const char *outdir,
                       jahs_error *err)
{
    const jahs_experiment *e = r->e;
    jahs_buf head = {0}, plot = {0};
    int i, n = 0, rc;
    double maxh = 0;
    for (i = 0; i < e->n_rows; i++) {
        double step = e->curve_step_minutes * 60.0;
        long k, steps;
        if (!r->rows[i].n_with)
            continue;
        if (e->rows[i].budget_hours > maxh)
            maxh = e->rows[i].budget_hours;
        jahs_buf_printf(&head, "$d%d << EOD\n", i);
        steps = (long)floor(e->rows[i].budget_hours * 3600.0 / step + 1e-9);
        for (k = 0; k <= steps; k++) {
            jahs_stat st = jahs_report_at(r, i, k * step);
            if (st.n > 0)
                jahs_buf_printf(&head, "%.4f %.4f %.4f\n", k * step / 3600.0,
                                st.mean, st.std);
        }
        jahs_buf_puts(&head, "EOD\n");
        jahs_buf_printf(&plot,
                        "%s$d%d using 1:($2-$3):($2+$3) with filledcurves lc "
                        "%d notitle, $d%d using 1:2 with steps lw 2 lc %d dt "
                        "%d title \"",
                        n ? ", " : "", i, n % 8 + 1, i, n % 8 + 1, n / 8 + 1);
        jahs_gnuplot_escape(&plot, e->rows[i].label);
        jahs_buf_puts(&plot, "\"");
        n++;
    }
    if (n == 0) {
        jahs_buf_free(&head);
        jahs_buf_free(&plot);
        return 0;
    }
    jahs_buf_printf(&head,
                    "set xlabel 'time (hours)'\nset ylabel 'incumbent test "
                    "accuracy (%%)'\nset key bottom right font ',9'\nset grid\n"
                    "set xrange [0:%g]\nset yrange [0:*]\nset title \"",
                    maxh);
    jahs_gnuplot_escape(&head, e->name);
    jahs_buf_puts(&head, ": mean over seeds (band: +-1 std)\"\n"
                         "set style fill transparent solid 0.15 noborder\n");
    rc = jahs_gnuplot_render(outdir, "curves", "900,600", head.data,
                             plot.data, err);
    jahs_buf_free(&head);
    jahs_buf_free(&plot);
    return rc;
}

static int plot_ablation(const jahs_report *r, const char *outdir,
                         jahs_error *err)
{
    const jahs_experiment *e = r->e;
    jahs_buf head = {0}, plot = {0};
    int i, k, rc;
    if (strcmp(e->ablation, "prior_fraction") != 0)
        return 0;
    for (k = 0; k < e->n_report; k++) {
        jahs_buf_printf(&head, "$h%d << EOD\n", k);
        for (i = 0; i < e->n_rows; i++) {
            jahs_stat st;
            if (!r->rows[i].n_with)
                continue;
            st = jahs_report_at(r, i, e->report_hours[k] * 3600.0);
            if (st.n > 0)
                jahs_buf_printf(&head, "%.4f %.4f %.4f\n",
                                e->rows[i].opt.prior_fraction, st.mean, st.std);
        }
        jahs_buf_puts(&head, "EOD\n");
        jahs_buf_printf(&plot,
                        "%s$h%d using 1:2:3 with yerrorlines lw 2 title '%g h'",
                        k ? ", " : "", k, e->report_hours[k]);
    }
    jahs_buf_puts(&head, "set xlabel 'prior fraction'\nset ylabel 'incumbent "
                         "test accuracy (%)'\nset grid\nset key bottom right\n"
                         "set xrange [-0.05:1.05]\n");
    rc = jahs_gnuplot_render(outdir, "ablation", "800,500", head.data,
                             plot.data, err);
    jahs_buf_free(&head);
    jahs_buf_free(&plot);
    return rc;
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
    if ((rc = plot_curves(r, outdir, err)) || (rc = plot_ablation(r, outdir, err)))
        return rc;
    if (plots)
        *plots = 1;
    return 0;
}
