/*
 * fixture_bops.c - see fixture_bops.h: a blocked layout's kernels against
 * the NCHW ones, the same bits.
 */
#include "fixture_bops.h"

#include <stdlib.h>
#include <string.h>

long fx_first_diff(const void *a, const void *b, size_t n, size_t size)
{
    const unsigned char *p = a, *q = b;
    size_t i;
    for (i = 0; i < n; i++)
        if (memcmp(p + i * size, q + i * size, size) != 0)
            return (long)i;
    return -1;
}

void fx_rand_fill(jahs_rng *r, float *v, size_t n, double mu, double sd)
{
    size_t e;
    for (e = 0; e < n; e++)
        v[e] = e % 11 == 3 ? (e % 2 ? -0.0f : 0.0f)
                           : (float)(mu + jahs_rng_gaussian(r, sd));
}

/* malloc'd copy of x (n x c x hw, NCHW) in l's layout (at least one float) */
static float *blocked(const fx_bops *l, int n, int c, int hw, const float *x)
{
    float *b = malloc(((size_t)n * c * hw + 1) * sizeof *b);
    l->from_nchw(n, c, hw, x, b);
    return b;
}

/* ---- batch norm by images ------------------------------------------------- */

static const char *const bn_names[] = {"stats_part", "apply", "dsums_part",
                                       "dx"};

/* per-channel arguments: gamma (apply's scale), shift, mean, istd, k2, k3 */
typedef struct bn_args {
    float *gamma, *shift, *mean, *istd, *k2, *k3;
} bn_args;

/* Kernel k over images [i0, i1), NCHW (l NULL) or l's layout. */
static void bn_call(int k, const fx_bops *l, const jahs_bn_dims *d, int i0,
                    int i1, const float *x, const float *dy, const bn_args *a,
                    float *out, int acc, double *part)
{
    switch (k) {
    case FX_BN_STATS:
        (l ? l->bn_stats_part : jahs_bn_stats_part)(d, i0, i1, x, part);
        break;
    case FX_BN_APPLY:
        (l ? l->bn_apply : jahs_bn_apply)(d, i0, i1, x, a->gamma, a->shift,
                                          out, acc);
        break;
    case FX_BN_DSUMS:
        (l ? l->bn_dsums_part : jahs_bn_dsums_part)(d, i0, i1, x, dy, a->mean,
                                                    a->istd, part);
        break;
    default:
        (l ? l->bn_dx : jahs_bn_dx)(d, i0, i1, x, dy, a->gamma, a->mean,
                                    a->istd, a->k2, a->k3, out, acc);
    }
}

void fx_bops_bn(const fx_bops *l, int k, const int (*shapes)[3], size_t ns,
                uint64_t seed, const char *stream)
{
    const int part_k = k == FX_BN_STATS || k == FX_BN_DSUMS;
    jahs_rng *r = jahs_rng_create(seed, stream, 0, NULL);
    size_t si;
    for (si = 0; si < ns; si++) {
        int n = shapes[si][0], c = shapes[si][1], hw = shapes[si][2];
        jahs_bn_dims d = {n, c, hw};
        size_t tot = (size_t)n * c * hw, sz = tot * sizeof(float);
        size_t np = (size_t)n * c * 2;
        float *x = malloc(sz), *dy = malloc(sz), *o0 = malloc(sz);
        float *o1 = malloc(sz), *o2 = malloc(sz), *back = malloc(sz);
        float *xb, *dyb, *o0b, *pc = malloc(6 * (size_t)c * sizeof *pc);
        double *p1 = malloc(np * sizeof *p1), *p2 = malloc(np * sizeof *p2);
        bn_args a;
        int acc, split, ch;
        fx_rand_fill(r, x, tot, 0.8, 2.5);
        fx_rand_fill(r, dy, tot, 0.0, 1.0);
        fx_rand_fill(r, o0, tot, 0.0, 1.0);
        xb = blocked(l, n, c, hw, x);
        dyb = blocked(l, n, c, hw, dy);
        o0b = blocked(l, n, c, hw, o0);
        a.gamma = pc, a.shift = pc + c, a.mean = pc + 2 * c;
        a.istd = pc + 3 * c, a.k2 = pc + 4 * c, a.k3 = pc + 5 * c;
        for (ch = 0; ch < c; ch++) {
            a.gamma[ch] = (float)(1.0 + jahs_rng_gaussian(r, 0.3));
            a.shift[ch] = (float)jahs_rng_gaussian(r, 0.2);
            a.mean[ch] = (float)(0.8 + jahs_rng_gaussian(r, 0.1));
            a.istd[ch] = (float)(0.4 + jahs_rng_gaussian(r, 0.04));
            a.k2[ch] = (float)jahs_rng_gaussian(r, 0.01);
            a.k3[ch] = (float)jahs_rng_gaussian(r, 0.01);
        }
        for (acc = 0; acc <= !part_k; acc++)
            /* all images in one call; two uneven ranges, the second first;
             * images [1, n) only (image 0's output and part rows must stay
             * as they were) */
            for (split = 0; split < 3; split++) {
                int ranges[2][2] = {{0, n}, {0, 0}}, nr = 1, t, s = n / 2 + 1;
                char what[96];
                if (split == 1) {
                    ranges[0][0] = s < n ? s : n;
                    ranges[1][0] = 0, ranges[1][1] = ranges[0][0], nr = 2;
                } else if (split == 2)
                    ranges[0][0] = 1;
                memcpy(o1, o0, sz);
                memcpy(o2, o0b, sz);
                memset(p1, 0xa5, np * sizeof *p1);
                memset(p2, 0xa5, np * sizeof *p2);
                for (t = 0; t < nr; t++) {
                    bn_call(k, NULL, &d, ranges[t][0], ranges[t][1], x, dy, &a,
                            o1, acc, p1);
                    bn_call(k, l, &d, ranges[t][0], ranges[t][1], xb, dyb, &a,
                            o2, acc, p2);
                }
                snprintf(what, sizeof what, "%s bn %s %dx%dx%d acc %d split %d",
                         l->name, bn_names[k], n, c, hw, acc, split);
                if (part_k)
                    FX_BITS_EQ(what, p2, p1, np);
                else {
                    l->to_nchw(n, c, hw, o2, back, 0);
                    FX_BITS_EQ(what, back, o1, tot);
                }
            }
        free(x), free(dy), free(o0), free(o1), free(o2), free(back);
        free(xb), free(dyb), free(o0b), free(pc), free(p1), free(p2);
    }
    jahs_rng_free(r);
}

/* ---- pools (one image) ---------------------------------------------------- */

void fx_bops_pool(const fx_bops *l, int pool, int bwd, const int (*shapes)[3],
                  size_t ns, uint64_t seed, const char *stream)
{
    fx_pool_fn ref = pool == 3 ? (bwd ? jahs_avgpool3_backward
                                      : jahs_avgpool3_forward)
                               : (bwd ? jahs_avgpool2_backward
                                      : jahs_avgpool2_forward);
    fx_pool_fn blk = pool == 3 ? (bwd ? l->avgpool3_backward
                                      : l->avgpool3_forward)
                               : (bwd ? l->avgpool2_backward
                                      : l->avgpool2_forward);
    jahs_rng *r = jahs_rng_create(seed, stream, 0, NULL);
    size_t si;
    for (si = 0; si < ns; si++) {
        int c = shapes[si][0], h = shapes[si][1], w = shapes[si][2];
        int small = pool == 3 ? h * w : (h / 2) * (w / 2);
        int in_hw = bwd ? small : h * w, out_hw = bwd ? h * w : small;
        size_t nin = (size_t)c * in_hw, nout = (size_t)c * out_hw;
        size_t so = (nout + 1) * sizeof(float);
        float *in = malloc((nin + 1) * sizeof *in), *o0 = malloc(so);
        float *o1 = malloc(so), *o2 = malloc(so), *back = malloc(so);
        float *inb, *o0b;
        int acc;
        fx_rand_fill(r, in, nin, 0.3, 1.0);
        fx_rand_fill(r, o0, nout, 0.0, 1.0);
        inb = blocked(l, 1, c, in_hw, in);
        o0b = blocked(l, 1, c, out_hw, o0);
        for (acc = 0; acc <= 1; acc++) {
            char what[80];
            memcpy(o1, o0, so);
            memcpy(o2, o0b, so);
            ref(c, h, w, in, o1, acc);
            blk(c, h, w, inb, o2, acc);
            l->to_nchw(1, c, out_hw, o2, back, 0);
            snprintf(what, sizeof what, "%s avgpool%d %s %dx%dx%d acc %d",
                     l->name, pool, bwd ? "backward" : "forward", c, h, w,
                     acc);
            FX_BITS_EQ(what, back, o1, nout);
        }
        free(in), free(o0), free(o1), free(o2), free(back), free(inb),
            free(o0b);
    }
    jahs_rng_free(r);
}

/* ---- global average pool ---------------------------------------------------- */

void fx_bops_gap(const fx_bops *l, const int (*shapes)[2], size_t ns,
                 uint64_t seed, const char *stream)
{
    jahs_rng *r = jahs_rng_create(seed, stream, 0, NULL);
    size_t si;
    for (si = 0; si < ns; si++) {
        int c = shapes[si][0], hw = shapes[si][1], acc;
        size_t tot = (size_t)c * hw, sz = tot * sizeof(float);
        size_t szc = (size_t)c * sizeof(float);
        float *x = malloc(sz), *dx0 = malloc(sz), *dx1 = malloc(sz);
        float *dx2 = malloc(sz), *back = malloc(sz), *xb, *dx0b;
        float *y0 = malloc(szc), *y1 = malloc(szc), *y2 = malloc(szc);
        fx_rand_fill(r, x, tot, 0.3, 1.0);
        fx_rand_fill(r, dx0, tot, 0.0, 1.0);
        fx_rand_fill(r, y0, (size_t)c, 0.0, 1.0);
        xb = blocked(l, 1, c, hw, x);
        dx0b = blocked(l, 1, c, hw, dx0);
        for (acc = 0; acc <= 1; acc++) {
            char what[80];
            memcpy(y1, y0, szc);
            memcpy(y2, y0, szc);
            jahs_gap_forward(c, hw, x, y1, acc);
            l->gap_forward(c, hw, xb, y2, acc);
            snprintf(what, sizeof what, "%s gap forward %dx%d acc %d", l->name,
                     c, hw, acc);
            FX_BITS_EQ(what, y2, y1, (size_t)c);
            /* backward, y0 as dy */
            memcpy(dx1, dx0, sz);
            memcpy(dx2, dx0b, sz);
            jahs_gap_backward(c, hw, y0, dx1, acc);
            l->gap_backward(c, hw, y0, dx2, acc);
            l->to_nchw(1, c, hw, dx2, back, 0);
            snprintf(what, sizeof what, "%s gap backward %dx%d acc %d",
                     l->name, c, hw, acc);
            FX_BITS_EQ(what, back, dx1, tot);
        }
        free(x), free(dx0), free(dx1), free(dx2), free(back), free(xb);
        free(dx0b), free(y0), free(y1), free(y2);
    }
    jahs_rng_free(r);
}
