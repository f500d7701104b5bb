/*
 * cmd_train.c - `jahs train`: train one config of a space on a dataset on
 * the CPU or the GPU, printing per-epoch loss, accuracies and speed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/progress.h"
#include "core/util.h"
#include "data/dataset.h"
#include "eval/live.h"
#include "eval/nb201_table.h"
#include "gpu/gpu.h"
#include "nn/gemm.h"
#include "nn/workers.h"
#include "space/space.h"
#include "space/space_file.h"
#include "train/trainer.h"

static void on_batch(void *ctx, long done, long total)
{
    (void)total;
    jahs_progress_update(ctx, (double)done);
}

int jahs_cmd_train(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {
        {"space", 1, NULL},   {"config", 1, NULL},  {"epochs", 1, NULL},
        {"data", 1, NULL},    {"subset", 1, NULL},  {"fold", 1, NULL},
        {"no-cv", 0, NULL},   {"seed", 1, NULL},    {"threads", 1, NULL},
        {"device", 1, NULL},  {"horizon", 1, NULL}, {"cell", 1, NULL},
        {"table", 1, NULL},   {"checkpoint", 1, NULL},
        {"precision", 1, NULL}, {"subset-order", 1, NULL}, {NULL, 0, NULL}};
    const char *pos[1], *device, *ckpt, *cell, *prec;
    int gpu = 0, gpu_index = 0, precision = JAHS_PREC_FP32;
    int order = JAHS_SUBSET_FIRST;
    char gpu_desc[256] = "";
    long epochs = 1, subset = 0, fold = 0, threads = 0, horizon = 0;
    uint64_t seed = 0;
    int npos, rc, cell_ops[6], no_cv, *tr = NULL, *va = NULL, ntr = 0, nva = 0;
    double x[JAHS_MAX_PARAMS], params, macs, acc;
    jahs_space *sp = NULL;
    jahs_dataset *train = NULL, *test = NULL;
    jahs_trainer *t = NULL;
    jahs_trainer_opts o;
    jahs_top10_cells tc = {.hint = " (jahs table build) or --cell"};
    jahs_buf desc = {0}, text = {0};
    if ((rc = jahs_cli_parse(argc, argv, opts, pos, 0, &npos, err)) ||
        (rc = jahs_cli_long(opts, "epochs", 1, 1000, &epochs, err)) ||
        (rc = jahs_cli_long(opts, "subset", 0, 100000000L, &subset, err)) ||
        (rc = jahs_cli_long(opts, "fold", 0, 1, &fold, err)) ||
        (rc = jahs_cli_long(opts, "threads", 0, 1024, &threads, err)) ||
        (rc = jahs_cli_long(opts, "horizon", 1, 1000, &horizon, err)) ||
        (rc = jahs_cli_u64(opts, "seed", &seed, err)))
        return rc;
    if (!jahs_cli_get(opts, "space"))
        return JAHS_FAIL(err, JAHS_CLI_USAGE, "option '--space' is required");
    if (jahs_cli_get(opts, "subset-order") &&
        (order = jahs_subset_order_parse(jahs_cli_get(opts, "subset-order"))) <
            0)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "option '--subset-order' expects first or "
                         "stratified, got '%s'",
                         jahs_cli_get(opts, "subset-order"));
    no_cv = jahs_cli_get(opts, "no-cv") != NULL;
    if (no_cv && jahs_cli_get(opts, "fold"))
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "options '--fold' and '--no-cv' exclude each other");
    if (horizon && horizon < epochs)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "--horizon (%ld) must be at least --epochs (%ld)",
                         horizon, epochs);
    device = jahs_cli_get(opts, "device");
    if (jahs_device_parse(device, &gpu, &gpu_index, &precision, NULL))
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "option '--device' expects cpu, gpu or gpu:N, got "
                         "'%s'",
                         device);
    prec = jahs_cli_get(opts, "precision");
    if (prec && strcmp(prec, "fp32") != 0 && strcmp(prec, "bf16") != 0)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "option '--precision' expects fp32 or bf16, got '%s'",
                         prec);
    if (prec && !gpu)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "option '--precision' applies to --device gpu");
    if (gpu && (rc = jahs_gpu_probe(gpu_index, gpu_desc, sizeof gpu_desc,
                                    err))) {
        jahs_error_prefix(err, "device '%s'", device);
        return rc;
    }
    ckpt = jahs_cli_get(opts, "checkpoint");
    cell = jahs_cli_get(opts, "cell");
    tc.path = jahs_cli_get(opts, "table");
    if (cell && (rc = jahs_nb201_cell_parse(cell, cell_ops, err))) {
        jahs_error_prefix(err, "option '--cell'");
        err->code = JAHS_CLI_USAGE;
        return JAHS_CLI_USAGE;
    }
    if (!(sp = jahs_space_open(jahs_cli_get(opts, "space"), err))) {
        if (err->code == JAHS_ENOTFOUND)
            err->code = JAHS_CLI_USAGE;
        return err->code;
    }
    if (cell && sp->macro == JAHS_MACRO_SEQ) {
        rc = JAHS_FAIL(err, JAHS_CLI_USAGE,
                       "option '--cell' applies to the cell spaces, not '%s'",
                       sp->name);
        goto out;
    }
    /* --cell stands for the config's architecture keys */
    if (cell && sp->macro == JAHS_MACRO_CELL) {
        static const char *const edges[6] = {"edge_1_0", "edge_2_0",
                                              "edge_2_1", "edge_3_0",
                                              "edge_3_1", "edge_3_2"};
        int k;
        for (k = 0; k < 6; k++)
            jahs_buf_printf(&text, "%s=%d,", edges[k], cell_ops[k]);
    } else if (cell && sp->macro == JAHS_MACRO_TOP10) {
        jahs_buf_puts(&text, "arch=rank01,"); /* replaced by the cell */
    }
    jahs_buf_puts(&text, jahs_cli_get(opts, "config")
                             ? jahs_cli_get(opts, "config")
                             : "");
    if (text.len && text.data[text.len - 1] == ',')
        text.data[--text.len] = '\0';
    if ((rc = jahs_config_parse(sp, text.data, x, err)) ||
        (rc = jahs_config_check(sp, x, err)))
        goto out;
    if ((rc = jahs_live_datasets(jahs_cli_get(opts, "data"), subset, order,
                                 &train, &test, err)))
        goto out;
    if ((rc = jahs_trainer_opts_from_config(&o, sp, x, train,
                                            cell ? cell_ops : NULL,
                                            jahs_top10_cell, &tc, err)))
        goto out;
    o.seed = seed;
    /* the stream of config id 0, this fold, in the live evaluator */
    o.stream = no_cv ? 0 : (uint64_t)fold;
    o.threads = (int)threads;
    o.horizon = horizon ? (int)horizon : (int)epochs;
    o.device = gpu;
    o.gpu_index = gpu_index;
    if (prec)
        precision = strcmp(prec, "bf16") == 0 ? JAHS_PREC_BF16
                                              : JAHS_PREC_FP32;
    o.precision = precision;
    if (!no_cv &&
        (rc = jahs_dataset_folds(train, (int)fold, 2, seed, &tr, &ntr, &va,
                                 &nva, err)))
        goto out;
    if ((rc = jahs_net_cost(&o.spec, &params, &macs, err)) ||
        !(t = jahs_trainer_create(&o, err))) {
        rc = rc ? rc : err->code;
        goto out;
    }
    if (ckpt && jahs_path_exists(ckpt) &&
        (rc = jahs_trainer_load(t, ckpt, err)))
        goto out;
    jahs_net_spec_describe(&o.spec, &desc);
    printf("network: %s\n", desc.data);
    printf("size: %.6f M parameters, %.2f M multiply-accumulates per image "
           "(forward)\n",
           params / 1e6, macs / 1e6);
    printf("data: %s, %d training images%s, %d test images; ", train->name,
           train->n, no_cv ? "" : " (two-fold CV)", test->n);
    if (no_cv)
        printf("no validation split\n");
    else
        printf("fold %ld trains on %d, validates on %d\n", fold, ntr, nva);
    if (o.hp.optimizer == JAHS_OPTIM_ADAM)
        printf("recipe: Adam, lr %g constant, wd %g, batch %d, no "
               "augmentation, ",
               o.hp.lr, o.hp.wd, o.hp.batch_size);
    else
        printf("recipe: lr %g, wd %g, batch %d, trivial_augment %s, cosine "
               "over %d epochs, ",
               o.hp.lr, o.hp.wd, o.hp.batch_size,
               o.hp.trivial_augment ? "on" : "off", o.horizon);
    printf("seed %" PRIu64 ", %d threads, BLAS %s (%s)\n", seed,
           threads ? (int)threads : jahs_cpu_count(), jahs_blas_name(),
           jahs_blas_kernel());
    if (gpu)
        printf("device: GPU %d (%s), %s, %.0f MB of device pools\n",
               gpu_index, gpu_desc,
               o.precision == JAHS_PREC_BF16 ? "bf16 NHWC" : "fp32 NCHW",
               (double)jahs_gpu_net_memory(jahs_trainer_gpu(t)) / 1e6);
    if (jahs_trainer_epochs(t) > 0)
        printf("resumed from '%s' after epoch %d\n", ckpt,
               jahs_trainer_epochs(t));
    printf("%5s %9s %9s %8s %8s %9s %8s\n", "epoch", "lr", "loss", "train%",
           no_cv ? "" : "val%", "img/s", "seconds");
    fflush(stdout);
    while (jahs_trainer_epochs(t) < epochs) {
        jahs_epoch_stats st;
        jahs_progress pb;
        char label[32];
        int n = no_cv ? train->n : ntr;
        snprintf(label, sizeof label, "epoch %d", jahs_trainer_epochs(t) + 1);
        jahs_progress_start(&pb, label, n);
        rc = jahs_trainer_epoch(t, train, no_cv ? NULL : tr, n, &st, on_batch,
                                &pb, err);
        jahs_progress_finish(&pb);
        if (rc)
            goto out;
        printf("%5d %9.5f %9.4f %8.2f ", st.epoch, st.lr, st.loss, st.acc);
        if (!no_cv) {
            if ((rc = jahs_trainer_evaluate(t, train, va, nva, &acc, NULL,
                                            err)))
                goto out;
            printf("%8.2f", acc);
        } else {
            printf("%8s", "");
        }
        printf(" %9.1f %8.1f\n", st.images_per_s, st.seconds);
        fflush(stdout);
        if (ckpt && (rc = jahs_trainer_save(t, ckpt, err)))
            goto out;
    }
    if ((rc = jahs_trainer_evaluate(t, test, NULL, 0, &acc, NULL, err)))
        goto out;
    printf("test accuracy %.2f %% (%d images)\n", acc, test->n);
out:
    jahs_buf_free(&desc);
    jahs_buf_free(&text);
    jahs_trainer_free(t);
    jahs_top10_cells_close(&tc);
    jahs_dataset_free(train);
    jahs_dataset_free(test);
    jahs_space_free(sp);
    free(tr);
    free(va);
    return rc;
}
