/*
 * trainer.c - see trainer.h: the training and evaluation loops.
 */
#include "train/trainer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "data/augment.h"
#include "gpu/gpu.h"
#include "train/adam.h"
#include "train/sgd.h"
#include "train/trainer_state.h"

int jahs_train_hp_from_config(jahs_train_hp *hp, const jahs_space *sp,
                              const double *x, jahs_error *err)
{
    static const char *const keys[4] = {"lr", "wd", "batch_size",
                                        "trivial_augment"};
    double v[4] = {0, 0, 0, 0};
    int k, adam = sp->macro == JAHS_MACRO_SEQT;
    for (k = 0; k < 4; k++) {
        int i;
        if (adam && (k == 1 || k == 3)) /* the template: no wd, no TA */
            continue;
        i = jahs_space_find(sp, keys[k]);
        if (i < 0 || isnan(x[i]))
            return JAHS_FAIL(err, JAHS_EINVAL,
                             "config of space '%s' has no value for key '%s'",
                             sp->name, keys[k]);
        v[k] = x[i];
    }
    if (!(v[0] > 0) || !(v[1] >= 0) || !(v[2] >= 1 && v[2] <= 65536))
        return JAHS_FAIL(err, JAHS_ERANGE,
                         "config of space '%s': lr %g, wd %g, batch_size %g "
                         "out of range",
                         sp->name, v[0], v[1], v[2]);
    hp->lr = v[0];
    hp->wd = v[1];
    hp->batch_size = (int)v[2];
    hp->trivial_augment = v[3] != 0;
    hp->optimizer = adam ? JAHS_OPTIM_ADAM : JAHS_OPTIM_SGD;
    return 0;
}

void jahs_trainer_opts_defaults(jahs_trainer_opts *o)
{
    int c;
    memset(o, 0, sizeof *o);
    o->hp.lr = 0.1;
    o->hp.wd = 5e-4;
    o->hp.batch_size = 256;
    o->horizon = 1;
    o->augment = 1;
    for (c = 0; c < 4; c++)
        o->std[c] = 1.0f;
}

int jahs_trainer_opts_from_config(jahs_trainer_opts *o, const jahs_space *sp,
                                  const double *x, const jahs_dataset *d,
                                  const int *cell_ops, jahs_top10_fn top10,
                                  void *ctx, jahs_error *err)
{
    int rc, c;
    jahs_trainer_opts_defaults(o);
    if (d->c < 1 || d->c > 4)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "dataset '%s' has %d channels (expected 1..4)",
                         d->name, d->c);
    if ((rc = jahs_net_spec_from_config(&o->spec, sp, x, d->c, d->h, d->w,
                                        d->n_classes, cell_ops, top10, ctx,
                                        err)) ||
        (rc = jahs_train_hp_from_config(&o->hp, sp, x, err)))
        return rc;
    for (c = 0; c < d->c; c++) {
        o->mean[c] = d->mean[c];
        o->std[c] = d->std[c];
    }
    if (o->hp.optimizer == JAHS_OPTIM_ADAM)
        o->augment = 0; /* the template: resize only */
    return 0;
}

/* The GPU network of o (device = 1). */
static jahs_gpu_net *gpu_create(const jahs_trainer_opts *o, jahs_error *err)
{
    jahs_gpu_opts go;
    jahs_gpu_opts_defaults(&go);
    go.device = o->gpu_index;
    go.precision = o->precision;
    return jahs_gpu_net_create(&o->spec, o->hp.batch_size, &go, err);
}

static void batch_opts(const jahs_trainer *t, jahs_gpu_batch_opts *bo)
{
    int c;
    memset(bo, 0, sizeof *bo);
    bo->dropout_seed = t->dropout_seed;
    bo->momentum = (float)JAHS_SGD_MOMENTUM;
    bo->wd = (float)t->o.hp.wd;
    for (c = 0; c < 4; c++) {
        bo->mean[c] = t->o.mean[c];
        bo->std[c] = c < t->o.spec.c_in ? t->o.std[c] : 1.0f;
    }
}

jahs_trainer *jahs_trainer_create(const jahs_trainer_opts *o, jahs_error *err)
{
    jahs_trainer *t;
    const jahs_net_spec *s = &o->spec;
    int c;
    if (o->horizon < 1 || o->hp.batch_size < 1 || s->c_in > 4) {
        JAHS_FAIL(err, JAHS_EINVAL,
                  "bad trainer options (horizon %d, batch %d, %d channels)",
                  o->horizon, o->hp.batch_size, s->c_in);
        return NULL;
    }
    for (c = 0; c < s->c_in; c++)
        if (!(o->std[c] > 0)) {
            JAHS_FAIL(err, JAHS_EINVAL,
                      "normalisation std of channel %d is %g, expected > 0", c,
                      (double)o->std[c]);
            return NULL;
        }
    if (o->device && (o->hp.optimizer == JAHS_OPTIM_ADAM ||
                      s->macro == JAHS_MACRO_SEQT)) {
        JAHS_FAIL(err, JAHS_EUNSUPPORTED,
                  "the template's seqcnn (seqcnn-ss23: max-pool, conv bias, "
                  "Adam) has no GPU kernels yet; train it on the CPU "
                  "(device cpu)");
        return NULL;
    }
    if (!(t = calloc(1, sizeof *t))) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for a trainer");
        return NULL;
    }
    t->o = *o;
    t->dropout_seed = jahs_rng_hash(o->seed, "train/dropout", o->stream);
    if (o->device && (t->gpu = gpu_create(o, err)) == NULL) {
        jahs_trainer_free(t);
        return NULL;
    }
    /* on the GPU the host network holds the state only: one image */
    if (!(t->net = jahs_net_create(s, o->device ? 1 : o->hp.batch_size,
                                   o->device ? 1 : o->threads, err)) ||
        jahs_net_init(t->net, o->seed, o->stream, err) ||
        !(t->shuffle = jahs_rng_create(o->seed, "train/shuffle", o->stream,
                                       err)) ||
        !(t->augment = jahs_rng_create(o->seed, "train/augment", o->stream,
                                       err))) {
        jahs_trainer_free(t);
        return NULL;
    }
    if (t->gpu &&
        jahs_gpu_net_set_state(t->gpu, jahs_net_params(t->net),
                               jahs_net_momentum(t->net),
                               jahs_net_buffers(t->net), err)) {
        jahs_trainer_free(t);
        return NULL;
    }
    t->img = malloc((size_t)s->h * s->w * s->c_in);
    t->labels = malloc((size_t)o->hp.batch_size);
    if (o->hp.optimizer == JAHS_OPTIM_ADAM)
        t->adam_v = calloc(jahs_net_graph(t->net)->n_params + 1,
                           sizeof *t->adam_v);
    if (!t->img || !t->labels ||
        (o->hp.optimizer == JAHS_OPTIM_ADAM && !t->adam_v)) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for a trainer");
        jahs_trainer_free(t);
        return NULL;
    }
    return t;
}

void jahs_trainer_free(jahs_trainer *t)
{
    if (!t)
        return;
    jahs_net_free(t->net);
    jahs_gpu_net_free(t->gpu);
    free(t->draws);
    jahs_rng_free(t->shuffle);
    jahs_rng_free(t->augment);
    free(t->order);
    free(t->img);
    free(t->labels);
    free(t->adam_v);
    free(t);
}

jahs_net *jahs_trainer_net(jahs_trainer *t) { return t->net; }

const jahs_gpu_net *jahs_trainer_gpu(const jahs_trainer *t) { return t->gpu; }

int jahs_trainer_sync(jahs_trainer *t, jahs_error *err)
{
    if (!t->gpu)
        return 0;
    return jahs_gpu_net_get_state(t->gpu, jahs_net_params(t->net),
                                  jahs_net_momentum(t->net),
                                  jahs_net_buffers(t->net), err);
}
int jahs_trainer_epochs(const jahs_trainer *t) { return t->epochs; }
uint64_t jahs_trainer_steps(const jahs_trainer *t) { return t->steps; }

static int check_data(const jahs_trainer *t, const jahs_dataset *d,
                      const int *idx, int n, jahs_error *err)
{
    const jahs_net_spec *s = &t->o.spec;
    int i;
    if (d->c != s->c_in || d->h != s->h || d->w != s->w ||
        d->n_classes != s->n_classes)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "dataset '%s' has %d x %d x %d images and %d "
                         "classes; the network expects %d x %d x %d and %d",
                         d->name, d->h, d->w, d->c, d->n_classes, s->h, s->w,
                         s->c_in, s->n_classes);
    if (n < 0 || (!idx && n > d->n))
        return JAHS_FAIL(err, JAHS_ERANGE, "%d images asked of '%s' (%d)", n,
                         d->name, d->n);
    for (i = 0; idx && i < n; i++)
        if (idx[i] < 0 || idx[i] >= d->n)
            return JAHS_FAIL(err, JAHS_ERANGE,
                             "image index %d outside '%s' (%d images)", idx[i],
                             d->name, d->n);
    return 0;
}

/* Normalise image src (h w c uint8) into image slot i of the input batch
 * (c h w float). */
static void put_image(jahs_trainer *t, int i, const uint8_t *src)
{
    const jahs_net_spec *s = &t->o.spec;
    size_t hw = (size_t)s->h * s->w, p;
    float *dst = jahs_net_input(t->net) + (size_t)i * s->c_in * hw;
    int c;
    for (c = 0; c < s->c_in; c++) {
        float m = t->o.mean[c], k = 1.0f / t->o.std[c];
        float *q = dst + (size_t)c * hw;
        for (p = 0; p < hw; p++)
            q[p] = ((float)src[p * (size_t)s->c_in + (size_t)c] / 255.0f - m) *
                   k;
    }
}

/* The epoch on the GPU: t->order holds its images; draw every image's
 * augmentation in the CPU loop's order, then train on the device. */
static int gpu_epoch(jahs_trainer *t, const jahs_dataset *d, int n, float lr,
                     double *loss_sum, long *correct, jahs_error *err)
{
    jahs_augment aug = {4, 1, t->o.hp.trivial_augment};
    jahs_gpu_batch_opts bo;
    int B = t->o.hp.batch_size, i, rc;
    if (t->o.augment && n > 0) {
        jahs_augment_draws *dr = realloc(t->draws, (size_t)n * sizeof *dr);
        if (!dr)
            return JAHS_FAIL(err, JAHS_ENOMEM,
                             "out of memory for %d augmentation draws", n);
        t->draws = dr;
        for (i = 0; i < n; i++)
            jahs_augment_draw(&aug, t->augment, &t->draws[i]);
    }
    batch_opts(t, &bo);
    if ((rc = jahs_gpu_net_train(t->gpu, d, t->order,
                                 t->o.augment ? t->draws : NULL, n, B, lr,
                                 t->steps, &bo, loss_sum, correct, err)))
        return rc;
    t->steps += (uint64_t)((n + B - 1) / B);
    return 0;
}

int jahs_trainer_epoch(jahs_trainer *t, const jahs_dataset *d, const int *idx,
                       int n, jahs_epoch_stats *st,
                       jahs_train_progress progress, void *ctx,
                       jahs_error *err)
{
    const jahs_net_spec *s = &t->o.spec;
    const jahs_graph *g = jahs_net_graph(t->net);
    jahs_augment aug = {4, 1, t->o.hp.trivial_augment};
    size_t isz = (size_t)s->h * s->w * s->c_in;
    int B = t->o.hp.batch_size, i, b, rc;
    double loss_sum = 0.0, t0 = jahs_now();
    long correct = 0;
    float lr;
    if (!idx)
        n = d->n;
    if ((rc = check_data(t, d, idx, n, err)))
        return rc;
    if (n > t->order_cap) {
        int *o2 = realloc(t->order, (size_t)n * sizeof *o2);
        if (!o2)
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for %d indices",
                             n);
        t->order = o2;
        t->order_cap = n;
    }
    for (i = 0; i < n; i++)
        t->order[i] = idx ? idx[i] : i;
    /* Fisher-Yates, back to front */
    for (i = n - 1; i > 0; i--) {
        int j = (int)jahs_rng_int(t->shuffle, (unsigned long)i + 1), tmp;
        tmp = t->order[i];
        t->order[i] = t->order[j];
        t->order[j] = tmp;
    }
    lr = t->o.hp.optimizer == JAHS_OPTIM_ADAM
             ? (float)t->o.hp.lr
             : (float)jahs_cosine_lr(t->o.hp.lr, t->epochs, t->o.horizon);
    if (t->gpu) {
        if ((rc = gpu_epoch(t, d, n, lr, &loss_sum, &correct, err)))
            return rc;
        if (progress)
            progress(ctx, n, n);
    }
    for (b = t->gpu ? n : 0; b < n; b += B) {
        int m = n - b < B ? n - b : B, hits = 0;
        for (i = 0; i < m; i++) {
            const uint8_t *src = d->images + (size_t)t->order[b + i] * isz;
            if (t->o.augment) {
                jahs_augment_image(&aug, t->augment, src, t->img, s->h, s->w,
                                   s->c_in);
                src = t->img;
            }
            put_image(t, i, src);
            t->labels[i] = d->labels[t->order[b + i]];
        }
        jahs_net_forward(t->net, m, 1, t->dropout_seed, t->steps);
        loss_sum += jahs_net_loss(t->net, t->labels, &hits) * m;
        correct += hits;
        jahs_net_backward(t->net);
        if ((rc = jahs_net_dnnl_status(t->net, NULL, err)) < 0)
            return rc;
        if (t->adam_v)
            jahs_adam_step(jahs_net_params(t->net), jahs_net_grads(t->net),
                           jahs_net_momentum(t->net), t->adam_v, g->n_params,
                           lr, (float)t->o.hp.wd, t->steps + 1);
        else
            jahs_sgd_step(jahs_net_params(t->net), jahs_net_grads(t->net),
                          jahs_net_momentum(t->net), g->n_params, lr,
                          (float)JAHS_SGD_MOMENTUM, (float)t->o.hp.wd, 1);
        t->steps++;
        if (progress)
            progress(ctx, b + m, n);
    }
    t->epochs++;
    if (st) {
        st->epoch = t->epochs;
        st->lr = lr;
        st->loss = n ? loss_sum / n : 0.0;
        st->acc = n ? 100.0 * (double)correct / n : 0.0;
        st->seconds = jahs_now() - t0;
        st->images_per_s = st->seconds > 0 ? n / st->seconds : 0.0;
    }
    if (!isfinite(loss_sum))
        jahs_debug("epoch %d: the training loss is not finite", t->epochs);
    return 0;
}

int jahs_trainer_evaluate(jahs_trainer *t, const jahs_dataset *d,
                          const int *idx, int n, double *acc, double *loss,
                          jahs_error *err)
{
    const jahs_net_spec *s = &t->o.spec;
    size_t isz = (size_t)s->h * s->w * s->c_in;
    int B = t->o.hp.batch_size, i, b, rc;
    double loss_sum = 0.0;
    long correct = 0;
    if (!idx)
        n = d->n;
    if ((rc = check_data(t, d, idx, n, err)))
        return rc;
    if (t->gpu) {
        jahs_gpu_batch_opts bo;
        batch_opts(t, &bo);
        if ((rc = jahs_gpu_net_evaluate(t->gpu, d, idx, n, B, &bo, &loss_sum,
                                        &correct, err)))
            return rc;
    }
    for (b = t->gpu ? n : 0; b < n; b += B) {
        int m = n - b < B ? n - b : B, hits = 0;
        for (i = 0; i < m; i++) {
            int k = idx ? idx[b + i] : b + i;
            put_image(t, i, d->images + (size_t)k * isz);
            t->labels[i] = d->labels[k];
        }
        jahs_net_forward(t->net, m, 0, t->dropout_seed, t->steps);
        if ((rc = jahs_net_dnnl_status(t->net, NULL, err)) < 0)
            return rc;
        loss_sum += jahs_net_loss(t->net, t->labels, &hits) * m;
        correct += hits;
    }
    if (acc)
        *acc = n ? 100.0 * (double)correct / n : 0.0;
    if (loss)
        *loss = n ? loss_sum / n : 0.0;
    return 0;
}
