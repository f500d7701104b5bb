/*
 * bench_mpi.c - sweep throughput (finished runs per second) of `jahs sweep`
 * in one process, with --jobs 2 (forked processes), and under
 * `mpirun -np 1, 2, 4` (exp/mpi.h: rank 0 hands out units as ranks ask, and
 * computes too).  Built and run by `make bench` only when jahs is built with
 * MPI.  Two workloads of 96 independent units (48 seeds x prior fraction
 * 0.5, 0.8: a sweep of 96 points, one unit each):
 *
 *   synthetic  ASHA with an HP prior on the cellhp function, 4 workers,
 *              24 simulated hours (no data needed)
 *   tabular    ASHA with a joint prior on the NB201 CIFAR-100 table, 6 h
 *              (the poster's setting; skipped when tables/nb201_cifar100.h5
 *              is missing: `make tables`)
 *
 * Every configuration writes the same sweep.csv (checked against the
 * one-process run: column "same").  Best of 2 repeats.  "cpu ms/run": CPU
 * time of every process of the run (mpirun, its daemon, the ranks) per
 * unit, which the load of other jobs on the machine does not change much.
 * Runs from the repository root (make bench does); finds jahs beside bench/
 * (../jahs).
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/util.h"
#include "exp/mpi.h"

#define UNITS 96
#define REPS 2

static const char *synthetic_exp =
    "name = bench\n"
    "budget_hours = 24\n"
    "report_hours = 24\n"
    "seeds = 0\n"
    "evaluator = synthetic\n"
    "synthetic = cellhp\n"
    "workers = 4\n"
    "[ASHA, prior]\n"
    "prior = hp\n";

static const char *tabular_exp =
    "name = bench\n"
    "budget_hours = 6\n"
    "report_hours = 2, 6\n"
    "seeds = 0\n"
    "evaluator = tabular\n"
    "table = tables/nb201_cifar100.h5\n"
    "hardware_factor = 2.5\n"
    "[ASHA Joint Priors]\n"
    "prior = joint\n";

static const char *mpirun =
    "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun "
    "--oversubscribe --bind-to none --mca btl self,vader";

/* CPU seconds (user + system) of the waited-for children so far. */
static double children_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
}

/* Seconds of the best of REPS runs of the sweep (fresh output each time),
 * or -1 when it failed; *cpu: the CPU seconds of that run (every process:
 * mpirun, its daemon and the ranks).  The output stays in dir. */
static double time_sweep(const char *prefix, const char *jahs, int jobs,
                         const char *exp, const char *seeds, const char *dir,
                         double *cpu)
{
    char cmd[32768];
    double best = -1;
    int rep;
    for (rep = 0; rep < REPS; rep++) {
        double t0, c0;
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            return -1;
        snprintf(cmd, sizeof cmd,
                 "%s %s sweep %s --jobs %d --set prior_fraction=0.5,0.8 "
                 "--set seeds=%s --out '%s' --quiet "
                 "> /dev/null",
                 prefix, jahs, exp, jobs, seeds, dir);
        c0 = children_cpu();
        t0 = jahs_now();
        if (system(cmd) != 0)
            return -1;
        t0 = jahs_now() - t0;
        if (best < 0 || t0 < best) {
            best = t0;
            *cpu = children_cpu() - c0;
        }
    }
    return best;
}

static int same_csv(const char *a, const char *b)
{
    char cmd[16384];
    snprintf(cmd, sizeof cmd, "cmp -s '%s/sweep.csv' '%s/sweep.csv'", a, b);
    return system(cmd) == 0;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *label;
        int mpi;   /* 1: under mpirun -np ranks */
        int ranks; /* MPI ranks, or --jobs processes */
    } configs[] = {{"one process", 0, 1},
                   {"--jobs 2 (fork)", 0, 2},
                   {"mpirun -np 1", 1, 1},
                   {"mpirun -np 2", 1, 2},
                   {"mpirun -np 4", 1, 4}};
    const char *work[2] = {"synthetic", "tabular"};
    char jahs[4096], self[4096], tmp[] = "/tmp/jahs-bench-mpi-XXXXXX";
    char seeds[UNITS * 2], expfile[4200], ref[4200];
    int w, c, k = 0;
    (void)argc;
    if (!jahs_mpi_built()) {
        printf("bench_mpi: jahs built without MPI (make MPI=1): skipped\n");
        return 0;
    }
    snprintf(self, sizeof self, "%s", argv[0]);
    snprintf(jahs, sizeof jahs, "%s/../jahs", dirname(self));
    if (access(jahs, X_OK) != 0 || !mkdtemp(tmp)) {
        fprintf(stderr, "bench_mpi: no jahs at %s or no temporary dir\n", jahs);
        return 1;
    }
    for (c = 0; c < UNITS / 2; c++)
        k += snprintf(seeds + k, sizeof seeds - (size_t)k, "%s%d", c ? "," : "",
                      c);
    printf("sweep throughput: %d units (seeds x prior fractions), best of %d; "
           "speedup vs one "
           "process\n\n",
           UNITS, REPS);
    printf("%-10s %-16s %5s %8s %8s %8s %11s %5s\n", "workload", "launch",
           "ranks", "seconds", "runs/s", "speedup", "cpu ms/run", "same");
    for (w = 0; w < 2; w++) {
        double base = -1;
        FILE *f;
        if (w == 1 && access("tables/nb201_cifar100.h5", R_OK) != 0) {
            printf("%-10s (skipped: no tables/nb201_cifar100.h5; make "
                   "tables)\n",
                   work[w]);
            continue;
        }
        snprintf(expfile, sizeof expfile, "%s/%s.exp", tmp, work[w]);
        if (!(f = fopen(expfile, "w")))
            return 1;
        fputs(w == 0 ? synthetic_exp : tabular_exp, f);
        fclose(f);
        snprintf(ref, sizeof ref, "%s/%s-ref", tmp, work[w]);
        for (c = 0; c < (int)(sizeof configs / sizeof configs[0]); c++) {
            char prefix[512], dir[4300];
            double s, cpu = 0;
            prefix[0] = '\0';
            if (configs[c].mpi)
                snprintf(prefix, sizeof prefix, "%s -np %d", mpirun,
                         configs[c].ranks);
            snprintf(dir, sizeof dir, "%s/%s-%d", tmp, work[w], c);
            /* under MPI --jobs is not used; -np 1 runs in one process */
            s = time_sweep(prefix, jahs, configs[c].mpi ? 1 : configs[c].ranks,
                           expfile, seeds, c == 0 ? ref : dir, &cpu);
            if (s < 0) {
                fprintf(stderr, "bench_mpi: %s %s failed\n", work[w],
                        configs[c].label);
                return 1;
            }
            if (c == 0)
                base = s;
            printf("%-10s %-16s %5d %8.2f %8.1f %8.2f %11.1f %5s\n", work[w],
                   configs[c].label, configs[c].ranks, s, UNITS / s, base / s,
                   1000 * cpu / UNITS,
                   c == 0 ? "-" : same_csv(ref, dir) ? "yes" : "NO");
        }
    }
    {
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
        if (system(cmd) != 0)
            return 1;
    }
    return 0;
}
