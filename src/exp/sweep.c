/*
 * sweep.c - see sweep.h.
 */
#include "exp/sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/gnuplot.h"
#include "core/log.h"
#include "core/util.h"
#include "exp/mpi.h"
#include "exp/report.h"
#include "exp/rundir.h"

typedef struct {
    char key[64];
    char *values[JAHS_SWEEP_MAX_VALUES];
    int n;
} axis;

/* A grid point: its experiment, results directory, value index per axis. */
typedef struct {
    jahs_experiment *e;
    char *dir; /* malloc'd */
    int idx[JAHS_SWEEP_MAX_AXES];
} point;

struct jahs_sweep {
    axis axes[JAHS_SWEEP_MAX_AXES];
    int n_axes;
    long n;
    point *pts;
    char *outdir, *csv; /* malloc'd */
};

/* "key=v1,v2,..." */
static int parse_axis(const char *kv, axis *a, jahs_error *err)
{
    const char *eq = strchr(kv, '=');
    char *copy, *tok, *save = NULL;
    size_t n = eq ? (size_t)(eq - kv) : 0;
    if (!eq)
        return JAHS_FAIL(err, JAHS_EUSAGE, "option '--set' expects KEY=VALUE, "
                                           "got '%s'",
                         kv);
    if (n >= sizeof a->key)
        return JAHS_FAIL(err, JAHS_EUSAGE, "key too long in '%s'", kv);
    memcpy(a->key, kv, n);
    a->key[n] = '\0';
    jahs_strtrim(a->key);
    if (!(copy = jahs_strdup(eq + 1)))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    for (tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (a->n >= JAHS_SWEEP_MAX_VALUES) {
            free(copy);
            return JAHS_FAIL(err, JAHS_EUSAGE,
                             "at most %d values per --set axis",
                             JAHS_SWEEP_MAX_VALUES);
        }
        if (!(a->values[a->n++] = jahs_strdup(jahs_strtrim(tok)))) {
            free(copy);
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        }
    }
    free(copy);
    if (a->n == 0)
        return JAHS_FAIL(err, JAHS_EUSAGE, "no values in '%s'", kv);
    return 0;
}

/* Point k of the grid (last axis fastest): the file with k's values. */
static int load_point(jahs_sweep *s, const char *file, long k, jahs_error *err)
{
    point *p = &s->pts[k];
    jahs_buf name = {0};
    char slug[256];
    long rem = k;
    int i, rc = 0;
    if (!(p->e = jahs_experiment_load(file, err)))
        return err->code;
    for (i = s->n_axes - 1; i >= 0; i--) {
        p->idx[i] = (int)(rem % s->axes[i].n);
        rem /= s->axes[i].n;
    }
    for (i = 0; i < s->n_axes && !rc; i++) {
        const axis *a = &s->axes[i];
        rc = jahs_experiment_set(p->e, a->key, a->values[p->idx[i]], err);
        jahs_buf_printf(&name, "%s%s-%s", i ? "_" : "", a->key,
                        a->values[p->idx[i]]);
    }
    if (!rc && strlen(name.data) >= sizeof slug) /* a cut slug could
                                                     collide */
        rc = JAHS_FAIL(err, JAHS_EUSAGE,
                       "sweep point '%s' is longer than %zu characters",
                       name.data, sizeof slug - 1);
    if (!rc) {
        jahs_exp_slug(name.data, slug, sizeof slug);
        if (!(p->dir = jahs_path_join(s->outdir, slug)))
            rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    }
    jahs_buf_free(&name);
    return rc;
}

jahs_sweep *jahs_sweep_create(const char *file, const char *const *axes,
                              int n_axes, const char *outdir, const char *csv,
                              jahs_error *err)
{
    jahs_sweep *s = calloc(1, sizeof *s);
    jahs_experiment *base = NULL;
    long k;
    int i;
    if (!s) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    if (n_axes < 1 || n_axes > JAHS_SWEEP_MAX_AXES) {
        JAHS_FAIL(err, JAHS_EUSAGE,
                  "a sweep needs 1 to %d --set KEY=V1,V2,... axes",
                  JAHS_SWEEP_MAX_AXES);
        goto fail;
    }
    s->n = 1;
    for (i = 0; i < n_axes; i++) {
        if (parse_axis(axes[i], &s->axes[s->n_axes++], err))
            goto fail;
        s->n *= s->axes[i].n;
        if (s->n > JAHS_SWEEP_MAX_POINTS) {
            JAHS_FAIL(err, JAHS_EUSAGE, "a sweep of at most %d points",
                      JAHS_SWEEP_MAX_POINTS);
            goto fail;
        }
    }
    if (!(base = jahs_experiment_load(file, err)))
        goto fail;
    s->outdir = outdir ? jahs_strdup(outdir) : jahs_rundir_default(base, "-sweep");
    s->csv = !s->outdir ? NULL
             : csv      ? jahs_strdup(csv)
                        : jahs_path_join(s->outdir, "sweep.csv");
    if (!s->csv) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto fail;
    }
    if (!(s->pts = calloc((size_t)s->n, sizeof *s->pts))) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto fail;
    }
    for (k = 0; k < s->n; k++)
        if (load_point(s, file, k, err))
            goto fail;
    jahs_experiment_free(base);
    return s;
fail:
    jahs_experiment_free(base);
    jahs_sweep_free(s);
    return NULL;
}

long jahs_sweep_points(const jahs_sweep *s) { return s->n; }
const char *jahs_sweep_csv(const jahs_sweep *s) { return s->csv; }

void jahs_sweep_free(jahs_sweep *s)
{
    long k;
    int i, j;
    if (!s)
        return;
    for (k = 0; s->pts && k < s->n; k++) {
        jahs_experiment_free(s->pts[k].e);
        free(s->pts[k].dir);
    }
    free(s->pts);
    free(s->outdir);
    free(s->csv);
    for (i = 0; i < s->n_axes; i++)
        for (j = 0; j < s->axes[i].n; j++)
            free(s->axes[i].values[j]);
    free(s);
}

/* One value of the tidy CSV, kept for the plot: point k, row, report time
 * h, the run's incumbent test accuracy (NAN before its first result). */
typedef struct {
    long k;
    int row, h;
    double test;
} cell;

typedef struct {
    cell *c;
    size_t n, cap;
} cells;

static int cells_add(cells *cs, long k, int row, int h, double test)
{
    if (jahs_grow((void **)&cs->c, &cs->cap, cs->n + 1, sizeof *cs->c))
        return JAHS_ENOMEM;
    cs->c[cs->n].k = k;
    cs->c[cs->n].row = row;
    cs->c[cs->n].h = h;
    cs->c[cs->n].test = test;
    cs->n++;
    return 0;
}

/* The tidy CSV (sweep.h); every value also into *cs. */
static int write_csv(const jahs_sweep *s, const jahs_run_options *o,
                     cells *cs, jahs_error *err)
{
    static const char *head[] = {"method", "seed", "hours", "test", "val"};
    jahs_csv_writer *w = jahs_csv_open(s->csv, JAHS_CSV_ATOMIC, NULL, err);
    long k;
    int i, rc = 0;
    if (!w)
        return err->code;
    for (i = 0; i < s->n_axes; i++)
        jahs_csv_str(w, s->axes[i].key);
    for (i = 0; i < 5; i++)
        jahs_csv_str(w, head[i]);
    rc = jahs_csv_end_row(w, err);
    for (k = 0; k < s->n && !rc; k++) {
        const point *p = &s->pts[k];
        const jahs_experiment *e = p->e;
        jahs_report *rep = jahs_report_load(e, p->dir, err);
        int row, seed, h;
        if (!rep) {
            rc = err->code;
            break;
        }
        for (row = 0; row < e->n_rows && !rc; row++) {
            if (!jahs_run_row_selected(e, row, o))
                continue;
            for (seed = 0; seed < e->rows[row].n_seeds && !rc; seed++)
                for (h = 0; h < e->n_report && !rc; h++) {
                    jahs_stat st = jahs_report_seed_at(
                        rep, row, seed, e->report_hours[h] * 3600.0);
                    for (i = 0; i < s->n_axes; i++)
                        jahs_csv_str(w, s->axes[i].values[p->idx[i]]);
                    jahs_csv_str(w, e->rows[row].label);
                    jahs_csv_int(w, (long long)e->rows[row].seeds[seed]);
                    jahs_csv_double(w, e->report_hours[h]);
                    if (st.n) {
                        jahs_csv_double(w, st.mean);
                        jahs_csv_double(w, st.val_mean);
                    } else {
                        jahs_csv_str(w, "");
                        jahs_csv_str(w, "");
                    }
                    rc = jahs_csv_end_row(w, err);
                    if (!rc && cells_add(cs, k, row, h, st.n ? st.mean : NAN))
                        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
                }
        }
        jahs_report_free(rep);
    }
    if (rc == 0) {
        rc = jahs_csv_close(w, err);
        w = NULL;
    }
    jahs_csv_abort(w);
    return rc;
}

/* ---- the plot of the tidy CSV -------------------------------------------- */

/*
 * sweep.svg/.png: one panel per report time; x is the first swept key other
 * than seeds (the values in numeric order when they are all numbers, else in
 * the order given); one line per row and combination of the other swept
 * keys, the mean of the incumbent test accuracy over the row's seeds and a
 * swept seeds axis, error bars +-1 std (n - 1).  Styles and rendering as the
 * report's plots (report.h).
 */
#define PLOT_MAX_CELLS 1000000

typedef struct {
    double sum, sum2;
    int n;
} acc;

/* Whether every value of axis a is a number; their values into x. */
static int axis_numeric(const axis *a, double *x)
{
    int j;
    for (j = 0; j < a->n; j++) {
        char *end;
        x[j] = strtod(a->values[j], &end);
        if (end == a->values[j] || *end || !isfinite(x[j]))
            return 0;
    }
    return 1;
}

/* The line of point k's row: row-major over (row, the axes other than xa
 * and the seeds axis sa). */
static long line_of(const jahs_sweep *s, long k, int row, int xa, int sa)
{
    long id = row;
    int i;
    for (i = 0; i < s->n_axes; i++)
        if (i != xa && i != sa)
            id = id * s->axes[i].n + s->pts[k].idx[i];
    return id;
}

/* "method, key=value, ..." of line id (inverse of line_of). */
static void line_label(const jahs_sweep *s, long id, int xa, int sa,
                       jahs_buf *b)
{
    long rem = id;
    int i, idx[JAHS_SWEEP_MAX_AXES];
    for (i = s->n_axes - 1; i >= 0; i--)
        if (i != xa && i != sa) {
            idx[i] = (int)(rem % s->axes[i].n);
            rem /= s->axes[i].n;
        }
    jahs_gnuplot_escape(b, s->pts[0].e->rows[rem].label);
    for (i = 0; i < s->n_axes; i++)
        if (i != xa && i != sa) {
            jahs_buf_puts(b, ", ");
            jahs_gnuplot_escape(b, s->axes[i].key);
            jahs_buf_puts(b, "=");
            jahs_gnuplot_escape(b, s->axes[i].values[idx[i]]);
        }
}

static const double *sort_x;
static int cmp_order(const void *a, const void *b)
{
    double x = sort_x[*(const int *)a], y = sort_x[*(const int *)b];
    return (x > y) - (x < y);
}

static int write_plot(const jahs_sweep *s, const cells *cs, jahs_error *err)
{
    const jahs_experiment *e = s->pts[0].e;
    int xa = 0, sa = -1, i, j, h, numeric, order[JAHS_SWEEP_MAX_VALUES];
    long n_lines = e->n_rows, l, used = 0;
    double x[JAHS_SWEEP_MAX_VALUES];
    acc *a;
    size_t c, n_cells;
    jahs_buf head = {0}, body = {0};
    char size[64];
    int rc;
    for (i = 0; i < s->n_axes; i++)
        if (strcmp(s->axes[i].key, "seeds") == 0)
            sa = i;
    for (i = 0; i < s->n_axes && i == sa; i++)
        ;
    xa = i < s->n_axes ? i : 0;
    if (xa == sa)
        sa = -1; /* seeds is the only axis: it is x */
    for (i = 0; i < s->n_axes; i++)
        if (i != xa && i != sa)
            n_lines *= s->axes[i].n;
    n_cells = (size_t)n_lines * (size_t)s->axes[xa].n * (size_t)e->n_report;
    if (n_cells > PLOT_MAX_CELLS) {
        jahs_info("sweep: %ld lines x %d values: too many for one plot, none "
                  "drawn",
                  n_lines, s->axes[xa].n);
        return 0;
    }
    if (!(a = calloc(n_cells, sizeof *a)))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    for (c = 0; c < cs->n; c++) {
        const cell *v = &cs->c[c];
        acc *t;
        if (isnan(v->test))
            continue;
        l = line_of(s, v->k, v->row, xa, sa);
        t = &a[((size_t)l * (size_t)s->axes[xa].n +
                (size_t)s->pts[v->k].idx[xa]) * (size_t)e->n_report +
               (size_t)v->h];
        t->sum += v->test;
        t->sum2 += v->test * v->test;
        t->n++;
    }
    numeric = axis_numeric(&s->axes[xa], x);
    for (j = 0; j < s->axes[xa].n; j++) {
        order[j] = j;
        if (!numeric)
            x[j] = j;
    }
    sort_x = x;
    qsort(order, (size_t)s->axes[xa].n, sizeof *order, cmp_order);
    sort_x = NULL;
    if (e->n_report > 1)
        jahs_buf_printf(&body, "set multiplot layout %d,1\n", e->n_report);
    for (h = 0; h < e->n_report; h++) {
        double lo = INFINITY, hi = -INFINITY;
        jahs_buf plot = {0};
        int nl = 0;
        for (l = 0; l < n_lines; l++) {
            int any = 0;
            for (j = 0; j < s->axes[xa].n; j++) {
                const acc *t = &a[((size_t)l * (size_t)s->axes[xa].n +
                                   (size_t)order[j]) * (size_t)e->n_report +
                                  (size_t)h];
                double m, sd;
                if (!t->n)
                    continue;
                m = t->sum / t->n;
                sd = t->n > 1 ? sqrt(fmax(0, (t->sum2 - t->n * m * m) /
                                                 (t->n - 1)))
                              : 0.0;
                if (!any)
                    jahs_buf_printf(&head, "$w%d_%ld << EOD\n", h, l);
                any = 1;
                jahs_buf_printf(&head, "%.6g %.4f %.4f %d\n", x[order[j]], m,
                                sd, t->n);
                lo = fmin(lo, m - sd);
                hi = fmax(hi, m + sd);
            }
            if (!any)
                continue;
            jahs_buf_puts(&head, "EOD\n");
            jahs_buf_printf(&plot, "%s$w%d_%ld using 1:2:3 with yerrorlines "
                                   "lw 2 pt %d",
                            nl ? ", \\\n  " : "", h, l, nl % 13 + 1);
            jahs_plot_line_style(&plot, nl);
            jahs_buf_puts(&plot, " title \"");
            line_label(s, l, xa, sa, &plot);
            jahs_buf_puts(&plot, "\"");
            nl++;
        }
        used += nl;
        jahs_buf_puts(&body, "set title \"");
        jahs_gnuplot_escape(&body, e->name);
        jahs_buf_printf(&body, " sweep: incumbent at %g h (mean +- std over "
                               "seeds)\"\nset xlabel \"",
                        e->report_hours[h]);
        jahs_gnuplot_escape(&body, s->axes[xa].key);
        jahs_buf_puts(&body, "\"\nset ylabel 'incumbent test accuracy (%)'\n"
                             "set key outside right top vertical font ',9'\n"
                             "set grid\n");
        if (numeric) {
            double pad = x[order[s->axes[xa].n - 1]] > x[order[0]]
                             ? 0.05 * (x[order[s->axes[xa].n - 1]] - x[order[0]])
                             : 0.5;
            jahs_buf_printf(&body, "set xtics autofreq\nset xrange [%.6g:%.6g]\n",
                            x[order[0]] - pad,
                            x[order[s->axes[xa].n - 1]] + pad);
        } else {
            jahs_buf_puts(&body, "set xtics (");
            for (j = 0; j < s->axes[xa].n; j++) {
                jahs_buf_printf(&body, "%s\"", j ? ", " : "");
                jahs_gnuplot_escape(&body, s->axes[xa].values[j]);
                jahs_buf_printf(&body, "\" %d", j);
            }
            jahs_buf_printf(&body, ")\nset xrange [-0.5:%g]\n",
                            s->axes[xa].n - 0.5);
        }
        if (isfinite(lo)) {
            double pad = hi > lo ? 0.05 * (hi - lo) : 1.0;
            jahs_buf_printf(&body, "set yrange [%.4f:%.4f]\n", lo - pad,
                            hi + pad);
        }
        if (nl)
            jahs_buf_printf(&body, "plot %s\n", plot.data);
        else
            jahs_buf_puts(&body, "set label 'no results yet' at graph 0.5, "
                                 "graph 0.5 center\nplot NaN notitle\n"
                                 "unset label\n");
        jahs_buf_free(&plot);
    }
    if (e->n_report > 1)
        jahs_buf_puts(&body, "unset multiplot\n");
    free(a);
    snprintf(size, sizeof size, "1000,%d", 420 * e->n_report);
    rc = used ? jahs_gnuplot_render(s->outdir, "sweep", size, head.data,
                                     body.data, err)
              : 0;
    jahs_buf_free(&head);
    jahs_buf_free(&body);
    return rc;
}

int jahs_sweep_run(jahs_sweep *s, const jahs_run_options *o, jahs_error *err)
{
    int leader = jahs_mpi_rank() == 0, n = 0, rc = 0;
    jahs_unit *units = NULL;
    jahs_rundir_lock *lock = NULL;
    long k;
    for (k = 0; k < s->n && !rc; k++)
        rc = jahs_run_units_add(s->pts[k].e, s->pts[k].dir, o, &units, &n,
                                err);
    /* rank 0 locks OUT and writes every point's experiment.exp and
     * overrides.txt; the others wait for it */
    if (!rc && leader)
        rc = jahs_rundir_lock_take(s->outdir, &lock, err);
    for (k = 0; leader && k < s->n && !rc; k++)
        rc = jahs_rundir_prepare(s->pts[k].dir, s->pts[k].e, err);
    if (!(rc = jahs_mpi_agree(rc, err)))
        rc = jahs_run_units(units, n, o, err);
    free(units);
    if (!rc && leader) {
        cells cs = {0};
        rc = write_csv(s, o, &cs, err);
        if (!rc && jahs_gnuplot_enabled())
            rc = write_plot(s, &cs, err);
        free(cs.c);
    }
    jahs_rundir_unlock(lock);
    return rc;
}
