/*
 * adam.h - the template's optimizer: Adam (Kingma & Ba 2015) with PyTorch's
 * torch.optim.Adam semantics and defaults (betas 0.9 / 0.999, eps 1e-8, L2
 * weight decay added to the gradient, amsgrad off), as the AutoML SS23
 * template trains its sequential CNN (issue 17: "trained with Adam and
 * cross-entropy").
 *
 * Step t (1-based) on parameter p with gradient g, in PyTorch's order:
 *   g = g + wd p;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
 *   p = p - (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps).
 * eps is added after the bias-corrected square root (PyTorch's denom), not
 * inside it.  m and v start at zero.
 */
#ifndef JAHS_TRAIN_ADAM_H
#define JAHS_TRAIN_ADAM_H

#include <stddef.h>
#include <stdint.h>

#define JAHS_ADAM_BETA1 0.9
#define JAHS_ADAM_BETA2 0.999
#define JAHS_ADAM_EPS 1e-8

/* One step on n parameters; step is the 1-based step count (t above). */
void jahs_adam_step(float *p, const float *g, float *m, float *v, size_t n,
                    float lr, float wd, uint64_t step);

#endif
