/*
 * graph.c - see graph.h: the operation list, its builders, the backward
 * flags and the gradient memory plan (first-fit over lifetimes, the greedy
 * offset assignment used by static memory planners such as TVM's and
 * TensorFlow Lite's "arena" planners).
 */
#include "nn/graph.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALIGN_FLOATS 16 /* 64-byte alignment of every tensor per image */

static size_t align_up(size_t n)
{
    return (n + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS;
}

const char *jahs_op_name(jahs_op_kind k)
{
    static const char *const names[JAHS_OP_KINDS] = {
        "conv", "bn", "relu", "copy", "zero", "avgpool3", "avgpool2", "gap",
        "dropout", "linear", "maxpool2", "bias"};
    return (unsigned)k < JAHS_OP_KINDS ? names[k] : "?";
}

static int new_tensor(jahs_graph *g, int c, int h, int w, const char *label,
                      jahs_error *err)
{
    jahs_tensor *t;
    if (c <= 0 || h <= 0 || w <= 0)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "tensor '%s' would have an empty shape %d x %d x %d",
                         label ? label : "", c, h, w);
    if (g->nt == g->cap_t) {
        int cap = g->cap_t ? 2 * g->cap_t : 64;
        jahs_tensor *nt = realloc(g->t, (size_t)cap * sizeof *nt);
        if (!nt)
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for a graph");
        g->t = nt;
        g->cap_t = cap;
    }
    t = &g->t[g->nt];
    memset(t, 0, sizeof *t);
    t->c = c;
    t->h = h;
    t->w = w;
    t->size = (size_t)c * h * w;
    t->grad = JAHS_NO_GRAD;
    snprintf(t->label, sizeof t->label, "%s", label ? label : "");
    return g->nt++;
}

jahs_graph *jahs_graph_create(int c, int h, int w, jahs_error *err)
{
    jahs_graph *g = calloc(1, sizeof *g);
    if (!g) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for a graph");
        return NULL;
    }
    g->logits = -1;
    if ((g->input = new_tensor(g, c, h, w, "input", err)) < 0) {
        jahs_graph_free(g);
        return NULL;
    }
    g->t[g->input].n_writers = 1; /* written by the caller */
    return g;
}

void jahs_graph_free(jahs_graph *g)
{
    if (!g)
        return;
    free(g->t);
    free(g->op);
    free(g);
}

static int check_tensor(const jahs_graph *g, int id, jahs_error *err)
{
    if (g->finished)
        return JAHS_FAIL(err, JAHS_ESTATE, "graph already finished");
    if (id < 0 || id >= g->nt)
        return JAHS_FAIL(err, JAHS_EINVAL, "no tensor %d in the graph", id);
    return 0;
}

/* Resolve out: create it with shape (c, h, w) when out < 0, else check the
 * shape matches.  Returns the id or an error. */
static int output(jahs_graph *g, int out, int c, int h, int w,
                  const char *label, jahs_op_kind kind, jahs_error *err)
{
    jahs_tensor *t;
    if (out < 0)
        return new_tensor(g, c, h, w, label, err);
    if (out >= g->nt || out == g->input)
        return JAHS_FAIL(err, JAHS_EINVAL, "%s cannot write tensor %d",
                         jahs_op_name(kind), out);
    t = &g->t[out];
    if (t->c != c || t->h != h || t->w != w)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "%s output %d x %d x %d does not match tensor '%s' "
                         "(%d x %d x %d)",
                         jahs_op_name(kind), c, h, w, t->label, t->c, t->h,
                         t->w);
    return out;
}

static jahs_op *add_op(jahs_graph *g, jahs_op_kind kind, int in, int out,
                       jahs_error *err)
{
    jahs_op *op;
    if (g->nop == g->cap_op) {
        int cap = g->cap_op ? 2 * g->cap_op : 64;
        jahs_op *no = realloc(g->op, (size_t)cap * sizeof *no);
        if (!no) {
            JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for a graph");
            return NULL;
        }
        g->op = no;
        g->cap_op = cap;
    }
    op = &g->op[g->nop++];
    memset(op, 0, sizeof *op);
    op->kind = kind;
    op->in = in;
    op->out = out;
    op->acc = g->t[out].n_writers > 0;
    g->t[out].n_writers++;
    g->t[in].n_readers++;
    return op;
}

int jahs_graph_conv(jahs_graph *g, int in, int out, int cout, int k,
                    int stride, int pad, const char *label, jahs_error *err)
{
    jahs_conv_shape s;
    jahs_op *op;
    int rc;
    if ((rc = check_tensor(g, in, err)))
        return rc;
    if (cout <= 0 || k <= 0 || stride <= 0 || pad < 0)
        return JAHS_FAIL(err, JAHS_EINVAL, "bad convolution %d/%d/%d/%d",
                         cout, k, stride, pad);
    jahs_conv_shape_set(&s, g->t[in].c, g->t[in].h, g->t[in].w, cout, k,
                        stride, pad);
    if ((out = output(g, out, cout, s.ho, s.wo, label, JAHS_OP_CONV, err)) < 0)
        return out;
    if (!(op = add_op(g, JAHS_OP_CONV, in, out, err)))
        return err ? err->code : JAHS_ENOMEM;
    op->conv = s;
    op->w = g->n_params;
    op->nw = (size_t)cout * s.cin * k * k;
    g->n_params += op->nw;
    return out;
}

int jahs_graph_bn(jahs_graph *g, int in, int out, const char *label,
                  jahs_error *err)
{
    jahs_op *op;
    int rc, c;
    if ((rc = check_tensor(g, in, err)))
        return rc;
    c = g->t[in].c;
    if ((out = output(g, out, c, g->t[in].h, g->t[in].w, label, JAHS_OP_BN,
                      err)) < 0)
        return out;
    if (!(op = add_op(g, JAHS_OP_BN, in, out, err)))
        return err ? err->code : JAHS_ENOMEM;
    op->w = g->n_params;
    op->nw = (size_t)c;
    op->b = g->n_params + (size_t)c;
    op->nb = (size_t)c;
    g->n_params += 2 * (size_t)c;
    op->stat = g->n_buffers;
    g->n_buffers += 2 * (size_t)c;
    op->save = g->act_fixed;
    g->act_fixed += align_up(2 * (size_t)c);
    return out;
}

int jahs_graph_unary(jahs_graph *g, jahs_op_kind kind, int in, int out,
                     const char *label, jahs_error *err)
{
    jahs_tensor *t;
    int rc, c, h, w;
    if ((rc = check_tensor(g, in, err)))
        return rc;
    t = &g->t[in];
    c = t->c, h = t->h, w = t->w;
    switch (kind) {
    case JAHS_OP_RELU:
    case JAHS_OP_COPY:
    case JAHS_OP_AVGPOOL3:
        break;
    case JAHS_OP_AVGPOOL2:
    case JAHS_OP_MAXPOOL2:
        h /= 2, w /= 2;
        break;
    case JAHS_OP_GAP:
        h = w = 1;
        break;
    default:
        return JAHS_FAIL(err, JAHS_EINVAL, "'%s' is not a unary operation",
                         jahs_op_name(kind));
    }
    if (kind == JAHS_OP_RELU && out >= 0)
        return JAHS_FAIL(err, JAHS_EINVAL, "relu cannot add into a tensor");
    if ((out = output(g, out, c, h, w, label, kind, err)) < 0)
        return out;
    if (!add_op(g, kind, in, out, err))
        return err ? err->code : JAHS_ENOMEM;
    return out;
}

int jahs_graph_tensor_like(jahs_graph *g, int like, const char *label,
                           jahs_error *err)
{
    int rc;
    if ((rc = check_tensor(g, like, err)))
        return rc;
    return new_tensor(g, g->t[like].c, g->t[like].h, g->t[like].w, label, err);
}

int jahs_graph_zero(jahs_graph *g, int like, const char *label,
                    jahs_error *err)
{
    int out;
    if ((out = jahs_graph_tensor_like(g, like, label, err)) < 0)
        return out;
    /* reads `like` only for its shape: no data dependence, no gradient */
    if (!add_op(g, JAHS_OP_ZERO, like, out, err))
        return err ? err->code : JAHS_ENOMEM;
    g->t[like].n_readers--;
    return out;
}

int jahs_graph_dropout(jahs_graph *g, int in, float p, const char *label,
                       jahs_error *err)
{
    jahs_op *op;
    int rc, out;
    if ((rc = check_tensor(g, in, err)))
        return rc;
    if (!(p >= 0.0f && p < 1.0f))
        return JAHS_FAIL(err, JAHS_ERANGE,
                         "dropout probability %g outside [0, 1)", (double)p);
    if ((out = jahs_graph_tensor_like(g, in, label, err)) < 0)
        return out;
    if (!(op = add_op(g, JAHS_OP_DROPOUT, in, out, err)))
        return err ? err->code : JAHS_ENOMEM;
    op->p = p;
    op->site = g->n_sites++;
    return out;
}

int jahs_graph_linear(jahs_graph *g, int in, int n_out, const char *label,
                      jahs_error *err)
{
    jahs_op *op;
    int rc, out;
    size_t n_in;
    if ((rc = check_tensor(g, in, err)))
        return rc;
    if (n_out <= 0)
        return JAHS_FAIL(err, JAHS_EINVAL, "linear needs outputs > 0");
    n_in = g->t[in].size; /* flattened c x h x w, channel-major as PyTorch */
    if ((out = new_tensor(g, n_out, 1, 1, label, err)) < 0)
        return out;
    if (!(op = add_op(g, JAHS_OP_LINEAR, in, out, err)))
        return err ? err->code : JAHS_ENOMEM;
    op->w = g->n_params;
    op->nw = n_in * (size_t)n_out;
    op->b = g->n_params + op->nw;
    op->nb = (size_t)n_out;
    g->n_params += op->nw + op->nb;
    return out;
}

int jahs_graph_bias(jahs_graph *g, int in, int fan_in, const char *label,
                    jahs_error *err)
{
    jahs_op *op;
    int rc, out;
    if ((rc = check_tensor(g, in, err)))
        return rc;
    if (fan_in < 1)
        return JAHS_FAIL(err, JAHS_EINVAL, "bias needs fan_in >= 1, got %d",
                         fan_in);
    if ((out = jahs_graph_tensor_like(g, in, label, err)) < 0)
        return out;
    if (!(op = add_op(g, JAHS_OP_BIAS, in, out, err)))
        return err ? err->code : JAHS_ENOMEM;
    op->b = g->n_params;
    op->nb = (size_t)g->t[in].c;
    op->p = (float)(1.0 / sqrt((double)fan_in));
    g->n_params += op->nb;
    return out;
}

/* ---- finishing: backward flags and the gradient plan ------------------- */

typedef struct {
    int id;
    long start, end; /* backward time, inclusive */
    size_t size;
} life;

static int by_start(const void *a, const void *b)
{
    const life *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    return x->id - y->id;
}

typedef struct {
    size_t off, end;
} span;

static int by_off(const void *a, const void *b)
{
    const span *x = a, *y = b;
    return x->off < y->off ? -1 : x->off > y->off;
}

/*
 * Give each lifetime L[0..n) an offset (floats per image) such that no two
 * lifetimes that overlap in time overlap in memory: in order of start, the
 * lowest offset that fits between the blocks already placed and alive at
 * the same time.  off[L[i].id] receives the offsets; returns the pool size.
 * L is sorted; S is scratch for n spans.
 */
static size_t first_fit(life *L, int n, span *S, size_t *off_out)
{
    size_t top = 0;
    int i;
    qsort(L, (size_t)n, sizeof *L, by_start);
    for (i = 0; i < n; i++) {
        int j, m = 0;
        size_t off = 0;
        for (j = 0; j < i; j++) {
            if (L[j].end >= L[i].start && L[j].start <= L[i].end) {
                S[m].off = off_out[L[j].id];
                S[m].end = S[m].off + L[j].size;
                m++;
            }
        }
        qsort(S, (size_t)m, sizeof *S, by_off);
        for (j = 0; j < m; j++) {
            if (S[j].off >= off + L[i].size)
                break; /* the gap before S[j] fits */
            if (S[j].end > off)
                off = S[j].end;
        }
        off_out[L[i].id] = off;
        if (off + L[i].size > top)
            top = off + L[i].size;
    }
    return top;
}

int jahs_graph_finish(jahs_graph *g, int logits, jahs_error *err)
{
    int i, n = 0, *first_w = NULL, *last_w = NULL, *last_r = NULL;
    char *seen = NULL;
    life *L = NULL;
    span *S = NULL;
    size_t top = 0, *act_off = NULL, *grad_off = NULL;
    int rc = 0;
    if (g->finished)
        return JAHS_FAIL(err, JAHS_ESTATE, "graph already finished");
    if (logits <= 0 || logits >= g->nt)
        return JAHS_FAIL(err, JAHS_EINVAL, "no logits tensor %d", logits);
    g->logits = logits;
    first_w = malloc((size_t)g->nt * sizeof *first_w);
    last_w = malloc((size_t)g->nt * sizeof *last_w);
    last_r = malloc((size_t)g->nt * sizeof *last_r);
    seen = calloc((size_t)g->nt, 1);
    L = malloc((size_t)g->nt * sizeof *L);
    S = malloc((size_t)g->nt * sizeof *S);
    act_off = calloc((size_t)g->nt, sizeof *act_off);
    grad_off = calloc((size_t)g->nt, sizeof *grad_off);
    if (!first_w || !last_w || !last_r || !seen || !L || !S || !act_off ||
        !grad_off) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for a graph plan");
        goto out;
    }
    for (i = 0; i < g->nt; i++) {
        first_w[i] = last_w[i] = last_r[i] = -1;
        if (i != g->input && g->t[i].n_writers == 0) {
            rc = JAHS_FAIL(err, JAHS_EINVAL, "tensor '%s' is never written",
                           g->t[i].label);
            goto out;
        }
    }
    for (i = 0; i < g->nop; i++) {
        jahs_op *op = &g->op[i];
        if (first_w[op->out] < 0)
            first_w[op->out] = i;
        last_w[op->out] = i;
        if (op->kind != JAHS_OP_ZERO && op->in != g->input)
            last_r[op->in] = i;
        if (op->kind == JAHS_OP_CONV) {
            size_t col = jahs_conv_col_size(&op->conv);
            if (jahs_conv_is_same(&op->conv) &&
                jahs_conv_flip_col_size(&op->conv) > col)
                col = jahs_conv_flip_col_size(&op->conv);
            if (col > g->max_col)
                g->max_col = col;
            if (op->nw > g->max_conv_w)
                g->max_conv_w = op->nw;
        }
    }
    /* backward flags, visiting operations in backward order */
    for (i = g->nop - 1; i >= 0; i--) {
        jahs_op *op = &g->op[i];
        op->din = op->kind != JAHS_OP_ZERO && op->in != g->input;
        if (op->din) {
            op->din_acc = seen[op->in];
            seen[op->in] = 1;
        }
        op->dout_zero = op->out != logits && last_r[op->out] < 0 &&
                        last_w[op->out] == i;
    }
    /* which activations the backward pass reads: the inputs of conv, BN,
     * linear (weight gradients, xhat) and max-pool (the argmax), the outputs of ReLU (its mask),
     * the image batch and the logits */
    g->t[g->input].kept = 1;
    g->t[logits].kept = 1;
    for (i = 0; i < g->nop; i++) {
        const jahs_op *op = &g->op[i];
        if (op->kind == JAHS_OP_CONV || op->kind == JAHS_OP_BN ||
            op->kind == JAHS_OP_LINEAR || op->kind == JAHS_OP_MAXPOOL2)
            g->t[op->in].kept = 1;
        if (op->kind == JAHS_OP_RELU)
            g->t[op->out].kept = 1;
    }
    /* activation lifetimes in forward time (op index): from the first
     * writer to the last reader or writer, or to the end for kept ones */
    for (i = 0; i < g->nt; i++) {
        long end = last_w[i] > last_r[i] ? last_w[i] : last_r[i];
        L[n].id = i;
        L[n].start = i == g->input ? -1 : first_w[i];
        L[n].end = g->t[i].kept ? g->nop : end;
        L[n].size = align_up(g->t[i].size);
        n++;
    }
    g->act_per_image = first_fit(L, n, S, act_off);
    for (i = 0; i < n; i++)
        g->t[L[i].id].act = act_off[L[i].id];
    n = 0;
    /* gradient lifetimes in backward time T(op i) = nop - i; the loss
     * writes grad(logits) at time 0 */
    for (i = 0; i < g->nt; i++) {
        long start, end;
        if (i == g->input)
            continue;
        if (i == logits)
            start = 0;
        else if (last_r[i] >= 0)
            start = g->nop - last_r[i];
        else
            start = g->nop - last_w[i];
        end = g->nop - first_w[i];
        L[n].id = i;
        L[n].start = start;
        L[n].end = end;
        L[n].size = align_up(g->t[i].size);
        n++;
    }
    top = first_fit(L, n, S, grad_off);
    for (i = 0; i < n; i++)
        g->t[L[i].id].grad = grad_off[L[i].id];
    g->grad_per_image = top;
    g->finished = 1;
out:
    free(first_w);
    free(last_w);
    free(last_r);
    free(seen);
    free(L);
    free(S);
    free(act_off);
    free(grad_off);
    return rc;
}

double jahs_graph_macs(const jahs_graph *g)
{
    double m = 0;
    int i;
    for (i = 0; i < g->nop; i++) {
        const jahs_op *op = &g->op[i];
        if (op->kind == JAHS_OP_CONV)
            m += (double)op->nw * op->conv.ho * op->conv.wo;
        else if (op->kind == JAHS_OP_LINEAR)
            m += (double)op->nw + (double)op->nb;
    }
    return m;
}
