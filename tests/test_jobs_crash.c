/*
 * test_jobs_crash.c - `jahs run --jobs 2`: a child killed by a signal is
 * reported with its row, seed and signal (before, the only message was "a
 * run failed (see the message above)" with nothing above); `jahs train
 * --help` advises no kernel the CPU may lack.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

JAHS_TEST(jobs_child_killed_by_signal_is_reported)
{
    char *out = NULL;
    const char *exp = jahs_test_write("k.exp",
                                      "name = k\nbudget_hours = 1\n"
                                      "seeds = 0, 1\nevaluator = synthetic\n"
                                      "synthetic = cellhp\n[ASHA]\n");
    /* every child raises SIGKILL after journaling 3 rows (driver.c) */
    CHECK_EQ_INT(jahs_test_sh(&out, "JAHS_NO_PLOTS=1 JAHS_TEST_KILL_AFTER=3 "
                                    "%s run %s --jobs 2 --out %s",
                              jahs_test_bin(), exp, jahs_test_path("r")),
                 1);
    CHECK_CONTAINS(out, "the run of row [ASHA] seed ");
    CHECK_CONTAINS(out, "was killed by signal 9 (Killed); run the same command "
                        "again to resume");
    free(out);
    /* resumed without the kill, it finishes */
    CHECK_EQ_INT(jahs_test_sh(&out, "JAHS_NO_PLOTS=1 %s run %s --jobs 2 --out "
                                    "%s",
                              jahs_test_bin(), exp, jahs_test_path("r")),
                 0);
    free(out);
}

JAHS_TEST(train_help_advises_only_supported_kernels_run_help_evaluators)
{
    char *out = NULL;
    CHECK_EQ_INT(jahs_test_sh(&out, "%s train --help", jahs_test_bin()), 0);
    CHECK(out && !strstr(out, "set\nOPENBLAS_CORETYPE=SkylakeX (or Haswell)"));
    CHECK_CONTAINS(out, "Set OPENBLAS_CORETYPE yourself only to a kernel the");
    CHECK_CONTAINS(out, "SkylakeX needs avx512f in /proc/cpuinfo");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run --help", jahs_test_bin()), 0);
    CHECK_CONTAINS(out, "table (your benchmark: table_file = CSV");
    CHECK_CONTAINS(out, "command (your training script: command = PROG");
    free(out);
}
