/*
 * cmd_run.c - `jahs run`, `jahs report` and `jahs sweep`.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/afile.h"
#include "core/csv.h"
#include "core/log.h"
#include "core/util.h"
#include "exp/driver.h"
#include "exp/experiment.h"
#include "exp/mpi.h"
#include "exp/report.h"

#define MAX_SETS 32

/* Collect every --set KEY=VALUE (jahs_cli_parse keeps only the last). */
static int collect_sets(int argc, char **argv, const char **sets, int *n,
                        jahs_error *err)
{
    int i;
    *n = 0;
    for (i = 0; i < argc; i++) {
        const char *v = NULL;
        if (strcmp(argv[i], "--set") == 0 && i + 1 < argc)
            v = argv[i + 1];
        else if (strncmp(argv[i], "--set=", 6) == 0)
            v = argv[i] + 6;
        if (!v)
            continue;
        if (*n >= MAX_SETS)
            return JAHS_FAIL(err, JAHS_CLI_USAGE, "at most %d --set options",
                             MAX_SETS);
        if (!strchr(v, '='))
            return JAHS_FAIL(err, JAHS_CLI_USAGE,
                             "option '--set' expects KEY=VALUE, got '%s'", v);
        sets[(*n)++] = v;
    }
    return 0;
}

static int apply_set(jahs_experiment *e, const char *kv, jahs_error *err)
{
    char key[128];
    const char *eq = strchr(kv, '=');
    size_t n = (size_t)(eq - kv);
    if (n >= sizeof key)
        return JAHS_FAIL(err, JAHS_CLI_USAGE, "key too long in '%s'", kv);
    memcpy(key, kv, n);
    key[n] = '\0';
    return jahs_experiment_set(e, jahs_strtrim(key), eq + 1, err);
}

/* Record the overrides beside the results so `jahs report DIR` redoes them. */
static int save_sets(const char *outdir, const char **sets, int n,
                     jahs_error *err)
{
    jahs_buf b = {0};
    char *path = jahs_path_join(outdir, "overrides.txt");
    int i, rc;
    for (i = 0; i < n; i++)
        jahs_buf_printf(&b, "%s\n", sets[i]);
    rc = path ? jahs_afile_write(path, b.data ? b.data : "", b.len, err)
              : JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    free(path);
    jahs_buf_free(&b);
    return rc;
}

int jahs_cmd_run(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {{"jobs", 1, NULL}, {"out", 1, NULL},
                              {"live", 0, NULL}, {"rows", 1, NULL},
                              {"set", 1, NULL},  {"no-report", 0, NULL},
                              {"keys", 0, NULL}, {"quiet", 0, NULL},
                              {"fresh", 0, NULL}, {NULL, 0, NULL}};
    const char *pos[1], *sets[MAX_SETS];
    int npos, n_sets, rc, i;
    long jobs = 0;
    jahs_experiment *e;
    jahs_run_options ro;
    char outbuf[1024];
    if ((rc = jahs_cli_parse(argc, argv, opts, pos, 1, &npos, err)) ||
        (rc = collect_sets(argc, argv, sets, &n_sets, err)) ||
        (rc = jahs_cli_long(opts, "jobs", 0, 4096, &jobs, err)))
        return rc;
    if (jahs_cli_get(opts, "keys")) {
        const jahs_exp_key *k;
        printf("%-22s %-6s %-26s %s\n", "key", "scope", "default", "meaning");
        for (k = jahs_exp_keys(); k->name; k++)
            printf("%-22s %-6s %-26s %s\n", k->name, k->row ? "row" : "top",
                   k->deflt, k->help);
        return 0;
    }
    if (npos != 1)
        return JAHS_FAIL(err, JAHS_CLI_USAGE, "expected an experiment file");
    if ((rc = jahs_mpi_start(err)) < 0)
        return rc;
    if (!(e = jahs_experiment_load(pos[0], err)))
        return err->code;
    for (i = 0; i < n_sets; i++)
        if ((rc = apply_set(e, sets[i], err))) {
            jahs_experiment_free(e);
            return rc;
        }
    jahs_run_options_defaults(&ro);
    ro.jobs = (int)jobs;
    ro.live = jahs_cli_get(opts, "live") != NULL;
    ro.rows = jahs_cli_get(opts, "rows");
    ro.report = jahs_cli_get(opts, "no-report") == NULL;
    ro.quiet = jahs_cli_get(opts, "quiet") != NULL;
    ro.fresh = jahs_cli_get(opts, "fresh") != NULL;
    ro.outdir = jahs_cli_get(opts, "out");
    if (!ro.outdir) {
        snprintf(outbuf, sizeof outbuf, "results/%s", e->name);
        ro.outdir = outbuf;
    }
    /* under MPI (jahs_mpi_start above) rank 0 writes the shared files */
    if (jahs_mpi_rank() == 0 && !(rc = jahs_mkdirs(ro.outdir, err)))
        rc = save_sets(ro.outdir, sets, n_sets, err);
    if ((rc = jahs_mpi_agree(rc, err)) ||
        (rc = jahs_run_experiment(e, &ro, err))) {
        jahs_experiment_free(e);
        return rc;
    }
    if (!ro.quiet && jahs_mpi_rank() == 0)
        printf("results in %s/ (table.md, curves.csv, speedup.csv, claims.md, "
               "runs/)\n",
               ro.outdir);
    jahs_experiment_free(e);
    return 0;
}

/* Load <dir>/experiment.exp and re-apply <dir>/overrides.txt. */
static jahs_experiment *load_saved(const char *dir, jahs_error *err)
{
    char *path = jahs_path_join(dir, "experiment.exp");
    char *ov = jahs_path_join(dir, "overrides.txt"), *text = NULL;
    jahs_experiment *e = NULL;
    if (!path || !ov) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    if (!jahs_path_exists(path)) {
        JAHS_FAIL(err, JAHS_ENOTFOUND,
                  "'%s' is not a results directory of 'jahs run' (no "
                  "experiment.exp in it)",
                  dir);
        goto out;
    }
    if (!(e = jahs_experiment_load(path, err)))
        goto out;
    if (jahs_path_exists(ov)) {
        char *line, *save = NULL;
        if (jahs_read_file(ov, &text, NULL, err)) {
            jahs_experiment_free(e);
            e = NULL;
            goto out;
        }
        for (line = strtok_r(text, "\n", &save); line;
             line = strtok_r(NULL, "\n", &save)) {
            if (!strchr(line, '='))
                continue;
            if (apply_set(e, line, err)) {
                jahs_error_prefix(err, "%s", ov);
                jahs_experiment_free(e);
                e = NULL;
                goto out;
            }
        }
    }
out:
    free(text);
    free(path);
    free(ov);
    return e;
}

int jahs_cmd_report(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {{NULL, 0, NULL}};
    const char *pos[1];
    int npos, rc, plots = 0;
    jahs_experiment *e;
    jahs_report *r;
    if ((rc = jahs_cli_parse(argc, argv, opts, pos, 1, &npos, err)))
        return rc;
    if (npos != 1)
        return JAHS_FAIL(err, JAHS_CLI_USAGE, "expected a results directory");
    if (!(e = load_saved(pos[0], err)))
        return err->code;
    if (!(r = jahs_report_load(e, pos[0], err))) {
        jahs_experiment_free(e);
        return err->code;
    }
    rc = jahs_report_write(r, pos[0], &plots, err);
    jahs_report_free(r);
    jahs_experiment_free(e);
    if (rc)
        return rc;
    if (!plots)
        jahs_info("gnuplot not found: CSV and Markdown written, no plots");
    printf("report in %s/\n", pos[0]);
    return 0;
}

/* ---- sweep ---------------------------------------------------------------- */

typedef struct {
    char key[64];
    char *values[64];
    int n;
} axis;

static int parse_axis(const char *kv, axis *a, jahs_error *err)
{
    const char *eq = strchr(kv, '=');
    char *copy, *tok, *save = NULL;
    size_t n = (size_t)(eq - kv);
    if (n >= sizeof a->key)
        return JAHS_FAIL(err, JAHS_CLI_USAGE, "key too long in '%s'", kv);
    memcpy(a->key, kv, n);
    a->key[n] = '\0';
    a->n = 0;
    /* comma-separated values; a list-valued key (seeds) gets one element per
     * point, so `--set seeds=0,1,2` sweeps three single-seed points */
    copy = jahs_strdup(eq + 1);
    if (!copy)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (a->n >= 64) {
            free(copy);
            return JAHS_FAIL(err, JAHS_CLI_USAGE,
                             "at most 64 values per --set axis");
        }
        a->values[a->n++] = jahs_strdup(jahs_strtrim(tok));
    }
    free(copy);
    if (a->n == 0)
        return JAHS_FAIL(err, JAHS_CLI_USAGE, "no values in '%s'", kv);
    return 0;
}

/* One grid point of a sweep: its experiment, results directory and the
 * index of its value on each axis. */
typedef struct {
    jahs_experiment *e;
    char dir[1300];
    int idx[MAX_SETS];
} sweep_point;

#define MAX_POINTS 100000

/* Point `point` of the grid (last axis fastest): the experiment file with the
 * point's values applied, results in outdir/<key-value_...>. */
static int sweep_load_point(const char *file, const axis *axes, int n_sets,
                            long point, const char *outdir, sweep_point *p,
                            jahs_error *err)
{
    long rem = point;
    int i, rc = 0;
    char slug[256];
    jahs_buf name = {0};
    if (!(p->e = jahs_experiment_load(file, err)))
        return err->code;
    for (i = n_sets - 1; i >= 0; i--) {
        p->idx[i] = (int)(rem % axes[i].n);
        rem /= axes[i].n;
    }
    for (i = 0; i < n_sets && !rc; i++) {
        jahs_buf kv = {0};
        jahs_buf_printf(&kv, "%s=%s", axes[i].key, axes[i].values[p->idx[i]]);
        rc = apply_set(p->e, kv.data, err);
        jahs_buf_printf(&name, "%s%s-%s", i ? "_" : "", axes[i].key,
                        axes[i].values[p->idx[i]]);
        jahs_buf_free(&kv);
    }
    if (!rc) {
        jahs_exp_slug(name.data, slug, sizeof slug);
        snprintf(p->dir, sizeof p->dir, "%s/%s", outdir, slug);
    }
    jahs_buf_free(&name);
    return rc;
}

/* The tidy CSV: one line per (point, row, seed, report time) with the
 * incumbent's test and validation accuracy of that single run. */
static int sweep_write_csv(const char *csvpath, const axis *axes, int n_sets,
                           const sweep_point *pts, long total,
                           const jahs_run_options *ro, jahs_error *err)
{
    static const char *head[] = {"method", "seed", "hours", "test", "val"};
    jahs_csv_writer *w = jahs_csv_open(csvpath, JAHS_CSV_ATOMIC, NULL, err);
    long point;
    int i, k, rc = 0;
    if (!w)
        return err->code;
    for (i = 0; i < n_sets; i++)
        jahs_csv_str(w, axes[i].key);
    for (k = 0; k < 5; k++)
        jahs_csv_str(w, head[k]);
    if ((rc = jahs_csv_end_row(w, err)))
        goto out;
    for (point = 0; point < total && !rc; point++) {
        const sweep_point *p = &pts[point];
        const jahs_experiment *e = p->e;
        jahs_report *rep = jahs_report_load(e, p->dir, err);
        int row;
        if (!rep) {
            rc = err->code;
            break;
        }
        for (row = 0; row < e->n_rows && !rc; row++) {
            int s, h;
            if (!jahs_run_row_selected(e, row, ro))
                continue;
            for (s = 0; s < e->rows[row].n_seeds && !rc; s++)
                for (h = 0; h < e->n_report && !rc; h++) {
                    jahs_stat st = jahs_report_seed_at(
                        rep, row, s, e->report_hours[h] * 3600.0);
                    for (i = 0; i < n_sets; i++)
                        jahs_csv_str(w, axes[i].values[p->idx[i]]);
                    jahs_csv_str(w, e->rows[row].label);
                    jahs_csv_int(w, (long long)e->rows[row].seeds[s]);
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
out:
    jahs_csv_abort(w);
    return rc;
}

/*
 * Every point's units go to one jahs_run_units call, so --jobs (or the MPI
 * ranks) balance the load over the whole grid, not one point at a time; the
 * CSV is written afterwards in grid order, so it does not depend on which
 * unit finished first.
 */
int jahs_cmd_sweep(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {{"jobs", 1, NULL}, {"out", 1, NULL},
                              {"set", 1, NULL},  {"csv", 1, NULL},
                              {"rows", 1, NULL}, {"quiet", 0, NULL},
                              {NULL, 0, NULL}};
    const char *pos[1], *sets[MAX_SETS];
    axis axes[MAX_SETS];
    int npos, n_sets = 0, rc = 0, i, k, n_units = 0, leader;
    long jobs = 0, total = 1, point;
    jahs_experiment *base = NULL;
    char outdir[1024], csvpath[1100];
    sweep_point *pts = NULL;
    jahs_unit *units = NULL;
    jahs_run_options ro;
    memset(axes, 0, sizeof axes);
    if ((rc = jahs_cli_parse(argc, argv, opts, pos, 1, &npos, err)) ||
        (rc = collect_sets(argc, argv, sets, &n_sets, err)) ||
        (rc = jahs_cli_long(opts, "jobs", 0, 4096, &jobs, err)))
        return rc;
    if (npos != 1)
        return JAHS_FAIL(err, JAHS_CLI_USAGE, "expected an experiment file");
    if (n_sets == 0)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "a sweep needs at least one --set KEY=V1,V2,...");
    if ((rc = jahs_mpi_start(err)) < 0)
        return rc;
    leader = jahs_mpi_rank() == 0;
    for (i = 0; i < n_sets; i++) {
        if ((rc = parse_axis(sets[i], &axes[i], err)))
            goto out;
        total *= axes[i].n;
        if (total > MAX_POINTS) {
            rc = JAHS_FAIL(err, JAHS_CLI_USAGE,
                           "a sweep of at most %d points", MAX_POINTS);
            goto out;
        }
    }
    if (!(base = jahs_experiment_load(pos[0], err))) {
        rc = err->code;
        goto out;
    }
    snprintf(outdir, sizeof outdir, "%s",
             jahs_cli_get(opts, "out") ? jahs_cli_get(opts, "out") : "");
    if (!outdir[0])
        snprintf(outdir, sizeof outdir, "results/%s-sweep", base->name);
    snprintf(csvpath, sizeof csvpath, "%s",
             jahs_cli_get(opts, "csv") ? jahs_cli_get(opts, "csv") : "");
    if (!csvpath[0])
        snprintf(csvpath, sizeof csvpath, "%s/sweep.csv", outdir);
    jahs_run_options_defaults(&ro);
    ro.jobs = (int)jobs;
    ro.rows = jahs_cli_get(opts, "rows");
    ro.report = 0;
    ro.quiet = jahs_cli_get(opts, "quiet") != NULL;
    pts = calloc((size_t)total, sizeof *pts);
    if (!pts) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    for (point = 0; point < total && !rc; point++) {
        rc = sweep_load_point(pos[0], axes, n_sets, point, outdir, &pts[point],
                              err);
        for (k = 0; !rc && k < pts[point].e->n_rows; k++)
            if (jahs_run_row_selected(pts[point].e, k, &ro))
                n_units += pts[point].e->rows[k].n_seeds;
    }
    if (rc)
        goto out;
    /* rank 0 writes every point's experiment.exp; the others wait for it */
    for (point = 0; leader && point < total && !rc; point++)
        rc = jahs_run_prepare(pts[point].e, pts[point].dir, err);
    if ((rc = jahs_mpi_agree(rc, err)))
        goto out;
    units = calloc((size_t)(n_units ? n_units : 1), sizeof *units);
    if (!units) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    n_units = 0;
    for (point = 0; point < total; point++) {
        const jahs_experiment *e = pts[point].e;
        int s;
        for (k = 0; k < e->n_rows; k++)
            if (jahs_run_row_selected(e, k, &ro))
                for (s = 0; s < e->rows[k].n_seeds; s++) {
                    units[n_units].e = e;
                    units[n_units].outdir = pts[point].dir;
                    units[n_units].row = k;
                    units[n_units].seed = s;
                    n_units++;
                }
    }
    if ((rc = jahs_run_units(units, n_units, &ro, err)) || !leader)
        goto out;
    if ((rc = sweep_write_csv(csvpath, axes, n_sets, pts, total, &ro, err)))
        goto out;
    printf("sweep of %ld points: %s\n", total, csvpath);
out:
    free(units);
    for (point = 0; pts && point < total; point++)
        jahs_experiment_free(pts[point].e);
    free(pts);
    jahs_experiment_free(base);
    for (i = 0; i < n_sets; i++)
        for (k = 0; k < axes[i].n; k++)
            free(axes[i].values[k]);
    return rc;
}
