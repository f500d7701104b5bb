/*
 * seq_template_net.c - the AutoML SS23 template's sequential CNN as a graph
 * (arch.h, "The template's sequential CNN"): blocks conv(k x k, pad
 * (k - 1) / 2) + bias -> ReLU -> [BN] -> MaxPool 2x2 while the map is at
 * least 2 x 2, [global average pool], n_fc x (Linear -> ReLU -> Dropout),
 * Linear to the classes.  PyTorch's Conv2d(bias=True) is our conv followed
 * by a per-channel bias operation (the same function; the bias is
 * initialised as PyTorch's, U(+-1/sqrt(cin k k))).
 */
#include <stdio.h>

#include "nn/arch.h"

int jahs_build_seqt_net(jahs_graph *g, const jahs_net_spec *s, jahs_error *err)
{
    char lab[64];
    int x = g->input, k;
    if (s->n_layers < 1 || s->n_layers > JAHS_SEQ_MAX_LAYERS)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "seqcnn-ss23 needs 1..%d conv layers, got %d",
                         JAHS_SEQ_MAX_LAYERS, s->n_layers);
    if (s->kernel < 1 || s->kernel % 2 == 0 || s->kernel > 11)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "seqcnn-ss23 needs an odd kernel size 1..11, got %d",
                         s->kernel);
    if (s->n_fc < 1 || s->n_fc > JAHS_SEQT_MAX_FC)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "seqcnn-ss23 needs 1..%d FC layers, got %d",
                         JAHS_SEQT_MAX_FC, s->n_fc);
    for (k = 0; k < s->n_layers; k++) {
        int cin = g->t[x].c, cout = s->channels[k];
        if (cout < 1)
            return JAHS_FAIL(err, JAHS_EINVAL,
                             "seqcnn-ss23 conv layer %d has %d channels", k,
                             cout);
        snprintf(lab, sizeof lab, "l%d.conv", k);
        if ((x = jahs_graph_conv(g, x, -1, cout, s->kernel, 1,
                                 (s->kernel - 1) / 2, lab, err)) < 0)
            return x;
        snprintf(lab, sizeof lab, "l%d.bias", k);
        if ((x = jahs_graph_bias(g, x, cin * s->kernel * s->kernel, lab,
                                 err)) < 0)
            return x;
        snprintf(lab, sizeof lab, "l%d.relu", k);
        if ((x = jahs_graph_unary(g, JAHS_OP_RELU, x, -1, lab, err)) < 0)
            return x;
        if (s->use_bn) {
            snprintf(lab, sizeof lab, "l%d.bn", k);
            if ((x = jahs_graph_bn(g, x, -1, lab, err)) < 0)
                return x;
        }
        if (g->t[x].h >= 2 && g->t[x].w >= 2) {
            snprintf(lab, sizeof lab, "l%d.pool", k);
            if ((x = jahs_graph_unary(g, JAHS_OP_MAXPOOL2, x, -1, lab, err)) <
                0)
                return x;
        }
    }
    if (s->gap && (g->t[x].h > 1 || g->t[x].w > 1) &&
        (x = jahs_graph_unary(g, JAHS_OP_GAP, x, -1, "gap", err)) < 0)
        return x;
    for (k = 0; k < s->n_fc; k++) {
        if (s->fc[k] < 1)
            return JAHS_FAIL(err, JAHS_EINVAL,
                             "seqcnn-ss23 FC layer %d has %d units", k,
                             s->fc[k]);
        snprintf(lab, sizeof lab, "fc%d", k);
        if ((x = jahs_graph_linear(g, x, s->fc[k], lab, err)) < 0)
            return x;
        snprintf(lab, sizeof lab, "fc%d.relu", k);
        if ((x = jahs_graph_unary(g, JAHS_OP_RELU, x, -1, lab, err)) < 0)
            return x;
        if (s->dropout[0] > 0.0f) {
            snprintf(lab, sizeof lab, "fc%d.drop", k);
            if ((x = jahs_graph_dropout(g, x, s->dropout[0], lab, err)) < 0)
                return x;
        }
    }
    if ((x = jahs_graph_linear(g, x, s->n_classes, "logits", err)) < 0)
        return x;
    return jahs_graph_finish(g, x, err);
}
