/*
 * mpi_live.c - see mpi_live.h.  Rank 0's executor keeps, per worker, whether
 * a trial is out; results are taken in the order MPI_Iprobe finds them
 * (whichever rank finished first); on a failure the other busy ranks are
 * cancelled and heard out, and the lowest failing rank is the one reported
 * (so an evaluator no rank can open names rank 1).  A result from a
 * worker with nothing out (the answer to a cancel that crossed a finished
 * trial) is dropped.  The trainer ranks run the fold loop of exp/record.h.
 */
#include "exp/mpi_live.h"

#include <stdio.h>
#include <string.h>

#ifdef JAHS_HAVE_MPI

#include <mpi.h>
#include <signal.h>
#include <stdlib.h>

#include "core/util.h"
#include "exp/mpi.h"

enum { TAG_TRIAL = 11, TAG_RESULT = 12, TAG_CANCEL = 13, TAG_STOP = 14 };

/* Both ways: rank 0 sends the record of a trial to start (trial, worker,
 * n_folds); the trainer sends it back with its folds, result and status
 * (and why, when the status is an error). */
typedef struct {
    int unit;
    uint64_t seed;
    jahs_record rec;
    char msg[JAHS_ERROR_MSG_MAX];
} live_msg;

typedef struct {
    MPI_Comm comm;
    int size;     /* ranks */
    int unit;     /* the unit being run */
    int *busy;    /* per worker (size - 1) */
    live_msg *rx; /* receive buffer */
} live_exec;

static double x_now(void *ctx)
{
    (void)ctx;
    return jahs_now();
}

static int x_start(void *ctx, const jahs_record *r, uint64_t seed,
                   jahs_error *err)
{
    live_exec *x = ctx;
    live_msg *m = x->rx + 1; /* the send buffer */
    int w = r->worker;
    if (w < 0 || w + 1 >= x->size)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "trial %lld: worker %d has no rank to train on (%d "
                         "ranks: workers 0..%d)",
                         (long long)r->trial.id, w, x->size, x->size - 2);
    memset(m, 0, sizeof *m);
    m->unit = x->unit;
    m->seed = seed;
    m->rec = *r;
    if (MPI_Send(m, (int)sizeof *m, MPI_BYTE, w + 1, TAG_TRIAL, x->comm) !=
        MPI_SUCCESS)
        return JAHS_FAIL(err, JAHS_EMPI,
                         "trial %lld: cannot send it to rank %d",
                         (long long)r->trial.id, w + 1);
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

static int drain(live_exec *x, int *low, jahs_error *fail, jahs_error *err);

static int x_next(void *ctx, double deadline, jahs_record *r, jahs_error *err)
{
    live_exec *x = ctx;
    for (;;) {
        int w = -1, rc;
        if ((rc = x_take(x, &w, err)) < 0)
            return rc;
        if (rc == 0) {
            if (jahs_now() >= deadline)
                return 0;
            jahs_mpi_poll_sleep();
            continue;
        }
        if (w < 0 || w + 1 >= x->size || !x->busy[w])
            continue; /* stale: nothing out on that worker */
        x->busy[w] = 0;
        if (x->rx->rec.status < 0) {
            /* the others are cancelled and heard out first, so that when
             * several ranks fail (an evaluator none of them can open), the
             * lowest one is reported whichever answered first */
            jahs_error e;
            int low = w + 1;
            memset(&e, 0, sizeof e);
            e.code = x->rx->rec.status;
            memcpy(e.msg, x->rx->msg, sizeof e.msg);
            if ((rc = drain(x, &low, &e, err)) < 0)
                return rc;
            return JAHS_FAIL(err, e.code, "rank %d: %s", low, e.msg);
        }
        if (x->rx->rec.status == JAHS_RECORD_CANCELLED)
            continue;
        *r = x->rx->rec;
        r->worker = w;
        return 1;
    }
}

/* Cancel every busy worker and take its answer (the finished trial or the
 * cancel); with low / fail, a failure from a rank below *low replaces
 * *fail. */
static int drain(live_exec *x, int *low, jahs_error *fail, jahs_error *err)
{
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
            jahs_mpi_poll_sleep();
            continue;
        }
        if (w >= 0 && w + 1 < x->size && x->busy[w]) {
            x->busy[w] = 0;
            out--;
            if (low && x->rx->rec.status < 0 && w + 1 < *low) {
                *low = w + 1;
                fail->code = x->rx->rec.status;
                memcpy(fail->msg, x->rx->msg, sizeof fail->msg);
            }
        }
    }
    return 0;
}

static int x_cancel(void *ctx, jahs_error *err)
{
    return drain(ctx, NULL, NULL, err);
}

/* ---- trainer ranks ---- */

/* Between folds: a cancel from rank 0 stops the trial. */
static int cancelled(void *ctx)
{
    MPI_Comm comm = *(MPI_Comm *)ctx;
    int flag = 0, dummy;
    if (MPI_Iprobe(0, TAG_CANCEL, comm, &flag, MPI_STATUS_IGNORE) !=
            MPI_SUCCESS ||
        !flag)
        return 0;
    MPI_Recv(&dummy, 1, MPI_INT, 0, TAG_CANCEL, comm, MPI_STATUS_IGNORE);
    return 1;
}

static int serve(MPI_Comm comm, jahs_mpi_live_open open, void *ctx,
                 jahs_error *err)
{
    live_msg *m = malloc(sizeof *m);
    jahs_space *sp = NULL;
    jahs_eval *ev = NULL;
    int unit = -1, rc = 0;
    long trials = 0, kill_after = 0;
    const char *kill = getenv("JAHS_TEST_KILL_AFTER");
    if (kill)
        kill_after = atol(kill);
    if (!m) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    for (;;) {
        MPI_Status st;
        jahs_error e;
        int flag = 0, dummy;
        if (MPI_Iprobe(0, MPI_ANY_TAG, comm, &flag, &st) != MPI_SUCCESS) {
            rc = JAHS_FAIL(err, JAHS_EMPI, "MPI_Iprobe failed");
            break;
        }
        if (!flag) {
            jahs_mpi_poll_sleep();
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
        memset(&e, 0, sizeof e);
        if (m->unit != unit) {
            jahs_eval_close(ev);
            jahs_space_free(sp);
            ev = NULL;
            sp = NULL;
            unit = -1;
            if ((m->rec.status = open(ctx, m->unit, &sp, &ev, &e)) >= 0)
                unit = m->unit;
        }
        /* the wall clock: measured seconds are the fold costs */
        if (unit >= 0)
            jahs_record_evaluate(&m->rec, ev, sp, m->seed, 1, cancelled,
                                 &comm, &e);
        memcpy(m->msg, e.msg, sizeof m->msg);
        if (MPI_Send(m, (int)sizeof *m, MPI_BYTE, 0, TAG_RESULT, comm) !=
            MPI_SUCCESS) {
            rc = JAHS_FAIL(err, JAHS_EMPI, "cannot send a result to rank 0");
            break;
        }
    }
out:
    jahs_eval_close(ev);
    jahs_space_free(sp);
    free(m);
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
        x.rx = malloc(2 * sizeof *x.rx); /* receive and send buffers */
        ex.ctx = &x;
        ex.now = x_now;
        ex.start = x_start;
        ex.next = x_next;
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
