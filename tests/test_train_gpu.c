/*
 * test_train_gpu.c - the GPU backend (src/gpu/gpu.h) against the CPU
 * reference (net.h, trainer.h), llm.c's discipline: every kernel is
 * checked against the CPU before anything is timed.
 *
 *   gpu_device_*          device names and the no-GPU errors (everywhere);
 *   gpu_ops_match_cpu_*   networks that use every operation kind (conv
 *                         1x1 / 3x3 / stride 2, BN, ReLU, skip, zero node,
 *                         both pools, global pool, dropout, linear) over
 *                         several shapes and channel counts: activations,
 *                         loss, every parameter block's gradient, the SGD
 *                         update and the running statistics after three
 *                         steps, fresh random inputs; fp32 relative error
 *                         under 1e-4 (gradient blocks 1e-3), bf16 under 3e-2;
 *   gpu_batch_*           the augmentation kernel: every TrivialAugment
 *                         operation, crops and flips, colour and grayscale,
 *                         equals the CPU's batch bit for bit;
 *   gpu_training_*        two epochs of the trainer on the GPU against the
 *                         CPU (fp32 within 1e-3; bf16's first epoch within
 *                         2e-2), CUDA-graph steps equal to eager steps bit
 *                         for bit, a checkpointed run equal to an
 *                         uninterrupted one, two trials on one GPU at once
 *                         equal to each alone.
 *
 * Without a CUDA build or a GPU the device tests skip, saying why
 * (`make test-gpu` runs only these).  All names contain "gpu".
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "gpu/gpu.h"
#include "harness.h"
#include "nn/net.h"
#include "train/sgd.h"
#include "train/trainer.h"

/* ---- everywhere ------------------------------------------------------------ */

JAHS_TEST(gpu_device_parse)
{
    jahs_error err = {0};
    int gpu, index, prec;
    CHECK_OK(jahs_device_parse("cpu", &gpu, &index, &prec, &err), &err);
    CHECK_EQ_INT(gpu, 0);
    CHECK_OK(jahs_device_parse(NULL, &gpu, &index, NULL, &err), &err);
    CHECK_EQ_INT(gpu, 0);
    CHECK_OK(jahs_device_parse("gpu", &gpu, &index, &prec, &err), &err);
    CHECK_EQ_INT(gpu, 1);
    CHECK_EQ_INT(index, 0);
    CHECK_EQ_INT(prec, JAHS_PREC_FP32);
    CHECK_OK(jahs_device_parse("gpu:3,bf16", &gpu, &index, &prec, &err),
             &err);
    CHECK_EQ_INT(gpu, 1);
    CHECK_EQ_INT(index, 3);
    CHECK_EQ_INT(prec, JAHS_PREC_BF16);
    CHECK_OK(jahs_device_parse("gpu,fp32", &gpu, &index, &prec, &err), &err);
    CHECK_EQ_INT(prec, JAHS_PREC_FP32);
    CHECK_EQ_INT(jahs_device_parse("gpu:", &gpu, &index, &prec, &err),
                 JAHS_EINVAL);
    CHECK_CONTAINS(err.msg, "unknown device 'gpu:'");
    CHECK_EQ_INT(jahs_device_parse("gpu,fp16", &gpu, &index, &prec, &err),
                 JAHS_EINVAL);
    CHECK_EQ_INT(jahs_device_parse("gpu:1x", &gpu, &index, &prec, &err),
                 JAHS_EINVAL);
    CHECK_EQ_INT(jahs_device_parse("tpu", &gpu, &index, &prec, &err),
                 JAHS_EINVAL);
    CHECK_EQ_INT(gpu, 0);
}

static void small_spec(jahs_net_spec *s, const char *cell, int C, int N,
                       int stages, int cin, int hw, int classes, float drop)
{
    memset(s, 0, sizeof *s);
    s->macro = JAHS_MACRO_CELL;
    s->c_in = cin;
    s->h = s->w = hw;
    s->n_classes = classes;
    s->C = C;
    s->N = N;
    s->stages = stages;
    jahs_nb201_cell_parse(cell, s->ops, NULL);
    s->dropout[stages - 1] = drop;
}

/* Without a usable GPU every entry point says so; with one, a device that
 * does not exist is refused the same way. */
JAHS_TEST(gpu_device_unavailable_says_why)
{
    jahs_error err = {0};
    jahs_gpu_opts go;
    jahs_net_spec s;
    jahs_trainer_opts o;
    char desc[256];
    int have = jahs_gpu_probe(0, desc, sizeof desc, NULL) == 0;
    jahs_gpu_opts_defaults(&go);
    go.device = have ? 1000 : 0;
    small_spec(&s, "333133", 4, 1, 2, 3, 8, 10, 0.0f);
    CHECK(jahs_gpu_net_create(&s, 4, &go, &err) == NULL);
    CHECK_EQ_INT(err.code, JAHS_EUNAVAILABLE);
    CHECK_CONTAINS(err.msg, "no GPU available");
    jahs_trainer_opts_defaults(&o);
    o.spec = s;
    o.hp.batch_size = 4;
    o.device = 1;
    o.gpu_index = go.device;
    memset(&err, 0, sizeof err);
    CHECK(jahs_trainer_create(&o, &err) == NULL);
    CHECK_EQ_INT(err.code, JAHS_EUNAVAILABLE);
    if (!jahs_gpu_built())
        CHECK_CONTAINS(err.msg, "built without the CUDA backend");
}

/* ---- helpers for the device tests ------------------------------------------ */

/* Skip unless the backend and a device are there; returns 1 to go on. */
static int need_gpu(void)
{
    jahs_error err = {0};
    char desc[256];
    if (jahs_gpu_probe(0, desc, sizeof desc, &err)) {
        jahs_test_skip("no GPU: %s", err.msg);
        return 0;
    }
    return 1;
}

/* ||a - b|| / ||b|| (|| b || floored at tiny). */
static double rel(const float *a, const float *b, size_t n, double tiny)
{
    double num = 0.0, den = 0.0;
    size_t i;
    for (i = 0; i < n; i++) {
        double d = (double)a[i] - (double)b[i];
        num += d * d;
        den += (double)b[i] * (double)b[i];
    }
    den = sqrt(den);
    return sqrt(num) / (den > tiny ? den : tiny);
}

typedef struct {
    const char *name, *cell;
    int seq; /* 1: a sequential CNN instead of a cell network */
    int C, N, stages, cin, hw, classes, batch;
    float drop;
} net_case;

static const net_case CASES[] = {
    /* NB201's best cell: conv3x3 edges, a skip, reductions (stride 2,
     * pool2 + conv1x1 shortcut), 3 stages, dropout on the last */
    {"best", "333133", 0, 4, 1, 3, 3, 16, 10, 6, 0.25f},
    /* conv1x1, avg_pool_3x3 (count_include_pad=False), skips, grayscale,
     * an odd batch, 12 x 12 maps */
    {"pool", "124401", 0, 8, 2, 2, 1, 12, 7, 5, 0.0f},
    /* zero nodes (all-none edges) and a conv fed by the input node only */
    {"zero", "000300", 0, 4, 1, 2, 3, 8, 5, 4, 0.5f},
    /* sequential CNN: channel counts that are not powers of two */
    {"seq", NULL, 1, 0, 0, 0, 3, 12, 6, 7, 0.3f},
};

static void case_spec(const net_case *k, jahs_net_spec *s)
{
    if (!k->seq) {
        small_spec(s, k->cell, k->C, k->N, k->stages, k->cin, k->hw,
                   k->classes, k->drop);
        return;
    }
    memset(s, 0, sizeof *s);
    s->macro = JAHS_MACRO_SEQ;
    s->c_in = k->cin;
    s->h = s->w = k->hw;
    s->n_classes = k->classes;
    s->n_layers = 3;
    s->channels[0] = 12;
    s->channels[1] = 24;
    s->channels[2] = 20;
    s->dropout[0] = k->drop;
}

/*
 * One case at one precision: three training steps on the CPU and the GPU
 * from the same weights and inputs; compare as the file header says.
 */
static void ops_case(const net_case *k, int precision)
{
    const double tol_act = precision ? 3e-2 : 1e-4;
    const double tol_grad = precision ? 3e-2 : 1e-4;
    const double tol_loss = precision ? 1e-2 : 1e-5;
    jahs_error err = {0};
    jahs_net_spec spec;
    jahs_gpu_opts go;
    jahs_net *cpu = NULL;
    jahs_gpu_net *gpu = NULL;
    jahs_rng *r = NULL;
    const jahs_graph *g;
    float *buf = NULL, *grads = NULL, *state = NULL, *cbuf = NULL;
    uint8_t labels[16];
    double worst_act = 0, worst_grad = 0, worst_loss = 0;
    size_t big = 0, nin, i;
    int step, t, o;
    case_spec(k, &spec);
    jahs_gpu_opts_defaults(&go);
    go.precision = precision;
    cpu = jahs_net_create(&spec, k->batch, 1, &err);
    gpu = cpu ? jahs_gpu_net_create(&spec, k->batch, &go, &err) : NULL;
    r = jahs_rng_create(17, "test/gpu", (uint64_t)precision, &err);
    CHECK(cpu && gpu && r);
    if (!cpu || !gpu || !r) {
        printf("  case %s: %s\n", k->name, err.msg);
        goto out;
    }
    g = jahs_net_graph(cpu);
    CHECK_OK(jahs_net_init(cpu, 5, 1, &err), &err);
    for (t = 0; t < g->nt; t++)
        if ((size_t)k->batch * g->t[t].size > big)
            big = (size_t)k->batch * g->t[t].size;
    buf = malloc(big * sizeof *buf);
    cbuf = malloc(big * sizeof *cbuf);
    grads = malloc(g->n_params * sizeof *grads);
    state = malloc((g->n_params + g->n_buffers + 1) * sizeof *state);
    if (!buf || !cbuf || !grads || !state)
        goto out;
    CHECK_OK(jahs_gpu_net_set_state(gpu, jahs_net_params(cpu),
                                    jahs_net_momentum(cpu),
                                    jahs_net_buffers(cpu), &err),
             &err);
    nin = (size_t)k->batch * g->t[g->input].size;
    for (step = 0; step < 3; step++) {
        double lc, lg;
        int cc, cg;
        /* fresh inputs each step */
        for (i = 0; i < nin; i++)
            jahs_net_input(cpu)[i] = (float)jahs_rng_gaussian(r, 1.0);
        for (i = 0; i < (size_t)k->batch; i++)
            labels[i] = (uint8_t)jahs_rng_int(r, (unsigned long)k->classes);
        CHECK_OK(jahs_gpu_net_set_input(gpu, jahs_net_input(cpu), k->batch,
                                        &err),
                 &err);
        jahs_net_forward(cpu, k->batch, 1, 99, (uint64_t)step);
        CHECK_OK(jahs_gpu_net_forward(gpu, k->batch, 1, 99, (uint64_t)step,
                                      &err),
                 &err);
        for (t = 0; t < g->nt; t++) {
            double e;
            size_t n = (size_t)k->batch * g->t[t].size;
            if (!g->t[t].kept)
                continue;
            CHECK_OK(jahs_gpu_net_get_activation(gpu, t, k->batch, buf, &err),
                     &err);
            /* the CPU's in NCHW, as the GPU's (the CPU may hold it in
             * nChw16c: jahs_net_tensor_blocked) */
            jahs_net_activation_nchw(cpu, t, k->batch, cbuf);
            e = rel(buf, cbuf, n, 1e-6);
            if (e > worst_act)
                worst_act = e;
            if (e > tol_act)
                printf("  case %s step %d tensor '%s': relative error %.3g\n",
                       k->name, step, g->t[t].label, e);
            CHECK(e <= tol_act);
        }
        lc = jahs_net_loss(cpu, labels, &cc);
        CHECK_OK(jahs_gpu_net_loss(gpu, labels, &lg, &cg, &err), &err);
        if (fabs(lg - lc) / lc > worst_loss)
            worst_loss = fabs(lg - lc) / lc;
        CHECK(fabs(lg - lc) <= tol_loss * lc);
        if (!precision)
            CHECK_EQ_INT(cg, cc);
        jahs_net_backward(cpu);
        CHECK_OK(jahs_gpu_net_backward(gpu, &err), &err);
        CHECK_OK(jahs_gpu_net_get_grads(gpu, grads, &err), &err);
        {
            double e = rel(grads, jahs_net_grads(cpu), g->n_params, 1e-12);
            if (e > worst_grad)
                worst_grad = e;
            CHECK(e <= tol_grad);
        }
        /* every parameter block of fp32 on its own */
        for (o = 0; !precision && o < g->nop; o++) {
            const jahs_op *op = &g->op[o];
            size_t off[2] = {op->w, op->b}, cnt[2] = {op->nw, op->nb};
            int b;
            for (b = 0; b < 2; b++) {
                double e;
                if (!cnt[b])
                    continue;
                e = rel(grads + off[b], jahs_net_grads(cpu) + off[b], cnt[b],
                        1e-6);
                if (e > 1e-3)
                    printf("  case %s step %d: %s gradient of op %d (%s) "
                           "off by %.3g\n",
                           k->name, step, b ? "bias/beta" : "weight", o,
                           jahs_op_name(op->kind), e);
                CHECK(e <= 1e-3);
            }
        }
        jahs_sgd_step(jahs_net_params(cpu), jahs_net_grads(cpu),
                      jahs_net_momentum(cpu), g->n_params, 0.05f, 0.9f,
                      5e-4f, 1);
        CHECK_OK(jahs_gpu_net_sgd(gpu, 0.05f, 0.9f, 5e-4f, &err), &err);
    }
    CHECK_OK(jahs_gpu_net_get_state(gpu, state, NULL, state + g->n_params,
                                    &err),
             &err);
    CHECK(rel(state, jahs_net_params(cpu), g->n_params, 1e-12) <= tol_grad);
    if (g->n_buffers)
        CHECK(rel(state + g->n_params, jahs_net_buffers(cpu), g->n_buffers,
                  1e-12) <= tol_act);
    /* evaluation mode: running statistics, no dropout */
    jahs_net_forward(cpu, k->batch, 0, 99, 3);
    CHECK_OK(jahs_gpu_net_forward(gpu, k->batch, 0, 99, 3, &err), &err);
    CHECK_OK(jahs_gpu_net_get_activation(gpu, g->logits, k->batch, buf, &err),
             &err);
    CHECK(rel(buf, jahs_net_logits(cpu),
              (size_t)k->batch * g->t[g->logits].size, 1e-6) <= tol_act);
    printf("  case %-4s %s: activations %.2g, loss %.2g, gradients %.2g "
           "(relative errors, worst of 3 steps)\n",
           k->name, precision ? "bf16" : "fp32", worst_act, worst_loss,
           worst_grad);
out:
    free(buf);
    free(cbuf);
    free(grads);
    free(state);
    jahs_rng_free(r);
    jahs_gpu_net_free(gpu);
    jahs_net_free(cpu);
}

JAHS_TEST(gpu_ops_match_cpu_fp32)
{
    size_t i;
    if (!need_gpu())
        return;
    for (i = 0; i < sizeof CASES / sizeof CASES[0]; i++)
        ops_case(&CASES[i], JAHS_PREC_FP32);
}

JAHS_TEST(gpu_ops_match_cpu_bf16)
{
    size_t i;
    if (!need_gpu())
        return;
    for (i = 0; i < sizeof CASES / sizeof CASES[0]; i++)
        ops_case(&CASES[i], JAHS_PREC_BF16);
}

/* ---- the augmented batch ----------------------------------------------------- */

static jahs_dataset *random_images(int n, int h, int w, int c, int classes,
                                   uint64_t seed)
{
    jahs_dataset *d = calloc(1, sizeof *d);
    jahs_rng *r = jahs_rng_create(seed, "test/gpu-images", 0, NULL);
    size_t bytes = (size_t)h * w * c, i;
    int k;
    if (!d || !r) {
        free(d);
        jahs_rng_free(r);
        return NULL;
    }
    snprintf(d->name, sizeof d->name, "random");
    d->n = n;
    d->h = h;
    d->w = w;
    d->c = c;
    d->n_classes = classes;
    d->images = malloc((size_t)n * bytes);
    d->labels = malloc((size_t)n);
    for (k = 0; k < n; k++) {
        uint8_t *p = d->images + (size_t)k * bytes;
        /* image 0 constant, image 1 two values, others noise of varying
         * contrast: autocontrast's and equalize's edge cases */
        for (i = 0; i < bytes; i++)
            p[i] = k == 0   ? 77
                   : k == 1 ? (uint8_t)(i % 7 ? 40 : 200)
                            : (uint8_t)(jahs_rng_int(r, 64u * (unsigned)(k % 4 + 1)) +
                                        (unsigned)(k % 3) * 30);
        d->labels[k] = (uint8_t)(k % classes);
    }
    for (k = 0; k < c && k < 4; k++) {
        d->mean[k] = 0.4f + 0.05f * (float)k;
        d->std[k] = 0.2f + 0.03f * (float)k;
    }
    jahs_rng_free(r);
    return d;
}

/* The CPU's batch: jahs_augment_apply then trainer.c's put_image. */
static void cpu_batch(const jahs_dataset *d, const int *idx,
                      const jahs_augment_draws *dr, int n, float *out)
{
    size_t bytes = (size_t)d->h * d->w * d->c, hw = (size_t)d->h * d->w, p;
    uint8_t *img = malloc(bytes);
    int i, c;
    for (i = 0; i < n && img; i++) {
        jahs_augment_apply(&dr[i], d->images + (size_t)idx[i] * bytes, img,
                           d->h, d->w, d->c);
        for (c = 0; c < d->c; c++) {
            float m = d->mean[c], k = 1.0f / d->std[c];
            float *q = out + ((size_t)i * d->c + c) * hw;
            for (p = 0; p < hw; p++)
                q[p] = ((float)img[p * (size_t)d->c + (size_t)c] / 255.0f -
                        m) * k;
        }
    }
    free(img);
}

static void batch_case(int h, int w, int c)
{
    enum { N = 64 };
    jahs_error err = {0};
    jahs_dataset *d = random_images(N, h, w, c, 5, (uint64_t)(h * 100 + c));
    jahs_augment_draws dr[N];
    jahs_gpu_batch_opts bo;
    jahs_gpu_opts go;
    jahs_net_spec s;
    jahs_gpu_net *net = NULL;
    float *want = NULL, *got = NULL;
    int idx[N], i, k, bad = 0;
    size_t n;
    memset(&s, 0, sizeof s);
    s.macro = JAHS_MACRO_SEQ;
    s.c_in = c;
    s.h = h;
    s.w = w;
    s.n_classes = 5;
    s.n_layers = 1;
    s.channels[0] = 4;
    jahs_gpu_opts_defaults(&go);
    CHECK(d != NULL);
    if (!d || !(net = jahs_gpu_net_create(&s, N, &go, &err))) {
        CHECK_OK(err.code, &err);
        goto out;
    }
    memset(&bo, 0, sizeof bo);
    for (k = 0; k < 4; k++) {
        bo.mean[k] = d->mean[k];
        bo.std[k] = k < c ? d->std[k] : 1.0f;
    }
    /* every TA op at several bins and both signs, all crop offsets,
     * flips; some images without TA; images in a scrambled order */
    for (i = 0; i < N; i++) {
        memset(&dr[i], 0, sizeof dr[i]);
        dr[i].ta = i % 16 < 14;
        dr[i].op = (jahs_ta_op)(i % 14);
        dr[i].bin = (i * 7 + 3) % 31;
        dr[i].sign = (i / 14) % 2 ? -1 : 1;
        dr[i].dy = i % 9 - 4;
        dr[i].dx = (i * 5) % 9 - 4;
        dr[i].flip = i % 3 == 0;
        idx[i] = (i * 37) % N;
    }
    n = (size_t)N * h * w * c;
    want = malloc(n * sizeof *want);
    got = malloc(n * sizeof *got);
    if (!want || !got)
        goto out;
    cpu_batch(d, idx, dr, N, want);
    CHECK_OK(jahs_gpu_net_make_batch(net, d, idx, dr, N, &bo, &err), &err);
    CHECK_OK(jahs_gpu_net_get_activation(net, jahs_gpu_net_graph(net)->input,
                                         N, got, &err),
             &err);
    for (i = 0; i < N; i++) {
        size_t per = (size_t)h * w * c;
        if (memcmp(want + i * per, got + i * per, per * sizeof *got) != 0) {
            if (bad++ < 5)
                printf("  %dx%dx%d image %d (TA %s op %s bin %d sign %d, "
                       "crop %d %d, flip %d) differs\n",
                       h, w, c, i, dr[i].ta ? "on" : "off",
                       jahs_ta_op_name(dr[i].op), dr[i].bin, dr[i].sign,
                       dr[i].dy, dr[i].dx, dr[i].flip);
        }
    }
    CHECK_EQ_INT(bad, 0);
out:
    free(want);
    free(got);
    jahs_gpu_net_free(net);
    jahs_dataset_free(d);
}

JAHS_TEST(gpu_batch_equals_cpu_augmentation)
{
    if (!need_gpu())
        return;
    batch_case(12, 10, 3); /* colour, not square: h and w not swapped */
    batch_case(28, 28, 1); /* grayscale (Fashion-MNIST's shape) */
    batch_case(32, 32, 3); /* CIFAR's shape */
}

/* ---- the trainer --------------------------------------------------------------- */

static void trainer_opts(jahs_trainer_opts *o, const jahs_dataset *d,
                         int device, int precision)
{
    jahs_trainer_opts_defaults(o);
    small_spec(&o->spec, "333133", 4, 1, 2, d->c, d->h, d->n_classes, 0.2f);
    o->hp.lr = 0.05;
    o->hp.wd = 5e-4;
    o->hp.batch_size = 16;
    o->hp.trivial_augment = 1;
    o->horizon = 2;
    o->seed = 3;
    o->stream = 1;
    o->threads = 1;
    o->device = device;
    o->precision = precision;
    memcpy(o->mean, d->mean, sizeof o->mean);
    memcpy(o->std, d->std, sizeof o->std);
}

typedef struct {
    jahs_trainer_opts o;
    const jahs_dataset *d;
    int epochs;
    double loss[4], eval_loss, eval_acc;
    float *params; /* n_params, malloc'd */
    size_t n_params;
    int rc;
    jahs_error err;
    const char *save, *load; /* checkpoint after epoch 1 / resume from */
} run;

/* Train r->epochs (from r->load when set), evaluate, keep the params. */
static void *train_run(void *p)
{
    run *r = p;
    jahs_trainer *t = jahs_trainer_create(&r->o, &r->err);
    const jahs_graph *g;
    jahs_epoch_stats st;
    r->rc = -1;
    if (!t)
        return NULL;
    if (r->load && (r->rc = jahs_trainer_load(t, r->load, &r->err)))
        goto out;
    while (jahs_trainer_epochs(t) < r->epochs) {
        if ((r->rc = jahs_trainer_epoch(t, r->d, NULL, 0, &st, NULL, NULL,
                                        &r->err)))
            goto out;
        r->loss[st.epoch - 1] = st.loss;
        if (r->save && st.epoch == 1 &&
            (r->rc = jahs_trainer_save(t, r->save, &r->err)))
            goto out;
    }
    if ((r->rc = jahs_trainer_evaluate(t, r->d, NULL, 0, &r->eval_acc,
                                       &r->eval_loss, &r->err)) ||
        (r->rc = jahs_trainer_sync(t, &r->err)))
        goto out;
    g = jahs_net_graph(jahs_trainer_net(t));
    r->n_params = g->n_params;
    r->params = malloc(g->n_params * sizeof(float));
    if (r->params)
        memcpy(r->params, jahs_net_params(jahs_trainer_net(t)),
               g->n_params * sizeof(float));
    r->rc = r->params ? 0 : JAHS_ENOMEM;
out:
    jahs_trainer_free(t);
    return NULL;
}

static void run_init(run *r, const jahs_dataset *d, int device, int precision,
                     int epochs)
{
    memset(r, 0, sizeof *r);
    trainer_opts(&r->o, d, device, precision);
    r->d = d;
    r->epochs = epochs;
}

/* 60 images (3 full batches of 16 and one of 12), TA and dropout on. */
JAHS_TEST(gpu_training_matches_cpu)
{
    jahs_dataset *d;
    run cpu, gpu, b16;
    int e;
    if (!need_gpu())
        return;
    d = random_images(60, 16, 16, 3, 10, 9);
    CHECK(d != NULL);
    if (!d)
        return;
    run_init(&cpu, d, 0, JAHS_PREC_FP32, 2);
    run_init(&gpu, d, 1, JAHS_PREC_FP32, 2);
    run_init(&b16, d, 1, JAHS_PREC_BF16, 1);
    train_run(&cpu);
    train_run(&gpu);
    train_run(&b16);
    CHECK_OK(cpu.rc, &cpu.err);
    CHECK_OK(gpu.rc, &gpu.err);
    CHECK_OK(b16.rc, &b16.err);
    if (!cpu.rc && !gpu.rc) {
        for (e = 0; e < 2; e++) {
            printf("  epoch %d loss: cpu %.6f, gpu fp32 %.6f\n", e + 1,
                   cpu.loss[e], gpu.loss[e]);
            CHECK(fabs(gpu.loss[e] - cpu.loss[e]) <= 1e-3 * cpu.loss[e]);
        }
        CHECK(fabs(gpu.eval_loss - cpu.eval_loss) <= 1e-3 * cpu.eval_loss);
        printf("  parameters after 2 epochs: relative error %.3g\n",
               rel(gpu.params, cpu.params, cpu.n_params, 1e-12));
        CHECK(rel(gpu.params, cpu.params, cpu.n_params, 1e-12) <= 1e-3);
    }
    if (!cpu.rc && !b16.rc) {
        printf("  epoch 1 loss: bf16 %.6f\n", b16.loss[0]);
        CHECK(fabs(b16.loss[0] - cpu.loss[0]) <= 2e-2 * cpu.loss[0]);
    }
    free(cpu.params);
    free(gpu.params);
    free(b16.params);
    jahs_dataset_free(d);
}

/*
 * With cuDNN's heuristics (the same algorithms every time): graph steps
 * equal eager steps bit for bit, a run checkpointed after epoch 1 and
 * resumed equals an uninterrupted one, and two trials trained at once on
 * one GPU (two threads, two streams) equal each trained alone.
 */
JAHS_TEST(gpu_training_deterministic)
{
    jahs_dataset *d;
    run a, eager, first, resumed, p1, p2;
    pthread_t th[2];
    size_t bytes;
    if (!need_gpu())
        return;
    d = random_images(60, 16, 16, 3, 10, 21);
    CHECK(d != NULL);
    if (!d)
        return;
    setenv("JAHS_CUDNN_FIND", "0", 1);
    run_init(&a, d, 1, JAHS_PREC_BF16, 2);
    train_run(&a);
    setenv("JAHS_GPU_GRAPHS", "0", 1);
    run_init(&eager, d, 1, JAHS_PREC_BF16, 2);
    train_run(&eager);
    unsetenv("JAHS_GPU_GRAPHS");
    run_init(&first, d, 1, JAHS_PREC_BF16, 1);
    first.save = jahs_test_path("gpu.h5");
    train_run(&first);
    run_init(&resumed, d, 1, JAHS_PREC_BF16, 2);
    resumed.load = first.save;
    train_run(&resumed);
    run_init(&p1, d, 1, JAHS_PREC_BF16, 2);
    run_init(&p2, d, 1, JAHS_PREC_BF16, 2);
    p2.o.stream = 2; /* another trial */
    CHECK_EQ_INT(pthread_create(&th[0], NULL, train_run, &p1), 0);
    CHECK_EQ_INT(pthread_create(&th[1], NULL, train_run, &p2), 0);
    pthread_join(th[0], NULL);
    pthread_join(th[1], NULL);
    unsetenv("JAHS_CUDNN_FIND");
    CHECK_OK(a.rc, &a.err);
    CHECK_OK(eager.rc, &eager.err);
    CHECK_OK(first.rc, &first.err);
    CHECK_OK(resumed.rc, &resumed.err);
    CHECK_OK(p1.rc, &p1.err);
    CHECK_OK(p2.rc, &p2.err);
    bytes = a.n_params * sizeof(float);
    if (!a.rc && !eager.rc)
        CHECK(memcmp(a.params, eager.params, bytes) == 0);
    if (!a.rc && !resumed.rc)
        CHECK(memcmp(a.params, resumed.params, bytes) == 0);
    if (!a.rc && !p1.rc)
        CHECK(memcmp(a.params, p1.params, bytes) == 0);
    if (!a.rc && !p2.rc)
        CHECK(memcmp(a.params, p2.params, bytes) != 0); /* its own trial */
    free(a.params);
    free(eager.params);
    free(first.params);
    free(resumed.params);
    free(p1.params);
    free(p2.params);
    jahs_dataset_free(d);
}
