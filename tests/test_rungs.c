/*
 * test_rungs.c - rung tables (NEPS and Syne Tune conventions) and the two
 * promotion rules, against hand-worked answers.
 */
#include "harness.h"
#include "opt/opt.h"
#include "opt/rungs.h"

static void check_rungs(int lo, int hi, double eta, jahs_rung_style st,
                        const int *want, int n)
{
    jahs_error err = {0};
    jahs_rungs r;
    int i;
    CHECK_OK(jahs_rungs_make(lo, hi, eta, st, &r, &err), &err);
    CHECK_EQ_INT(r.n, n);
    for (i = 0; i < n && i < r.n; i++)
        CHECK_EQ_INT(r.epochs[i], want[i]);
}

JAHS_TEST(rungs_known_tables)
{
    static const int neps20[] = {2, 6, 20}, st20[] = {1, 3, 9, 20};
    static const int neps200[] = {2, 7, 22, 66, 200},
                     st200[] = {1, 3, 9, 27, 81, 200};
    static const int neps27[] = {1, 3, 9, 27};
    jahs_error err = {0};
    jahs_rungs r;
    check_rungs(1, 20, 3, JAHS_RUNGS_NEPS, neps20, 3);
    check_rungs(1, 20, 3, JAHS_RUNGS_SYNETUNE, st20, 4);
    check_rungs(1, 200, 3, JAHS_RUNGS_NEPS, neps200, 5);
    check_rungs(1, 200, 3, JAHS_RUNGS_SYNETUNE, st200, 6);
    check_rungs(1, 27, 3, JAHS_RUNGS_NEPS, neps27, 4); /* exact powers */
    check_rungs(1, 27, 3, JAHS_RUNGS_SYNETUNE, neps27, 4);
    CHECK_OK(jahs_rungs_make(1, 20, 3, JAHS_RUNGS_NEPS, &r, &err), &err);
    CHECK_EQ_INT(jahs_rungs_index(&r, 6), 1);
    CHECK_EQ_INT(jahs_rungs_index(&r, 7), -1);
    CHECK(jahs_rungs_make(5, 2, 3, JAHS_RUNGS_NEPS, &r, &err) < 0);
    CHECK_CONTAINS(err.msg, "bad fidelity range");
    CHECK(jahs_rungs_make(1, 20, 1, JAHS_RUNGS_NEPS, &r, &err) < 0);
    CHECK_CONTAINS(err.msg, "eta must be > 1");
}

JAHS_TEST(rungs_promotion_rules_on_a_crafted_sequence)
{
    /* scores arrive in this order at one rung; eta = 3 */
    double s[9] = {50, 70, 60, 40, 80, 30, 90, 20, 10};
    int prom[9] = {0};
    long p;
    /* 2 results: nobody (floor(2/3) = 0) under both rules */
    CHECK_EQ_INT(jahs_rungs_pick(s, prom, 2, 3, JAHS_PROMO_NEPS), -1);
    CHECK_EQ_INT(jahs_rungs_pick(s, prom, 2, 3, JAHS_PROMO_LI), -1);
    /* 3 results: best is index 1 (70) */
    CHECK_EQ_INT(jahs_rungs_pick(s, prom, 3, 3, JAHS_PROMO_NEPS), 1);
    CHECK_EQ_INT(jahs_rungs_pick(s, prom, 3, 3, JAHS_PROMO_LI), 1);
    prom[1] = 1;
    /* 5 results, one promoted: NEPS: 4 parked, floor(4/3)=1 -> best parked 80
     * (index 4); Li: top floor(5/3)=1 is 80 (index 4), not promoted -> 4 */
    p = jahs_rungs_pick(s, prom, 5, 3, JAHS_PROMO_NEPS);
    CHECK_EQ_INT(p, 4);
    CHECK_EQ_INT(jahs_rungs_pick(s, prom, 5, 3, JAHS_PROMO_LI), 4);
    prom[4] = 1;
    /* 6 results, 2 promoted: NEPS: 4 parked -> 1 promotable: best parked is
     * 60 (index 2).  Li: top floor(6/3)=2 are 80, 70, both promoted -> none */
    CHECK_EQ_INT(jahs_rungs_pick(s, prom, 6, 3, JAHS_PROMO_NEPS), 2);
    CHECK_EQ_INT(jahs_rungs_pick(s, prom, 6, 3, JAHS_PROMO_LI), -1);
    /* 7 results: 90 arrives (index 6): both pick it */
    CHECK_EQ_INT(jahs_rungs_pick(s, prom, 7, 3, JAHS_PROMO_NEPS), 6);
    CHECK_EQ_INT(jahs_rungs_pick(s, prom, 7, 3, JAHS_PROMO_LI), 6);
    prom[6] = 1;
    /* 9 results, 3 promoted: NEPS: 6 parked -> 60 (index 2); Li: top 3 =
     * 90, 80, 70 all promoted -> none */
    CHECK_EQ_INT(jahs_rungs_pick(s, prom, 9, 3, JAHS_PROMO_NEPS), 2);
    CHECK_EQ_INT(jahs_rungs_pick(s, prom, 9, 3, JAHS_PROMO_LI), -1);
    /* ties go to the earlier record */
    {
        double t[3] = {5, 5, 5};
        int pr[3] = {0};
        CHECK_EQ_INT(jahs_rungs_pick(t, pr, 3, 3, JAHS_PROMO_NEPS), 0);
        CHECK_EQ_INT(jahs_rungs_pick(t, pr, 3, 3, JAHS_PROMO_LI), 0);
    }
}

JAHS_TEST(opt_registry_and_random_search)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("nb201", &err);
    jahs_opt_config cfg;
    jahs_opt *o;
    jahs_trial t;
    int k;
    jahs_opt_config_defaults(&cfg);
    cfg.space = sp;
    cfg.max_trials = 5;
    CHECK(jahs_opt_find("random") != NULL);
    CHECK(jahs_opt_find("no-such") == NULL);
    o = jahs_opt_create(jahs_opt_find("random"), &cfg, &err);
    CHECK(o != NULL);
    for (k = 0; k < 5; k++) {
        jahs_result r = {50, 50, 1};
        CHECK_EQ_INT(jahs_opt_ask(o, &t, &err), 0);
        CHECK_EQ_INT(t.id, k);
        CHECK_EQ_INT(t.epochs, 20);
        CHECK_OK(jahs_config_check(sp, t.config, &err), &err);
        CHECK_OK(jahs_opt_tell(o, &t, &r, &err), &err);
    }
    CHECK_EQ_INT(jahs_opt_ask(o, &t, &err), JAHS_DONE);
    jahs_opt_free(o);
    cfg.eta = 1;
    CHECK(jahs_opt_create(jahs_opt_find("random"), &cfg, &err) == NULL);
    CHECK_CONTAINS(err.msg, "eta must be > 1");
    jahs_space_free(sp);
}
