/*
 * dataset_h5.c - the project's HDF5 image format, through core/h5.h only.
 *
 *   /train/images  uint8, N x H x W x C (deflate 4, byte shuffle, chunks of
 *                  about 64k bytes along N: core/h5.c's layout)
 *   /train/labels  uint8, N
 *   /test/images, /test/labels   the same for the test split (optional)
 *   attributes on "/": name (string), n_classes (long), mean and std
 *   (per-channel, comma-separated decimal text on the 0..1 scale, the
 *   training split's statistics), format (string "jahs-images-2").
 *
 * The reader checks the ranks, that labels and images agree in N, that
 * test and train agree in H x W x C, labels below n_classes, and that mean
 * and std have one value per channel.  A file without mean / std (written
 * by another tool) gets them computed from its training split.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/h5.h"
#include "core/util.h"
#include "data/dataset_read.h"

/* 2: fixed-length strings and the jahs checksum (core/h5.h), which
 * jahs_h5_open verifies when present: files of other programs have none */
#define H5_FORMAT "jahs-images-2"
#define H5_DEFLATE 4

static const char *split_group(jahs_split s)
{
    return s == JAHS_SPLIT_TRAIN ? "train" : "test";
}

/* "a,b,c" -> exactly c floats. */
static int parse_list(const char *text, int c, float *out, const char *key,
                      const char *path, jahs_error *err)
{
    char *copy = jahs_strdup(text), *tok, *save = NULL;
    int k = 0, rc = 0;
    if (!copy)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    for (tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        double v;
        if (k >= c || jahs_parse_double(tok, &v) != 0 || !(v >= 0 && v <= 1)) {
            rc = 1;
            break;
        }
        out[k++] = (float)v;
    }
    free(copy);
    if (rc || k != c)
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "'%s': attribute '%s' is '%s', expected %d "
                         "comma-separated values in [0, 1]",
                         path, key, text, c);
    return 0;
}

/* Shape of <group>/images and <group>/labels, checked. */
static int read_shape(jahs_h5 *h, const char *group, int dims_out[4],
                      jahs_error *err)
{
    char name[64];
    uint64_t dims[JAHS_H5_MAX_RANK], ldims[JAHS_H5_MAX_RANK];
    int rank, lrank, rc, i;
    snprintf(name, sizeof name, "%s/images", group);
    if (!jahs_h5_exists(h, name))
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "'%s' has no dataset '%s': not a jahs image file "
                         "(or no %s split)",
                         jahs_h5_path(h), name, group);
    if ((rc = jahs_h5_shape(h, name, &rank, dims, err)))
        return rc;
    if (rank != 4)
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "'%s': dataset '%s' has rank %d, expected 4 (N x H x "
                         "W x C)",
                         jahs_h5_path(h), name, rank);
    for (i = 0; i < 4; i++)
        if (dims[i] > 100000000u)
            return JAHS_FAIL(err, JAHS_EFORMAT,
                             "'%s': dataset '%s' is implausibly large",
                             jahs_h5_path(h), name);
    snprintf(name, sizeof name, "%s/labels", group);
    if ((rc = jahs_h5_shape(h, name, &lrank, ldims, err)))
        return rc;
    if (lrank != 1 || ldims[0] != dims[0])
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "'%s': '%s/images' holds %llu images but '%s' is not "
                         "a vector of as many labels",
                         jahs_h5_path(h), group, (unsigned long long)dims[0],
                         name);
    for (i = 0; i < 4; i++)
        dims_out[i] = (int)dims[i];
    return 0;
}

static jahs_dataset *read_group(jahs_h5 *h, const char *group,
                                const char *name, int n_classes,
                                jahs_error *err)
{
    char dname[64];
    int dims[4];
    jahs_dataset *d;
    if (read_shape(h, group, dims, err))
        return NULL;
    if (!(d = jahs_dataset_alloc(name, dims[0], dims[1], dims[2], dims[3],
                                 n_classes, jahs_h5_path(h), err)))
        return NULL;
    snprintf(dname, sizeof dname, "%s/images", group);
    if (jahs_h5_read(h, dname, JAHS_H5_U8, d->images,
                     (size_t)d->n * d->h * d->w * d->c, err))
        goto fail;
    snprintf(dname, sizeof dname, "%s/labels", group);
    /* labels are integers 0..n_classes-1: read as int64 so that a float or
     * a negative label is an error, never converted (issue 15, class 7) */
    {
        int isint = jahs_h5_is_integer(h, dname, err);
        int64_t *l = isint == 1 ? malloc((size_t)d->n * sizeof *l) : NULL;
        int i, rc = isint < 0 ? isint : 0;
        if (isint == 0)
            rc = JAHS_FAIL(err, JAHS_EFORMAT,
                           "'%s': dataset '%s' is not stored as integers "
                           "(class labels 0..%d expected)",
                           jahs_h5_path(h), dname, n_classes - 1);
        else if (isint == 1 && !l)
            rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        else if (isint == 1 &&
                 !(rc = jahs_h5_read(h, dname, JAHS_H5_I64, l, (size_t)d->n,
                                     err))) {
            for (i = 0; i < d->n && !rc; i++) {
                if (l[i] < 0 || l[i] > 255)
                    rc = JAHS_FAIL(err, JAHS_EFORMAT,
                                   "'%s': label %lld of image %d in '%s' is "
                                   "not a class 0..%d",
                                   jahs_h5_path(h), (long long)l[i], i, dname,
                                   n_classes - 1);
                else
                    d->labels[i] = (uint8_t)l[i];
            }
        }
        free(l);
        if (rc || jahs_dataset_check_labels(d, jahs_h5_path(h), err))
            goto fail;
    }
    return d;
fail:
    jahs_dataset_free(d);
    return NULL;
}

jahs_dataset *jahs_dataset_load_h5(const char *path, jahs_split split,
                                   jahs_error *err)
{
    jahs_h5 *h = jahs_h5_open(path, err);
    jahs_dataset *d = NULL;
    char *name = NULL, *mean = NULL, *stdv = NULL;
    long n_classes = 0;
    int tdims[4];
    if (!h)
        return NULL;
    if (jahs_h5_attr_get_str(h, "/", "name", &name, err) ||
        jahs_h5_attr_get_long(h, "/", "n_classes", &n_classes, err))
        goto fail;
    if (n_classes < 1 || n_classes > 256) {
        JAHS_FAIL(err, JAHS_EFORMAT,
                  "'%s': attribute 'n_classes' is %ld, expected 1..256", path,
                  n_classes);
        goto fail;
    }
    if (!(d = read_group(h, split_group(split), name, (int)n_classes, err)))
        goto fail;
    if (split == JAHS_SPLIT_TEST) {
        if (read_shape(h, "train", tdims, err))
            goto fail;
        if (tdims[1] != d->h || tdims[2] != d->w || tdims[3] != d->c) {
            JAHS_FAIL(err, JAHS_EFORMAT,
                      "'%s': train images are %d x %d x %d but test images "
                      "are %d x %d x %d",
                      path, tdims[1], tdims[2], tdims[3], d->h, d->w, d->c);
            goto fail;
        }
    }
    if (jahs_h5_attr_exists(h, "/", "mean") &&
        jahs_h5_attr_exists(h, "/", "std")) {
        if (jahs_h5_attr_get_str(h, "/", "mean", &mean, err) ||
            jahs_h5_attr_get_str(h, "/", "std", &stdv, err) ||
            parse_list(mean, d->c, d->mean, "mean", path, err) ||
            parse_list(stdv, d->c, d->std, "std", path, err))
            goto fail;
    } else if (split == JAHS_SPLIT_TRAIN) {
        jahs_pixstats s;
        jahs_pixstats_init(&s, d->c);
        jahs_pixstats_add_hwc(&s, d->images, (size_t)d->n * d->h * d->w);
        jahs_pixstats_finish(&s, d->mean, d->std);
    } else {
        jahs_dataset *t = read_group(h, "train", name, (int)n_classes, err);
        jahs_pixstats s;
        if (!t)
            goto fail;
        jahs_pixstats_init(&s, t->c);
        jahs_pixstats_add_hwc(&s, t->images, (size_t)t->n * t->h * t->w);
        jahs_pixstats_finish(&s, d->mean, d->std);
        jahs_dataset_free(t);
    }
    free(name);
    free(mean);
    free(stdv);
    jahs_h5_close(h);
    return d;
fail:
    free(name);
    free(mean);
    free(stdv);
    jahs_dataset_free(d);
    jahs_h5_close(h);
    return NULL;
}

static int write_split(jahs_h5 *h, const char *group, const jahs_dataset *d,
                       jahs_error *err)
{
    char name[64];
    uint64_t dims[4], n;
    int rc;
    dims[0] = (uint64_t)d->n;
    dims[1] = (uint64_t)d->h;
    dims[2] = (uint64_t)d->w;
    dims[3] = (uint64_t)d->c;
    n = (uint64_t)d->n;
    snprintf(name, sizeof name, "%s/images", group);
    if ((rc = jahs_h5_write(h, name, JAHS_H5_U8, 4, dims, d->images,
                            H5_DEFLATE, err)))
        return rc;
    snprintf(name, sizeof name, "%s/labels", group);
    return jahs_h5_write(h, name, JAHS_H5_U8, 1, &n, d->labels, H5_DEFLATE,
                         err);
}

static void format_list(char *buf, size_t size, const float *v, int c)
{
    size_t at = 0;
    int k;
    buf[0] = '\0';
    for (k = 0; k < c && at < size; k++)
        at += (size_t)snprintf(buf + at, size - at, "%s%.9g", k ? "," : "",
                               (double)v[k]);
}

int jahs_dataset_save_h5(const jahs_dataset *train, const jahs_dataset *test,
                         const char *path, jahs_error *err)
{
    jahs_h5 *h;
    char mean[128], stdv[128];
    int rc, i;
    const jahs_dataset *sp[2] = {train, test};
    if (!train || !path)
        return JAHS_FAIL(err, JAHS_EINVAL, "no training split to write");
    for (i = 0; i < 2; i++) {
        const jahs_dataset *d = sp[i];
        if (!d)
            continue;
        if (d->n < 1 || d->h < 1 || d->w < 1 || d->c < 1 ||
            d->c > JAHS_DATASET_MAX_C || d->n_classes < 1 ||
            d->n_classes > 256)
            return JAHS_FAIL(err, JAHS_EINVAL,
                             "cannot write '%s': %s split of shape %d x %d x "
                             "%d x %d with %d classes",
                             path, i ? "test" : "train", d->n, d->h, d->w, d->c,
                             d->n_classes);
        if (jahs_dataset_check_labels(d, path, err))
            return err ? err->code : JAHS_ERANGE;
    }
    if (test && (test->h != train->h || test->w != train->w ||
                 test->c != train->c || test->n_classes != train->n_classes))
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "cannot write '%s': train is %d x %d x %d with %d "
                         "classes, test is %d x %d x %d with %d",
                         path, train->h, train->w, train->c, train->n_classes,
                         test->h, test->w, test->c, test->n_classes);
    if (!(h = jahs_h5_create(path, err)))
        return err ? err->code : JAHS_EHDF5;
    format_list(mean, sizeof mean, train->mean, train->c);
    format_list(stdv, sizeof stdv, train->std, train->c);
    if ((rc = write_split(h, "train", train, err)) ||
        (test && (rc = write_split(h, "test", test, err))) ||
        (rc = jahs_h5_attr_set_str(h, "/", "format", H5_FORMAT, err)) ||
        (rc = jahs_h5_attr_set_str(h, "/", "name", train->name, err)) ||
        (rc = jahs_h5_attr_set_long(h, "/", "n_classes", train->n_classes,
                                    err)) ||
        (rc = jahs_h5_attr_set_str(h, "/", "mean", mean, err)) ||
        (rc = jahs_h5_attr_set_str(h, "/", "std", stdv, err))) {
        jahs_h5_close(h);
        return rc;
    }
    return jahs_h5_commit(h, err);
}
