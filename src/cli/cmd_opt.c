/*
 * cmd_opt.c - `jahs opt rungs`, `jahs opt list` and `jahs opt brackets`.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "opt/hb_core.h"
#include "opt/opt.h"
#include "opt/rungs.h"

int jahs_cmd_opt_rungs(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {{"min", 1, NULL}, {"max", 1, NULL},
                              {"eta", 1, NULL}, {"style", 1, NULL},
                              {NULL, 0, NULL}};
    const char *pos[1];
    int npos, rc, k, style = -1;
    long lo = 1, hi = 20;
    double eta = 3;
    jahs_rungs r[2];
    if ((rc = jahs_cli_parse(argc, argv, opts, pos, 0, &npos, err)) ||
        (rc = jahs_cli_long(opts, "min", 1, 1000000, &lo, err)) ||
        (rc = jahs_cli_long(opts, "max", 1, 1000000, &hi, err)) ||
        (rc = jahs_cli_double(opts, "eta", 1.000001, 1e6, &eta, err)))
        return rc;
    if (jahs_cli_get(opts, "style") &&
        (style = jahs_rung_style_parse(jahs_cli_get(opts, "style"))) < 0)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "option '--style' expects neps or synetune, got '%s'",
                         jahs_cli_get(opts, "style"));
    if (hi < lo)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "--max (%ld) must be at least --min (%ld)", hi, lo);
    for (k = 0; k < 2; k++)
        if ((rc = jahs_rungs_make((int)lo, (int)hi, eta, (jahs_rung_style)k,
                                  &r[k], err)))
            return rc;
    printf("rungs for epochs %ld..%ld, eta %g\n", lo, hi, eta);
    for (k = 0; k < 2; k++) {
        int i;
        if (style >= 0 && style != k)
            continue;
        printf("%-9s", jahs_rung_style_name((jahs_rung_style)k));
        for (i = 0; i < r[k].n; i++)
            printf(" %d", r[k].epochs[i]);
        printf("%s\n", k == JAHS_RUNGS_NEPS
                           ? "   (anchored at the maximum, truncated; default)"
                           : "   (anchored at the minimum)");
    }
    return 0;
}

int jahs_cmd_opt_list(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {{NULL, 0, NULL}};
    const char *pos[1];
    int npos, rc;
    const jahs_opt_type *const *t;
    if ((rc = jahs_cli_parse(argc, argv, opts, pos, 0, &npos, err)))
        return rc;
    for (t = jahs_opt_types(); *t; t++)
        printf("%-16s %s\n", (*t)->name, (*t)->description);
    return 0;
}

int jahs_cmd_opt_brackets(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {{"min", 1, NULL}, {"max", 1, NULL},
                              {"eta", 1, NULL}, {"style", 1, NULL},
                              {NULL, 0, NULL}};
    const char *pos[1];
    int npos, rc, s, k, style = JAHS_RUNGS_NEPS;
    long lo = 1, hi = 20;
    double eta = 3;
    jahs_rungs r;
    if ((rc = jahs_cli_parse(argc, argv, opts, pos, 0, &npos, err)) ||
        (rc = jahs_cli_long(opts, "min", 1, 1000000, &lo, err)) ||
        (rc = jahs_cli_long(opts, "max", 1, 1000000, &hi, err)) ||
        (rc = jahs_cli_double(opts, "eta", 1.000001, 1e6, &eta, err)))
        return rc;
    if (jahs_cli_get(opts, "style") &&
        (style = jahs_rung_style_parse(jahs_cli_get(opts, "style"))) < 0)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "option '--style' expects neps or synetune, got '%s'",
                         jahs_cli_get(opts, "style"));
    if (hi < lo)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "--max (%ld) must be at least --min (%ld)", hi, lo);
    if ((rc = jahs_rungs_make((int)lo, (int)hi, eta, (jahs_rung_style)style,
                              &r, err)))
        return rc;
    printf("hyperband brackets for epochs %ld..%ld, eta %g, %s rungs", lo, hi,
           eta, jahs_rung_style_name((jahs_rung_style)style));
    for (k = 0; k < r.n; k++)
        printf(" %d", r.epochs[k]);
    printf("\nbracket  configs@epochs per rung\n");
    for (s = 0; s < r.n; s++) {
        int n[JAHS_MAX_RUNGS];
        jahs_hb_bracket_sizes(&r, eta, s, n);
        printf("%-8d", s);
        for (k = s; k < r.n; k++)
            printf(" %d@%d", n[k], r.epochs[k]);
        printf("\n");
    }
    return 0;
}
