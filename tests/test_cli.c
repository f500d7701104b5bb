/*
 * test_cli.c - the jahs binary end to end: help, space commands, rung table,
 * exit codes and messages of bad command lines.
 */
#include <stdlib.h>

#include "harness.h"
#include "nn/conv_dnnl.h"

JAHS_TEST(cli_help_and_unknown_commands)
{
    char *out = NULL;
    CHECK_EQ_INT(jahs_test_sh(&out, "%s --help", jahs_test_bin()), 0);
    CHECK_CONTAINS(out, "space sample");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s space sample --help", jahs_test_bin()),
                 0);
    CHECK_CONTAINS(out, "usage: jahs space sample NAME");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s frobnicate", jahs_test_bin()), 2);
    CHECK_CONTAINS(out, "unknown command 'frobnicate'");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s space frob", jahs_test_bin()), 2);
    CHECK_CONTAINS(out, "unknown command 'space frob'");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s", jahs_test_bin()), 2);
    free(out);
}

JAHS_TEST(cli_space_show_and_sample)
{
    char *out = NULL;
    int lines = 0;
    char *p;
    CHECK_EQ_INT(jahs_test_sh(&out, "%s space show nb201", jahs_test_bin()), 0);
    CHECK_CONTAINS(out, "edge_1_0");
    CHECK_CONTAINS(out, "C=16 initial channels, N=5 cells per stage, 3 stages");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s space sample nb201 --prior hp --n 5 "
                                    "--seed 3",
                              jahs_test_bin()),
                 0);
    for (p = out; *p; p++)
        lines += *p == '\n';
    CHECK_EQ_INT(lines, 6);
    CHECK_CONTAINS(out, "id,edge_1_0,");
    {
        char *again = NULL;
        jahs_test_sh(&again, "%s space sample nb201 --prior hp --n 5 --seed 3",
                     jahs_test_bin());
        CHECK_STR(again, out); /* deterministic */
        free(again);
    }
    free(out);
}

JAHS_TEST(cli_bad_arguments_exit_codes)
{
    char *out = NULL;
    CHECK_EQ_INT(jahs_test_sh(&out, "%s space show nope", jahs_test_bin()), 1);
    CHECK_CONTAINS(out, "unknown space 'nope'");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s space sample nb201 --colour red",
                              jahs_test_bin()),
                 2);
    CHECK_CONTAINS(out, "unknown option '--colour'");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s space sample nb201 --n -4",
                              jahs_test_bin()),
                 2);
    CHECK_CONTAINS(out, "option '--n' expects an integer");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s space sample nb201 --prior maybe",
                              jahs_test_bin()),
                 2);
    CHECK_CONTAINS(out, "expects none, hp, arch or joint");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s space sample nb201 --prior arch "
                                    "--table /nonexistent/t.h5",
                              jahs_test_bin()),
                 1);
    CHECK_CONTAINS(out, "without --arch-weights computes the prior from the "
                        "NB201 table");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s space sample nb201 --seed", jahs_test_bin()),
                 2);
    CHECK_CONTAINS(out, "option '--seed' needs a value");
    free(out);
}

JAHS_TEST(cli_opt_rungs)
{
    char *out = NULL;
    CHECK_EQ_INT(jahs_test_sh(&out, "%s opt rungs --min 1 --max 20 --eta 3",
                              jahs_test_bin()),
                 0);
    CHECK_CONTAINS(out, "neps      2 6 20");
    CHECK_CONTAINS(out, "synetune  1 3 9 20");
    /* the promotion rules, Syne Tune's quantiles r_k / r_k+1 per rung */
    CHECK_CONTAINS(out, "NEPS v0.11 AsyncPromotionPolicy");
    CHECK_CONTAINS(out, "Li et al. 2020");
    CHECK_CONTAINS(out, "            neps      0.333 0.3\n"
                        "            synetune  0.333 0.333 0.45\n");
    CHECK_CONTAINS(out, "type stopping");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s opt rungs --max 200 --style synetune",
                              jahs_test_bin()),
                 0);
    CHECK_CONTAINS(out, "1 3 9 27 81 200");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s opt rungs --style fancy", jahs_test_bin()),
                 2);
    free(out);
}

/* `jahs version` names the CPU trainer's BLAS, convolution backend and
 * activation layout, and says what is wrong with a bad JAHS_NET_BLOCK. */
JAHS_TEST(cli_version_names_the_cpu_trainer)
{
    char *out = NULL;
    CHECK_EQ_INT(jahs_test_sh(&out, "%s version", jahs_test_bin()), 0);
    CHECK_CONTAINS(out, "cpu: BLAS ");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "JAHS_CONV=ref %s version",
                              jahs_test_bin()),
                 0);
    CHECK_CONTAINS(out, "convolutions im2col + BLAS (JAHS_CONV=ref), NCHW");
    free(out);
    if (!jahs_dnnl_available())
        return;
    CHECK_EQ_INT(jahs_test_sh(&out, "JAHS_NET_BLOCK=8 %s version",
                              jahs_test_bin()),
                 0);
    CHECK_CONTAINS(out, "activations nChw8c where the channels allow");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "JAHS_NET_BLOCK=0 %s version",
                              jahs_test_bin()),
                 0);
    CHECK_CONTAINS(out, "activations NCHW (JAHS_NET_BLOCK)");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "JAHS_NET_BLOCK=7 %s version",
                              jahs_test_bin()),
                 0);
    CHECK_CONTAINS(out, "JAHS_NET_BLOCK='7': expected 0");
    free(out);
}
