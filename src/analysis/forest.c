/*
 * forest.c - see forest.h for the algorithm and its sources.
 *
 * A tree is a flat array of nodes grown depth first.  The builder keeps one
 * index array (the tree's bootstrap sample) and partitions it in place, so a
 * node owns a contiguous slice; numeric splits sort (value, response) pairs
 * of the slice in a scratch buffer allocated once per forest.
 */
#include "analysis/forest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"

typedef struct node {
    int feat;      /* -1: leaf */
    int left, right;
    double thr;    /* numeric: x <= thr goes left */
    uint64_t cats; /* categorical: bit c set -> category c goes left */
    double value;  /* leaf: mean response */
} node;

typedef struct tree {
    node *nodes;
    int n, cap;
} tree;

struct jahs_forest {
    int d;
    int *types;
    int n_trees;
    tree *trees;
};

typedef struct pair {
    double x, y;
} pair;

/* Everything the builder of one forest shares. */
typedef struct builder {
    const double *X, *y;
    int d;
    const int *types;
    const jahs_forest_opts *o;
    int n_try;      /* features tried per node */
    int *feats;     /* d: shuffled feature order */
    pair *pairs;    /* n: scratch for numeric splits */
    jahs_rng *rng;  /* the current tree's stream */
} builder;

void jahs_forest_opts_default(jahs_forest_opts *o)
{
    o->n_trees = 10;
    o->ratio_features = 1.0;
    o->min_samples_split = 2;
    o->min_samples_leaf = 1;
    o->max_depth = 64;
    o->bootstrap = 1;
    o->seed = 0;
}

static int push_node(tree *t)
{
    if (t->n == t->cap) {
        int cap = t->cap ? 2 * t->cap : 64;
        node *p = realloc(t->nodes, (size_t)cap * sizeof *p);
        if (!p)
            return -1;
        t->nodes = p;
        t->cap = cap;
    }
    memset(&t->nodes[t->n], 0, sizeof t->nodes[t->n]);
    t->nodes[t->n].feat = -1;
    return t->n++;
}

static int cmp_pair(const void *a, const void *b)
{
    const pair *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    return (p->y > q->y) - (p->y < q->y);
}

/* Candidate split of one feature: loss and where it cuts. */
typedef struct split {
    double loss;
    int feat;
    /* numeric: the cut lies between values lo and hi */
    double lo, hi;
    /* categorical: observed categories going left; observed set */
    uint64_t left, seen;
} split;

static double sse(double s, double s2, double n) { return s2 - s * s / n; }

/* Best cut of numeric feature f over idx[0..m); responses centred by mean. */
static void best_numeric(builder *b, const int *idx, int m, int f, double mean,
                         split *best)
{
    pair *p = b->pairs;
    double sl = 0, s2l = 0, sr = 0, s2r = 0;
    int i, minleaf = b->o->min_samples_leaf;
    for (i = 0; i < m; i++) {
        p[i].x = b->X[(size_t)idx[i] * (size_t)b->d + (size_t)f];
        p[i].y = b->y[idx[i]] - mean;
        sr += p[i].y;
        s2r += p[i].y * p[i].y;
    }
    qsort(p, (size_t)m, sizeof *p, cmp_pair);
    for (i = 0; i < m - 1; i++) {
        double loss;
        sl += p[i].y;
        s2l += p[i].y * p[i].y;
        sr -= p[i].y;
        s2r -= p[i].y * p[i].y;
        if (p[i].x == p[i + 1].x || i + 1 < minleaf || m - i - 1 < minleaf)
            continue;
        loss = sse(sl, s2l, i + 1) + sse(sr, s2r, m - i - 1);
        if (loss < best->loss) {
            best->loss = loss;
            best->feat = f;
            best->lo = p[i].x;
            best->hi = p[i + 1].x;
        }
    }
}

/* Best prefix of the categories ordered by mean response. */
static void best_categorical(builder *b, const int *idx, int m, int f,
                             double mean, split *best)
{
    int k = b->types[f], c, i, j, order[JAHS_FOREST_MAX_CATS], n_obs = 0;
    double s[JAHS_FOREST_MAX_CATS] = {0}, s2[JAHS_FOREST_MAX_CATS] = {0};
    int cnt[JAHS_FOREST_MAX_CATS] = {0};
    double sl = 0, s2l = 0, sr = 0, s2r = 0;
    int nl = 0, minleaf = b->o->min_samples_leaf;
    uint64_t seen = 0, left = 0;
    for (i = 0; i < m; i++) {
        double yv = b->y[idx[i]] - mean;
        c = (int)b->X[(size_t)idx[i] * (size_t)b->d + (size_t)f];
        s[c] += yv;
        s2[c] += yv * yv;
        cnt[c]++;
        sr += yv;
        s2r += yv * yv;
    }
    for (c = 0; c < k; c++)
        if (cnt[c] > 0) {
            order[n_obs++] = c;
            seen |= (uint64_t)1 << c;
        }
    /* insertion sort by mean, ties by category index (stable) */
    for (i = 1; i < n_obs; i++) {
        int v = order[i];
        double mv = s[v] / cnt[v];
        for (j = i - 1; j >= 0 && s[order[j]] / cnt[order[j]] > mv; j--)
            order[j + 1] = order[j];
        order[j + 1] = v;
    }
    for (i = 0; i < n_obs - 1; i++) {
        double loss;
        c = order[i];
        sl += s[c];
        s2l += s2[c];
        sr -= s[c];
        s2r -= s2[c];
        nl += cnt[c];
        left |= (uint64_t)1 << c;
        if (nl < minleaf || m - nl < minleaf)
            continue;
        loss = sse(sl, s2l, nl) + sse(sr, s2r, m - nl);
        if (loss < best->loss) {
            best->loss = loss;
            best->feat = f;
            best->left = left;
            best->seen = seen;
        }
    }
}

static int goes_left(const node *nd, int type, double v)
{
    if (type == 0)
        return v <= nd->thr;
    return (int)((nd->cats >> (int)v) & 1u);
}

/* Grow the subtree of idx[0..m) at depth; returns its node index or -1. */
static int grow(builder *b, tree *t, int *idx, int m, int depth)
{
    double mean = 0, ymin, ymax;
    int i, me, l, r, nl;
    split best;
    node *nd;
    if ((me = push_node(t)) < 0)
        return -1;
    ymin = ymax = b->y[idx[0]];
    for (i = 0; i < m; i++) {
        double v = b->y[idx[i]];
        mean += v;
        if (v < ymin)
            ymin = v;
        if (v > ymax)
            ymax = v;
    }
    mean /= m;
    t->nodes[me].value = mean;
    if (m < b->o->min_samples_split || depth >= b->o->max_depth ||
        ymax - ymin <= 1e-12 * (1.0 + fabs(mean)))
        return me;
    /* a fresh random order of the features; the first n_try are tried */
    for (i = b->d - 1; i > 0; i--) {
        int j = (int)jahs_rng_int(b->rng, (unsigned long)i + 1), tmp;
        tmp = b->feats[i];
        b->feats[i] = b->feats[j];
        b->feats[j] = tmp;
    }
    best.loss = INFINITY;
    best.feat = -1;
    best.lo = best.hi = 0;
    best.left = best.seen = 0;
    for (i = 0; i < b->n_try; i++) {
        int f = b->feats[i];
        if (b->types[f] == 0)
            best_numeric(b, idx, m, f, mean, &best);
        else
            best_categorical(b, idx, m, f, mean, &best);
    }
    if (best.feat < 0)
        return me;
    nd = &t->nodes[me];
    nd->feat = best.feat;
    if (b->types[best.feat] == 0) {
        double thr = best.lo + jahs_rng_uniform(b->rng) * (best.hi - best.lo);
        nd->thr = thr < best.hi ? thr : best.lo;
    } else {
        int c;
        nd->cats = best.left;
        for (c = 0; c < b->types[best.feat]; c++)
            if (!((best.seen >> c) & 1u) && jahs_rng_uniform(b->rng) < 0.5)
                nd->cats |= (uint64_t)1 << c;
    }
    /* partition idx: left part first */
    for (i = 0, nl = 0; i < m; i++) {
        double v = b->X[(size_t)idx[i] * (size_t)b->d + (size_t)nd->feat];
        if (goes_left(nd, b->types[nd->feat], v)) {
            int tmp = idx[nl];
            idx[nl++] = idx[i];
            idx[i] = tmp;
        }
    }
    if ((l = grow(b, t, idx, nl, depth + 1)) < 0 ||
        (r = grow(b, t, idx + nl, m - nl, depth + 1)) < 0)
        return -1;
    t->nodes[me].left = l; /* t->nodes may have moved: index again */
    t->nodes[me].right = r;
    return me;
}

static int check_opts(const jahs_forest_opts *o, jahs_error *err)
{
    if (o->n_trees < 1 || !(o->ratio_features > 0 && o->ratio_features <= 1) ||
        o->min_samples_split < 2 || o->min_samples_leaf < 1 ||
        o->max_depth < 1)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "bad forest options (expected trees >= 1, feature "
                         "ratio in (0, 1], min split >= 2, min leaf >= 1, "
                         "depth >= 1)");
    return 0;
}

jahs_forest *jahs_forest_fit(const double *X, const double *y, size_t n, int d,
                             const int *types, const jahs_forest_opts *o,
                             jahs_error *err)
{
    jahs_forest *f = NULL;
    builder b;
    int *idx = NULL, t, j;
    size_t i;
    memset(&b, 0, sizeof b);
    if (check_opts(o, err))
        return NULL;
    if (n < 1 || n > (size_t)INT32_MAX || d < 1) {
        JAHS_FAIL(err, JAHS_EINVAL,
                  "cannot fit a forest on %zu points of %d features", n, d);
        return NULL;
    }
    for (j = 0; j < d; j++)
        if (types[j] < 0 || types[j] == 1 || types[j] > JAHS_FOREST_MAX_CATS) {
            JAHS_FAIL(err, JAHS_EINVAL,
                      "feature %d: bad type %d (expected 0 for numeric or "
                      "2..%d categories)",
                      j, types[j], JAHS_FOREST_MAX_CATS);
            return NULL;
        }
    for (i = 0; i < n; i++) {
        if (!isfinite(y[i])) {
            JAHS_FAIL(err, JAHS_EINVAL, "row %zu: response is not finite", i);
            return NULL;
        }
        for (j = 0; j < d; j++) {
            double v = X[i * (size_t)d + (size_t)j];
            if (!isfinite(v) ||
                (types[j] > 0 && (v != floor(v) || v < 0 || v >= types[j]))) {
                JAHS_FAIL(err, JAHS_EINVAL,
                          "row %zu, feature %d: bad value %g (expected %s)", i,
                          j, v,
                          types[j] ? "a category index" : "a finite number");
                return NULL;
            }
        }
    }
    f = calloc(1, sizeof *f);
    if (!f || !(f->types = malloc((size_t)d * sizeof *f->types)) ||
        !(f->trees = calloc((size_t)o->n_trees, sizeof *f->trees)) ||
        !(idx = malloc(n * sizeof *idx)) ||
        !(b.feats = malloc((size_t)d * sizeof *b.feats)) ||
        !(b.pairs = malloc(n * sizeof *b.pairs))) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto fail;
    }
    memcpy(f->types, types, (size_t)d * sizeof *types);
    f->d = d;
    f->n_trees = o->n_trees;
    b.X = X;
    b.y = y;
    b.d = d;
    b.types = types;
    b.o = o;
    b.n_try = (int)floor(o->ratio_features * d);
    if (b.n_try < 1)
        b.n_try = 1;
    for (t = 0; t < o->n_trees; t++) {
        if (!(b.rng = jahs_rng_create(o->seed, "analysis/forest",
                                      (uint64_t)t, err)))
            goto fail;
        for (j = 0; j < d; j++)
            b.feats[j] = j; /* each tree starts from the same order */
        for (i = 0; i < n; i++)
            idx[i] = o->bootstrap ? (int)jahs_rng_int(b.rng, (unsigned long)n)
                                  : (int)i;
        if (grow(&b, &f->trees[t], idx, (int)n, 0) < 0) {
            JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
            goto fail;
        }
        jahs_rng_free(b.rng);
        b.rng = NULL;
    }
    free(idx);
    free(b.feats);
    free(b.pairs);
    return f;
fail:
    jahs_rng_free(b.rng);
    free(idx);
    free(b.feats);
    free(b.pairs);
    jahs_forest_free(f);
    return NULL;
}

void jahs_forest_free(jahs_forest *f)
{
    int t;
    if (!f)
        return;
    for (t = 0; f->trees && t < f->n_trees; t++)
        free(f->trees[t].nodes);
    free(f->trees);
    free(f->types);
    free(f);
}

int jahs_forest_n_trees(const jahs_forest *f) { return f->n_trees; }

int jahs_forest_tree_size(const jahs_forest *f, int t)
{
    return f->trees[t].n;
}

double jahs_forest_predict_tree(const jahs_forest *f, int t, const double *x)
{
    const node *nodes = f->trees[t].nodes;
    int k = 0;
    while (nodes[k].feat >= 0) {
        const node *nd = &nodes[k];
        double v = x[nd->feat];
        int type = f->types[nd->feat];
        if (type > 0 && !(v >= 0 && v < type))
            v = 0; /* out-of-range category: treat as category 0 */
        k = goes_left(nd, type, v) ? nd->left : nd->right;
    }
    return nodes[k].value;
}

double jahs_forest_predict(const jahs_forest *f, const double *x, double *var)
{
    double s = 0, s2 = 0, m;
    int t;
    for (t = 0; t < f->n_trees; t++) {
        double p = jahs_forest_predict_tree(f, t, x);
        s += p;
        s2 += p * p;
    }
    m = s / f->n_trees;
    if (var) {
        double v = s2 / f->n_trees - m * m;
        *var = v > 0 ? v : 0;
    }
    return m;
}
