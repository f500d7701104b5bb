/*
 * sgd.h - the optimizer of NAS-Bench-201's recipe: SGD with Nesterov
 * momentum and L2 weight decay on every parameter (PyTorch's torch.optim.SGD
 * semantics), and the cosine learning-rate schedule.
 *
 * Schedule: NB201's CosineAnnealingLR (AutoDL-Projects
 * lib/procedures/optimizers.py, hyper-opts 200E.config: eta_min 0, no
 * warm-up) is updated every iteration but its cosine reads only the integer
 * epoch (the per-iteration fraction is used during warm-up only), so the
 * learning rate is constant within an epoch and steps per epoch:
 * lr(e) = lr0 (1 + cos(pi e / T)) / 2 for epoch e = 0, 1, ..., T - 1.  We do
 * the same.  T is the schedule's horizon (see trainer.h for the policy when
 * a trial is promoted to more epochs).
 */
#ifndef JAHS_TRAIN_SGD_H
#define JAHS_TRAIN_SGD_H

#include <stddef.h>

#define JAHS_SGD_MOMENTUM 0.9

/*
 * One step on n parameters, PyTorch's order of operations:
 *   d = g + wd p;  buf = momentum buf + d;  d = d + momentum buf (Nesterov)
 *   or d = buf (plain momentum);  p = p - lr d.
 * buf starts at zero, which makes the first step's buf = d exactly as
 * PyTorch's initialisation of the buffer from the first gradient.
 */
void jahs_sgd_step(float *p, const float *g, float *buf, size_t n, float lr,
                   float momentum, float wd, int nesterov);

/* Learning rate of epoch e (0-based) of a cosine schedule over horizon
 * epochs from lr0 to 0; 0 for e >= horizon. */
double jahs_cosine_lr(double lr0, int e, int horizon);

#endif
