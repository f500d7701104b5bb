/*
 * nb201_net.c - NAS-Bench-201's cell network (TinyNetwork with InferCell
 * and ResNetBasicblock, D-X-Y/AutoDL-Projects lib/models) as a graph; the
 * structure is described in arch.h.
 */
#include <stdio.h>

#include "nn/arch.h"

/* op_ij(node i) added into node j; *dst is node j's tensor (-1 until its
 * first edge).  relu[i] caches ReLU(node i) for conv edges. */
static int edge(jahs_graph *g, int op, int src, int *dst, int *relu, int C,
                const char *pfx, int i, int j, jahs_error *err)
{
    char lab[48];
    int t, k;
    switch (op) {
    case JAHS_NB201_NONE:
        return 0;
    case JAHS_NB201_SKIP:
        snprintf(lab, sizeof lab, "%.24s.n%d", pfx, j);
        t = jahs_graph_unary(g, JAHS_OP_COPY, src, *dst, lab, err);
        break;
    case JAHS_NB201_POOL:
        snprintf(lab, sizeof lab, "%.24s.n%d", pfx, j);
        t = jahs_graph_unary(g, JAHS_OP_AVGPOOL3, src, *dst, lab, err);
        break;
    case JAHS_NB201_CONV1:
    case JAHS_NB201_CONV3:
        k = op == JAHS_NB201_CONV1 ? 1 : 3;
        if (relu[i] < 0) {
            snprintf(lab, sizeof lab, "%.24s.r%d", pfx, i);
            if ((relu[i] = jahs_graph_unary(g, JAHS_OP_RELU, src, -1, lab,
                                            err)) < 0)
                return relu[i];
        }
        snprintf(lab, sizeof lab, "%.24s.e%d%d", pfx, j, i);
        if ((t = jahs_graph_conv(g, relu[i], -1, C, k, 1, k / 2, lab, err)) < 0)
            return t;
        snprintf(lab, sizeof lab, "%.24s.n%d", pfx, j);
        t = jahs_graph_bn(g, t, *dst, lab, err);
        break;
    default:
        return JAHS_FAIL(err, JAHS_EINVAL, "unknown NB201 operation %d", op);
    }
    if (t < 0)
        return t;
    *dst = t;
    return 0;
}

/* One InferCell on tensor x (C channels); returns node 3's tensor. */
static int cell(jahs_graph *g, const int ops[6], int x, int C, const char *pfx,
                jahs_error *err)
{
    int node[4] = {x, -1, -1, -1}, relu[3] = {-1, -1, -1};
    int i, j, rc;
    for (j = 1; j <= 3; j++) {
        for (i = 0; i < j; i++) {
            int e = j * (j - 1) / 2 + i; /* ops_code order */
            if ((rc = edge(g, ops[e], node[i], &node[j], relu, C, pfx, i, j,
                           err)) < 0)
                return rc;
        }
        if (node[j] < 0) {
            char lab[48];
            snprintf(lab, sizeof lab, "%.24s.n%d", pfx, j);
            if ((node[j] = jahs_graph_zero(g, x, lab, err)) < 0)
                return node[j];
        }
    }
    return node[3];
}

/* ResNetBasicblock(C_in, C_out = 2 C_in, stride 2). */
static int reduction(jahs_graph *g, int x, int cout, const char *pfx,
                     jahs_error *err)
{
    char lab[48];
    int r, a, ra, b, out, p;
    const jahs_tensor *t = &g->t[x];
    if (t->h % 2 || t->w % 2)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "a reduction block needs an even-sized map, got "
                         "%d x %d at '%s' (input size not divisible by "
                         "2^(stages-1))",
                         t->h, t->w, pfx);
    snprintf(lab, sizeof lab, "%.24s.r", pfx);
    if ((r = jahs_graph_unary(g, JAHS_OP_RELU, x, -1, lab, err)) < 0)
        return r;
    snprintf(lab, sizeof lab, "%.24s.ca", pfx);
    if ((a = jahs_graph_conv(g, r, -1, cout, 3, 2, 1, lab, err)) < 0)
        return a;
    snprintf(lab, sizeof lab, "%.24s.a", pfx);
    if ((a = jahs_graph_bn(g, a, -1, lab, err)) < 0)
        return a;
    snprintf(lab, sizeof lab, "%.24s.ra", pfx);
    if ((ra = jahs_graph_unary(g, JAHS_OP_RELU, a, -1, lab, err)) < 0)
        return ra;
    snprintf(lab, sizeof lab, "%.24s.cb", pfx);
    if ((b = jahs_graph_conv(g, ra, -1, cout, 3, 1, 1, lab, err)) < 0)
        return b;
    snprintf(lab, sizeof lab, "%.24s.out", pfx);
    if ((out = jahs_graph_bn(g, b, -1, lab, err)) < 0)
        return out;
    snprintf(lab, sizeof lab, "%.24s.pool", pfx);
    if ((p = jahs_graph_unary(g, JAHS_OP_AVGPOOL2, x, -1, lab, err)) < 0)
        return p;
    return jahs_graph_conv(g, p, out, cout, 1, 1, 0, NULL, err);
}

int jahs_build_cell_net(jahs_graph *g, const jahs_net_spec *s,
                        jahs_error *err)
{
    char pfx[32];
    int x, C = s->C, st, c, rc;
    if (s->C <= 0 || s->N < 0 || s->stages < 1 ||
        s->stages > JAHS_MAX_STAGES)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "bad cell-network macro C=%d N=%d stages=%d", s->C,
                         s->N, s->stages);
    if ((x = jahs_graph_conv(g, g->input, -1, C, 3, 1, 1, "stem.conv", err)) < 0 ||
        (x = jahs_graph_bn(g, x, -1, "stem", err)) < 0)
        return x;
    for (st = 0; st < s->stages; st++) {
        if (st > 0) {
            snprintf(pfx, sizeof pfx, "red%d", st);
            C *= 2;
            if ((x = reduction(g, x, C, pfx, err)) < 0)
                return x;
        }
        for (c = 0; c < s->N; c++) {
            snprintf(pfx, sizeof pfx, "s%d.c%d", st + 1, c + 1);
            if ((x = cell(g, s->ops, x, C, pfx, err)) < 0)
                return x;
        }
        if (s->dropout[st] > 0.0f) {
            snprintf(pfx, sizeof pfx, "s%d.drop", st + 1);
            if ((x = jahs_graph_dropout(g, x, s->dropout[st], pfx, err)) < 0)
                return x;
        }
    }
    if ((x = jahs_graph_bn(g, x, -1, "head.bn", err)) < 0 ||
        (x = jahs_graph_unary(g, JAHS_OP_RELU, x, -1, "head.relu", err)) < 0 ||
        (x = jahs_graph_unary(g, JAHS_OP_GAP, x, -1, "head.gap", err)) < 0 ||
        (x = jahs_graph_linear(g, x, s->n_classes, "logits", err)) < 0)
        return x;
    rc = jahs_graph_finish(g, x, err);
    return rc;
}
