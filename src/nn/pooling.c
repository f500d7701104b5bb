/*
 * pooling.c - average pools on one image: NB201's avg_pool_3x3
 * (AvgPool2d(3, stride 1, padding 1, count_include_pad=False): the divisor
 * is the number of window cells inside the image, 4 at a corner, 6 on an
 * edge, 9 inside), the reduction block's shortcut pool (AvgPool2d(2, 2)),
 * the global average pool before the classifier, and the 2x2 max pool of
 * the sequential CNNs (MaxPool2d(2, 2)), vectorised with the same bits as
 * its scalar loop.
 */
#include "nn/layers.h"

#include <string.h>

/* Cells of a 3-wide window centred at i inside [0, n). */
static int span3(int i, int n) { return 1 + (i > 0) + (i < n - 1); }

void jahs_avgpool3_forward(int c, int h, int w, const float *x, float *y,
                           int acc)
{
    int ch, i, j;
    for (ch = 0; ch < c; ch++) {
        const float *p = x + (size_t)ch * h * w;
        float *q = y + (size_t)ch * h * w;
        for (i = 0; i < h; i++) {
            int i0 = i > 0 ? i - 1 : 0, i1 = i < h - 1 ? i + 1 : h - 1;
            int si = span3(i, h);
            for (j = 0; j < w; j++) {
                int j0 = j > 0 ? j - 1 : 0, j1 = j < w - 1 ? j + 1 : w - 1;
                float s = 0.0f, v;
                int a, b;
                for (a = i0; a <= i1; a++)
                    for (b = j0; b <= j1; b++)
                        s += p[(size_t)a * w + b];
                v = s / (float)(si * span3(j, w));
                if (acc)
                    q[(size_t)i * w + j] += v;
                else
                    q[(size_t)i * w + j] = v;
            }
        }
    }
}

void jahs_avgpool3_backward(int c, int h, int w, const float *dy, float *dx,
                            int acc)
{
    int ch, i, j;
    if (!acc)
        memset(dx, 0, (size_t)c * h * w * sizeof *dx);
    for (ch = 0; ch < c; ch++) {
        const float *g = dy + (size_t)ch * h * w;
        float *d = dx + (size_t)ch * h * w;
        for (i = 0; i < h; i++) {
            int i0 = i > 0 ? i - 1 : 0, i1 = i < h - 1 ? i + 1 : h - 1;
            int si = span3(i, h);
            for (j = 0; j < w; j++) {
                int j0 = j > 0 ? j - 1 : 0, j1 = j < w - 1 ? j + 1 : w - 1;
                float v = g[(size_t)i * w + j] / (float)(si * span3(j, w));
                int a, b;
                for (a = i0; a <= i1; a++)
                    for (b = j0; b <= j1; b++)
                        d[(size_t)a * w + b] += v;
            }
        }
    }
}

void jahs_avgpool2_forward(int c, int h, int w, const float *x, float *y,
                           int acc)
{
    int ch, i, j, ho = h / 2, wo = w / 2;
    for (ch = 0; ch < c; ch++) {
        const float *p = x + (size_t)ch * h * w;
        float *q = y + (size_t)ch * ho * wo;
        for (i = 0; i < ho; i++)
            for (j = 0; j < wo; j++) {
                const float *r = p + (size_t)(2 * i) * w + 2 * j;
                float v = (r[0] + r[1] + r[w] + r[w + 1]) * 0.25f;
                if (acc)
                    q[(size_t)i * wo + j] += v;
                else
                    q[(size_t)i * wo + j] = v;
            }
    }
}

void jahs_avgpool2_backward(int c, int h, int w, const float *dy, float *dx,
                            int acc)
{
    int ch, i, j, ho = h / 2, wo = w / 2;
    if (!acc)
        memset(dx, 0, (size_t)c * h * w * sizeof *dx);
    for (ch = 0; ch < c; ch++) {
        const float *g = dy + (size_t)ch * ho * wo;
        float *d = dx + (size_t)ch * h * w;
        for (i = 0; i < ho; i++)
            for (j = 0; j < wo; j++) {
                float v = g[(size_t)i * wo + j] * 0.25f;
                float *r = d + (size_t)(2 * i) * w + 2 * j;
                r[0] += v;
                r[1] += v;
                r[w] += v;
                r[w + 1] += v;
            }
    }
}

void jahs_gap_forward(int c, int hw, const float *x, float *y, int acc)
{
    int ch, j;
    for (ch = 0; ch < c; ch++) {
        const float *p = x + (size_t)ch * hw;
        double s = 0.0;
        for (j = 0; j < hw; j++)
            s += p[j];
        if (acc)
            y[ch] += (float)(s / hw);
        else
            y[ch] = (float)(s / hw);
    }
}

void jahs_gap_backward(int c, int hw, const float *dy, float *dx, int acc)
{
    int ch, j;
    for (ch = 0; ch < c; ch++) {
        float v = dy[ch] / (float)hw;
        float *d = dx + (size_t)ch * hw;
        if (acc)
            for (j = 0; j < hw; j++)
                d[j] += v;
        else
            for (j = 0; j < hw; j++)
                d[j] = v;
    }
}

/*
 * Max pool 2x2: four SSE-width vectors at a time (GCC's vector extensions,
 * baseline x86-64 and portable to any GCC target).  Lane j of a, b, c, d is
 * window j's cells in row-major order; the even / odd split of two input
 * rows is one shuffle each.  The selection is the scalar one lane by lane:
 * m = a, then m = x wherever x > m (strict, so a NaN never wins unless it
 * comes first and ties keep the first cell), and the masks are bit blends,
 * so the result is the same bits as one window at a time.  Windows past the
 * last multiple of four (wo % 4) take the scalar code.
 */
#if defined(__GNUC__)
#define JAHS_MP_VEC 1
/* GCC's __builtin_shuffle, clang's __builtin_shufflevector (the fuzz and
 * ASan builds use clang): the same lanes */
#if defined(__clang__)
#define SHUF4(x, y, i0, i1, i2, i3) __builtin_shufflevector(x, y, i0, i1, i2, i3)
#else
#define SHUF4(x, y, i0, i1, i2, i3)                                            \
    __builtin_shuffle(x, y, (v4i){i0, i1, i2, i3})
#endif
typedef float v4f __attribute__((vector_size(16)));
typedef int v4i __attribute__((vector_size(16)));

static inline v4f ld4(const float *p)
{
    v4f v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void st4(float *p, v4f v) { memcpy(p, &v, sizeof v); }

/* k ? x : y lane by lane (k all ones or all zeros), bit for bit */
static inline v4f blend(v4i k, v4f x, v4f y)
{
    return (v4f)((k & (v4i)x) | (~k & (v4i)y));
}

/* windows j .. j + 3 of the row pair r0, r1: the cells a b / c d */
static inline void split4(const float *r0, const float *r1, v4f *a, v4f *b,
                          v4f *c, v4f *d)
{
    v4f p = ld4(r0), q = ld4(r0 + 4), u = ld4(r1), v = ld4(r1 + 4);
    *a = SHUF4(p, q, 0, 2, 4, 6);
    *b = SHUF4(p, q, 1, 3, 5, 7);
    *c = SHUF4(u, v, 0, 2, 4, 6);
    *d = SHUF4(u, v, 1, 3, 5, 7);
}

/* e, o back to e0 o0 e1 o1 .. at p (8 floats) */
static inline void merge4(float *p, v4f e, v4f o)
{
    st4(p, SHUF4(e, o, 0, 4, 1, 5));
    st4(p + 4, SHUF4(e, o, 2, 6, 3, 7));
}
#else
#define JAHS_MP_VEC 0
#endif

void jahs_maxpool2_forward(int c, int h, int w, const float *x, float *y,
                           int acc)
{
    int ho = h / 2, wo = w / 2, ch, i, j;
    for (ch = 0; ch < c; ch++) {
        const float *xc = x + (size_t)ch * h * w;
        float *yc = y + (size_t)ch * ho * wo;
        for (i = 0; i < ho; i++) {
            const float *p0 = xc + (size_t)(2 * i) * w, *p1 = p0 + w;
            float *q = yc + (size_t)i * wo;
            j = 0;
#if JAHS_MP_VEC
            for (; j + 4 <= wo; j += 4) {
                v4f a, b, cc, d, m;
                split4(p0 + 2 * j, p1 + 2 * j, &a, &b, &cc, &d);
                m = blend(b > a, b, a);
                m = blend(cc > m, cc, m);
                m = blend(d > m, d, m);
                st4(q + j, acc ? m + ld4(q + j) : m);
            }
#endif
            for (; j < wo; j++) {
                const float *r0 = p0 + 2 * j, *r1 = p1 + 2 * j;
                float m = r0[0];
                if (r0[1] > m)
                    m = r0[1];
                if (r1[0] > m)
                    m = r1[0];
                if (r1[1] > m)
                    m = r1[1];
                if (acc)
                    q[j] += m;
                else
                    q[j] = m;
            }
        }
    }
}

/*
 * Windows do not overlap, so each dx cell gets at most one contribution:
 * with acc 0 the window's first maximum gets 0.0f + dy (+0 for dy = -0, as
 * the memset-then-add it replaces) and its other cells +0; with acc 1 the
 * first maximum gets dx + dy and the other cells are left as they are (not
 * dx + 0, which would turn -0 into +0).  With acc 0 the cells no window
 * covers (the last column when w is odd, the last row when h is odd) are
 * zeroed.
 */
void jahs_maxpool2_backward(int c, int h, int w, const float *x,
                            const float *dy, float *dx, int acc)
{
    int ho = h / 2, wo = w / 2, ch, i, j;
    for (ch = 0; ch < c; ch++) {
        const float *xc = x + (size_t)ch * h * w;
        const float *gc = dy + (size_t)ch * ho * wo;
        float *dc = dx + (size_t)ch * h * w;
        for (i = 0; i < ho; i++) {
            const float *p0 = xc + (size_t)(2 * i) * w, *p1 = p0 + w;
            const float *g = gc + (size_t)i * wo;
            float *d0 = dc + (size_t)(2 * i) * w, *d1 = d0 + w;
            j = 0;
#if JAHS_MP_VEC
            for (; j + 4 <= wo; j += 4) {
                v4f a, b, cc, d, m, gv = ld4(g + j);
                v4i k1, k2, k3, s0, s1, s2;
                split4(p0 + 2 * j, p1 + 2 * j, &a, &b, &cc, &d);
                k1 = b > a;
                m = blend(k1, b, a);
                k2 = cc > m;
                m = blend(k2, cc, m);
                k3 = d > m;
                /* the cell each lane's gradient goes to: 3 if k3, else 2
                 * if k2, else 1 if k1, else 0 */
                s2 = k2 & ~k3;
                s1 = k1 & ~k2 & ~k3;
                s0 = ~(k1 | k2 | k3);
                if (!acc) {
                    v4f v = (v4f){0.0f, 0.0f, 0.0f, 0.0f} + gv;
                    v4i vi = (v4i)v;
                    merge4(d0 + 2 * j, (v4f)(vi & s0), (v4f)(vi & s1));
                    merge4(d1 + 2 * j, (v4f)(vi & s2), (v4f)(vi & k3));
                } else {
                    split4(d0 + 2 * j, d1 + 2 * j, &a, &b, &cc, &d);
                    merge4(d0 + 2 * j, blend(s0, gv + a, a),
                           blend(s1, gv + b, b));
                    merge4(d1 + 2 * j, blend(s2, gv + cc, cc),
                           blend(k3, gv + d, d));
                }
            }
#endif
            for (; j < wo; j++) {
                float *cell[4];
                const float *v[4];
                int k, best = 0;
                v[0] = p0 + 2 * j;
                v[1] = v[0] + 1;
                v[2] = p1 + 2 * j;
                v[3] = v[2] + 1;
                cell[0] = d0 + 2 * j;
                cell[1] = cell[0] + 1;
                cell[2] = d1 + 2 * j;
                cell[3] = cell[2] + 1;
                for (k = 1; k < 4; k++)
                    if (*v[k] > *v[best])
                        best = k;
                if (acc) {
                    *cell[best] += g[j];
                } else {
                    for (k = 0; k < 4; k++)
                        *cell[k] = 0.0f;
                    *cell[best] = 0.0f + g[j];
                }
            }
            if (!acc && (w & 1)) {
                d0[w - 1] = 0.0f;
                d1[w - 1] = 0.0f;
            }
        }
        if (!acc && (h & 1))
            memset(dc + (size_t)(h - 1) * w, 0, (size_t)w * sizeof *dc);
    }
}
