/*
 * test_sched.c - the discrete-event scheduler on a crafted evaluator and a
 * scripted optimizer: event order with 1 and 3 workers, ties, the budget
 * cut-off, WAIT handling, folds, decision time, the wall clock, replay after
 * an interruption at several points, and every error path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eval/eval.h"
#include "eval/synthetic.h"
#include "exp/scheduler.h"
#include "fixture_sched.h"
#include "harness.h"
#include "opt/opt.h"

/* ---- a crafted evaluator: cost = config[0] per fold, val = config[1] +
 * fold ---- */

static int craft_calls;
static int craft_fail_at = -1; /* fail on this call */
static double craft_busy;      /* seconds of busy waiting per call */

static void *craft_open(const jahs_eval_options *o, jahs_error *err)
{
    (void)o;
    (void)err;
    return &craft_calls;
}

static int craft_eval(void *state, const jahs_eval_request *rq,
                      jahs_eval_result *out, jahs_error *err)
{
    (void)state;
    if (craft_calls++ == craft_fail_at)
        return JAHS_FAIL(err, JAHS_EIO, "crafted failure");
    if (craft_busy > 0) {
        double t0 = jahs_now();
        while (jahs_now() - t0 < craft_busy)
            ;
    }
    out->cost = rq->config[0];
    out->val_acc = rq->config[1] + rq->fold;
    out->test_acc = rq->config[1] - 1;
    return 0;
}

static void craft_close(void *state) { (void)state; }

static const jahs_eval_type craft_type = {"craft", "test", craft_open,
                                          craft_eval, craft_close, NULL};

/* ---- a scripted optimizer: trial i has config script[i]; batch > 0 makes
 * it wait after each `batch` trials until all of them are told ---- */

static const double (*script)[2];
static int script_n, script_batch;

typedef struct {
    int next, told;
    jahs_opt_config cfg;
} script_state;

static void *script_create(const jahs_opt_config *cfg, jahs_error *err)
{
    script_state *s = calloc(1, sizeof *s);
    (void)err;
    s->cfg = *cfg;
    return s;
}

static int script_ask(void *state, jahs_trial *t, jahs_error *err)
{
    script_state *s = state;
    (void)err;
    if (s->next >= script_n)
        return JAHS_DONE;
    if (script_batch > 0 && s->next > s->told && s->next % script_batch == 0)
        return JAHS_WAIT;
    memset(t, 0, sizeof *t);
    t->id = t->config_id = s->next;
    t->config[0] = script[s->next][0];
    t->config[1] = script[s->next][1];
    t->epochs = 1;
    t->bracket = -1;
    s->next++;
    return 0;
}

static int script_tell(void *state, const jahs_trial *t, const jahs_result *r,
                       jahs_error *err)
{
    script_state *s = state;
    (void)t;
    (void)r;
    (void)err;
    s->told++;
    return 0;
}

static const jahs_opt_type script_type = {"script", "test", script_create,
                                          script_ask, script_tell, free, 1};

/* a broken optimizer: always WAIT */
static int wait_ask(void *state, jahs_trial *t, jahs_error *err)
{
    (void)state;
    (void)t;
    (void)err;
    return JAHS_WAIT;
}
static const jahs_opt_type wait_type = {"waiter", "test", script_create,
                                        wait_ask, script_tell, free, 1};

/* a broken optimizer: answers a code that is neither 0, WAIT nor DONE */
static int odd_ask(void *state, jahs_trial *t, jahs_error *err)
{
    (void)state;
    (void)t;
    (void)err;
    return 7;
}
static const jahs_opt_type odd_type = {"odd", "test", script_create, odd_ask,
                                       script_tell, free, 1};

/* ---- helpers ---- */

static jahs_space *cost_val_space(void)
{
    jahs_space *sp = calloc(1, sizeof *sp);
    snprintf(sp->name, sizeof sp->name, "craft");
    jahs_space_add_float(sp, "cost", JAHS_GROUP_HP, 0, 100, 0, "test");
    jahs_space_add_float(sp, "val", JAHS_GROUP_HP, 0, 100, 0, "test");
    jahs_space_finish(sp);
    return sp;
}

/* Run the script with W workers, 1 fold, the budget; events into k. */
static int run_script(const jahs_opt_type *type, int workers, double budget,
                      fx_sink *k, jahs_sched_summary *sum, jahs_error *err)
{
    jahs_space *sp = cost_val_space();
    jahs_opt_config oc;
    jahs_eval_options eo;
    jahs_sched_config sc;
    jahs_opt *o;
    jahs_eval *ev;
    int rc;
    jahs_opt_config_defaults(&oc);
    oc.space = sp;
    jahs_eval_options_defaults(&eo);
    o = jahs_opt_create(type, &oc, err);
    ev = jahs_eval_open(&craft_type, &eo, err);
    jahs_sched_config_defaults(&sc);
    sc.workers = workers;
    sc.budget = budget;
    sc.n_folds = 1;
    k->n = 0;
    rc = jahs_sched_run(o, ev, sp, &sc, NULL, 0, fx_collect, k, sum, err);
    jahs_opt_free(o);
    jahs_eval_close(ev);
    free(sp);
    return rc;
}

static void check_event(const jahs_record *e, int seq, int id, int worker,
                        double start, double end)
{
    CHECK_EQ_INT(e->seq, seq);
    CHECK_EQ_INT(e->trial.id, id);
    CHECK_EQ_INT(e->worker, worker);
    CHECK_NEAR(e->start, start, 1e-12);
    CHECK_NEAR(e->end, end, 1e-12);
}

static const double costs5[5][2] = {
    {3, 10}, {1, 20}, {2, 30}, {1, 40}, {5, 50}};

/* W = 1: one after the other; W = 3 (hand-worked):
 *   t0 w0 [0,3]  t1 w1 [0,1]  t2 w2 [0,2]
 *   t=1: t1 ends (seq 0); w1 takes t3 [1,2]
 *   t=2: t3 (w1) and t2 (w2) end together: worker order -> t3 seq 1, t2
 *        seq 2; then w1 takes t4 [2,7]; w2 asks: DONE
 *   t=3: t0 seq 3;  t=7: t4 seq 4. */
JAHS_TEST(sched_event_order_one_and_three_workers)
{
    jahs_error err = {0};
    static fx_sink k;
    jahs_sched_summary sum;
    script = costs5;
    script_n = 5;
    script_batch = 0;
    CHECK_OK(run_script(&script_type, 1, 100, &k, &sum, &err), &err);
    CHECK_EQ_INT(k.n, 5);
    check_event(&k.ev[0], 0, 0, 0, 0, 3);
    check_event(&k.ev[1], 1, 1, 0, 3, 4);
    check_event(&k.ev[2], 2, 2, 0, 4, 6);
    check_event(&k.ev[3], 3, 3, 0, 6, 7);
    check_event(&k.ev[4], 4, 4, 0, 7, 12);
    CHECK_NEAR(k.ev[2].result.val_acc, 30, 1e-12);
    CHECK_NEAR(k.ev[2].result.test_acc, 29, 1e-12);
    CHECK_EQ_INT(sum.done, 1);
    CHECK_EQ_INT(sum.n_events, 5);
    CHECK_NEAR(sum.clock, 12, 1e-12);

    CHECK_OK(run_script(&script_type, 3, 100, &k, &sum, &err), &err);
    CHECK_EQ_INT(k.n, 5);
    check_event(&k.ev[0], 0, 1, 1, 0, 1);
    check_event(&k.ev[1], 1, 3, 1, 1, 2);
    check_event(&k.ev[2], 2, 2, 2, 0, 2);
    check_event(&k.ev[3], 3, 0, 0, 0, 3);
    check_event(&k.ev[4], 4, 4, 1, 2, 7);
    CHECK_NEAR(sum.clock, 7, 1e-12);
}

/* Budget 6, W = 1: t0 [0,3] t1 [3,4] t2 [4,6] (ends exactly at the budget:
 * counts); then the clock is at the budget: nothing starts.  Budget 5.5:
 * t2 would end at 6 > 5.5: cut, not observed, clock 5.5. */
JAHS_TEST(sched_budget_cut_off)
{
    jahs_error err = {0};
    static fx_sink k;
    jahs_sched_summary sum;
    script = costs5;
    script_n = 5;
    script_batch = 0;
    CHECK_OK(run_script(&script_type, 1, 6, &k, &sum, &err), &err);
    CHECK_EQ_INT(k.n, 3);
    CHECK_NEAR(k.ev[2].end, 6, 1e-12);
    CHECK_EQ_INT(sum.n_cut, 0);
    CHECK_EQ_INT(sum.n_asks, 3);
    CHECK_EQ_INT(sum.done, 0);
    CHECK_NEAR(sum.clock, 6, 1e-12);
    CHECK_OK(run_script(&script_type, 1, 5.5, &k, &sum, &err), &err);
    CHECK_EQ_INT(k.n, 2);
    CHECK_EQ_INT(sum.n_cut, 1);
    CHECK_NEAR(sum.clock, 5.5, 1e-12);
    /* W = 3, budget 2.5: t1 (1), t3 (2), t2 (2) finish; t0 (3) and t4 (7)
     * are cut */
    CHECK_OK(run_script(&script_type, 3, 2.5, &k, &sum, &err), &err);
    CHECK_EQ_INT(k.n, 3);
    CHECK_EQ_INT(sum.n_cut, 2);
}

/* WAIT: the optimizer issues batches of 2 and waits for both.  W = 3:
 *   t0 w0 [0,3], t1 w1 [0,1], w2 idle (WAIT).
 *   t=1: t1 told; ask again -> WAIT (t0 outstanding).
 *   t=3: t0 told; w0 takes t2 [3,5], w1 t3 [3,4], w2 WAIT.
 *   t=4: t3; t=5: t2; then w0 takes t4 [5,10]; DONE. */
JAHS_TEST(sched_wait_leaves_workers_idle)
{
    jahs_error err = {0};
    static fx_sink k;
    jahs_sched_summary sum;
    script = costs5;
    script_n = 5;
    script_batch = 2;
    CHECK_OK(run_script(&script_type, 3, 100, &k, &sum, &err), &err);
    CHECK_EQ_INT(k.n, 5);
    check_event(&k.ev[0], 0, 1, 1, 0, 1);
    check_event(&k.ev[1], 1, 0, 0, 0, 3);
    check_event(&k.ev[2], 2, 3, 1, 3, 4);
    check_event(&k.ev[3], 3, 2, 0, 3, 5);
    check_event(&k.ev[4], 4, 4, 0, 5, 10);
    script_batch = 0;
    /* WAIT with nothing running is an optimizer error */
    CHECK(run_script(&wait_type, 2, 100, &k, &sum, &err) < 0);
    CHECK_CONTAINS(err.msg, "answered WAIT with no trial running");
    CHECK(run_script(&odd_type, 1, 100, &k, &sum, &err) < 0);
    CHECK_CONTAINS(err.msg, "optimizer 'odd' answered 7 to ask");
}

/* Two folds: val is the mean (config[1] + 0.5), cost the sum. */
JAHS_TEST(sched_folds_mean_and_sum)
{
    jahs_error err = {0};
    static fx_sink k;
    jahs_space *sp = cost_val_space();
    jahs_opt_config oc;
    jahs_eval_options eo;
    jahs_sched_config sc;
    jahs_opt *o;
    jahs_eval *ev;
    script = costs5;
    script_n = 2;
    script_batch = 0;
    jahs_opt_config_defaults(&oc);
    oc.space = sp;
    jahs_eval_options_defaults(&eo);
    o = jahs_opt_create(&script_type, &oc, &err);
    ev = jahs_eval_open(&craft_type, &eo, &err);
    jahs_sched_config_defaults(&sc);
    sc.budget = 100;
    k.n = 0;
    CHECK_OK(jahs_sched_run(o, ev, sp, &sc, NULL, 0, fx_collect, &k, NULL, &err),
             &err);
    CHECK_EQ_INT(k.n, 2);
    CHECK_NEAR(k.ev[0].result.val_acc, 10.5, 1e-12);
    CHECK_NEAR(k.ev[0].fold[1].val, 11, 1e-12);
    CHECK_NEAR(k.ev[0].result.cost, 6, 1e-12);
    CHECK_NEAR(k.ev[0].fold[0].cost, 3, 1e-12);
    CHECK_NEAR(k.ev[1].start, 6, 1e-12);
    CHECK_NEAR(k.ev[1].end, 8, 1e-12);
    jahs_opt_free(o);
    jahs_eval_close(ev);
    free(sp);
}

/* Decision time charged: every start is later than without it; ends are
 * start + cost.  Wall clock: durations are measured (2 ms of busy work per
 * fold), not the reported cost (3 s). */
JAHS_TEST(sched_decision_time_and_wall_clock)
{
    jahs_error err = {0};
    static fx_sink k;
    jahs_space *sp = cost_val_space();
    jahs_opt_config oc;
    jahs_eval_options eo;
    jahs_sched_config sc;
    jahs_sched_summary sum;
    jahs_opt *o;
    jahs_eval *ev;
    int i;
    script = costs5;
    script_n = 3;
    script_batch = 0;
    jahs_opt_config_defaults(&oc);
    oc.space = sp;
    jahs_eval_options_defaults(&eo);
    ev = jahs_eval_open(&craft_type, &eo, &err);
    jahs_sched_config_defaults(&sc);
    sc.budget = 100;
    sc.n_folds = 1;
    sc.charge_decision_time = 1;
    o = jahs_opt_create(&script_type, &oc, &err);
    k.n = 0;
    CHECK_OK(jahs_sched_run(o, ev, sp, &sc, NULL, 0, fx_collect, &k, &sum, &err),
             &err);
    jahs_opt_free(o);
    CHECK_EQ_INT(k.n, 3);
    CHECK(k.ev[0].start > 0);
    CHECK(k.ev[1].start > 3);
    for (i = 0; i < 3; i++)
        CHECK_NEAR(k.ev[i].end - k.ev[i].start, costs5[i][0], 1e-9);
    CHECK(sum.decision_seconds > 0);
    /* a budget shorter than one decision: the asked trial never starts */
    sc.budget = 1e-12;
    o = jahs_opt_create(&script_type, &oc, &err);
    k.n = 0;
    CHECK_OK(jahs_sched_run(o, ev, sp, &sc, NULL, 0, fx_collect, &k, &sum, &err),
             &err);
    jahs_opt_free(o);
    CHECK_EQ_INT(k.n, 0);
    CHECK_EQ_INT(sum.n_cut, 1);
    sc.budget = 100;
    sc.charge_decision_time = 0;
    sc.wall_clock = 1;
    craft_busy = 0.002;
    o = jahs_opt_create(&script_type, &oc, &err);
    k.n = 0;
    CHECK_OK(jahs_sched_run(o, ev, sp, &sc, NULL, 0, fx_collect, &k, &sum, &err),
             &err);
    craft_busy = 0;
    jahs_opt_free(o);
    CHECK_EQ_INT(k.n, 3);
    for (i = 0; i < 3; i++) {
        CHECK(k.ev[i].result.cost >= 0.002 && k.ev[i].result.cost < 1);
        CHECK_NEAR(k.ev[i].end - k.ev[i].start, k.ev[i].result.cost, 1e-12);
    }
    CHECK(sum.clock >= 0.006 && sum.clock < 3);
    jahs_eval_close(ev);
    free(sp);
}

JAHS_TEST(sched_errors)
{
    jahs_error err = {0};
    static fx_sink k;
    jahs_space *sp = cost_val_space();
    jahs_opt_config oc;
    jahs_eval_options eo;
    jahs_sched_config sc;
    jahs_opt *o;
    jahs_eval *ev;
    script = costs5;
    script_n = 5;
    script_batch = 0;
    jahs_opt_config_defaults(&oc);
    oc.space = sp;
    jahs_eval_options_defaults(&eo);
    o = jahs_opt_create(&script_type, &oc, &err);
    ev = jahs_eval_open(&craft_type, &eo, &err);
    jahs_sched_config_defaults(&sc);
    sc.n_folds = 1;
    /* bad configs */
    CHECK(jahs_sched_run(o, ev, sp, &sc, NULL, 0, NULL, NULL, NULL, &err) < 0);
    CHECK_CONTAINS(err.msg, "budget must be a finite number of seconds > 0");
    sc.budget = 10;
    sc.workers = 0;
    CHECK(jahs_sched_run(o, ev, sp, &sc, NULL, 0, NULL, NULL, NULL, &err) < 0);
    CHECK_CONTAINS(err.msg, "workers must be in 1..");
    sc.workers = 1;
    sc.n_folds = JAHS_MAX_FOLDS + 1;
    CHECK(jahs_sched_run(o, ev, sp, &sc, NULL, 0, NULL, NULL, NULL, &err) < 0);
    CHECK_CONTAINS(err.msg, "folds must be in 1..8");
    sc.n_folds = 1;
    CHECK(jahs_sched_run(NULL, ev, sp, &sc, NULL, 0, NULL, NULL, NULL, &err) <
          0);
    CHECK_CONTAINS(err.msg, "scheduler needs an optimizer");
    /* evaluator failure: named with trial and fold */
    craft_calls = 0;
    craft_fail_at = 1;
    CHECK(jahs_sched_run(o, ev, sp, &sc, NULL, 0, NULL, NULL, NULL, &err) < 0);
    CHECK_CONTAINS(err.msg, "trial 1 fold 0: crafted failure");
    craft_fail_at = -1;
    jahs_opt_free(o);
    /* observer failure aborts */
    o = jahs_opt_create(&script_type, &oc, &err);
    k.n = 0;
    k.fail_at = 3;
    CHECK(jahs_sched_run(o, ev, sp, &sc, NULL, 0, fx_collect, &k, NULL, &err) < 0);
    CHECK_CONTAINS(err.msg, "journal full");
    CHECK_EQ_INT(k.n, 2);
    k.fail_at = 0;
    jahs_opt_free(o);
    /* negative cost */
    {
        static const double bad[1][2] = {{-1, 5}};
        script = bad;
        script_n = 1;
        o = jahs_opt_create(&script_type, &oc, &err);
        CHECK(jahs_sched_run(o, ev, sp, &sc, NULL, 0, NULL, NULL, NULL, &err) <
              0);
        CHECK_CONTAINS(err.msg, "evaluator reported cost -1");
        jahs_opt_free(o);
    }
    jahs_eval_close(ev);
    free(sp);
}

/* ---- replay: Hyperband (async, so it draws random numbers too) and ASHA on
 * synthetic Branin with 3 workers and 2 folds.  Interrupt after k events
 * for several k; replaying them and running on gives the same events as the
 * uninterrupted run, without evaluating the replayed trials again. ---- */

static int counted;
static jahs_eval *inner;
static void *count_open(const jahs_eval_options *o, jahs_error *err)
{
    inner = jahs_eval_open(jahs_eval_find("synthetic"), o, err);
    return inner;
}
static int count_eval(void *state, const jahs_eval_request *rq,
                      jahs_eval_result *out, jahs_error *err)
{
    counted++;
    return jahs_eval_run(state, rq, out, err);
}
static void count_close(void *state) { jahs_eval_close(state); }
static const jahs_eval_type count_type = {"counted", "test", count_open,
                                          count_eval, count_close, NULL};

static int replay_run(const char *opt_name, const jahs_space *sp,
                      const jahs_record *rep, size_t n_rep, double budget,
                      fx_sink *k, jahs_error *err)
{
    jahs_opt_config oc;
    jahs_eval_options eo;
    jahs_sched_config sc;
    jahs_opt *o;
    jahs_eval *ev;
    int rc;
    jahs_opt_config_defaults(&oc);
    oc.space = sp;
    oc.seed = 42;
    oc.async = 1;
    jahs_eval_options_defaults(&eo);
    eo.space = sp;
    eo.synthetic = "branin";
    o = jahs_opt_create(jahs_opt_find(opt_name), &oc, err);
    ev = jahs_eval_open(&count_type, &eo, err);
    jahs_sched_config_defaults(&sc);
    sc.workers = 3;
    sc.budget = budget;
    sc.seed = 42;
    k->n = 0;
    rc = jahs_sched_run(o, ev, sp, &sc, rep, n_rep, fx_collect, k, NULL, err);
    jahs_opt_free(o);
    jahs_eval_close(ev);
    return rc;
}

JAHS_TEST(sched_replay_equals_uninterrupted_run)
{
    static fx_sink full, part;
    static jahs_record joined[512];
    const char *opts[2] = {"hyperband", "asha"};
    jahs_error err = {0};
    jahs_space *sp = fx_branin_space();
    int o, c;
    for (o = 0; o < 2; o++) {
        int cuts[6], n;
        counted = 0;
        CHECK_OK(replay_run(opts[o], sp, NULL, 0, 400, &full, &err), &err);
        n = full.n;
        CHECK(n > 40 && n < 512);
        cuts[0] = 0;
        cuts[1] = 1;
        cuts[2] = 7;
        cuts[3] = n / 2;
        cuts[4] = n - 1;
        cuts[5] = n;
        for (c = 0; c < 6; c++) {
            int i, calls_full = counted, k = cuts[c];
            counted = 0;
            CHECK_OK(replay_run(opts[o], sp, full.ev, (size_t)k, 400, &part,
                                &err),
                     &err);
            /* replayed events are not observed again */
            CHECK_EQ_INT(part.n, n - k);
            memcpy(joined, full.ev, (size_t)k * sizeof *joined);
            memcpy(joined + k, part.ev, (size_t)part.n * sizeof *joined);
            for (i = 0; i < n; i++)
                if (!fx_same_record(sp, &joined[i], &full.ev[i])) {
                    jahs_test_fail(__FILE__, __LINE__,
                                   "%s: cut at %d: event %d differs", opts[o],
                                   k, i);
                    break;
                }
            /* the replayed trials were not evaluated again (2 folds each) */
            CHECK_EQ_INT(counted, calls_full - 2 * k);
            counted = calls_full;
        }
    }
    /* mismatches */
    CHECK_OK(replay_run("hyperband", sp, NULL, 0, 400, &full, &err), &err);
    {
        static jahs_record bad[512];
        int n = full.n;
        memcpy(bad, full.ev, sizeof bad);
        bad[3].trial.epochs += 1;
        CHECK(replay_run("hyperband", sp, bad, 5, 400, &part, &err) < 0);
        CHECK_CONTAINS(err.msg, "replay mismatch at trial");
        memcpy(bad, full.ev, sizeof bad);
        bad[2].trial.config[0] += 0.5;
        CHECK(replay_run("hyperband", sp, bad, 5, 400, &part, &err) < 0);
        CHECK_CONTAINS(err.msg, "(config values differ)");
        memcpy(bad, full.ev, sizeof bad);
        bad[1].seq = 7;
        CHECK(replay_run("hyperband", sp, bad, 5, 400, &part, &err) < 0);
        CHECK_CONTAINS(err.msg, "expected events in completion order");
        memcpy(bad, full.ev, sizeof bad);
        bad[4].trial.id = bad[3].trial.id;
        CHECK(replay_run("hyperband", sp, bad, 5, 400, &part, &err) < 0);
        CHECK_CONTAINS(err.msg, "appears twice");
        memcpy(bad, full.ev, sizeof bad);
        bad[0].trial.id = -3;
        CHECK(replay_run("hyperband", sp, bad, 5, 400, &part, &err) < 0);
        CHECK_CONTAINS(err.msg, "bad trial id");
        /* a shorter budget: the journal's last trials are never asked */
        CHECK(replay_run("hyperband", sp, full.ev, (size_t)n, 100, &part,
                         &err) < 0);
        CHECK_CONTAINS(err.msg, "was not asked again");
        /* two events swapped in completion order: seq mismatch on finish */
        memcpy(bad, full.ev, sizeof bad);
        {
            jahs_record tmp = bad[0];
            bad[0] = bad[1];
            bad[1] = tmp;
            bad[0].seq = 0;
            bad[1].seq = 1;
        }
        CHECK(replay_run("hyperband", sp, bad, 2, 400, &part, &err) < 0);
        CHECK_CONTAINS(err.msg, "journaled as");
    }
    free(sp);
}

/* Same seed, same events, byte for byte. */
JAHS_TEST(sched_is_deterministic)
{
    static fx_sink a, b;
    jahs_error err = {0};
    jahs_space *sp = fx_branin_space();
    int i;
    CHECK_OK(replay_run("hyperband", sp, NULL, 0, 300, &a, &err), &err);
    CHECK_OK(replay_run("hyperband", sp, NULL, 0, 300, &b, &err), &err);
    CHECK_EQ_INT(a.n, b.n);
    for (i = 0; i < a.n && i < b.n; i++)
        CHECK(fx_same_record(sp, &a.ev[i], &b.ev[i]));
    free(sp);
}
