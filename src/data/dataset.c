/*
 * dataset.c - dataset specs, the in-memory dataset object, per-channel
 * statistics, subsets and the stratified k-fold split.
 *
 * The readers for each file format live in dataset_idx.c, dataset_cifar.c,
 * dataset_h5.c and dataset_folder.c; this file turns a spec ("fashion-mnist",
 * "cifar10:PATH", "h5:PATH", ...) into a call to one of them.
 *
 * Normalisation statistics.  mean and std are always those of the training
 * split, whichever split is loaded: the test split is normalised with the
 * training statistics, as torchvision recipes do (NB201 and JAHS-Bench-201
 * use the CIFAR training-set mean and std for both splits).  For the IDX and
 * CIFAR readers that means loading the test split also streams the training
 * images once to compute them; the HDF5 format stores them as attributes.
 * The standard deviation is the population one (divide by the number of
 * pixels), over every pixel of every training image, per channel.
 *
 * Folds (DESIGN.md: "an evaluation trains on each fold and reports the mean
 * validation accuracy of the two").  The indices are grouped by class
 * (ascending index within a class), each class is shuffled with
 * Fisher-Yates from the stream (seed, "data/folds", 0), and the class blocks
 * are concatenated in label order and dealt round robin: position p goes to
 * part p mod n_folds.  So every part holds each class's images to within
 * one, part sizes differ by at most one, and the split depends only on the
 * labels and the seed.  With n_folds = 2, fold k validates on half k and
 * trains on the other half.  Index arrays are returned in ascending order.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "core/util.h"
#include "data/dataset.h"
#include "data/dataset_read.h"

void jahs_pixstats_init(jahs_pixstats *s, int c)
{
    memset(s, 0, sizeof *s);
    s->c = c;
}

void jahs_pixstats_add_hwc(jahs_pixstats *s, const uint8_t *px, size_t npix)
{
    int c = s->c, k;
    size_t i;
    for (k = 0; k < c; k++) {
        uint64_t sum = 0, sq = 0;
        for (i = 0; i < npix; i++) {
            uint64_t v = px[i * (size_t)c + (size_t)k];
            sum += v;
            sq += v * v;
        }
        s->sum[k] += sum;
        s->sumsq[k] += sq;
    }
    s->count += npix;
}

void jahs_pixstats_add_plane(jahs_pixstats *s, int ch, const uint8_t *px,
                             size_t npix)
{
    uint64_t sum = 0, sq = 0;
    size_t i;
    for (i = 0; i < npix; i++) {
        uint64_t v = px[i];
        sum += v;
        sq += v * v;
    }
    s->sum[ch] += sum;
    s->sumsq[ch] += sq;
    /* a pixel is counted once, with its first channel */
    if (ch == 0)
        s->count += npix;
}

void jahs_pixstats_finish(const jahs_pixstats *s, float mean[4], float std[4])
{
    int k;
    for (k = 0; k < 4; k++) {
        mean[k] = 0.0f;
        std[k] = 0.0f;
    }
    for (k = 0; k < s->c && s->count > 0; k++) {
        double n = (double)s->count;
        double m = (double)s->sum[k] / n;           /* pixel units */
        double var = (double)s->sumsq[k] / n - m * m;
        double sd = var > 0 ? sqrt(var) / 255.0 : 0.0;
        mean[k] = (float)(m / 255.0);
        std[k] = sd > 0 ? (float)sd : 1.0f;
    }
}

jahs_dataset *jahs_dataset_alloc(const char *name, int n, int h, int w, int c,
                                 int n_classes, const char *src,
                                 jahs_error *err)
{
    jahs_dataset *d;
    size_t per, bytes;
    if (n < 0 || h < 1 || w < 1 || c < 1 || h > JAHS_DATASET_MAX_SIDE ||
        w > JAHS_DATASET_MAX_SIDE || c > JAHS_DATASET_MAX_C ||
        n_classes < 1 || n_classes > 256) {
        JAHS_FAIL(err, JAHS_EFORMAT,
                  "'%s': unsupported shape %d x %d x %d x %d with %d classes "
                  "(expected sides 1..%d, 1..%d channels, 1..256 classes)",
                  src, n, h, w, c, n_classes, JAHS_DATASET_MAX_SIDE,
                  JAHS_DATASET_MAX_C);
        return NULL;
    }
    per = (size_t)h * (size_t)w * (size_t)c;
    if ((size_t)n > SIZE_MAX / per) {
        JAHS_FAIL(err, JAHS_EFORMAT, "'%s': %d images of %zu bytes is too large",
                  src, n, per);
        return NULL;
    }
    bytes = per * (size_t)n;
    d = calloc(1, sizeof *d);
    if (!d) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    snprintf(d->name, sizeof d->name, "%s", name);
    d->n = n;
    d->h = h;
    d->w = w;
    d->c = c;
    d->n_classes = n_classes;
    d->images = malloc(bytes ? bytes : 1);
    d->labels = malloc(n ? (size_t)n : 1);
    if (!d->images || !d->labels) {
        jahs_dataset_free(d);
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for %d images of '%s'", n,
                  src);
        return NULL;
    }
    return d;
}

int jahs_dataset_check_labels(const jahs_dataset *d, const char *src,
                              jahs_error *err)
{
    int i;
    for (i = 0; i < d->n; i++)
        if (d->labels[i] >= d->n_classes)
            return JAHS_FAIL(err, JAHS_ERANGE,
                             "'%s': label %d of image %d is out of range "
                             "(expected 0..%d)",
                             src, d->labels[i], i, d->n_classes - 1);
    return 0;
}

/* "prefix:rest" -> rest when spec starts with prefix and a colon. */
static const char *after(const char *spec, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(spec, prefix, n) == 0 && spec[n] == ':')
        return spec + n + 1;
    return NULL;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/*
 * "imagefolder[@S]:DIR" / "deepweeds[@S]:DIR[:balanced|:unbalanced]": the
 * folder reader, or NULL with *matched = 0 when spec is neither.
 */
static jahs_dataset *load_folder_spec(const char *spec, jahs_split split,
                                      int image_size, int *matched,
                                      jahs_error *err)
{
    static const char *const kinds[] = {"imagefolder", "deepweeds"};
    const char *kind = NULL, *p;
    char *root;
    long size = 0;
    int balanced = 1, k;
    size_t n = 0, len;
    jahs_dataset *d;
    *matched = 0;
    for (k = 0; k < 2 && !kind; k++) {
        n = strlen(kinds[k]);
        if (strncmp(spec, kinds[k], n) == 0 &&
            (spec[n] == ':' || spec[n] == '@'))
            kind = kinds[k];
    }
    if (!kind)
        return NULL;
    *matched = 1;
    p = spec + n;
    if (*p == '@') {
        char digits[16];
        const char *colon = strchr(p, ':');
        size_t nd = colon ? (size_t)(colon - p - 1) : strlen(p + 1);
        if (nd == 0 || nd >= sizeof digits) {
            JAHS_FAIL(err, JAHS_EINVAL,
                      "dataset spec '%s': expected %s@SIZE:DIR with SIZE an "
                      "image side in pixels",
                      spec, kind);
            return NULL;
        }
        memcpy(digits, p + 1, nd);
        digits[nd] = 0;
        if (jahs_parse_long(digits, &size) || size < 1 ||
            size > JAHS_DATASET_MAX_SIDE) {
            JAHS_FAIL(err, JAHS_EINVAL,
                      "dataset spec '%s': image size '%s' is not an integer "
                      "in 1..%d",
                      spec, digits, JAHS_DATASET_MAX_SIDE);
            return NULL;
        }
        p = colon ? colon : p + strlen(p);
    }
    if (image_size > 0 && size > 0 && image_size != size) {
        JAHS_FAIL(err, JAHS_EINVAL,
                  "dataset spec '%s' says images of %ld pixels and the image "
                  "size asked for is %d",
                  spec, size, image_size);
        return NULL;
    }
    if (image_size > 0)
        size = image_size;
    if (size == 0)
        size = JAHS_DATASET_IMAGE_SIZE;
    if (*p != ':' || !p[1]) {
        JAHS_FAIL(err, JAHS_EINVAL,
                  "dataset spec '%s' lacks a folder after the colon", spec);
        return NULL;
    }
    p++;
    len = strlen(p);
    if (strcmp(kind, "deepweeds") == 0) {
        if (ends_with(p, ":balanced"))
            len -= strlen(":balanced");
        else if (ends_with(p, ":unbalanced")) {
            len -= strlen(":unbalanced");
            balanced = 0;
        }
    }
    if (len == 0 || !(root = jahs_strndup(p, len))) {
        JAHS_FAIL(err, len ? JAHS_ENOMEM : JAHS_EINVAL,
                  len ? "out of memory"
                      : "dataset spec '%s' lacks a folder after the colon",
                  spec);
        return NULL;
    }
    d = jahs_dataset_load_folder(kind, root, balanced, (int)size, split, err);
    free(root);
    return d;
}

jahs_dataset *jahs_dataset_load(const char *spec, jahs_split split,
                                jahs_error *err)
{
    return jahs_dataset_load_sized(spec, split, 0, err);
}

jahs_dataset *jahs_dataset_load_sized(const char *spec, jahs_split split,
                                      int image_size, jahs_error *err)
{
    const char *p;
    jahs_dataset *d;
    int matched;
    if (!spec || !*spec) {
        JAHS_FAIL(err, JAHS_EINVAL, "empty dataset spec");
        return NULL;
    }
    if (split != JAHS_SPLIT_TRAIN && split != JAHS_SPLIT_TEST) {
        JAHS_FAIL(err, JAHS_EINVAL, "invalid split %d", (int)split);
        return NULL;
    }
    if (image_size < 0) {
        JAHS_FAIL(err, JAHS_EINVAL, "invalid image size %d", image_size);
        return NULL;
    }
    d = load_folder_spec(spec, split, image_size, &matched, err);
    if (matched)
        return d;
    if (image_size > 0) {
        JAHS_FAIL(err, JAHS_EINVAL,
                  "an image size applies to imagefolder: and deepweeds: "
                  "specs only, not '%s' (its images keep their size)",
                  spec);
        return NULL;
    }
    if (strcmp(spec, "fashion-mnist") == 0)
        return jahs_dataset_load_idx("fashion-mnist", JAHS_FASHION_MNIST_DIR,
                                     split, err);
    if ((p = after(spec, "fashion-mnist")) || (p = after(spec, "mnist")) ||
        (p = after(spec, "cifar10")) || (p = after(spec, "cifar100")) ||
        (p = after(spec, "h5"))) {
        if (!*p) {
            JAHS_FAIL(err, JAHS_EINVAL,
                      "dataset spec '%s' lacks a path after the colon", spec);
            return NULL;
        }
        if (after(spec, "fashion-mnist"))
            return jahs_dataset_load_idx("fashion-mnist", p, split, err);
        if (after(spec, "mnist"))
            return jahs_dataset_load_idx("mnist", p, split, err);
        if (after(spec, "cifar100"))
            return jahs_dataset_load_cifar(100, p, split, err);
        if (after(spec, "cifar10"))
            return jahs_dataset_load_cifar(10, p, split, err);
        return jahs_dataset_load_h5(p, split, err);
    }
    if (ends_with(spec, ".h5"))
        return jahs_dataset_load_h5(spec, split, err);
    JAHS_FAIL(err, JAHS_ENOTFOUND,
              "unknown dataset '%s': expected fashion-mnist[:DIR], mnist:DIR, "
              "cifar10:PATH, cifar100:PATH, h5:PATH, a .h5 file, "
              "imagefolder[@SIZE]:DIR or deepweeds[@SIZE]:DIR",
              spec);
    return NULL;
}

void jahs_dataset_free(jahs_dataset *d)
{
    if (!d)
        return;
    free(d->images);
    free(d->labels);
    free(d);
}

jahs_dataset *jahs_dataset_head(const jahs_dataset *d, int n, jahs_error *err)
{
    jahs_dataset *h;
    size_t per;
    if (!d || n < 1 || n > d->n) {
        JAHS_FAIL(err, JAHS_EINVAL,
                  "cannot take the first %d images of a dataset of %d", n,
                  d ? d->n : 0);
        return NULL;
    }
    h = jahs_dataset_alloc(d->name, n, d->h, d->w, d->c, d->n_classes, d->name,
                           err);
    if (!h)
        return NULL;
    per = (size_t)d->h * (size_t)d->w * (size_t)d->c;
    memcpy(h->images, d->images, per * (size_t)n);
    memcpy(h->labels, d->labels, (size_t)n);
    memcpy(h->mean, d->mean, sizeof h->mean);
    memcpy(h->std, d->std, sizeof h->std);
    return h;
}

jahs_dataset *jahs_dataset_stratified(const jahs_dataset *d, int n,
                                      jahs_error *err)
{
    jahs_dataset *h = NULL;
    int *count = NULL, *take = NULL, *seen = NULL, i, k, got = 0, r;
    size_t per;
    if (!d || n < 1 || n > d->n) {
        JAHS_FAIL(err, JAHS_EINVAL,
                  "cannot take %d images of a dataset of %d", n, d ? d->n : 0);
        return NULL;
    }
    if (d->n_classes < 1) {
        JAHS_FAIL(err, JAHS_EINVAL, "dataset '%s' has %d classes", d->name,
                  d->n_classes);
        return NULL;
    }
    count = calloc((size_t)d->n_classes, sizeof *count);
    take = calloc((size_t)d->n_classes, sizeof *take);
    seen = calloc((size_t)d->n_classes, sizeof *seen);
    if (!count || !take || !seen) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < d->n; i++) {
        if (d->labels[i] >= d->n_classes) {
            JAHS_FAIL(err, JAHS_EINVAL,
                      "dataset '%s': image %d has label %d of %d classes",
                      d->name, i, d->labels[i], d->n_classes);
            goto out;
        }
        count[d->labels[i]]++;
    }
    /* round r gives one more image to every class that has an r-th one */
    for (r = 0; got < n; r++)
        for (k = 0; k < d->n_classes && got < n; k++)
            if (count[k] > r) {
                take[k]++;
                got++;
            }
    if (!(h = jahs_dataset_alloc(d->name, n, d->h, d->w, d->c, d->n_classes,
                                 d->name, err)))
        goto out;
    per = (size_t)d->h * (size_t)d->w * (size_t)d->c;
    for (i = 0, got = 0; i < d->n && got < n; i++) {
        k = d->labels[i];
        if (seen[k]++ < take[k]) { /* the first take[k] of class k */
            memcpy(h->images + per * (size_t)got, d->images + per * (size_t)i,
                   per);
            h->labels[got++] = (uint8_t)k;
        }
    }
    memcpy(h->mean, d->mean, sizeof h->mean);
    memcpy(h->std, d->std, sizeof h->std);
out:
    free(count);
    free(take);
    free(seen);
    return h;
}

int jahs_dataset_folds(const jahs_dataset *d, int fold, int n_folds,
                       uint64_t seed, int **train, int *n_train, int **val,
                       int *n_val, jahs_error *err)
{
    int *order = NULL, *part = NULL, *tr = NULL, *va = NULL;
    int start[257] = {0}, fill[256];
    int i, k, ntr = 0, nva = 0, rc = 0;
    jahs_rng *rng = NULL;
    if (!d || n_folds < 2 || n_folds > d->n || fold < 0 || fold >= n_folds)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "invalid fold %d of %d for a dataset of %d images "
                         "(expected 2 <= folds <= images, 0 <= fold < folds)",
                         fold, n_folds, d ? d->n : 0);
    if (d->n_classes < 1 || d->n_classes > 256)
        return JAHS_FAIL(err, JAHS_EINVAL, "dataset '%s' has %d classes",
                         d->name, d->n_classes);
    order = malloc((size_t)d->n * sizeof *order);
    part = malloc((size_t)d->n * sizeof *part);
    if (!order || !part) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    /* counting sort by label: class blocks, ascending index within each */
    for (i = 0; i < d->n; i++) {
        if (d->labels[i] >= d->n_classes) {
            rc = JAHS_FAIL(err, JAHS_ERANGE,
                           "dataset '%s': label %d of image %d is out of range",
                           d->name, d->labels[i], i);
            goto out;
        }
        start[d->labels[i] + 1]++;
    }
    for (k = 0; k < d->n_classes; k++) {
        start[k + 1] += start[k];
        fill[k] = start[k];
    }
    for (i = 0; i < d->n; i++)
        order[fill[d->labels[i]]++] = i;
    if (!(rng = jahs_rng_create(seed, "data/folds", 0, err))) {
        rc = err ? err->code : JAHS_ENOMEM;
        goto out;
    }
    for (k = 0; k < d->n_classes; k++) {
        int *b = order + start[k], len = start[k + 1] - start[k], j;
        for (i = len - 1; i > 0; i--) {
            int t;
            j = (int)jahs_rng_int(rng, (unsigned long)i + 1);
            t = b[i];
            b[i] = b[j];
            b[j] = t;
        }
    }
    for (i = 0; i < d->n; i++) {
        part[order[i]] = i % n_folds;
        if (i % n_folds == fold)
            nva++;
    }
    ntr = d->n - nva;
    tr = malloc(((size_t)d->n + 1) * sizeof *tr);
    va = malloc(((size_t)d->n + 1) * sizeof *va);
    if (!tr || !va) {
        free(tr);
        free(va);
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    ntr = nva = 0;
    for (i = 0; i < d->n; i++) {
        if (part[i] == fold)
            va[nva++] = i;
        else
            tr[ntr++] = i;
    }
    *train = tr;
    *n_train = ntr;
    *val = va;
    *n_val = nva;
out:
    jahs_rng_free(rng);
    free(order);
    free(part);
    return rc;
}
