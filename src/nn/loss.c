/*
 * loss.c - softmax cross-entropy with mean reduction (PyTorch's
 * CrossEntropyLoss), with the log-sum-exp shifted by the row maximum.
 */
#include "nn/layers.h"

#include <math.h>

double jahs_softmax_ce(int n, int k, const float *logits,
                       const uint8_t *labels, float *dlogits, int *correct)
{
    double total = 0.0;
    int i, j, right = 0;
    for (i = 0; i < n; i++) {
        const float *z = logits + (size_t)i * k;
        int arg = 0, y = labels[i];
        double mx = z[0], s = 0.0, lse;
        for (j = 1; j < k; j++)
            if (z[j] > z[arg])
                arg = j;
        mx = z[arg];
        for (j = 0; j < k; j++)
            s += exp((double)z[j] - mx);
        lse = mx + log(s);
        total += lse - z[y];
        right += arg == y;
        if (dlogits) {
            float *g = dlogits + (size_t)i * k;
            for (j = 0; j < k; j++)
                g[j] = (float)((exp((double)z[j] - lse) - (j == y)) / n);
        }
    }
    if (correct)
        *correct = right;
    return n > 0 ? total / n : 0.0;
}
