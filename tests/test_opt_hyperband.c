/*
 * test_opt_hyperband.c - Hyperband: bracket tables against hand-worked
 * values, the synchronous trace with one worker, waiting brackets with
 * several, the asynchronous variant, limits, determinism and errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "opt/hb_core.h"
#include "opt/opt.h"
#include "opt/rungs.h"

static void check_sizes(int lo, int hi, jahs_rung_style st, int s,
                        const int *want, int n)
{
    jahs_error err = {0};
    jahs_rungs r;
    int sz[JAHS_MAX_RUNGS], k;
    CHECK_OK(jahs_rungs_make(lo, hi, 3, st, &r, &err), &err);
    CHECK_EQ_INT(jahs_hb_bracket_sizes(&r, 3, s, sz), 0);
    for (k = 0; k < s; k++)
        CHECK_EQ_INT(sz[k], 0);
    CHECK_EQ_INT(r.n - s, n);
    for (k = 0; k < n && s + k < r.n; k++)
        CHECK_EQ_INT(sz[s + k], want[k]);
}

/* NEPS _get_config_map, S = K - 1:  n_s = floor((S+1)/(S-s+1)) * 3^(S-s).
 * (1, 20, 3), rungs 2 6 20, S = 2:  s0: 1*9 = 9, 3, 1;  s1: floor(3/2)*3 =
 * 3, 1;  s2: floor(3/1)*1 = 3.
 * (1, 200, 3), rungs 2 7 22 66 200, S = 4:  s0: 81 27 9 3 1;  s1: floor(5/4)
 * * 27 = 27 9 3 1;  s2: floor(5/3)*9 = 9 3 1;  s3: floor(5/2)*3 = 6 2;
 * s4: 5.
 * Syne Tune rungs 1 3 9 20 (S = 3):  27 9 3 1;  floor(4/3)*9 = 9 3 1;
 * floor(4/2)*3 = 6 2;  4. */
JAHS_TEST(hyperband_bracket_tables)
{
    static const int a0[] = {9, 3, 1}, a1[] = {3, 1}, a2[] = {3};
    static const int b0[] = {81, 27, 9, 3, 1}, b1[] = {27, 9, 3, 1},
                     b2[] = {9, 3, 1}, b3[] = {6, 2}, b4[] = {5};
    static const int c0[] = {27, 9, 3, 1}, c1[] = {9, 3, 1}, c2[] = {6, 2},
                     c3[] = {4};
    jahs_rungs r;
    jahs_error err = {0};
    int sz[JAHS_MAX_RUNGS];
    check_sizes(1, 20, JAHS_RUNGS_NEPS, 0, a0, 3);
    check_sizes(1, 20, JAHS_RUNGS_NEPS, 1, a1, 2);
    check_sizes(1, 20, JAHS_RUNGS_NEPS, 2, a2, 1);
    check_sizes(1, 200, JAHS_RUNGS_NEPS, 0, b0, 5);
    check_sizes(1, 200, JAHS_RUNGS_NEPS, 1, b1, 4);
    check_sizes(1, 200, JAHS_RUNGS_NEPS, 2, b2, 3);
    check_sizes(1, 200, JAHS_RUNGS_NEPS, 3, b3, 2);
    check_sizes(1, 200, JAHS_RUNGS_NEPS, 4, b4, 1);
    check_sizes(1, 20, JAHS_RUNGS_SYNETUNE, 0, c0, 4);
    check_sizes(1, 20, JAHS_RUNGS_SYNETUNE, 1, c1, 3);
    check_sizes(1, 20, JAHS_RUNGS_SYNETUNE, 2, c2, 2);
    check_sizes(1, 20, JAHS_RUNGS_SYNETUNE, 3, c3, 1);
    CHECK_OK(jahs_rungs_make(1, 20, 3, JAHS_RUNGS_NEPS, &r, &err), &err);
    CHECK_EQ_INT(jahs_hb_bracket_sizes(&r, 3, 3, sz), JAHS_EINVAL);
    CHECK_EQ_INT(jahs_hb_bracket_sizes(&r, 1, 0, sz), JAHS_EINVAL);
}

static jahs_space *one_float_space(void)
{
    jahs_space *sp = calloc(1, sizeof *sp);
    snprintf(sp->name, sizeof sp->name, "x1");
    jahs_space_add_float(sp, "x", JAHS_GROUP_HP, 0, 1, 0, "test");
    jahs_space_finish(sp);
    return sp;
}

static const double score9[] = {10, 30, 20, 50, 40, 60, 5, 7, 9};

/* One worker: ask, tell score9[config % 9] + epochs / 100, n steps. */
static void trace_run(const char *name, jahs_opt_config *cfg, int n,
                      char *trace, size_t size)
{
    jahs_error err = {0};
    jahs_opt *o = jahs_opt_create(jahs_opt_find(name), cfg, &err);
    jahs_trial t;
    int k;
    trace[0] = '\0';
    CHECK(o != NULL);
    for (k = 0; o && k < n; k++) {
        jahs_result r;
        char step[32];
        CHECK_EQ_INT(jahs_opt_ask(o, &t, &err), 0);
        r.val_acc = r.test_acc = score9[t.config_id % 9] + t.epochs / 100.0;
        r.cost = 1;
        snprintf(step, sizeof step, "%lld@%d%s ", (long long)t.config_id,
                 t.epochs, t.resume_from ? "r" : "");
        strncat(trace, step, size - strlen(trace) - 1);
        CHECK_OK(jahs_opt_tell(o, &t, &r, &err), &err);
    }
    jahs_opt_free(o);
}

/* Bracket 0: c0..c8 at 2 epochs; top 3 (c5 60, c3 50, c4 40) to 6, best
 * first; c5 to 20.  Bracket 1: c9 c10 c11 at 6 (scores 10 30 20): c10 to 20.
 * Bracket 2: c12 c13 c14 at 20.  Then bracket 0 again. */
JAHS_TEST(hyperband_sync_trace_one_worker)
{
    char trace[512];
    jahs_space *sp = one_float_space();
    jahs_opt_config cfg;
    jahs_opt_config_defaults(&cfg);
    cfg.space = sp;
    cfg.seed = 3;
    trace_run("hyperband", &cfg, 22, trace, sizeof trace);
    CHECK_STR(trace, "0@2 1@2 2@2 3@2 4@2 5@2 6@2 7@2 8@2 5@6r 3@6r 4@6r "
                     "5@20r 9@6 10@6 11@6 10@20r 12@20 13@20 14@20 15@2 "
                     "16@2 ");
    /* the promotion rule does not matter for synchronous brackets */
    cfg.promotion = JAHS_PROMO_LI;
    {
        char t2[512];
        trace_run("hyperband", &cfg, 22, t2, sizeof t2);
        CHECK_STR(t2, trace);
    }
    free(sp);
}

/* Several workers: a bracket waits for all results of a rung; meanwhile free
 * workers open the next bracket.  Ask 10 times without telling: c0..c8 fill
 * bracket 0 at 2 epochs, the 10th opens bracket 1 (c9 at 6 epochs). */
JAHS_TEST(hyperband_sync_waits_for_a_full_rung)
{
    jahs_error err = {0};
    jahs_space *sp = one_float_space();
    jahs_opt_config cfg;
    jahs_opt *o;
    jahs_trial t[16], u;
    jahs_result r = {0, 0, 1};
    int k;
    jahs_opt_config_defaults(&cfg);
    cfg.space = sp;
    o = jahs_opt_create(jahs_opt_find("hyperband"), &cfg, &err);
    for (k = 0; k < 10; k++)
        CHECK_EQ_INT(jahs_opt_ask(o, &t[k], &err), 0);
    CHECK_EQ_INT(t[8].epochs, 2);
    CHECK_EQ_INT(t[8].bracket, 0);
    CHECK_EQ_INT(t[9].epochs, 6);
    CHECK_EQ_INT(t[9].bracket, 1);
    CHECK_EQ_INT(t[9].config_id, 9);
    /* 8 of bracket 0's 9 results: no promotion yet; next ask is bracket 1's */
    for (k = 0; k < 8; k++) {
        r.val_acc = score9[k];
        CHECK_OK(jahs_opt_tell(o, &t[k], &r, &err), &err);
    }
    CHECK_EQ_INT(jahs_opt_ask(o, &u, &err), 0);
    CHECK_EQ_INT(u.config_id, 10);
    CHECK_EQ_INT(u.epochs, 6);
    CHECK_EQ_INT(u.resume_from, 0);
    /* the 9th result (c8, 9): now the best of bracket 0 (c5) goes to 6 */
    r.val_acc = score9[8];
    CHECK_OK(jahs_opt_tell(o, &t[8], &r, &err), &err);
    CHECK_EQ_INT(jahs_opt_ask(o, &u, &err), 0);
    CHECK_EQ_INT(u.config_id, 5);
    CHECK_EQ_INT(u.epochs, 6);
    CHECK_EQ_INT(u.resume_from, 2);
    CHECK_EQ_INT(u.origin, JAHS_ORIGIN_PROMOTED);
    /* a result twice, or for a trial never issued, is refused */
    CHECK(jahs_opt_tell(o, &t[0], &r, &err) < 0);
    CHECK_CONTAINS(err.msg, "did not issue or already heard of");
    u.config_id = 999;
    CHECK(jahs_opt_tell(o, &u, &r, &err) < 0);
    jahs_opt_free(o);
    free(sp);
}

/* max_trials: bracket 0 (9 configs) is filled even with max_trials = 4, then
 * the optimizer waits for results and promotes; DONE when all are in. */
JAHS_TEST(hyperband_limit_waits_then_done)
{
    jahs_error err = {0};
    jahs_space *sp = one_float_space();
    jahs_opt_config cfg;
    jahs_opt *o;
    jahs_trial t[9], u;
    jahs_result r = {0, 0, 1};
    int k, n = 0, rc;
    jahs_opt_config_defaults(&cfg);
    cfg.space = sp;
    cfg.max_trials = 4;
    o = jahs_opt_create(jahs_opt_find("hyperband"), &cfg, &err);
    for (k = 0; k < 9; k++)
        CHECK_EQ_INT(jahs_opt_ask(o, &t[k], &err), 0);
    CHECK_EQ_INT(jahs_opt_ask(o, &u, &err), JAHS_WAIT);
    for (k = 0; k < 9; k++) {
        r.val_acc = score9[k];
        CHECK_OK(jahs_opt_tell(o, &t[k], &r, &err), &err);
    }
    /* 3 promotions to 6 and one to 20, one at a time */
    while ((rc = jahs_opt_ask(o, &u, &err)) == 0) {
        CHECK_EQ_INT(u.origin, JAHS_ORIGIN_PROMOTED);
        CHECK_OK(jahs_opt_tell(o, &u, &r, &err), &err);
        n++;
    }
    CHECK_EQ_INT(rc, JAHS_DONE);
    CHECK_EQ_INT(n, 4);
    jahs_opt_free(o);
    free(sp);
}

/* Asynchronous: bracket draws follow eta^(S-s) (S+1)/(S-s+1) normalised:
 * S = 2: 9*3/3 = 9, 3*3/2 = 4.5, 1*3/1 = 3 -> 9/16.5, 4.5/16.5, 3/16.5
 * (0.5455, 0.2727, 0.1818).  With no results yet (nothing promotable) every
 * ask is a new config at its bracket's base rung, so the shares show the
 * draw (3000 draws: binomial sd < 0.01, tolerance 0.03).  Then, with results,
 * promotions continue from the epochs a config has; it never waits. */
JAHS_TEST(hyperband_async_bracket_draws_and_promotions)
{
    jahs_error err = {0};
    jahs_space *sp = one_float_space();
    jahs_opt_config cfg;
    jahs_opt *o;
    jahs_trial t;
    int k, count[3] = {0, 0, 0}, n_prom = 0;
    jahs_opt_config_defaults(&cfg);
    cfg.space = sp;
    cfg.async = 1;
    cfg.seed = 11;
    o = jahs_opt_create(jahs_opt_find("hyperband"), &cfg, &err);
    for (k = 0; k < 3000; k++) {
        CHECK_EQ_INT(jahs_opt_ask(o, &t, &err), 0);
        CHECK(t.origin != JAHS_ORIGIN_PROMOTED);
        CHECK_EQ_INT(t.rung, t.bracket);
        CHECK_EQ_INT(t.epochs, t.rung == 0 ? 2 : t.rung == 1 ? 6 : 20);
        count[t.bracket]++;
    }
    CHECK_NEAR(count[0] / 3000.0, 9 / 16.5, 0.03);
    CHECK_NEAR(count[1] / 3000.0, 4.5 / 16.5, 0.03);
    CHECK_NEAR(count[2] / 3000.0, 3 / 16.5, 0.03);
    jahs_opt_free(o);
    o = jahs_opt_create(jahs_opt_find("hyperband"), &cfg, &err);
    for (k = 0; k < 2000; k++) {
        jahs_result r;
        CHECK_EQ_INT(jahs_opt_ask(o, &t, &err), 0);
        if (t.origin == JAHS_ORIGIN_PROMOTED) {
            n_prom++;
            CHECK_EQ_INT(t.resume_from,
                         t.epochs == 6 ? 2 : t.epochs == 20 ? 6 : -1);
        }
        r.val_acc = r.test_acc = t.config[0] * 100;
        r.cost = 1;
        CHECK_OK(jahs_opt_tell(o, &t, &r, &err), &err);
    }
    CHECK(n_prom > 100);
    jahs_opt_free(o);
    free(sp);
}

/* Same seed, same decisions; another seed, other configs. */
JAHS_TEST(hyperband_is_deterministic)
{
    char a[512], b[512], c[512];
    jahs_space *sp = one_float_space();
    jahs_opt_config cfg;
    jahs_opt_config_defaults(&cfg);
    cfg.space = sp;
    cfg.async = 1;
    cfg.seed = 5;
    trace_run("hyperband", &cfg, 40, a, sizeof a);
    trace_run("hyperband", &cfg, 40, b, sizeof b);
    CHECK_STR(a, b);
    cfg.seed = 6;
    trace_run("hyperband", &cfg, 40, c, sizeof c);
    CHECK(strcmp(a, c) != 0);
    free(sp);
}

JAHS_TEST(cli_opt_brackets)
{
    char *out = NULL;
    CHECK_EQ_INT(jahs_test_sh(&out, "%s opt brackets", jahs_test_bin()), 0);
    CHECK_CONTAINS(out, "neps rungs 2 6 20");
    CHECK_CONTAINS(out, "0        9@2 3@6 1@20\n1        3@6 1@20\n"
                        "2        3@20\n");
    CHECK_CONTAINS(out, "asynchronous draw P(bracket): 0.545 0.273 0.182\n");
    /* every convention is printed, NEPS's first on NEPS rungs */
    CHECK_CONTAINS(out, "li sizes (Li et al. 2018, Algorithm 1: a ceiling)");
    CHECK_CONTAINS(out, "1        5@6 1@20\n");
    CHECK_CONTAINS(out, "1        5@6 2@20\n");
    CHECK(strstr(out, "neps sizes") < strstr(out, "synetune sizes"));
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s opt brackets --max 200",
                              jahs_test_bin()),
                 0);
    CHECK_CONTAINS(out, "0        81@2 27@7 9@22 3@66 1@200\n");
    CHECK_CONTAINS(out, "3        6@66 2@200\n4        5@200\n");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s opt brackets --style synetune",
                              jahs_test_bin()),
                 0);
    CHECK_CONTAINS(out, "0        27@1 9@3 3@9 1@20\n");
    /* Syne Tune's SyncHyperband bracket 1, its default on its rungs */
    CHECK_CONTAINS(out, "synetune sizes (Syne Tune v0.13 SyncHyperband: each "
                        "rung rounded up); the default with these rungs:\n"
                        "bracket  configs@epochs per rung\n"
                        "0        27@1 9@3 3@9 1@20\n"
                        "1        12@3 4@9 2@20\n"
                        "2        6@9 2@20\n"
                        "3        4@20\n"
                        "asynchronous draw P(bracket): 0.536 0.238 0.119 "
                        "0.107\n");
    CHECK_CONTAINS(out, "1        9@3 3@9 1@20\n"); /* NEPS's, also shown */
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s opt brackets --brackets li",
                              jahs_test_bin()),
                 0);
    CHECK_CONTAINS(out, "1        5@6 1@20\n");
    CHECK(strstr(out, "neps sizes") == NULL);
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s opt brackets --brackets auto",
                              jahs_test_bin()),
                 2);
    CHECK_CONTAINS(out, "expects neps, synetune or li");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s opt brackets --style x",
                              jahs_test_bin()),
                 2);
    CHECK_CONTAINS(out, "expects neps or synetune");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s opt brackets --min 9 --max 3",
                              jahs_test_bin()),
                 2);
    CHECK_CONTAINS(out, "must be at least --min");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s opt brackets --help", jahs_test_bin()),
                 0);
    CHECK_CONTAINS(out, "usage: jahs opt brackets");
    free(out);
}

/* Hyperband with priors: prior_fraction 1 draws every new config from the
 * prior, 0 none; default_first makes the prior's mode the first config, at
 * bracket 0's base rung (2 epochs). */
JAHS_TEST(hyperband_with_priors_origins)
{
    jahs_error err = {0};
    jahs_space *sp = one_float_space();
    jahs_prior *pr = jahs_prior_create(sp, &err);
    jahs_opt_config cfg;
    double fr;
    CHECK_OK(jahs_prior_set_default(pr, 0, 0.25, JAHS_CONF_HIGH, &err), &err);
    jahs_opt_config_defaults(&cfg);
    cfg.space = sp;
    cfg.prior = pr;
    for (fr = 0; fr <= 1; fr += 1) {
        jahs_opt *o;
        jahs_trial t;
        jahs_result r = {50, 50, 1};
        int k, n_prior = 0, n_new = 0;
        cfg.prior_fraction = fr;
        cfg.default_first = fr > 0.5;
        o = jahs_opt_create(jahs_opt_find("hyperband"), &cfg, &err);
        for (k = 0; k < 100; k++) {
            CHECK_EQ_INT(jahs_opt_ask(o, &t, &err), 0);
            if (k == 0 && cfg.default_first) {
                CHECK_EQ_INT(t.origin, JAHS_ORIGIN_DEFAULT);
                CHECK_EQ_INT(t.epochs, 2);
                CHECK_NEAR(t.config[0], 0.25, 0);
            } else if (t.origin != JAHS_ORIGIN_PROMOTED) {
                n_new++;
                n_prior += t.origin == JAHS_ORIGIN_PRIOR;
            }
            r.val_acc = t.config[0];
            CHECK_OK(jahs_opt_tell(o, &t, &r, &err), &err);
        }
        CHECK(n_new > 50);
        CHECK_EQ_INT(n_prior, fr > 0.5 ? n_new : 0);
        jahs_opt_free(o);
    }
    jahs_prior_free(pr);
    free(sp);
}

/* The core's own error paths and accessors. */
JAHS_TEST(hyperband_core_errors)
{
    jahs_error err = {0};
    jahs_space *sp = one_float_space();
    jahs_opt_config cfg;
    jahs_hb *h;
    jahs_trial t;
    double x[1] = {0.5}, score;
    int rung, pending;
    jahs_opt_config_defaults(&cfg);
    cfg.space = sp;
    cfg.max_epochs = 0;
    CHECK(jahs_hb_create(&cfg, "test", &err) == NULL);
    CHECK_CONTAINS(err.msg, "bad fidelity range");
    cfg.max_epochs = 20;
    h = jahs_hb_create(&cfg, "test", &err);
    CHECK(h != NULL);
    /* start_new needs a decision first */
    CHECK(jahs_hb_start_new(h, x, JAHS_ORIGIN_RANDOM, &t, &err) < 0);
    CHECK_CONTAINS(err.msg, "without a decision");
    CHECK_EQ_INT(jahs_hb_next(h, &t, &rung), 0);
    CHECK_EQ_INT(rung, 0);
    CHECK_OK(jahs_hb_start_new(h, x, JAHS_ORIGIN_RANDOM, &t, &err), &err);
    /* a config at the top rung outside the brackets only comes first */
    CHECK(jahs_hb_start_at_top(h, x, JAHS_ORIGIN_DEFAULT, &t, &err) < 0);
    CHECK_CONTAINS(err.msg, "must come first");
    CHECK_EQ_INT(jahs_hb_config_state(h, 0, &rung, &pending, &score), 0);
    CHECK_EQ_INT(pending, 1);
    CHECK_EQ_INT(jahs_hb_config_state(h, 5, &rung, &pending, &score),
                 JAHS_EINVAL);
    CHECK(jahs_hb_config(h, 5) == NULL);
    CHECK_EQ_INT(jahs_hb_rung_count(h, 99), 0);
    CHECK_EQ_INT(jahs_hb_n_pending(h), 1);
    CHECK_EQ_INT(jahs_hb_n_trials(h), 1);
    jahs_hb_free(h);
    jahs_hb_free(NULL);
    free(sp);
}

static void check_style(int lo, int hi, jahs_rung_style st,
                        jahs_bracket_style b, int s, const int *want, int n)
{
    jahs_error err = {0};
    jahs_rungs r;
    int sz[JAHS_MAX_RUNGS], k;
    CHECK_OK(jahs_rungs_make(lo, hi, 3, st, &r, &err), &err);
    CHECK_EQ_INT(jahs_hb_bracket_sizes_style(&r, 3, b, s, sz), 0);
    for (k = 0; k < s; k++)
        CHECK_EQ_INT(sz[k], 0);
    CHECK_EQ_INT(r.n - s, n);
    for (k = 0; k < n && s + k < r.n; k++)
        if (sz[s + k] != want[k])
            jahs_test_fail(__FILE__, __LINE__,
                           "%s brackets, bracket %d rung %d: %d != %d",
                           jahs_bracket_style_name(b), s, s + k, sz[s + k],
                           want[k]);
}

/* Syne Tune's SyncHyperband over its rungs 1 3 9 20 (s_max = 3),
 * pre = 4 / (4 - s), each rung ceil(pre * 3^(3 - k)), the top ceil(pre):
 * s0 27 9 3 1; s1 ceil(12) ceil(4) ceil(1.33): 12 4 2; s2 6 2; s3 4.  The
 * same formula over NEPS's rungs 2 6 20: 9 3 1; 5 2; 3.  Li et al.'s
 * Algorithm 1 (a ceiling, then floor divisions): over 2 6 20: 9 3 1; 5 1;
 * 3; over R = 81 (rungs 1 3 9 27 81) its Table 1's base sizes 81 34 15 8 5,
 * where NEPS (a floor) has 81 27 9 6 5. */
JAHS_TEST(hyperband_bracket_conventions)
{
    static const int st0[] = {27, 9, 3, 1}, st1[] = {12, 4, 2}, st2[] = {6, 2},
                     st3[] = {4};
    static const int sn0[] = {9, 3, 1}, sn1[] = {5, 2}, sn2[] = {3};
    static const int li1[] = {5, 1};
    static const int li81[] = {81, 34, 15, 8, 5}, neps81[] = {81, 27, 9, 6, 5};
    jahs_error err = {0};
    jahs_rungs r;
    int s;
    check_style(1, 20, JAHS_RUNGS_SYNETUNE, JAHS_BRACKETS_SYNETUNE, 0, st0, 4);
    check_style(1, 20, JAHS_RUNGS_SYNETUNE, JAHS_BRACKETS_SYNETUNE, 1, st1, 3);
    check_style(1, 20, JAHS_RUNGS_SYNETUNE, JAHS_BRACKETS_SYNETUNE, 2, st2, 2);
    check_style(1, 20, JAHS_RUNGS_SYNETUNE, JAHS_BRACKETS_SYNETUNE, 3, st3, 1);
    check_style(1, 20, JAHS_RUNGS_NEPS, JAHS_BRACKETS_SYNETUNE, 0, sn0, 3);
    check_style(1, 20, JAHS_RUNGS_NEPS, JAHS_BRACKETS_SYNETUNE, 1, sn1, 2);
    check_style(1, 20, JAHS_RUNGS_NEPS, JAHS_BRACKETS_SYNETUNE, 2, sn2, 1);
    check_style(1, 20, JAHS_RUNGS_NEPS, JAHS_BRACKETS_LI, 0, sn0, 3);
    check_style(1, 20, JAHS_RUNGS_NEPS, JAHS_BRACKETS_LI, 1, li1, 2);
    check_style(1, 20, JAHS_RUNGS_NEPS, JAHS_BRACKETS_LI, 2, sn2, 1);
    CHECK_OK(jahs_rungs_make(1, 81, 3, JAHS_RUNGS_NEPS, &r, &err), &err);
    CHECK_EQ_INT(r.n, 5);
    for (s = 0; s < 5; s++) {
        int a[JAHS_MAX_RUNGS], b[JAHS_MAX_RUNGS];
        CHECK_EQ_INT(jahs_hb_bracket_sizes_style(&r, 3, JAHS_BRACKETS_LI, s, a),
                     0);
        CHECK_EQ_INT(jahs_hb_bracket_sizes(&r, 3, s, b), 0);
        CHECK_EQ_INT(a[s], li81[s]);
        CHECK_EQ_INT(b[s], neps81[s]);
    }
    CHECK_EQ_INT(jahs_hb_bracket_sizes_style(&r, 3, JAHS_BRACKETS_LI, 5, NULL),
                 JAHS_EINVAL);
}

/* Synchronous Hyperband on Syne Tune's rungs, one worker: the brackets
 * follow the rungs' convention (auto): bracket 1 starts 12 configs at 3
 * epochs, promotes 4 to 9 and 2 to 20; with cfg->brackets = neps the same
 * rungs run NEPS's 9, 3, 1. */
JAHS_TEST(hyperband_synetune_brackets_run)
{
    jahs_error err = {0};
    jahs_space *sp = one_float_space();
    jahs_opt_config cfg;
    int pass;
    for (pass = 0; pass < 2; pass++) {
        jahs_opt *o;
        jahs_trial t;
        int k, at[4] = {0, 0, 0, 0}, total = pass == 0 ? 40 + 18 : 40 + 13;
        jahs_opt_config_defaults(&cfg);
        cfg.space = sp;
        cfg.seed = 2;
        cfg.rungs = JAHS_RUNGS_SYNETUNE;
        cfg.brackets = pass == 0 ? JAHS_BRACKETS_AUTO : JAHS_BRACKETS_NEPS;
        o = jahs_opt_create(jahs_opt_find("hyperband"), &cfg, &err);
        CHECK(o != NULL);
        for (k = 0; o && k < total; k++) {
            jahs_result r;
            CHECK_EQ_INT(jahs_opt_ask(o, &t, &err), 0);
            if (k >= 40) {
                CHECK_EQ_INT(t.bracket, 1);
                at[t.rung]++;
            }
            r.val_acc = r.test_acc = t.config[0] * 100 + t.epochs / 100.0;
            r.cost = 1;
            CHECK_OK(jahs_opt_tell(o, &t, &r, &err), &err);
        }
        CHECK_EQ_INT(at[0], 0);
        CHECK_EQ_INT(at[1], pass == 0 ? 12 : 9);
        CHECK_EQ_INT(at[2], pass == 0 ? 4 : 3);
        CHECK_EQ_INT(at[3], pass == 0 ? 2 : 1);
        jahs_opt_free(o);
    }
    free(sp);
}

/* Asynchronous Hyperband: with NEPS's brackets a drawn bracket s promotes
 * from its own rungs only (S-1 .. s); with Syne Tune's the one rung system
 * promotes from any rung.  Three results at rung 0 (NEPS's rule: promotable),
 * others left pending: the next ask is a promotion in every one of 20 seeds
 * with Syne Tune's brackets, not with NEPS's (P(s = 0) = 6/11). */
JAHS_TEST(hyperband_async_synetune_scans_every_rung)
{
    jahs_error err = {0};
    jahs_space *sp = one_float_space();
    int style, seed;
    for (style = 0; style < 2; style++) {
        int n_prom = 0;
        for (seed = 1; seed <= 20; seed++) {
            jahs_opt_config cfg;
            jahs_hb *h;
            jahs_trial t;
            int rung, done = 0, k;
            double x[1] = {0.5};
            jahs_opt_config_defaults(&cfg);
            cfg.space = sp;
            cfg.seed = (uint64_t)seed;
            cfg.async = 1;
            cfg.brackets = style ? JAHS_BRACKETS_SYNETUNE : JAHS_BRACKETS_NEPS;
            h = jahs_hb_create(&cfg, "test", &err);
            CHECK(h != NULL);
            for (k = 0; h && done < 3 && k < 100; k++) {
                CHECK_EQ_INT(jahs_hb_next(h, &t, &rung), 0);
                CHECK(rung >= 0);
                x[0] = 0.1 * (done + 1);
                CHECK_OK(jahs_hb_start_new(h, x, JAHS_ORIGIN_RANDOM, &t, &err),
                         &err);
                if (rung == 0) {
                    CHECK_OK(jahs_hb_report(h, &t, 10.0 * (done + 1), &err),
                             &err);
                    done++;
                }
            }
            CHECK_EQ_INT(done, 3);
            CHECK_EQ_INT(jahs_hb_next(h, &t, &rung), 0);
            n_prom += rung < 0;
            if (rung < 0) {
                CHECK_EQ_INT(t.epochs, 6);
                CHECK_NEAR(t.config[0], 0.3, 1e-15);
            }
            jahs_hb_free(h);
        }
        if (style)
            CHECK_EQ_INT(n_prom, 20);
        else
            CHECK(n_prom < 20);
    }
    free(sp);
}

/* Syne Tune's stopping type on asynchronous Hyperband: the first config is
 * alone at every rung, so it runs on to 20 epochs, each continuation the
 * very next ask; synchronous Hyperband refuses the type. */
JAHS_TEST(hyperband_async_stopping)
{
    jahs_error err = {0};
    jahs_space *sp = one_float_space();
    jahs_opt_config cfg;
    jahs_opt *o;
    jahs_trial t;
    jahs_result r = {50, 50, 1};
    int k, prev;
    jahs_opt_config_defaults(&cfg);
    cfg.space = sp;
    cfg.seed = 4;
    cfg.type = JAHS_TYPE_STOPPING;
    CHECK(jahs_opt_create(jahs_opt_find("hyperband"), &cfg, &err) == NULL);
    CHECK_CONTAINS(err.msg, "type = stopping needs the asynchronous variant");
    cfg.async = 1;
    o = jahs_opt_create(jahs_opt_find("hyperband"), &cfg, &err);
    CHECK(o != NULL);
    CHECK_EQ_INT(jahs_opt_ask(o, &t, &err), 0);
    CHECK_EQ_INT(t.config_id, 0);
    prev = t.epochs;
    for (k = 0; k < 3 && t.epochs < 20; k++) {
        CHECK_OK(jahs_opt_tell(o, &t, &r, &err), &err);
        CHECK_EQ_INT(jahs_opt_ask(o, &t, &err), 0);
        CHECK_EQ_INT(t.config_id, 0);
        CHECK_EQ_INT(t.origin, JAHS_ORIGIN_PROMOTED);
        CHECK_EQ_INT(t.resume_from, prev);
        prev = t.epochs;
    }
    CHECK_EQ_INT(t.epochs, 20);
    jahs_opt_free(o);
    free(sp);
}

/* Repeats: a space of 4 configs.  allow_repeats = 1 (NEPS) repeats within
 * 12 random draws; allow_repeats = 0 (Syne Tune's searchers) gives the 4
 * configs once each and then: random search DONE; ASHA and Hyperband their
 * remaining promotions, then DONE. */
JAHS_TEST(opt_random_draws_without_repeats)
{
    static const char *const c4[4] = {"a", "b", "c", "d"};
    static const char *const names[3] = {"random", "asha", "hyperband"};
    jahs_error err = {0};
    jahs_space *sp = calloc(1, sizeof *sp);
    jahs_opt_config cfg;
    int m;
    snprintf(sp->name, sizeof sp->name, "four");
    jahs_space_add_cat(sp, "k", JAHS_GROUP_ARCH, c4, 4, "test");
    jahs_space_finish(sp);
    for (m = 0; m < 3; m++) {
        int rep;
        for (rep = 1; rep >= 0; rep--) {
            jahs_opt *o;
            jahs_trial t;
            int k, rc = 0, seen[4] = {0, 0, 0, 0}, n_new = 0, dup = 0;
            jahs_opt_config_defaults(&cfg);
            cfg.space = sp;
            cfg.seed = 6;
            cfg.allow_repeats = rep;
            o = jahs_opt_create(jahs_opt_find(names[m]), &cfg, &err);
            CHECK(o != NULL);
            for (k = 0; o && k < 60; k++) {
                jahs_result r;
                rc = jahs_opt_ask(o, &t, &err);
                if (rc != 0)
                    break;
                if (t.resume_from == 0 && t.origin != JAHS_ORIGIN_PROMOTED) {
                    n_new++;
                    dup += seen[(int)t.config[0]]++ > 0;
                }
                r.val_acc = r.test_acc = 10 * t.config[0] + t.epochs / 100.0;
                r.cost = 1;
                CHECK_OK(jahs_opt_tell(o, &t, &r, &err), &err);
            }
            if (rep) {
                CHECK_EQ_INT(rc, 0);
                CHECK(dup > 0);
            } else {
                if (rc != JAHS_DONE)
                    jahs_test_fail(__FILE__, __LINE__,
                                   "%s without repeats: ask %d returned %d",
                                   names[m], k, rc);
                CHECK_EQ_INT(n_new, 4);
                CHECK_EQ_INT(dup, 0);
            }
            jahs_opt_free(o);
        }
    }
    free(sp);
}
