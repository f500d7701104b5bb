/*
 * cmd_data.c - `jahs data info` and `jahs data convert`: inspect a dataset
 * spec (data/dataset.h) and convert any readable dataset to the project's
 * HDF5 image format.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/util.h"
#include "data/dataset.h"

/* --image-size S: 0 when absent, else S in 1..4096. */
static int image_size(const jahs_cli_option *opts, int *size, jahs_error *err)
{
    const char *v = jahs_cli_get(opts, "image-size");
    long s;
    *size = 0;
    if (!v)
        return 0;
    if (jahs_parse_long(v, &s) || s < 1 || s > 4096)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "option '--image-size' expects an integer in 1..4096, "
                         "got '%s'",
                         v);
    *size = (int)s;
    return 0;
}

static void print_split(const char *label, const jahs_dataset *d)
{
    long counts[256] = {0};
    int i;
    for (i = 0; i < d->n; i++)
        counts[d->labels[i]]++;
    printf("%-9s %d images, %d x %d x %d (h x w x c), %d classes\n", label,
           d->n, d->h, d->w, d->c, d->n_classes);
    printf("%-9s", "by class");
    for (i = 0; i < d->n_classes; i++)
        printf(" %ld", counts[i]);
    printf("\n");
}

int jahs_cmd_data_info(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {
        {"split", 1, NULL}, {"image-size", 1, NULL}, {NULL, 0, NULL}};
    const char *pos[1], *which;
    int npos, rc, k, c, size;
    jahs_dataset *d[2] = {NULL, NULL};
    if ((rc = jahs_cli_parse(argc, argv, opts, pos, 1, &npos, err)))
        return rc;
    if (npos != 1)
        return JAHS_FAIL(err, JAHS_CLI_USAGE, "expected a dataset spec");
    if ((rc = image_size(opts, &size, err)))
        return rc;
    which = jahs_cli_get(opts, "split");
    if (which && strcmp(which, "train") != 0 && strcmp(which, "test") != 0 &&
        strcmp(which, "both") != 0)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "option '--split' expects train, test or both, got "
                         "'%s'",
                         which);
    for (k = 0; k < 2; k++) {
        if (which && strcmp(which, "both") != 0 &&
            strcmp(which, k ? "test" : "train") != 0)
            continue;
        if (!(d[k] = jahs_dataset_load_sized(pos[0], (jahs_split)k, size,
                                             err))) {
            rc = err->code;
            goto out;
        }
    }
    printf("dataset   %s (spec '%s')\n", d[0] ? d[0]->name : d[1]->name,
           pos[0]);
    if (d[0])
        print_split("train", d[0]);
    if (d[1])
        print_split("test", d[1]);
    c = d[0] ? d[0]->c : d[1]->c;
    printf("%-9s", "mean");
    for (k = 0; k < c; k++)
        printf(" %.6f", (double)(d[0] ? d[0] : d[1])->mean[k]);
    printf("   (training split, per channel, 0..1 scale)\n%-9s", "std");
    for (k = 0; k < c; k++)
        printf(" %.6f", (double)(d[0] ? d[0] : d[1])->std[k]);
    printf("\n");
out:
    jahs_dataset_free(d[0]);
    jahs_dataset_free(d[1]);
    return rc;
}

int jahs_cmd_data_convert(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {{"from", 1, NULL},
                              {"out", 1, NULL},
                              {"train-only", 0, NULL},
                              {"image-size", 1, NULL},
                              {NULL, 0, NULL}};
    const char *pos[1], *from, *out;
    int npos, rc = 0, size;
    jahs_dataset *tr = NULL, *te = NULL;
    if ((rc = jahs_cli_parse(argc, argv, opts, pos, 0, &npos, err)))
        return rc;
    if ((rc = image_size(opts, &size, err)))
        return rc;
    from = jahs_cli_get(opts, "from");
    out = jahs_cli_get(opts, "out");
    if (!from || !out)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "expected --from SPEC and --out FILE.h5");
    if (!(tr = jahs_dataset_load_sized(from, JAHS_SPLIT_TRAIN, size, err)) ||
        (!jahs_cli_get(opts, "train-only") &&
         !(te = jahs_dataset_load_sized(from, JAHS_SPLIT_TEST, size, err))) ||
        (rc = jahs_dataset_save_h5(tr, te, out, err))) {
        rc = err->code;
        goto done;
    }
    printf("wrote '%s': %s, train %d, test %d images of %d x %d x %d, %d "
           "classes\n",
           out, tr->name, tr->n, te ? te->n : 0, tr->h, tr->w, tr->c,
           tr->n_classes);
done:
    jahs_dataset_free(tr);
    jahs_dataset_free(te);
    return rc;
}
