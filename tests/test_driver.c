/*
 * test_driver.c - `jahs run` end to end on the synthetic evaluator (no data
 * needed): byte-identical outputs whatever --jobs is, resume after a real
 * SIGKILL giving the same final output, `jahs report` redoing the report,
 * `jahs sweep`, and the command-line errors.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
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

JAHS_TEST(driver_jobs_do_not_change_the_output)
{
    char f[4096];
    char *a, *b, *out = NULL;
    snprintf(f, sizeof f, "%s", jahs_test_write("drv.exp", exp_text));
    CHECK_EQ_INT(jahs_test_sh(&out, "JAHS_NO_PLOTS=1 %s run %s --jobs 1 --out %s",
                              jahs_test_bin(), f, jahs_test_path("j1")),
                 0);
    CHECK_CONTAINS(out, "results in");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(NULL, "JAHS_NO_PLOTS=1 %s run %s --jobs 3 --out %s",
                              jahs_test_bin(), f, jahs_test_path("j3")),
                 0);
    a = snapshot(jahs_test_path("j1"));
    b = snapshot(jahs_test_path("j3"));
    CHECK(a && b && strlen(a) > 1000);
    CHECK(a && b && strcmp(a, b) == 0);
    CHECK_CONTAINS(a, "== ./runs/asha-prior/seed1.csv");
    CHECK_CONTAINS(a, "== ./runs/asha-prior/seed1.done");
    CHECK_CONTAINS(a, "== ./table.md");
    CHECK_CONTAINS(a, "== ./speedup.csv");
    free(a);
    free(b);
    /* a second run finds every unit done and rewrites the same report */
    CHECK_EQ_INT(jahs_test_sh(NULL, "JAHS_NO_PLOTS=1 %s run %s --jobs 2 --out %s",
                              jahs_test_bin(), f, jahs_test_path("j1")),
                 0);
    a = snapshot(jahs_test_path("j1"));
    b = snapshot(jahs_test_path("j3"));
    CHECK(a && b && strcmp(a, b) == 0);
    free(a);
    free(b);
}

JAHS_TEST(driver_resumes_after_sigkill_with_the_same_output)
{
    char f[4096];
    char *clean, *resumed, *out = NULL;
    int st, k;
    snprintf(f, sizeof f, "%s", jahs_test_write("drv.exp", exp_text));
    CHECK_EQ_INT(jahs_test_sh(NULL, "JAHS_NO_PLOTS=1 %s run %s --jobs 1 --out %s",
                              jahs_test_bin(), f, jahs_test_path("clean")),
                 0);
    /* one process: killed after 7 journal rows of its first unit */
    st = jahs_test_sh(&out,
                      "JAHS_NO_PLOTS=1 JAHS_TEST_KILL_AFTER=7 %s run %s --jobs 1 "
                      "--out %s; echo status=$?",
                      jahs_test_bin(), f, jahs_test_path("killed"));
    CHECK_EQ_INT(st, 0);
    CHECK_CONTAINS(out, "status=137"); /* 128 + SIGKILL */
    free(out);
    CHECK(!jahs_path_exists(jahs_test_path("killed/table.md")));
    /* parallel children killed too: each dies after 3 new rows; rerun until
     * complete (each rerun makes progress) */
    for (k = 0; k < 30; k++) {
        st = jahs_test_sh(NULL,
                          "JAHS_NO_PLOTS=1 JAHS_TEST_KILL_AFTER=3 %s run %s "
                          "--jobs 2 --out %s",
                          jahs_test_bin(), f, jahs_test_path("killed"));
        if (st == 0)
            break;
    }
    CHECK(k > 0); /* at least one rerun was killed */
    CHECK_EQ_INT(jahs_test_sh(NULL, "JAHS_NO_PLOTS=1 %s run %s --jobs 1 --out %s",
                              jahs_test_bin(), f, jahs_test_path("killed")),
                 0);
    clean = snapshot(jahs_test_path("clean"));
    resumed = snapshot(jahs_test_path("killed"));
    CHECK(clean && resumed && strcmp(clean, resumed) == 0);
    free(clean);
    free(resumed);
}

JAHS_TEST(driver_report_and_sweep)
{
    char f[4096];
    char *before, *after, *out = NULL;
    snprintf(f, sizeof f, "%s", jahs_test_write("drv.exp", exp_text));
    CHECK_EQ_INT(jahs_test_sh(NULL,
                              "JAHS_NO_PLOTS=1 %s run %s --out %s --set "
                              "prior_fraction=0.5 --rows ASHA",
                              jahs_test_bin(), f, jahs_test_path("r")),
                 0);
    before = snapshot(jahs_test_path("r"));
    CHECK_CONTAINS(before, "== ./overrides.txt\nprior_fraction=0.5\n");
    CHECK_CONTAINS(before, ",random,not run,0,");
    /* remove the report, rebuild it from the journals */
    CHECK_EQ_INT(jahs_test_sh(NULL, "rm %s/table.md %s/curves.csv",
                              jahs_test_path("r"), jahs_test_path("r")),
                 0);
    CHECK_EQ_INT(jahs_test_sh(&out, "JAHS_NO_PLOTS=1 %s report %s",
                              jahs_test_bin(), jahs_test_path("r")),
                 0);
    free(out);
    after = snapshot(jahs_test_path("r"));
    CHECK(before && after && strcmp(before, after) == 0);
    free(before);
    free(after);
    /* --log-time: the plots' time on a log axis, nothing else changed */
    if (jahs_test_sh(NULL, "command -v gnuplot >/dev/null") == 0) {
        CHECK_EQ_INT(jahs_test_sh(NULL, "%s report %s --log-time && grep -q "
                                        "'^set logscale x' %s/curves.gp",
                                  jahs_test_bin(), jahs_test_path("r"),
                                  jahs_test_path("r")),
                     0);
    }
    CHECK_EQ_INT(jahs_test_sh(&out, "%s report %s", jahs_test_bin(),
                              jahs_test_path("nowhere")),
                 1);
    CHECK_CONTAINS(out, "is not a results directory");
    free(out);
    /* sweep: 2 x 2 grid, one row, 2 seeds, 2 report times: 16 lines */
    CHECK_EQ_INT(jahs_test_sh(&out,
                              "%s sweep %s --rows ASHA --out %s --set "
                              "prior_fraction=0.9,0.2 --set seeds=3,4 --jobs 2",
                              jahs_test_bin(), f, jahs_test_path("sw")),
                 0);
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "cat %s/sweep.csv", jahs_test_path("sw")),
                 0);
    CHECK_CONTAINS(out, "prior_fraction,seeds,method,seed,hours,test,val\n");
    CHECK_CONTAINS(out, "0.9,4,\"ASHA, prior\",4,3,");
    {
        int lines = 0;
        char *p;
        for (p = out; *p; p++)
            lines += *p == '\n';
        CHECK_EQ_INT(lines, 1 + 2 * 2 * 2);
    }
    /* its plot: x = prior_fraction in numeric order, the seeds axis averaged
     * (mean, std over seeds 3 and 4 of the CSV's 3 h values), a panel per
     * report time */
    if (out && jahs_test_sh(NULL, "command -v gnuplot >/dev/null") == 0) {
        char *gp = NULL, want[256];
        static const char *pf[] = {"0.2", "0.9"};
        size_t len = 0;
        int k;
        CHECK_EQ_INT(jahs_test_sh(&gp, "cat %s/sweep.gp", jahs_test_path("sw")),
                     0);
        for (k = 0; k < 2; k++) {
            double v[2] = {NAN, NAN}, m, sd;
            int sd_i;
            for (sd_i = 0; sd_i < 2; sd_i++) {
                char key[64];
                const char *at;
                snprintf(key, sizeof key, "%s,%d,\"ASHA, prior\",%d,3,", pf[k],
                         3 + sd_i, 3 + sd_i);
                if ((at = strstr(out, key)))
                    v[sd_i] = strtod(at + strlen(key), NULL);
            }
            m = (v[0] + v[1]) / 2;
            sd = fabs(v[0] - v[1]) / sqrt(2.0);
            len += (size_t)snprintf(want + len, sizeof want - len,
                                    "%s %.4f %.4f 2\n", pf[k], m, sd);
        }
        CHECK_STR(jahs_test_gp_block(gp, "$w1_0"), want);
        CHECK_CONTAINS(gp, "set multiplot layout 2,1\n");
        CHECK_CONTAINS(gp, "drv sweep: incumbent at 3 h (mean +- std over "
                           "seeds)");
        CHECK_CONTAINS(gp, "set xlabel \"prior_fraction\"");
        CHECK_CONTAINS(gp, "title \"ASHA, prior\"");
        CHECK(jahs_path_exists(jahs_test_path("sw/sweep.svg")));
        free(gp);
    }
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s sweep %s --set workerz=1,2 --out %s",
                              jahs_test_bin(), f, jahs_test_path("sw2")),
                 1);
    CHECK_CONTAINS(out, "unknown experiment key 'workerz'");
    CHECK(!jahs_path_exists(jahs_test_path("sw2"))); /* nothing created */
    free(out);
}

JAHS_TEST(driver_command_line_errors)
{
    char *out = NULL;
    const char *bad = jahs_test_write("bad.exp", "[a]\noptimizer = sgd\n");
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run %s", jahs_test_bin(), bad), 1);
    CHECK_CONTAINS(out, "bad.exp:2: key 'optimizer' expects one of");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run", jahs_test_bin()), 2);
    CHECK_CONTAINS(out, "expected an experiment file");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run %s --set prior_fraction", jahs_test_bin(),
                              bad),
                 2);
    CHECK_CONTAINS(out, "expects KEY=VALUE");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run --keys", jahs_test_bin()), 0);
    CHECK_CONTAINS(out, "prior_fraction");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run %s", jahs_test_bin(),
                              jahs_test_path("missing.exp")),
                 1);
    CHECK_CONTAINS(out, "missing.exp");
    free(out);
}

JAHS_TEST(driver_refuses_results_made_with_other_settings)
{
    char f[4096], *out = NULL;
    snprintf(f, sizeof f, "%s", jahs_test_write("drv.exp", exp_text));
    CHECK_EQ_INT(jahs_test_sh(NULL, "JAHS_NO_PLOTS=1 %s run %s --rows random --out %s",
                              jahs_test_bin(), f, jahs_test_path("o")),
                 0);
    /* same settings: reused */
    CHECK_EQ_INT(jahs_test_sh(NULL, "JAHS_NO_PLOTS=1 %s run %s --rows random --out %s",
                              jahs_test_bin(), f, jahs_test_path("o")),
                 0);
    /* changed budget: refused, naming the journal and the way out */
    CHECK_EQ_INT(jahs_test_sh(&out,
                              "JAHS_NO_PLOTS=1 %s run %s --rows random --out %s "
                              "--set budget_hours=2",
                              jahs_test_bin(), f, jahs_test_path("o")),
                 1);
    CHECK_CONTAINS(out, "random/seed0.csv' was made with other settings than "
                        "[random]");
    CHECK_CONTAINS(out, "--fresh");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out,
                              "JAHS_NO_PLOTS=1 %s run %s --rows random --out %s "
                              "--set budget_hours=2 --fresh",
                              jahs_test_bin(), f, jahs_test_path("o")),
                 0);
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "cat %s/runs/random/seed0.settings",
                              jahs_test_path("o")),
                 0);
    CHECK_CONTAINS(out, "budget_hours=2;");
    free(out);
}

/* Issue 12's bug: the analyses read a results directory with the overrides
 * of the run that wrote it (before, `--set seeds=7` left them looking for
 * seeds 0, 1: "no journals ... for the rows"). */
JAHS_TEST(driver_overrides_reach_analyze_and_export)
{
    char f[4096], *out = NULL;
    snprintf(f, sizeof f, "%s", jahs_test_write("drv.exp", exp_text));
    CHECK_EQ_INT(jahs_test_sh(&out,
                              "JAHS_NO_PLOTS=1 %s run %s --set seeds=7 --out %s",
                              jahs_test_bin(), f, jahs_test_path("o")),
                 0);
    free(out);
    CHECK(jahs_path_exists(jahs_test_path("o/runs/random/seed7.done")));
    CHECK_EQ_INT(jahs_test_sh(&out,
                              "JAHS_NO_PLOTS=1 %s analyze importance %s --out %s",
                              jahs_test_bin(), jahs_test_path("o"),
                              jahs_test_path("imp")),
                 0);
    CHECK_CONTAINS(out, "(3 rows analysed");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "cat %s", jahs_test_path("imp/importance.md")),
                 0);
    CHECK_CONTAINS(out, "Seeds 7 (1 journal, 1 finished)");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s export deepcave %s %s", jahs_test_bin(),
                              jahs_test_path("o"), jahs_test_path("dc")),
                 0);
    CHECK_CONTAINS(out, "wrote 3 DeepCAVE runs");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "ls %s", jahs_test_path("dc")), 0);
    CHECK_CONTAINS(out, "random-seed7");
    free(out);
}

/* gnuplot runs without a shell: a results path with a quote and a space
 * gets its plots; a gnuplot that fails is reported with its script. */
JAHS_TEST(driver_plots_without_a_shell)
{
    char f[4096], *out = NULL;
    const char *fake;
    CHECK_EQ_INT(jahs_test_sh(NULL, "mkdir -p %s", jahs_test_path("bin")), 0);
    fake = jahs_test_write("bin/gnuplot", "#!/bin/sh\nexit 3\n");
    snprintf(f, sizeof f, "%s", jahs_test_write("drv.exp", exp_text));
    CHECK_EQ_INT(jahs_test_sh(NULL, "chmod +x %s", fake), 0);
    CHECK_EQ_INT(jahs_test_sh(&out, "PATH=%s:$PATH %s run %s --rows random "
                                    "--out %s",
                              jahs_test_path("bin"), jahs_test_bin(), f,
                              jahs_test_path("p")),
                 1);
    CHECK_CONTAINS(out, "gnuplot failed on '");
    CHECK_CONTAINS(out, "/p/curves.gp'");
    free(out);
    if (jahs_test_sh(NULL, "command -v gnuplot >/dev/null") != 0) {
        jahs_test_skip("gnuplot not installed ('make deps')");
        return;
    }
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run %s --rows random --out \"%s\"",
                              jahs_test_bin(), f, jahs_test_path("it's here")),
                 0);
    free(out);
    CHECK(jahs_path_exists(jahs_test_path("it's here/curves.svg")));
    CHECK(jahs_path_exists(jahs_test_path("it's here/curves.png")));
}
