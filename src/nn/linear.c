/*
 * linear.c - the fully connected classifier (PyTorch's nn.Linear):
 * y = x W^T + b over a batch, by GEMM.
 */
#include "nn/layers.h"

#include "nn/gemm.h"

void jahs_linear_forward(int n, int in, int out, const float *x,
                         const float *wt, const float *b, float *y)
{
    int i, j;
    for (i = 0; i < n; i++)
        for (j = 0; j < out; j++)
            y[(size_t)i * out + j] = b[j];
    jahs_sgemm(0, 1, n, out, in, 1.0f, x, in, wt, in, 1.0f, y, out);
}

void jahs_linear_backward(int n, int in, int out, const float *x,
                          const float *wt, const float *dy, float *dx, int acc,
                          float *dw, float *db)
{
    int i, j;
    /* dW (out x in) = dy^T (out x n) x (n x in) */
    jahs_sgemm(1, 0, out, in, n, 1.0f, dy, out, x, in, 0.0f, dw, in);
    for (j = 0; j < out; j++) {
        double s = 0.0;
        for (i = 0; i < n; i++)
            s += dy[(size_t)i * out + j];
        db[j] = (float)s;
    }
    if (dx)
        jahs_sgemm(0, 0, n, in, out, 1.0f, dy, out, wt, in,
                   acc ? 1.0f : 0.0f, dx, in);
}
