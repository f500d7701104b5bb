/*
 * test_nn_seqk.c - the vectorised max pool 2x2 (pooling.c) and the bias
 * kernels (elementwise.c) against copies of the scalar loops they replace,
 * the same bits (memcmp): random data with negatives, exact ties, +-0,
 * NaN and +-inf placed in the windows, odd and even sides (the untouched
 * last row / column), 1 .. 64 channels, acc 0 and 1 with the output
 * pre-filled with random values including -0.  jahs_bias_backward_range on
 * several channel ranges against one jahs_bias_backward call per channel.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "nn/layers.h"

#define NS(a) (sizeof(a) / sizeof *(a))
#define GUARD 16 /* floats past each output, checked untouched */

/* ---- the scalar loops of before (references) ----------------------------- */

static void ref_maxpool2_forward(int c, int h, int w, const float *x,
                                 float *y, int acc)
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

static void ref_maxpool2_backward(int c, int h, int w, const float *x,
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

static void ref_bias_forward(int c, int hw, const float *x, const float *b,
                             float *y, int acc)
{
    int ch, j;
    for (ch = 0; ch < c; ch++) {
        const float *xc = x + (size_t)ch * hw;
        float *yc = y + (size_t)ch * hw, v = b[ch];
        if (acc)
            for (j = 0; j < hw; j++)
                yc[j] += xc[j] + v;
        else
            for (j = 0; j < hw; j++)
                yc[j] = xc[j] + v;
    }
}

/* ---- data ------------------------------------------------------------------ */

static uint64_t rs = 0x5eed5eedULL;

static uint64_t next(void)
{
    uint64_t z = (rs += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static float nan_payload(uint32_t p)
{
    uint32_t u = 0x7fc00000u | (p & 0x3fffffu);
    float f;
    if (p & 0x400000u)
        u |= 0x80000000u; /* a negative NaN too */
    memcpy(&f, &u, sizeof f);
    return f;
}

/* special: 1 puts NaN / inf / +-0 / ties among the values */
static float value(int special)
{
    uint64_t r = next();
    int k = (int)(r % 32);
    double u = (double)(r >> 11) / 9007199254740992.0;
    if (special) {
        switch (k) {
        case 0: return nan_payload((uint32_t)(r >> 32));
        case 1: return INFINITY;
        case 2: return -INFINITY;
        case 3: case 4: return 0.0f;
        case 5: case 6: return -0.0f;
        case 7: case 8: case 9: case 10: case 11:
            return (float)((int)(r >> 40) % 3 - 1); /* -1, 0 or 1: ties */
        default: break;
        }
    }
    return (float)((u - 0.5) * 8.0);
}

static float *filled(size_t n, int special)
{
    float *p = malloc((n + GUARD) * sizeof *p);
    size_t i;
    if (!p)
        return NULL;
    for (i = 0; i < n + GUARD; i++)
        p[i] = value(special);
    return p;
}

static float *dup(const float *p, size_t n)
{
    float *q = malloc((n + GUARD) * sizeof *q);
    if (q)
        memcpy(q, p, (n + GUARD) * sizeof *q);
    return q;
}

static uint32_t bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

/*
 * 1 when got and want are the same bits over n + GUARD floats; else prints
 * the first differing index and both values.  One exception, for acc 1:
 * where the output held a NaN before (before[i]) and the value added to it
 * is a NaN too (add[i]), IEEE 754 leaves open which payload the sum keeps
 * and x86 takes the first operand's, which is the compiler's choice (the
 * same scalar `y += m` compiles either way), so there got must be one of
 * the two NaNs.  before and add NULL: no exception.
 */
static int same_bits(const char *what, const float *got, const float *want,
                     const float *before, const float *add, size_t n, int c,
                     int h, int w, int acc)
{
    size_t i;
    if (memcmp(got, want, (n + GUARD) * sizeof *got) == 0)
        return 1;
    for (i = 0; i < n + GUARD; i++) {
        uint32_t a = bits(got[i]), b = bits(want[i]);
        if (a == b)
            continue;
        if (before && add && i < n && isnan(before[i]) && isnan(add[i]) &&
            (a == bits(before[i]) || a == bits(add[i])))
            continue;
        jahs_test_fail(__FILE__, __LINE__,
                       "%s c %d h %d w %d acc %d: index %zu%s: got %g "
                       "(0x%08x), want %g (0x%08x)",
                       what, c, h, w, acc, i, i >= n ? " (guard)" : "",
                       (double)got[i], a, (double)want[i], b);
        return 0;
    }
    return 1;
}

static const int sides[][2] = {{1, 1},  {2, 2},   {3, 5},  {7, 7},
                               {16, 16}, {33, 17}, {8, 8},  {32, 32},
                               {2, 9},  {4, 17},  {5, 2},  {6, 26}};
static const int chans[] = {1, 3, 16, 64};

/* ---- max pool ------------------------------------------------------------- */

/* one case of each pool test: 1 when the same bits (else it printed why) */
typedef int (*pool_case)(int c, int h, int w, int special, int acc);

/* every side, channel count, data kind (plain; with NaN, inf, +-0, ties)
 * and acc; the number of failed cases */
static int all_pool_cases(pool_case f)
{
    size_t s, k;
    int acc, special, fails = 0;
    for (s = 0; s < NS(sides); s++)
        for (k = 0; k < NS(chans); k++)
            for (special = 0; special < 2; special++)
                for (acc = 0; acc < 2; acc++)
                    fails += !f(chans[k], sides[s][0], sides[s][1], special,
                                acc);
    return fails;
}

static int fwd_case(int c, int h, int w, int special, int acc)
{
    size_t nx = (size_t)c * h * w, ny = (size_t)c * (h / 2) * (w / 2);
    float *x = filled(nx, special), *y0 = filled(ny, 1);
    float *y1 = y0 ? dup(y0, ny) : NULL, *yb = y0 ? dup(y0, ny) : NULL;
    float *m = y0 ? dup(y0, ny) : NULL;
    int ok = 0;
    CHECK(x && y0 && y1 && yb && m);
    if (x && y0 && y1 && yb && m) {
        ref_maxpool2_forward(c, h, w, x, m, 0); /* what acc 1 adds */
        jahs_maxpool2_forward(c, h, w, x, y0, acc);
        ref_maxpool2_forward(c, h, w, x, y1, acc);
        ok = same_bits("maxpool2 forward", y0, y1, yb, m, ny, c, h, w, acc);
    }
    free(x);
    free(y0);
    free(y1);
    free(yb);
    free(m);
    return ok;
}

static int bwd_case(int c, int h, int w, int special, int acc)
{
    size_t nx = (size_t)c * h * w, ny = (size_t)c * (h / 2) * (w / 2);
    float *x = filled(nx, special), *dy = filled(ny, special);
    float *d0 = filled(nx, 1), *d1 = d0 ? dup(d0, nx) : NULL;
    float *db = d0 ? dup(d0, nx) : NULL, *g = d0 ? dup(d0, nx) : NULL;
    int ok = 0;
    CHECK(x && dy && d0 && d1 && db && g);
    if (x && dy && d0 && d1 && db && g) {
        ref_maxpool2_backward(c, h, w, x, dy, g, 0); /* 0 + dy or +0 */
        jahs_maxpool2_backward(c, h, w, x, dy, d0, acc);
        ref_maxpool2_backward(c, h, w, x, dy, d1, acc);
        ok = same_bits("maxpool2 backward", d0, d1, db, g, nx, c, h, w, acc);
    }
    free(x);
    free(dy);
    free(d0);
    free(d1);
    free(db);
    free(g);
    return ok;
}

JAHS_TEST(nn_seqk_maxpool2_forward_same_bits)
{
    CHECK_EQ_INT(all_pool_cases(fwd_case), 0);
}

JAHS_TEST(nn_seqk_maxpool2_backward_same_bits)
{
    CHECK_EQ_INT(all_pool_cases(bwd_case), 0);
}

/* The rules by hand on one window each, so that a reference copied wrong
 * would not pass unseen: ties keep the first cell, NaN wins only first,
 * acc 0 gives +0 for dy = -0 and +0 elsewhere, acc 1 leaves -0 alone. */
JAHS_TEST(nn_seqk_maxpool2_rules_by_hand)
{
    /* 2 x 8: four windows */
    const float x[16] = {1, 5, 2, 2, NAN, 9, 3, 1,
                         5, 0, 2, 2, 9, 9, -1, 3};
    const float dy[4] = {7, -0.0f, 4, 6};
    float y[4], dx[16];
    int i;
    jahs_maxpool2_forward(1, 2, 8, x, y, 0);
    CHECK_EQ_DBL(y[0], 5.0);
    CHECK_EQ_DBL(y[1], 2.0);
    CHECK(isnan(y[2]));
    CHECK_EQ_DBL(y[3], 3.0);
    jahs_maxpool2_backward(1, 2, 8, x, dy, dx, 0);
    CHECK_EQ_DBL(dx[1], 7.0);  /* the first 5, not the one below */
    CHECK_EQ_DBL(dx[8], 0.0);
    CHECK(!signbit(dx[2]));    /* first of the 2 ties: 0 + -0 = +0 */
    CHECK_EQ_DBL(dx[4], 4.0);  /* NaN first wins */
    CHECK_EQ_DBL(dx[5], 0.0);
    CHECK_EQ_DBL(dx[6], 6.0);  /* the first 3, not the tie at 15 */
    CHECK_EQ_DBL(dx[15], 0.0);
    for (i = 0; i < 16; i++)
        CHECK(!signbit(dx[i]));
    for (i = 0; i < 16; i++)
        dx[i] = -0.0f;
    jahs_maxpool2_backward(1, 2, 8, x, dy, dx, 1);
    CHECK_EQ_DBL(dx[1], 7.0);
    CHECK(signbit(dx[0]));     /* untouched -0 */
    CHECK(signbit(dx[2]));     /* -0 + -0 = -0 */
    CHECK(signbit(dx[3]));
}

/* ---- bias ------------------------------------------------------------------ */

/* b without NaN (x has them), so that x + b has one NaN operand at most and
 * its payload is x's; b has +-0 and +-inf (inf + -inf: the default NaN) */
static int bias_fwd_case(int c, int hw, int acc)
{
    size_t n = (size_t)c * hw;
    float *x = filled(n, 1), *b = filled((size_t)c, 0);
    float *y0 = filled(n, 1), *y1 = y0 ? dup(y0, n) : NULL;
    float *yb = y0 ? dup(y0, n) : NULL, *v = y0 ? dup(y0, n) : NULL;
    int ch, ok = 0;
    CHECK(x && b && y0 && y1 && yb && v);
    if (x && b && y0 && y1 && yb && v) {
        for (ch = 0; ch < c; ch++)
            if (ch % 4 == 1)
                b[ch] = ch % 8 == 1 ? -0.0f : 0.0f;
            else if (ch % 4 == 2)
                b[ch] = ch % 8 == 2 ? INFINITY : -INFINITY;
        ref_bias_forward(c, hw, x, b, v, 0); /* what acc 1 adds */
        jahs_bias_forward(c, hw, x, b, y0, acc);
        ref_bias_forward(c, hw, x, b, y1, acc);
        ok = same_bits("bias forward", y0, y1, yb, v, n, c, 1, hw, acc);
    }
    free(x);
    free(b);
    free(y0);
    free(y1);
    free(yb);
    free(v);
    return ok;
}

JAHS_TEST(nn_seqk_bias_forward_same_bits)
{
    static const int hws[] = {1, 3, 15, 49, 64, 256, 561, 1024};
    size_t s, k;
    int acc, fails = 0;
    for (s = 0; s < NS(hws); s++)
        for (k = 0; k < NS(chans); k++)
            for (acc = 0; acc < 2; acc++)
                fails += !bias_fwd_case(chans[k], hws[s], acc);
    CHECK_EQ_INT(fails, 0);
}

/* n images of c x hw; ranges [ch0, ch1) against per-channel calls */
static int range_case(int n, int c, int hw, int ch0, int ch1, int acc,
                      int with_dx)
{
    size_t nd = (size_t)n * c * hw;
    float *dy = filled(nd, 0), *d0 = filled(nd, 1);
    float *d1 = d0 ? dup(d0, nd) : NULL;
    float *db0 = filled((size_t)c, 1), *db1 = db0 ? dup(db0, (size_t)c) : NULL;
    int ch, ok = 0;
    CHECK(dy && d0 && d1 && db0 && db1);
    if (dy && d0 && d1 && db0 && db1) {
        /* a few specials in dy: +-0 and wide magnitudes (rounding) */
        size_t i;
        for (i = 0; i < nd; i += 7)
            dy[i] = i % 3 ? -0.0f : (float)((double)(next() >> 40) * 1e3);
        jahs_bias_backward_range(n, c, hw, ch0, ch1, dy, with_dx ? d0 : NULL,
                                 acc, db0);
        for (ch = ch0; ch < ch1; ch++)
            jahs_bias_backward(n, c, hw, ch, dy, with_dx ? d1 : NULL, acc,
                               db1 + ch);
        ok = same_bits("bias backward range dx", d0, d1, NULL, NULL, nd, c,
                       ch0, ch1, acc) &&
             same_bits("bias backward range db", db0, db1, NULL, NULL,
                       (size_t)c, c, ch0, ch1, acc);
    }
    free(dy);
    free(d0);
    free(d1);
    free(db0);
    free(db1);
    return ok;
}

JAHS_TEST(nn_seqk_bias_backward_range_same_bits)
{
    static const int shapes[][3] = {{1, 1, 1},  {2, 3, 5},   {3, 16, 49},
                                    {2, 64, 64}, {4, 16, 256}, {2, 12, 300},
                                    {1, 64, 1024}};
    size_t s;
    int acc, fails = 0;
    for (s = 0; s < NS(shapes); s++)
        for (acc = 0; acc < 2; acc++) {
            int n = shapes[s][0], c = shapes[s][1], hw = shapes[s][2];
            fails += !range_case(n, c, hw, 0, c, acc, 1);
            fails += !range_case(n, c, hw, c - 1, c, acc, 1);
            fails += !range_case(n, c, hw, 0, c, acc, 0);
            fails += !range_case(n, c, hw, c / 2, c / 2, acc, 1);
            if (c >= 11)
                fails += !range_case(n, c, hw, 3, 11, acc, 1);
            if (c >= 16) {
                fails += !range_case(n, c, hw, 1, c - 2, acc, 1);
                fails += !range_case(n, c, hw, 5, 6, acc, 1);
            }
        }
    CHECK_EQ_INT(fails, 0);
}
