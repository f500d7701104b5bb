/*
 * checkpoint.c - trainer checkpoints in HDF5 (core/h5.h, created under a
 * temporary name and renamed on commit): what a promoted trial needs to
 * continue exactly where it stopped.
 *
 *   /            attributes: format "jahs-checkpoint 2", identity (text,
 *                see jahs_trainer_identity), epochs, steps
 *   /params      float32, the learnable parameters (graph order)
 *   /momentum    float32, SGD momentum buffers (Adam: first moments)
 *   /adam_v      float32, Adam's second moments (Adam runs only)
 *   /buffers (absent for a network without BN)     float32, BN running means and variances
 *   /rng/shuffle, /rng/augment   uint8, the generators' states
 *
 * Gradients and activations are not saved: each step recomputes them.
 * A GPU trainer's state is copied from the device before saving and to it
 * after loading: the file is the same whichever device trained.
 */
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/h5.h"
#include "train/trainer_state.h"

/* 2: fixed-length strings and the jahs checksum (h5.h); a checkpoint of
 * format 1 carries no checksum and is refused when opened */
#define FORMAT "jahs-checkpoint 2"

int jahs_trainer_identity(const jahs_trainer *t, jahs_buf *out)
{
    const jahs_graph *g = jahs_net_graph(t->net);
    char lr[32], wd[32];
    int rc;
    jahs_net_spec_describe(&t->o.spec, out);
    rc = jahs_buf_printf(
        out,
        "; lr %s, wd %s, batch %d, trivial_augment %d, augment %d; horizon "
        "%d; seed %llu, stream %llu; %zu parameters, %zu buffers",
        jahs_format_double(lr, sizeof lr, t->o.hp.lr),
        jahs_format_double(wd, sizeof wd, t->o.hp.wd), t->o.hp.batch_size,
        t->o.hp.trivial_augment, t->o.augment, t->o.horizon,
        (unsigned long long)t->o.seed, (unsigned long long)t->o.stream,
        g->n_params, g->n_buffers) ||
         (t->o.data_id[0] &&
          jahs_buf_printf(out, "; data %s", t->o.data_id));
    /* SGD runs keep the identity they always had (old checkpoints load) */
    if (!rc && t->o.hp.optimizer == JAHS_OPTIM_ADAM)
        rc = jahs_buf_printf(out, "; optimizer adam (constant lr)");
    return rc;
}

int jahs_trainer_save(const jahs_trainer *t, const char *path,
                      jahs_error *err)
{
    const jahs_graph *g = jahs_net_graph(t->net);
    jahs_trainer *mt = (jahs_trainer *)t; /* pools are read, not changed */
    jahs_buf id = {0};
    jahs_h5 *h;
    uint64_t dp = g->n_params, db = g->n_buffers;
    uint64_t ds = jahs_rng_state_size(t->shuffle);
    uint64_t da = jahs_rng_state_size(t->augment);
    unsigned char *ss = malloc(ds), *sa = malloc(da);
    int rc;
    if (!ss || !sa) {
        free(ss);
        free(sa);
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for a checkpoint");
    }
    /* a GPU trainer's state is on the device */
    if ((rc = jahs_trainer_sync(mt, err))) {
        free(ss);
        free(sa);
        return rc;
    }
    jahs_rng_state_get(t->shuffle, ss);
    jahs_rng_state_get(t->augment, sa);
    jahs_trainer_identity(t, &id);
    if (!(h = jahs_h5_create(path, err))) {
        rc = err ? err->code : JAHS_EIO;
        goto out;
    }
    if ((rc = jahs_h5_attr_set_str(h, "/", "format", FORMAT, err)) ||
        (rc = jahs_h5_attr_set_str(h, "/", "identity", id.data, err)) ||
        (rc = jahs_h5_attr_set_long(h, "/", "epochs", t->epochs, err)) ||
        (rc = jahs_h5_attr_set_long(h, "/", "steps", (long)t->steps, err)) ||
        (rc = jahs_h5_write(h, "params", JAHS_H5_F32, 1, &dp,
                            jahs_net_params(mt->net), 0, err)) ||
        (rc = jahs_h5_write(h, "momentum", JAHS_H5_F32, 1, &dp,
                            jahs_net_momentum(mt->net), 0, err)) ||
        (db && (rc = jahs_h5_write(h, "buffers", JAHS_H5_F32, 1, &db,
                                   jahs_net_buffers(mt->net), 0, err))) ||
        (rc = jahs_h5_write(h, "rng/shuffle", JAHS_H5_U8, 1, &ds, ss, 0,
                            err)) ||
        (rc = jahs_h5_write(h, "rng/augment", JAHS_H5_U8, 1, &da, sa, 0,
                            err)) ||
        (t->adam_v && (rc = jahs_h5_write(h, "adam_v", JAHS_H5_F32, 1, &dp,
                                          t->adam_v, 0, err)))) {
        jahs_h5_close(h);
        goto out;
    }
    rc = jahs_h5_commit(h, err);
out:
    jahs_buf_free(&id);
    free(ss);
    free(sa);
    return rc;
}

static int all_finite(const float *x, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return 0;
    return 1;
}

int jahs_trainer_load(jahs_trainer *t, const char *path, jahs_error *err)
{
    const jahs_graph *g = jahs_net_graph(t->net);
    jahs_buf id = {0};
    jahs_h5 *h;
    char *fmt = NULL, *fid = NULL;
    long epochs = 0, steps = 0;
    size_t ds = jahs_rng_state_size(t->shuffle);
    size_t da = jahs_rng_state_size(t->augment);
    unsigned char *ss = malloc(ds), *sa = malloc(da);
    float *params = malloc(g->n_params * sizeof(float));
    float *mom = malloc(g->n_params * sizeof(float));
    float *buf = malloc((g->n_buffers ? g->n_buffers : 1) * sizeof(float));
    float *av = t->adam_v ? malloc(g->n_params * sizeof(float) + 1) : NULL;
    int rc = 0;
    if (!ss || !sa || !params || !mom || !buf || (t->adam_v && !av)) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for a checkpoint");
        goto out;
    }
    /* a checkpoint must carry the jahs checksum: a flipped byte is an error
     * (as every unreadable checkpoint is: the run stops, it never trains on
     * from a damaged state), not a silently different training */
    if (!(h = jahs_h5_open_verified(
              path, JAHS_H5_REQUIRE_SUM,
              "remove the checkpoint to train afresh ('jahs run --fresh' "
              "does for a results directory)",
              err))) {
        rc = err ? err->code : JAHS_EIO;
        goto out;
    }
    jahs_trainer_identity(t, &id);
    /* (an attribute that cannot be read, e.g. a variable-length string, is
     * its own error, naming it) */
    if (jahs_h5_attr_exists(h, "/", "format") &&
        (rc = jahs_h5_attr_get_str(h, "/", "format", &fmt, err)))
        goto close;
    if (!fmt || strcmp(fmt, FORMAT) != 0) {
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "'%s' is not a jahs checkpoint (format '%s', expected "
                       "'%s')",
                       path, fmt ? fmt : "", FORMAT);
        goto close;
    }
    if ((rc = jahs_h5_attr_get_str(h, "/", "identity", &fid, err)))
        goto close;
    if (strcmp(fid, id.data) != 0) {
        rc = JAHS_FAIL(err, JAHS_ESTATE,
                       "checkpoint '%s' belongs to another run: it has '%s', "
                       "this run is '%s'",
                       path, fid, id.data);
        goto close;
    }
    if ((rc = jahs_h5_attr_get_long(h, "/", "epochs", &epochs, err)) ||
        (rc = jahs_h5_attr_get_long(h, "/", "steps", &steps, err)) ||
        (rc = jahs_h5_read(h, "params", JAHS_H5_F32, params, g->n_params,
                           err)) ||
        (rc = jahs_h5_read(h, "momentum", JAHS_H5_F32, mom, g->n_params,
                           err)) ||
        (g->n_buffers && (rc = jahs_h5_read(h, "buffers", JAHS_H5_F32, buf,
                                            g->n_buffers, err))) ||
        (rc = jahs_h5_read(h, "rng/shuffle", JAHS_H5_U8, ss, ds, err)) ||
        (rc = jahs_h5_read(h, "rng/augment", JAHS_H5_U8, sa, da, err)) ||
        (av && (rc = jahs_h5_read(h, "adam_v", JAHS_H5_F32, av, g->n_params,
                                  err))))
        goto close;
    if (epochs < 0 || steps < 0 || epochs > t->o.horizon) {
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "checkpoint '%s': %ld epochs and %ld steps (expected "
                       "0..%d epochs, the schedule's horizon, and steps >= 0)",
                       path, epochs, steps, t->o.horizon);
        goto close;
    }
    /* every value (issue 15, class 7): a NaN weight or a corrupt generator
     * state would train on silently or crash */
    if (!all_finite(params, g->n_params) || !all_finite(mom, g->n_params) ||
        !all_finite(buf, g->n_buffers)) {
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "checkpoint '%s' holds non-finite weights, momentum or "
                       "statistics",
                       path);
        goto close;
    }
    if (!jahs_rng_state_valid(t->shuffle, ss) ||
        !jahs_rng_state_valid(t->augment, sa)) {
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "checkpoint '%s' holds a corrupt random generator state",
                       path);
        goto close;
    }
    /* all read: install */
    memcpy(jahs_net_params(t->net), params, g->n_params * sizeof(float));
    memcpy(jahs_net_momentum(t->net), mom, g->n_params * sizeof(float));
    memcpy(jahs_net_buffers(t->net), buf, g->n_buffers * sizeof(float));
    if (av)
        memcpy(t->adam_v, av, g->n_params * sizeof(float));
    jahs_rng_state_set(t->shuffle, ss);
    jahs_rng_state_set(t->augment, sa);
    t->epochs = (int)epochs;
    t->steps = (uint64_t)steps;
    if (t->gpu)
        rc = jahs_gpu_net_set_state(t->gpu, params, mom, buf, err);
close:
    jahs_h5_close(h);
out:
    jahs_buf_free(&id);
    free(fmt);
    free(fid);
    free(ss);
    free(sa);
    free(params);
    free(mom);
    free(buf);
    free(av);
    return rc;
}
