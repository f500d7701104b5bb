/*
 * test_mpi.c - jahs under MPI (exp/mpi.h): `mpirun -np 3 jahs run` and
 * `jahs sweep` give the same files as --jobs 1, a rank killed mid-run loses
 * only its unit in flight and a rerun completes it with the same output, a
 * failed unit on another rank is reported once by rank 0; evaluator =
 * command on the ranks (byte-identical to --jobs 1; its program may itself
 * use MPI); and, without mpirun, the launcher detection and the one-process
 * farm.
 *
 * The mpirun tests skip when this jahs was built without MPI or mpirun is
 * not on PATH.  mpirun runs as in README "Running on a cluster" for one
 * machine: --oversubscribe (3 ranks on 2 cores), --bind-to none, shared
 * memory between ranks (--mca btl self,vader), and as root the two
 * OMPI_ALLOW_RUN_AS_ROOT variables.  Under ASan, LeakSanitizer must be told
 * which leaks are Open MPI's (allocations it keeps until exit): that needs
 * full stacks and its components kept loaded, which makes every rank start
 * seconds slower.  So one test (the live run, which goes through the farm
 * and the live mode) checks leaks with those suppressions; the others run
 * their ranks with leak checking off (their code is leak-checked without
 * MPI by test_driver.c).
 */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "exp/driver.h"
#include "exp/experiment.h"
#include "exp/mpi.h"
#include "exp/mpi_live.h"
#include "harness.h"

static const char *exp_text =
    "name = drv\n"
    "budget_hours = 3\n"
    "report_hours = 1, 3\n"
    "seeds = 0, 1\n"
    "evaluator = synthetic\n"
    "synthetic = cellhp\n"
    "reference = random\n"
    "[ASHA, prior]\n"
    "prior = hp\n"
    "[Hyperband]\n"
    "optimizer = hyperband\n"
    "[random]\n"
    "optimizer = random\n";

static const char *lsan_supp = "leak:libmpi.so\n"
                               "leak:libopen-pal.so\n"
                               "leak:libopen-rte.so\n"
                               "leak:libhwloc.so\n"
                               "leak:libpmix.so\n"
                               "leak:libevent\n"
                               "leak:mca_\n";

/* The mpirun command line (static buffer), or NULL after marking the test
 * skipped; leaks: check leaks under ASan (see the header). */
static const char *mpirun_with(int leaks)
{
    static char cmd[4096];
    char *out = NULL;
    int built;
    jahs_test_sh(&out, "%s version", jahs_test_bin());
    built = out && strstr(out, "mpi: ") && !strstr(out, "mpi: not built");
    free(out);
    if (!built) {
        jahs_test_skip("jahs built without MPI (make MPI=1)");
        return NULL;
    }
    if (jahs_test_sh(NULL, "command -v mpirun >/dev/null") != 0) {
        jahs_test_skip("mpirun not found ('make deps-mpi')");
        return NULL;
    }
    if (leaks)
        snprintf(cmd, sizeof cmd,
                 "OMPI_MCA_mca_base_component_disable_dlclose=1 "
                 "ASAN_OPTIONS=\"$ASAN_OPTIONS:fast_unwind_on_malloc=0\" "
                 "LSAN_OPTIONS=suppressions=%s:print_suppressions=0 ",
                 jahs_test_write("lsan-mpi.supp", lsan_supp));
    else
        snprintf(cmd, sizeof cmd,
                 "ASAN_OPTIONS=\"$ASAN_OPTIONS:detect_leaks=0\" ");
    snprintf(cmd + strlen(cmd), sizeof cmd - strlen(cmd), "%s",
             "JAHS_NO_PLOTS=1 OMPI_ALLOW_RUN_AS_ROOT=1 "
             "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
             "mpirun --oversubscribe --bind-to none --mca btl self,vader");
    return cmd;
}

static const char *mpirun(void) { return mpirun_with(0); }

/* All files of a results directory, concatenated in a fixed order. */
static char *snapshot(const char *dir)
{
    char *out = NULL;
    jahs_test_sh(&out,
                 "cd '%s' && for f in $(find . -type f ! -name '*.svg' ! -name "
                 "'*.png' ! -name '*.gp' | LC_ALL=C sort); do echo \"== $f\"; "
                 "cat \"$f\"; done",
                 dir);
    return out;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    const char *p = hay;
    while (p && (p = strstr(p, needle))) {
        n++;
        p += strlen(needle);
    }
    return n;
}

JAHS_TEST(mpi_run_matches_one_process)
{
    const char *mr = mpirun();
    char f[4096], *a, *b, *out = NULL;
    if (!mr)
        return;
    snprintf(f, sizeof f, "%s", jahs_test_write("drv.exp", exp_text));
    CHECK_EQ_INT(jahs_test_sh(NULL,
                              "JAHS_NO_PLOTS=1 %s run %s --jobs 1 --out %s",
                              jahs_test_bin(), f, jahs_test_path("j1")),
                 0);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s -np 3 %s run %s --out %s", mr,
                              jahs_test_bin(), f, jahs_test_path("m3")),
                 0);
    /* rank 0 alone speaks */
    CHECK_EQ_INT(count(out, "results in"), 1);
    free(out);
    a = snapshot(jahs_test_path("j1"));
    b = snapshot(jahs_test_path("m3"));
    CHECK(a && b && strlen(a) > 1000);
    CHECK(a && b && strcmp(a, b) == 0);
    CHECK_CONTAINS(b, "== ./runs/hyperband/seed1.done");
    CHECK_CONTAINS(b, "== ./table.md");
    free(b);
    /* two ranks, discarding the results first (rank 0 does): the same */
    CHECK_EQ_INT(jahs_test_sh(NULL, "%s -np 2 %s run %s --fresh --out %s", mr,
                              jahs_test_bin(), f, jahs_test_path("m3")),
                 0);
    b = snapshot(jahs_test_path("m3"));
    CHECK(a && b && strcmp(a, b) == 0);
    free(a);
    free(b);
}

JAHS_TEST(mpi_killed_rank_resumes_with_the_same_output)
{
    const char *mr = mpirun();
    char f[4096], args[4200], *clean, *resumed, *out = NULL;
    int st;
    if (!mr)
        return;
    snprintf(f, sizeof f, "%s", jahs_test_write("drv.exp", exp_text));
    CHECK_EQ_INT(jahs_test_sh(NULL,
                              "JAHS_NO_PLOTS=1 %s run %s --jobs 1 --out %s",
                              jahs_test_bin(), f, jahs_test_path("clean")),
                 0);
    /* rank 0 only hands out (so the worker surely runs a unit); rank 1 dies
     * by SIGKILL after 4 journal rows of its first unit, and mpirun ends the
     * job */
    snprintf(args, sizeof args, "run %s --out %s", f, jahs_test_path("k"));
    st = jahs_test_sh(&out,
                      "JAHS_MPI_RANK0_WORK=0 %s -np 1 %s %s : -np 1 env "
                      "JAHS_TEST_KILL_AFTER=4 %s %s; echo status=$?",
                      mr, jahs_test_bin(), args, jahs_test_bin(), args);
    CHECK_EQ_INT(st, 0);
    CHECK(out && !strstr(out, "status=0"));
    free(out);
    CHECK(!jahs_path_exists(jahs_test_path("k/table.md")));
    CHECK_EQ_INT(jahs_test_sh(&out, "wc -l < %s",
                              jahs_test_path("k/runs/asha-prior/seed0.csv")),
                 0);
    CHECK_CONTAINS(out, "5\n"); /* header + 4 rows: killed at a row boundary */
    free(out);
    CHECK(!jahs_path_exists(jahs_test_path("k/runs/asha-prior/seed0.done")));
    /* the same command again completes the killed unit */
    CHECK_EQ_INT(
        jahs_test_sh(NULL, "%s -np 3 %s %s", mr, jahs_test_bin(), args), 0);
    clean = snapshot(jahs_test_path("clean"));
    resumed = snapshot(jahs_test_path("k"));
    CHECK(clean && resumed && strlen(clean) > 1000);
    CHECK(clean && resumed && strcmp(clean, resumed) == 0);
    free(clean);
    free(resumed);
}

JAHS_TEST(mpi_sweep_matches_one_process)
{
    const char *mr = mpirun();
    char f[4096], *a, *b, *out = NULL;
    if (!mr)
        return;
    snprintf(f, sizeof f, "%s", jahs_test_write("drv.exp", exp_text));
    CHECK_EQ_INT(jahs_test_sh(NULL,
                              "%s sweep %s --rows ASHA --out %s --set "
                              "prior_fraction=0.2,0.9 --set seeds=3,4 --jobs 1",
                              jahs_test_bin(), f, jahs_test_path("s1")),
                 0);
    CHECK_EQ_INT(jahs_test_sh(&out,
                              "%s -np 3 %s sweep %s --rows ASHA --out %s --set "
                              "prior_fraction=0.2,0.9 --set seeds=3,4",
                              mr, jahs_test_bin(), f, jahs_test_path("s3")),
                 0);
    CHECK_EQ_INT(count(out, "sweep of 4 points"), 1);
    free(out);
    a = snapshot(jahs_test_path("s1"));
    b = snapshot(jahs_test_path("s3"));
    CHECK(a && b && strcmp(a, b) == 0);
    CHECK_CONTAINS(b, "== ./sweep.csv\nprior_fraction,seeds,method,seed,hours,"
                      "test,val\n");
    CHECK_CONTAINS(b, "== ./prior-fraction-0-9-seeds-4/runs/asha-prior/"
                      "seed4.done");
    free(a);
    free(b);
}

JAHS_TEST(mpi_failures_are_reported_once_by_rank_0)
{
    const char *mr = mpirun();
    char f[4096], *out = NULL;
    if (!mr)
        return;
    snprintf(f, sizeof f, "%s", jahs_test_write("drv.exp", exp_text));
    /* a unit whose journal is damaged past its header fails on whichever
     * rank runs it (its settings record is sound, so rank 0's check before
     * the units passes: a journal without one is refused there, once) */
    CHECK_EQ_INT(jahs_test_sh(NULL, "%s run %s --out %s --quiet --rows random "
                                    "--set seeds=1 >/dev/null 2>&1",
                              jahs_test_bin(), f, jahs_test_path("bad")),
                 0);
    CHECK_EQ_INT(jahs_test_sh(NULL, "cd %s && rm seed1.done ../../table.md "
                                    "&& head -1 seed1.csv > x && echo 1,2,3 "
                                    ">> x && mv x seed1.csv",
                              jahs_test_path("bad/runs/random")),
                 0);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s -np 3 %s run %s --out %s", mr,
                              jahs_test_bin(), f, jahs_test_path("bad")),
                 1);
    CHECK_EQ_INT(count(out, "jahs: error:"), 1);
    CHECK_CONTAINS(out, "run the same command again to resume");
    CHECK_CONTAINS(out, "seed1.csv");
    CHECK_CONTAINS(out, "rank ");
    free(out);
    CHECK(!jahs_path_exists(jahs_test_path("bad/table.md")));
    /* (errors every rank meets alike are printed once too: mpi_live_errors) */
}

/* ---- without mpirun ------------------------------------------------------ */

static const char *const launch_vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE",
                                          "PMIX_RANK", "JAHS_MPI", NULL};

JAHS_TEST(mpi_launcher_detection)
{
    char *saved[4];
    int i;
    for (i = 0; launch_vars[i]; i++) {
        const char *v = getenv(launch_vars[i]);
        saved[i] = v ? jahs_strdup(v) : NULL;
        unsetenv(launch_vars[i]);
    }
    CHECK_EQ_INT(jahs_mpi_launched(), 0);
    setenv("OMPI_COMM_WORLD_SIZE", "4", 1);
    CHECK_EQ_INT(jahs_mpi_launched(), 4);
    setenv("JAHS_MPI", "0", 1); /* off wins */
    CHECK_EQ_INT(jahs_mpi_launched(), 0);
    unsetenv("JAHS_MPI");
    unsetenv("OMPI_COMM_WORLD_SIZE");
    setenv("PMI_SIZE", "7", 1);
    CHECK_EQ_INT(jahs_mpi_launched(), 7);
    setenv("PMI_SIZE", "x", 1); /* not a number: not a launch */
    CHECK_EQ_INT(jahs_mpi_launched(), 0);
    unsetenv("PMI_SIZE");
    setenv("PMIX_RANK", "0", 1);
    CHECK_EQ_INT(jahs_mpi_launched(), 1);
    unsetenv("PMIX_RANK");
    setenv("JAHS_MPI", "1", 1);
    CHECK_EQ_INT(jahs_mpi_launched(), 1);
    unsetenv("JAHS_MPI");
    for (i = 0; launch_vars[i]; i++)
        if (saved[i]) {
            setenv(launch_vars[i], saved[i], 1);
            free(saved[i]);
        }
    /* not launched: nothing starts, one rank */
    {
        jahs_error err = {0};
        CHECK_OK(jahs_mpi_start(&err), &err);
        CHECK_EQ_INT(jahs_mpi_rank(), 0);
        CHECK_EQ_INT(jahs_mpi_size(), 1);
        CHECK_EQ_INT(jahs_mpi_parallel(), 0);
        CHECK_EQ_INT(jahs_mpi_agree(0, &err), 0);
        CHECK_EQ_INT(jahs_mpi_agree(JAHS_EIO, &err), JAHS_EIO);
        jahs_mpi_finish();
    }
}

JAHS_TEST(mpi_build_without_mpi_refuses_mpirun)
{
    char f[4096], *out = NULL;
    if (jahs_mpi_built()) {
        jahs_test_skip("built with MPI (the refusal is for builds without)");
        return;
    }
    snprintf(f, sizeof f, "%s", jahs_test_write("drv.exp", exp_text));
    CHECK_EQ_INT(jahs_test_sh(&out, "OMPI_COMM_WORLD_SIZE=3 %s run %s --out %s",
                              jahs_test_bin(), f, jahs_test_path("no")),
                 1);
    CHECK_CONTAINS(out, "built without MPI");
    CHECK_CONTAINS(out, "make MPI=1");
    free(out);
    CHECK(!jahs_path_exists(jahs_test_path("no")));
    CHECK_EQ_INT(jahs_test_sh(&out, "%s version", jahs_test_bin()), 0);
    CHECK_CONTAINS(out, "mpi: not built");
    free(out);
}

typedef struct {
    int ran[8];
    int n_ran, fail_at, last_done;
} farm_log;

static int farm_task(void *ctx, int i, jahs_error *err)
{
    farm_log *l = ctx;
    l->ran[l->n_ran++] = i;
    if (i == l->fail_at)
        return JAHS_FAIL(err, JAHS_EIO, "task %d failed", i);
    return 0;
}

static void farm_done(void *ctx, int finished)
{
    ((farm_log *)ctx)->last_done = finished;
}

JAHS_TEST(mpi_farm_in_one_process)
{
    farm_log l;
    jahs_error err = {0};
    memset(&l, 0, sizeof l);
    l.fail_at = -1;
    CHECK_OK(jahs_mpi_farm(5, farm_task, &l, farm_done, &err), &err);
    CHECK_EQ_INT(l.n_ran, 5);
    CHECK_EQ_INT(l.ran[0], 0);
    CHECK_EQ_INT(l.ran[4], 4);
    CHECK_EQ_INT(l.last_done, 5);
    /* stops at the first failure, with its message */
    memset(&l, 0, sizeof l);
    l.fail_at = 2;
    CHECK_EQ_INT(jahs_mpi_farm(5, farm_task, &l, NULL, &err), JAHS_EIO);
    CHECK_EQ_INT(l.n_ran, 3);
    CHECK_STR(err.msg, "task 2 failed");
    /* nothing to do */
    memset(&l, 0, sizeof l);
    CHECK_OK(jahs_mpi_farm(0, farm_task, &l, farm_done, &err), &err);
    CHECK_EQ_INT(l.n_ran, 0);
}

/* ---- live mode: trials on worker ranks ----------------------------------- */

/* The timed synthetic evaluator: each evaluation sleeps 1e-4 s per simulated
 * second (cellhp: about 2..160 ms per trial), 2 workers, 1.08 s of wall
 * clock; a plain synthetic row beside it is farmed out as usual. */
static const char *live_text =
    "name = live\n"
    "budget_hours = 0.0003\n"
    "report_hours = 0.0003\n"
    "seeds = 0\n"
    "evaluator = synthetic\n"
    "synthetic = cellhp\n"
    "reference = random\n"
    "[ASHA]\n"
    "synthetic_sleep = 0.0001\n"
    "workers = 2\n"
    "[random]\n"
    "optimizer = random\n"
    "budget_hours = 3\n";

typedef struct {
    int seq, worker;
    double start, end;
} jrow;

/* seq, worker, start, end of every row of a journal (at most max). */
static int read_journal(const char *path, jrow *rows, int max)
{
    char *text = NULL, *line, *save = NULL;
    jahs_error err = {0};
    int n = 0;
    if (jahs_read_file(path, &text, NULL, &err))
        return -1;
    line = strtok_r(text, "\n", &save); /* header */
    for (line = strtok_r(NULL, "\n", &save); line && n < max;
         line = strtok_r(NULL, "\n", &save)) {
        char *p = line;
        rows[n].seq = (int)strtol(p, &p, 10);
        rows[n].worker = (int)strtol(p + 1, &p, 10);
        rows[n].start = strtod(p + 1, &p);
        rows[n].end = strtod(p + 1, &p);
        n++;
    }
    free(text);
    return n;
}

/* Pairs of trials on different workers that ran at the same time. */
static int overlaps(const jrow *r, int n)
{
    int i, j, k = 0;
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++)
            if (r[i].worker != r[j].worker && r[i].start < r[j].end &&
                r[j].start < r[i].end)
                k++;
    return k;
}

JAHS_TEST(mpi_live_workers_train_at_once)
{
    const char *mr = mpirun_with(1);
    static jrow rows[4096];
    char f[4096], *out = NULL;
    int n, i, w1 = 0, sorted = 1;
    if (!mr)
        return;
    snprintf(f, sizeof f, "%s", jahs_test_write("live.exp", live_text));
    CHECK_EQ_INT(jahs_test_sh(&out, "%s -np 3 %s run %s --out %s", mr,
                              jahs_test_bin(), f, jahs_test_path("l")),
                 0);
    CHECK_CONTAINS(out, "results in");
    free(out);
    CHECK(jahs_path_exists(jahs_test_path("l/runs/asha/seed0.done")));
    CHECK(jahs_path_exists(jahs_test_path("l/runs/random/seed0.done")));
    CHECK(jahs_path_exists(jahs_test_path("l/table.md")));
    n = read_journal(jahs_test_path("l/runs/asha/seed0.csv"), rows, 4096);
    CHECK(n >= 10);
    for (i = 0; i < n; i++) {
        CHECK_EQ_INT(rows[i].seq, i);
        w1 += rows[i].worker == 1;
        if (i && rows[i].end < rows[i - 1].end)
            sorted = 0;
        CHECK(rows[i].worker == 0 || rows[i].worker == 1);
        CHECK(rows[i].end > rows[i].start && rows[i].end <= 1.08);
    }
    CHECK(w1 > 0 && w1 < n);   /* both workers trained */
    CHECK(sorted);             /* results come back in completion order */
    CHECK(overlaps(rows, n) > n / 2); /* ... and ran at the same time */
}

JAHS_TEST(mpi_live_killed_trainer_resumes)
{
    const char *mr = mpirun();
    static jrow before[4096], after[4096];
    char f[4096], args[4200], *a = NULL, *b = NULL, *out = NULL;
    int st, nb, na, i;
    if (!mr)
        return;
    snprintf(f, sizeof f, "%s", jahs_test_write("live.exp", live_text));
    snprintf(args, sizeof args, "run %s --rows ASHA --out %s", f,
             jahs_test_path("k"));
    /* rank 2 (worker 1) dies when its 5th trial arrives */
    st = jahs_test_sh(&out,
                      "%s -np 2 %s %s : -np 1 env JAHS_TEST_KILL_AFTER=4 %s "
                      "%s; echo status=$?",
                      mr, jahs_test_bin(), args, jahs_test_bin(), args);
    CHECK_EQ_INT(st, 0);
    CHECK(out && !strstr(out, "status=0"));
    free(out);
    CHECK(!jahs_path_exists(jahs_test_path("k/runs/asha/seed0.done")));
    nb = read_journal(jahs_test_path("k/runs/asha/seed0.csv"), before, 4096);
    CHECK(nb >= 4);
    jahs_test_sh(&a, "cat %s", jahs_test_path("k/runs/asha/seed0.csv"));
    /* the same command completes it: the journal grows from where it was */
    CHECK_EQ_INT(
        jahs_test_sh(NULL, "%s -np 3 %s %s", mr, jahs_test_bin(), args), 0);
    CHECK(jahs_path_exists(jahs_test_path("k/runs/asha/seed0.done")));
    jahs_test_sh(&b, "cat %s", jahs_test_path("k/runs/asha/seed0.csv"));
    /* the journal keeps what it had (it grows when budget was left: how much
     * depends on how far the other worker got before mpirun ended the job,
     * which varies with the machine's load) */
    CHECK(a && b && strlen(b) >= strlen(a) && strncmp(a, b, strlen(a)) == 0);
    na = read_journal(jahs_test_path("k/runs/asha/seed0.csv"), after, 4096);
    CHECK(na >= nb);
    for (i = nb; i < na; i++) {
        CHECK_EQ_INT(after[i].seq, i);
        CHECK(after[i].start >= before[nb - 1].end); /* the clock went on */
    }
    free(a);
    free(b);
}

JAHS_TEST(mpi_live_errors)
{
    const char *mr = mpirun();
    char f[4096], *out = NULL;
    if (!mr)
        return;
    snprintf(f, sizeof f, "%s", jahs_test_write("live.exp", live_text));
    /* two workers need three ranks */
    CHECK_EQ_INT(jahs_test_sh(&out, "%s -np 2 %s run %s --out %s", mr,
                              jahs_test_bin(), f, jahs_test_path("np2")),
                 1);
    CHECK_CONTAINS(out, "[ASHA] workers = 2 trains on 2 ranks");
    CHECK_CONTAINS(out, "start 3 ranks or more (got 2)");
    CHECK(!strstr(out, "run the same command again"));
    CHECK_EQ_INT(count(out, "jahs: error:"), 1);
    free(out);
    /* a trainer that cannot open the evaluator fails the unit, and rank 0
     * says which rank and why */
    CHECK_EQ_INT(jahs_test_sh(&out,
                              "%s -np 3 %s run %s --rows ASHA --set "
                              "synthetic=nosuch --out %s",
                              mr, jahs_test_bin(), f, jahs_test_path("bad")),
                 1);
    CHECK_CONTAINS(out, "[ASHA] seed 0: rank 1: unknown synthetic");
    CHECK_CONTAINS(out, "unknown synthetic function 'nosuch'");
    CHECK_EQ_INT(count(out, "jahs: error:"), 1);
    free(out);
}

static int no_run(void *ctx, int u, const jahs_sched_exec *ex, jahs_error *err)
{
    (void)ctx;
    (void)u;
    (void)ex;
    return JAHS_FAIL(err, JAHS_EIO, "not reached");
}

/* Without MPI running: the live mode refuses, a unit needs an executor to
 * run asynchronously, and a sweep grid is bounded. */
JAHS_TEST(mpi_errors_without_mpirun)
{
    jahs_error err = {0};
    jahs_experiment *e = jahs_experiment_parse(exp_text, "drv.exp", &err);
    char f[4096], *out = NULL;
    jahs_buf vals = {0};
    int i;
    CHECK(e != NULL);
    CHECK_EQ_INT(jahs_mpi_live(1, no_run, NULL, NULL, NULL, &err),
                 JAHS_EUNSUPPORTED);
    CHECK_CONTAINS(err.msg, "needs MPI with 2 ranks or more");
    if (e) {
        CHECK_EQ_INT(jahs_run_unit_exec(e, 0, 0, jahs_test_path("u"), NULL,
                                        &err),
                     JAHS_EINVAL);
        CHECK_CONTAINS(err.msg, "no executor");
    }
    jahs_experiment_free(e);
    /* 64 x 64 x 64 points */
    for (i = 0; i < 64; i++)
        jahs_buf_printf(&vals, "%s%d", i ? "," : "", i + 1);
    snprintf(f, sizeof f, "%s", jahs_test_write("drv.exp", exp_text));
    CHECK_EQ_INT(jahs_test_sh(&out,
                              "%s sweep %s --set seeds=%s --set max_trials=%s "
                              "--set initial_random=%s --out %s",
                              jahs_test_bin(), f, vals.data, vals.data,
                              vals.data, jahs_test_path("big")),
                 2);
    CHECK_CONTAINS(out, "a sweep of at most 100000 points");
    free(out);
    jahs_buf_free(&vals);
}

/* ---- the command evaluator under MPI ------------------------------------- */

/* evaluator = command under `mpirun -np 3`: the units (a one-worker row and
 * a two-worker row, 2 seeds) go to the ranks, each rank starts the user's
 * program with posix_spawnp (a two-worker row runs its two programs at once
 * in that rank, on the simulated clock: command rows are farmed, not split
 * over ranks), and the files are byte-identical to --jobs 1's.  The script
 * reports its own cost, so the runs are deterministic; it notes the
 * process that started it ($PPID: the rank's jahs). */
JAHS_TEST(mpi_command_evaluator_matches_one_process)
{
    const char *mr = mpirun();
    char f[4096], exp[4096], sc[1024], marks[1024], *a, *b, *out = NULL;
    int ranks = 0;
    if (!mr)
        return;
    snprintf(marks, sizeof marks, "%s", jahs_test_path("ranks"));
    snprintf(sc, sizeof sc, "%s",
             jahs_test_write(
                 "train.sh",
                 "echo \"$PPID\" >> \"$4\"\n"
                 "awk -v lr=\"$1\" -v e=\"$2\" -v t=\"$3\" 'BEGIN { "
                 "v = 40 + 100 * lr + 2 * e + t % 5; printf "
                 "\"{\\\"val\\\": %.4f, \\\"test\\\": %.4f, \\\"cost\\\": "
                 "%d}\\n\", v, v - 1, 300 * e }'\n"));
    snprintf(exp, sizeof exp,
             "name = cmd\nevaluator = command\nspace = top10\nfolds = 1\n"
             "seeds = 0, 1\nmin_epochs = 1\nmax_epochs = 9\neta = 3\n"
             "budget_hours = 2\nreport_hours = 1, 2\nreference = RS\n"
             "command = sh %s {lr} {epochs} {trial} %s\n"
             "[RS]\noptimizer = random\n[ASHA 2 workers]\noptimizer = asha\n"
             "workers = 2\n",
             sc, marks);
    snprintf(f, sizeof f, "%s", jahs_test_write("cmd.exp", exp));
    CHECK_EQ_INT(jahs_test_sh(&out,
                              "JAHS_NO_PLOTS=1 %s run %s --jobs 1 --out %s",
                              jahs_test_bin(), f, jahs_test_path("j1")),
                 0);
    free(out);
    CHECK_EQ_INT(jahs_test_sh(NULL, "rm -f '%s'", marks), 0);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s -np 3 %s run %s --out %s 2>&1", mr,
                              jahs_test_bin(), f, jahs_test_path("m3")),
                 0);
    CHECK_EQ_INT(count(out, "results in"), 1);
    free(out);
    a = snapshot(jahs_test_path("j1"));
    b = snapshot(jahs_test_path("m3"));
    CHECK(a && b && strlen(a) > 1000);
    CHECK(a && b && strcmp(a, b) == 0);
    CHECK_CONTAINS(b, "== ./runs/asha-2-workers/seed1.done");
    CHECK_CONTAINS(b, "== ./table.md");
    /* both workers of the two-worker row ran trials */
    CHECK_CONTAINS(b, "\n1,1,");
    free(a);
    free(b);
    /* the programs ran on more than one rank */
    CHECK_EQ_INT(jahs_test_sh(&out, "sort -u '%s' | wc -l", marks), 0);
    ranks = out ? atoi(out) : 0;
    free(out);
    CHECK(ranks >= 2 && ranks <= 3);
    if (ranks < 2 || ranks > 3) {
        jahs_test_sh(&out, "sort '%s' | uniq -c", marks);
        printf("  processes that ran the command:\n%s\n", out ? out : "");
        free(out);
    }
}

/* The program starts without the launcher's variables: an MPI program it
 * runs (here jahs itself, made to call MPI_Init by JAHS_MPI=1) starts as a
 * job of its own instead of failing in MPI_Init as rank 0 of a job it is
 * not part of; the user's OMPI_ALLOW_RUN_AS_ROOT stays. */
JAHS_TEST(mpi_command_program_may_use_mpi)
{
    const char *mr = mpirun();
    char f[4096], exp[4096], inner[4096], sc[2048], *out = NULL;
    if (!mr)
        return;
    snprintf(inner, sizeof inner, "%s",
             jahs_test_write("inner.exp", "name = inner\nbudget_hours = 0.2\n"
                                          "report_hours = 0.2\nseeds = 0\n"
                                          "evaluator = synthetic\n"
                                          "synthetic = cellhp\n[random]\n"
                                          "optimizer = random\n"));
    {
        char body[10240];
        snprintf(body, sizeof body,
                 "env | grep -q '^OMPI_COMM_WORLD' && exit 4\n"
                 "[ \"$OMPI_ALLOW_RUN_AS_ROOT\" = 1 ] || exit 5\n"
                 "JAHS_MPI=1 %s run %s --jobs 1 --quiet --out \"$2/in$1\" "
                 ">/dev/null || exit 6\n"
                 "echo '{\"val\": 50, \"test\": 49, \"cost\": 100}'\n",
                 jahs_test_bin(), inner);
        snprintf(sc, sizeof sc, "%s", jahs_test_write("nested.sh", body));
    }
    snprintf(exp, sizeof exp,
             "name = nested\nevaluator = command\nspace = top10\nfolds = 1\n"
             "seeds = 0, 1\nmin_epochs = 1\nmax_epochs = 1\n"
             "budget_hours = 0.1\nmax_trials = 2\n"
             "command = sh %s {trial}-{seed} %s\n[RS]\noptimizer = random\n",
             sc, jahs_test_tmpdir());
    snprintf(f, sizeof f, "%s", jahs_test_write("nested.exp", exp));
    CHECK_EQ_INT(jahs_test_sh(&out, "%s -np 2 %s run %s --out %s 2>&1", mr,
                              jahs_test_bin(), f, jahs_test_path("n")),
                 0);
    free(out);
    /* no failed trial (failures.csv would name exit 4, 5 or 6) */
    CHECK(!jahs_path_exists(jahs_test_path("n/checkpoints/rs/seed0/"
                                           "failures.csv")));
    CHECK(!jahs_path_exists(jahs_test_path("n/checkpoints/rs/seed1/"
                                           "failures.csv")));
    if (jahs_path_exists(jahs_test_path("n/checkpoints/rs/seed0/"
                                        "failures.csv"))) {
        jahs_test_sh(&out, "cat '%s'",
                     jahs_test_path("n/checkpoints/rs/seed0/failures.csv"));
        printf("  %s\n", out ? out : "");
        free(out);
    }
    /* the inner runs finished: their reports */
    CHECK(jahs_path_exists(jahs_test_path("in0-0/table.md")));
    CHECK(jahs_path_exists(jahs_test_path("in1-1/table.md")));
    CHECK_EQ_INT(jahs_test_sh(&out, "cat '%s'",
                              jahs_test_path("n/runs/rs/seed1.csv")),
                 0);
    CHECK_CONTAINS(out, ",50,49,100,");
    free(out);
}
