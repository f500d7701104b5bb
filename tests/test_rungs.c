/*
 * test_rungs.c - rung tables (NEPS and Syne Tune conventions) and the two
 * promotion rules, against hand-worked answers.
 */
#include <string.h>

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

/* Drive ASHA with a score per config id and compare the sequence of trials
 * with hand-worked traces (NEPS rungs 2, 6, 20; eta 3; one worker).
 * Scores: c0 10, c1 30, c2 20, c3 50, c4 40, c5 60, c6 5, c7 7, c8 9.
 *
 * NEPS rule (best parked once floor(parked / 3) >= 1, top rung first):
 *   c0 c1 c2 at 2 -> 3 parked: c1 to 6.  c3 at 2 -> parked c0 c2 c3: c3 to 6.
 *   c4 at 2 -> parked c0 c2 c4: c4 to 6 -> rung 6 has c1 c3 c4: c3 to 20.
 *   c5 at 2 -> parked c0 c2 c5: c5 to 6 -> rung 6 parked c1 c4 c5: c5 to 20.
 * Li et al. (top floor(n / 3) of all recorded, minus promoted):
 *   c0 c1 c2: c1 to 6.  c3: n=4, top1 c3: to 6.  c4: n=5, top1 c3 done.
 *   c5: n=6, top2 c5 c3: c5 to 6 -> rung 6 n=3, top1 c5: to 20.
 *   c6, c7: top2 still c5 c3, both promoted. */
static void asha_trace(jahs_promo_rule rule, char *trace, size_t size)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("nb201", &err);
    static const double score[] = {10, 30, 20, 50, 40, 60, 5, 7, 9};
    jahs_opt_config cfg;
    jahs_opt *o;
    jahs_trial t;
    int k;
    trace[0] = '\0';
    jahs_opt_config_defaults(&cfg);
    cfg.space = sp;
    cfg.seed = 1;
    cfg.promotion = rule;
    o = jahs_opt_create(jahs_opt_find("asha"), &cfg, &err);
    CHECK(o != NULL);
    for (k = 0; o && k < 12; k++) {
        jahs_result r;
        char step[32];
        CHECK_EQ_INT(jahs_opt_ask(o, &t, &err), 0);
        CHECK(t.config_id < 9);
        r.val_acc = r.test_acc = score[t.config_id % 9] + t.epochs / 100.0;
        r.cost = 1;
        snprintf(step, sizeof step, "%lld@%d%s ", (long long)t.config_id,
                 t.epochs, t.resume_from ? "r" : "");
        strncat(trace, step, size - strlen(trace) - 1);
        CHECK_OK(jahs_opt_tell(o, &t, &r, &err), &err);
    }
    jahs_opt_free(o);
    jahs_space_free(sp);
}

JAHS_TEST(asha_promotion_order_both_rules)
{
    char trace[256];
    asha_trace(JAHS_PROMO_NEPS, trace, sizeof trace);
    CHECK_STR(trace,
              "0@2 1@2 2@2 1@6r 3@2 3@6r 4@2 4@6r 3@20r 5@2 5@6r 5@20r ");
    asha_trace(JAHS_PROMO_LI, trace, sizeof trace);
    CHECK_STR(trace, "0@2 1@2 2@2 1@6r 3@2 3@6r 4@2 5@2 5@6r 5@20r 6@2 7@2 ");
}
