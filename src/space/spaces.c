/*
 * spaces.c - the paper's search spaces, defined in one place.
 *
 * Every range and default is justified in REPRODUCE.md ("Search spaces and
 * priors").  Hyperparameter defaults are NB201's own training recipe (Dong &
 * Yang 2020, Sec. 3: SGD Nesterov, lr 0.1 cosine, wd 5e-4, batch 256, no
 * dropout, flip + crop only), which is also the HP expert prior's centre.
 *
 *   nb201  : the 6 NB201 edges + HPs; macro C=16, N=5, 3 stages (NB201's).
 *   cell64 : the same cell + HPs; macro C=64, N=3, 2 stages (the poster's
 *            "2-stage, 3-cell ... 64 initial channels").
 *   top10  : one of the 10 best NB201 cells on CIFAR-100 (choices rank01..
 *            rank10, resolved by the tabular benchmark) + HPs; NB201 macro.
 *   seqcnn : 1..7 conv layers, channels per layer 8..512 + HPs (the poster's
 *            "7 convolutions with 512 channels").
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "space/space.h"

/* NB201 operations in the order of ops_code digits (data/nb201/README.md). */
static const char *const nb201_ops[] = {"none", "skip_connect", "nor_conv_1x1",
                                        "nor_conv_3x3", "avg_pool_3x3"};
/* NB201 edges in ops_code order: node 1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2. */
static const char *const nb201_edges[] = {"edge_1_0", "edge_2_0", "edge_2_1",
                                          "edge_3_0", "edge_3_1", "edge_3_2"};
static const char *const off_on[] = {"off", "on"};

static const char *const names[] = {"nb201", "cell64", "top10", "seqcnn", NULL};

const char *const *jahs_space_names(void) { return names; }

static void set_default(jahs_space *sp, int i, double v)
{
    sp->params[i].has_default = 1;
    sp->params[i].default_value = v;
}

/* lr, wd, dropout per stage (or one), batch size, TrivialAugment. */
static void add_hps(jahs_space *sp, int n_dropout)
{
    int i, k;
    i = jahs_space_add_float(sp, "lr", JAHS_GROUP_HP, 1e-3, 1.0, 1,
                             "initial learning rate, SGD Nesterov 0.9, cosine "
                             "schedule");
    set_default(sp, i, 0.1);
    i = jahs_space_add_float(sp, "wd", JAHS_GROUP_HP, 1e-5, 1e-2, 1,
                             "weight decay (L2, all parameters)");
    set_default(sp, i, 5e-4);
    for (k = 0; k < n_dropout; k++) {
        char name[32];
        if (n_dropout == 1)
            snprintf(name, sizeof name, "dropout");
        else
            snprintf(name, sizeof name, "dropout_%d", k + 1);
        i = jahs_space_add_float(sp, name, JAHS_GROUP_HP, 0.0, 0.5, 0,
                                 n_dropout == 1
                                     ? "dropout probability before the "
                                       "classifier"
                                     : "dropout probability on the output of "
                                       "this stage (independent per stage)");
        set_default(sp, i, 0.0);
    }
    i = jahs_space_add_int(sp, "batch_size", JAHS_GROUP_HP, 64, 512, 1,
                           "mini-batch size");
    set_default(sp, i, 256);
    i = jahs_space_add_cat(sp, "trivial_augment", JAHS_GROUP_HP, off_on, 2,
                           "TrivialAugmentWide on top of flip + crop");
    set_default(sp, i, 0);
}

static void add_cell_edges(jahs_space *sp)
{
    int e;
    for (e = 0; e < 6; e++)
        jahs_space_add_cat(sp, nb201_edges[e], JAHS_GROUP_ARCH, nb201_ops, 5,
                           "operation on this NB201 cell edge");
}

jahs_space *jahs_space_create(const char *name, jahs_error *err)
{
    jahs_space *sp;
    if (!name || !(strcmp(name, "nb201") == 0 || strcmp(name, "cell64") == 0 ||
                   strcmp(name, "top10") == 0 || strcmp(name, "seqcnn") == 0)) {
        JAHS_FAIL(err, JAHS_ENOTFOUND,
                  "unknown space '%s' (expected one of: nb201, cell64, top10, "
                  "seqcnn)",
                  name ? name : "");
        return NULL;
    }
    sp = calloc(1, sizeof *sp);
    if (!sp) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    snprintf(sp->name, sizeof sp->name, "%s", name);
    if (strcmp(name, "nb201") == 0) {
        sp->doc = "NAS-Bench-201 cell (6 edges x 5 ops) + training "
                  "hyperparameters; NB201 macro (16 channels, 5 cells x 3 "
                  "stages)";
        sp->macro = JAHS_MACRO_CELL;
        sp->init_channels = 16;
        sp->cells_per_stage = 5;
        sp->stages = 3;
        add_cell_edges(sp);
        add_hps(sp, 3);
    } else if (strcmp(name, "cell64") == 0) {
        sp->doc = "NAS-Bench-201 cell + hyperparameters in the poster's "
                  "shallow-and-wide macro (64 channels, 3 cells x 2 stages)";
        sp->macro = JAHS_MACRO_CELL;
        sp->init_channels = 64;
        sp->cells_per_stage = 3;
        sp->stages = 2;
        add_cell_edges(sp);
        add_hps(sp, 2);
    } else if (strcmp(name, "top10") == 0) {
        static const char *const ranks[] = {"rank01", "rank02", "rank03",
                                            "rank04", "rank05", "rank06",
                                            "rank07", "rank08", "rank09",
                                            "rank10"};
        sp->doc = "one of the 10 best NB201 cells on CIFAR-100 (by mean "
                  "200-epoch validation accuracy) + hyperparameters; NB201 "
                  "macro";
        sp->macro = JAHS_MACRO_TOP10;
        sp->init_channels = 16;
        sp->cells_per_stage = 5;
        sp->stages = 3;
        jahs_space_add_cat(sp, "arch", JAHS_GROUP_ARCH, ranks, 10,
                           "k-th best NB201 cell on CIFAR-100 (resolved by the "
                           "table)");
        add_hps(sp, 3);
    } else {
        int i, k, nl;
        sp->doc = "sequential CNN: 1..7 conv-BN-ReLU blocks, 8..512 channels "
                  "each, + hyperparameters";
        sp->macro = JAHS_MACRO_SEQ;
        sp->init_channels = 0;
        sp->cells_per_stage = 0;
        sp->stages = 0;
        nl = jahs_space_add_int(sp, "n_layers", JAHS_GROUP_ARCH, 1, 7, 0,
                                "number of conv layers");
        for (k = 0; k < 7; k++) {
            char nm[32];
            snprintf(nm, sizeof nm, "channels_%d", k);
            i = jahs_space_add_int(sp, nm, JAHS_GROUP_ARCH, 8, 512, 1,
                                   "output channels of conv layer k");
            sp->params[i].cond_parent = nl;
            sp->params[i].cond_min = k + 1;
        }
        add_hps(sp, 1);
    }
    jahs_space_finish(sp);
    return sp;
}
