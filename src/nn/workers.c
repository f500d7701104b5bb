/*
 * workers.c - see workers.h.  One mutex and two condition variables: the
 * caller publishes a job (a generation number), workers and caller take task
 * indices from a shared counter under the mutex, and the caller waits until
 * every task has finished.  Tasks here are coarse (an image slice, a
 * channel block), so the lock is not a bottleneck.
 */
#include "nn/workers.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

struct jahs_workers {
    int n;                 /* threads including the caller */
    pthread_t *threads;    /* n - 1 */
    pthread_mutex_t mu;
    pthread_cond_t go;     /* a new job or shutdown */
    pthread_cond_t done;   /* the last task of a job finished */
    unsigned long gen;     /* job generation */
    int stop;
    jahs_task_fn fn;
    void *ctx;
    int n_tasks, next, finished;
};

typedef struct {
    jahs_workers *w;
    int id;
} worker_arg;

int jahs_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (int)n;
}

/* Take and run tasks of the current job until none are left; mu held on
 * entry and exit. */
static void drain(jahs_workers *w, int id)
{
    while (w->next < w->n_tasks) {
        int t = w->next++;
        pthread_mutex_unlock(&w->mu);
        w->fn(w->ctx, t, id);
        pthread_mutex_lock(&w->mu);
        if (++w->finished == w->n_tasks)
            pthread_cond_broadcast(&w->done);
    }
}

static void *worker_main(void *p)
{
    worker_arg *a = p;
    jahs_workers *w = a->w;
    int id = a->id;
    unsigned long seen = 0;
    free(a);
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->stop && w->gen == seen)
            pthread_cond_wait(&w->go, &w->mu);
        if (w->stop)
            break;
        seen = w->gen;
        drain(w, id);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

jahs_workers *jahs_workers_create(int n, jahs_error *err)
{
    jahs_workers *w;
    int i;
    if (n <= 0)
        n = jahs_cpu_count();
    w = calloc(1, sizeof *w);
    if (!w || !(w->threads = calloc((size_t)n, sizeof *w->threads))) {
        free(w);
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for a thread pool");
        return NULL;
    }
    w->n = 1;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->go, NULL);
    pthread_cond_init(&w->done, NULL);
    for (i = 1; i < n; i++) {
        worker_arg *a = malloc(sizeof *a);
        if (!a) {
            jahs_workers_free(w);
            JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for a thread pool");
            return NULL;
        }
        a->w = w;
        a->id = i;
        if (pthread_create(&w->threads[i - 1], NULL, worker_main, a) != 0) {
            free(a);
            jahs_workers_free(w);
            JAHS_FAIL(err, JAHS_EUNAVAILABLE, "cannot start thread %d of %d",
                      i, n);
            return NULL;
        }
        w->n++;
    }
    return w;
}

void jahs_workers_free(jahs_workers *w)
{
    int i;
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_broadcast(&w->go);
    pthread_mutex_unlock(&w->mu);
    for (i = 1; i < w->n; i++)
        pthread_join(w->threads[i - 1], NULL);
    pthread_cond_destroy(&w->done);
    pthread_cond_destroy(&w->go);
    pthread_mutex_destroy(&w->mu);
    free(w->threads);
    free(w);
}

int jahs_workers_count(const jahs_workers *w) { return w ? w->n : 1; }

void jahs_workers_run(jahs_workers *w, int n_tasks, jahs_task_fn fn, void *ctx)
{
    int t;
    if (n_tasks <= 0)
        return;
    if (!w || w->n == 1 || n_tasks == 1) {
        for (t = 0; t < n_tasks; t++)
            fn(ctx, t, 0);
        return;
    }
    pthread_mutex_lock(&w->mu);
    w->fn = fn;
    w->ctx = ctx;
    w->n_tasks = n_tasks;
    w->next = 0;
    w->finished = 0;
    w->gen++;
    pthread_cond_broadcast(&w->go);
    drain(w, 0);
    while (w->finished < w->n_tasks)
        pthread_cond_wait(&w->done, &w->mu);
    pthread_mutex_unlock(&w->mu);
}
