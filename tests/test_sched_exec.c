/*
 * test_sched_exec.c - the scheduler loop (exp/scheduler.h) on an executor
 * with a clock of its own: a virtual one, W workers that finish each trial
 * at start + its evaluator cost on a clock that only moves when the loop
 * waits.  On it the loop (one completion at a time, the executor's clock)
 * must reproduce the simulated executor (no clock) event for event (the
 * known answer); then resuming from any prefix of its journal, the budget
 * cut, and every error path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"
#include "exp/scheduler.h"
#include "fixture_sched.h"
#include "harness.h"
#include "opt/opt.h"

#define VW 8

/* ---- the virtual executor ---- */

typedef struct {
    jahs_eval *ev;
    const jahs_space *sp;
    double now;
    int busy[VW];
    double end[VW];
    jahs_record d[VW];
    int starts, cancels;
    int fail_start_at; /* start number that fails, -1: none */
    int fail_wait;     /* 1: next fails */
    int bad_worker;    /* 1: next names a worker that runs nothing */
    int late;          /* 1: next returns results past the deadline too */
} vexec;

static double v_now(void *ctx) { return ((vexec *)ctx)->now; }

static int v_start(void *ctx, const jahs_record *r, uint64_t seed,
                   jahs_error *err)
{
    vexec *v = ctx;
    int w = r->worker, rc;
    if (v->starts++ == v->fail_start_at)
        return JAHS_FAIL(err, JAHS_EIO, "worker lost");
    if (w < 0 || w >= VW || v->busy[w])
        return JAHS_FAIL(err, JAHS_ESTATE, "worker %d is busy", w);
    v->d[w] = *r;
    if ((rc = jahs_record_evaluate(&v->d[w], v->ev, v->sp, seed, 0, NULL,
                                   NULL, err)))
        return rc;
    v->busy[w] = 1;
    v->end[w] = v->now + v->d[w].result.cost;
    return 0;
}

static int v_next(void *ctx, double deadline, jahs_record *d, jahs_error *err)
{
    vexec *v = ctx;
    int w, best = -1;
    if (v->fail_wait)
        return JAHS_FAIL(err, JAHS_EIO, "network down");
    for (w = 0; w < VW; w++)
        if (v->busy[w] && (best < 0 || v->end[w] < v->end[best]))
            best = w;
    if (best < 0)
        return JAHS_FAIL(err, JAHS_ESTATE, "nothing running");
    if (v->end[best] > deadline && !v->late) {
        v->now = deadline;
        return 0;
    }
    v->now = v->end[best];
    v->busy[best] = 0;
    *d = v->d[best];
    if (v->bad_worker)
        d->worker = 5;
    return 1;
}

static int v_cancel(void *ctx, jahs_error *err)
{
    vexec *v = ctx;
    (void)err;
    memset(v->busy, 0, sizeof v->busy);
    v->cancels++;
    return 0;
}

/* ---- helpers ---- */

typedef struct {
    const char *opt;       /* optimizer name */
    const jahs_opt_type *type; /* or a type */
    int workers;
    double budget;
    const jahs_record *rep;
    size_t n_rep;
} setup;

/* Run the setup on branin (2 folds, seed 42) on a fresh virtual executor
 * (async 1; v may be NULL) or on the simulated executor (async 0). */
static int run(const setup *s, const jahs_space *sp, int async, vexec *vx,
               fx_sink *k, jahs_sched_summary *sum, jahs_error *err)
{
    jahs_opt_config oc;
    jahs_eval_options eo;
    jahs_sched_config sc;
    jahs_sched_exec ex;
    jahs_opt *o;
    jahs_eval *ev;
    vexec local;
    int rc;
    vexec *v = vx ? vx : &local;
    jahs_opt_config_defaults(&oc);
    oc.space = sp;
    oc.seed = 42;
    oc.async = 1;
    jahs_eval_options_defaults(&eo);
    eo.space = sp;
    eo.synthetic = "branin";
    o = jahs_opt_create(s->type ? s->type : jahs_opt_find(s->opt), &oc, err);
    ev = jahs_eval_open(jahs_eval_find("synthetic"), &eo, err);
    if (!vx) {
        memset(&local, 0, sizeof local);
        local.fail_start_at = -1;
    }
    v->ev = ev;
    v->sp = sp;
    ex.ctx = v;
    ex.now = v_now;
    ex.start = v_start;
    ex.next = v_next;
    ex.cancel = v_cancel;
    jahs_sched_config_defaults(&sc);
    sc.workers = s->workers;
    sc.budget = s->budget;
    sc.seed = 42;
    k->n = 0;
    rc = async ? jahs_sched_run_exec(o, &ex, sp, &sc, s->rep, s->n_rep,
                                     fx_collect, k, sum, err)
               : jahs_sched_run(o, ev, sp, &sc, s->rep, s->n_rep, fx_collect, k,
                                sum, err);
    jahs_opt_free(o);
    jahs_eval_close(ev);
    return rc;
}

/* ---- tests ---- */

/* On a virtual clock the asynchronous loop is the discrete-event loop:
 * the same events, times, workers and results, for 1 and 3 workers, with
 * the budget cutting trials in flight. */
JAHS_TEST(sched_exec_equals_discrete_on_a_virtual_clock)
{
    static fx_sink a, d;
    static const char *opts[3] = {"hyperband", "asha", "random"};
    jahs_space *sp = fx_branin_space();
    jahs_error err = {0};
    int o, w, i;
    for (o = 0; o < 3; o++)
        for (w = 1; w <= 3; w += 2) {
            setup s = {opts[o], NULL, w, 1000, NULL, 0};
            jahs_sched_summary sa, sd;
            CHECK_OK(run(&s, sp, 1, NULL, &a, &sa, &err), &err);
            CHECK_OK(run(&s, sp, 0, NULL, &d, &sd, &err), &err);
            CHECK(a.n > 15); /* random, W = 1: 16 full-fidelity trials */
            CHECK_EQ_INT(a.n, d.n);
            for (i = 0; i < a.n && i < d.n; i++)
                if (!fx_same_record(sp, &a.ev[i], &d.ev[i])) {
                    jahs_test_fail(__FILE__, __LINE__,
                                   "%s W=%d: event %d differs", opts[o], w, i);
                    break;
                }
            CHECK_EQ_INT(sa.n_cut, sd.n_cut);
            CHECK_EQ_INT(sa.n_asks, sd.n_asks);
            CHECK_EQ_INT(sa.n_events, sd.n_events);
            CHECK_NEAR(sa.clock, sd.clock, 0);
            CHECK_NEAR(sa.clock, 1000, 0); /* ended by the budget */
            if (w == 3)
                CHECK(sa.n_cut > 0);
        }
    free(sp);
}

/* Resume from any prefix of the journal: the prefix is replayed (not run
 * again), the run goes on from the journal's clock, and every trial the
 * journal holds is asked again in the same order. */
JAHS_TEST(sched_exec_resumes_from_a_journal_prefix)
{
    static fx_sink full, part;
    jahs_space *sp = fx_branin_space();
    jahs_error err = {0};
    setup s = {"asha", NULL, 3, 400, NULL, 0};
    int cuts[5], c, n, i;
    CHECK_OK(run(&s, sp, 1, NULL, &full, NULL, &err), &err);
    n = full.n;
    cuts[0] = 0;
    cuts[1] = 1;
    cuts[2] = 7;
    cuts[3] = n / 2;
    cuts[4] = n;
    for (c = 0; c < 5; c++) {
        vexec v;
        jahs_sched_summary sum;
        int k = cuts[c];
        double base = k ? full.ev[k - 1].end : 0;
        memset(&v, 0, sizeof v);
        v.fail_start_at = -1;
        s.rep = full.ev;
        s.n_rep = (size_t)k;
        CHECK_OK(run(&s, sp, 1, &v, &part, &sum, &err), &err);
        CHECK_EQ_INT(sum.n_replayed, k);
        CHECK_EQ_INT(sum.n_events, k + part.n);
        for (i = 0; i < part.n; i++) {
            CHECK_EQ_INT(part.ev[i].seq, k + i);
            CHECK(part.ev[i].start >= base);
            CHECK(part.ev[i].end >= part.ev[i].start);
        }
        /* the trials running at the cut, and later ones, run for real: as
         * many starts as new events plus the ones the budget cut */
        CHECK_EQ_INT(v.starts, part.n + (int)sum.n_cut);
        if (k == 0)
            for (i = 0; i < n; i++)
                CHECK(fx_same_record(sp, &part.ev[i], &full.ev[i]));
    }
    free(sp);
}

/* Budget 10 with one worker: the first trial (branin, costs > 10 at most
 * fidelities) may finish; a trial running at 10 is cut, the executor is told
 * to cancel, and the clock stops at the budget. */
JAHS_TEST(sched_exec_budget_cuts_running_trials)
{
    static fx_sink k;
    jahs_space *sp = fx_branin_space();
    jahs_error err = {0};
    vexec v;
    jahs_sched_summary sum;
    setup s = {"random", NULL, 2, 10, NULL, 0};
    int i;
    memset(&v, 0, sizeof v);
    v.fail_start_at = -1;
    CHECK_OK(run(&s, sp, 1, &v, &k, &sum, &err), &err);
    CHECK_EQ_INT(sum.n_cut, 2);
    CHECK_EQ_INT(v.cancels, 1);
    CHECK_NEAR(sum.clock, 10, 0);
    CHECK_EQ_INT(k.n, (int)sum.n_events);
    CHECK_EQ_INT(v.starts, k.n + 2);
    /* an executor that hands back a result after the deadline: cut too */
    memset(&v, 0, sizeof v);
    v.fail_start_at = -1;
    v.late = 1;
    CHECK_OK(run(&s, sp, 1, &v, &k, &sum, &err), &err);
    CHECK_EQ_INT(sum.n_cut, 2);
    CHECK_EQ_INT(v.cancels, 1);
    CHECK_NEAR(sum.clock, 10, 0);
    CHECK_EQ_INT(v.starts, k.n + 2);
    for (i = 0; i < k.n; i++)
        CHECK(k.ev[i].end <= 10);
    free(sp);
}

/* ---- error paths ---- */

static int wait_ask(void *state, jahs_trial *t, jahs_error *err)
{
    (void)state;
    (void)t;
    (void)err;
    return JAHS_WAIT;
}
static int odd_ask(void *state, jahs_trial *t, jahs_error *err)
{
    (void)state;
    (void)t;
    (void)err;
    return 7;
}
static void *any_create(const jahs_opt_config *cfg, jahs_error *err)
{
    (void)cfg;
    (void)err;
    return calloc(1, 1);
}
static int any_tell(void *state, const jahs_trial *t, const jahs_result *r,
                    jahs_error *err)
{
    (void)state;
    (void)t;
    (void)r;
    (void)err;
    return 0;
}
static const jahs_opt_type wait_type = {"waiter", "test", any_create, wait_ask,
                                        any_tell, free, 1};
static const jahs_opt_type odd_type = {"odd", "test", any_create, odd_ask,
                                       any_tell, free, 1};

JAHS_TEST(sched_exec_errors)
{
    static fx_sink k, full;
    static jahs_record bad[512];
    jahs_space *sp = fx_branin_space();
    jahs_error err = {0};
    jahs_sched_config sc;
    jahs_sched_exec ex;
    vexec v;
    setup s = {"asha", NULL, 3, 400, NULL, 0};
    int n;

    /* bad arguments */
    jahs_sched_config_defaults(&sc);
    sc.budget = 10;
    memset(&ex, 0, sizeof ex);
    CHECK_EQ_INT(jahs_sched_run_exec(NULL, &ex, sp, &sc, NULL, 0, NULL, NULL,
                                      NULL, &err),
                 JAHS_EINVAL);
    {
        jahs_opt_config oc;
        jahs_opt *o;
        jahs_opt_config_defaults(&oc);
        oc.space = sp;
        o = jahs_opt_create(jahs_opt_find("random"), &oc, &err);
        CHECK_EQ_INT(jahs_sched_run_exec(o, &ex, sp, &sc, NULL, 0, NULL, NULL,
                                          NULL, &err),
                     JAHS_EINVAL);
        CHECK_CONTAINS(err.msg, "needs an executor");
        ex.ctx = &v;
        ex.now = v_now;
        ex.start = v_start;
        ex.next = v_next;
        ex.cancel = v_cancel;
        sc.workers = 0;
        CHECK_EQ_INT(jahs_sched_run_exec(o, &ex, sp, &sc, NULL, 0, NULL, NULL,
                                          NULL, &err),
                     JAHS_EINVAL);
        CHECK_CONTAINS(err.msg, "workers must be in");
        sc.workers = 1;
        sc.n_folds = JAHS_MAX_FOLDS + 1;
        CHECK_EQ_INT(jahs_sched_run_exec(o, &ex, sp, &sc, NULL, 0, NULL, NULL,
                                          NULL, &err),
                     JAHS_EINVAL);
        CHECK_CONTAINS(err.msg, "folds must be in");
        sc.n_folds = 2;
        sc.budget = 0;
        CHECK_EQ_INT(jahs_sched_run_exec(o, &ex, sp, &sc, NULL, 0, NULL, NULL,
                                          NULL, &err),
                     JAHS_EINVAL);
        CHECK_CONTAINS(err.msg, "budget must be");
        jahs_opt_free(o);
    }

    /* the executor fails to start the 5th trial: the others are cancelled */
    memset(&v, 0, sizeof v);
    v.fail_start_at = 4;
    CHECK_EQ_INT(run(&s, sp, 1, &v, &k, NULL, &err), JAHS_EIO);
    CHECK_CONTAINS(err.msg, "worker lost");
    CHECK_EQ_INT(v.cancels, 1);
    /* the executor fails while waiting */
    memset(&v, 0, sizeof v);
    v.fail_start_at = -1;
    v.fail_wait = 1;
    CHECK_EQ_INT(run(&s, sp, 1, &v, &k, NULL, &err), JAHS_EIO);
    CHECK_CONTAINS(err.msg, "network down");
    /* the executor names a worker that runs nothing */
    memset(&v, 0, sizeof v);
    v.fail_start_at = -1;
    v.bad_worker = 1;
    CHECK_EQ_INT(run(&s, sp, 1, &v, &k, NULL, &err), JAHS_ESTATE);
    CHECK_CONTAINS(err.msg, "executor reported worker 5 finished");
    /* the observer fails */
    memset(&v, 0, sizeof v);
    v.fail_start_at = -1;
    k.fail_at = 3;
    CHECK_EQ_INT(run(&s, sp, 1, &v, &k, NULL, &err), JAHS_EIO);
    CHECK_CONTAINS(err.msg, "journal full");
    CHECK_EQ_INT(v.cancels, 1);
    k.fail_at = 0;
    /* optimizers that misbehave */
    {
        setup w = {NULL, &wait_type, 2, 400, NULL, 0};
        setup d = {NULL, &odd_type, 2, 400, NULL, 0};
        CHECK_EQ_INT(run(&w, sp, 1, NULL, &k, NULL, &err), JAHS_ESTATE);
        CHECK_CONTAINS(err.msg, "answered WAIT with no trial running");
        CHECK_EQ_INT(run(&d, sp, 1, NULL, &k, NULL, &err), JAHS_ESTATE);
        CHECK_CONTAINS(err.msg, "answered 7 to ask");
    }

    /* replays that are not this run */
    CHECK_OK(run(&s, sp, 1, NULL, &full, NULL, &err), &err);
    n = full.n;
    memcpy(bad, full.ev, sizeof bad);
    bad[3].trial.epochs += 1;
    s.rep = bad;
    s.n_rep = 5;
    CHECK(run(&s, sp, 1, NULL, &k, NULL, &err) < 0);
    CHECK_CONTAINS(err.msg, "replay mismatch at trial");
    memcpy(bad, full.ev, sizeof bad);
    bad[1].seq = 7;
    CHECK(run(&s, sp, 1, NULL, &k, NULL, &err) < 0);
    CHECK_CONTAINS(err.msg, "expected events in completion order");
    memcpy(bad, full.ev, sizeof bad);
    bad[4].trial.id = bad[3].trial.id;
    CHECK(run(&s, sp, 1, NULL, &k, NULL, &err) < 0);
    CHECK_CONTAINS(err.msg, "appears twice");
    memcpy(bad, full.ev, sizeof bad);
    bad[0].trial.id = -3;
    CHECK(run(&s, sp, 1, NULL, &k, NULL, &err) < 0);
    CHECK_CONTAINS(err.msg, "bad trial id");
    /* two events swapped in completion order: a history the loop could have
     * had (any running trial may finish first), so it is followed */
    memcpy(bad, full.ev, sizeof bad);
    {
        jahs_record tmp = bad[0];
        bad[0] = bad[1];
        bad[1] = tmp;
        bad[0].seq = 0;
        bad[1].seq = 1;
    }
    s.n_rep = 2;
    CHECK_OK(run(&s, sp, 1, NULL, &k, NULL, &err), &err);
    CHECK_EQ_INT(k.ev[0].seq, 2);
    /* but a first event that was not even running then is not */
    {
        int j;
        for (j = 0; j < n && full.ev[j].trial.id != 3; j++)
            ;
        CHECK(j < n);
        memcpy(bad, full.ev, sizeof bad);
        bad[0] = full.ev[j];
        bad[j] = full.ev[0];
        bad[0].seq = 0;
        bad[j].seq = j;
        s.n_rep = (size_t)j + 1;
        CHECK(run(&s, sp, 1, NULL, &k, NULL, &err) < 0);
        CHECK_CONTAINS(err.msg, "finished as event 0, journaled as");
    }
    /* a shorter budget: the journal's last trials are never asked */
    s.rep = full.ev;
    s.n_rep = (size_t)n;
    s.budget = 100;
    CHECK(run(&s, sp, 1, NULL, &k, NULL, &err) < 0);
    CHECK_CONTAINS(err.msg, "replay");
    free(sp);
}
