/*
 * mpi.h - jahs over MPI (Open MPI or any MPI-3 library): start and stop,
 * rank queries, and a dynamic task farm that spreads independent units over
 * the ranks.  The asynchronous live mode (trainer ranks behind an executor)
 * is in exp/mpi_live.h.
 *
 * Build: `make MPI=1` (or MPI=auto finding mpi-c and mpirun) compiles this
 * file with JAHS_HAVE_MPI and links the MPI library into the one `jahs`
 * binary.  Without it the functions below exist and say so: jahs_mpi_built()
 * is 0, jahs_mpi_start() refuses a launch by mpirun with several ranks (every
 * rank would run the whole experiment) and otherwise leaves jahs alone.
 *
 * Launch detection: MPI is initialised only when the process was started by
 * an MPI launcher, recognised by the variables launchers set:
 * OMPI_COMM_WORLD_SIZE (Open MPI's mpirun), PMI_SIZE (MPICH's hydra, Slurm's
 * srun --mpi=pmi2), PMIX_RANK (PMIx launchers: srun --mpi=pmix, Open MPI 5;
 * the number of ranks is then learnt from MPI).
 * JAHS_MPI=0 turns MPI off, JAHS_MPI=1 forces it (a singleton).  So a jahs
 * built with MPI still runs alone, with --jobs, as before.
 *
 * Waiting: blocking MPI receives spin a core in Open MPI's default progress
 * engine.  Every wait here polls with MPI_Test / MPI_Iprobe and sleeps
 * JAHS_MPI_POLL_US between polls, so a coordinating rank costs almost no CPU
 * and oversubscribed ranks (more ranks than cores) do not starve the ranks
 * that compute.
 *
 * Messages carry plain C structs as MPI_BYTE: every rank must run the same
 * jahs build on the same architecture (as a cluster job does).
 */
#ifndef JAHS_EXP_MPI_H
#define JAHS_EXP_MPI_H

#include <stddef.h>

#include "core/error.h"

/* Sleep between polls of a waiting rank, microseconds. */
#define JAHS_MPI_POLL_US 500

/* Sleep JAHS_MPI_POLL_US (a waiting rank between two polls). */
void jahs_mpi_poll_sleep(void);

/* 1 when this build has MPI, else 0. */
int jahs_mpi_built(void);

/* The MPI library's name and version on one line into buf ("Open MPI
 * v4.1.4, ..."), or "not built (make MPI=1)"; returns buf. */
const char *jahs_mpi_library(char *buf, size_t size);

/*
 * The number of ranks an MPI launcher says this process belongs to (from the
 * variables above; 1 when only PMIX_RANK says it), 1 for a singleton forced
 * by JAHS_MPI=1, 0 when not launched by one (or JAHS_MPI=0).  Reads the
 * environment only.
 */
int jahs_mpi_launched(void);

/*
 * Start MPI when the process was launched by an MPI launcher (idempotent;
 * the CLI calls it in run and sweep).  Returns 0, with MPI running or not
 * (then jahs_mpi_rank / jahs_mpi_size describe MPI_COMM_WORLD, or 0 and 1),
 * or JAHS_EUNSUPPORTED when launched with several ranks by a build without
 * MPI, JAHS_EMPI when MPI_Init fails.  Each rank gets one GPU: when
 * CUDA_VISIBLE_DEVICES is unset and the node has n NVIDIA GPUs
 * (/proc/driver/nvidia/gpus), it is set to (rank on this node) mod n before
 * anything opens CUDA.
 */
int jahs_mpi_start(jahs_error *err);

/* MPI_Finalize when jahs_mpi_start started MPI; otherwise a no-op.  main()
 * calls it before exiting. */
void jahs_mpi_finish(void);

/* This rank (0 when MPI is not running) and the number of ranks (1). */
int jahs_mpi_rank(void);
int jahs_mpi_size(void);

/* 1 when MPI runs with more than one rank. */
int jahs_mpi_parallel(void);

/*
 * Collective: every rank passes its local status rc (0 or a negative code
 * with err filled).  Returns 0 when every rank passed 0; otherwise a negative
 * code on every rank: its own rc and err where it failed, JAHS_EMPI with "rank
 * R failed" elsewhere (rank R: the lowest that failed, who reports why).
 * Without MPI running it returns rc.
 */
int jahs_mpi_agree(int rc, jahs_error *err);

/* A task of the farm: run task index i (0 .. n-1); 0 or a negative code with
 * err filled. */
typedef int (*jahs_mpi_task)(void *ctx, int i, jahs_error *err);

/*
 * Collective: run tasks 0 .. n-1 over the ranks with dynamic load balancing.
 * Rank 0 hands out task indices in order; a rank asks for the next one when
 * it has finished the last (so fast and slow tasks even out).  Rank 0 also
 * runs tasks itself: a helper thread answers the other ranks while its main
 * thread computes (the MPI library must provide MPI_THREAD_SERIALIZED; when
 * it does not, or JAHS_MPI_RANK0_WORK=0 asks so, rank 0 only hands out).
 * After a failed task no new task is handed out; the ones running finish.
 *
 * done (may be NULL) is called on rank 0 with ctx and the number of tasks
 * finished so far, from one thread at a time.  Returns 0 when every task
 * succeeded.  On rank 0 a failure returns the first failed task's code and
 * message (prefixed "rank R: "); other ranks return 0 once rank 0 lets them
 * go (rank 0 reports).  Without MPI running (or with one rank) it runs the
 * tasks in order in this process and stops at the first failure.
 */
int jahs_mpi_farm(int n, jahs_mpi_task fn, void *ctx,
                  void (*done)(void *ctx, int finished), jahs_error *err);

#endif
