/*
 * scheduler.c - see scheduler.h.  One pass of the loop: fill idle workers
 * (ask), advance the clock to the earliest end, finish every trial ending
 * then (tell, observe), repeat.  O(W) per event; W is small.
 */
#include "exp/scheduler.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

void jahs_sched_config_defaults(jahs_sched_config *c)
{
    memset(c, 0, sizeof *c);
    c->workers = 1;
    c->budget = 0;
    c->n_folds = 2;
    c->seed = 0;
    c->wall_clock = 0;
    c->charge_decision_time = 0;
}

typedef struct {
    int busy;
    jahs_sched_event ev;          /* filled at start; seq at completion */
    const jahs_sched_event *rep;  /* replay record, or NULL */
} worker;

typedef struct {
    jahs_opt *opt;
    jahs_eval *ev;
    const jahs_space *sp;
    const jahs_sched_config *cfg;
    double clock;
    int charge;
    jahs_sched_summary sum;
} run;

/* Journals store numbers as text: compare configs to 1e-9 relative. */
static int same_config(const jahs_space *sp, const double *a, const double *b)
{
    int i;
    for (i = 0; i < sp->n; i++) {
        if (isnan(a[i]) || isnan(b[i])) {
            if (isnan(a[i]) != isnan(b[i]))
                return 0;
            continue;
        }
        if (fabs(a[i] - b[i]) > 1e-9 * (fabs(a[i]) > 1 ? fabs(a[i]) : 1))
            return 0;
    }
    return 1;
}

/* Evaluate t on every fold into e (result, folds); duration in *dur. */
static int evaluate(run *r, const jahs_trial *t, jahs_sched_event *e,
                    double *dur, jahs_error *err)
{
    int f, rc;
    double val = 0, test = 0, cost = 0;
    for (f = 0; f < r->cfg->n_folds; f++) {
        jahs_eval_request rq;
        jahs_eval_result res;
        double t0 = r->cfg->wall_clock ? jahs_now() : 0;
        memset(&rq, 0, sizeof rq);
        rq.space = r->sp;
        rq.config = t->config;
        rq.config_id = t->config_id;
        rq.epochs = t->epochs;
        rq.resume_from = t->resume_from;
        rq.fold = f;
        rq.seed = r->cfg->seed;
        if ((rc = jahs_eval_run(r->ev, &rq, &res, err)) < 0) {
            jahs_error_prefix(err, "trial %lld fold %d", (long long)t->id, f);
            return rc;
        }
        if (r->cfg->wall_clock)
            res.cost = jahs_now() - t0;
        if (!(res.cost >= 0) || isinf(res.cost))
            return JAHS_FAIL(err, JAHS_ERANGE,
                             "trial %lld fold %d: evaluator reported cost %g "
                             "(expected a finite number >= 0)",
                             (long long)t->id, f, res.cost);
        e->fold_val[f] = res.val_acc;
        e->fold_test[f] = res.test_acc;
        e->fold_cost[f] = res.cost;
        val += res.val_acc;
        test += res.test_acc;
        cost += res.cost;
    }
    e->result.val_acc = val / r->cfg->n_folds;
    e->result.test_acc = test / r->cfg->n_folds;
    e->result.cost = cost;
    *dur = cost;
    return 0;
}

static int check_replay(const run *r, const jahs_sched_event *rep,
                        const jahs_trial *t, int w, jahs_error *err)
{
    if (rep->trial.config_id != t->config_id ||
        rep->trial.epochs != t->epochs ||
        rep->trial.resume_from != t->resume_from || rep->worker != w ||
        !same_config(r->sp, rep->trial.config, t->config))
        return JAHS_FAIL(err, JAHS_ESTATE,
                         "replay mismatch at trial %lld: journaled config %lld "
                         "at %d epochs (from %d) on worker %d, asked config "
                         "%lld at %d epochs (from %d) on worker %d%s",
                         (long long)t->id, (long long)rep->trial.config_id,
                         rep->trial.epochs, rep->trial.resume_from, rep->worker,
                         (long long)t->config_id, t->epochs, t->resume_from, w,
                         same_config(r->sp, rep->trial.config, t->config)
                             ? ""
                             : " (config values differ)");
    return 0;
}

int jahs_sched_replay_check_used(const jahs_sched_event *replay,
                                 const char *used, size_t n, jahs_error *err)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!used[i])
            return JAHS_FAIL(err, JAHS_ESTATE,
                             "replay: journaled trial %lld (event %zu) was not "
                             "asked again: not the same run",
                             (long long)replay[i].trial.id, i);
    return 0;
}

int jahs_sched_config_check(const jahs_sched_config *cfg, jahs_error *err)
{
    if (cfg->workers < 1 || cfg->workers > 100000)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "workers must be in 1..100000, got %d", cfg->workers);
    if (cfg->n_folds < 1 || cfg->n_folds > JAHS_MAX_FOLDS)
        return JAHS_FAIL(err, JAHS_EINVAL, "folds must be in 1..%d, got %d",
                         JAHS_MAX_FOLDS, cfg->n_folds);
    if (!(cfg->budget > 0) || isinf(cfg->budget))
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "budget must be a finite number of seconds > 0, got "
                         "%g",
                         cfg->budget);
    return 0;
}

int jahs_sched_run(jahs_opt *opt, jahs_eval *ev, const jahs_space *sp,
                   const jahs_sched_config *cfg, const jahs_sched_event *replay,
                   size_t n_replay, jahs_sched_observer cb, void *ctx,
                   jahs_sched_summary *summary, jahs_error *err)
{
    run r;
    worker *wk = NULL;
    long *rep_idx = NULL; /* trial id -> index into replay, -1 */
    char *rep_used = NULL;
    int64_t max_id = -1, seq = 0;
    int rc = 0, w, opt_done = 0, waiting = 0;
    size_t i;

    if (!opt || !ev || !sp || !cfg)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "scheduler needs an optimizer, an evaluator, a space "
                         "and a config");
    if ((rc = jahs_sched_config_check(cfg, err)))
        return rc;
    memset(&r, 0, sizeof r);
    r.opt = opt;
    r.ev = ev;
    r.sp = sp;
    r.cfg = cfg;
    r.charge = cfg->charge_decision_time || cfg->wall_clock;

    for (i = 0; i < n_replay; i++) {
        if (replay[i].trial.id < 0 || replay[i].trial.id > (int64_t)1 << 40)
            return JAHS_FAIL(err, JAHS_ESTATE,
                             "replay: event %zu has a bad trial id %lld", i,
                             (long long)replay[i].trial.id);
        if (replay[i].trial.id > max_id)
            max_id = replay[i].trial.id;
    }
    wk = calloc((size_t)cfg->workers, sizeof *wk);
    if (n_replay) {
        rep_idx = malloc((size_t)(max_id + 1) * sizeof *rep_idx);
        rep_used = calloc(n_replay, 1);
    }
    if (!wk || (n_replay && (!rep_idx || !rep_used))) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    for (i = 0; n_replay && i <= (size_t)max_id; i++)
        rep_idx[i] = -1;
    for (i = 0; i < n_replay; i++) {
        if (rep_idx[replay[i].trial.id] >= 0) {
            rc = JAHS_FAIL(err, JAHS_ESTATE,
                           "replay: trial %lld appears twice",
                           (long long)replay[i].trial.id);
            goto out;
        }
        if (replay[i].seq != (int64_t)i) {
            rc = JAHS_FAIL(err, JAHS_ESTATE,
                           "replay: event %zu has seq %lld (expected events "
                           "in completion order 0, 1, ...)",
                           i, (long long)replay[i].seq);
            goto out;
        }
        rep_idx[replay[i].trial.id] = (long)i;
    }

    for (;;) {
        double t_end = INFINITY;
        int any = 0;
        /* 1. fill idle workers in index order */
        waiting = 0;
        for (w = 0; !opt_done && w < cfg->workers; w++) {
            jahs_trial t;
            jahs_sched_event *e;
            const jahs_sched_event *rep = NULL;
            double t0, d, dur = 0;
            if (wk[w].busy)
                continue;
            if (r.clock >= cfg->budget)
                break;
            t0 = jahs_now();
            rc = jahs_opt_ask(opt, &t, err);
            d = jahs_now() - t0;
            r.sum.decision_seconds += d;
            if (rc < 0)
                goto out;
            if (rc == JAHS_WAIT) {
                waiting = 1;
                rc = 0;
                break;
            }
            if (rc == JAHS_DONE) {
                opt_done = 1;
                r.sum.done = 1;
                rc = 0;
                break;
            }
            if (rc != 0) {
                rc = JAHS_FAIL(err, JAHS_ESTATE,
                               "optimizer '%s' answered %d to ask",
                               jahs_opt_type_of(opt)->name, rc);
                goto out;
            }
            r.sum.n_asks++;
            if (n_replay && t.id >= 0 && t.id <= max_id && rep_idx[t.id] >= 0)
                rep = &replay[rep_idx[t.id]];
            e = &wk[w].ev;
            memset(e, 0, sizeof *e);
            if (rep) {
                if ((rc = check_replay(&r, rep, &t, w, err)) < 0)
                    goto out;
                *e = *rep;
                e->trial = t;
                rep_used[rep_idx[t.id]] = 1;
                if (rep->start > r.clock)
                    r.clock = rep->start;
            } else {
                if (r.charge)
                    r.clock += d;
                if (r.clock >= cfg->budget) {
                    /* decision time ran past the budget: never starts */
                    r.sum.n_cut++;
                    break;
                }
                e->trial = t;
                e->worker = w;
                e->start = r.clock;
                if ((rc = evaluate(&r, &t, e, &dur, err)) < 0)
                    goto out;
                e->end = e->start + dur;
            }
            wk[w].busy = 1;
            wk[w].rep = rep;
        }
        /* 2. the earliest end */
        for (w = 0; w < cfg->workers; w++)
            if (wk[w].busy) {
                any = 1;
                if (wk[w].ev.end < t_end)
                    t_end = wk[w].ev.end;
            }
        if (!any) {
            if (waiting && !opt_done && r.clock < cfg->budget) {
                rc = JAHS_FAIL(err, JAHS_ESTATE,
                               "optimizer '%s' answered WAIT with no trial "
                               "running",
                               jahs_opt_type_of(opt)->name);
                goto out;
            }
            break;
        }
        if (t_end > cfg->budget) {
            for (w = 0; w < cfg->workers; w++)
                if (wk[w].busy)
                    r.sum.n_cut++;
            r.clock = cfg->budget;
            break;
        }
        if (t_end > r.clock)
            r.clock = t_end;
        /* 3. finish every trial ending then, in worker order */
        for (w = 0; w < cfg->workers; w++) {
            jahs_sched_event *e = &wk[w].ev;
            double t0, d;
            if (!wk[w].busy || e->end != t_end)
                continue;
            if (wk[w].rep && wk[w].rep->seq != seq) {
                rc = JAHS_FAIL(err, JAHS_ESTATE,
                               "replay mismatch: trial %lld finished as event "
                               "%lld, journaled as %lld",
                               (long long)e->trial.id, (long long)seq,
                               (long long)wk[w].rep->seq);
                goto out;
            }
            e->seq = seq++;
            t0 = jahs_now();
            rc = jahs_opt_tell(opt, &e->trial, &e->result, err);
            d = jahs_now() - t0;
            r.sum.decision_seconds += d;
            if (rc < 0)
                goto out;
            if (r.charge && !wk[w].rep)
                r.clock += d;
            r.sum.n_events++;
            if (wk[w].rep) {
                r.sum.n_replayed++;
            } else if (cb && (rc = cb(ctx, e, err)) < 0) {
                goto out;
            }
            rc = 0;
            wk[w].busy = 0;
            wk[w].rep = NULL;
        }
    }
    if ((rc = jahs_sched_replay_check_used(replay, rep_used, n_replay, err)))
        goto out;
    r.sum.clock = r.clock;
out:
    if (summary)
        *summary = r.sum;
    free(wk);
    free(rep_idx);
    free(rep_used);
    return rc;
}

int jahs_sched_replay_check(const jahs_space *sp, const jahs_sched_event *rep,
                            const jahs_trial *t, int w, jahs_error *err)
{
    run r;
    memset(&r, 0, sizeof r);
    r.sp = sp;
    return check_replay(&r, rep, t, w, err);
}
