/*
 * test_exp_conventions.c - the optimizer conventions as experiment keys
 * (type, brackets, allow_repeats, default_at_target, neps_samples,
 * arch_prior_form): parsed, validated with file:line errors, in the settings
 * record; the architecture prior's NEPS form reaching the unit's prior; and
 * the optimizer's algorithm revision deciding reuse.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exp/driver.h"
#include "exp/experiment.h"
#include "fixture_nb201.h"
#include "harness.h"
#include "opt/opt.h"

static char *settings_of(const char *text, int row)
{
    jahs_error err = {0};
    jahs_experiment *e = jahs_experiment_parse(text, "conv.exp", &err);
    char *s = NULL;
    CHECK(e != NULL);
    if (!e)
        return NULL;
    CHECK_OK(jahs_exp_row_settings(e, &e->rows[row], &s, &err), &err);
    jahs_experiment_free(e);
    return s;
}

JAHS_TEST(exp_convention_keys_parse_and_enter_the_settings)
{
    jahs_error err = {0};
    jahs_experiment *e = jahs_experiment_parse(
        "[d]\n"
        "[s]\ntype = stopping\nbrackets = li\nallow_repeats = false\n"
        "default_at_target = true\nneps_samples = 77\n"
        "arch_prior_form = frequencies\n",
        "conv.exp", &err);
    char *d, *s;
    CHECK(e != NULL);
    if (!e)
        return;
    /* the defaults: NEPS's conventions (opt.h, prior.h) */
    CHECK_EQ_INT(e->rows[0].opt.type, JAHS_TYPE_PROMOTION);
    CHECK_EQ_INT(e->rows[0].opt.brackets, JAHS_BRACKETS_AUTO);
    CHECK_EQ_INT(e->rows[0].opt.allow_repeats, 1);
    CHECK_EQ_INT(e->rows[0].opt.default_at_target, 0);
    CHECK_EQ_INT(e->rows[0].opt.neps_samples, 1000);
    CHECK_EQ_INT(e->rows[0].arch_prior_form, JAHS_ARCH_FORM_NEPS);
    CHECK_EQ_INT(e->rows[1].opt.type, JAHS_TYPE_STOPPING);
    CHECK_EQ_INT(e->rows[1].opt.brackets, JAHS_BRACKETS_LI);
    CHECK_EQ_INT(e->rows[1].opt.allow_repeats, 0);
    CHECK_EQ_INT(e->rows[1].opt.default_at_target, 1);
    CHECK_EQ_INT(e->rows[1].opt.neps_samples, 77);
    CHECK_EQ_INT(e->rows[1].arch_prior_form, JAHS_ARCH_FORM_FREQUENCIES);
    jahs_experiment_free(e);
    d = settings_of("[d]\n", 0);
    s = settings_of("[s]\ntype = stopping\nbrackets = li\n"
                    "allow_repeats = false\ndefault_at_target = true\n"
                    "neps_samples = 77\narch_prior_form = frequencies\n",
                    0);
    CHECK(d && s);
    if (d && s) {
        CHECK_CONTAINS(d, ";type=promotion;brackets=auto;allow_repeats=1;"
                          "default_at_target=0;");
        CHECK_CONTAINS(d, ";neps_samples=1000;");
        CHECK_CONTAINS(d, ";arch_prior_form=neps;");
        CHECK_CONTAINS(d, ";opt_revision=1");
        CHECK_CONTAINS(s, ";type=stopping;brackets=li;allow_repeats=0;"
                          "default_at_target=1;");
        CHECK_CONTAINS(s, ";neps_samples=77;");
        CHECK_CONTAINS(s, ";arch_prior_form=frequencies;");
    }
    free(d);
    free(s);
}

JAHS_TEST(exp_every_optimizer_has_a_revision)
{
    const jahs_opt_type *const *t;
    int n = 0;
    for (t = jahs_opt_types(); *t; t++, n++)
        if ((*t)->revision < 1)
            jahs_test_fail(__FILE__, __LINE__, "optimizer %s: revision %d < 1",
                           (*t)->name, (*t)->revision);
    CHECK(n >= 8);
}

/* The architecture prior of a unit: NEPS's default + confidence form by
 * default (weight 4 of 8 on the most frequent op at medium confidence, 6 of
 * 10 at high, 1 elsewhere), the frequency table with arch_prior_form =
 * frequencies; the same mode either way. */
JAHS_TEST(exp_arch_prior_form_reaches_the_unit_prior)
{
    const char *table = fx_nb201_path("cifar100");
    static const char *const forms[] = {"neps", "frequencies", "neps"};
    static const char *const confs[] = {"medium", "medium", "high"};
    int mode[3][JAHS_MAX_PARAMS], f;
    double top_freq = 0;
    if (!table)
        return;
    for (f = 0; f < 3; f++) {
        char text[4096];
        jahs_error err = {0};
        jahs_experiment *e;
        jahs_space *sp = NULL;
        jahs_prior *pr = NULL;
        int i, k;
        snprintf(text, sizeof text,
                 "table = %s\n[a]\nspace = nb201\nprior = joint\n"
                 "confidence = %s\narch_prior_form = %s\n",
                 table, confs[f], forms[f]);
        e = jahs_experiment_parse(text, "form.exp", &err);
        CHECK(e != NULL);
        if (e)
            sp = jahs_space_create(e->rows[0].space, &err);
        CHECK(sp != NULL);
        if (sp)
            CHECK_OK(jahs_run_unit_prior(e, &e->rows[0], sp, &pr, &err), &err);
        for (i = 0; pr && i < sp->n; i++) {
            const jahs_param *p = &sp->params[i];
            const double *q = pr->p[i].prob;
            double c = f == 2 ? 6 : 4;
            if (p->group != JAHS_GROUP_ARCH)
                continue;
            CHECK_EQ_INT(pr->p[i].kind, JAHS_PRIOR_WEIGHTS);
            mode[f][i] = 0;
            for (k = 1; k < p->n_choices; k++)
                if (q[k] > q[mode[f][i]])
                    mode[f][i] = k;
            for (k = 0; k < p->n_choices; k++) {
                if (f == 1) {
                    if (q[k] > top_freq)
                        top_freq = q[k];
                    continue;
                }
                CHECK_NEAR(q[k],
                           (k == mode[f][i] ? c : 1) / (c + p->n_choices - 1),
                           1e-12);
            }
            if (f > 0)
                CHECK_EQ_INT(mode[f][i], mode[0][i]);
        }
        jahs_prior_free(pr);
        jahs_space_free(sp);
        jahs_experiment_free(e);
    }
    /* the frequency table is far from NEPS's form (edge 3<-0 skip_connect
     * 0.886 among the top 100 CIFAR-100 cells, REPRODUCE.md) */
    CHECK(top_freq > 0.8);
}

/* A result made by another revision of the optimizer is not reused: the
 * run refuses it (naming the settings record) and --fresh runs it again. */
JAHS_TEST(exp_changed_revision_is_not_reused)
{
    const char *text = "budget_hours = 1\nreport_hours = 1\nseeds = 0\n"
                       "evaluator = synthetic\nsynthetic = cellhp\n"
                       "[random]\noptimizer = random\n";
    char f[4096], set[4096], *out = NULL, *rec = NULL, *p;
    FILE *fp;
    snprintf(f, sizeof f, "%s", jahs_test_write("rev.exp", text));
    snprintf(set, sizeof set, "%s/runs/random/seed0.settings",
             jahs_test_path("rev"));
    CHECK_EQ_INT(jahs_test_sh(NULL, "JAHS_NO_PLOTS=1 %s run %s --out %s",
                              jahs_test_bin(), f, jahs_test_path("rev")),
                 0);
    /* the same revision: reused (exit 0, nothing refused) */
    CHECK_EQ_INT(jahs_test_sh(NULL, "JAHS_NO_PLOTS=1 %s run %s --out %s",
                              jahs_test_bin(), f, jahs_test_path("rev")),
                 0);
    CHECK_EQ_INT(jahs_test_sh(&rec, "cat %s", set), 0);
    p = rec ? strstr(rec, ";opt_revision=1") : NULL;
    CHECK(p != NULL);
    if (!p) {
        free(rec);
        return;
    }
    p[strlen(";opt_revision=")] = '0'; /* as if made by revision 0 */
    fp = fopen(set, "w");
    CHECK(fp != NULL);
    if (fp) {
        fputs(rec, fp);
        fclose(fp);
    }
    CHECK_EQ_INT(jahs_test_sh(&out, "JAHS_NO_PLOTS=1 %s run %s --out %s",
                              jahs_test_bin(), f, jahs_test_path("rev")),
                 1);
    CHECK_CONTAINS(out, "random/seed0.csv' was made with other settings");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(NULL, "JAHS_NO_PLOTS=1 %s run %s --out %s --fresh",
                              jahs_test_bin(), f, jahs_test_path("rev")),
                 0);
    free(rec);
    rec = NULL;
    CHECK_EQ_INT(jahs_test_sh(&rec, "cat %s", set), 0);
    CHECK_CONTAINS(rec, ";opt_revision=1");
    free(rec);
}

/* --set ROWS:KEY=VALUE: only the rows whose label contains ROWS (the
 * sensitivity matrix swaps MOBSTER's convention this way); recorded so that
 * a reloaded results directory has it; bad selectors are errors. */
JAHS_TEST(exp_row_scoped_override)
{
    jahs_error err = {0};
    jahs_experiment *e = jahs_experiment_parse(
        "[MOBSTER]\noptimizer = mobster-neps\n[MOBSTER, NB201]\n"
        "optimizer = mobster-neps\n[ASHA]\n",
        "rows.exp", &err);
    CHECK(e != NULL);
    if (!e)
        return;
    CHECK_OK(jahs_experiment_set_text(e, "MOBSTER:optimizer=mobster", &err),
             &err);
    CHECK_STR(e->rows[0].optimizer, "mobster");
    CHECK_STR(e->rows[1].optimizer, "mobster");
    CHECK_STR(e->rows[2].optimizer, "asha");
    CHECK_STR(e->overrides.data, "MOBSTER:optimizer=mobster\n");
    CHECK_EQ_INT(jahs_experiment_set_text(e, "PriorBand:eta=2", &err),
                 JAHS_EPARSE);
    CHECK_CONTAINS(err.msg, "no row's label contains 'PriorBand'");
    CHECK_EQ_INT(jahs_experiment_set_text(e, "ASHA:budget_hourz=2", &err),
                 JAHS_EPARSE);
    CHECK_CONTAINS(err.msg, "unknown experiment key 'budget_hourz'");
    CHECK_EQ_INT(jahs_experiment_set_text(e, "ASHA:name=x", &err),
                 JAHS_EPARSE);
    CHECK_CONTAINS(err.msg, "key 'name' is an experiment setting");
    CHECK_EQ_INT(jahs_experiment_set_text(e, ":eta=2", &err), JAHS_EUSAGE);
    CHECK_CONTAINS(err.msg, "empty row selector");
    CHECK_EQ_INT(jahs_experiment_set_text(e, "ASHA:eta=0.5", &err),
                 JAHS_EPARSE);
    CHECK_CONTAINS(err.msg, "key 'eta' expects");
    CHECK_STR(e->overrides.data, "MOBSTER:optimizer=mobster\n");
    jahs_experiment_free(e);
}

/* `jahs claims`: the matrix's cells are each run's own claims.md verdicts
 * at 3 and at all seeds; claims no run can decide are left out; bad
 * arguments and missing directories are errors. */
JAHS_TEST(exp_claims_matrix_of_runs)
{
    const char *text = "budget_hours = 1\nreport_hours = 0.5, 1\n"
                       "seeds = 0..3\nevaluator = synthetic\n"
                       "synthetic = cellhp\nspace = cell64\n"
                       "[ASHA Arch Priors Only]\noptimizer = random\n"
                       "[ASHA HP Priors Only]\noptimizer = asha\n";
    char f[4096], a[4096], b[4096], want[512], *out = NULL;
    snprintf(f, sizeof f, "%s", jahs_test_write("m.exp", text));
    snprintf(a, sizeof a, "%s", jahs_test_path("ma"));
    snprintf(b, sizeof b, "%s", jahs_test_path("mb"));
    CHECK_EQ_INT(jahs_test_sh(NULL, "JAHS_NO_PLOTS=1 %s run %s --quiet --out %s",
                              jahs_test_bin(), f, a),
                 0);
    CHECK_EQ_INT(jahs_test_sh(NULL,
                              "JAHS_NO_PLOTS=1 %s run %s --quiet --out %s --set "
                              "promotion=li",
                              jahs_test_bin(), f, b),
                 0);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s claims --out %s/m.md 'with space=%s' "
                                    "li=%s && cat %s/m.md",
                              jahs_test_bin(), jahs_test_tmpdir(), a, b,
                              jahs_test_tmpdir()),
                 0);
    CHECK_CONTAINS(out, "| claim | with space | li |");
    /* one call per statement: jahs_test_claims_verdict's buffer is static */
    snprintf(want, sizeof want, "| C4 | %s / ",
             jahs_test_claims_verdict(a, 0, "C4", 3));
    snprintf(want + strlen(want), sizeof want - strlen(want), "%s | ",
             jahs_test_claims_verdict(a, 0, "C4", 4));
    snprintf(want + strlen(want), sizeof want - strlen(want), "%s / ",
             jahs_test_claims_verdict(b, 0, "C4", 3));
    snprintf(want + strlen(want), sizeof want - strlen(want), "%s |\n",
             jahs_test_claims_verdict(b, 0, "C4", 4));
    CHECK(strlen(jahs_test_claims_verdict(a, 0, "C4", 3)) > 4);
    CHECK_CONTAINS(out, want);
    CHECK(strstr(out, "| C1 |") == NULL); /* no MOBSTER row: left out */
    CHECK_CONTAINS(out, "| li | `");
    free(out);
    /* several directories per column: the first with the claim's rows */
    {
        char g[4096], c[4096];
        snprintf(g, sizeof g, "%s",
                 jahs_test_write("other.exp",
                                 "budget_hours = 1\nreport_hours = 1\n"
                                 "seeds = 0\nevaluator = synthetic\n"
                                 "synthetic = cellhp\n[random]\n"));
        snprintf(c, sizeof c, "%s", jahs_test_path("mc"));
        CHECK_EQ_INT(jahs_test_sh(NULL,
                                  "JAHS_NO_PLOTS=1 %s run %s --quiet --out %s",
                                  jahs_test_bin(), g, c),
                     0);
        CHECK_EQ_INT(jahs_test_sh(&out, "%s claims other=%s both=%s,%s",
                                  jahs_test_bin(), c, c, a),
                     0);
        snprintf(want, sizeof want, "| C4 | not run | %s / ",
                 jahs_test_claims_verdict(a, 0, "C4", 3));
        CHECK_CONTAINS(out, want);
        free(out);
        CHECK_EQ_INT(jahs_test_sh(&out, "%s claims x=%s,%s,%s,%s,%s 2>&1",
                                  jahs_test_bin(), a, a, a, a, a),
                     1);
        CHECK_CONTAINS(out, "at most 4 results directories per column");
        free(out);
    }
    CHECK_EQ_INT(jahs_test_sh(&out, "%s claims 2>&1", jahs_test_bin()), 2);
    CHECK_CONTAINS(out, "expected LABEL=DIR arguments");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s claims %s 2>&1", jahs_test_bin(), a), 2);
    CHECK_CONTAINS(out, "expected LABEL=DIR (a column label");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s claims x=%s/none 2>&1", jahs_test_bin(),
                              jahs_test_tmpdir()),
                 1);
    CHECK_CONTAINS(out, "none' does not exist");
    free(out);
}

/* Whether log p of an nb201 config under an arch prior at medium confidence
 * in NEPS's form (each edge 4/8 or 1/8; trivial_augment uniform 1/2, the
 * numerics density 1) is on its lattice 6 ln(1/2) + k ln(1/4) - ln 2. */
static int on_neps_lattice(double lp)
{
    int k;
    for (k = 0; k <= 6; k++)
        if (fabs(lp - (6 * log(0.5) + k * log(0.25) - log(2.0))) < 1e-9)
            return 1;
    return 0;
}

/* `jahs space sample --arch-form`: NEPS's form by default, as experiments;
 * frequencies on request; a bad form is a usage error. */
JAHS_TEST(exp_space_sample_arch_form)
{
    const char *table = fx_nb201_path("cifar100");
    static const char *const form[] = {"", " --arch-form frequencies"};
    int f;
    char *out = NULL;
    if (!table)
        return;
    for (f = 0; f < 2; f++) {
        char *p, *line;
        int rows = 0, on = 0;
        CHECK_EQ_INT(jahs_test_sh(&out,
                                  "%s space sample nb201 --prior arch --n 40 "
                                  "--seed 2 --table %s%s",
                                  jahs_test_bin(), table, form[f]),
                     0);
        for (line = out ? strchr(out, '\n') : NULL; line && line[1];
             line = strchr(line + 1, '\n')) {
            double lp = NAN;
            char *comma;
            p = strchr(line + 1, '\n');
            if (p)
                *p = '\0';
            if ((comma = strrchr(line + 1, ',')))
                lp = strtod(comma + 1, NULL);
            if (p)
                *p = '\n';
            rows++;
            on += on_neps_lattice(lp);
        }
        CHECK_EQ_INT(rows, 40);
        if (f == 0)
            CHECK_EQ_INT(on, 40);
        else
            CHECK(on < 40);
        free(out);
        out = NULL;
    }
    CHECK_EQ_INT(jahs_test_sh(&out, "%s space sample nb201 --arch-form kde 2>&1",
                              jahs_test_bin()),
                 2);
    CHECK_CONTAINS(out, "option '--arch-form' expects neps or frequencies, got "
                        "'kde'");
    free(out);
}
