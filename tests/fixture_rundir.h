/*
 * fixture_rundir.h - build run directories (what `jahs run` writes) for the
 * analysis and export tests: an experiment file and journals written with
 * jahs_journal_write from evaluations the test chooses.  Static helpers,
 * included by tests/test_importance.c and tests/test_export.c.
 */
#ifndef JAHS_TESTS_FIXTURE_RUNDIR_H
#define JAHS_TESTS_FIXTURE_RUNDIR_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/afile.h"
#include "core/csv.h"
#include "core/rng.h"
#include "core/util.h"
#include "exp/journal.h"
#include "harness.h"
#include "space/space.h"

/* One evaluation: config (space units), epochs, validation score, cost. */
typedef struct fx_eval {
    double x[JAHS_MAX_PARAMS];
    int epochs;
    double val, cost;
} fx_eval;

/*
 * Write a journal of n evaluations for space sp with 2 folds at path:
 * fold scores val -/+ 0.5, test = val - 1, cost split over the folds, end
 * time the running sum of costs, origin random (promoted above the lowest
 * fidelity), the incumbent columns from the journal (jahs_journal_append).
 */
static void fx_write_journal(const char *path, const jahs_space *sp,
                             const fx_eval *ev, size_t n)
{
    jahs_error err = {0};
    jahs_journal *j = jahs_journal_open(path, sp, 2, NULL, &err);
    double clock = 0;
    size_t i;
    CHECK(j != NULL);
    if (!j)
        return;
    for (i = 0; i < n; i++) {
        jahs_record r;
        memset(&r, 0, sizeof r);
        r.seq = (int64_t)i;
        r.start = clock;
        clock += ev[i].cost;
        r.end = clock;
        r.trial.id = (int64_t)i;
        r.trial.config_id = (int64_t)i;
        memcpy(r.trial.config, ev[i].x, sizeof r.trial.config);
        r.trial.epochs = ev[i].epochs;
        r.trial.rung = 0;
        r.trial.bracket = -1;
        r.trial.origin = JAHS_ORIGIN_RANDOM;
        r.n_folds = 2;
        r.fold[0].val = ev[i].val - 0.5;
        r.fold[1].val = ev[i].val + 0.5;
        r.fold[0].test = r.fold[1].test = ev[i].val - 1;
        r.fold[0].cost = r.fold[1].cost = ev[i].cost / 2;
        r.result.val_acc = ev[i].val;
        r.result.test_acc = ev[i].val - 1;
        r.result.cost = ev[i].cost;
        CHECK_OK(jahs_journal_append(j, &r, &err), &err);
    }
    CHECK_OK(jahs_journal_close(j, &err), &err);
}

/* RUNDIR/runs/<slug>/seed<seed>.csv */
static const char *fx_journal_path(const char *rundir, const char *slug,
                                   unsigned seed)
{
    static char buf[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/runs/%s/seed%u.csv", rundir, slug,
             seed);
    return buf[k];
}

/* Write RUNDIR/experiment.exp. */
static void fx_write_experiment(const char *rundir, const char *text)
{
    jahs_error err = {0};
    char path[1024];
    snprintf(path, sizeof path, "%s/experiment.exp", rundir);
    CHECK_OK(jahs_mkdirs(rundir, &err), &err);
    CHECK_OK(jahs_afile_write(path, text, strlen(text), &err), &err);
}

/* Uniform config of sp from rng (inactive parameters NAN). */
static void fx_sample(const jahs_space *sp, jahs_rng *rng, double *x)
{
    jahs_space_sample(sp, rng, x);
}

#endif
