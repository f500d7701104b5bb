/*
 * cmd_opt.c - `jahs opt rungs`, `jahs opt list` and `jahs opt brackets`:
 * the rung tables, promotion rules and bracket conventions of NEPS v0.11,
 * Syne Tune v0.13 and Li et al. (rungs.h and hb_core.h cite the sources).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "opt/hb_core.h"
#include "opt/opt.h"
#include "opt/rungs.h"

/* --min, --max, --eta and --style (-1 when absent); shared by rungs and
 * brackets. */
static int range_options(jahs_cli_option *opts, long *lo, long *hi,
                         double *eta, int *style, jahs_error *err)
{
    int rc;
    if ((rc = jahs_cli_long(opts, "min", 1, 1000000, lo, err)) ||
        (rc = jahs_cli_long(opts, "max", 1, 1000000, hi, err)) ||
        (rc = jahs_cli_double(opts, "eta", 1.000001, 1e6, eta, err)))
        return rc;
    if (jahs_cli_get(opts, "style") &&
        (*style = jahs_rung_style_parse(jahs_cli_get(opts, "style"))) < 0)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "option '--style' expects neps or synetune, got '%s'",
                         jahs_cli_get(opts, "style"));
    if (*hi < *lo)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "--max (%ld) must be at least --min (%ld)", *hi, *lo);
    return 0;
}

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
        (rc = range_options(opts, &lo, &hi, &eta, &style, err)))
        return rc;
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
                           ? "   (NEPS v0.11: anchored at the maximum, "
                             "truncated; default)"
                           : "   (Syne Tune v0.13: anchored at the minimum)");
    }
    printf("\npromotion out of rung k (asha, async hyperband, mobster, "
           "mobster-neps):\n"
           "  neps      the best config still parked there once floor(parked "
           "/ eta) >= 1\n"
           "            (NEPS v0.11 AsyncPromotionPolicy; the default): all "
           "but eta - 1\n"
           "            configs per rung move on\n"
           "  li        the best not yet promoted among the top floor(n / eta) "
           "of all n there\n"
           "            (Li et al. 2020, ASHA)\n"
           "  synetune  the best paused config when at or above the q_k "
           "quantile of all there\n"
           "            (Syne Tune v0.13 PromotionRungSystem); q_k = r_k / "
           "r_k+1:\n");
    for (k = 0; k < 2; k++) {
        int i;
        if (style >= 0 && style != k)
            continue;
        printf("            %-9s", jahs_rung_style_name((jahs_rung_style)k));
        for (i = 0; i + 1 < r[k].n; i++)
            printf(" %.3g", jahs_rungs_quantile(&r[k], i));
        printf("\n");
    }
    printf("type stopping (Syne Tune v0.13 StoppingRungSystem): a config "
           "reaching rung k\n"
           "  continues at once when at or above the same quantile, else "
           "stops for good\n");
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
        printf("%-16s %s (revision %d)\n", (*t)->name, (*t)->description,
               (*t)->revision);
    return 0;
}

static void print_brackets(const jahs_rungs *r, double eta,
                           jahs_bracket_style b, int is_default)
{
    static const char *const doc[] = {
        "", "NEPS v0.11 _get_config_map and HpBandSter: floor",
        "Syne Tune v0.13 SyncHyperband: each rung rounded up",
        "Li et al. 2018, Algorithm 1: a ceiling"};
    double p[JAHS_MAX_RUNGS];
    int s, k;
    printf("\n%s sizes (%s)%s:\n", jahs_bracket_style_name(b), doc[b],
           is_default ? "; the default with these rungs" : "");
    printf("bracket  configs@epochs per rung\n");
    for (s = 0; s < r->n; s++) {
        int n[JAHS_MAX_RUNGS];
        jahs_hb_bracket_sizes_style(r, eta, b, s, n);
        printf("%-8d", s);
        for (k = s; k < r->n; k++)
            printf(" %d@%d", n[k], r->epochs[k]);
        printf("\n");
    }
    if (b == JAHS_BRACKETS_LI)
        return; /* Li et al. define no asynchronous draw */
    jahs_hb_bracket_probs(r, eta, b, p);
    printf("asynchronous draw P(bracket):");
    for (s = 0; s < r->n; s++)
        printf(" %.3f", p[s]);
    printf("\n");
}

int jahs_cmd_opt_brackets(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {{"min", 1, NULL},   {"max", 1, NULL},
                              {"eta", 1, NULL},   {"style", 1, NULL},
                              {"brackets", 1, NULL}, {NULL, 0, NULL}};
    const char *pos[1];
    int npos, rc, k, style = JAHS_RUNGS_NEPS, want = -1, b;
    long lo = 1, hi = 20;
    double eta = 3;
    jahs_rungs r;
    jahs_bracket_style def;
    if ((rc = jahs_cli_parse(argc, argv, opts, pos, 0, &npos, err)) ||
        (rc = range_options(opts, &lo, &hi, &eta, &style, err)))
        return rc;
    if (jahs_cli_get(opts, "brackets") &&
        ((want = jahs_bracket_style_parse(jahs_cli_get(opts, "brackets"))) <
             0 ||
         want == JAHS_BRACKETS_AUTO))
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "option '--brackets' expects neps, synetune or li, "
                         "got '%s'",
                         jahs_cli_get(opts, "brackets"));
    if ((rc = jahs_rungs_make((int)lo, (int)hi, eta, (jahs_rung_style)style,
                              &r, err)))
        return rc;
    printf("hyperband brackets for epochs %ld..%ld, eta %g, %s rungs", lo, hi,
           eta, jahs_rung_style_name((jahs_rung_style)style));
    for (k = 0; k < r.n; k++)
        printf(" %d", r.epochs[k]);
    printf("\n");
    def = jahs_bracket_style_resolve(JAHS_BRACKETS_AUTO,
                                     (jahs_rung_style)style);
    if (want > 0) {
        print_brackets(&r, eta, (jahs_bracket_style)want, want == (int)def);
        return 0;
    }
    /* every convention, the default for these rungs first */
    print_brackets(&r, eta, def, 1);
    for (b = JAHS_BRACKETS_NEPS; b <= JAHS_BRACKETS_LI; b++)
        if (b != (int)def)
            print_brackets(&r, eta, (jahs_bracket_style)b, 0);
    return 0;
}
