/*
 * trainer.h - training one configuration on the CPU: NB201's recipe
 * (SGD Nesterov 0.9, weight decay on all parameters, cosine schedule per
 * epoch, cross-entropy; sgd.h), or for the template's space (seqcnn-ss23)
 * Adam at a constant learning rate with no augmentation (adam.h; the
 * issue's description of the template names Adam and cross-entropy, no
 * schedule and no augmentation beyond the resize), with the configuration's learning rate,
 * weight decay, batch size, dropout and TrivialAugment; data augmentation
 * on the uint8 images (random crop with 4-pixel zero padding and horizontal
 * flip always, TrivialAugmentWide when the config turns it on; augment.h),
 * then per-channel normalisation with the dataset's mean and std; epochs
 * over a list of training indices, evaluation over another; checkpoints.
 *
 * Randomness: four streams per run, all from (seed, purpose, stream) with
 * `stream` naming the trial (the live evaluator derives it from the config
 * id and the fold): "train/init" (weights), "train/shuffle" (the epoch's
 * order: a Fisher-Yates shuffle of the indices, PyTorch's DataLoader with
 * shuffle=True and drop_last=False), "train/augment" (crop, flip, TA, per
 * image in batch order) and "train/dropout" (a key for the counter-based
 * masks, with the global step; layers.h).  Same inputs and seed give the
 * same bits, whatever the number of threads.
 *
 * Schedule horizon: the cosine spans `horizon` epochs, fixed when training
 * starts and stored in the checkpoint.  A trial promoted by successive
 * halving from, say, 2 to 6 epochs must not change the learning rate of the
 * epochs it already ran, so the live evaluator schedules over the maximum
 * fidelity (20 epochs) and a promotion continues the same schedule: resuming
 * to 6 epochs equals training 6 epochs at once.  (Restarting promoted
 * trials instead, the evaluator's resume = 0, schedules over the target.)
 * Resuming with another horizon is an error.
 *
 * Checkpoints (HDF5, written atomically): parameters, SGD momentum, BN
 * running statistics, epochs and steps done, the horizon, the shuffle and
 * augment generator states, and the run's identity (seed, stream, network,
 * hyperparameters) checked on load.  A resumed run equals an uninterrupted
 * one bit for bit.
 *
 * Device (opts.device = 1): the same loop on the GPU backend (gpu.h).  The
 * host draws the epoch's order and every image's augmentation from the
 * same streams in the same order as on the CPU; the device builds the
 * batches from the dataset it holds and runs forward, backward and SGD
 * (CUDA graphs).  Checkpoints are the same files (state copied back), so a
 * run may move between CPU and GPU; the identity does not name the device.
 * The GPU's float rounding differs from the CPU's (cuDNN's summation
 * order; bf16 with precision bf16), so the two agree to rounding, not bit
 * for bit; each is deterministic on its own.
 */
#ifndef JAHS_TRAIN_TRAINER_H
#define JAHS_TRAIN_TRAINER_H

#include <stdint.h>

#include "core/error.h"
#include "data/dataset.h"
#include "gpu/gpu.h"
#include "nn/arch.h"
#include "nn/net.h"
#include "space/space.h"

/* The optimizer and schedule of a run. */
typedef enum jahs_optim {
    JAHS_OPTIM_SGD = 0, /* NB201's recipe: SGD Nesterov 0.9, cosine (sgd.h) */
    JAHS_OPTIM_ADAM = 1 /* the AutoML SS23 template: Adam, constant lr
                           (adam.h) */
} jahs_optim;

typedef struct jahs_train_hp {
    double lr;           /* initial learning rate */
    double wd;           /* weight decay */
    int batch_size;
    int trivial_augment; /* 1: TrivialAugmentWide on top of crop + flip */
    jahs_optim optimizer;
} jahs_train_hp;

/* lr, wd, batch_size, trivial_augment of config x (the spaces' HPs).  The
 * template's space (seqcnn-ss23) has lr and batch_size only: Adam, wd 0, no
 * TrivialAugment. */
int jahs_train_hp_from_config(jahs_train_hp *hp, const jahs_space *sp,
                              const double *x, jahs_error *err);

typedef struct jahs_trainer_opts {
    jahs_net_spec spec;  /* c_in, h, w, n_classes must match the data */
    jahs_train_hp hp;
    int horizon;         /* epochs of the cosine schedule (>= 1) */
    uint64_t seed;       /* the run's seed */
    uint64_t stream;     /* the trial's stream index */
    int threads;         /* 0: all cores */
    int augment;         /* 1: crop + flip (+ TA); 0: none */
    float mean[4], std[4]; /* per-channel normalisation, 0..1 scale */
    int device;          /* 0: CPU; 1: GPU (gpu.h) */
    int gpu_index;       /* CUDA device when device = 1 */
    int precision;       /* GPU: jahs_precision (fp32 or bf16) */
    char data_id[256];   /* what decided the training data (the evaluator's
                            data spec, subset, folds; "" when not known):
                            part of a checkpoint's identity */
} jahs_trainer_opts;

/* Defaults: NB201's recipe, horizon 1, augmentation on, mean 0 / std 1,
 * the CPU. */
void jahs_trainer_opts_defaults(jahs_trainer_opts *o);

/*
 * Defaults, then the network and hyperparameters of config x of space sp
 * for the images of d (shape, classes, per-channel mean and std).
 * cell_ops / top10 / ctx as jahs_net_spec_from_config.  seed, stream,
 * horizon and threads are left for the caller.
 */
int jahs_trainer_opts_from_config(jahs_trainer_opts *o, const jahs_space *sp,
                                  const double *x, const jahs_dataset *d,
                                  const int *cell_ops, jahs_top10_fn top10,
                                  void *ctx, jahs_error *err);

typedef struct jahs_epoch_stats {
    int epoch;            /* 1-based: the epoch just finished */
    double lr;            /* its learning rate */
    double loss;          /* mean training loss over its images */
    double acc;           /* training top-1 accuracy, percent */
    double seconds;       /* wall time of the epoch */
    double images_per_s;  /* training images / seconds */
} jahs_epoch_stats;

typedef struct jahs_trainer jahs_trainer;

/* Build and initialise.  NULL and err on failure.  Free with
 * jahs_trainer_free. */
jahs_trainer *jahs_trainer_create(const jahs_trainer_opts *o, jahs_error *err);
/* NULL is a no-op. */
void jahs_trainer_free(jahs_trainer *t);

/* The network on the CPU.  For a GPU trainer it holds the parameters,
 * momentum and BN statistics as of the last jahs_trainer_sync (or save,
 * load, create); its other pools are for one image only. */
jahs_net *jahs_trainer_net(jahs_trainer *t);
/* The GPU network of a GPU trainer; NULL on the CPU. */
const jahs_gpu_net *jahs_trainer_gpu(const jahs_trainer *t);
/* GPU trainer: copy the device's state into jahs_trainer_net's pools; a
 * no-op on the CPU. */
int jahs_trainer_sync(jahs_trainer *t, jahs_error *err);
/* Epochs trained so far (restored by a checkpoint). */
int jahs_trainer_epochs(const jahs_trainer *t);
/* Optimizer steps taken so far. */
uint64_t jahs_trainer_steps(const jahs_trainer *t);

/* Called after each batch with the images done and the epoch's total. */
typedef void (*jahs_train_progress)(void *ctx, long done, long total);

/*
 * Train one epoch on the images idx[0..n) of d (all of d when idx is NULL):
 * shuffle, batches of hp.batch_size (the last one smaller), augment,
 * normalise, forward, loss, backward, SGD step at the epoch's learning
 * rate.  Errors: data that does not match the network (shape, classes).
 */
int jahs_trainer_epoch(jahs_trainer *t, const jahs_dataset *d, const int *idx,
                       int n, jahs_epoch_stats *st,
                       jahs_train_progress progress, void *ctx,
                       jahs_error *err);

/* Top-1 accuracy (percent) and mean loss on idx[0..n) of d (all when idx
 * is NULL), evaluation mode, no augmentation.  acc / loss may be NULL. */
int jahs_trainer_evaluate(jahs_trainer *t, const jahs_dataset *d,
                          const int *idx, int n, double *acc, double *loss,
                          jahs_error *err);

/* Write a checkpoint to path (atomically; parent directories created). */
int jahs_trainer_save(const jahs_trainer *t, const char *path,
                      jahs_error *err);
/*
 * Restore a checkpoint written by a trainer created with the same options
 * (seed, stream, network, hyperparameters, horizon): a mismatch, a corrupt
 * or foreign file is an error naming the file and what differs.
 */
int jahs_trainer_load(jahs_trainer *t, const char *path, jahs_error *err);

#endif
