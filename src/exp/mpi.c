/*
 * mpi.c - see mpi.h.  The task farm is the classic master/worker pattern
 * (Gropp, Lusk & Skjellum, "Using MPI", 3rd ed., ch. 3: self-scheduling):
 * rank 0 answers each ASK (carrying the result of the worker's last task)
 * with the next TASK index, or -1 when none is left.
 */
#include "exp/mpi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"

/* The launcher variables of mpi.h: ranks in the job, 0 when none is set. */
int jahs_mpi_launched(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE",
                                       NULL};
    const char *force = getenv("JAHS_MPI");
    long n;
    int i;
    if (force && strcmp(force, "0") == 0)
        return 0;
    for (i = 0; vars[i]; i++) {
        const char *v = getenv(vars[i]);
        if (v && jahs_parse_long(v, &n) == 0 && n >= 1)
            return n > 100000000L ? 100000000 : (int)n;
    }
    if (getenv("PMIX_RANK")) /* PMIx gives the size only through its API */
        return 1;
    if (force && strcmp(force, "1") == 0)
        return 1;
    return 0;
}

void jahs_mpi_poll_sleep(void)
{
    struct timespec ts = {0, JAHS_MPI_POLL_US * 1000L};
    nanosleep(&ts, NULL);
}

/* The farm in one process: tasks in order, stop at the first failure. */
static int farm_serial(int n, jahs_mpi_task fn, void *ctx,
                       void (*done)(void *ctx, int finished), jahs_error *err)
{
    int i, rc;
    for (i = 0; i < n; i++) {
        if ((rc = fn(ctx, i, err)))
            return rc;
        if (done)
            done(ctx, i + 1);
    }
    return 0;
}

#ifdef JAHS_HAVE_MPI

#include <dirent.h>
#include <errno.h>
#include <mpi.h>
#include <pthread.h>

enum { TAG_ASK = 1, TAG_TASK = 2 };

static int started;     /* 1: we called MPI_Init_thread */
static int threads_ok;  /* MPI_THREAD_SERIALIZED or better provided */
static int my_rank, n_ranks = 1;

int jahs_mpi_built(void) { return 1; }

const char *jahs_mpi_library(char *buf, size_t size)
{
    char v[MPI_MAX_LIBRARY_VERSION_STRING];
    int len = 0;
    size_t i;
    if (MPI_Get_library_version(v, &len) != MPI_SUCCESS)
        snprintf(v, sizeof v, "MPI (version unknown)");
    snprintf(buf, size, "%s", v);
    for (i = 0; buf[i]; i++)
        if (buf[i] == '\n' || buf[i] == '\r') {
            buf[i] = '\0';
            break;
        }
    return buf;
}

/* Complete a request, sleeping between tests (mpi.h: Waiting). */
static int wait_request(MPI_Request *rq, MPI_Status *st)
{
    int flag = 0;
    for (;;) {
        if (MPI_Test(rq, &flag, st) != MPI_SUCCESS)
            return -1;
        if (flag)
            return 0;
        jahs_mpi_poll_sleep();
    }
}

/* One GPU per rank (mpi.h): the node's GPUs from the NVIDIA driver's /proc
 * tree, the rank's place among the ranks of its node from a shared-memory
 * split of MPI_COMM_WORLD. */
static void pick_gpu(void)
{
    DIR *d;
    struct dirent *de;
    int n = 0, local = 0;
    MPI_Comm node;
    char v[16];
    if (getenv("CUDA_VISIBLE_DEVICES"))
        return;
    if (!(d = opendir("/proc/driver/nvidia/gpus")))
        return;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.')
            n++;
    closedir(d);
    if (n == 0)
        return;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0,
                            MPI_INFO_NULL, &node) == MPI_SUCCESS) {
        MPI_Comm_rank(node, &local);
        MPI_Comm_free(&node);
    }
    snprintf(v, sizeof v, "%d", local % n);
    setenv("CUDA_VISIBLE_DEVICES", v, 0);
}

int jahs_mpi_start(jahs_error *err)
{
    int provided = 0, inited = 0;
    if (started || jahs_mpi_launched() == 0)
        return 0;
    MPI_Initialized(&inited);
    if (inited)
        return JAHS_FAIL(err, JAHS_EMPI,
                         "MPI was initialised by someone else than jahs");
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided) !=
        MPI_SUCCESS)
        return JAHS_FAIL(err, JAHS_EMPI, "MPI_Init_thread failed");
    started = 1;
    threads_ok = provided >= MPI_THREAD_SERIALIZED;
    MPI_Comm_rank(MPI_COMM_WORLD, &my_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &n_ranks);
    /* errors come back as codes (we turn them into messages), not aborts */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    pick_gpu();
    return 0;
}

void jahs_mpi_finish(void)
{
    int fin = 0;
    if (!started)
        return;
    MPI_Finalized(&fin);
    if (!fin)
        MPI_Finalize();
    started = 0;
    my_rank = 0;
    n_ranks = 1;
}

int jahs_mpi_rank(void) { return started ? my_rank : 0; }
int jahs_mpi_size(void) { return started ? n_ranks : 1; }
int jahs_mpi_parallel(void) { return started && n_ranks > 1; }

int jahs_mpi_agree(int rc, jahs_error *err)
{
    int mine = rc ? my_rank : n_ranks, lowest = n_ranks;
    jahs_error e;
    if (!jahs_mpi_parallel())
        return rc;
    if (MPI_Allreduce(&mine, &lowest, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD) !=
        MPI_SUCCESS)
        return JAHS_FAIL(err, JAHS_EMPI, "MPI_Allreduce failed");
    if (lowest == n_ranks)
        return 0;
    /* the lowest failing rank tells every rank why */
    memset(&e, 0, sizeof e);
    if (my_rank == lowest) {
        e.code = rc;
        memcpy(e.msg, err->msg, sizeof e.msg);
    }
    if (MPI_Bcast(&e, (int)sizeof e, MPI_BYTE, lowest, MPI_COMM_WORLD) !=
        MPI_SUCCESS)
        return JAHS_FAIL(err, JAHS_EMPI, "MPI_Bcast failed");
    if (my_rank == lowest)
        return rc;
    if (lowest == 0)
        return JAHS_FAIL(err, e.code, "%s", e.msg);
    return JAHS_FAIL(err, e.code, "rank %d: %s", lowest, e.msg);
}

/* ---- the farm ------------------------------------------------------------ */

typedef struct {
    int task; /* the task just finished, -1 for the first ask */
    int rc;
    char msg[JAHS_ERROR_MSG_MAX];
} ask_msg;

typedef struct {
    MPI_Comm comm;
    int n, next, finished, failed, remote;
    int rc;          /* first failure */
    jahs_error first;
    pthread_mutex_t mu;
    jahs_mpi_task fn;
    void *ctx;
    void (*done)(void *ctx, int finished);
    int mpi_error;
} farm;

/* Under f->mu: one task finished (on rank `rank`). */
static void finished_locked(farm *f, int rank, int rc, const char *msg)
{
    f->finished++;
    if (rc && !f->failed) {
        f->failed = 1;
        f->rc = rc;
        f->first.code = rc;
        snprintf(f->first.msg, sizeof f->first.msg, "rank %d: %s", rank, msg);
    }
    if (f->done)
        f->done(f->ctx, f->finished);
}

/* Contact with the other ranks is lost: stop handing out. */
static void lost(farm *f)
{
    pthread_mutex_lock(&f->mu);
    f->mpi_error = 1;
    pthread_mutex_unlock(&f->mu);
}

/* Rank 0: answer asks until every other rank has been let go. */
static void *dispatch(void *arg)
{
    farm *f = arg;
    ask_msg *a = malloc(sizeof *a);
    if (!a) {
        lost(f);
        return NULL;
    }
    while (f->remote > 0) {
        MPI_Status st;
        int flag = 0, task;
        if (MPI_Iprobe(MPI_ANY_SOURCE, TAG_ASK, f->comm, &flag, &st) !=
            MPI_SUCCESS) {
            lost(f);
            break;
        }
        if (!flag) {
            jahs_mpi_poll_sleep();
            continue;
        }
        if (MPI_Recv(a, (int)sizeof *a, MPI_BYTE, st.MPI_SOURCE, TAG_ASK,
                     f->comm, MPI_STATUS_IGNORE) != MPI_SUCCESS) {
            lost(f);
            break;
        }
        a->msg[sizeof a->msg - 1] = '\0';
        pthread_mutex_lock(&f->mu);
        if (a->task >= 0)
            finished_locked(f, st.MPI_SOURCE, a->rc, a->msg);
        if (f->failed || f->next >= f->n) {
            task = -1;
            f->remote--;
        } else {
            task = f->next++;
        }
        pthread_mutex_unlock(&f->mu);
        if (MPI_Send(&task, 1, MPI_INT, st.MPI_SOURCE, TAG_TASK, f->comm) !=
            MPI_SUCCESS) {
            lost(f);
            break;
        }
    }
    free(a);
    return NULL;
}

/* Rank 0's own share, between the other ranks' asks. */
static void run_local(farm *f)
{
    for (;;) {
        jahs_error e;
        int i, rc;
        pthread_mutex_lock(&f->mu);
        if (f->failed || f->next >= f->n || f->mpi_error) {
            pthread_mutex_unlock(&f->mu);
            return;
        }
        i = f->next++;
        pthread_mutex_unlock(&f->mu);
        memset(&e, 0, sizeof e);
        rc = f->fn(f->ctx, i, &e);
        pthread_mutex_lock(&f->mu);
        finished_locked(f, 0, rc, e.msg);
        pthread_mutex_unlock(&f->mu);
    }
}

/* Ranks 1..: ask, run, report with the next ask. */
static int work(farm *f, jahs_error *err)
{
    ask_msg *a = calloc(1, sizeof *a);
    int task = -1, rc = 0;
    if (!a)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    a->task = -1;
    for (;;) {
        MPI_Request rq;
        jahs_error e;
        if (MPI_Irecv(&task, 1, MPI_INT, 0, TAG_TASK, f->comm, &rq) !=
                MPI_SUCCESS ||
            MPI_Send(a, (int)sizeof *a, MPI_BYTE, 0, TAG_ASK, f->comm) !=
                MPI_SUCCESS ||
            wait_request(&rq, MPI_STATUS_IGNORE)) {
            rc = JAHS_FAIL(err, JAHS_EMPI, "rank %d lost rank 0", my_rank);
            break;
        }
        if (task < 0)
            break;
        memset(&e, 0, sizeof e);
        a->task = task;
        a->rc = f->fn(f->ctx, task, &e);
        memcpy(a->msg, e.msg, sizeof a->msg);
    }
    free(a);
    return rc;
}

int jahs_mpi_farm(int n, jahs_mpi_task fn, void *ctx,
                  void (*done)(void *ctx, int finished), jahs_error *err)
{
    farm f;
    int rc = 0;
    if (!jahs_mpi_parallel())
        return farm_serial(n, fn, ctx, done, err);
    memset(&f, 0, sizeof f);
    f.n = n;
    f.fn = fn;
    f.ctx = ctx;
    f.done = done;
    f.remote = n_ranks - 1;
    if (MPI_Comm_dup(MPI_COMM_WORLD, &f.comm) != MPI_SUCCESS)
        return JAHS_FAIL(err, JAHS_EMPI, "MPI_Comm_dup failed");
    pthread_mutex_init(&f.mu, NULL);
    if (my_rank != 0) {
        rc = work(&f, err);
    } else {
        pthread_t th;
        const char *w0 = getenv("JAHS_MPI_RANK0_WORK");
        int threaded = threads_ok && !(w0 && strcmp(w0, "0") == 0) &&
                       pthread_create(&th, NULL, dispatch, &f) == 0;
        if (threaded) {
            run_local(&f);
            pthread_join(th, NULL);
        } else {
            dispatch(&f);
        }
        if (f.mpi_error)
            rc = JAHS_FAIL(err, JAHS_EMPI,
                           "rank 0 lost contact with the other ranks");
        else if (f.failed)
            rc = JAHS_FAIL(err, f.rc, "%s", f.first.msg);
    }
    pthread_mutex_destroy(&f.mu);
    MPI_Comm_free(&f.comm);
    return rc;
}

#else /* !JAHS_HAVE_MPI */

int jahs_mpi_built(void) { return 0; }

const char *jahs_mpi_library(char *buf, size_t size)
{
    snprintf(buf, size, "not built (make MPI=1)");
    return buf;
}

int jahs_mpi_start(jahs_error *err)
{
    int n = jahs_mpi_launched();
    if (n > 1)
        return JAHS_FAIL(err, JAHS_EUNSUPPORTED,
                         "this jahs was built without MPI but was started by "
                         "an MPI launcher with %d ranks, each of which would "
                         "run the whole experiment: rebuild with 'make "
                         "MPI=1' ('make deps-mpi' installs Open MPI)",
                         n);
    return 0;
}

void jahs_mpi_finish(void) {}
int jahs_mpi_rank(void) { return 0; }
int jahs_mpi_size(void) { return 1; }
int jahs_mpi_parallel(void) { return 0; }
int jahs_mpi_agree(int rc, jahs_error *err)
{
    (void)err;
    return rc;
}

int jahs_mpi_farm(int n, jahs_mpi_task fn, void *ctx,
                  void (*done)(void *ctx, int finished), jahs_error *err)
{
    return farm_serial(n, fn, ctx, done, err);
}

#endif
