/*
 * cmd_run.c - `jahs run`, `jahs report` and `jahs sweep`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>

#include "cli/cli.h"
#include "core/afile.h"
#include "core/gnuplot.h"
#include "core/log.h"
#include "core/util.h"
#include "exp/driver.h"
#include "exp/experiment.h"
#include "exp/mpi.h"
#include "exp/report.h"
#include "exp/rundir.h"
#include "exp/sweep.h"

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

int jahs_cmd_run(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {{"jobs", 1, NULL},     {"out", 1, NULL},
                              {"live", 0, NULL},     {"rows", 1, NULL},
                              {"set", 1, NULL},      {"no-report", 0, NULL},
                              {"keys", 0, NULL},     {"markdown", 0, NULL},
                              {"quiet", 0, NULL},    {"fresh", 0, NULL},
                              {NULL, 0, NULL}};
    const char *pos[1], *sets[MAX_SETS];
    int npos, n_sets, rc, i;
    long jobs = 0;
    jahs_experiment *e;
    jahs_run_options ro;
    char *own_out = NULL;
    if ((rc = jahs_cli_parse(argc, argv, opts, pos, 1, &npos, err)) ||
        (rc = collect_sets(argc, argv, sets, &n_sets, err)) ||
        (rc = jahs_cli_long(opts, "jobs", 0, 4096, &jobs, err)))
        return rc;
    if (jahs_cli_get(opts, "keys")) {
        jahs_buf b = {0};
        if ((rc = jahs_exp_keys_write(&b, jahs_cli_get(opts, "markdown") !=
                                              NULL)))
            return JAHS_FAIL(err, rc, "out of memory");
        fputs(b.data, stdout);
        jahs_buf_free(&b);
        return 0;
    }
    if (npos != 1)
        return JAHS_FAIL(err, JAHS_CLI_USAGE, "expected an experiment file");
    if ((rc = jahs_mpi_start(err)) < 0)
        return rc;
    if (!(e = jahs_experiment_load(pos[0], err)))
        return err->code;
    for (i = 0; i < n_sets; i++)
        if ((rc = jahs_experiment_set_text(e, sets[i], err))) {
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
    if (!ro.outdir && !(ro.outdir = own_out = jahs_rundir_default(e, ""))) {
        jahs_experiment_free(e);
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    }
    if ((rc = jahs_run_experiment(e, &ro, err))) {
        free(own_out);
        jahs_experiment_free(e);
        return rc;
    }
    if (!ro.quiet && jahs_mpi_rank() == 0)
        printf("results in %s/ (table.md, curves.csv, speedup.csv, claims.md, "
               "runs/)\n",
               ro.outdir);
    free(own_out);
    jahs_experiment_free(e);
    return 0;
}

int jahs_cmd_report(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {{"log-time", 0, NULL}, {"out", 1, NULL},
                              {NULL, 0, NULL}};
    const char *pos[1], *out;
    int npos, rc, plots = 0;
    jahs_experiment *e;
    jahs_report *r;
    jahs_rundir_lock *lock = NULL, *out_lock = NULL;
    if ((rc = jahs_cli_parse(argc, argv, opts, pos, 1, &npos, err)))
        return rc;
    if (npos != 1)
        return JAHS_FAIL(err, JAHS_CLI_USAGE, "expected a results directory");
    if (!(out = jahs_cli_get(opts, "out")))
        out = pos[0];
    if (!(e = jahs_rundir_experiment(pos[0], err)))
        return err->code;
    /* a presentation choice only: not saved beside the results */
    if (jahs_cli_get(opts, "log-time") &&
        (rc = jahs_experiment_set(e, "plot_time", "log", err))) {
        jahs_experiment_free(e);
        return rc;
    }
    /* the input: exclusive when the report goes into it, else shared (no
     * run may write it meanwhile; other readers may read) */
    {
        struct stat a, b;
        if (stat(out, &b) == 0 && stat(pos[0], &a) == 0 &&
            a.st_dev == b.st_dev && a.st_ino == b.st_ino)
            out = pos[0]; /* --out DIR itself */
    }
    rc = out == pos[0] ? jahs_rundir_lock_take(pos[0], &lock, err)
                       : jahs_rundir_lock_shared(pos[0], &lock, err);
    if (!rc && out != pos[0])
        rc = jahs_rundir_lock_take(out, &out_lock, err);
    if (!rc) {
        r = jahs_report_load(e, pos[0], err);
        rc = r ? jahs_report_write(r, out, &plots, err) : err->code;
        jahs_report_free(r);
    }
    jahs_rundir_unlock(out_lock);
    jahs_rundir_unlock(lock);
    jahs_experiment_free(e);
    if (rc)
        return rc;
    if (!plots && jahs_gnuplot_why_not())
        jahs_info("%s: CSV and Markdown written, no plots",
                  jahs_gnuplot_why_not());
    printf("report in %s/\n", out);
    return 0;
}

/* ---- the sensitivity matrix -------------------------------------------------- */

int jahs_cmd_claims(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {{"out", 1, NULL}, {NULL, 0, NULL}};
    const char *pos[JAHS_CLAIMS_MAX_VARIANTS], *labels[JAHS_CLAIMS_MAX_VARIANTS],
        *dirs[JAHS_CLAIMS_MAX_VARIANTS], *out;
    char lab[JAHS_CLAIMS_MAX_VARIANTS][128];
    int npos, rc, i;
    jahs_buf md = {0};
    if ((rc = jahs_cli_parse(argc, argv, opts, pos, JAHS_CLAIMS_MAX_VARIANTS,
                             &npos, err)))
        return rc;
    if (npos < 1)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "expected LABEL=DIR arguments (results directories)");
    for (i = 0; i < npos; i++) {
        const char *eq = strchr(pos[i], '=');
        size_t n = eq ? (size_t)(eq - pos[i]) : 0;
        if (!eq || n == 0 || n >= sizeof lab[i] || !eq[1])
            return JAHS_FAIL(err, JAHS_CLI_USAGE,
                             "argument '%s': expected LABEL=DIR (a column "
                             "label and a results directory)",
                             pos[i]);
        memcpy(lab[i], pos[i], n);
        lab[i][n] = '\0';
        labels[i] = lab[i];
        dirs[i] = eq + 1;
    }
    if ((rc = jahs_claims_matrix(labels, dirs, npos, &md, err)))
        goto done;
    out = jahs_cli_get(opts, "out");
    if (out)
        rc = jahs_afile_write(out, md.data, md.len, err);
    else
        fputs(md.data, stdout);
    if (!rc && out)
        printf("sensitivity matrix in %s\n", out);
done:
    jahs_buf_free(&md);
    return rc;
}

/* ---- sweep ---------------------------------------------------------------- */

int jahs_cmd_sweep(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {{"jobs", 1, NULL}, {"out", 1, NULL},
                              {"set", 1, NULL},  {"csv", 1, NULL},
                              {"rows", 1, NULL}, {"quiet", 0, NULL},
                              {NULL, 0, NULL}};
    const char *pos[1], *sets[MAX_SETS];
    int npos, n_sets = 0, rc;
    long jobs = 0;
    jahs_sweep *s;
    jahs_run_options ro;
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
    if (!(s = jahs_sweep_create(pos[0], sets, n_sets, jahs_cli_get(opts, "out"),
                                jahs_cli_get(opts, "csv"), err)))
        return err->code;
    jahs_run_options_defaults(&ro);
    ro.jobs = (int)jobs;
    ro.rows = jahs_cli_get(opts, "rows");
    ro.report = 0;
    ro.quiet = jahs_cli_get(opts, "quiet") != NULL;
    if (!(rc = jahs_sweep_run(s, &ro, err)) && jahs_mpi_rank() == 0)
        printf("sweep of %ld points: %s\n", jahs_sweep_points(s),
               jahs_sweep_csv(s));
    jahs_sweep_free(s);
    return rc;
}
