/*
 * test_bench_train.c - bench_train's one-row mode (the jahs side of
 * bench/torch_cpu.py): its usage errors, and one real step of the
 * seqcnn-ss23 network whose cost is known by hand; torch_cpu.py's argument
 * errors.  Speed itself is never checked here (bench/README.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* bench_train beside the jahs under test: DIR/jahs -> DIR/bench/bench_train */
static const char *bench_bin(void)
{
    static char path[1024];
    const char *j = jahs_test_bin(), *slash = strrchr(j, '/');
    int n = slash ? (int)(slash - j) : 1;
    snprintf(path, sizeof path, "%.*s/bench/bench_train", n, slash ? j : ".");
    return path;
}

static void expect_usage(const char *args, const char *msg)
{
    char *out = NULL;
    CHECK_EQ_INT(jahs_test_sh(&out, "%s %s", bench_bin(), args), 2);
    CHECK_CONTAINS(out, msg);
    CHECK_CONTAINS(out, "usage: bench_train");
    free(out);
}

JAHS_TEST(bench_train_one_row_rejects_bad_arguments)
{
    expect_usage("--net resnet --threads 1", "expected nb201 or seqt, got: resnet");
    expect_usage("--net nb201 --threads 0", "expected a positive integer");
    expect_usage("--net nb201 --threads 1 --batch 2000",
                 "expected a positive integer (batch <= 1024) after: --batch");
    expect_usage("--net nb201 --threads 1x", "expected a positive integer");
    expect_usage("--net nb201 --frobnicate 1", "unknown option: --frobnicate");
    expect_usage("--net nb201 --threads", "missing value after: --threads");
    expect_usage("--threads 1", "--net and --threads are required");
}

/* seqcnn-ss23 defaults on 32 x 32 x 3: conv 3->512 at 32 x 32, 512->512 at
 * 16 x 16 and 8 x 8, FC 512 x 512 three times, 512 x 9:
 * 27*512*1024 + 4608*512*(256 + 64) + 3*262144 + 4608 = 769,921,536 MAC. */
JAHS_TEST(bench_train_one_row_times_seqcnn_ss23)
{
    char *out = NULL;
    double ips = 0, mmac = 0;
    int th = 0, batch = 0;
    CHECK_EQ_INT(jahs_test_sh(&out, "%s --net seqt --threads 1 --batch 2 "
                                    "--steps 1",
                              bench_bin()),
                 0);
    CHECK_CONTAINS(out, "RESULT jahs seqt ");
    if (out && strstr(out, "RESULT jahs seqt "))
        CHECK_EQ_INT(sscanf(strstr(out, "RESULT jahs seqt ") + 17,
                            "%d %d %lf %lf", &th, &batch, &ips, &mmac),
                     4);
    CHECK_EQ_INT(th, 1);
    CHECK_EQ_INT(batch, 2);
    CHECK(ips > 0);
    CHECK_NEAR(mmac, 769.9, 0.05);
    free(out);
}

JAHS_TEST(torch_cpu_script_rejects_bad_arguments)
{
    char *out = NULL;
    if (jahs_test_sh(NULL, "test -x /usr/bin/python3") != 0) {
        jahs_test_skip("/usr/bin/python3 absent");
        return;
    }
    CHECK_EQ_INT(jahs_test_sh(&out, "/usr/bin/python3 bench/torch_cpu.py "
                                    "--jahs %s --nets nb201,vgg",
                              bench_bin()),
                 2);
    CHECK_CONTAINS(out, "--nets: expected nb201 and/or seqt, got 'vgg'");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "/usr/bin/python3 bench/torch_cpu.py "
                                    "--jahs %s/no-such-bench",
                              jahs_test_tmpdir()),
                 2);
    CHECK_CONTAINS(out, "no-such-bench is not an executable");
    free(out);
}
