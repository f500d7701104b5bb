/*
 * test_mobster.c - the GP sampler (src/opt/gp_sampler.c), MOBSTER
 * (src/opt/mobster.c) and the prior-fraction schedule then BO
 * (src/opt/schedule_bo.c): the data cap, the acquisition level, the refit
 * schedule, fantasies, behaviour on a synthetic multi-fidelity function
 * with a known optimum, determinism, and the error paths.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "harness.h"
#include "opt/asha_bo.h"
#include "opt/gp_sampler.h"
#include "opt/opt.h"
#include "space/prior.h"
#include "space/space.h"

/* [0, 1]^2 float space. */
static jahs_space *square(void)
{
    jahs_space *sp = calloc(1, sizeof *sp);
    jahs_space_add_float(sp, "x0", JAHS_GROUP_HP, 0, 1, 0, "test");
    jahs_space_add_float(sp, "x1", JAHS_GROUP_HP, 0, 1, 0, "test");
    jahs_space_finish(sp);
    return sp;
}

/*
 * Synthetic multi-fidelity accuracy (percent): a bowl with its optimum at
 * (0.7, 0.3) plus a learning curve in the epochs:
 *   acc(x, e) = 100 - 150 |x - (0.7, 0.3)|^2 - 30 exp(-e / 5).
 * The best value at 20 epochs is 100 - 30 e^-4 = 99.45.
 */
static double accuracy(const double *x, int epochs)
{
    double d0 = x[0] - 0.7, d1 = x[1] - 0.3;
    return 100 - 150 * (d0 * d0 + d1 * d1) - 30 * exp(-epochs / 5.0);
}

static double dist_opt(const double *x)
{
    return sqrt((x[0] - 0.7) * (x[0] - 0.7) + (x[1] - 0.3) * (x[1] - 0.3));
}

/*
 * One worker: ask, evaluate, tell, until `budget` epochs have been trained
 * (a promoted trial costs its extra epochs).  Returns the distance to the
 * optimum of the best config seen at the maximum fidelity (1 if none).
 */
static double run(const char *method, uint64_t seed, const jahs_space *sp,
                  const jahs_prior *pr, int budget, jahs_trial *log, int *nlog)
{
    jahs_error err = {0};
    jahs_opt_config cfg;
    jahs_opt *o;
    jahs_trial t;
    jahs_result r = {0, 0, 1};
    int spent = 0, n = 0;
    double best = -1e9, best_d = 1;
    jahs_opt_config_defaults(&cfg);
    cfg.space = sp;
    cfg.prior = pr;
    cfg.seed = seed;
    cfg.initial_random = 6;
    cfg.schedule_budget = 5;
    o = jahs_opt_create(jahs_opt_find(method), &cfg, &err);
    CHECK(o != NULL);
    if (!o)
        return 1;
    while (spent < budget) {
        int rc = jahs_opt_ask(o, &t, &err);
        CHECK_EQ_INT(rc, 0);
        if (rc != 0) {
            jahs_test_fail(__FILE__, __LINE__, "%s", err.msg);
            break;
        }
        if (log && n < *nlog)
            log[n] = t;
        n++;
        spent += t.epochs - t.resume_from;
        r.val_acc = accuracy(t.config, t.epochs);
        if (t.epochs == cfg.max_epochs && r.val_acc > best) {
            best = r.val_acc;
            best_d = dist_opt(t.config);
        }
        CHECK_OK(jahs_opt_tell(o, &t, &r, &err), &err);
    }
    if (nlog)
        *nlog = n < *nlog ? n : *nlog;
    jahs_opt_free(o);
    return best_d;
}

#ifdef __SANITIZE_ADDRESS__
#define SEEDS 2
#else
#define SEEDS 5
#endif

JAHS_TEST(mobster_beats_random_search_on_a_synthetic_bowl)
{
    jahs_space *sp = square();
    double dm = 0, dr = 0;
    int s, hits = 0;
    /* budget: 300 epochs = 15 full trainings (random search gets 15) */
    for (s = 0; s < SEEDS; s++) {
        double a = run("mobster", (uint64_t)s, sp, NULL, 300, NULL, NULL);
        double b = run("random", (uint64_t)s, sp, NULL, 300, NULL, NULL);
        dm += a;
        dr += b;
        hits += a < 0.1;
    }
    dm /= SEEDS;
    dr /= SEEDS;
    if (!(dm < dr))
        jahs_test_fail(__FILE__, __LINE__,
                       "mean distance to the optimum: mobster %.3f, random %.3f",
                       dm, dr);
    /* the optimum region (within 0.1) in every seed */
    CHECK_EQ_INT(hits, SEEDS);
    free(sp);
}

JAHS_TEST(mobster_same_seed_same_trials_and_model_proposals)
{
    jahs_space *sp = square();
    jahs_trial a[80], b[80], c[80];
    int na = 80, nb = 80, nc = 80, i, model = 0, differ = 0;
    run("mobster", 3, sp, NULL, 400, a, &na);
    run("mobster", 3, sp, NULL, 400, b, &nb);
    run("mobster", 4, sp, NULL, 400, c, &nc);
    CHECK_EQ_INT(na, nb);
    for (i = 0; i < na && i < nb; i++) {
        CHECK(memcmp(a[i].config, b[i].config, 2 * sizeof(double)) == 0);
        CHECK_EQ_INT(a[i].epochs, b[i].epochs);
        CHECK_EQ_INT(a[i].origin, b[i].origin);
        model += a[i].origin == JAHS_ORIGIN_MODEL;
        if (i < nc && memcmp(a[i].config, c[i].config, 2 * sizeof(double)))
            differ = 1;
    }
    CHECK(model > 5); /* the model did propose */
    CHECK(differ);    /* another seed, other trials */
    /* the first 6 new configs are random, never the model's */
    {
        int fresh = 0;
        for (i = 0; i < na && fresh < 6; i++)
            if (a[i].origin != JAHS_ORIGIN_PROMOTED) {
                CHECK(a[i].origin == JAHS_ORIGIN_RANDOM);
                fresh++;
            }
        CHECK_EQ_INT(fresh, 6);
    }
    free(sp);
}

JAHS_TEST(mobster_ignores_the_prior)
{
    jahs_error err = {0};
    jahs_space *sp = square();
    jahs_prior *pr = jahs_prior_create(sp, &err);
    jahs_trial log[40];
    int n = 40, i;
    CHECK_OK(jahs_prior_set_default(pr, 0, 0.1, JAHS_CONF_HIGH, &err), &err);
    run("mobster", 1, sp, pr, 200, log, &n);
    for (i = 0; i < n; i++)
        CHECK(log[i].origin != JAHS_ORIGIN_PRIOR &&
              log[i].origin != JAHS_ORIGIN_DEFAULT);
    jahs_prior_free(pr);
    free(sp);
}

/* ---- the sampler ---------------------------------------------------------- */

/* configs 0..11 at 1 epoch; 0..3 also at 3; 0..1 also at 9 (18 results) */
static size_t crafted(double cfgs[12][JAHS_MAX_PARAMS], jahs_gp_obs *obs)
{
    size_t n = 0;
    int c, e;
    static const int levels[3] = {1, 3, 9};
    for (c = 0; c < 12; c++) {
        cfgs[c][0] = (c + 0.5) / 12;
        cfgs[c][1] = 0.5;
    }
    for (e = 0; e < 3; e++)
        for (c = 0; c < 12; c++) {
            if ((e == 1 && c >= 4) || (e == 2 && c >= 2))
                continue;
            obs[n].config = cfgs[c];
            obs[n].config_id = c;
            obs[n].epochs = levels[e];
            obs[n].score = accuracy(cfgs[c], levels[e]);
            n++;
        }
    return n;
}

static jahs_gp_sampler *sampler(const jahs_space *sp, int max_points,
                                int refit_init, int period)
{
    jahs_error err = {0};
    jahs_gp_sampler_opts o;
    jahs_gp_sampler *s;
    jahs_gp_sampler_opts_defaults(&o, NULL);
    o.max_points = max_points;
    o.refit_init = refit_init;
    o.refit_period = period;
    o.candidates = 50;
    s = jahs_gp_sampler_create(sp, 9, 1, "test/sampler", &o, &err);
    CHECK(s != NULL);
    return s;
}

/*
 * Syne Tune's cap, worked by hand on the crafted history (18 results: 12 at
 * 1 epoch, 4 at 3, 2 at 9):
 *  - max 10: level 9 takes configs 0, 1 whole (6); level 3 takes configs
 *    2, 3 whole (4): exactly 10, configs 4..11 dropped.
 *  - max 8: level 9 takes 6; at level 3 configs 2, 3 bring 4 > 2: dropping
 *    their 1-epoch results leaves 2, which fit: the two 3-epoch results.
 *  - max 5: at level 9 configs 0, 1 bring 6 > 5: without their 1-epoch
 *    results 4 remain, plus 1 of the 2 one-epoch results drawn at random.
 */
JAHS_TEST(sampler_data_cap_follows_syne_tune)
{
    jahs_error err = {0};
    jahs_space *sp = square();
    double cfgs[12][JAHS_MAX_PARAMS] = {{0}};
    jahs_gp_obs obs[18];
    size_t n = crafted(cfgs, obs), keep[18], nk, i;
    jahs_gp_sampler *s;
    int cnt[3];
    CHECK_EQ_INT(n, 18);
    s = sampler(sp, 10, 150, 5);
    CHECK_OK(jahs_gp_sampler_cap(s, obs, n, keep, &nk, &err), &err);
    CHECK_EQ_INT(nk, 10);
    for (i = 0; i < nk; i++)
        CHECK(obs[keep[i]].config_id < 4);
    jahs_gp_sampler_free(s);

    s = sampler(sp, 8, 150, 5);
    CHECK_OK(jahs_gp_sampler_cap(s, obs, n, keep, &nk, &err), &err);
    CHECK_EQ_INT(nk, 8);
    for (i = 0; i < nk; i++) {
        const jahs_gp_obs *o = &obs[keep[i]];
        CHECK(o->config_id < 2 || (o->config_id < 4 && o->epochs == 3));
    }
    jahs_gp_sampler_free(s);

    s = sampler(sp, 5, 150, 5);
    CHECK_OK(jahs_gp_sampler_cap(s, obs, n, keep, &nk, &err), &err);
    CHECK_EQ_INT(nk, 5);
    memset(cnt, 0, sizeof cnt);
    for (i = 0; i < nk; i++) {
        CHECK(obs[keep[i]].config_id < 2);
        cnt[obs[keep[i]].epochs == 1 ? 0 : obs[keep[i]].epochs == 3 ? 1 : 2]++;
    }
    CHECK_EQ_INT(cnt[0], 1);
    CHECK_EQ_INT(cnt[1], 2);
    CHECK_EQ_INT(cnt[2], 2);
    /* under the cap nothing is dropped */
    jahs_gp_sampler_free(s);
    s = sampler(sp, 18, 150, 5);
    CHECK_OK(jahs_gp_sampler_cap(s, obs, n, keep, &nk, &err), &err);
    CHECK_EQ_INT(nk, 18);
    jahs_gp_sampler_free(s);
    free(sp);
}

JAHS_TEST(sampler_model_uses_capped_data_and_bohb_level)
{
    jahs_error err = {0};
    jahs_space *sp = square();
    double cfgs[12][JAHS_MAX_PARAMS] = {{0}}, x[JAHS_MAX_PARAMS];
    jahs_gp_obs obs[18];
    size_t n = crafted(cfgs, obs);
    jahs_gp_sampler *s = sampler(sp, 10, 150, 5);
    jahs_gp_sampler_info info;
    /* 12 results at 1, 4 at 3, 2 at 9: the level is 3 (>= 3 results) */
    CHECK_OK(jahs_gp_sampler_propose(s, obs, n, NULL, 0, NULL, x, &info, &err),
             &err);
    CHECK_EQ_INT(info.epochs_acq, 3);
    CHECK_EQ_INT(info.n_data, 10);
    CHECK_EQ_INT(jahs_gp_n(jahs_gp_sampler_model(s)), 10);
    CHECK(info.refit);
    CHECK(info.ei >= 0);
    CHECK(x[0] >= 0 && x[0] <= 1 && x[1] >= 0 && x[1] <= 1);
    /* only the first 12 (all at 1 epoch): the level is 1 */
    CHECK_OK(jahs_gp_sampler_propose(s, obs, 12, NULL, 0, NULL, x, &info, &err),
             &err);
    CHECK_EQ_INT(info.epochs_acq, 1);
    /* two results, both below the threshold: the smallest level */
    {
        jahs_gp_obs two[2];
        two[0] = obs[12]; /* 3 epochs */
        two[1] = obs[16]; /* 9 epochs */
        CHECK_OK(jahs_gp_sampler_propose(s, two, 2, NULL, 0, NULL, x, &info,
                                         &err),
                 &err);
        CHECK_EQ_INT(info.epochs_acq, 3);
    }
    jahs_gp_sampler_free(s);
    free(sp);
}

/*
 * Refit schedule with refit_init 4, refit_period 3: calls on 2, 3 results
 * refit (below 4); from 4 on: the 1st, 4th, 7th call with new data refit;
 * a call on unchanged data never does.  Calls without refit after one new
 * result extend the factor instead of refactorising.
 */
JAHS_TEST(sampler_refit_schedule_and_appends)
{
    jahs_error err = {0};
    jahs_space *sp = square();
    double cfgs[12][JAHS_MAX_PARAMS] = {{0}}, x[JAHS_MAX_PARAMS];
    jahs_gp_obs obs[18];
    jahs_gp_sampler *s = sampler(sp, 500, 4, 3);
    jahs_gp_sampler_info info;
    static const int expect[11] = {1, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0};
    size_t n;
    int k;
    crafted(cfgs, obs);
    for (k = 0; k < 11; k++) {
        n = 2 + (size_t)k;
        CHECK_OK(jahs_gp_sampler_propose(s, obs, n, NULL, 0, NULL, x, &info,
                                         &err),
                 &err);
        if (info.refit != expect[k])
            jahs_test_fail(__FILE__, __LINE__, "call %d (%zu results): refit %d",
                           k, n, info.refit);
        if (!info.refit && n >= 6)
            CHECK(info.appended);
        if (k == 5) { /* the same data again: no refit */
            CHECK_OK(jahs_gp_sampler_propose(s, obs, n, NULL, 0, NULL, x,
                                             &info, &err),
                     &err);
            CHECK_EQ_INT(info.refit, 0);
        }
    }
    jahs_gp_sampler_free(s);
    free(sp);
}

/*
 * Refit budgets (issue 18): every refit after the first has at most
 * fit_late.max_evals x (late_evals_n / n)^2 evaluations per start, within
 * [2, 50]; below refit_init two starts (previous optimum, defaults).  With
 * max_evals 8 and late_evals_n 6: n = 12 gives 2 per start.  The first fit
 * has no budget.
 */
JAHS_TEST(sampler_refit_budget_shrinks_with_n)
{
    jahs_error err = {0};
    jahs_space *sp = square();
    double cfgs[12][JAHS_MAX_PARAMS] = {{0}}, x[JAHS_MAX_PARAMS];
    jahs_gp_obs obs[18];
    jahs_gp_sampler_opts o;
    jahs_gp_sampler *s;
    jahs_gp_sampler_info info;
    size_t n;
    crafted(cfgs, obs);
    jahs_gp_sampler_opts_defaults(&o, NULL);
    CHECK_EQ_INT(o.refit_period, 1); /* Syne Tune's: refit on every call */
    o.candidates = 50;
    o.late_evals_n = 6;
    o.refit_init = 10;
    s = jahs_gp_sampler_create(sp, 9, 1, "test/sampler", &o, &err);
    CHECK_OK(jahs_gp_sampler_propose(s, obs, 6, NULL, 0, NULL, x, &info, &err),
             &err);
    CHECK(info.refit);
    CHECK(info.fit_evals > 16); /* the first fit: 2 starts, no budget */
    for (n = 7; n <= 14; n++) {
        /* budget per start floor(8 (6 / n)^2) within [2, 50]; 2 starts
         * below 10 */
        double q = 6.0 / (double)n;
        int per = (int)floor(8 * q * q), starts = n < 10 ? 2 : 1;
        if (per < 2)
            per = 2;
        CHECK_OK(jahs_gp_sampler_propose(s, obs, n, NULL, 0, NULL, x, &info,
                                         &err),
                 &err);
        CHECK(info.refit);
        CHECK(info.appended); /* one new observation: factor extended */
        if (info.fit_evals > per * starts || info.fit_evals < 1)
            jahs_test_fail(__FILE__, __LINE__,
                           "n %zu: %d evaluations, budget %d x %d starts", n,
                           info.fit_evals, per, starts);
    }
    jahs_gp_sampler_free(s);
    free(sp);
}

JAHS_TEST(sampler_fantasies_for_pending_trials)
{
    jahs_error err = {0};
    jahs_space *sp = square();
    double cfgs[12][JAHS_MAX_PARAMS] = {{0}}, x[JAHS_MAX_PARAMS];
    double x2[JAHS_MAX_PARAMS];
    jahs_gp_obs obs[18], pend[2];
    jahs_gp_sampler *s = sampler(sp, 500, 150, 5);
    jahs_config_set *ex = jahs_config_set_create(sp, &err);
    jahs_gp_sampler_info info;
    size_t n = crafted(cfgs, obs);
    CHECK_OK(jahs_gp_sampler_propose(s, obs, n, NULL, 0, ex, x, &info, &err),
             &err);
    /* the proposal is now in flight at 1 epoch, and excluded */
    pend[0].config = x;
    pend[0].config_id = 100;
    pend[0].epochs = 1;
    pend[0].score = 0;
    pend[1] = obs[4];
    pend[1].epochs = 3;
    CHECK_OK(jahs_config_set_add(ex, x), &err);
    CHECK_OK(jahs_gp_sampler_propose(s, obs, n, pend, 2, ex, x2, &info, &err),
             &err);
    CHECK_EQ_INT(info.n_pending, 2);
    CHECK(!jahs_config_equal(sp, x, x2));
    /* the fantasies are gone afterwards */
    CHECK_EQ_INT(jahs_gp_n(jahs_gp_sampler_model(s)), n);
    jahs_config_set_free(ex);
    jahs_gp_sampler_free(s);
    free(sp);
}

JAHS_TEST(sampler_errors)
{
    jahs_error err = {0};
    jahs_space *sp = square();
    jahs_gp_sampler_opts o;
    jahs_gp_sampler *s;
    double x[JAHS_MAX_PARAMS] = {0.5, 0.5};
    jahs_gp_obs ob = {x, 0, -1, 50};
    size_t keep[4], nk;
    jahs_gp_sampler_opts_defaults(&o, NULL);
    CHECK(jahs_gp_sampler_create(NULL, 20, 1, "t", &o, &err) == NULL);
    CHECK_CONTAINS(err.msg, "needs a space");
    o.refit_period = 0;
    CHECK(jahs_gp_sampler_create(sp, 20, 1, "t", &o, &err) == NULL);
    CHECK_CONTAINS(err.msg, "refit_period");
    o.refit_period = 1;
    o.late_evals_n = 0;
    CHECK(jahs_gp_sampler_create(sp, 20, 1, "t", &o, &err) == NULL);
    CHECK_CONTAINS(err.msg, "late_evals_n");
    o.late_evals_n = 100;
    s = jahs_gp_sampler_create(sp, 20, 1, "t", NULL, &err);
    CHECK_EQ_INT(jahs_gp_sampler_propose(s, NULL, 0, NULL, 0, NULL, x, NULL,
                                         &err),
                 JAHS_EINVAL);
    CHECK_CONTAINS(err.msg, "at least one observation");
    ob.score = NAN;
    ob.epochs = 1;
    CHECK_EQ_INT(jahs_gp_sampler_propose(s, &ob, 1, NULL, 0, NULL, x, NULL,
                                         &err),
                 JAHS_EINVAL);
    CHECK_CONTAINS(err.msg, "non-finite score");
    jahs_gp_sampler_free(s);
    o.refit_period = 5;
    o.max_points = 1;
    s = jahs_gp_sampler_create(sp, 20, 1, "t", &o, &err);
    {
        jahs_gp_obs two[2];
        two[0] = ob;
        two[1] = ob;
        two[0].score = two[1].score = 1;
        two[1].epochs = -1;
        CHECK_EQ_INT(jahs_gp_sampler_cap(s, two, 2, keep, &nk, &err),
                     JAHS_EINVAL);
        CHECK_CONTAINS(err.msg, "negative epochs");
    }
    jahs_gp_sampler_free(s);
    jahs_gp_sampler_free(NULL);
    /* the shared ASHA + BO state: no model before a result */
    {
        jahs_opt_config cfg;
        jahs_asha_bo *b;
        jahs_opt_config_defaults(&cfg);
        cfg.space = sp;
        b = jahs_asha_bo_create(&cfg, "test", &err);
        CHECK(b != NULL);
        CHECK_EQ_INT(jahs_asha_bo_model(b, x, NULL, &err), JAHS_ESTATE);
        CHECK_CONTAINS(err.msg, "before any result");
        jahs_asha_bo_free(b);
        jahs_asha_bo_free(NULL);
    }
    free(sp);
}

/* ---- prior-fraction schedule, then BO ------------------------------------- */

JAHS_TEST(schedule_bo_decays_the_prior_then_uses_the_model)
{
    jahs_error err = {0};
    jahs_space *sp = square();
    jahs_prior *pr = jahs_prior_create(sp, &err);
    jahs_opt_config cfg;
    jahs_opt *o;
    jahs_trial t;
    jahs_result r = {0, 0, 1};
    int i, early_prior = 0, early_new = 0, late_new = 0, late_model = 0;
    double work = 0;
    CHECK_OK(jahs_prior_set_default(pr, 0, 0.7, JAHS_CONF_HIGH, &err), &err);
    CHECK_OK(jahs_prior_set_default(pr, 1, 0.3, JAHS_CONF_HIGH, &err), &err);
    jahs_opt_config_defaults(&cfg);
    cfg.space = sp;
    cfg.prior = pr;
    cfg.seed = 2;
    cfg.schedule_start = 1.0;
    cfg.schedule_end = 0.0;
    cfg.schedule_budget = 10; /* 200 epochs */
    o = jahs_opt_create(jahs_opt_find("prior-schedule-bo"), &cfg, &err);
    CHECK(o != NULL);
    if (!o)
        return;
    for (i = 0; i < 200; i++) {
        CHECK_OK(jahs_opt_ask(o, &t, &err), &err);
        if (t.origin != JAHS_ORIGIN_PROMOTED) {
            if (work < 2) { /* fraction still >= 0.8 */
                early_new++;
                early_prior += t.origin == JAHS_ORIGIN_PRIOR;
            }
            if (work >= 10) {
                late_new++;
                late_model += t.origin == JAHS_ORIGIN_MODEL;
            }
            CHECK(work >= 10 || t.origin != JAHS_ORIGIN_MODEL);
        }
        r.val_acc = accuracy(t.config, t.epochs);
        CHECK_OK(jahs_opt_tell(o, &t, &r, &err), &err);
        work += (double)(t.epochs - t.resume_from) / cfg.max_epochs;
    }
    if (early_new < 5)
        jahs_test_fail(__FILE__, __LINE__, "early new %d prior %d, late %d model %d",
                       early_new, early_prior, late_new, late_model);
    CHECK(early_prior >= early_new * 7 / 10);
    CHECK(late_new > 5);
    CHECK_EQ_INT(late_model, late_new);
    jahs_opt_free(o);
    /* bad schedules are refused */
    cfg.schedule_start = 1.5;
    CHECK(jahs_opt_create(jahs_opt_find("prior-schedule-bo"), &cfg, &err) ==
          NULL);
    CHECK_CONTAINS(err.msg, "prior schedule");
    jahs_prior_free(pr);
    free(sp);
}

JAHS_TEST(schedule_bo_without_prior_is_asha_then_model)
{
    jahs_space *sp = square();
    jahs_trial log[120];
    int n = 120, i, seen_model = 0;
    run("prior-schedule-bo", 1, sp, NULL, 400, log, &n);
    for (i = 0; i < n; i++) {
        CHECK(log[i].origin != JAHS_ORIGIN_PRIOR);
        seen_model |= log[i].origin == JAHS_ORIGIN_MODEL;
    }
    CHECK(seen_model);
    free(sp);
}
