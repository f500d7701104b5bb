/*
 * sgd.c - see sgd.h.
 */
#include "train/sgd.h"

#include <math.h>

void jahs_sgd_step(float *p, const float *g, float *buf, size_t n, float lr,
                   float momentum, float wd, int nesterov)
{
    size_t i;
    for (i = 0; i < n; i++) {
        float d = g[i] + wd * p[i];
        buf[i] = momentum * buf[i] + d;
        d = nesterov ? d + momentum * buf[i] : buf[i];
        p[i] -= lr * d;
    }
}

double jahs_cosine_lr(double lr0, int e, int horizon)
{
    if (horizon <= 0 || e >= horizon)
        return 0.0;
    if (e < 0)
        e = 0;
    return lr0 * 0.5 * (1.0 + cos(M_PI * (double)e / (double)horizon));
}
