/*
 * sched_async.c - see sched_async.h.  One pass of the loop: fill idle
 * workers (ask, then hand out or take the replay record), then one
 * completion: the replayed trial due next, else the executor's next result
 * (or the budget), tell, observe, repeat.
 */
#include "exp/sched_async.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

typedef struct {
    int busy;
    jahs_sched_event ev;         /* filled at start; seq at completion */
    const jahs_sched_event *rep; /* replay record, or NULL */
} slot;

typedef struct {
    const jahs_sched_exec *ex;
    double t0, base; /* executor time at the start; clock offset */
} clk;

static double clock_now(const clk *c)
{
    return c->base + c->ex->now(c->ex->ctx) - c->t0;
}

static int check_config(const jahs_sched_config *cfg, const jahs_sched_exec *ex,
                        jahs_error *err)
{
    if (!ex || !ex->now || !ex->start || !ex->wait || !ex->cancel)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "asynchronous scheduler needs an executor with now, "
                         "start, wait and cancel");
    return jahs_sched_config_check(cfg, err);
}

/* Replay records by trial id (ids are small: 0, 1, ... in ask order). */
static int index_replay(const jahs_sched_event *replay, size_t n, long **idx,
                        int64_t *max_id, double *base, jahs_error *err)
{
    size_t i;
    *max_id = -1;
    *base = 0;
    *idx = NULL;
    for (i = 0; i < n; i++) {
        if (replay[i].trial.id < 0 || replay[i].trial.id > (int64_t)1 << 40)
            return JAHS_FAIL(err, JAHS_ESTATE,
                             "replay: event %zu has a bad trial id %lld", i,
                             (long long)replay[i].trial.id);
        if (replay[i].seq != (int64_t)i)
            return JAHS_FAIL(err, JAHS_ESTATE,
                             "replay: event %zu has seq %lld (expected events "
                             "in completion order 0, 1, ...)",
                             i, (long long)replay[i].seq);
        if (replay[i].trial.id > *max_id)
            *max_id = replay[i].trial.id;
        if (replay[i].end > *base)
            *base = replay[i].end;
    }
    if (n == 0)
        return 0;
    if (!(*idx = malloc((size_t)(*max_id + 1) * sizeof **idx)))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    for (i = 0; i <= (size_t)*max_id; i++)
        (*idx)[i] = -1;
    for (i = 0; i < n; i++) {
        if ((*idx)[replay[i].trial.id] >= 0) {
            free(*idx);
            *idx = NULL;
            return JAHS_FAIL(err, JAHS_ESTATE,
                             "replay: trial %lld appears twice",
                             (long long)replay[i].trial.id);
        }
        (*idx)[replay[i].trial.id] = (long)i;
    }
    return 0;
}

/* The mean over folds and the sum of costs of a finished trial. */
static void fold_means(jahs_sched_event *e, const jahs_sched_done *d, int n)
{
    int f;
    double val = 0, test = 0, cost = 0;
    for (f = 0; f < n; f++) {
        e->fold_val[f] = d->fold_val[f];
        e->fold_test[f] = d->fold_test[f];
        e->fold_cost[f] = d->fold_cost[f];
        val += d->fold_val[f];
        test += d->fold_test[f];
        cost += d->fold_cost[f];
    }
    e->result.val_acc = val / n;
    e->result.test_acc = test / n;
    e->result.cost = cost;
}

int jahs_sched_run_async(jahs_opt *opt, const jahs_sched_exec *ex,
                         const jahs_space *sp, const jahs_sched_config *cfg,
                         const jahs_sched_event *replay, size_t n_replay,
                         jahs_sched_observer cb, void *ctx,
                         jahs_sched_summary *summary, jahs_error *err)
{
    jahs_sched_summary sum;
    slot *wk = NULL;
    long *rep_idx = NULL;
    char *rep_used = NULL;
    size_t n_used = 0;
    int64_t max_id = -1, seq = 0;
    int rc, w, opt_done = 0, running = 0;
    double rclock = 0, clock = 0; /* replayed clock; clock of new events */
    clk c;

    memset(&sum, 0, sizeof sum);
    if (!opt || !sp || !cfg)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "scheduler needs an optimizer, a space and a config");
    if ((rc = check_config(cfg, ex, err)))
        return rc;
    c.ex = ex;
    if ((rc = index_replay(replay, n_replay, &rep_idx, &max_id, &c.base, err)))
        return rc;
    wk = calloc((size_t)cfg->workers, sizeof *wk);
    rep_used = n_replay ? calloc(n_replay, 1) : NULL;
    if (!wk || (n_replay && !rep_used)) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    c.t0 = ex->now(ex->ctx);
    clock = c.base;

    for (;;) {
        int next = -1, waiting = 0;
        /* 1. fill idle workers in index order */
        for (w = 0; !opt_done && w < cfg->workers; w++) {
            jahs_trial t;
            jahs_sched_event *e;
            const jahs_sched_event *rep = NULL;
            double t1, now;
            if (wk[w].busy)
                continue;
            /* while replaying, the budget test uses the journal's clock */
            now = n_used < n_replay ? rclock : clock_now(&c);
            if (now >= cfg->budget)
                break;
            t1 = jahs_now();
            rc = jahs_opt_ask(opt, &t, err);
            sum.decision_seconds += jahs_now() - t1;
            if (rc < 0)
                goto out;
            if (rc == JAHS_WAIT) {
                waiting = 1;
                rc = 0;
                break;
            }
            if (rc == JAHS_DONE) {
                opt_done = 1;
                sum.done = 1;
                rc = 0;
                break;
            }
            if (rc != 0) {
                rc = JAHS_FAIL(err, JAHS_ESTATE,
                               "optimizer '%s' answered %d to ask",
                               jahs_opt_type_of(opt)->name, rc);
                goto out;
            }
            sum.n_asks++;
            if (n_replay && t.id >= 0 && t.id <= max_id && rep_idx[t.id] >= 0)
                rep = &replay[rep_idx[t.id]];
            e = &wk[w].ev;
            memset(e, 0, sizeof *e);
            if (rep) {
                if ((rc = jahs_sched_replay_check(sp, rep, &t, w, err)) < 0)
                    goto out;
                *e = *rep;
                e->trial = t;
                rep_used[rep_idx[t.id]] = 1;
                n_used++;
                if (rep->start > rclock)
                    rclock = rep->start;
            } else {
                e->trial = t;
                e->worker = w;
                e->start = clock = fmax(clock, clock_now(&c));
                if ((rc = ex->start(ex->ctx, w, &t, cfg->n_folds, cfg->seed,
                                    err)) < 0) {
                    jahs_error_prefix(err, "trial %lld", (long long)t.id);
                    goto out;
                }
                running++;
            }
            wk[w].busy = 1;
            wk[w].rep = rep;
        }
        /* 2. the next completion: the replayed trial due next, if any */
        for (w = 0; w < cfg->workers; w++)
            if (wk[w].busy && wk[w].rep &&
                (next < 0 || wk[w].rep->seq < wk[next].rep->seq))
                next = w;
        if (next >= 0) {
            if (wk[next].rep->seq != seq) {
                rc = JAHS_FAIL(err, JAHS_ESTATE,
                               "replay mismatch: trial %lld finished as event "
                               "%lld, journaled as %lld",
                               (long long)wk[next].ev.trial.id,
                               (long long)seq, (long long)wk[next].rep->seq);
                goto out;
            }
            if (wk[next].rep->end > rclock)
                rclock = wk[next].rep->end;
        } else if (running > 0) {
            jahs_sched_done d;
            double deadline = c.t0 + (cfg->budget - c.base);
            memset(&d, 0, sizeof d);
            rc = ex->wait(ex->ctx, deadline, &d, err);
            if (rc < 0)
                goto out;
            if (rc == 1 && clock_now(&c) > cfg->budget)
                rc = 0; /* came back after the budget: cut like the rest */
            if (rc == 0) { /* the budget: cut what is running */
                sum.n_cut += running;
                running = 0;
                for (w = 0; w < cfg->workers; w++)
                    wk[w].busy = 0;
                rc = ex->cancel(ex->ctx, err);
                if (rc < 0)
                    goto out;
                clock = cfg->budget;
                break;
            }
            rc = 0;
            if (d.worker < 0 || d.worker >= cfg->workers ||
                !wk[d.worker].busy || wk[d.worker].rep) {
                rc = JAHS_FAIL(err, JAHS_ESTATE,
                               "executor reported worker %d finished, which "
                               "runs no trial",
                               d.worker);
                goto out;
            }
            next = d.worker;
            running--;
            fold_means(&wk[next].ev, &d, cfg->n_folds);
            wk[next].ev.end = clock = fmax(clock, clock_now(&c));
        } else {
            if (waiting && !opt_done) {
                rc = JAHS_FAIL(err, JAHS_ESTATE,
                               "optimizer '%s' answered WAIT with no trial "
                               "running",
                               jahs_opt_type_of(opt)->name);
                goto out;
            }
            break; /* DONE, or the budget, with nothing running */
        }
        /* 3. finish it */
        {
            jahs_sched_event *e = &wk[next].ev;
            double t1 = jahs_now();
            e->seq = seq++;
            rc = jahs_opt_tell(opt, &e->trial, &e->result, err);
            sum.decision_seconds += jahs_now() - t1;
            if (rc < 0)
                goto out;
            sum.n_events++;
            if (wk[next].rep)
                sum.n_replayed++;
            else if (cb && (rc = cb(ctx, e, err)) < 0)
                goto out;
            rc = 0;
            wk[next].busy = 0;
            wk[next].rep = NULL;
        }
    }
    if ((rc = jahs_sched_replay_check_used(replay, rep_used, n_replay, err)))
        goto out;
    sum.clock = fmax(clock, rclock);
out:
    if (rc < 0 && running > 0 && ex && ex->cancel) {
        jahs_error ignored;
        memset(&ignored, 0, sizeof ignored);
        ex->cancel(ex->ctx, &ignored);
    }
    if (summary)
        *summary = sum;
    free(wk);
    free(rep_idx);
    free(rep_used);
    return rc;
}
