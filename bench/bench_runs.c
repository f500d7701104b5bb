/*
 * bench_runs.c - one simulated 6-hour single-worker run of each optimizer on
 * the tabular benchmark (nb201 and cell64 spaces, two folds, the poster's
 * GTX 1060 clock), timed end to end (optimizer + evaluator + scheduler, no
 * journal).  Targets (issue "Optimizers and the simulated scheduler"): ASHA
 * well under 0.1 s, MOBSTER under 10 s.  Median of 3 seeds.
 * Needs tables/nb201_cifar100.h5 (make tables) or $JAHS_TABLE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "eval/arch_prior.h"
#include "eval/eval.h"
#include "eval/nb201_table.h"
#include "exp/scheduler.h"
#include "opt/opt.h"
#include "space/prior.h"

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    static const char *opts[] = {"random",    "asha",         "hyperband",
                                 "priorband", "priorband-bo", "mobster",
                                 "prior-schedule-bo"};
    static const char *spaces[] = {"nb201", "cell64"};
    char *table = jahs_table_path_for(NULL);
    jahs_nb201_table *t;
    jahs_error err = {0};
    size_t o, s;
    if (!table || !(t = jahs_nb201_table_open(table, &err))) {
        fprintf(stderr, "bench_runs: %s\n", table ? err.msg : "out of memory");
        free(table);
        return 1;
    }
    printf("%-18s %-7s %8s %12s   %s\n", "optimizer", "space", "trials",
           "ms", "target");
    for (s = 0; s < 2; s++) {
        jahs_space *sp = jahs_space_create(spaces[s], &err);
        jahs_prior *pr = jahs_prior_build(sp, JAHS_COVER_HP, JAHS_CONF_MEDIUM,
                                          NULL, &err);
        jahs_eval_options eo;
        jahs_eval *ev;
        if (!sp || !pr || jahs_arch_prior_fill(pr, t, 100, 1.0, &err)) {
            fprintf(stderr, "bench_runs: %s\n", err.msg);
            return 1;
        }
        jahs_eval_options_defaults(&eo);
        eo.space = sp;
        eo.table = table;
        eo.hardware_factor = 2.5;
        eo.train_fraction = 0.5;
        if (!(ev = jahs_eval_open(jahs_eval_find("tabular"), &eo, &err))) {
            fprintf(stderr, "bench_runs: %s\n", err.msg);
            return 1;
        }
        for (o = 0; o < sizeof opts / sizeof opts[0]; o++) {
            double secs[3];
            int64_t trials = 0;
            int k;
            for (k = 0; k < 3; k++) {
                jahs_opt_config oc;
                jahs_sched_config sc;
                jahs_sched_summary sum;
                jahs_opt *op;
                double t0;
                jahs_opt_config_defaults(&oc);
                oc.space = sp;
                oc.prior = pr; /* joint prior; MOBSTER ignores it */
                oc.seed = (uint64_t)k;
                if (!(op = jahs_opt_create(jahs_opt_find(opts[o]), &oc, &err))) {
                    fprintf(stderr, "bench_runs: %s\n", err.msg);
                    return 1;
                }
                jahs_sched_config_defaults(&sc);
                sc.budget = 6 * 3600.0;
                sc.n_folds = 2;
                sc.seed = (uint64_t)k;
                t0 = jahs_now();
                if (jahs_sched_run(op, ev, sp, &sc, NULL, 0, NULL, NULL, &sum,
                                   &err)) {
                    fprintf(stderr, "bench_runs: %s\n", err.msg);
                    return 1;
                }
                secs[k] = jahs_now() - t0;
                trials = sum.n_events;
                jahs_opt_free(op);
            }
            qsort(secs, 3, sizeof secs[0], cmp_dbl);
            printf("%-18s %-7s %8lld %12.3f   %s\n", opts[o], spaces[s],
                   (long long)trials, secs[1] * 1e3,
                   strcmp(opts[o], "asha") == 0      ? "< 0.1 s"
                   : strcmp(opts[o], "mobster") == 0 ? "< 10 s"
                                                     : "");
        }
        jahs_eval_close(ev);
        jahs_prior_free(pr);
        jahs_space_free(sp);
    }
    jahs_nb201_table_free(t);
    free(table);
    return 0;
}
