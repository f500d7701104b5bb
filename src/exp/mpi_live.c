/*
 * mpi_live.c - see mpi_live.h.  Rank 0's executor keeps, per worker, whether
 * a trial is out and which; results are taken in the order MPI_Iprobe finds
 * them (whichever rank finished first).  A result from a worker with nothing
 * out (the answer to a cancel that crossed a finished trial) is dropped.
 */
#include "exp/mpi_live.h"

#include <stdio.h>
#include <string.h>

#ifdef JAHS_HAVE_MPI

#include <mpi.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "core/util.h"
#include "exp/mpi.h"

enum { TAG_TRIAL = 11, TAG_RESULT = 12, TAG_CANCEL = 13, TAG_STOP = 14 };

typedef struct {
    int unit, n_folds;
    uint64_t seed;
    jahs_trial t;
} trial_msg;

typedef struct {
    int64_t trial_id;
    int rc, cancelled;
    double val[JAHS_MAX_FOLDS], test[JAHS_MAX_FOLDS], cost[JAHS_MAX_FOLDS];
    char msg[JAHS_ERROR_MSG_MAX];
} result_msg;

typedef struct {
    MPI_Comm comm;
    int size;       /* ranks */
    int unit;       /* the unit being run */
    int *busy;      /* per worker (size - 1) */
    result_msg *rx; /* receive buffer */
} live_exec;

static void poll_sleep(void)
{
    struct timespec ts = {0, JAHS_MPI_POLL_US * 1000L};
    nanosleep(&ts, NULL);
}

static double x_now(void *ctx)
{
    (void)ctx;
    return jahs_now();
}

static int x_start(void *ctx, int w, const jahs_trial *t, int n_folds,
                   uint64_t seed, jahs_error *err)
{
    live_exec *x = ctx;
    trial_msg m;
    if (w < 0 || w + 1 >= x->size)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "worker %d has no rank to train on (%d ranks: "
                         "workers 0..%d)",
                         w, x->size, x->size - 2);
    if (n_folds < 1 || n_folds > JAHS_MAX_FOLDS)
        return JAHS_FAIL(err, JAHS_EINVAL, "folds must be in 1..%d, got %d",
                         JAHS_MAX_FOLDS, n_folds);
    memset(&m, 0, sizeof m);
    m.unit = x->unit;
    m.n_folds = n_folds;
    m.seed = seed;
    m.t = *t;
    if (MPI_Send(&m, (int)sizeof m, MPI_BYTE, w + 1, TAG_TRIAL, x->comm) !=
        MPI_SUCCESS)
        return JAHS_FAIL(err, JAHS_EMPI, "cannot send a trial to rank %d",
                         w + 1);
    x->busy[w] = 1;
    return 0;
}

/* Take one result if one is there: 1 (into x->rx, *w its worker), 0 none. */
static int x_take(live_exec *x, int *w, jahs_error *err)
{
    MPI_Status st;
    int flag = 0;
    if (MPI_Iprobe(MPI_ANY_SOURCE, TAG_RESULT, x->comm, &flag, &st) !=
        MPI_SUCCESS)
        return JAHS_FAIL(err, JAHS_EMPI, "MPI_Iprobe failed");
    if (!flag)
        return 0;
    if (MPI_Recv(x->rx, (int)sizeof *x->rx, MPI_BYTE, st.MPI_SOURCE,
                 TAG_RESULT, x->comm, MPI_STATUS_IGNORE) != MPI_SUCCESS)
        return JAHS_FAIL(err, JAHS_EMPI, "cannot receive from rank %d",
                         st.MPI_SOURCE);
    x->rx->msg[sizeof x->rx->msg - 1] = '\0';
    *w = st.MPI_SOURCE - 1;
    return 1;
}

static int x_wait(void *ctx, double deadline, jahs_sched_done *done,
                  jahs_error *err)
{
    live_exec *x = ctx;
    for (;;) {
        int w = -1, rc, f;
        if ((rc = x_take(x, &w, err)) < 0)
            return rc;
        if (rc == 0) {
            if (jahs_now() >= deadline)
                return 0;
            poll_sleep();
            continue;
        }
        if (w < 0 || w + 1 >= x->size || !x->busy[w])
            continue; /* stale: nothing out on that worker */
        x->busy[w] = 0;
        if (x->rx->rc < 0)
            return JAHS_FAIL(err, x->rx->rc, "rank %d: %s", w + 1,
                             x->rx->msg);
        if (x->rx->cancelled)
            continue;
        memset(done, 0, sizeof *done);
        done->worker = w;
        for (f = 0; f < JAHS_MAX_FOLDS; f++) {
            done->fold_val[f] = x->rx->val[f];
            done->fold_test[f] = x->rx->test[f];
            done->fold_cost[f] = x->rx->cost[f];
        }
        return 1;
    }
}

static int x_cancel(void *ctx, jahs_error *err)
{
    live_exec *x = ctx;
    int w, out = 0, dummy = 0;
    for (w = 0; w + 1 < x->size; w++)
        if (x->busy[w]) {
            if (MPI_Send(&dummy, 1, MPI_INT, w + 1, TAG_CANCEL, x->comm) !=
                MPI_SUCCESS)
                return JAHS_FAIL(err, JAHS_EMPI, "cannot cancel on rank %d",
                                 w + 1);
            out++;
        }
    /* every busy rank answers once: the finished trial or the cancel */
    while (out > 0) {
        int rc = x_take(x, &w, err);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            poll_sleep();
            continue;
        }
        if (w >= 0 && w + 1 < x->size && x->busy[w]) {
            x->busy[w] = 0;
            out--;
        }
    }
    return 0;
}

/* ---- trainer ranks ---- */

static int train_one(const trial_msg *m, const jahs_space *sp, jahs_eval *ev,
                     MPI_Comm comm, result_msg *r)
{
    int f;
    for (f = 0; f < m->n_folds; f++) {
        jahs_eval_request rq;
        jahs_eval_result res;
        jahs_error e;
        double t0;
        int flag = 0;
        if (f > 0 &&
            MPI_Iprobe(0, TAG_CANCEL, comm, &flag, MPI_STATUS_IGNORE) ==
                MPI_SUCCESS &&
            flag) {
            int dummy;
            MPI_Recv(&dummy, 1, MPI_INT, 0, TAG_CANCEL, comm,
                     MPI_STATUS_IGNORE);
            r->cancelled = 1;
            return 0;
        }
        memset(&rq, 0, sizeof rq);
        memset(&e, 0, sizeof e);
        rq.space = sp;
        rq.config = m->t.config;
        rq.config_id = m->t.config_id;
        rq.epochs = m->t.epochs;
        rq.resume_from = m->t.resume_from;
        rq.fold = f;
        rq.seed = m->seed;
        t0 = jahs_now();
        if ((r->rc = jahs_eval_run(ev, &rq, &res, &e)) < 0) {
            jahs_error_prefix(&e, "trial %lld fold %d", (long long)m->t.id, f);
            memcpy(r->msg, e.msg, sizeof r->msg);
            return r->rc;
        }
        /* the wall clock: measured seconds replace the evaluator's cost */
        r->cost[f] = jahs_now() - t0;
        r->val[f] = res.val_acc;
        r->test[f] = res.test_acc;
    }
    return 0;
}

static int serve(MPI_Comm comm, jahs_mpi_live_open open, void *ctx,
                 jahs_error *err)
{
    trial_msg *m = malloc(sizeof *m);
    result_msg *r = malloc(sizeof *r);
    jahs_space *sp = NULL;
    jahs_eval *ev = NULL;
    int unit = -1, rc = 0;
    long trials = 0, kill_after = 0;
    const char *kill = getenv("JAHS_TEST_KILL_AFTER");
    if (kill)
        kill_after = atol(kill);
    if (!m || !r) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    for (;;) {
        MPI_Status st;
        int flag = 0, dummy;
        if (MPI_Iprobe(0, MPI_ANY_TAG, comm, &flag, &st) != MPI_SUCCESS) {
            rc = JAHS_FAIL(err, JAHS_EMPI, "MPI_Iprobe failed");
            break;
        }
        if (!flag) {
            poll_sleep();
            continue;
        }
        if (st.MPI_TAG != TAG_TRIAL) { /* STOP, or a stale CANCEL */
            MPI_Recv(&dummy, 1, MPI_INT, 0, st.MPI_TAG, comm,
                     MPI_STATUS_IGNORE);
            if (st.MPI_TAG == TAG_STOP)
                break;
            continue;
        }
        if (MPI_Recv(m, (int)sizeof *m, MPI_BYTE, 0, TAG_TRIAL, comm,
                     MPI_STATUS_IGNORE) != MPI_SUCCESS) {
            rc = JAHS_FAIL(err, JAHS_EMPI, "cannot receive a trial");
            break;
        }
        if (kill_after > 0 && trials >= kill_after)
            raise(SIGKILL); /* tests: a trainer lost with a trial in flight */
        trials++;
        memset(r, 0, sizeof *r);
        r->trial_id = m->t.id;
        if (m->unit != unit) {
            jahs_error e;
            memset(&e, 0, sizeof e);
            jahs_eval_close(ev);
            jahs_space_free(sp);
            ev = NULL;
            sp = NULL;
            unit = -1;
            if ((r->rc = open(ctx, m->unit, &sp, &ev, &e)) < 0)
                memcpy(r->msg, e.msg, sizeof r->msg);
            else
                unit = m->unit;
        }
        if (unit >= 0)
            train_one(m, sp, ev, comm, r);
        if (MPI_Send(r, (int)sizeof *r, MPI_BYTE, 0, TAG_RESULT, comm) !=
            MPI_SUCCESS) {
            rc = JAHS_FAIL(err, JAHS_EMPI, "cannot send a result to rank 0");
            break;
        }
    }
out:
    jahs_eval_close(ev);
    jahs_space_free(sp);
    free(m);
    free(r);
    return rc;
}

int jahs_mpi_live(int n, jahs_mpi_live_run run, jahs_mpi_live_open open,
                  void *ctx, void (*done)(void *ctx, int finished),
                  jahs_error *err)
{
    MPI_Comm comm;
    int rc = 0, size = jahs_mpi_size(), r, u, stop = 0;
    if (!jahs_mpi_parallel())
        return JAHS_FAIL(err, JAHS_EUNSUPPORTED,
                         "live mode across ranks needs MPI with 2 ranks or "
                         "more");
    if (MPI_Comm_dup(MPI_COMM_WORLD, &comm) != MPI_SUCCESS)
        return JAHS_FAIL(err, JAHS_EMPI, "MPI_Comm_dup failed");
    if (jahs_mpi_rank() != 0) {
        rc = serve(comm, open, ctx, err);
    } else {
        live_exec x;
        jahs_sched_exec ex;
        memset(&x, 0, sizeof x);
        x.comm = comm;
        x.size = size;
        x.busy = calloc((size_t)size, sizeof *x.busy);
        x.rx = malloc(sizeof *x.rx);
        ex.ctx = &x;
        ex.now = x_now;
        ex.start = x_start;
        ex.wait = x_wait;
        ex.cancel = x_cancel;
        if (!x.busy || !x.rx)
            rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        for (u = 0; u < n && !rc; u++) {
            x.unit = u;
            rc = run(ctx, u, &ex, err);
            if (!rc && done)
                done(ctx, u + 1);
        }
        if (x.busy && x.rx) { /* nothing may stay out (failures cancel) */
            jahs_error ignored;
            memset(&ignored, 0, sizeof ignored);
            x_cancel(&x, &ignored);
        }
        for (r = 1; r < size; r++)
            MPI_Send(&stop, 1, MPI_INT, r, TAG_STOP, comm);
        free(x.busy);
        free(x.rx);
    }
    MPI_Comm_free(&comm);
    return rc;
}

#else /* !JAHS_HAVE_MPI */

int jahs_mpi_live(int n, jahs_mpi_live_run run, jahs_mpi_live_open open,
                  void *ctx, void (*done)(void *ctx, int finished),
                  jahs_error *err)
{
    (void)n;
    (void)run;
    (void)open;
    (void)ctx;
    (void)done;
    return JAHS_FAIL(err, JAHS_EUNSUPPORTED,
                     "live mode across ranks needs MPI with 2 ranks or more "
                     "(make MPI=1)");
}

#endif
