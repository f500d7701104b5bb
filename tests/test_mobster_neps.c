/*
 * test_mobster_neps.c - NEPS v0.11's MOBSTER (src/opt/mobster_neps.h): its
 * rules pinned by known answers: when the model kicks in (a rung with
 * ndims + 2 results), which rung the GP is fitted on (the highest such),
 * the bracket draw probabilities (NEPS's and Syne Tune's, and their
 * frequencies), fantasies of pending trials at the model's rung, the
 * fallback when the GP cannot be fitted, priors ignored, determinism, and
 * the registry.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "opt/hb_core.h"
#include "opt/mobster_neps.h"
#include "opt/opt.h"

/* x float [0, 1], n int [1, 8], k categorical {a, b, c}: ndims 3, init 5 */
static jahs_space *small_space(void)
{
    static const char *const abc[3] = {"a", "b", "c"};
    jahs_space *sp = calloc(1, sizeof *sp);
    snprintf(sp->name, sizeof sp->name, "small");
    jahs_space_add_float(sp, "x", JAHS_GROUP_HP, 0, 1, 0, "test");
    jahs_space_add_int(sp, "n", JAHS_GROUP_HP, 1, 8, 0, "test");
    jahs_space_add_cat(sp, "k", JAHS_GROUP_ARCH, abc, 3, "test");
    jahs_space_finish(sp);
    return sp;
}

static double score_of(const jahs_trial *t)
{
    return 90 - 40 * fabs(t->config[0] - 0.3) - 2 * fabs(t->config[1] - 5) +
           3 * (t->config[2] == 1) + t->epochs / 4.0;
}

static jahs_mobster_neps *make(const jahs_space *sp, uint64_t seed)
{
    jahs_error err = {0};
    jahs_opt_config cfg;
    jahs_mobster_neps *m;
    jahs_opt_config_defaults(&cfg);
    cfg.space = sp;
    cfg.seed = seed;
    m = jahs_mobster_neps_create(&cfg, &err);
    CHECK(m != NULL);
    return m;
}

JAHS_TEST(mobster_neps_active_rung_rule)
{
    size_t a[3] = {20, 3, 15}, b[3] = {14, 14, 14}, c[3] = {15, 0, 0};
    size_t d[3] = {15, 16, 14};
    CHECK_EQ_INT(jahs_neps_active_rung(a, 3, 15), 2);
    CHECK_EQ_INT(jahs_neps_active_rung(b, 3, 15), -1);
    CHECK_EQ_INT(jahs_neps_active_rung(c, 3, 15), 0);
    CHECK_EQ_INT(jahs_neps_active_rung(d, 3, 15), 1);
}

/*
 * Bracket draws over rungs 2, 6, 20 (S = 2): NEPS p_s proportional to
 * eta^(S-s) (S+1) / (S-s+1) = 9, 4.5, 3: 6/11, 3/11, 2/11.  Syne Tune over
 * its rungs 1, 3, 9, 20 (S = 3): (S+1) / ((S+1-s) r_s) = 1, 4/9, 2/9, 1/5
 * over their sum 28/15: 15/28, 5/21, 5/42, 3/28.  Then the draws
 * themselves: before any result, every ask starts a new config at the
 * drawn bracket's base rung; 5500 asks hit each rung within 0.03 of p.
 */
JAHS_TEST(mobster_neps_bracket_draws)
{
    jahs_error err = {0};
    jahs_rungs r;
    double p[JAHS_MAX_RUNGS];
    jahs_space *sp = small_space();
    jahs_mobster_neps *m;
    jahs_trial t;
    int k, n[3] = {0, 0, 0};
    CHECK_OK(jahs_rungs_make(1, 20, 3, JAHS_RUNGS_NEPS, &r, &err), &err);
    CHECK_EQ_INT(jahs_hb_bracket_probs(&r, 3, JAHS_BRACKETS_NEPS, p), 0);
    CHECK_NEAR(p[0], 6.0 / 11, 1e-15);
    CHECK_NEAR(p[1], 3.0 / 11, 1e-15);
    CHECK_NEAR(p[2], 2.0 / 11, 1e-15);
    CHECK_OK(jahs_rungs_make(1, 20, 3, JAHS_RUNGS_SYNETUNE, &r, &err), &err);
    CHECK_EQ_INT(jahs_hb_bracket_probs(&r, 3, JAHS_BRACKETS_SYNETUNE, p), 0);
    CHECK_NEAR(p[0], 15.0 / 28, 1e-15);
    CHECK_NEAR(p[1], 5.0 / 21, 1e-15);
    CHECK_NEAR(p[2], 5.0 / 42, 1e-15);
    CHECK_NEAR(p[3], 3.0 / 28, 1e-15);
    CHECK_EQ_INT(jahs_hb_bracket_probs(&r, 1, JAHS_BRACKETS_NEPS, p),
                 JAHS_EINVAL);

    m = make(sp, 3);
    for (k = 0; k < 5500; k++) {
        CHECK_EQ_INT(jahs_mobster_neps_ask(m, &t, &err), 0);
        CHECK_EQ_INT(t.origin, JAHS_ORIGIN_RANDOM);
        CHECK_EQ_INT(t.resume_from, 0);
        CHECK_EQ_INT(t.bracket, t.rung);
        n[t.rung]++;
    }
    CHECK_NEAR(n[0] / 5500.0, 6.0 / 11, 0.03);
    CHECK_NEAR(n[1] / 5500.0, 3.0 / 11, 0.03);
    CHECK_NEAR(n[2] / 5500.0, 2.0 / 11, 0.03);
    jahs_mobster_neps_free(m);
    free(sp);
}

/*
 * One worker.  Before each ask the results per rung are counted; the ask's
 * new config (if any) must be uniform exactly while no rung has init_size =
 * 3 + 2 = 5 results, and from the model afterwards; at every ask from then
 * on (promotion or not) the GP is fitted on the highest rung with >= 5
 * results, on all of them.
 */
JAHS_TEST(mobster_neps_model_kicks_in_at_ndims_plus_two)
{
    jahs_error err = {0};
    jahs_space *sp = small_space();
    jahs_mobster_neps *m = make(sp, 5);
    const jahs_hb *core = jahs_mobster_neps_core(m);
    const jahs_rungs *r = jahs_hb_rungs(core);
    jahs_mobster_neps_info info;
    jahs_trial t;
    int k, first_model = -1, n_model = 0, top_seen = 0;
    CHECK_EQ_INT(jahs_mobster_neps_init_size(m), 5);
    for (k = 0; k < 120; k++) {
        size_t count[JAHS_MAX_RUNGS];
        int j, active;
        jahs_result res;
        for (j = 0; j < r->n; j++)
            count[j] = jahs_hb_rung_count(core, j);
        active = jahs_neps_active_rung(count, r->n, 5);
        CHECK_EQ_INT(jahs_mobster_neps_ask(m, &t, &err), 0);
        jahs_mobster_neps_last(m, &info);
        CHECK_EQ_INT(info.rung, active);
        if (active >= 0) {
            CHECK_EQ_INT(info.n_train, count[active]);
            CHECK_EQ_INT(info.n_pending, 0);
            CHECK(info.lik >= 1e-5 && info.lik <= 0.01);
            if (active == r->n - 1)
                top_seen = 1;
        }
        if (t.origin == JAHS_ORIGIN_PROMOTED) {
            CHECK(t.resume_from > 0);
        } else if (active < 0) {
            CHECK_EQ_INT(t.origin, JAHS_ORIGIN_RANDOM);
        } else {
            CHECK_EQ_INT(t.origin, JAHS_ORIGIN_MODEL);
            CHECK(info.model == 1);
            CHECK(info.ei >= 0);
            if (first_model < 0)
                first_model = k;
            n_model++;
        }
        res.val_acc = res.test_acc = score_of(&t);
        res.cost = t.epochs - t.resume_from;
        CHECK_OK(jahs_mobster_neps_tell(m, &t, &res, &err), &err);
    }
    CHECK(first_model > 0);
    CHECK(n_model > 20);
    CHECK_EQ_INT(top_seen, 1);
    jahs_mobster_neps_last(m, &info);
    CHECK_EQ_INT(info.fallbacks, 0);
    jahs_mobster_neps_free(m);
    free(sp);
}

/*
 * Two workers: the trial in flight whose target is the model's rung is
 * fantasised (mf_bo.py:74-78), others are not.
 */
JAHS_TEST(mobster_neps_fantasises_pending_trials_at_its_rung)
{
    jahs_error err = {0};
    jahs_space *sp = small_space();
    jahs_mobster_neps *m = make(sp, 8);
    jahs_mobster_neps_info info;
    jahs_trial fl[2];
    int k, checked = 0;
    CHECK_EQ_INT(jahs_mobster_neps_ask(m, &fl[0], &err), 0);
    for (k = 0; k < 150; k++) {
        jahs_result res;
        int pend_rung = fl[0].rung;
        CHECK_EQ_INT(jahs_mobster_neps_ask(m, &fl[1], &err), 0);
        jahs_mobster_neps_last(m, &info);
        if (info.rung >= 0) {
            CHECK_EQ_INT(info.n_pending, pend_rung == info.rung ? 1 : 0);
            checked += pend_rung == info.rung;
        }
        res.val_acc = res.test_acc = score_of(&fl[0]);
        res.cost = 1;
        CHECK_OK(jahs_mobster_neps_tell(m, &fl[0], &res, &err), &err);
        fl[0] = fl[1];
    }
    CHECK(checked > 3);
    jahs_mobster_neps_free(m);
    free(sp);
}

/* A result that is not a number makes the GP unfittable (NEPS would
 * raise): the ask falls back to a uniform config and says so. */
JAHS_TEST(mobster_neps_falls_back_when_the_gp_fails)
{
    jahs_error err = {0};
    jahs_space *sp = small_space();
    jahs_mobster_neps *m = make(sp, 2);
    jahs_mobster_neps_info info;
    jahs_trial t;
    int k, n_random_late = 0;
    for (k = 0; k < 60; k++) {
        jahs_result res;
        CHECK_EQ_INT(jahs_mobster_neps_ask(m, &t, &err), 0);
        jahs_mobster_neps_last(m, &info);
        if (info.rung >= 0 && t.origin == JAHS_ORIGIN_RANDOM)
            n_random_late++;
        CHECK(t.origin != JAHS_ORIGIN_MODEL);
        res.val_acc = res.test_acc = NAN;
        res.cost = 1;
        CHECK_OK(jahs_mobster_neps_tell(m, &t, &res, &err), &err);
    }
    jahs_mobster_neps_last(m, &info);
    CHECK(info.fallbacks > 10);
    CHECK(n_random_late > 5);
    jahs_mobster_neps_free(m);
    free(sp);
}

static void trace(const jahs_space *sp, const jahs_prior *pr, uint64_t seed,
                  char *out, size_t size)
{
    jahs_error err = {0};
    jahs_opt_config cfg;
    jahs_opt *o;
    jahs_trial t;
    int k;
    out[0] = '\0';
    jahs_opt_config_defaults(&cfg);
    cfg.space = sp;
    cfg.prior = pr;
    cfg.seed = seed;
    o = jahs_opt_create(jahs_opt_find("mobster-neps"), &cfg, &err);
    CHECK(o != NULL);
    for (k = 0; o && k < 60; k++) {
        jahs_result res;
        char step[96];
        CHECK_EQ_INT(jahs_opt_ask(o, &t, &err), 0);
        snprintf(step, sizeof step, "%lld@%d:%.6f,%g,%g ",
                 (long long)t.config_id, t.epochs, t.config[0], t.config[1],
                 t.config[2]);
        strncat(out, step, size - strlen(out) - 1);
        res.val_acc = res.test_acc = score_of(&t);
        res.cost = 1;
        CHECK_OK(jahs_opt_tell(o, &t, &res, &err), &err);
    }
    jahs_opt_free(o);
}

JAHS_TEST(mobster_neps_deterministic_ignores_priors_and_checks_options)
{
    jahs_error err = {0};
    jahs_space *sp = small_space();
    jahs_prior *pr = jahs_prior_create(sp, &err);
    static char a[8192], b[8192], c[8192];
    jahs_opt_config cfg;
    CHECK_OK(jahs_prior_set_default(pr, 0, 0.9, JAHS_CONF_HIGH, &err), &err);
    trace(sp, NULL, 11, a, sizeof a);
    trace(sp, pr, 11, b, sizeof b);
    trace(sp, NULL, 12, c, sizeof c);
    CHECK_STR(a, b);
    CHECK(strcmp(a, c) != 0);
    jahs_opt_config_defaults(&cfg);
    cfg.space = sp;
    cfg.neps_samples = 0;
    CHECK(jahs_opt_create(jahs_opt_find("mobster-neps"), &cfg, &err) == NULL);
    CHECK_CONTAINS(err.msg, "neps_samples must be >= 1");
    jahs_prior_free(pr);
    free(sp);
}

JAHS_TEST(cli_opt_list_shows_mobster_neps)
{
    char *out = NULL;
    CHECK_EQ_INT(jahs_test_sh(&out, "%s opt list", jahs_test_bin()), 0);
    CHECK_CONTAINS(out, "mobster-neps     MOBSTER as NEPS v0.11 runs it");
    CHECK_CONTAINS(out, "mobster          MOBSTER (Klein et al. 2020) as Syne");
    /* the algorithm revision, part of every result's settings record */
    CHECK_CONTAINS(out, "ignores priors (revision 1)\n");
    free(out);
}
