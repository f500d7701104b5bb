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
                              {NULL, 0, NULL}};
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
    ro.outdir = jahs_cli_get(opts, "out");
    if (!ro.outdir) {
        snprintf(outbuf, sizeof outbuf, "results/%s", e->name);
        ro.outdir = outbuf;
    }
    if ((rc = jahs_mkdirs(ro.outdir, err)) ||
        (rc = save_sets(ro.outdir, sets, n_sets, err)) ||
        (rc = jahs_run_experiment(e, &ro, err))) {
        jahs_experiment_free(e);
        return rc;
    }
    if (!ro.quiet)
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

int jahs_cmd_sweep(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {{"jobs", 1, NULL}, {"out", 1, NULL},
                              {"set", 1, NULL},  {"csv", 1, NULL},
                              {"rows", 1, NULL}, {NULL, 0, NULL}};
    const char *pos[1], *sets[MAX_SETS];
    axis axes[MAX_SETS];
    int npos, n_sets, rc = 0, i, k;
    long jobs = 0, total = 1, point;
    jahs_experiment *base;
    char outdir[1024], csvpath[1100];
    jahs_csv_writer *w = NULL;
    if ((rc = jahs_cli_parse(argc, argv, opts, pos, 1, &npos, err)) ||
        (rc = collect_sets(argc, argv, sets, &n_sets, err)) ||
        (rc = jahs_cli_long(opts, "jobs", 0, 4096, &jobs, err)))
        return rc;
    if (npos != 1)
        return JAHS_FAIL(err, JAHS_CLI_USAGE, "expected an experiment file");
    if (n_sets == 0)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "a sweep needs at least one --set KEY=V1,V2,...");
    memset(axes, 0, sizeof axes);
    for (i = 0; i < n_sets; i++) {
        if ((rc = parse_axis(sets[i], &axes[i], err)))
            goto out_axes;
        total *= axes[i].n;
    }
    if (!(base = jahs_experiment_load(pos[0], err))) {
        rc = err->code;
        goto out_axes;
    }
    snprintf(outdir, sizeof outdir, "%s",
             jahs_cli_get(opts, "out") ? jahs_cli_get(opts, "out") : "");
    if (!outdir[0])
        snprintf(outdir, sizeof outdir, "results/%s-sweep", base->name);
    snprintf(csvpath, sizeof csvpath, "%s",
             jahs_cli_get(opts, "csv") ? jahs_cli_get(opts, "csv") : "");
    if (!csvpath[0])
        snprintf(csvpath, sizeof csvpath, "%s/sweep.csv", outdir);
    if (!(w = jahs_csv_open(csvpath, JAHS_CSV_ATOMIC, NULL, err))) {
        rc = err->code;
        goto out;
    }
    for (i = 0; i < n_sets; i++)
        jahs_csv_str(w, axes[i].key);
    {
        static const char *head[] = {"method", "seed", "hours", "test", "val"};
        for (k = 0; k < 5; k++)
            jahs_csv_str(w, head[k]);
    }
    jahs_csv_end_row(w, err);
    for (point = 0; point < total && !rc; point++) {
        jahs_experiment *e = jahs_experiment_load(pos[0], err);
        jahs_run_options ro;
        jahs_report *rep;
        long rem = point;
        int idx[MAX_SETS], row;
        char sub[1300], slug[256];
        jahs_buf name = {0};
        if (!e) {
            rc = err->code;
            break;
        }
        for (i = n_sets - 1; i >= 0; i--) {
            idx[i] = (int)(rem % axes[i].n);
            rem /= axes[i].n;
        }
        for (i = 0; i < n_sets && !rc; i++) {
            jahs_buf kv = {0};
            jahs_buf_printf(&kv, "%s=%s", axes[i].key, axes[i].values[idx[i]]);
            rc = apply_set(e, kv.data, err);
            jahs_buf_printf(&name, "%s%s-%s", i ? "_" : "", axes[i].key,
                            axes[i].values[idx[i]]);
            jahs_buf_free(&kv);
        }
        if (rc) {
            jahs_buf_free(&name);
            jahs_experiment_free(e);
            break;
        }
        jahs_exp_slug(name.data, slug, sizeof slug);
        jahs_buf_free(&name);
        snprintf(sub, sizeof sub, "%s/%s", outdir, slug);
        jahs_run_options_defaults(&ro);
        ro.jobs = (int)jobs;
        ro.outdir = sub;
        ro.rows = jahs_cli_get(opts, "rows");
        ro.report = 0;
        ro.quiet = 1;
        if ((rc = jahs_run_experiment(e, &ro, err)) ||
            !(rep = jahs_report_load(e, sub, err))) {
            rc = rc ? rc : err->code;
            jahs_experiment_free(e);
            break;
        }
        /* one tidy line per (row, seed, report time): the incumbent's test
         * and validation accuracy of that single run */
        for (row = 0; row < e->n_rows; row++) {
            int s, h;
            if (!jahs_run_row_selected(e, row, &ro))
                continue;
            for (s = 0; s < e->rows[row].n_seeds; s++)
                for (h = 0; h < e->n_report; h++) {
                    jahs_stat st = jahs_report_seed_at(
                        rep, row, s, e->report_hours[h] * 3600.0);
                    for (i = 0; i < n_sets; i++)
                        jahs_csv_str(w, axes[i].values[idx[i]]);
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
                    if ((rc = jahs_csv_end_row(w, err)))
                        break;
                }
        }
        jahs_report_free(rep);
        jahs_experiment_free(e);
    }
    if (rc == 0) {
        rc = jahs_csv_close(w, err);
        w = NULL;
        if (rc == 0)
            printf("sweep of %ld points: %s\n", total, csvpath);
    }
out:
    jahs_csv_abort(w);
    jahs_experiment_free(base);
out_axes:
    for (i = 0; i < n_sets; i++)
        for (k = 0; k < axes[i].n; k++)
            free(axes[i].values[k]);
    return rc;
}
