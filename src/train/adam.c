/*
 * adam.c - see adam.h.  The bias corrections are computed in double once
 * per step; the per-parameter arithmetic is float, as PyTorch's float32
 * tensors.
 */
#include "train/adam.h"

#include <math.h>

void jahs_adam_step(float *p, const float *g, float *m, float *v, size_t n,
                    float lr, float wd, uint64_t step)
{
    /* 1 - beta in double, then float: PyTorch passes (1 - beta) as a Python
     * float to the float32 kernel, which differs from 1.0f - 0.999f */
    const float b1 = (float)JAHS_ADAM_BETA1, b2 = (float)JAHS_ADAM_BETA2;
    const float c1 = (float)(1.0 - JAHS_ADAM_BETA1),
                c2 = (float)(1.0 - JAHS_ADAM_BETA2);
    double t = (double)(step ? step : 1);
    float step_size = (float)(lr / (1.0 - pow(JAHS_ADAM_BETA1, t)));
    float bc2_sqrt = (float)sqrt(1.0 - pow(JAHS_ADAM_BETA2, t));
    size_t i;
    for (i = 0; i < n; i++) {
        float d = g[i] + wd * p[i];
        m[i] = b1 * m[i] + c1 * d;
        v[i] = b2 * v[i] + c2 * d * d;
        p[i] -= step_size * m[i] /
                (sqrtf(v[i]) / bc2_sqrt + (float)JAHS_ADAM_EPS);
    }
}
