/*
 * cmd_space.c - `jahs space show`, `jahs space sample` and `jahs space export`.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/export.h"
#include "cli/cli.h"
#include "core/afile.h"
#include "core/csv.h"
#include "core/rng.h"
#include "eval/arch_prior.h"
#include "eval/nb201_table.h"
#include "space/prior.h"
#include "space/space.h"
#include "space/space_file.h"

/* --prior, --confidence and --hp-prior (a variant other than the recipe
 * needs an HP prior). */
static int prior_options(const jahs_cli_option *opts, int *cover, int *conf,
                         int *variant, jahs_error *err)
{
    const char *p = jahs_cli_get(opts, "prior");
    const char *c = jahs_cli_get(opts, "confidence");
    const char *hp = jahs_cli_get(opts, "hp-prior");
    if (p && (*cover = jahs_prior_cover_parse(p)) < 0)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "option '--prior' expects none, hp, arch or joint, "
                         "got '%s'",
                         p);
    if (c && (*conf = jahs_confidence_parse(c)) < 0)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "option '--confidence' expects low, medium or high, "
                         "got '%s'",
                         c);
    if (hp && (*variant = jahs_hp_prior_parse(hp)) < 0)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "option '--hp-prior' expects recipe, lr-decade-off "
                         "or misleading, got '%s'",
                         hp);
    if (*variant != JAHS_HP_PRIOR_RECIPE && *cover != JAHS_COVER_HP &&
        *cover != JAHS_COVER_JOINT)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "option '--hp-prior %s' moves the HP prior: it needs "
                         "--prior hp or joint",
                         hp);
    return 0;
}

/*
 * The prior of `space sample` and `space export` (eval/arch_prior.h, the
 * builder runs use): --arch-weights, else the space file's stated arch
 * priors, else the NB201 table's top cells.
 */
static jahs_prior *space_prior(const jahs_cli_option *opts,
                               const jahs_space *sp, int cover, int conf,
                               const char *dataset, int top, jahs_error *err)
{
    jahs_prior *pr = jahs_arch_prior_build(
        sp, (jahs_prior_cover)cover, (jahs_confidence)conf,
        jahs_cli_get(opts, "arch-weights"), dataset, jahs_cli_get(opts, "table"),
        0, top, JAHS_ARCH_PRIOR_PSEUDO, err);
    /* without weights, an arch prior comes from the table */
    if (!pr && (cover == JAHS_COVER_ARCH || cover == JAHS_COVER_JOINT) &&
        !jahs_cli_get(opts, "arch-weights"))
        jahs_error_prefix(err, "--prior %s without --arch-weights computes "
                               "the prior from the NB201 table",
                          jahs_prior_cover_name((jahs_prior_cover)cover));
    return pr;
}

int jahs_cmd_space_show(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {{NULL, 0, NULL}};
    const char *pos[1];
    int npos, rc;
    jahs_space *sp;
    jahs_buf b = {0};
    if ((rc = jahs_cli_parse(argc, argv, opts, pos, 1, &npos, err)))
        return rc;
    if (npos != 1)
        return JAHS_FAIL(err, JAHS_CLI_USAGE, "expected a space name");
    if (!(sp = jahs_space_open(pos[0], err)))
        return err->code;
    jahs_space_describe(sp, &b);
    fputs(b.data, stdout);
    printf("\nHP expert prior (--prior hp): a truncated normal (numerics, unit"
           " space) or\ncategorical weights centred at each hp default, "
           "confidence medium by default.\n");
    jahs_buf_free(&b);
    jahs_space_free(sp);
    return 0;
}

int jahs_cmd_space_sample(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {{"prior", 1, NULL},        {"confidence", 1, NULL},
                              {"n", 1, NULL},            {"seed", 1, NULL},
                              {"arch-weights", 1, NULL}, {"table", 1, NULL},
                              {"top", 1, NULL},          {"dataset", 1, NULL},
                              {"prior-source", 1, NULL}, {"hp-prior", 1, NULL},
                              {"arch-form", 1, NULL},    {NULL, 0, NULL}};
    const char *pos[1];
    int npos, rc, cover = JAHS_COVER_NONE, conf = JAHS_CONF_MEDIUM, i;
    int form = JAHS_ARCH_FORM_NEPS;
    long n = 10, k, top = JAHS_ARCH_PRIOR_TOP;
    const char *dataset = NULL;
    int variant = JAHS_HP_PRIOR_RECIPE;
    uint64_t seed = 0;
    jahs_space *sp = NULL;
    jahs_prior *pr = NULL;
    jahs_rng *rng = NULL;
    jahs_csv_writer *w = NULL;
    if ((rc = jahs_cli_parse(argc, argv, opts, pos, 1, &npos, err)) ||
        (rc = jahs_cli_long(opts, "n", 0, 100000000L, &n, err)) ||
        (rc = jahs_cli_u64(opts, "seed", &seed, err)) ||
        (rc = jahs_cli_long(opts, "top", 1, JAHS_NB201_CELLS, &top, err)) ||
        (rc = jahs_cli_prior_source(opts, &dataset, err)))
        return rc;
    if (npos != 1)
        return JAHS_FAIL(err, JAHS_CLI_USAGE, "expected a space name");
    if ((rc = prior_options(opts, &cover, &conf, &variant, err)))
        return rc;
    if (jahs_cli_get(opts, "arch-form") &&
        (form = jahs_arch_prior_form_parse(jahs_cli_get(opts, "arch-form"))) <
            0)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "option '--arch-form' expects neps or frequencies, "
                         "got '%s'",
                         jahs_cli_get(opts, "arch-form"));
    if (!(sp = jahs_space_open(pos[0], err)))
        return err->code;
    if (!(pr = space_prior(opts, sp, cover, conf, dataset, (int)top, err))) {
        rc = err->code;
        goto out;
    }
    if ((rc = jahs_hp_prior_apply(pr, (jahs_hp_prior_variant)variant,
                                  (jahs_confidence)conf, err)))
        goto out;
    /* as an experiment's unit does (exp/driver.c jahs_run_unit_prior) */
    if (form == JAHS_ARCH_FORM_NEPS &&
        (rc = jahs_prior_neps_form(pr, JAHS_GROUP_ARCH,
                                   (jahs_confidence)conf, err)))
        goto out;
    if (!(rng = jahs_rng_create(seed, "cli/space-sample", 0, err)) ||
        !(w = jahs_csv_stream(stdout, err))) {
        rc = err->code;
        goto out;
    }
    jahs_csv_str(w, "id");
    for (i = 0; i < sp->n; i++)
        jahs_csv_str(w, sp->params[i].name);
    jahs_csv_str(w, "log_prior");
    if ((rc = jahs_csv_end_row(w, err)))
        goto out;
    for (k = 0; k < n; k++) {
        double x[JAHS_MAX_PARAMS];
        char buf[64];
        jahs_prior_sample(pr, rng, x);
        jahs_csv_int(w, k);
        for (i = 0; i < sp->n; i++)
            jahs_csv_str(w, jahs_param_format(&sp->params[i], x[i], buf,
                                              sizeof buf));
        jahs_csv_double(w, jahs_prior_logpdf(pr, x));
        if ((rc = jahs_csv_end_row(w, err)))
            goto out;
    }
    rc = jahs_csv_close(w, err);
    w = NULL;
out:
    jahs_csv_abort(w);
    jahs_rng_free(rng);
    jahs_prior_free(pr);
    jahs_space_free(sp);
    return rc;
}

/* `jahs space export NAME|FILE --format configspace|configspace-legacy|neps` */
int jahs_cmd_space_export(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {{"format", 1, NULL},       {"prior", 1, NULL},
                              {"confidence", 1, NULL},   {"arch-weights", 1, NULL},
                              {"table", 1, NULL},        {"dataset", 1, NULL},
                              {"prior-source", 1, NULL}, {"top", 1, NULL},
                              {"out", 1, NULL},          {"hp-prior", 1, NULL},
                              {NULL, 0, NULL}};
    const char *pos[1], *fmt, *out, *dataset = NULL;
    int npos, rc, cover = JAHS_COVER_NONE, conf = JAHS_CONF_MEDIUM, legacy, neps;
    int variant = JAHS_HP_PRIOR_RECIPE;
    long top = JAHS_ARCH_PRIOR_TOP;
    jahs_space *sp = NULL;
    jahs_prior *pr = NULL;
    char *text = NULL;
    if ((rc = jahs_cli_parse(argc, argv, opts, pos, 1, &npos, err)) ||
        (rc = jahs_cli_long(opts, "top", 1, JAHS_NB201_CELLS, &top, err)) ||
        (rc = jahs_cli_prior_source(opts, &dataset, err)))
        return rc;
    if (npos != 1)
        return JAHS_FAIL(err, JAHS_CLI_USAGE, "expected a space name or file");
    fmt = jahs_cli_get(opts, "format");
    if (!fmt || (strcmp(fmt, "configspace") != 0 &&
                 strcmp(fmt, "configspace-legacy") != 0 &&
                 strcmp(fmt, "neps") != 0))
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "option '--format' expects configspace, "
                         "configspace-legacy or neps, got '%s'",
                         fmt ? fmt : "");
    legacy = strcmp(fmt, "configspace-legacy") == 0;
    neps = strcmp(fmt, "neps") == 0;
    if ((rc = prior_options(opts, &cover, &conf, &variant, err)))
        return rc;
    if (!(sp = jahs_space_open(pos[0], err)))
        return err->code;
    if (!(pr = space_prior(opts, sp, cover, conf, dataset, (int)top, err)) ||
        (rc = jahs_hp_prior_apply(pr, (jahs_hp_prior_variant)variant,
                                  (jahs_confidence)conf, err))) {
        rc = err->code;
        goto done;
    }
    text = neps ? jahs_neps_yaml_dumps(sp, pr, (jahs_confidence)conf, err)
                : jahs_configspace_dumps(sp, pr, legacy, err);
    if (!text)
        rc = err->code;
    else if ((out = jahs_cli_get(opts, "out")))
        rc = jahs_afile_write(out, text, strlen(text), err);
    else
        fputs(text, stdout);
done:
    free(text);
    jahs_prior_free(pr);
    jahs_space_free(sp);
    return rc;
}
