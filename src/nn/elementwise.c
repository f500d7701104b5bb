/*
 * elementwise.c - ReLU, copy / add (skip connections), dropout and the
 * per-channel bias of a conv (forward, and backward one channel or a range).
 *
 * Dropout draws its mask from a counter-based hash instead of a stateful
 * generator: element i of a dropout site at training step t is kept iff
 * hash(key(t, site), i) clears the threshold.  The mask is then a pure
 * function of (run seed, step, site, index): it needs no storage between
 * forward and backward, any thread (or a GPU kernel) can compute any part
 * of it, and a resumed run reproduces it from the step counter alone.
 * The hash is SplitMix64's finaliser (jahs_mix64, core/util.h).
 */
#include "nn/layers.h"

#include <string.h>

#include "core/util.h"

/* The loops take restrict pointers so that the compiler vectorises them
 * without alias checks; the public functions never get aliased buffers. */
static void relu_fwd(size_t n, const float *restrict x, float *restrict y)
{
    size_t i;
    for (i = 0; i < n; i++)
        y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void jahs_relu_forward(size_t n, const float *x, float *y)
{
    relu_fwd(n, x, y);
}

static void relu_bwd(size_t n, const float *restrict y,
                     const float *restrict dy, float *restrict dx, int acc)
{
    size_t i;
    /* dy is loaded unconditionally so that the select vectorises */
    if (acc)
        for (i = 0; i < n; i++) {
            float g = dy[i];
            dx[i] += y[i] > 0.0f ? g : 0.0f;
        }
    else
        for (i = 0; i < n; i++) {
            float g = dy[i];
            dx[i] = y[i] > 0.0f ? g : 0.0f;
        }
}

void jahs_relu_backward(size_t n, const float *y, const float *dy, float *dx,
                        int acc)
{
    relu_bwd(n, y, dy, dx, acc);
}

static void add_into(size_t n, const float *restrict x, float *restrict y)
{
    size_t i;
    for (i = 0; i < n; i++)
        y[i] += x[i];
}

void jahs_copy(size_t n, const float *x, float *y, int acc)
{
    if (!acc) {
        memcpy(y, x, n * sizeof *y);
        return;
    }
    add_into(n, x, y);
}

uint64_t jahs_dropout_key(uint64_t base, uint64_t step, int site)
{
    uint64_t h = jahs_mix64(base ^ (step * 0xd1342543de82ef95ULL + 1));
    return jahs_mix64(h ^ ((uint64_t)(unsigned)site * 0x9e3779b97f4a7c15ULL));
}

int jahs_dropout_keep(uint64_t key, uint64_t i, float p)
{
    uint32_t bits =
        (uint32_t)(jahs_mix64(key ^ (i * 0x9e3779b97f4a7c15ULL)) >> 40);
    uint32_t thr = (uint32_t)((double)p * 16777216.0);
    return bits >= thr;
}

void jahs_dropout_forward(uint64_t key, float p, size_t first, size_t n,
                          const float *x, float *y)
{
    float scale = 1.0f / (1.0f - p);
    size_t i;
    for (i = 0; i < n; i++)
        y[i] = jahs_dropout_keep(key, first + i, p) ? x[i] * scale : 0.0f;
}

void jahs_dropout_backward(uint64_t key, float p, size_t first, size_t n,
                           const float *dy, float *dx, int acc)
{
    float scale = 1.0f / (1.0f - p);
    size_t i;
    for (i = 0; i < n; i++) {
        float v = jahs_dropout_keep(key, first + i, p) ? dy[i] * scale : 0.0f;
        if (acc)
            dx[i] += v;
        else
            dx[i] = v;
    }
}

void jahs_bias_forward(int c, int hw, const float *x, const float *b, float *y,
                       int acc)
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

void jahs_bias_backward(int n, int c, int hw, int ch, const float *dy,
                        float *dx, int acc, float *db)
{
    double sum = 0.0;
    int i, j;
    for (i = 0; i < n; i++) {
        const float *d = dy + ((size_t)i * c + ch) * hw;
        float *o = dx ? dx + ((size_t)i * c + ch) * hw : NULL;
        for (j = 0; j < hw; j++)
            sum += d[j];
        if (o && acc)
            for (j = 0; j < hw; j++)
                o[j] += d[j];
        else if (o)
            memcpy(o, d, (size_t)hw * sizeof *o);
    }
    *db = (float)sum;
}

/*
 * Channels ch0 .. ch1 - 1 at once.  Each channel's sum is the same single
 * double chain as jahs_bias_backward's (image by image, pixel by pixel),
 * so the same bits; BB_K channels' chains are interleaved so that their
 * additions overlap instead of each waiting ~4 cycles on the one before.
 * Pixels go in blocks of BB_J so that the dx copy / add of a block reads
 * dy while it is still in L1.
 */
#define BB_K 8
#define BB_J 256

#if defined(__GNUC__)
#define BB_INLINE __attribute__((always_inline)) inline
#else
#define BB_INLINE inline
#endif

/* k channels (k <= BB_K, a constant at each call so the sums stay in
 * registers) from ch, all n images */
static BB_INLINE void bias_bwd_group(int n, int c, int hw, int ch, int k,
                                     const float *dy, float *dx, int acc,
                                     float *db)
{
    double s[BB_K];
    int i, j, j0, q;
    for (q = 0; q < k; q++)
        s[q] = 0.0;
    for (i = 0; i < n; i++) {
        const float *d = dy + ((size_t)i * c + ch) * hw;
        float *o = dx ? dx + ((size_t)i * c + ch) * hw : NULL;
        for (j0 = 0; j0 < hw; j0 += BB_J) {
            int j1 = hw - j0 < BB_J ? hw : j0 + BB_J;
            for (j = j0; j < j1; j++)
                for (q = 0; q < k; q++)
                    s[q] += d[(size_t)q * hw + j];
            if (o)
                for (q = 0; q < k; q++) {
                    const float *dq = d + (size_t)q * hw + j0;
                    float *oq = o + (size_t)q * hw + j0;
                    if (acc)
                        for (j = 0; j < j1 - j0; j++)
                            oq[j] += dq[j];
                    else
                        memcpy(oq, dq, (size_t)(j1 - j0) * sizeof *oq);
                }
        }
    }
    for (q = 0; q < k; q++)
        db[ch + q] = (float)s[q];
}

void jahs_bias_backward_range(int n, int c, int hw, int ch0, int ch1,
                              const float *dy, float *dx, int acc, float *db)
{
    int ch = ch0;
    for (; ch + BB_K <= ch1; ch += BB_K)
        bias_bwd_group(n, c, hw, ch, BB_K, dy, dx, acc, db);
    if (ch1 - ch >= 4) {
        bias_bwd_group(n, c, hw, ch, 4, dy, dx, acc, db);
        ch += 4;
    }
    if (ch1 - ch >= 2) {
        bias_bwd_group(n, c, hw, ch, 2, dy, dx, acc, db);
        ch += 2;
    }
    if (ch1 - ch >= 1)
        bias_bwd_group(n, c, hw, ch, 1, dy, dx, acc, db);
}
