/*
 * fixture_sched.h - helpers shared by the scheduler tests (test_sched.c,
 * test_sched_exec.c, test_rundir.c): the 2-D Branin space the synthetic
 * evaluator's "branin" runs on, an observer that collects the records a run
 * finishes, and the equality of two trial records.
 */
#ifndef JAHS_TESTS_FIXTURE_SCHED_H
#define JAHS_TESTS_FIXTURE_SCHED_H

#include <stdio.h>
#include <stdlib.h>

#include "core/error.h"
#include "exp/record.h"
#include "space/space.h"

/* x1 in [-5, 10], x2 in [0, 15]; free() it. */
static inline jahs_space *fx_branin_space(void)
{
    jahs_space *sp = calloc(1, sizeof *sp);
    snprintf(sp->name, sizeof sp->name, "branin2");
    jahs_space_add_float(sp, "x1", JAHS_GROUP_HP, -5, 10, 0, "test");
    jahs_space_add_float(sp, "x2", JAHS_GROUP_HP, 0, 15, 0, "test");
    jahs_space_finish(sp);
    return sp;
}

/* What a run observed (fx_collect); static: 512 records are large. */
typedef struct {
    jahs_record ev[512];
    int n;
    int fail_at; /* the observer fails at event fail_at - 1 (0: never) */
} fx_sink;

/* The observer (jahs_sched_observer) filling an fx_sink. */
static inline int fx_collect(void *ctx, const jahs_record *e,
                             jahs_error *err)
{
    fx_sink *k = ctx;
    if (k->fail_at > 0 && k->n == k->fail_at - 1)
        return JAHS_FAIL(err, JAHS_EIO, "journal full");
    if (k->n < 512)
        k->ev[k->n++] = *e;
    return 0;
}

/* 1 when a and b are the same finished trial (seq, times, worker, trial,
 * result, the first two folds), exactly. */
static inline int fx_same_record(const jahs_space *sp, const jahs_record *a,
                                 const jahs_record *b)
{
    int f;
    if (a->seq != b->seq || a->start != b->start || a->end != b->end ||
        a->worker != b->worker || a->trial.id != b->trial.id ||
        a->trial.config_id != b->trial.config_id ||
        a->trial.epochs != b->trial.epochs ||
        a->trial.resume_from != b->trial.resume_from ||
        a->trial.origin != b->trial.origin ||
        !jahs_config_equal(sp, a->trial.config, b->trial.config) ||
        a->result.val_acc != b->result.val_acc ||
        a->result.test_acc != b->result.test_acc ||
        a->result.cost != b->result.cost)
        return 0;
    for (f = 0; f < 2; f++)
        if (a->fold[f].val != b->fold[f].val ||
            a->fold[f].cost != b->fold[f].cost)
            return 0;
    return 1;
}

#endif
