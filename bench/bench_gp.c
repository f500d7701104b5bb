/*
 * bench_gp.c - cost of MOBSTER's decisions on the nb201 joint space (38
 * encoded dimensions), beside ASHA's.
 *
 * A synthetic history of n observations shaped like an ASHA run with eta 3
 * on NEPS rungs 2, 6, 20 epochs (about 9 : 3 : 1 observations per rung, each
 * promoted config observed at every lower rung too), scores from a smooth
 * function of the encoded config plus a learning-curve term and noise.  For
 * n = 100, 300, 500 it times, median over repeats:
 *   fit        jahs_gp_fit from the defaults (2 starts, <= 50 BFGS iterations)
 *   refit      jahs_gp_fit warm (from the optimum of n - 1 points)
 *   ei         jahs_acq_maximise alone (candidates + local search)
 *   decision   jahs_gp_sampler_propose after one new observation, no refit
 *              (factor extended in place), the common case
 *   decision+refit  the same call when the refit schedule says refit
 *   amortised  mean decision time over the calls from n to n + 50 with the
 *              default schedule (refit_init 150, refit_period 5)
 * and ASHA's decision (ask + tell) for the ratio.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "core/util.h"
#include "opt/acq.h"
#include "opt/gp.h"
#include "opt/gp_sampler.h"
#include "opt/opt.h"
#include "space/space.h"

#define NMAX 560

static jahs_space *sp;
static double configs[NMAX][JAHS_MAX_PARAMS];
static jahs_gp_obs obs[NMAX * 2];

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double score_of(const double *x, int epochs, jahs_rng *rng)
{
    double z[JAHS_MAX_ENCODED], s = 0;
    int k;
    jahs_space_encode(sp, x, z);
    for (k = 0; k < sp->encoded_dim; k++)
        s += (z[k] - 0.4) * (z[k] - 0.4) * (1 + (k % 3));
    return 70 - 3 * s - 20 * exp(-epochs / 4.0) + jahs_rng_gaussian(rng, 0.5);
}

/* n observations: configs at rung 2, every third promoted to 6, every ninth to 20. */
static size_t make_history(size_t n, jahs_rng *rng)
{
    size_t m = 0, c = 0;
    while (m < n) {
        jahs_space_sample(sp, rng, configs[c]);
        obs[m].config = configs[c];
        obs[m].config_id = (int64_t)c;
        obs[m].epochs = 2;
        obs[m].score = score_of(configs[c], 2, rng);
        m++;
        if (c % 3 == 2 && m < n) {
            obs[m] = obs[m - 1];
            obs[m].epochs = 6;
            obs[m].score = score_of(configs[c], 6, rng);
            m++;
        }
        if (c % 9 == 8 && m < n) {
            obs[m] = obs[m - 1];
            obs[m].epochs = 20;
            obs[m].score = score_of(configs[c], 20, rng);
            m++;
        }
        c++;
    }
    return m;
}

static double median(double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, cmp_dbl);
    return t[n / 2];
}

static double time_asha(void)
{
    jahs_error err = {0};
    jahs_opt_config cfg;
    jahs_opt *o;
    jahs_trial t;
    jahs_result r = {0, 0, 1};
    double t0, per;
    int i, n = 20000;
    jahs_opt_config_defaults(&cfg);
    cfg.space = sp;
    cfg.seed = 1;
    o = jahs_opt_create(jahs_opt_find("asha"), &cfg, &err);
    if (!o)
        return NAN;
    t0 = jahs_now();
    for (i = 0; i < n; i++) {
        if (jahs_opt_ask(o, &t, &err) != 0)
            break;
        r.val_acc = (double)((i * 7919) % 1000) / 10;
        jahs_opt_tell(o, &t, &r, &err);
    }
    per = (jahs_now() - t0) / i;
    jahs_opt_free(o);
    return per;
}

/* A whole MOBSTER run on a synthetic objective: total optimizer time. */
static void run_mobster(int n_results)
{
    jahs_error err = {0};
    jahs_opt_config cfg;
    jahs_opt *o;
    jahs_rng *rng = jahs_rng_create(5, "bench/gp/run", 0, &err);
    jahs_trial t;
    jahs_result r = {0, 0, 1};
    double t0, spent = 0, worst = 0;
    int i, models = 0;
    jahs_opt_config_defaults(&cfg);
    cfg.space = sp;
    cfg.seed = 1;
    o = jahs_opt_create(jahs_opt_find("mobster"), &cfg, &err);
    if (!o || !rng) {
        fprintf(stderr, "bench_gp: %s\n", err.msg);
        return;
    }
    for (i = 0; i < n_results; i++) {
        double d;
        t0 = jahs_now();
        if (jahs_opt_ask(o, &t, &err) != 0) {
            fprintf(stderr, "bench_gp: %s\n", err.msg);
            break;
        }
        d = jahs_now() - t0;
        spent += d;
        if (d > worst)
            worst = d;
        models += t.origin == JAHS_ORIGIN_MODEL;
        r.val_acc = score_of(t.config, t.epochs, rng);
        t0 = jahs_now();
        jahs_opt_tell(o, &t, &r, &err);
        spent += jahs_now() - t0;
    }
    printf("MOBSTER run, %d results (%d model proposals): optimizer time %.2f s, "
           "slowest decision %.0f ms\n",
           n_results, models, spent, 1e3 * worst);
    jahs_opt_free(o);
    jahs_rng_free(rng);
}

int main(void)
{
    jahs_error err = {0};
    static const size_t sizes[3] = {100, 300, 500};
    int si, reps = 3;
    double asha;
    jahs_opt_config cfg;
    sp = jahs_space_create("nb201", &err);
    if (!sp) {
        fprintf(stderr, "bench_gp: %s\n", err.msg);
        return 1;
    }
    jahs_opt_config_defaults(&cfg);
    asha = time_asha();
    printf("MOBSTER decisions, nb201 space (%d encoded dims), %d EI candidates;"
           " ms, median of %d\n",
           sp->encoded_dim, cfg.candidates, reps);
    printf("%-4s %8s %8s %8s %7s %8s %10s %10s %7s\n", "n", "fit", "refit2",
           "refit1", "ei", "decide", "decide+r2", "amortised", "evals");
    for (si = 0; si < 3; si++) {
        size_t n = sizes[si];
        double tf[8], t2[8], t1[8], te[8], td[8], amort = 0;
        int ev2 = 0, rep;
        for (rep = 0; rep < reps; rep++) {
            jahs_rng *rng = jahs_rng_create((uint64_t)rep, "bench/gp", n, &err);
            jahs_gp_sampler_opts so;
            jahs_gp_sampler *gs;
            jahs_gp *gp;
            jahs_gp_sampler_info info;
            jahs_gp_fit_opts one;
            double x[JAHS_MAX_PARAMS], t0, z[JAHS_MAX_ENCODED], r;
            int k, calls = 0;
            make_history(n + 60, rng);
            jahs_gp_sampler_opts_defaults(&so, &cfg);
            one = so.fit;
            one.starts = 1;
            gs = jahs_gp_sampler_create(sp, 20, 1, "bench/gp", &so, &err);
            gp = jahs_gp_sampler_model(gs);
            /* cold fit on n - 1 points (one start: the defaults) */
            if (jahs_gp_sampler_propose(gs, obs, n - 1, NULL, 0, NULL, x, &info,
                                        &err) < 0) {
                fprintf(stderr, "bench_gp: %s\n", err.msg);
                return 1;
            }
            jahs_gp_reset_params(gp, &err);
            t0 = jahs_now();
            jahs_gp_fit(gp, &so.fit, NULL, &err);
            tf[rep] = jahs_now() - t0;
            /* one more point; refits from 2 starts and from 1 (warm) */
            jahs_space_encode(sp, obs[n - 1].config, z);
            r = jahs_gp_resource_unit(obs[n - 1].epochs, 20);
            jahs_gp_add_point(gp, z, r, -obs[n - 1].score, 1, &err);
            {
                jahs_gp_params keep;
                double th[JAHS_MAX_ENCODED + 6];
                jahs_gp_get_theta(gp, th);
                jahs_gp_get_params(gp, &keep);
                t0 = jahs_now();
                jahs_gp_fit(gp, &so.fit, &ev2, &err);
                t2[rep] = jahs_now() - t0;
                jahs_gp_set_params(gp, &keep, &err);
                (void)th;
            }
            t0 = jahs_now();
            jahs_gp_fit(gp, &one, NULL, &err);
            t1[rep] = jahs_now() - t0;
            jahs_gp_truncate(gp, n - 1, &err);
            /* the EI search alone */
            {
                jahs_rng *r2 = jahs_rng_create(2, "bench/gp/acq", 0, &err);
                t0 = jahs_now();
                jahs_acq_maximise(sp, gp, jahs_gp_resource_unit(6, 20), -60,
                                  &so.acq, r2, NULL, x, NULL, &err);
                te[rep] = jahs_now() - t0;
                jahs_rng_free(r2);
            }
            jahs_gp_sampler_free(gs);
            /* the schedule past refit_init: n - 1 (fits), then n, n + 1, ... */
            so.refit_init = 0;
            gs = jahs_gp_sampler_create(sp, 20, 1, "bench/gp", &so, &err);
            jahs_gp_sampler_propose(gs, obs, n - 1, NULL, 0, NULL, x, &info,
                                    &err);
            td[rep] = 1e30;
            t0 = jahs_now();
            for (k = 0; k <= 50; k++) {
                double tk = jahs_now();
                jahs_gp_sampler_propose(gs, obs, n + (size_t)k, NULL, 0, NULL,
                                        x, &info, &err);
                tk = jahs_now() - tk;
                if (!info.refit && tk < td[rep])
                    td[rep] = tk; /* fastest plain decision */
                calls++;
            }
            if (rep == 0)
                amort = (jahs_now() - t0) / calls;
            jahs_gp_sampler_free(gs);
            jahs_rng_free(rng);
        }
        printf("%-4zu %8.1f %8.1f %8.1f %7.2f %8.2f %10.1f %10.2f %7d\n", n,
               1e3 * median(tf, reps), 1e3 * median(t2, reps),
               1e3 * median(t1, reps), 1e3 * median(te, reps),
               1e3 * median(td, reps),
               1e3 * (median(td, reps) + median(t2, reps)), 1e3 * amort, ev2);
    }
    printf("ASHA decision (ask + tell): %.2f us\n", asha * 1e6);
    run_mobster(300);
    run_mobster(600);
    printf("fit: from the defaults; refit2: after one new point, 2 starts "
           "(below refit_init);\nrefit1: the same, warm start only (from "
           "refit_init on); ei: candidates + local search;\ndecide: a proposal "
           "without refit (factor extended); amortised: mean of 51 proposals\n"
           "past refit_init with refit_period 5; evals: objective evaluations "
           "of refit2\n");
    jahs_space_free(sp);
    return 0;
}
