/*
 * blas.h - the process's BLAS threading: jahs never lets OpenBLAS run
 * threads of its own (the trainer splits the batch over its own workers,
 * the GP's matrices are small, and one thread keeps every sum in a fixed
 * order: REPRODUCE.md, "Determinism").
 */
#ifndef JAHS_CORE_BLAS_H
#define JAHS_CORE_BLAS_H

/*
 * Make OpenBLAS single-threaded for the rest of the process and stop its
 * thread pool, once per process (a forked child inherits the state and
 * does nothing).  No-op when the linked CBLAS is not OpenBLAS, or when
 * OPENBLAS_NUM_THREADS is set (the user's choice stands).
 *
 * Why stop the pool and not only set one thread: OpenBLAS 0.3.21 starts
 * its pool when the library loads (blas_thread_init, one thread per extra
 * core) and re-starts it after every fork (goto_set_num_threads,
 * driver/others/blas_server.c:940-943, "lazy re-init of the thread-pool
 * after a POSIX fork"); each new pool thread spins on sched_yield for
 * 2^THREAD_TIMEOUT = 2^28 cycles (blas_server.c:157, 160, 416-419) before
 * it sleeps.  Measured on the 2-core VM at load 4: table1.exp's MOBSTER
 * rows, one unit process each, 2.2-2.9 s wall (0.15-0.8 s of it system
 * time, 18,552 sched_yield calls) against 0.5-1.1 s with
 * OPENBLAS_NUM_THREADS=1.  After blas_thread_shutdown_ (blas_server.c:
 * 1046) with one thread set, level-3 calls take the single-thread path
 * (num_cpu_avail, common_thread.h:146-151) and never restart the pool, as
 * long as openblas_set_num_threads is not called again: so every caller in
 * jahs goes through this function.  Thread-safe (pthread_once).
 */
void jahs_blas_one_thread(void);

/* Threads of the calling process (entries of /proc/self/task; -1 when
 * that cannot be read).  For the test of jahs_blas_one_thread. */
int jahs_process_threads(void);

#endif
