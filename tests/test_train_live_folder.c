/*
 * test_train_live_folder.c - the "done when": a generated
 * DeepWeedsX-layout folder (PNG and JPEG, 3 classes) trains end to end
 * through `jahs run --live` with the template's network (seqcnn-ss23):
 * decode, resize, two-fold CV, Adam, ASHA, journal, report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_images.h"
#include "harness.h"

JAHS_TEST(train_live_deepweeds_folder_end_to_end)
{
    char dw[4096], exp[4096], out[4096], text[8192], *o = NULL;
    const char *p;
    int rc;
    snprintf(dw, sizeof dw, "%s", jahs_test_path("DeepWeedsX"));
    snprintf(out, sizeof out, "%s", jahs_test_path("out"));
    CHECK(fx_make_deepweeds(dw, 3, 12, 4, 40, 3) == 0);
    snprintf(text, sizeof text,
             "name = dw-e2e\n"
             "budget_hours = 0.01\n"
             "report_hours = 0.01\n"
             "curve_step_minutes = 0.1\n"
             "seeds = 0\n"
             "folds = 2\n"
             "evaluator = live\n"
             "data = deepweeds@16:%s\n"
             "subset = 0\n"
             "threads = 1\n"
             "min_epochs = 1\n"
             "max_epochs = 3\n"
             "eta = 3\n"
             "max_trials = 3\n"
             "space = seqcnn-ss23\n"
             "optimizer = asha\n"
             "group = Sequential CNN\n"
             "[NAS w/ default HP]\n"
             "fix = lr=0.001,batch_size=200,conv_channels_0=32,"
             "conv_channels_1=16,conv_channels_2=16,conv_channels_3=16,"
             "conv_channels_4=16,conv_channels_5=16,conv_channels_6=16,"
             "fc_channels_0=32,fc_channels_1=16,fc_channels_2=16\n",
             dw);
    snprintf(exp, sizeof exp, "%s", jahs_test_write("dw.exp", text));
    rc = jahs_test_sh(&o, "%s run '%s' --live --jobs 1 --quiet --out '%s'",
                      jahs_test_bin(), exp, out);
    CHECK_EQ_INT(rc, 0);
    if (rc)
        printf("%s\n", o ? o : "");
    free(o);
    o = NULL;
    rc = jahs_test_sh(&o, "cat '%s/table.md' '%s/runs/nas-w-default-hp/seed0.csv'",
                      out, out);
    CHECK_EQ_INT(rc, 0);
    CHECK_CONTAINS(o, "| NAS w/ default HP |");
    /* trials journaled with both folds' validation and test accuracy */
    CHECK_CONTAINS(o, "val_f0,val_f1,test_f0,test_f1");
    p = o ? strstr(o, "\n2,") : NULL;
    CHECK(p != NULL);
    free(o);
}

/* subset_order = stratified on the folder (in class order) reaches the
 * live evaluator: the checkpoints' data identity names it, so a checkpoint
 * of the first-N subset is not resumed on the stratified one. */
JAHS_TEST(train_live_folder_stratified_subset_in_checkpoints)
{
    char dw[4096], exp[4096], out[4096], text[8192], *o = NULL;
    int rc;
    snprintf(dw, sizeof dw, "%s", jahs_test_path("DeepWeedsX"));
    snprintf(out, sizeof out, "%s", jahs_test_path("out"));
    CHECK(fx_make_deepweeds(dw, 3, 8, 4, 16, 5) == 0);
    snprintf(text, sizeof text,
             "name = dw-strat\nbudget_hours = 0.01\nreport_hours = 0.01\n"
             "curve_step_minutes = 0.1\nseeds = 0\nfolds = 2\n"
             "evaluator = live\ndata = deepweeds@16:%s\nsubset = 12\n"
             "subset_order = stratified\nthreads = 1\nmin_epochs = 1\n"
             "max_epochs = 1\nmax_trials = 1\nspace = seqcnn-ss23\n"
             "optimizer = random\n[one]\n"
             "fix = lr=0.001,batch_size=200,conv_channels_0=32,"
             "conv_channels_1=16,conv_channels_2=16,conv_channels_3=16,"
             "conv_channels_4=16,conv_channels_5=16,conv_channels_6=16,"
             "fc_channels_0=32,fc_channels_1=16,fc_channels_2=16\n",
             dw);
    snprintf(exp, sizeof exp, "%s", jahs_test_write("dws.exp", text));
    rc = jahs_test_sh(&o, "%s run '%s' --live --jobs 1 --quiet --out '%s'",
                      jahs_test_bin(), exp, out);
    CHECK_EQ_INT(rc, 0);
    if (rc)
        printf("%s\n", o ? o : "");
    free(o);
    /* 12 of 3 classes x 8: 4 each, 2 folds; the identity says stratified */
    rc = jahs_test_sh(&o, "grep -a -r -l 'subset 12 stratified, 2 folds, "
                          "deepweeds-balanced 12 images' '%s/checkpoints' "
                          "| wc -l",
                      out);
    CHECK_EQ_INT(rc, 0);
    CHECK(o && atoi(o) >= 1);
    if (!o || atoi(o) < 1)
        printf("  checkpoints naming the stratified subset: %s\n",
               o ? o : "(none)");
    free(o);
}
