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
 *   seqcnn-ss23 : the AutoML SS23 template's sequential CNN and its space
 *            (add_seqt below), Adam.
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

static const char *const names[] = {"nb201",  "cell64",      "top10",
                                     "seqcnn", "seqcnn-ss23", NULL};

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

/*
 * seqcnn-ss23: the AutoML SS23 final-project template's space (issue 17:
 * "lr log 1e-5..1, batch log 1..1000"; conv and FC layers 1..3 each) with
 * conv layers extended to 7 as the poster did.  Ranges and defaults are
 * the template's ConfigurationSpace as a public copy of it shows (stored
 * code index, text id 12048638315: n_conv_layers 1..3 default 3, use_BN
 * default True, global_avg_pooling default True, n_channels_conv_0 32..512
 * and _1, _2 16..512 log default 512, n_fc_layers 1..3 default 3,
 * n_channels_fc_0 32..512 and _1, _2 16..512 log default 512, batch_size
 * 1..1000 log default 200, learning_rate_init 1e-5..1 log default 1e-3,
 * kernel_size constant 3, dropout_rate constant 0.2); the template's
 * upstream repository is not readable here.  Conv layers 4..7 take the
 * range and default of layers 1..2.  The defaults are the HP expert
 * prior's centre (prior.c).
 */
/* prefix_0 .. prefix_{n-1}: widths 32..512 (the first) or 16..512, log,
 * default 512, prefix_k active iff parameter parent > k. */
static void add_widths(jahs_space *sp, const char *prefix, int n, int parent,
                       const char *doc)
{
    int i, k;
    for (k = 0; k < n; k++) {
        char nm[32];
        snprintf(nm, sizeof nm, "%s_%d", prefix, k);
        i = jahs_space_add_int(sp, nm, JAHS_GROUP_ARCH, k ? 16 : 32, 512, 1,
                               doc);
        set_default(sp, i, 512);
        sp->params[i].cond_parent = parent;
        sp->params[i].cond_min = k + 1;
    }
}

static void add_seqt(jahs_space *sp)
{
    int i, nc, nf;
    sp->doc = "the AutoML SS23 template's sequential CNN: 1..7 blocks "
              "conv3x3+bias-ReLU-[BN]-maxpool, [global average pooling], "
              "1..3 FC layers with ReLU and dropout 0.2; Adam, constant lr";
    sp->macro = JAHS_MACRO_SEQT;
    nc = jahs_space_add_int(sp, "n_conv_layers", JAHS_GROUP_ARCH, 1, 7, 0,
                            "number of conv blocks (template 1..3, poster "
                            "up to 7)");
    set_default(sp, nc, 3);
    add_widths(sp, "conv_channels", 7, nc, "output channels of conv block k");
    i = jahs_space_add_cat(sp, "use_bn", JAHS_GROUP_ARCH, off_on, 2,
                           "BatchNorm after each block's ReLU");
    set_default(sp, i, 1);
    i = jahs_space_add_cat(sp, "global_avg_pooling", JAHS_GROUP_ARCH, off_on,
                           2, "global average pooling before the FC layers "
                              "(off: flatten)");
    set_default(sp, i, 1);
    nf = jahs_space_add_int(sp, "n_fc_layers", JAHS_GROUP_ARCH, 1, 3, 0,
                            "hidden fully connected layers");
    set_default(sp, nf, 3);
    add_widths(sp, "fc_channels", 3, nf, "units of FC layer k");
    i = jahs_space_add_float(sp, "lr", JAHS_GROUP_HP, 1e-5, 1.0, 1,
                             "learning rate, Adam (betas 0.9 / 0.999), "
                             "constant");
    set_default(sp, i, 1e-3);
    i = jahs_space_add_int(sp, "batch_size", JAHS_GROUP_HP, 1, 1000, 1,
                           "mini-batch size");
    set_default(sp, i, 200);
}

jahs_space *jahs_space_create(const char *name, jahs_error *err)
{
    jahs_space *sp;
    if (!name ||
        !(strcmp(name, "nb201") == 0 || strcmp(name, "cell64") == 0 ||
          strcmp(name, "top10") == 0 || strcmp(name, "seqcnn") == 0 ||
          strcmp(name, "seqcnn-ss23") == 0)) {
        JAHS_FAIL(err, JAHS_ENOTFOUND,
                  "unknown space '%s' (expected one of: nb201, cell64, top10, "
                  "seqcnn, seqcnn-ss23)",
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
    } else if (strcmp(name, "seqcnn-ss23") == 0) {
        add_seqt(sp);
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
