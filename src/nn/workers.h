/*
 * workers.h - a small persistent pool of pthreads that runs "parallel for"
 * jobs for the CPU trainer: job(ctx, task, thread) for task = 0..n_tasks-1,
 * tasks handed out dynamically, the calling thread taking part.
 *
 * Determinism is the caller's business and is easy to keep: a task must
 * write only its own outputs (a slice of images, a channel, a fixed chunk of
 * the batch with its own partial sums), so that the result does not depend
 * on which thread ran it or on the number of threads.  `thread` (0..n-1)
 * only selects scratch space (im2col buffers).
 */
#ifndef JAHS_NN_WORKERS_H
#define JAHS_NN_WORKERS_H

#include "core/error.h"

typedef struct jahs_workers jahs_workers;

typedef void (*jahs_task_fn)(void *ctx, int task, int thread);

/*
 * Start a pool of n threads in all (the caller counts as one, so n - 1 are
 * created); n <= 0 means the number of online CPUs.  NULL and err on
 * failure.  Free with jahs_workers_free.
 */
jahs_workers *jahs_workers_create(int n, jahs_error *err);
/* Stop and join the threads; NULL is a no-op. */
void jahs_workers_free(jahs_workers *w);
/* Threads in the pool (including the caller); 1 for a NULL pool. */
int jahs_workers_count(const jahs_workers *w);
/*
 * Run fn(ctx, t, thread) for t in [0, n_tasks) and return when all are done.
 * A NULL pool runs them in order on the caller (thread 0).  Not reentrant:
 * fn must not call jahs_workers_run on the same pool.
 */
void jahs_workers_run(jahs_workers *w, int n_tasks, jahs_task_fn fn, void *ctx);

/* Online CPUs (at least 1). */
int jahs_cpu_count(void);

#endif
