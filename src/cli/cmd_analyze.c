/*
 * cmd_analyze.c - `jahs analyze importance` (analysis/analyze.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyze.h"
#include "cli/cli.h"
#include "core/util.h"

int jahs_cmd_analyze_importance(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {
        {"rows", 1, NULL},        {"seed-pool", 1, NULL},
        {"method", 1, NULL},      {"fidelity", 1, NULL},
        {"out", 1, NULL},         {"trees", 1, NULL},
        {"seed", 1, NULL},        {"grid", 1, NULL},
        {"feature-ratio", 1, NULL}, {"exclude-incumbent", 0, NULL},
        {"samples", 1, NULL},     {NULL, 0, NULL}};
    const char *pos[1], *v;
    int npos, rc, n_rows = 0, plots = 0, m;
    long trees = 10, grid = 500, samples = 500, fid = 0;
    jahs_analyze_opts o;
    char *outdir = NULL;
    jahs_analyze_opts_default(&o);
    if ((rc = jahs_cli_parse(argc, argv, opts, pos, 1, &npos, err)) ||
        (rc = jahs_cli_long(opts, "trees", 1, 10000, &trees, err)) ||
        (rc = jahs_cli_long(opts, "grid", 2, 100000, &grid, err)) ||
        (rc = jahs_cli_long(opts, "samples", 1, 1000000, &samples, err)) ||
        (rc = jahs_cli_u64(opts, "seed", &o.imp.forest.seed, err)) ||
        (rc = jahs_cli_double(opts, "feature-ratio", 1e-9, 1.0,
                              &o.imp.forest.ratio_features, err)))
        return rc;
    if (npos != 1)
        return JAHS_FAIL(err, JAHS_CLI_USAGE, "expected a run directory");
    o.imp.forest.n_trees = (int)trees;
    o.imp.grid = (int)grid;
    o.imp.fanova_grid = grid < 50 ? (int)grid : 50;
    o.imp.mc_samples = (int)samples;
    o.imp.exclude_incumbent = jahs_cli_get(opts, "exclude-incumbent") != NULL;
    o.rows = jahs_cli_get(opts, "rows");
    if ((v = jahs_cli_get(opts, "method"))) {
        if ((m = jahs_imp_method_parse(v)) < 0)
            return JAHS_FAIL(err, JAHS_CLI_USAGE,
                             "option '--method' expects lpi or fanova-lite, "
                             "got '%s'",
                             v);
        o.imp.method = (jahs_imp_method)m;
    }
    if ((v = jahs_cli_get(opts, "seed-pool")) && strcmp(v, "all") != 0) {
        if (jahs_parse_u64(v, &o.pool_seed) != 0)
            return JAHS_FAIL(err, JAHS_CLI_USAGE,
                             "option '--seed-pool' expects all or a seed, got "
                             "'%s'",
                             v);
        o.pool_all = 0;
    }
    if ((v = jahs_cli_get(opts, "fidelity")) && strcmp(v, "max") != 0) {
        if (jahs_parse_long(v, &fid) != 0 || fid < 1 || fid > 1000)
            return JAHS_FAIL(err, JAHS_CLI_USAGE,
                             "option '--fidelity' expects max or epochs in "
                             "[1, 1000], got '%s'",
                             v);
        o.fidelity = (int)fid;
    }
    if ((v = jahs_cli_get(opts, "out")))
        outdir = jahs_strdup(v);
    else
        outdir = jahs_path_join(pos[0], "importance");
    if (!outdir)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    rc = jahs_analyze_importance(pos[0], &o, outdir, &n_rows, &plots, err);
    if (rc == 0)
        printf("wrote %s/importance.csv and importance.md (%d row%s "
               "analysed, %s)%s\n",
               outdir, n_rows, n_rows == 1 ? "" : "s",
               jahs_imp_method_name(o.imp.method),
               plots ? "; bar charts importance_<row>.svg/.png"
                     : "; no charts (gnuplot not installed or JAHS_NO_PLOTS "
                       "set)");
    free(outdir);
    return rc;
}
