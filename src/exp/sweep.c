/*
 * sweep.c - see sweep.h.
 */
#include "exp/sweep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
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

/* The tidy CSV (sweep.h). */
static int write_csv(const jahs_sweep *s, const jahs_run_options *o,
                     jahs_error *err)
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
    if (!rc && leader)
        rc = write_csv(s, o, err);
    jahs_rundir_unlock(lock);
    return rc;
}
