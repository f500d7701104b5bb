/*
 * blk16.c - see blk16.h: NCHW <-> nChw16c reorders.
 *
 * The AVX-512 kernels transpose a tile of 16 channels x 16 pixels in
 * registers: 16 row loads (one per channel, 64 bytes each), the usual
 * 4-stage unpack / shuffle network (unpack{lo,hi}_ps, shuffle_ps,
 * shuffle_f32x4 twice), 16 contiguous stores (one per pixel), and the
 * inverse for the way back.  The pixel tail (hw not a multiple of 16) and
 * CPUs without AVX-512 take the portable loop.  They are compiled with a
 * target attribute, so the build stays portable x86-64.
 */
#include "nn/blk16.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define JAHS_BLK_AVX512 1
#include <immintrin.h>
#else
#define JAHS_BLK_AVX512 0
#endif

static int force_portable;

int jahs_blk16_fits(int c) { return c > 0 && c % 16 == 0; }

/* pixels [s0, hw) of one 16-channel block: src rows of hw, dst hw x 16 */
static void from_tail(int hw, int s0, const float *src, float *dst)
{
    int s, k;
    for (s = s0; s < hw; s++)
        for (k = 0; k < 16; k++)
            dst[(size_t)s * 16 + k] = src[(size_t)k * hw + s];
}

static void to_tail(int hw, int s0, const float *src, float *dst, int acc)
{
    int s, k;
    for (k = 0; k < 16; k++)
        for (s = s0; s < hw; s++) {
            float v = src[(size_t)s * 16 + k];
            if (acc)
                dst[(size_t)k * hw + s] += v;
            else
                dst[(size_t)k * hw + s] = v;
        }
}

/* jahs_blk16_to_nchw_relu_bwd's element: g = (dy_old +) src, then ReLU's
 * backward of g with y's mask into dx, as relu_bwd (elementwise.c) does */
static inline void relu_bwd_one(float v, const float *dyo, const float *y,
                                float *dx, size_t i, int acc)
{
    float g = dyo ? dyo[i] + v : v;
    float m = y[i] > 0.0f ? g : 0.0f;
    if (acc)
        dx[i] += m;
    else
        dx[i] = m;
}

static void relu_tail(int hw, int s0, const float *src, const float *dyo,
                      const float *y, float *dx, int acc)
{
    int s, k;
    for (k = 0; k < 16; k++)
        for (s = s0; s < hw; s++)
            relu_bwd_one(src[(size_t)s * 16 + k], dyo, y, dx,
                         (size_t)k * hw + s, acc);
}

#if JAHS_BLK_AVX512
#define AVX512 __attribute__((target("avx512f")))

/* r[0..15] := its transpose (r[i] lane j <- r[j] lane i) */
AVX512 static inline void tr16(__m512 *r)
{
    __m512 t[16];
    int i;
    for (i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    for (i = 0; i < 16; i += 4) {
        r[i] = _mm512_shuffle_ps(t[i], t[i + 2], 0x44);
        r[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], 0xee);
        r[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0x44);
        r[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0xee);
    }
    for (i = 0; i < 4; i++) {
        t[i] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0x88);
        t[i + 4] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0xdd);
        t[i + 8] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0x88);
        t[i + 12] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0xdd);
    }
    for (i = 0; i < 8; i++) {
        r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
        r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xdd);
    }
}

AVX512 static void from_block_avx512(int hw, const float *src, float *dst)
{
    __m512 r[16];
    int s, k;
    for (s = 0; s + 16 <= hw; s += 16) {
        for (k = 0; k < 16; k++)
            r[k] = _mm512_loadu_ps(src + (size_t)k * hw + s);
        tr16(r);
        for (k = 0; k < 16; k++)
            _mm512_storeu_ps(dst + (size_t)(s + k) * 16, r[k]);
    }
    from_tail(hw, s, src, dst);
}

AVX512 static void to_block_avx512(int hw, const float *src, float *dst,
                                   int acc)
{
    __m512 r[16];
    int s, k;
    for (s = 0; s + 16 <= hw; s += 16) {
        for (k = 0; k < 16; k++)
            r[k] = _mm512_loadu_ps(src + (size_t)(s + k) * 16);
        tr16(r);
        if (acc)
            for (k = 0; k < 16; k++) {
                float *q = dst + (size_t)k * hw + s;
                _mm512_storeu_ps(q, _mm512_add_ps(_mm512_loadu_ps(q), r[k]));
            }
        else
            for (k = 0; k < 16; k++)
                _mm512_storeu_ps(dst + (size_t)k * hw + s, r[k]);
    }
    to_tail(hw, s, src, dst, acc);
}

AVX512 static void relu_block_avx512(int hw, const float *src,
                                     const float *dyo, const float *y,
                                     float *dx, int acc)
{
    __m512 r[16];
    const __m512 zero = _mm512_setzero_ps();
    int s, k;
    for (s = 0; s + 16 <= hw; s += 16) {
        for (k = 0; k < 16; k++)
            r[k] = _mm512_loadu_ps(src + (size_t)(s + k) * 16);
        tr16(r);
        for (k = 0; k < 16; k++) {
            size_t o = (size_t)k * hw + s;
            __m512 g = dyo ? _mm512_add_ps(_mm512_loadu_ps(dyo + o), r[k])
                           : r[k];
            __mmask16 pos =
                _mm512_cmp_ps_mask(_mm512_loadu_ps(y + o), zero, _CMP_GT_OQ);
            __m512 m = _mm512_maskz_mov_ps(pos, g);
            if (acc)
                m = _mm512_add_ps(_mm512_loadu_ps(dx + o), m);
            _mm512_storeu_ps(dx + o, m);
        }
    }
    relu_tail(hw, s, src, dyo, y, dx, acc);
}

static int have_avx512(void)
{
    static int have = -1;
    if (have < 0)
        have = __builtin_cpu_supports("avx512f") ? 1 : 0;
    return have;
}
#else
static int have_avx512(void) { return 0; }
#endif

int jahs_blk16_fast(void) { return have_avx512(); }

int jahs_blk16_force_portable(int on)
{
    force_portable = on;
    return have_avx512();
}

void jahs_blk16_from_nchw(int n, int c, int hw, const float *src, float *dst)
{
    size_t blk = (size_t)16 * hw;
    int b, nb = n * (c / 16);
#if JAHS_BLK_AVX512
    if (have_avx512() && !force_portable) {
        for (b = 0; b < nb; b++)
            from_block_avx512(hw, src + b * blk, dst + b * blk);
        return;
    }
#endif
    for (b = 0; b < nb; b++)
        from_tail(hw, 0, src + b * blk, dst + b * blk);
}

void jahs_blk16_to_nchw(int n, int c, int hw, const float *src, float *dst,
                        int acc)
{
    size_t blk = (size_t)16 * hw;
    int b, nb = n * (c / 16);
#if JAHS_BLK_AVX512
    if (have_avx512() && !force_portable) {
        for (b = 0; b < nb; b++)
            to_block_avx512(hw, src + b * blk, dst + b * blk, acc);
        return;
    }
#endif
    for (b = 0; b < nb; b++)
        to_tail(hw, 0, src + b * blk, dst + b * blk, acc);
}

void jahs_blk16_to_nchw_relu_bwd(int n, int c, int hw, const float *src,
                                 const float *dy_old, const float *y,
                                 float *dx, int acc)
{
    size_t blk = (size_t)16 * hw;
    int b, nb = n * (c / 16);
#if JAHS_BLK_AVX512
    if (have_avx512() && !force_portable) {
        for (b = 0; b < nb; b++)
            relu_block_avx512(hw, src + b * blk, dy_old ? dy_old + b * blk
                                                        : NULL,
                              y + b * blk, dx + b * blk, acc);
        return;
    }
#endif
    for (b = 0; b < nb; b++)
        relu_tail(hw, 0, src + b * blk, dy_old ? dy_old + b * blk : NULL,
                  y + b * blk, dx + b * blk, acc);
}
