/*
 * bench_opt.c - optimizer decision time (one ask + one tell, microseconds)
 * after n trials, and scheduler throughput (finished trials per second) on
 * the synthetic evaluator.  Decisions are timed over trials [n/2, n) of a
 * run of n trials with one worker on the nb201 space (a cheap score stands
 * in for the evaluator), median of 5 repeats.  Prints two tables.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "eval/eval.h"
#include "exp/scheduler.h"
#include "opt/opt.h"
#include "space/prior.h"
#include "space/space.h"

#define REPS 5

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A cheap deterministic score: the lr distance from 0.1 plus epochs. */
static double score(const jahs_space *sp, const jahs_trial *t)
{
    double u = jahs_param_to_unit(&sp->params[6], t->config[6]);
    return 70 - 30 * fabs(u - 0.66) + t->epochs / 10.0;
}

/* Median microseconds per ask + tell over trials [n/2, n); -1 on error. */
static double decision_us(const char *name, int async, const jahs_space *sp,
                          const jahs_prior *pr, int n)
{
    double t[REPS];
    int rep;
    for (rep = 0; rep < REPS; rep++) {
        jahs_error err = {0};
        jahs_opt_config cfg;
        jahs_opt *o;
        int k;
        double t0 = 0;
        jahs_opt_config_defaults(&cfg);
        cfg.space = sp;
        cfg.prior = pr;
        cfg.seed = (uint64_t)rep + 1;
        cfg.async = async;
        o = jahs_opt_create(jahs_opt_find(name), &cfg, &err);
        if (!o) {
            fprintf(stderr, "bench_opt: %s\n", err.msg);
            return -1;
        }
        for (k = 0; k < n; k++) {
            jahs_trial tr;
            jahs_result r;
            if (k == n / 2)
                t0 = jahs_now();
            if (jahs_opt_ask(o, &tr, &err) != 0) {
                fprintf(stderr, "bench_opt: %s did not ask: %s\n", name,
                        err.msg);
                jahs_opt_free(o);
                return -1;
            }
            r.val_acc = r.test_acc = score(sp, &tr);
            r.cost = tr.epochs;
            jahs_opt_tell(o, &tr, &r, &err);
        }
        t[rep] = (jahs_now() - t0) / (n - n / 2) * 1e6;
        jahs_opt_free(o);
    }
    qsort(t, REPS, sizeof t[0], cmp_dbl);
    return t[REPS / 2];
}

/* Finished trials per second of a simulated run of budget seconds. */
static double throughput(const char *name, int workers, const jahs_space *sp,
                         double budget, long *events)
{
    double t[REPS];
    int rep;
    for (rep = 0; rep < REPS; rep++) {
        jahs_error err = {0};
        jahs_opt_config oc;
        jahs_eval_options eo;
        jahs_sched_config sc;
        jahs_sched_summary sum;
        jahs_opt *o;
        jahs_eval *ev;
        double t0;
        jahs_opt_config_defaults(&oc);
        oc.space = sp;
        oc.seed = (uint64_t)rep + 1;
        jahs_eval_options_defaults(&eo);
        eo.space = sp;
        eo.synthetic = "cellhp";
        o = jahs_opt_create(jahs_opt_find(name), &oc, &err);
        ev = jahs_eval_open(jahs_eval_find("synthetic"), &eo, &err);
        jahs_sched_config_defaults(&sc);
        sc.workers = workers;
        sc.budget = budget;
        t0 = jahs_now();
        if (!o || !ev ||
            jahs_sched_run(o, ev, sp, &sc, NULL, 0, NULL, NULL, &sum, &err)) {
            fprintf(stderr, "bench_opt: %s\n", err.msg);
            return -1;
        }
        t[rep] = sum.n_events / (jahs_now() - t0);
        *events = (long)sum.n_events;
        jahs_opt_free(o);
        jahs_eval_close(ev);
    }
    qsort(t, REPS, sizeof t[0], cmp_dbl);
    return t[REPS / 2];
}

int main(void)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("nb201", &err);
    jahs_prior *pr = jahs_prior_build(sp, JAHS_COVER_HP, JAHS_CONF_MEDIUM, NULL,
                                      &err);
    static const struct {
        const char *label, *name;
        int async, prior;
    } ms[] = {{"random", "random", 0, 0},
              {"asha", "asha", 0, 0},
              {"asha (hp prior 0.8)", "asha", 0, 1},
              {"hyperband", "hyperband", 0, 0},
              {"hyperband async", "hyperband", 1, 0},
              {"priorband (hp prior)", "priorband", 0, 1}};
    static const int sizes[] = {1000, 10000};
    size_t m;
    int s;
    if (!sp || !pr) {
        fprintf(stderr, "bench_opt: %s\n", err.msg);
        return 1;
    }
    printf("decision time, ask + tell (us), nb201 space, 1 worker, median of "
           "%d\n",
           REPS);
    printf("%-24s %14s %14s\n", "optimizer", "trials 500-1k", "trials 5k-10k");
    for (m = 0; m < sizeof ms / sizeof ms[0]; m++) {
        printf("%-24s", ms[m].label);
        for (s = 0; s < 2; s++) {
            double us = decision_us(ms[m].name, ms[m].async, sp,
                                    ms[m].prior ? pr : NULL, sizes[s]);
            if (us < 0)
                return 1;
            printf(" %14.2f", us);
        }
        printf("\n");
    }
    printf("\nscheduler throughput, synthetic cellhp, 2 folds, simulated "
           "6 h (21600 s) x 100\n");
    printf("%-24s %8s %10s %14s\n", "optimizer", "workers", "trials",
           "trials/s");
    for (m = 0; m < 2; m++) {
        const char *name = m == 0 ? "asha" : "hyperband";
        int w;
        for (w = 1; w <= 4; w += 3) {
            long n = 0;
            double tp = throughput(name, w, sp, 21600.0 * 100, &n);
            if (tp < 0)
                return 1;
            printf("%-24s %8d %10ld %14.0f\n", name, w, n, tp);
        }
    }
    jahs_prior_free(pr);
    jahs_space_free(sp);
    return 0;
}
