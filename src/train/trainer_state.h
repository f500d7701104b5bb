/*
 * trainer_state.h - the trainer's state, shared by trainer.c (the loop) and
 * checkpoint.c (saving and restoring it).  Internal to src/train.
 */
#ifndef JAHS_TRAIN_TRAINER_STATE_H
#define JAHS_TRAIN_TRAINER_STATE_H

#include "core/rng.h"
#include "core/util.h"
#include "data/augment.h"
#include "gpu/gpu.h"
#include "train/trainer.h"

struct jahs_trainer {
    jahs_trainer_opts o;
    jahs_net *net;
    jahs_rng *shuffle, *augment; /* "train/shuffle", "train/augment" */
    uint64_t dropout_seed;       /* key of "train/dropout" */
    int epochs;                  /* epochs done */
    uint64_t steps;              /* SGD steps done */
    int *order;                  /* epoch order scratch (grown on demand) */
    int order_cap;
    uint8_t *img;                /* one augmented image (h w c) */
    uint8_t *labels;             /* the batch's labels */
    jahs_gpu_net *gpu;           /* device = 1: the network on the GPU */
    jahs_augment_draws *draws;   /* GPU: the epoch's augmentation draws */
    float *adam_v;               /* Adam: second moments (n_params); the
                                    first moments use the net's momentum
                                    pool */
};

/* The run's identity as text (network, hyperparameters, seed, stream,
 * horizon, sizes): what a checkpoint must match to be restored. */
int jahs_trainer_identity(const jahs_trainer *t, jahs_buf *out);

#endif
