/*
 * seq_net.c - the sequential CNN of the seqcnn space as a graph: conv3x3-
 * BN-ReLU blocks with the pooling rule of arch.h, dropout on the pooled
 * features, linear classifier.
 */
#include <stdio.h>

#include "nn/arch.h"

int jahs_build_seq_net(jahs_graph *g, const jahs_net_spec *s, jahs_error *err)
{
    char lab[64];
    int x = g->input, k;
    if (s->n_layers < 1 || s->n_layers > JAHS_SEQ_MAX_LAYERS)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "seqcnn needs 1..%d layers, got %d",
                         JAHS_SEQ_MAX_LAYERS, s->n_layers);
    for (k = 0; k < s->n_layers; k++) {
        int cout = s->channels[k];
        if (cout < 1)
            return JAHS_FAIL(err, JAHS_EINVAL,
                             "seqcnn layer %d has %d channels", k, cout);
        while (k > 0 && g->t[x].h / 2 >= 3 && g->t[x].w / 2 >= 3 &&
               9.0 * g->t[x].c * cout * g->t[x].h * g->t[x].w >
                   JAHS_SEQ_MAX_MACS) {
            snprintf(lab, sizeof lab, "l%d.pool%dx%d", k, g->t[x].h / 2,
                     g->t[x].w / 2);
            if ((x = jahs_graph_unary(g, JAHS_OP_AVGPOOL2, x, -1, lab, err)) < 0)
                return x;
        }
        snprintf(lab, sizeof lab, "l%d.conv", k);
        if ((x = jahs_graph_conv(g, x, -1, cout, 3, 1, 1, lab, err)) < 0)
            return x;
        snprintf(lab, sizeof lab, "l%d.bn", k);
        if ((x = jahs_graph_bn(g, x, -1, lab, err)) < 0)
            return x;
        snprintf(lab, sizeof lab, "l%d", k);
        if ((x = jahs_graph_unary(g, JAHS_OP_RELU, x, -1, lab, err)) < 0)
            return x;
    }
    if ((x = jahs_graph_unary(g, JAHS_OP_GAP, x, -1, "gap", err)) < 0)
        return x;
    if (s->dropout[0] > 0.0f &&
        (x = jahs_graph_dropout(g, x, s->dropout[0], "drop", err)) < 0)
        return x;
    if ((x = jahs_graph_linear(g, x, s->n_classes, "logits", err)) < 0)
        return x;
    return jahs_graph_finish(g, x, err);
}
