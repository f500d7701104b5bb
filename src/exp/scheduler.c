/*
 * scheduler.c - see scheduler.h.  One pass of the loop: fill idle workers
 * (ask; hand the trial to the executor, or take its replay record), take the
 * next completion (the replayed trial due next, else the executor's next
 * result, or the budget), finish it (tell, observe) and, without an
 * executor's clock, every other trial ending then; repeat.  O(W) per event;
 * W is small.
 */
#include "exp/scheduler.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

void jahs_sched_config_defaults(jahs_sched_config *c)
{
    memset(c, 0, sizeof *c);
    c->workers = 1;
    c->n_folds = 2;
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

/* ---- the in-process executors --------------------------------------------- */

/* With a concurrent evaluator (eval.h) on the simulated clock, each
 * started trial is evaluated on a thread of its worker, and next() first
 * waits for every one running: the W workers' programs run at once, and
 * the records, hence the run, are those of evaluating them one by one. */
typedef struct {
    pthread_t th;
    int running;        /* a thread to join */
    int rc;
    uint64_t seed;
    jahs_error err;
    void *x;
    int worker;
} local_job;

typedef struct {
    jahs_sched_exec ex; /* first: the handle */
    jahs_eval *ev;
    const jahs_space *sp;
    int workers, measure, threaded;
    int *busy;
    jahs_record *rec; /* per worker: the trial it runs, evaluated */
    local_job *job;   /* per worker (threaded) */
} local_exec;

static void *l_job(void *arg)
{
    local_job *j = arg;
    local_exec *x = j->x;
    jahs_record *s = &x->rec[j->worker];
    j->rc = jahs_record_evaluate(s, x->ev, x->sp, j->seed, x->measure, NULL,
                                 NULL, &j->err);
    return NULL;
}

/* Join every running job; the first failure's code and message. */
static int l_join(local_exec *x, jahs_error *err)
{
    int w, rc = 0;
    for (w = 0; x->job && w < x->workers; w++) {
        local_job *j = &x->job[w];
        if (!j->running)
            continue;
        pthread_join(j->th, NULL);
        j->running = 0;
        if (j->rc < 0 && !rc) {
            rc = j->rc;
            if (err)
                *err = j->err;
        }
        x->rec[w].end = x->rec[w].start + x->rec[w].result.cost;
    }
    return rc;
}

static int l_start(void *ctx, const jahs_record *r, uint64_t seed,
                   jahs_error *err)
{
    local_exec *x = ctx;
    jahs_record *s;
    int rc;
    if (r->worker < 0 || r->worker >= x->workers || x->busy[r->worker])
        return JAHS_FAIL(err, JAHS_ESTATE, "worker %d is not idle",
                         r->worker);
    s = &x->rec[r->worker];
    *s = *r;
    if (x->threaded) {
        local_job *j = &x->job[r->worker];
        memset(&j->err, 0, sizeof j->err);
        j->seed = seed;
        j->x = x;
        j->worker = r->worker;
        if ((rc = pthread_create(&j->th, NULL, l_job, j)) != 0)
            return JAHS_FAIL(err, JAHS_EIO, "cannot start a thread: %s",
                             strerror(rc));
        j->running = 1;
        x->busy[r->worker] = 1;
        return 0;
    }
    if ((rc = jahs_record_evaluate(s, x->ev, x->sp, seed, x->measure, NULL,
                                   NULL, err)) < 0)
        return rc;
    s->end = s->start + s->result.cost;
    x->busy[r->worker] = 1;
    return 0;
}

/* The earliest end by deadline; ties: the lowest worker. */
static int l_next(void *ctx, double deadline, jahs_record *r, jahs_error *err)
{
    local_exec *x = ctx;
    int w, best = -1, rc;
    if ((rc = l_join(x, err)) < 0)
        return rc;
    for (w = 0; w < x->workers; w++)
        if (x->busy[w] && (best < 0 || x->rec[w].end < x->rec[best].end))
            best = w;
    if (best < 0 || x->rec[best].end > deadline)
        return 0;
    x->busy[best] = 0;
    *r = x->rec[best];
    return 1;
}

static int l_cancel(void *ctx, jahs_error *err)
{
    local_exec *x = ctx;
    (void)err;
    l_join(x, NULL);
    memset(x->busy, 0, (size_t)x->workers * sizeof *x->busy);
    return 0;
}

jahs_sched_exec *jahs_sched_exec_local(jahs_eval *ev, const jahs_space *sp,
                                       int workers, int measure,
                                       jahs_error *err)
{
    local_exec *x;
    if (!ev || !sp || workers < 1 || workers > 100000) {
        JAHS_FAIL(err, JAHS_EINVAL,
                  "an in-process executor needs an evaluator, a space and "
                  "1..100000 workers");
        return NULL;
    }
    if (!(x = calloc(1, sizeof *x)) ||
        !(x->busy = calloc((size_t)workers, sizeof *x->busy)) ||
        !(x->rec = calloc((size_t)workers, sizeof *x->rec))) {
        jahs_sched_exec_free(x ? &x->ex : NULL);
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    x->ev = ev;
    x->sp = sp;
    x->workers = workers;
    x->measure = measure;
    x->threaded = !measure && workers > 1 && jahs_eval_concurrent(ev);
    if (x->threaded &&
        !(x->job = calloc((size_t)workers, sizeof *x->job))) {
        jahs_sched_exec_free(&x->ex);
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    x->ex.ctx = x;
    x->ex.now = NULL;
    x->ex.start = l_start;
    x->ex.next = l_next;
    x->ex.cancel = l_cancel;
    return &x->ex;
}

void jahs_sched_exec_free(jahs_sched_exec *ex)
{
    local_exec *x = (local_exec *)ex;
    if (!x)
        return;
    l_join(x, NULL);
    free(x->job);
    free(x->busy);
    free(x->rec);
    free(x);
}

/* ---- replay ------------------------------------------------------------------ */

typedef struct {
    const jahs_record *rec;
    size_t n, n_used;
    long *idx;      /* trial id -> index into rec, -1 (ids are 0, 1, ...) */
    int64_t max_id;
    char *used;     /* asked again */
    double base;    /* latest end: the time the killed run had spent */
} replay_index;

static int index_replay(replay_index *ri, const jahs_record *rec, size_t n,
                        jahs_error *err)
{
    size_t i;
    memset(ri, 0, sizeof *ri);
    ri->rec = rec;
    ri->n = n;
    ri->max_id = -1;
    for (i = 0; i < n; i++) {
        if (rec[i].trial.id < 0 || rec[i].trial.id > (int64_t)1 << 40)
            return JAHS_FAIL(err, JAHS_ESTATE,
                             "replay: event %zu has a bad trial id %lld", i,
                             (long long)rec[i].trial.id);
        if (rec[i].seq != (int64_t)i)
            return JAHS_FAIL(err, JAHS_ESTATE,
                             "replay: event %zu has seq %lld (expected events "
                             "in completion order 0, 1, ...)",
                             i, (long long)rec[i].seq);
        if (rec[i].trial.id > ri->max_id)
            ri->max_id = rec[i].trial.id;
        if (rec[i].end > ri->base)
            ri->base = rec[i].end;
    }
    if (n == 0)
        return 0;
    ri->idx = malloc((size_t)(ri->max_id + 1) * sizeof *ri->idx);
    ri->used = calloc(n, 1);
    if (!ri->idx || !ri->used)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    for (i = 0; i <= (size_t)ri->max_id; i++)
        ri->idx[i] = -1;
    for (i = 0; i < n; i++) {
        if (ri->idx[rec[i].trial.id] >= 0)
            return JAHS_FAIL(err, JAHS_ESTATE,
                             "replay: trial %lld appears twice",
                             (long long)rec[i].trial.id);
        ri->idx[rec[i].trial.id] = (long)i;
    }
    return 0;
}

static const jahs_record *replay_find(const replay_index *ri, int64_t id)
{
    if (!ri->n || id < 0 || id > ri->max_id || ri->idx[id] < 0)
        return NULL;
    return &ri->rec[ri->idx[id]];
}

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

static int check_replay(const jahs_space *sp, const jahs_record *rep,
                        const jahs_trial *t, int w, jahs_error *err)
{
    int same = same_config(sp, rep->trial.config, t->config);
    if (rep->trial.config_id != t->config_id ||
        rep->trial.epochs != t->epochs ||
        rep->trial.resume_from != t->resume_from || rep->worker != w || !same)
        return JAHS_FAIL(err, JAHS_ESTATE,
                         "replay mismatch at trial %lld: journaled config %lld "
                         "at %d epochs (from %d) on worker %d, asked config "
                         "%lld at %d epochs (from %d) on worker %d%s",
                         (long long)t->id, (long long)rep->trial.config_id,
                         rep->trial.epochs, rep->trial.resume_from, rep->worker,
                         (long long)t->config_id, t->epochs, t->resume_from, w,
                         same ? "" : " (config values differ)");
    return 0;
}

/* ---- the loop ------------------------------------------------------------------ */

typedef struct {
    int busy;
    jahs_record rec;        /* filled at start; end and seq at completion */
    const jahs_record *rep; /* replay record, or NULL */
} slot;

typedef struct {
    jahs_opt *opt;
    const jahs_sched_exec *ex;
    const jahs_sched_config *cfg;
    jahs_sched_observer cb;
    void *ctx;
    slot *wk;
    replay_index ri;
    jahs_sched_summary sum;
    int64_t seq;
    int running; /* trials out on the executor */
    int charge;  /* decision time onto the clock */
    double clock, rclock, t0;
} loop;

/* The clock now: the loop's, or on the executor's clock the time spent
 * (since the start, plus what the replayed run had spent). */
static double clock_now(const loop *L)
{
    if (!L->ex->now)
        return L->clock;
    return fmax(L->clock, L->ri.base + L->ex->now(L->ex->ctx) - L->t0);
}

/* The busy replayed slot that finishes first, or -1: the earliest end (ties:
 * the lowest worker) without the executor's clock, as the trials finished;
 * on its clock the lowest seq. */
static int replay_due(const loop *L)
{
    int w, next = -1;
    for (w = 0; w < L->cfg->workers; w++) {
        const jahs_record *rep = L->wk[w].rep;
        if (!L->wk[w].busy || !rep)
            continue;
        if (next < 0 || (L->ex->now ? rep->seq < L->wk[next].rep->seq
                                    : rep->end < L->wk[next].rep->end))
            next = w;
    }
    return next;
}

/* Ask for every idle worker (see the header); *waiting set on WAIT. */
static int fill(loop *L, const jahs_space *sp, int *waiting, jahs_error *err)
{
    const jahs_sched_config *cfg = L->cfg;
    int w, rc;
    for (w = 0; w < cfg->workers; w++) {
        slot *s = &L->wk[w];
        jahs_trial t;
        const jahs_record *rep;
        double t1, d;
        if (s->busy)
            continue;
        /* while replaying, the budget test uses the journal's clock */
        if ((L->ri.n_used < L->ri.n ? L->rclock : clock_now(L)) >=
            cfg->budget)
            return 0;
        t1 = jahs_now();
        rc = jahs_opt_ask(L->opt, &t, err);
        d = jahs_now() - t1;
        L->sum.decision_seconds += d;
        if (rc < 0)
            return rc;
        if (rc == JAHS_WAIT) {
            *waiting = 1;
            return 0;
        }
        if (rc == JAHS_DONE) {
            L->sum.done = 1;
            return JAHS_DONE;
        }
        if (rc != 0)
            return JAHS_FAIL(err, JAHS_ESTATE,
                             "optimizer '%s' answered %d to ask",
                             jahs_opt_type_of(L->opt)->name, rc);
        L->sum.n_asks++;
        memset(&s->rec, 0, sizeof s->rec);
        if ((rep = replay_find(&L->ri, t.id))) {
            if ((rc = check_replay(sp, rep, &t, w, err)) < 0)
                return rc;
            s->rec = *rep;
            s->rec.trial = t;
            L->ri.used[rep - L->ri.rec] = 1;
            L->ri.n_used++;
            L->rclock = fmax(L->rclock, rep->start);
            L->clock = fmax(L->clock, rep->start);
        } else {
            if (L->charge)
                L->clock += d;
            s->rec.start = L->clock = clock_now(L);
            if ((L->ri.n_used < L->ri.n ? L->rclock : L->clock) >=
                cfg->budget) {
                L->sum.n_cut++; /* decision time ran past the budget */
                return 0;
            }
            s->rec.trial = t;
            s->rec.worker = w;
            s->rec.n_folds = cfg->n_folds;
            s->rec.seq = -1;
            if ((rc = L->ex->start(L->ex->ctx, &s->rec, cfg->seed, err)) < 0)
                return rc;
            L->running++;
        }
        s->busy = 1;
        s->rep = rep;
    }
    return 0;
}

/* The executor's next completion by deadline into its slot: 1 (*w the
 * worker, the slot's end set to *end), 0 none, or < 0. */
static int take(loop *L, double deadline, int *w, double *end,
                jahs_error *err)
{
    jahs_record r;
    slot *s;
    int rc = L->ex->next(L->ex->ctx, deadline, &r, err);
    if (rc <= 0)
        return rc;
    if (L->ex->now && clock_now(L) > L->cfg->budget)
        return 0; /* came back after the budget: cut like the rest */
    if (r.worker < 0 || r.worker >= L->cfg->workers ||
        !L->wk[r.worker].busy || L->wk[r.worker].rep ||
        L->wk[r.worker].rec.trial.id != r.trial.id ||
        r.status != JAHS_RECORD_DONE)
        return JAHS_FAIL(err, JAHS_ESTATE,
                         "executor reported worker %d finished trial %lld "
                         "(status %d), which it does not run",
                         r.worker, (long long)r.trial.id, r.status);
    s = &L->wk[r.worker];
    memcpy(s->rec.fold, r.fold, sizeof s->rec.fold);
    s->rec.result = r.result;
    s->rec.status = r.status;
    s->rec.end = L->ex->now ? clock_now(L) : r.end;
    L->clock = fmax(L->clock, s->rec.end);
    L->running--;
    *w = r.worker;
    *end = s->rec.end;
    return 1;
}

/* Tell and observe the trial on worker w; its seq is the next. */
static int finish(loop *L, int w, jahs_error *err)
{
    slot *s = &L->wk[w];
    double t1, d;
    int rc;
    s->rec.seq = L->seq++;
    t1 = jahs_now();
    rc = jahs_opt_tell(L->opt, &s->rec.trial, &s->rec.result, err);
    d = jahs_now() - t1;
    L->sum.decision_seconds += d;
    if (rc < 0)
        return rc;
    if (L->charge && !s->rep)
        L->clock += d;
    L->sum.n_events++;
    if (s->rep)
        L->sum.n_replayed++;
    else if (L->cb && (rc = L->cb(L->ctx, &s->rec, err)) < 0)
        return rc;
    s->busy = 0;
    s->rep = NULL;
    return 0;
}

int jahs_sched_run_exec(jahs_opt *opt, const jahs_sched_exec *ex,
                        const jahs_space *sp, const jahs_sched_config *cfg,
                        const jahs_record *replay, size_t n_replay,
                        jahs_sched_observer cb, void *ctx,
                        jahs_sched_summary *summary, jahs_error *err)
{
    loop L;
    size_t i;
    int rc, w, opt_done = 0;
    memset(&L, 0, sizeof L);
    if (!opt || !ex || !sp || !cfg)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "scheduler needs an optimizer, an executor, a space "
                         "and a config");
    if (!ex->start || !ex->next || !ex->cancel)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "scheduler needs an executor with start, next and "
                         "cancel");
    if ((rc = jahs_sched_config_check(cfg, err)))
        return rc;
    L.opt = opt;
    L.ex = ex;
    L.cfg = cfg;
    L.cb = cb;
    L.ctx = ctx;
    L.charge = !ex->now && cfg->charge_decision_time;
    if ((rc = index_replay(&L.ri, replay, n_replay, err)))
        goto out;
    if (!(L.wk = calloc((size_t)cfg->workers, sizeof *L.wk))) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    if (ex->now) {
        L.t0 = ex->now(ex->ctx);
        L.clock = L.ri.base;
    }
    for (;;) {
        int waiting = 0, next;
        double t_end, t_other;
        /* 1. fill idle workers in index order */
        if (!opt_done && (rc = fill(&L, sp, &waiting, err)) != 0) {
            if (rc < 0)
                goto out;
            opt_done = 1;
        }
        /* 2. the next completion: the replayed trial due next, if any */
        if ((next = replay_due(&L)) >= 0 && L.wk[next].rep->seq != L.seq) {
            rc = JAHS_FAIL(err, JAHS_ESTATE,
                           "replay mismatch: trial %lld finished as event "
                           "%lld, journaled as %lld",
                           (long long)L.wk[next].rec.trial.id,
                           (long long)L.seq, (long long)L.wk[next].rep->seq);
            goto out;
        }
        if (next >= 0) {
            t_end = L.wk[next].rep->end;
            L.rclock = fmax(L.rclock, t_end);
            L.clock = fmax(L.clock, t_end);
        } else if (L.running > 0) {
            double deadline = ex->now ? L.t0 + (cfg->budget - L.ri.base)
                                      : cfg->budget;
            if ((rc = take(&L, deadline, &next, &t_end, err)) < 0)
                goto out;
            if (rc == 0) { /* the budget: cut what is running */
                L.sum.n_cut += L.running;
                L.running = 0;
                for (w = 0; w < cfg->workers; w++)
                    L.wk[w].busy = 0;
                if ((rc = ex->cancel(ex->ctx, err)) < 0)
                    goto out;
                L.clock = cfg->budget;
                break;
            }
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
        /* 3. finish it and, without the executor's clock, every other trial
         * ending then (replayed ones first, as they finished first) */
        for (;;) {
            if ((rc = finish(&L, next, err)) < 0)
                goto out;
            if (ex->now)
                break;
            if ((next = replay_due(&L)) >= 0) {
                if (L.wk[next].rep->seq != L.seq ||
                    L.wk[next].rep->end > t_end)
                    break; /* (a mismatch is found after the refill) */
                continue;
            }
            if (L.running == 0)
                break;
            if ((rc = take(&L, t_end, &next, &t_other, err)) < 0)
                goto out;
            if (rc == 0)
                break;
        }
    }
    for (i = 0; i < L.ri.n; i++)
        if (!L.ri.used[i]) {
            rc = JAHS_FAIL(err, JAHS_ESTATE,
                           "replay: journaled trial %lld (event %zu) was not "
                           "asked again: not the same run",
                           (long long)L.ri.rec[i].trial.id, i);
            goto out;
        }
    rc = 0;
    L.sum.clock = fmax(L.clock, L.rclock);
out:
    if (rc < 0 && L.running > 0) {
        jahs_error ignored;
        memset(&ignored, 0, sizeof ignored);
        ex->cancel(ex->ctx, &ignored);
    }
    if (summary)
        *summary = L.sum;
    free(L.wk);
    free(L.ri.idx);
    free(L.ri.used);
    return rc;
}

int jahs_sched_run(jahs_opt *opt, jahs_eval *ev, const jahs_space *sp,
                   const jahs_sched_config *cfg, const jahs_record *replay,
                   size_t n_replay, jahs_sched_observer cb, void *ctx,
                   jahs_sched_summary *summary, jahs_error *err)
{
    jahs_sched_config c;
    jahs_sched_exec *ex;
    int rc;
    if (!opt || !ev || !sp || !cfg)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "scheduler needs an optimizer, an evaluator, a space "
                         "and a config");
    if ((rc = jahs_sched_config_check(cfg, err)))
        return rc;
    c = *cfg;
    c.charge_decision_time = cfg->charge_decision_time || cfg->wall_clock;
    if (!(ex = jahs_sched_exec_local(ev, sp, c.workers, c.wall_clock, err)))
        return err->code;
    rc = jahs_sched_run_exec(opt, ex, sp, &c, replay, n_replay, cb, ctx,
                             summary, err);
    jahs_sched_exec_free(ex);
    return rc;
}
