/*
 * arch.c - see arch.h: specs from configs, NB201 cell strings, building a
 * spec's graph, costs and descriptions.
 */
#include "nn/arch.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const op_names[5] = {"none", "skip_connect", "nor_conv_1x1",
                                        "nor_conv_3x3", "avg_pool_3x3"};

/* Value of parameter `name` in x, or NAN when absent / inactive. */
static double value(const jahs_space *sp, const double *x, const char *name)
{
    int i = jahs_space_find(sp, name);
    return i < 0 ? NAN : x[i];
}

/* Integer key `name` of x in [lo, hi] into *out, else an error. */
static int int_key(const jahs_space *sp, const double *x, const char *name,
                   int lo, int hi, int *out, jahs_error *err)
{
    double v = value(sp, x, name);
    if (!(v >= lo && v <= hi))
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "config of space '%s': key '%s' must be %d..%d",
                         sp->name, name, lo, hi);
    *out = (int)v;
    return 0;
}

/* The template's seqcnn: conv layers and widths, use_bn / gap (choices
 * off, on), FC layers and widths; kernel 3 and dropout 0.2 are the
 * template's constants. */
static int seqt_from_config(jahs_net_spec *spec, const jahs_space *sp,
                            const double *x, jahs_error *err)
{
    char name[32];
    int k, rc;
    if ((rc = int_key(sp, x, "n_conv_layers", 1, JAHS_SEQ_MAX_LAYERS,
                      &spec->n_layers, err)) ||
        (rc = int_key(sp, x, "use_bn", 0, 1, &spec->use_bn, err)) ||
        (rc = int_key(sp, x, "global_avg_pooling", 0, 1, &spec->gap, err)) ||
        (rc = int_key(sp, x, "n_fc_layers", 1, JAHS_SEQT_MAX_FC, &spec->n_fc,
                      err)))
        return rc;
    for (k = 0; k < spec->n_layers; k++) {
        snprintf(name, sizeof name, "conv_channels_%d", k);
        if ((rc = int_key(sp, x, name, 1, 4096, &spec->channels[k], err)))
            return rc;
    }
    for (k = 0; k < spec->n_fc; k++) {
        snprintf(name, sizeof name, "fc_channels_%d", k);
        if ((rc = int_key(sp, x, name, 1, 65536, &spec->fc[k], err)))
            return rc;
    }
    spec->kernel = 3;
    spec->dropout[0] = JAHS_SEQT_DROPOUT;
    return 0;
}

int jahs_net_spec_from_config(jahs_net_spec *spec, const jahs_space *sp,
                              const double *x, int c_in, int h, int w,
                              int n_classes, const int *cell_ops,
                              jahs_top10_fn top10, void *ctx, jahs_error *err)
{
    int k, rc;
    memset(spec, 0, sizeof *spec);
    if (c_in < 1 || h < 1 || w < 1 || n_classes < 2 || n_classes > 256)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "bad input %d x %d x %d with %d classes", c_in, h, w,
                         n_classes);
    spec->macro = sp->macro;
    spec->c_in = c_in;
    spec->h = h;
    spec->w = w;
    spec->n_classes = n_classes;
    if (sp->macro == JAHS_MACRO_NONE)
        return JAHS_FAIL(err, JAHS_EUNSUPPORTED,
                         "space '%s' describes no network (a space file "
                         "without the NB201 edges or jahs.macro): use the "
                         "synthetic evaluator",
                         sp->name);
    if (sp->macro == JAHS_MACRO_SEQT)
        return seqt_from_config(spec, sp, x, err);
    if (sp->macro == JAHS_MACRO_SEQ) {
        double nl = value(sp, x, "n_layers"), p = value(sp, x, "dropout");
        if (!(nl >= 1 && nl <= JAHS_SEQ_MAX_LAYERS))
            return JAHS_FAIL(err, JAHS_EINVAL,
                             "config of space '%s': key 'n_layers' must be "
                             "1..%d",
                             sp->name, JAHS_SEQ_MAX_LAYERS);
        spec->n_layers = (int)nl;
        for (k = 0; k < spec->n_layers; k++) {
            char name[32];
            double c;
            snprintf(name, sizeof name, "channels_%d", k);
            c = value(sp, x, name);
            if (!(c >= 1 && c <= 4096))
                return JAHS_FAIL(err, JAHS_EINVAL,
                                 "config of space '%s': key '%s' must be a "
                                 "channel count",
                                 sp->name, name);
            spec->channels[k] = (int)c;
        }
        spec->dropout[0] = isnan(p) ? 0.0f : (float)p;
        return 0;
    }
    spec->C = sp->init_channels;
    spec->N = sp->cells_per_stage;
    spec->stages = sp->stages;
    if (spec->stages > JAHS_MAX_STAGES)
        return JAHS_FAIL(err, JAHS_EINVAL, "space '%s' has %d stages (max %d)",
                         sp->name, spec->stages, JAHS_MAX_STAGES);
    for (k = 0; k < spec->stages; k++) {
        char name[32];
        double p;
        snprintf(name, sizeof name, "dropout_%d", k + 1);
        p = value(sp, x, name);
        spec->dropout[k] = isnan(p) ? 0.0f : (float)p;
    }
    if (cell_ops) {
        memcpy(spec->ops, cell_ops, sizeof spec->ops);
    } else if (sp->macro == JAHS_MACRO_TOP10) {
        double r = value(sp, x, "arch");
        int rank = isnan(r) ? 0 : (int)r + 1;
        if (rank < 1 || rank > 10)
            return JAHS_FAIL(err, JAHS_EINVAL,
                             "config of space 'top10': key 'arch' must be "
                             "rank01..rank10");
        if (!top10)
            return JAHS_FAIL(err, JAHS_EUNAVAILABLE,
                             "space 'top10': the cell of 'rank%02d' comes from "
                             "the NB201 table, which is not wired into the "
                             "trainer yet; give the cell explicitly (e.g. "
                             "--cell 333133)",
                             rank);
        if ((rc = top10(ctx, rank, spec->ops, err)))
            return rc;
    } else {
        static const char *const edges[6] = {"edge_1_0", "edge_2_0",
                                              "edge_2_1", "edge_3_0",
                                              "edge_3_1", "edge_3_2"};
        for (k = 0; k < 6; k++) {
            double v = value(sp, x, edges[k]);
            if (!(v >= 0 && v <= 4))
                return JAHS_FAIL(err, JAHS_EINVAL,
                                 "config of space '%s': key '%s' must be an "
                                 "NB201 operation",
                                 sp->name, edges[k]);
            spec->ops[k] = (int)v;
        }
    }
    for (k = 0; k < 6; k++)
        if (spec->ops[k] < 0 || spec->ops[k] > 4)
            return JAHS_FAIL(err, JAHS_EINVAL, "bad NB201 operation %d",
                             spec->ops[k]);
    return 0;
}

int jahs_nb201_cell_parse(const char *text, int ops[6], jahs_error *err)
{
    int k, e = 0;
    const char *p = text;
    if (!text)
        return JAHS_FAIL(err, JAHS_EINVAL, "no cell given");
    if (strlen(text) == 6 && strspn(text, "01234") == 6) {
        for (k = 0; k < 6; k++)
            ops[k] = text[k] - '0';
        return 0;
    }
    /* |op~0|+|op~0|op~1|+|op~0|op~1|op~2| */
    for (k = 1; k <= 3; k++) {
        int i;
        if (k > 1) {
            if (*p != '+')
                goto bad;
            p++;
        }
        if (*p != '|')
            goto bad;
        p++;
        for (i = 0; i < k; i++) {
            const char *tilde = strchr(p, '~'), *bar;
            int o, found = -1;
            if (!tilde)
                goto bad;
            for (o = 0; o < 5; o++)
                if ((size_t)(tilde - p) == strlen(op_names[o]) &&
                    strncmp(p, op_names[o], (size_t)(tilde - p)) == 0)
                    found = o;
            if (found < 0 || tilde[1] != '0' + i || tilde[2] != '|')
                goto bad;
            ops[e++] = found;
            bar = tilde + 2;
            p = bar + 1;
        }
    }
    if (*p != '\0')
        goto bad;
    return 0;
bad:
    return JAHS_FAIL(err, JAHS_EPARSE,
                     "bad cell '%s': expected a 6-digit ops code (0 none, 1 "
                     "skip_connect, 2 nor_conv_1x1, 3 nor_conv_3x3, 4 "
                     "avg_pool_3x3; edges 1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2) "
                     "or an NB201 arch string",
                     text);
}

char *jahs_nb201_cell_format(const int ops[6], char *buf, size_t size)
{
    snprintf(buf, size, "|%s~0|+|%s~0|%s~1|+|%s~0|%s~1|%s~2|",
             op_names[ops[0]], op_names[ops[1]], op_names[ops[2]],
             op_names[ops[3]], op_names[ops[4]], op_names[ops[5]]);
    return buf;
}

jahs_graph *jahs_net_build(const jahs_net_spec *spec, jahs_error *err)
{
    jahs_graph *g = jahs_graph_create(spec->c_in, spec->h, spec->w, err);
    int rc;
    if (!g)
        return NULL;
    if (spec->macro == JAHS_MACRO_SEQ)
        rc = jahs_build_seq_net(g, spec, err);
    else if (spec->macro == JAHS_MACRO_SEQT)
        rc = jahs_build_seqt_net(g, spec, err);
    else
        rc = jahs_build_cell_net(g, spec, err);
    if (rc < 0) {
        jahs_graph_free(g);
        return NULL;
    }
    return g;
}

int jahs_net_cost(const jahs_net_spec *spec, double *params, double *macs,
                  jahs_error *err)
{
    jahs_graph *g = jahs_net_build(spec, err);
    if (!g)
        return err ? err->code : JAHS_EINVAL;
    if (params)
        *params = (double)g->n_params;
    if (macs)
        *macs = jahs_graph_macs(g);
    jahs_graph_free(g);
    return 0;
}

int jahs_net_spec_describe(const jahs_net_spec *spec, jahs_buf *out)
{
    int k;
    if (spec->macro == JAHS_MACRO_SEQT) {
        jahs_buf_printf(out, "template sequential CNN, %d conv%dx%d+bias-ReLU"
                        "%s-maxpool blocks (",
                        spec->n_layers, spec->kernel, spec->kernel,
                        spec->use_bn ? "-BN" : "");
        for (k = 0; k < spec->n_layers; k++)
            jahs_buf_printf(out, "%s%d", k ? ", " : "", spec->channels[k]);
        jahs_buf_printf(out, " channels), %s, %d FC layers (",
                        spec->gap ? "global average pooling" : "flatten",
                        spec->n_fc);
        for (k = 0; k < spec->n_fc; k++)
            jahs_buf_printf(out, "%s%d", k ? ", " : "", spec->fc[k]);
        jahs_buf_printf(out, " units), dropout %g", (double)spec->dropout[0]);
    } else if (spec->macro == JAHS_MACRO_SEQ) {
        jahs_buf_printf(out, "sequential CNN, %d conv3x3-BN-ReLU blocks (",
                        spec->n_layers);
        for (k = 0; k < spec->n_layers; k++)
            jahs_buf_printf(out, "%s%d", k ? ", " : "", spec->channels[k]);
        jahs_buf_printf(out, " channels), dropout %g", (double)spec->dropout[0]);
    } else {
        char cell[160];
        jahs_buf_printf(out, "NB201 cell network C=%d N=%d stages=%d, cell %s "
                        "(ops %d%d%d%d%d%d), dropout",
                        spec->C, spec->N, spec->stages,
                        jahs_nb201_cell_format(spec->ops, cell, sizeof cell),
                        spec->ops[0], spec->ops[1], spec->ops[2], spec->ops[3],
                        spec->ops[4], spec->ops[5]);
        for (k = 0; k < spec->stages; k++)
            jahs_buf_printf(out, " %g", (double)spec->dropout[k]);
    }
    return jahs_buf_printf(out, "; input %d x %d x %d, %d classes", spec->h,
                           spec->w, spec->c_in, spec->n_classes);
}
