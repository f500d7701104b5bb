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
/* One worker through cfg's ASHA: score[config % n] + epochs / 100, steps
 * asks; the trace "id@epochs[r] ..." (r: resumed). */
static void asha_run(const jahs_opt_config *cfg, const double *score, int n,
                     int steps, char *trace, size_t size)
{
    jahs_error err = {0};
    jahs_opt *o = jahs_opt_create(jahs_opt_find("asha"), cfg, &err);
    jahs_trial t;
    int k;
    trace[0] = '\0';
    CHECK(o != NULL);
    for (k = 0; o && k < steps; k++) {
        jahs_result r;
        char step[32];
        CHECK_EQ_INT(jahs_opt_ask(o, &t, &err), 0);
        CHECK(t.config_id < n);
        r.val_acc = r.test_acc = score[t.config_id % n] + t.epochs / 100.0;
        r.cost = 1;
        snprintf(step, sizeof step, "%lld@%d%s ", (long long)t.config_id,
                 t.epochs, t.resume_from ? "r" : "");
        strncat(trace, step, size - strlen(trace) - 1);
        CHECK_OK(jahs_opt_tell(o, &t, &r, &err), &err);
    }
    jahs_opt_free(o);
}

static void asha_trace(jahs_promo_rule rule, char *trace, size_t size)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("nb201", &err);
    static const double score[] = {10, 30, 20, 50, 40, 60, 5, 7, 9};
    jahs_opt_config cfg;
    jahs_opt_config_defaults(&cfg);
    cfg.space = sp;
    cfg.seed = 1;
    cfg.promotion = rule;
    asha_run(&cfg, score, 9, 12, trace, size);
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

/* Syne Tune's rung levels round min * eta^k half to even (Python's round):
 * (1, 20, 2.5): 1, 2.5, 6.25, 15.625 -> 1, 2, 6, 16, then 20 (truncating
 * gave 15). */
JAHS_TEST(rungs_synetune_rounds_half_to_even)
{
    static const int want[] = {1, 2, 6, 16, 20};
    check_rungs(1, 20, 2.5, JAHS_RUNGS_SYNETUNE, want, 5);
}

JAHS_TEST(rungs_convention_names)
{
    CHECK_EQ_INT(jahs_promo_rule_parse("synetune"), JAHS_PROMO_SYNETUNE);
    CHECK_EQ_INT(jahs_promo_rule_parse("li"), JAHS_PROMO_LI);
    CHECK_EQ_INT(jahs_promo_rule_parse("neps"), JAHS_PROMO_NEPS);
    CHECK_EQ_INT(jahs_promo_rule_parse("x"), -1);
    CHECK_STR(jahs_promo_rule_name(JAHS_PROMO_SYNETUNE), "synetune");
    CHECK_EQ_INT(jahs_asha_type_parse("stopping"), JAHS_TYPE_STOPPING);
    CHECK_EQ_INT(jahs_asha_type_parse("promotion"), JAHS_TYPE_PROMOTION);
    CHECK_EQ_INT(jahs_asha_type_parse(NULL), -1);
    CHECK_STR(jahs_asha_type_name(JAHS_TYPE_STOPPING), "stopping");
    CHECK_EQ_INT(jahs_bracket_style_parse("li"), JAHS_BRACKETS_LI);
    CHECK_EQ_INT(jahs_bracket_style_parse("auto"), JAHS_BRACKETS_AUTO);
    CHECK_EQ_INT(jahs_bracket_style_parse("floor"), -1);
    CHECK_STR(jahs_bracket_style_name(JAHS_BRACKETS_SYNETUNE), "synetune");
    CHECK_EQ_INT(jahs_bracket_style_resolve(JAHS_BRACKETS_AUTO,
                                            JAHS_RUNGS_SYNETUNE),
                 JAHS_BRACKETS_SYNETUNE);
    CHECK_EQ_INT(jahs_bracket_style_resolve(JAHS_BRACKETS_AUTO,
                                            JAHS_RUNGS_NEPS),
                 JAHS_BRACKETS_NEPS);
    CHECK_EQ_INT(jahs_bracket_style_resolve(JAHS_BRACKETS_LI,
                                            JAHS_RUNGS_SYNETUNE),
                 JAHS_BRACKETS_LI);
}

/*
 * Syne Tune's promotion rule on a crafted rung: rung 0 of 1, 3, 9, 20, so
 * q_0 = 1/3 and the cutoff is numpy.quantile(scores, 2/3) (linear), worked
 * in Syne Tune's own arithmetic (Rung.quantile):
 *   50 70        -> 63.333: the best paused (70) is above: promoted
 *   50 70 60     -> 63.333: the best paused (60) is below: none
 *   50 70 60 40  -> 60 exactly (virtual index 3.0): 60 is at it: promoted
 *   + 80         -> 66.667: 80 promoted; then 50 is below: none
 * Fewer than two results: no cutoff, nobody.  NEPS's rule on the same
 * sequence promotes nobody before three are parked and Li et al.'s never
 * promotes 60 (top floor(5/3) = 1 is 80).  The stopping type decides each
 * arrival against the same cutoff, itself included: 50 continues (alone),
 * 70 continues, 60 stops, 40 stops, 80 continues, 55 (a sixth: cutoff
 * 63.333) stops.  With 10 results 10 .. 100 at q = 9/20 (the rung below
 * 20 epochs) the cutoff is 59.5.
 */
JAHS_TEST(rungs_synetune_quantile_rule_on_a_crafted_rung)
{
    jahs_error err = {0};
    jahs_rungs r;
    double s[6] = {50, 70, 60, 40, 80, 55}, c;
    double ten[10] = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
    int prom[6] = {0};
    CHECK_OK(jahs_rungs_make(1, 20, 3, JAHS_RUNGS_SYNETUNE, &r, &err), &err);
    CHECK_NEAR(jahs_rungs_quantile(&r, 0), 1.0 / 3, 0);
    CHECK_NEAR(jahs_rungs_quantile(&r, 2), 0.45, 0);
    CHECK_EQ_INT(jahs_rungs_cutoff(s, 1, 1.0 / 3, &c), JAHS_EINVAL);
    CHECK_EQ_INT(jahs_rungs_cutoff(s, 2, 0, &c), JAHS_EINVAL);
    CHECK_OK(jahs_rungs_cutoff(s, 2, 1.0 / 3, &c), &err);
    CHECK_NEAR(c, 63.333333333333336, 1e-12);
    CHECK_OK(jahs_rungs_cutoff(s, 4, 1.0 / 3, &c), &err);
    CHECK_EQ_DBL(c, 60.0);
    CHECK_OK(jahs_rungs_cutoff(s, 5, 1.0 / 3, &c), &err);
    CHECK_NEAR(c, 66.66666666666667, 1e-12);
    CHECK_OK(jahs_rungs_cutoff(ten, 10, 9.0 / 20, &c), &err);
    CHECK_NEAR(c, 59.50000000000001, 1e-12);

    CHECK_EQ_INT(jahs_rungs_pick_at(&r, 0, s, prom, 1, 3, JAHS_PROMO_SYNETUNE),
                 -1);
    CHECK_EQ_INT(jahs_rungs_pick_at(&r, 0, s, prom, 2, 3, JAHS_PROMO_SYNETUNE),
                 1);
    CHECK_EQ_INT(jahs_rungs_pick_at(&r, 0, s, prom, 2, 3, JAHS_PROMO_NEPS),
                 -1);
    prom[1] = 1;
    CHECK_EQ_INT(jahs_rungs_pick_at(&r, 0, s, prom, 3, 3, JAHS_PROMO_SYNETUNE),
                 -1);
    CHECK_EQ_INT(jahs_rungs_pick_at(&r, 0, s, prom, 4, 3, JAHS_PROMO_SYNETUNE),
                 2);
    CHECK_EQ_INT(jahs_rungs_pick_at(&r, 0, s, prom, 4, 3, JAHS_PROMO_LI), -1);
    prom[2] = 1;
    CHECK_EQ_INT(jahs_rungs_pick_at(&r, 0, s, prom, 5, 3, JAHS_PROMO_SYNETUNE),
                 4);
    prom[4] = 1;
    CHECK_EQ_INT(jahs_rungs_pick_at(&r, 0, s, prom, 5, 3, JAHS_PROMO_SYNETUNE),
                 -1);
    /* the top rung never promotes */
    CHECK_EQ_INT(jahs_rungs_pick_at(&r, 3, s, prom, 5, 3, JAHS_PROMO_SYNETUNE),
                 -1);

    CHECK_EQ_INT(jahs_rungs_continues(&r, 0, s, 1), 1);
    CHECK_EQ_INT(jahs_rungs_continues(&r, 0, s, 2), 1);
    CHECK_EQ_INT(jahs_rungs_continues(&r, 0, s, 3), 0);
    CHECK_EQ_INT(jahs_rungs_continues(&r, 0, s, 4), 0);
    CHECK_EQ_INT(jahs_rungs_continues(&r, 0, s, 5), 1);
    CHECK_EQ_INT(jahs_rungs_continues(&r, 0, s, 6), 0);
}

/* ASHA with Syne Tune's rungs 1, 3, 9, 20, one worker; scores by config id
 * c0 50, c1 70, c2 60, c3 40, c4 80, c5 55 (+ epochs / 100).
 * promotion = synetune (rungs scanned from the top, cutoffs as above):
 *   c0@1; c1@1: rung 1 {50, 70}: 70 promoted to 3; rung 3 has one result,
 *   rung 1's best paused 50 < 63.3: c2@1 (60 < 63.3), c3@1: cutoff 60.01
 *   = c2's: c2 to 3; rung 3 {70.03, 60.03}: cutoff 63.36, c1's 70.03 is
 *   paused there: c1 to 9; nothing else: c4@1: 80 over 66.68: to 3; rung 3
 *   {70p, 60, 80}: cutoff 73.36: 80 to 9; rung 9 {70.09, 80.09}: q 0.45,
 *   cutoff 75.59: 80 to 20; then 70.09 (< 75.59 at 9) and 60.03 (< 73.36
 *   at 3) stay, and rung 1's best paused, 50.01 then 55.01, stays below
 *   its cutoff (66.68, 63.34, 60.01, 58.34 with 5 .. 8 results): c5@1,
 *   c6@1, c7@1, c8@1.
 * type = stopping (each arrival decided at once, continuations first):
 *   c0 alone at every rung: 1, 3, 9, 20; c1 above each cutoff: to 20; c2
 *   and c3 stop at 1; c4 above 66.68, 73.36 and 71.09 (9 epochs, q 0.45):
 *   to 20; c5 stops (63.34). */
static void asha_st_trace(jahs_asha_type type, char *trace, size_t size)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("nb201", &err);
    static const double score[] = {50, 70, 60, 40, 80, 55, 45, 44, 30};
    jahs_opt_config cfg;
    jahs_opt_config_defaults(&cfg);
    cfg.space = sp;
    cfg.seed = 1;
    cfg.rungs = JAHS_RUNGS_SYNETUNE;
    cfg.promotion = JAHS_PROMO_SYNETUNE;
    cfg.type = type;
    asha_run(&cfg, score, 9, 15, trace, size);
    jahs_space_free(sp);
}

JAHS_TEST(asha_synetune_promotion_and_stopping_traces)
{
    char trace[256];
    asha_st_trace(JAHS_TYPE_PROMOTION, trace, sizeof trace);
    CHECK_STR(trace, "0@1 1@1 1@3r 2@1 3@1 2@3r 1@9r 4@1 4@3r 4@9r 4@20r 5@1 "
                     "6@1 7@1 8@1 ");
    asha_st_trace(JAHS_TYPE_STOPPING, trace, sizeof trace);
    CHECK_STR(trace, "0@1 0@3r 0@9r 0@20r 1@1 1@3r 1@9r 1@20r 2@1 3@1 4@1 "
                     "4@3r 4@9r 4@20r 5@1 ");
}
