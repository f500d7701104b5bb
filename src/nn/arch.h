/*
 * arch.h - the network a configuration describes: a plain spec (macro
 * parameters, NB201 cell, sequential layers, dropout) read from a config of
 * one of the src/space spaces, the builders that turn a spec into a graph,
 * and the parameter and FLOP counts of any spec.
 *
 * NB201 cell networks (nb201, cell64, top10) follow NAS-Bench-201's
 * reference code (D-X-Y/AutoDL-Projects, lib/models/cell_infers/
 * tiny_network.py, cells.py, cell_operations.py):
 *   stem      conv3x3(c_in -> C) + BN;
 *   stages    N cells each; between stages a ResNetBasicblock with stride 2
 *             doubling the channels: ReLU-conv3x3(s2)-BN, ReLU-conv3x3-BN,
 *             plus the shortcut AvgPool2x2(s2) + conv1x1 (no BN, no ReLU),
 *             summed (no activation after the sum);
 *   cell      4 nodes, node j = sum over i < j of op_ij(node i), ops none /
 *             skip_connect / ReLU-conv1x1-BN / ReLU-conv3x3-BN /
 *             avg_pool_3x3 (count_include_pad=False); only `none` edges are
 *             left out, so a conv fed by an all-zero node still adds its BN
 *             shift, and a node with only `none` inputs is zero;
 *   head      BN-ReLU, global average pool, linear (with bias).
 * No conv has a bias; BN is affine with running statistics.  A grayscale
 * input (Fashion-MNIST) enters the stem with c_in = 1 (no replication).
 * One exact rewrite: the ReLU in front of every conv edge leaving node i is
 * computed once per node and shared by those edges (ReLU is pure, so the
 * function and its gradients are unchanged).
 *
 * Dropout (the spaces' dropout_s): inverted dropout on the output of stage
 * s (after its last cell, before the next reduction block or the head),
 * left out when p = 0.
 *
 * The sequential CNN (seqcnn): n_layers blocks conv3x3(pad 1)-BN-ReLU with
 * channels_k outputs; dropout on the pooled features; global average pool;
 * linear.  Pooling rule (ours; the poster does not give one): before block
 * k >= 1, while the block would cost more than JAHS_SEQ_MAX_MACS
 * multiply-accumulates per image at the current resolution and the halved
 * map would still be at least 3 x 3, an AvgPool2x2(s2) halves the map.
 * Small networks keep full resolution; the poster's 7 x 512 network costs
 * 241 M MACs on 32 x 32 x 3 inputs (block 0 at 32 x 32, the others at
 * 4 x 4) and 131 M on 28 x 28 x 1 (the others at 3 x 3), in the range of
 * NB201's own networks (its best cell: 185 M), instead of 14.5 G unpooled;
 * no block costs more than 2^26 (67 M) unless the map is already at its
 * smallest, so no config exceeds ~470 M.
 *
 * The template's sequential CNN (seqcnn-ss23, seq_template_net.c): the
 * AutoML SS23 final-project template's network as issue 17 describes it
 * (the template's own code is not readable here): n_layers blocks of
 * conv k x k (padding (k - 1) / 2, stride 1, with bias) -> ReLU -> BN
 * (when use_bn) -> MaxPool 2x2; global average pooling when gap, else the
 * map is flattened; n_fc hidden layers Linear -> ReLU -> Dropout(0.2);
 * a final Linear to the classes.  Pooling stays valid for up to 7 blocks
 * (the poster's extension of the template's 1..3): a block pools only while
 * its map is at least 2 x 2, so 32 x 32 inputs go 16, 8, 4, 2, 1 and blocks
 * 6 and 7 run at 1 x 1 without pooling (28 x 28: 14, 7, 3, 1, 1, 1, 1).
 */
#ifndef JAHS_NN_ARCH_H
#define JAHS_NN_ARCH_H

#include "core/error.h"
#include "core/util.h"
#include "nn/graph.h"
#include "space/space.h"

#define JAHS_SEQ_MAX_LAYERS 7
#define JAHS_MAX_STAGES 4
#define JAHS_SEQ_MAX_MACS 67108864.0 /* 2^26 per block per image */
#define JAHS_SEQT_MAX_FC 3
#define JAHS_SEQT_DROPOUT 0.2f /* the template's constant dropout_rate */

/* NB201 operations, the digits of an ops code. */
enum {
    JAHS_NB201_NONE = 0,
    JAHS_NB201_SKIP = 1,
    JAHS_NB201_CONV1 = 2,
    JAHS_NB201_CONV3 = 3,
    JAHS_NB201_POOL = 4
};

typedef struct jahs_net_spec {
    jahs_macro_kind macro;  /* CELL and TOP10 build cell networks; SEQ */
    int c_in, h, w;         /* input image */
    int n_classes;
    int C, N, stages;       /* cell networks */
    int ops[6];             /* NB201 ops in ops_code edge order */
    int n_layers;           /* seqcnn */
    int channels[JAHS_SEQ_MAX_LAYERS];
    float dropout[JAHS_MAX_STAGES]; /* per stage; seqcnn uses [0] */
    /* the template's seqcnn (JAHS_MACRO_SEQT): n_layers and channels above,
     * and: */
    int kernel;             /* conv side k (odd), padding (k - 1) / 2 */
    int use_bn;             /* BN after each block's ReLU */
    int gap;                /* global average pooling before the FC layers */
    int n_fc;               /* hidden FC layers, 1..JAHS_SEQT_MAX_FC */
    int fc[JAHS_SEQT_MAX_FC]; /* their widths; dropout[0] after each */
} jahs_net_spec;

/*
 * Resolve the top10 space's `arch` choice (rank 1..10) to a cell.  The
 * tabular benchmark owns the top-10 list (src/eval/nb201_table.h); until it
 * is wired in, callers pass the cell explicitly (cell_ops below).
 */
typedef int (*jahs_top10_fn)(void *ctx, int rank, int ops[6],
                             jahs_error *err);

/*
 * Fill spec from config x of space sp for c_in x h x w inputs and
 * n_classes.  For top10 the cell is cell_ops when not NULL, else
 * top10(ctx, rank, ...) when not NULL, else an EUNAVAILABLE error.
 * cell_ops overrides the edges of nb201 / cell64 too (NULL: from x).
 */
int jahs_net_spec_from_config(jahs_net_spec *spec, const jahs_space *sp,
                              const double *x, int c_in, int h, int w,
                              int n_classes, const int *cell_ops,
                              jahs_top10_fn top10, void *ctx,
                              jahs_error *err);

/*
 * Parse a cell: a 6-digit ops code ("333133", data/nb201/README.md) or
 * NB201's arch string ("|nor_conv_3x3~0|+|...|+|...|").
 */
int jahs_nb201_cell_parse(const char *text, int ops[6], jahs_error *err);
/* NB201's arch string of a cell into buf (size >= 160); returns buf. */
char *jahs_nb201_cell_format(const int ops[6], char *buf, size_t size);

/* Build and finish the graph of spec.  NULL and err on failure (bad
 * shapes: a reduction on an odd-sized map, an empty layer). */
jahs_graph *jahs_net_build(const jahs_net_spec *spec, jahs_error *err);

/* Learnable parameters and multiply-accumulates per image (see
 * jahs_graph_macs) of spec, without allocating the network. */
int jahs_net_cost(const jahs_net_spec *spec, double *params, double *macs,
                  jahs_error *err);

/* One paragraph describing spec (macro, cell, layers, dropout). */
int jahs_net_spec_describe(const jahs_net_spec *spec, jahs_buf *out);

/* Builders, one per family (nb201_net.c, seq_net.c): append to g. */
int jahs_build_cell_net(jahs_graph *g, const jahs_net_spec *spec,
                        jahs_error *err);
int jahs_build_seq_net(jahs_graph *g, const jahs_net_spec *spec,
                       jahs_error *err);
int jahs_build_seqt_net(jahs_graph *g, const jahs_net_spec *spec,
                        jahs_error *err);

#endif
