/*
 * test_hardening.c - issue 15: every class of the bad-input and fault
 * campaign provoked (overflowing ranges, absurd values, long paths, temp
 * files, locks, plots that fail, ...).  Each test states the class it
 * provokes.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zlib.h>

#include "core/afile.h"
#include "core/gnuplot.h"

#include "core/rng.h"
#include "data/dataset.h"
#include "data/dataset_read.h"
#include "eval/eval.h"
#include "eval/nb201_table.h"
#include "exp/experiment.h"
#include "exp/driver.h"
#include "fixture_h5.h"
#include "fixture_nb201.h"
#include "exp/rundir.h"
#include "exp/sweep.h"
#include "space/space.h"
#include "harness.h"

static const char *base_exp = "name = h\nbudget_hours = 1\n[a]\n"
                              "optimizer = random\n";

/* The experiment parsed with one override; NULL with the error in err. */
static jahs_experiment *with_set(const char *kv, jahs_error *err)
{
    jahs_experiment *e = jahs_experiment_parse(base_exp, "h.exp", err);
    if (e && jahs_experiment_set_text(e, kv, err) != 0) {
        jahs_experiment_free(e);
        return NULL;
    }
    return e;
}

static void refused(const char *kv, const char *msg)
{
    jahs_error err = {0};
    jahs_experiment *e = with_set(kv, &err);
    if (e)
        jahs_test_fail(__FILE__, __LINE__, "'%s' was accepted", kv);
    CHECK_CONTAINS(err.msg, msg);
    jahs_experiment_free(e);
}

/* class 3: seeds=0..2^64-1 wrapped to a count of 0 and wrote past the
 * 64-entry array; a range ending at 2^64-1 never ended */
JAHS_TEST(hardening_seed_ranges_do_not_overflow)
{
    jahs_error err = {0};
    jahs_experiment *e;
    refused("seeds=0..18446744073709551615", "up to 64 non-negative");
    refused("seeds=1..18446744073709551615", "up to 64 non-negative");
    refused("seeds=0..18446744073709551616", "up to 64 non-negative");
    refused("seeds=0..64", "up to 64 non-negative");
    refused("seeds=100,0..63", "up to 64 non-negative");
    refused("seeds=5..4", "up to 64 non-negative");
    refused("seeds=-1", "up to 64 non-negative");
    refused("seeds=1,2,1", "seed 1 is listed twice");
    refused("seeds=0..3,3", "seed 3 is listed twice");
    e = with_set("seeds=18446744073709551612..18446744073709551615", &err);
    CHECK(e != NULL);
    if (e) {
        CHECK_EQ_INT(e->rows[0].n_seeds, 4);
        CHECK(e->rows[0].seeds[3] == UINT64_MAX);
        CHECK(e->rows[0].seeds[0] == UINT64_MAX - 3);
    }
    jahs_experiment_free(e);
    e = with_set("seeds=0..63", &err);
    CHECK(e != NULL);
    if (e)
        CHECK_EQ_INT(e->rows[0].n_seeds, 64);
    jahs_experiment_free(e);
    /* a refused override leaves the row's seeds as they were */
    e = jahs_experiment_parse(base_exp, "h.exp", &err);
    CHECK(e != NULL);
    if (e) {
        CHECK(jahs_experiment_set_text(e, "seeds=7,7", &err) != 0);
        CHECK_EQ_INT(e->rows[0].n_seeds, 3);
        CHECK(e->rows[0].seeds[2] == 2);
    }
    jahs_experiment_free(e);
}

/* class 3: budget_hours=1e300 ran forever; curve_step_minutes=1e-300 wrote
 * an empty curves.csv and exited 0 */
JAHS_TEST(hardening_absurd_budgets_are_errors)
{
    jahs_error err = {0};
    jahs_experiment *e;
    char *out = NULL;
    refused("budget_hours=1e300", "expects a number in (0, 1000]");
    refused("budget_hours=1001", "expects a number in (0, 1000]");
    refused("budget_hours=inf", "expects a number in (0, 1000]");
    refused("budget_hours=nan", "expects a number in (0, 1000]");
    refused("budget_hours=0", "expects a number in (0, 1000]");
    refused("curve_step_minutes=1e-300", "more than 100000 curve points");
    refused("curve_step_minutes=0.0005", "more than 100000 curve points");
    e = with_set("budget_hours=1000", &err);
    CHECK(e != NULL);
    jahs_experiment_free(e);
    /* the file itself, with its line */
    e = jahs_experiment_parse("curve_step_minutes = 1e-300\n[a]\n", "c.exp",
                              &err);
    CHECK(e == NULL);
    CHECK_CONTAINS(err.msg, "c.exp:2: [a]: budget_hours (6) over "
                            "curve_step_minutes (1e-300)");
    jahs_experiment_free(e);
    /* and the command exits non-zero before writing anything */
    jahs_test_write("big.exp", "budget_hours = 1e300\n[a]\noptimizer = random\n");
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run %s --out %s", jahs_test_bin(),
                              jahs_test_path("big.exp"),
                              jahs_test_path("big")),
                 1);
    CHECK_CONTAINS(out, "big.exp:1: key 'budget_hours' expects a number in "
                        "(0, 1000]");
    free(out);
    CHECK(access(jahs_test_path("big"), F_OK) != 0);
}

/* class 3: --resume-from above --epochs, in the CLI and in every
 * evaluator's requests */
JAHS_TEST(hardening_resume_from_above_epochs)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("nb201", &err);
    jahs_eval_options eo;
    jahs_eval *ev;
    jahs_eval_request req;
    jahs_eval_result res;
    double x[JAHS_MAX_PARAMS];
    char *out = NULL;
    CHECK_EQ_INT(jahs_test_sh(&out, "%s table query --space nb201 --epochs 5 "
                                    "--resume-from 12",
                              jahs_test_bin()),
                 2);
    CHECK_CONTAINS(out, "--resume-from (12) must be at most --epochs (5)");
    free(out);
    CHECK(sp != NULL);
    if (!sp)
        return;
    jahs_eval_options_defaults(&eo);
    eo.space = sp;
    eo.synthetic = "cellhp";
    ev = jahs_eval_open(jahs_eval_find("synthetic"), &eo, &err);
    CHECK(ev != NULL);
    {
        jahs_rng *rng = jahs_rng_create(1, "test", 0, &err);
        CHECK(rng != NULL);
        if (rng)
            jahs_space_sample(sp, rng, x);
        jahs_rng_free(rng);
    }
    memset(&req, 0, sizeof req);
    req.space = sp;
    req.config = x;
    req.epochs = 5;
    req.resume_from = 12;
    if (ev) {
        CHECK_EQ_INT(jahs_eval_run(ev, &req, &res, &err), JAHS_EINVAL);
        CHECK_CONTAINS(err.msg, "5 epochs resumed from 12");
        req.resume_from = 5;
        CHECK_OK(jahs_eval_run(ev, &req, &res, &err), &err);
        req.epochs = 0;
        req.resume_from = 0;
        CHECK_EQ_INT(jahs_eval_run(ev, &req, &res, &err), JAHS_EINVAL);
    }
    jahs_eval_close(ev);
    jahs_space_free(sp);
}

/* ---- class 4: long paths are never cut ---------------------------------- */

static const char *run_exp = "name = hd\nbudget_hours = 2\n"
                             "report_hours = 1, 2\nseeds = 0\n"
                             "evaluator = synthetic\nsynthetic = cellhp\n"
                             "[random]\noptimizer = random\n";

/* dir + n components of 200 characters (malloc'd) */
static char *deep_path(const char *dir, int n)
{
    jahs_buf b = {0};
    int i, k;
    jahs_buf_puts(&b, dir);
    for (i = 0; i < n; i++) {
        jahs_buf_printf(&b, "/%02d", i);
        for (k = 0; k < 198; k++)
            jahs_buf_puts(&b, "d");
    }
    return b.data;
}

/* the number of files named name under the test directory */
static long count_named(const char *name)
{
    char *out = NULL;
    long n = -1;
    if (jahs_test_sh(&out, "find %s -name %s | wc -l", jahs_test_tmpdir(),
                     name) == 0 && out)
        n = strtol(out, NULL, 10);
    free(out);
    return n;
}

/* class 4: an --out of 2,049 characters wrote every report file to one cut
 * sibling path and exited 0 */
JAHS_TEST(hardening_long_paths_are_not_cut)
{
    const char *f = jahs_test_write("hd.exp", run_exp);
    char *out = NULL, *deep = deep_path(jahs_test_path("long"), 12);
    char *too = deep_path(jahs_test_path("toolong"), 25), *p;
    jahs_buf want = {0};
    CHECK(strlen(deep) > 2400 && strlen(too) > 4096);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run %s --out %s --quiet",
                              jahs_test_bin(), f, deep),
                 0);
    free(out);
    jahs_buf_printf(&want, "%s/table.md", deep);
    CHECK(access(want.data, F_OK) == 0);
    jahs_buf_reset(&want);
    jahs_buf_printf(&want, "%s/runs/random/seed0.csv", deep);
    CHECK(access(want.data, F_OK) == 0);
    CHECK_EQ_INT(count_named("table.md"), 1);
    CHECK_EQ_INT(count_named("claims.md"), 1);
    /* a path the system cannot hold: an error naming it, nothing written */
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run %s --out %s --quiet",
                              jahs_test_bin(), f, too),
                 1);
    CHECK_CONTAINS(out, "File name too long");
    free(out);
    CHECK_EQ_INT(count_named("table.md"), 1);
    /* the default table path is built without a limit either */
    setenv("JAHS_TABLE_DIR", deep, 1);
    p = jahs_table_path_for(jahs_nb201_dataset_find("cifar10"));
    jahs_buf_reset(&want);
    jahs_buf_printf(&want, "%s/nb201_cifar10.h5", deep);
    CHECK_STR(p, want.data);
    free(p);
    unsetenv("JAHS_TABLE_DIR");
    jahs_buf_free(&want);
    free(deep);
    free(too);
}

/* class 4: names kept in fixed fields are refused when too long, not cut */
JAHS_TEST(hardening_long_names_are_refused)
{
    jahs_error err = {0};
    jahs_buf text = {0}, path = {0};
    jahs_experiment *e;
    int i;
    const char *axes[1];
    jahs_sweep *s;
    jahs_buf_puts(&text, "[");
    for (i = 0; i < 300; i++)
        jahs_buf_puts(&text, "x");
    jahs_buf_puts(&text, "]\n");
    e = jahs_experiment_parse(text.data, "l.exp", &err);
    CHECK(e == NULL);
    CHECK_CONTAINS(err.msg, "l.exp:1: row label of 300 characters (at most 255)");
    jahs_experiment_free(e);
    for (i = 0; i < 1100; i++)
        jahs_buf_puts(&path, "p");
    e = jahs_experiment_parse(run_exp, path.data, &err);
    CHECK(e == NULL);
    CHECK_CONTAINS(err.msg, "experiment file path of 1100 characters");
    jahs_experiment_free(e);
    /* a sweep point whose directory name would be cut (two points could
     * share it) */
    jahs_buf_reset(&text);
    jahs_buf_puts(&text, "description=");
    for (i = 0; i < 300; i++)
        jahs_buf_puts(&text, "v");
    jahs_buf_puts(&text, ",w");
    axes[0] = text.data;
    s = jahs_sweep_create(jahs_test_write("sw.exp", run_exp), axes, 1,
                          jahs_test_path("sw"), NULL, &err);
    CHECK(s == NULL);
    CHECK_CONTAINS(err.msg, "is longer than 255 characters");
    jahs_sweep_free(s);
    jahs_buf_free(&text);
    jahs_buf_free(&path);
}

/* ---- class 5: temporaries, external programs' output, refused runs ------ */

/* class 5: temporaries were "<path>.tmp.<pid>" opened with fopen "wb"
 * (predictable, followed through symlinks) and stayed when killed */
JAHS_TEST(hardening_temp_files_are_exclusive_and_removed_on_signals)
{
    jahs_error err = {0};
    const char *path = jahs_test_path("t/out.csv");
    char *a = jahs_afile_tmp_create(path, NULL, &err);
    char *b = jahs_afile_tmp_create(path, NULL, &err);
    struct stat st;
    mode_t mask = umask(022);
    int sigs[2] = {SIGTERM, SIGINT}, k;
    umask(mask);
    CHECK(a && b);
    if (!a || !b)
        return;
    CHECK(strcmp(a, b) != 0);
    CHECK_EQ_INT(jahs_afile_tmp_count(path), 2);
    /* created with O_EXCL, so never a file (or link) that was there */
    CHECK(strncmp(a, path, strlen(path)) == 0);
    CHECK(stat(a, &st) == 0 && (st.st_mode & 0777) == (0666 & ~mask));
    jahs_afile_tmp_remove(a);
    CHECK_OK(jahs_afile_tmp_commit(b, path, &err), &err);
    CHECK_EQ_INT(jahs_afile_tmp_count(path), 0);
    CHECK(access(path, F_OK) == 0);
    /* a process killed by SIGTERM / SIGINT while a temporary exists */
    for (k = 0; k < 2; k++) {
        int st2 = 0;
        pid_t pid = fork();
        if (pid == 0) {
            jahs_afile af;
            if (jahs_afile_open(&af, path, NULL) != 0)
                _exit(3);
            fputs("half", af.f);
            fflush(af.f);
            raise(sigs[k]);
            _exit(4); /* not reached */
        }
        CHECK(pid > 0);
        CHECK(waitpid(pid, &st2, 0) == pid);
        if (!WIFSIGNALED(st2))
            printf("  signal %d: the child %s %d\n", sigs[k],
                   WIFEXITED(st2) ? "exited with" : "ended with wait status",
                   WIFEXITED(st2) ? WEXITSTATUS(st2) : st2);
        CHECK(WIFSIGNALED(st2));
        if (WIFSIGNALED(st2))
            CHECK_EQ_INT(WTERMSIG(st2), sigs[k]);
        CHECK_EQ_INT(jahs_afile_tmp_count(path), 0);
    }
    /* an unwritable directory: an error naming the temporary */
    CHECK(jahs_afile_tmp_create(jahs_test_path("t/out.csv/x"), NULL, &err) ==
          NULL);
    CHECK_CONTAINS(err.msg, "out.csv");
}

/* the whole of a file written by a test (bytes, not text) */
static const char *write_bytes(const char *name, const void *data, size_t n)
{
    const char *p = jahs_test_path(name);
    FILE *f = fopen(p, "wb");
    if (f) {
        fwrite(data, 1, n, f);
        fclose(f);
    }
    return p;
}

/* class 5: gnuplot exiting 0 after a full disk left a truncated PNG that
 * was renamed into place */
JAHS_TEST(hardening_gnuplot_images_are_checked)
{
    static const unsigned char png[] = {
        0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D',
        'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0, 0x3a, 0x7e, 0x9b, 0x55, 0, 0,
        0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
    static const char svg[] = "<?xml version=\"1.0\"?>\n<svg></svg>\n\n";
    jahs_error err = {0};
    CHECK_OK(jahs_gnuplot_check_image(write_bytes("ok.png", png, sizeof png),
                                      1, "ok.png", &err),
             &err);
    CHECK_OK(jahs_gnuplot_check_image(write_bytes("ok.svg", svg, strlen(svg)),
                                      0, "ok.svg", &err),
             &err);
    CHECK_EQ_INT(jahs_gnuplot_check_image(write_bytes("e.png", "", 0), 1,
                                          "e.png", &err),
                 JAHS_EIO);
    CHECK_CONTAINS(err.msg, "gnuplot's 'e.png' is empty");
    CHECK_EQ_INT(jahs_gnuplot_check_image(
                     write_bytes("cut.png", png, sizeof png - 5), 1, "cut.png",
                     &err),
                 JAHS_EIO);
    CHECK_CONTAINS(err.msg, "'cut.png' is truncated (no IEND chunk");
    CHECK_EQ_INT(jahs_gnuplot_check_image(write_bytes("t.png", svg, strlen(svg)),
                                          1, "t.png", &err),
                 JAHS_EIO);
    CHECK_CONTAINS(err.msg, "is not a PNG");
    CHECK_EQ_INT(jahs_gnuplot_check_image(write_bytes("cut.svg", svg, 25), 0,
                                          "cut.svg", &err),
                 JAHS_EIO);
    CHECK_CONTAINS(err.msg, "'cut.svg' is truncated (no closing </svg>)");
    CHECK_EQ_INT(jahs_gnuplot_check_image(write_bytes("p.svg", png, sizeof png),
                                          0, "p.svg", &err),
                 JAHS_EIO);
    CHECK_CONTAINS(err.msg, "is not an SVG");
    CHECK_EQ_INT(jahs_gnuplot_check_image(jahs_test_path("none.svg"), 0,
                                          "none.svg", &err),
                 JAHS_EIO);
    CHECK_CONTAINS(err.msg, "gnuplot wrote no 'none.svg'");
}

/* A results directory of run_exp, reported; 0 or the exit status. */
static int run_into(const char *out, const char *env, char **output)
{
    const char *f = jahs_test_write("hd.exp", run_exp);
    return jahs_test_sh(output, "%s %s run %s --out %s --quiet", env ? env : "",
                        jahs_test_bin(), f, out);
}

/* class 5: a "gnuplot" that exits 0 and writes nothing (a full disk): an
 * error, no image renamed into place, no temporary left; one that fails: an
 * error too */
JAHS_TEST(hardening_report_fails_on_bad_plots)
{
    char *out = NULL, *dir = jahs_strdup(jahs_test_path("r"));
    jahs_buf env = {0};
    CHECK(mkdir(jahs_test_path("bin"), 0755) == 0);
    CHECK(mkdir(jahs_test_path("bin2"), 0755) == 0);
    jahs_test_write("bin/gnuplot", "#!/bin/sh\nexit 0\n");
    jahs_test_write("bin2/gnuplot", "#!/bin/sh\nexit 1\n");
    CHECK(chmod(jahs_test_path("bin/gnuplot"), 0755) == 0);
    CHECK(chmod(jahs_test_path("bin2/gnuplot"), 0755) == 0);
    jahs_buf_printf(&env, "PATH=%s:$PATH", jahs_test_path("bin"));
    CHECK_EQ_INT(run_into(dir, env.data, &out), 1);
    CHECK_CONTAINS(out, "curves.svg' is empty (disk full, or gnuplot killed?)");
    free(out);
    CHECK(access(jahs_test_path("r/curves.svg"), F_OK) != 0);
    CHECK(access(jahs_test_path("r/curves.png"), F_OK) != 0);
    CHECK_EQ_INT(jahs_afile_tmp_count(jahs_test_path("r/curves.svg")), 0);
    CHECK_EQ_INT(jahs_afile_tmp_count(jahs_test_path("r/curves.png")), 0);
    jahs_buf_reset(&env);
    jahs_buf_printf(&env, "PATH=%s:$PATH", jahs_test_path("bin2"));
    CHECK_EQ_INT(jahs_test_sh(&out, "%s %s report %s", env.data,
                              jahs_test_bin(), dir),
                 1);
    CHECK_CONTAINS(out, "gnuplot failed on '");
    free(out);
    CHECK_EQ_INT(jahs_afile_tmp_count(jahs_test_path("r/curves.svg")), 0);
    /* plots switched off: said so, not "gnuplot not found" */
    CHECK_EQ_INT(jahs_test_sh(&out, "JAHS_NO_PLOTS=1 JAHS_QUIET= %s report %s",
                              jahs_test_bin(), dir),
                 0);
    CHECK_CONTAINS(out, "plots are switched off ($JAHS_NO_PLOTS is set)");
    CHECK(!strstr(out, "not found"));
    free(out);
    free(dir);
    jahs_buf_free(&env);
}

/* class 1: a results path with quotes, $(...) and a newline reaches no
 * shell and no gnuplot command; the kept script is the same for every
 * directory and every run (no temporary path in it) */
JAHS_TEST(hardening_gnuplot_scripts_are_escaped_and_stable)
{
    jahs_error err = {0};
    jahs_experiment *e;
    jahs_run_options ro;
    jahs_buf pwned = {0}, odd = {0}, gp = {0};
    const char *names[2] = {"plain", NULL};
    char *text[2] = {NULL, NULL};
    int k;
    if (!jahs_gnuplot_enabled()) {
        jahs_test_skip("gnuplot is not installed");
        return;
    }
    jahs_buf_printf(&pwned, "%s", jahs_test_path("pwned"));
    jahs_buf_printf(&odd, "a'$(touch %s)'\"\nset output \"x\"\\", pwned.data);
    names[1] = odd.data;
    e = jahs_experiment_parse(run_exp, jahs_test_write("hd.exp", run_exp),
                              &err);
    CHECK(e != NULL);
    for (k = 0; e && k < 2; k++) {
        char *dir = jahs_path_join(jahs_test_tmpdir(), names[k]), *p;
        jahs_run_options_defaults(&ro);
        ro.outdir = dir;
        ro.quiet = 1;
        ro.jobs = 1;
        CHECK_OK(jahs_run_experiment(e, &ro, &err), &err);
        p = jahs_path_join(dir, "curves.gp");
        CHECK_OK(jahs_read_file(p, &text[k], NULL, &err), &err);
        free(p);
        p = jahs_path_join(dir, "curves.png");
        CHECK_OK(jahs_gnuplot_check_image(p, 1, p, &err), &err);
        CHECK_EQ_INT(jahs_afile_tmp_count(p), 0);
        free(p);
        p = jahs_path_join(dir, "curves.svg");
        CHECK_OK(jahs_gnuplot_check_image(p, 0, p, &err), &err);
        free(p);
        free(dir);
    }
    CHECK(access(pwned.data, F_OK) != 0);
    CHECK(text[0] && text[1]);
    if (text[0] && text[1]) {
        CHECK_STR(text[0], text[1]);
        CHECK(!strstr(text[0], ".tmp."));
        CHECK(!strstr(text[0], jahs_test_tmpdir()));
    }
    /* the escaping itself */
    jahs_gnuplot_escape(&gp, "a\"b\\c\nd\001e");
    CHECK_STR(gp.data, "a\\\"b\\\\c\\nd\\001e");
    for (k = 0; k < 2; k++)
        free(text[k]);
    jahs_experiment_free(e);
    jahs_buf_free(&pwned);
    jahs_buf_free(&odd);
    jahs_buf_free(&gp);
}

/* class 5: a run refused for other settings rewrote overrides.txt, after
 * which `jahs report` used the wrong budget */
JAHS_TEST(hardening_refused_run_keeps_overrides)
{
    const char *f = jahs_test_write("hd.exp", run_exp);
    const char *dir = jahs_test_path("ov");
    char *out = NULL, *before = NULL, *after = NULL, *exp_before = NULL;
    char *exp_after = NULL;
    jahs_error err = {0};
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run %s --out %s --quiet --set "
                                    "budget_hours=0.5",
                              jahs_test_bin(), f, dir),
                 0);
    free(out);
    CHECK_OK(jahs_read_file(jahs_test_path("ov/overrides.txt"), &before, NULL,
                            &err),
             &err);
    CHECK_OK(jahs_read_file(jahs_test_path("ov/experiment.exp"), &exp_before,
                            NULL, &err),
             &err);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run %s --out %s --quiet --set "
                                    "budget_hours=0.25",
                              jahs_test_bin(), f, dir),
                 1);
    CHECK_CONTAINS(out, "was made with other settings");
    free(out);
    CHECK_OK(jahs_read_file(jahs_test_path("ov/overrides.txt"), &after, NULL,
                            &err),
             &err);
    CHECK_OK(jahs_read_file(jahs_test_path("ov/experiment.exp"), &exp_after,
                            NULL, &err),
             &err);
    CHECK_STR(after, before);
    CHECK_STR(exp_after, exp_before);
    CHECK_CONTAINS(after, "budget_hours=0.5");
    free(before);
    free(after);
    free(exp_before);
    free(exp_after);
}

/* class 2: the lock of a process that died (SIGKILL) is not held: flock
 * locks die with their process, so a stale lock file never blocks */
JAHS_TEST(hardening_stale_lock_of_a_dead_process)
{
    jahs_error err = {0};
    const char *dir = jahs_test_path("lk");
    jahs_rundir_lock *lock = NULL;
    int fds[2], st = 0;
    char c = 0;
    pid_t pid;
    CHECK(pipe(fds) == 0);
    pid = fork();
    if (pid == 0) {
        jahs_rundir_lock *l = NULL;
        char ok = jahs_rundir_lock_take(dir, &l, NULL) == 0 ? 'y' : 'n';
        if (write(fds[1], &ok, 1) != 1)
            _exit(2);
        pause(); /* holds it until killed */
        _exit(0);
    }
    CHECK(pid > 0);
    CHECK(read(fds[0], &c, 1) == 1);
    CHECK_EQ_INT(c, 'y');
    CHECK_EQ_INT(jahs_rundir_lock_take(dir, &lock, &err), JAHS_ESTATE);
    CHECK_CONTAINS(err.msg, "is in use by another jahs process");
    kill(pid, SIGKILL);
    CHECK(waitpid(pid, &st, 0) == pid);
    CHECK_OK(jahs_rundir_lock_take(dir, &lock, &err), &err);
    jahs_rundir_unlock(lock);
    close(fds[0]);
    close(fds[1]);
}

/* ---- class 2: journals checked on read; class 6: readers never write ---- */

/* Set column `col` of line `line` (1 = header) of the CSV at path to v, or
 * duplicate that line when col is NULL. */
static void edit_csv(const char *path, int line, const char *col,
                     const char *v)
{
    jahs_error err = {0};
    char *text = NULL, *save = NULL, *l;
    jahs_buf out = {0};
    int k = 0, idx = -1;
    CHECK_OK(jahs_read_file(path, &text, NULL, &err), &err);
    if (!text)
        return;
    for (l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        k++;
        if (k == 1 && col) { /* the column's index */
            char *h = jahs_strdup(l), *s2 = NULL, *f;
            int i = 0;
            for (f = strtok_r(h, ",", &s2); f; f = strtok_r(NULL, ",", &s2), i++)
                if (strcmp(f, col) == 0)
                    idx = i;
            free(h);
            CHECK(idx >= 0);
        }
        if (k == line && !col) {
            jahs_buf_printf(&out, "%s\n%s\n", l, l);
            continue;
        }
        if (k == line) { /* fields have no quotes in journals of numbers */
            char *s2 = NULL, *f, *copy = jahs_strdup(l);
            int i = 0;
            for (f = strtok_r(copy, ",", &s2); f;
                 f = strtok_r(NULL, ",", &s2), i++)
                jahs_buf_printf(&out, "%s%s", i ? "," : "", i == idx ? v : f);
            jahs_buf_puts(&out, "\n");
            free(copy);
            continue;
        }
        jahs_buf_printf(&out, "%s\n", l);
    }
    CHECK_OK(jahs_afile_write(path, out.data, out.len, &err), &err);
    jahs_buf_free(&out);
    free(text);
}

/* A finished results directory of run_exp at name (fresh), its journal
 * path into journal (static). */
static const char *fresh_rundir(const char *name, const char **journal)
{
    static char dir[1024], jp[1200];
    char *out = NULL;
    snprintf(dir, sizeof dir, "%s", jahs_test_path(name));
    jahs_test_sh(&out, "rm -rf '%s'", dir);
    free(out);
    CHECK_EQ_INT(run_into(dir, "JAHS_NO_PLOTS=1", &out), 0);
    free(out);
    snprintf(jp, sizeof jp, "%s/runs/random/seed0.csv", dir);
    *journal = jp;
    return dir;
}

/* `jahs report dir` fails and its output contains msg */
static void report_fails(const char *dir, const char *msg)
{
    char *out = NULL;
    CHECK_EQ_INT(jahs_test_sh(&out, "JAHS_NO_PLOTS=1 %s report %s",
                              jahs_test_bin(), dir),
                 1);
    CHECK_CONTAINS(out, msg);
    free(out);
}

/* class 2: two writers interleaved a journal (duplicate seq rows) and the
 * report took it; rows out of range for the settings were read as data */
JAHS_TEST(hardening_journals_are_checked_on_read)
{
    const char *j, *dir;
    char *out = NULL;
    dir = fresh_rundir("jr", &j);
    edit_csv(j, 3, NULL, NULL); /* row 2 twice */
    report_fails(dir, "seed0.csv:4: seq 1 where 2 was expected (a gap or a "
                      "duplicate");
    /* a rerun rechecks (the unit is finished, its report reads it) */
    CHECK_EQ_INT(run_into(dir, "JAHS_NO_PLOTS=1", &out), 1);
    CHECK_CONTAINS(out, "seq 1 where 2 was expected");
    free(out);
    {
        static const struct {
            int line;
            const char *col, *v, *msg;
        } cases[] = {
            {4, "seq", "7", "seed0.csv:4: seq 7 where 2 was expected"},
            {3, "epochs", "9999", "seed0.csv:3: epochs 9999 outside 1.."},
            {2, "cost", "-1", "seed0.csv:2: cost -1 (expected a finite cost"},
            {2, "cost_f0", "nan", "seed0.csv:2: fold 0:"},
            {2, "end", "nan", "seed0.csv:2: times start"},
            {2, "test", "inf", "seed0.csv:2: accuracy val"},
            {2, "worker", "3", "seed0.csv:2: worker 3 outside 0..0"},
            {2, "resume_from", "300", "seed0.csv:2: resume_from 300 outside"},
            {3, "inc_trial", "77", "seed0.csv:3: incumbent (trial 77"},
        };
        size_t k;
        for (k = 0; k < JAHS_ARRAY_LEN(cases); k++) {
            dir = fresh_rundir("jr", &j);
            edit_csv(j, cases[k].line, cases[k].col, cases[k].v);
            report_fails(dir, cases[k].msg);
        }
    }
    /* .done disagreeing with the rows */
    dir = fresh_rundir("jr", &j);
    {
        jahs_buf d = {0};
        jahs_buf_printf(&d, "%s/runs/random/seed0.done", dir);
        CHECK_EQ_INT(jahs_test_sh(&out, "sed -i 's/^trials = .*/trials = 1/' %s",
                                  d.data),
                     0);
        free(out);
        report_fails(dir, "seed0.done' says 1 trials, its journal");
        jahs_buf_free(&d);
    }
}

/* "path size mtime md5" of every file under dir, sorted (malloc'd) */
static char *snapshot(const char *dir)
{
    char *out = NULL;
    jahs_test_sh(&out,
                 "cd %s && find . -printf '%%p %%s %%T@ %%m\\n' | sort && find "
                 ". -type f -exec md5sum {} + | sort",
                 dir);
    return out;
}

/* class 6: report, analyze importance and export deepcave repaired torn
 * journal lines in place and failed on a read-only directory */
JAHS_TEST(hardening_readers_never_modify_their_input)
{
    const char *j, *dir;
    char *before, *after, *out = NULL, *probe;
    int root_like;
    FILE *f;
    dir = fresh_rundir("ro", &j);
    f = fopen(j, "ab"); /* a torn last line: a run killed mid-write */
    if (f) {
        fputs("17,0,1.5,2", f);
        fclose(f);
    }
    CHECK_EQ_INT(jahs_test_sh(&out, "chmod -R a-w %s", dir), 0);
    free(out);
    /* chmod does not stop root: say so, and still check nothing changed */
    probe = jahs_path_join(dir, "probe");
    f = probe ? fopen(probe, "w") : NULL;
    root_like = f != NULL;
    if (f) {
        fclose(f);
        remove(probe);
        printf("  (running as root: chmod -w does not stop writes here; "
               "checking that the input is unchanged instead)\n");
    }
    free(probe);
    before = snapshot(dir);
    CHECK_EQ_INT(jahs_test_sh(&out, "JAHS_NO_PLOTS=1 %s report %s --out %s",
                              jahs_test_bin(), dir, jahs_test_path("rep")),
                 0);
    free(out);
    CHECK(access(jahs_test_path("rep/table.md"), F_OK) == 0);
    CHECK_EQ_INT(jahs_test_sh(&out, "JAHS_NO_PLOTS=1 %s analyze importance %s "
                                    "--out %s --trees 4",
                              jahs_test_bin(), dir, jahs_test_path("imp")),
                 0);
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s export deepcave %s %s",
                              jahs_test_bin(), dir, jahs_test_path("dc")),
                 0);
    free(out);
    after = snapshot(dir);
    CHECK(before && after);
    if (before && after && strcmp(before, after) != 0) {
        char *d = NULL;
        jahs_test_write("before.txt", before);
        jahs_test_write("after.txt", after);
        jahs_test_sh(&d, "diff %s %s", jahs_test_path("before.txt"),
                     jahs_test_path("after.txt"));
        jahs_test_fail(__FILE__, __LINE__, "the input changed:\n%s",
                       d ? d : "");
        free(d);
    }
    if (!root_like) { /* and the report into the read-only dir is refused */
        CHECK(jahs_test_sh(&out, "JAHS_NO_PLOTS=1 %s report %s",
                           jahs_test_bin(), dir) != 0);
        free(out);
    }
    jahs_test_sh(&out, "chmod -R u+w %s", dir);
    free(out);
    /* the run that resumes (an unfinished unit) cuts the torn line off */
    {
        jahs_buf done = {0}; /* seed0.csv -> seed0.done */
        jahs_buf_printf(&done, "%.*sdone", (int)(strlen(j) - 3), j);
        CHECK(remove(done.data) == 0);
        jahs_buf_free(&done);
    }
    CHECK_EQ_INT(run_into(dir, "JAHS_NO_PLOTS=1", &out), 0);
    free(out);
    {
        char *text = NULL;
        jahs_error err = {0};
        CHECK_OK(jahs_read_file(j, &text, NULL, &err), &err);
        CHECK(text && !strstr(text, "17,0,1.5,2"));
        free(text);
    }
    free(before);
    free(after);
}

/* ---- class 7: binary inputs are verified ---------------------------------- */

/* class 7: a flipped byte in a table changed results silently; corrupt
 * HDF5 must never reach a read past a buffer (make check runs this under
 * ASan).  A table carries the jahs checksum of the whole file (core/h5.h),
 * so every flipped copy is refused before libhdf5 reads it, naming the
 * file (test_h5safe.c seals flipped copies again to fuzz what is behind). */
JAHS_TEST(hardening_flipped_tables_are_errors)
{
    const char *src = fx_nb201_path("cifar100");
    char *data = NULL;
    size_t len = 0, k, n_fail = 0, n_flips = 96;
    jahs_error err = {0};
    const char *copy = jahs_test_path("flip.h5");
    if (!src) {
        jahs_test_skip("no NB201 CSV under ../shared (fixture_nb201)");
        return;
    }
    CHECK_OK(jahs_read_file(src, &data, &len, &err), &err);
    if (!data)
        return;
    for (k = 0; k < n_flips; k++) {
        /* spread over the file, metadata and chunks alike */
        size_t at = (size_t)((double)len * (k + 0.5) / n_flips);
        jahs_nb201_table *t;
        FILE *f = fopen(copy, "wb");
        CHECK(f != NULL);
        if (!f)
            break;
        data[at] ^= 0x5a;
        fwrite(data, 1, len, f);
        fclose(f);
        data[at] ^= 0x5a;
        memset(&err, 0, sizeof err);
        t = jahs_nb201_table_open(copy, &err);
        if (!t) {
            n_fail++;
            CHECK_CONTAINS(err.msg, "flip.h5");
            CHECK_CONTAINS(err.msg, "checksum mismatch");
        }
        jahs_nb201_table_free(t);
    }
    printf("  %zu of %zu flipped copies refused\n", n_fail, n_flips);
    CHECK_EQ_INT((int)n_fail, (int)n_flips);
    free(data);
}

/* class 7: a table with NaN / inf / negative values was accepted and gave
 * NaN accuracies or negative costs */
JAHS_TEST(hardening_table_values_are_checked)
{
    static const struct {
        const char *ds;
        double v;
        const char *msg;
    } cases[] = {
        {"train_time_200", -1, "dataset 'train_time_200' has -1 for cell 7 "
                               "(expected a finite time > 0)"},
        {"valid_12", NAN, "dataset 'valid_12' has nan for cell 7"},
        {"test_200_mean", INFINITY, "dataset 'test_200_mean' has inf"},
        {"params_M", -3, "dataset 'params_M' has -3"},
        {"valid_12", 100.5, "(expected an accuracy in [0, 100])"},
    };
    const char *src = fx_nb201_path("cifar100");
    char *out = NULL;
    size_t k;
    if (!src) {
        jahs_test_skip("no NB201 CSV under ../shared (fixture_nb201)");
        return;
    }
    for (k = 0; k < JAHS_ARRAY_LEN(cases); k++) {
        jahs_error err = {0};
        const char *copy = jahs_test_path("poked.h5");
        jahs_nb201_table *t;
        CHECK_EQ_INT(jahs_test_sh(&out, "cp %s %s", src, copy), 0);
        free(out);
        fx_h5_poke(copy, cases[k].ds, 0, H5T_NATIVE_DOUBLE, 7, 1, &cases[k].v);
        t = jahs_nb201_table_open(copy, &err);
        CHECK(t == NULL);
        CHECK_CONTAINS(err.msg, cases[k].msg);
        jahs_nb201_table_free(t);
    }
}

/* class 7: an IDX header declaring 4096 x 4096 images allocated gigabytes
 * before failing; now the file's size is checked first */
JAHS_TEST(hardening_idx_sizes_checked_before_allocating)
{
    static const unsigned char img[16] = {0, 0, 8, 3, 0, 0, 3, 0xe8,
                                          0, 0, 0x10, 0, 0, 0, 0x10, 0};
    static const unsigned char lab[8] = {0, 0, 8, 1, 0, 0, 3, 0xe8};
    jahs_error err = {0};
    jahs_dataset *d;
    gzFile g;
    jahs_buf spec = {0};
    CHECK(mkdir(jahs_test_path("idx"), 0755) == 0);
    CHECK(mkdir(jahs_test_path("idxgz"), 0755) == 0);
    write_bytes("idx/train-images-idx3-ubyte", img, sizeof img);
    write_bytes("idx/train-labels-idx1-ubyte", lab, sizeof lab);
    jahs_buf_printf(&spec, "mnist:%s", jahs_test_path("idx"));
    d = jahs_dataset_load(spec.data, JAHS_SPLIT_TRAIN, &err);
    CHECK(d == NULL);
    CHECK_CONTAINS(err.msg, "train-images-idx3-ubyte' is 16 bytes but its "
                            "header declares 16777216016");
    jahs_dataset_free(d);
    g = gzopen(jahs_test_path("idxgz/train-images-idx3-ubyte.gz"), "wb");
    CHECK(g != NULL);
    if (g) {
        gzwrite(g, img, sizeof img);
        gzclose(g);
    }
    write_bytes("idxgz/train-labels-idx1-ubyte", lab, sizeof lab);
    jahs_buf_reset(&spec);
    jahs_buf_printf(&spec, "mnist:%s", jahs_test_path("idxgz"));
    d = jahs_dataset_load(spec.data, JAHS_SPLIT_TRAIN, &err);
    CHECK(d == NULL);
    CHECK_CONTAINS(err.msg, "cannot hold the 16777216016 bytes its header "
                            "declares");
    jahs_dataset_free(d);
    jahs_buf_free(&spec);
}

/* class 9: messages that misled */
JAHS_TEST(hardening_messages_name_the_right_cause)
{
    char *out = NULL;
    jahs_buf e = {0};
    char *cwd;
    /* a missing h5: dataset is not a table to build */
    CHECK(jahs_test_sh(&out, "%s data info h5:%s", jahs_test_bin(),
                       jahs_test_path("none.h5")) != 0);
    CHECK_CONTAINS(out, "none.h5': no such file");
    CHECK(!strstr(out, "make tables"));
    free(out);
    /* a missing table is */
    CHECK(jahs_test_sh(&out, "%s table stats --table %s", jahs_test_bin(),
                       jahs_test_path("none.h5")) != 0);
    CHECK_CONTAINS(out, "make tables");
    free(out);
    /* a relative paper_table, from another directory: which directory */
    cwd = getcwd(NULL, 0);
    jahs_buf_printf(&e, "paper_table = tables/paper/table1.csv\n%s", run_exp);
    jahs_test_write("pt.exp", e.data);
    CHECK_EQ_INT(jahs_test_sh(&out, "cd %s && JAHS_NO_PLOTS=1 %s%s%s run pt.exp "
                                    "--out pt --quiet",
                              jahs_test_tmpdir(),
                              jahs_test_bin()[0] == '/' ? "" : cwd,
                              jahs_test_bin()[0] == '/' ? "" : "/",
                              jahs_test_bin()),
                 1);
    free(cwd);
    CHECK_CONTAINS(out, "relative paths are read from the current directory");
    free(out);
    jahs_buf_free(&e);
}

/* class 8: --fresh kept a unit's live checkpoints, and their identity
 * lacked the data, subset and folds, so a rerun on other data resumed
 * them */
JAHS_TEST(hardening_fresh_discards_live_checkpoints)
{
    jahs_error err = {0};
    jahs_experiment *e = jahs_experiment_parse(run_exp, "h.exp", &err);
    const char *dir = jahs_test_path("fr");
    char *ck = NULL;
    jahs_buf f = {0}, other = {0};
    CHECK(e != NULL);
    if (!e)
        return;
    ck = jahs_rundir_checkpoints(dir, &e->rows[0]);
    CHECK_STR(ck, jahs_test_path("fr/checkpoints/random"));
    jahs_buf_printf(&f, "%s/seed0/config3-fold0.h5", ck);
    jahs_buf_printf(&other, "%s/seed1/config3-fold0.h5", ck);
    CHECK_OK(jahs_afile_write(f.data, "x", 1, &err), &err);
    CHECK_OK(jahs_afile_write(other.data, "x", 1, &err), &err);
    CHECK_OK(jahs_rundir_unit_discard(dir, &e->rows[0], 0, &err), &err);
    CHECK(access(f.data, F_OK) != 0);
    CHECK(access(other.data, F_OK) == 0); /* another unit's are kept */
    free(ck);
    jahs_buf_free(&f);
    jahs_buf_free(&other);
    jahs_experiment_free(e);
}

/* Replace dataset name of the HDF5 file at path by a 1-D dataset of n
 * values of type ft (from doubles). */
static void replace_labels(const char *path, const char *name, hid_t ft,
                           const double *v, hsize_t n)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT), sp = -1, d = -1;
    herr_t st = -1;
    if (f >= 0 && H5Ldelete(f, name, H5P_DEFAULT) >= 0 &&
        (sp = H5Screate_simple(1, &n, NULL)) >= 0 &&
        (d = H5Dcreate2(f, name, ft, sp, H5P_DEFAULT, H5P_DEFAULT,
                        H5P_DEFAULT)) >= 0)
        st = H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    CHECK(st >= 0);
    if (d >= 0)
        H5Dclose(d);
    if (sp >= 0)
        H5Sclose(sp);
    if (f >= 0)
        H5Fclose(f);
    { /* the edit is the test's: seal it so the label checks judge it */
        jahs_error err = {0};
        CHECK_OK(jahs_h5_seal(path, &err), &err);
    }
}

/* class 7: HDF5 image files with float or negative labels were converted
 * silently */
JAHS_TEST(hardening_h5_image_labels_are_checked)
{
    jahs_error err = {0};
    jahs_dataset *tr = jahs_dataset_alloc("toy", 4, 2, 2, 1, 3, "toy", &err);
    jahs_dataset *te = jahs_dataset_alloc("toy", 4, 2, 2, 1, 3, "toy", &err);
    const char *path = jahs_test_path("toy.h5");
    static const double fl[4] = {0, 1.5, 2, 1}, neg[4] = {0, -1, 2, 1};
    jahs_dataset *d;
    jahs_buf spec = {0};
    int i;
    CHECK(tr && te);
    if (!tr || !te)
        goto out;
    for (i = 0; i < 4; i++)
        tr->labels[i] = te->labels[i] = (uint8_t)(i % 3);
    CHECK_OK(jahs_dataset_save_h5(tr, te, path, &err), &err);
    jahs_buf_printf(&spec, "h5:%s", path);
    d = jahs_dataset_load(spec.data, JAHS_SPLIT_TRAIN, &err);
    CHECK(d != NULL); /* the valid file loads */
    jahs_dataset_free(d);
    replace_labels(path, "train/labels", H5T_IEEE_F64LE, fl, 4);
    d = jahs_dataset_load(spec.data, JAHS_SPLIT_TRAIN, &err);
    CHECK(d == NULL);
    CHECK_CONTAINS(err.msg, "dataset 'train/labels' is not stored as integers");
    jahs_dataset_free(d);
    replace_labels(path, "train/labels", H5T_STD_I32LE, neg, 4);
    d = jahs_dataset_load(spec.data, JAHS_SPLIT_TRAIN, &err);
    CHECK(d == NULL);
    CHECK_CONTAINS(err.msg, "label -1 of image 1 in 'train/labels'");
    jahs_dataset_free(d);
out:
    jahs_buf_free(&spec);
    jahs_dataset_free(tr);
    jahs_dataset_free(te);
}
