/*
 * pooling.c - average pools on one image: NB201's avg_pool_3x3
 * (AvgPool2d(3, stride 1, padding 1, count_include_pad=False): the divisor
 * is the number of window cells inside the image, 4 at a corner, 6 on an
 * edge, 9 inside), the reduction block's shortcut pool (AvgPool2d(2, 2)),
 * and the global average pool before the classifier.
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

void jahs_maxpool2_forward(int c, int h, int w, const float *x, float *y,
                           int acc)
{
    int ho = h / 2, wo = w / 2, ch, i, j;
    for (ch = 0; ch < c; ch++) {
        const float *xc = x + (size_t)ch * h * w;
        float *yc = y + (size_t)ch * ho * wo;
        for (i = 0; i < ho; i++)
            for (j = 0; j < wo; j++) {
                const float *r0 = xc + (size_t)(2 * i) * w + 2 * j,
                            *r1 = r0 + w;
                float m = r0[0];
                if (r0[1] > m)
                    m = r0[1];
                if (r1[0] > m)
                    m = r1[0];
                if (r1[1] > m)
                    m = r1[1];
                if (acc)
                    yc[i * wo + j] += m;
                else
                    yc[i * wo + j] = m;
            }
    }
}

void jahs_maxpool2_backward(int c, int h, int w, const float *x,
                            const float *dy, float *dx, int acc)
{
    int ho = h / 2, wo = w / 2, ch, i, j;
    if (!acc)
        memset(dx, 0, (size_t)c * h * w * sizeof *dx);
    for (ch = 0; ch < c; ch++) {
        const float *xc = x + (size_t)ch * h * w;
        float *dc = dx + (size_t)ch * h * w;
        for (i = 0; i < ho; i++)
            for (j = 0; j < wo; j++) {
                size_t at[4], best;
                int k;
                at[0] = (size_t)(2 * i) * w + 2 * j;
                at[1] = at[0] + 1;
                at[2] = at[0] + (size_t)w;
                at[3] = at[2] + 1;
                best = at[0];
                for (k = 1; k < 4; k++)
                    if (xc[at[k]] > xc[best])
                        best = at[k];
                dc[best] += dy[(size_t)ch * ho * wo + (size_t)i * wo + j];
            }
    }
}
