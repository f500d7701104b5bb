/*
 * dataset_idx.c - the IDX format of MNIST and Fashion-MNIST, read through
 * zlib (gzip or plain files alike: gzread is transparent on plain data).
 *
 * Format (LeCun et al., "THE MNIST DATABASE of handwritten digits", file
 * formats section; Fashion-MNIST keeps it, Xiao et al. 2017): a big-endian
 * 32-bit magic 0x00000803 for images (two zero bytes, type 0x08 = unsigned
 * byte, 3 dimensions) or 0x00000801 for labels (1 dimension), then one
 * big-endian 32-bit size per dimension (count, rows, columns), then the
 * bytes, row-major.  The four files of a directory are
 * {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] (Debian's
 * dataset-fashion-mnist installs the .gz ones).
 *
 * Checks: the magic number, the sizes (1..4096 rows and columns), the data
 * length (a short read is "truncated", extra bytes are "trailing data"),
 * gzip integrity (zlib verifies the CRC at the end of the stream), equal
 * image and label counts, labels 0..9.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zlib.h>

#include "core/util.h"
#include "data/dataset_read.h"

#define IDX_CLASSES 10
#define IDX_U8 0x08

typedef struct idx_file {
    gzFile f;
    char *path;
} idx_file;

static void idx_close(idx_file *x)
{
    if (x->f)
        gzclose(x->f);
    free(x->path);
    x->f = NULL;
    x->path = NULL;
}

/* Open dir/base.gz, else dir/base. */
static int idx_open(idx_file *x, const char *dir, const char *base,
                    jahs_error *err)
{
    char name[128];
    x->f = NULL;
    snprintf(name, sizeof name, "%s.gz", base);
    if (!(x->path = jahs_path_join(dir, name)))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    if (!jahs_path_exists(x->path)) {
        char *plain = jahs_path_join(dir, base);
        if (!plain)
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        if (jahs_path_exists(plain)) {
            free(x->path);
            x->path = plain;
        } else {
            int rc = JAHS_FAIL(err, JAHS_ENOTFOUND,
                               "cannot find '%s' (nor '%s'): is the dataset "
                               "installed there? (the default is Debian's "
                               "dataset-fashion-mnist: make deps)",
                               x->path, plain);
            free(plain);
            return rc;
        }
    }
    if (!(x->f = gzopen(x->path, "rb")))
        return JAHS_FAIL(err, JAHS_EIO, "cannot open '%s': %s", x->path,
                         strerror(errno));
    gzbuffer(x->f, 1 << 17);
    return 0;
}

/* Read exactly n bytes; what names the part for the message. */
static int idx_read(idx_file *x, void *buf, size_t n, const char *what,
                    jahs_error *err)
{
    size_t got = 0;
    while (got < n) {
        size_t chunk = n - got > (1u << 30) ? (1u << 30) : n - got;
        int r = gzread(x->f, (char *)buf + got, (unsigned)chunk);
        if (r < 0) {
            int zerr;
            const char *msg = gzerror(x->f, &zerr);
            return JAHS_FAIL(err, JAHS_EFORMAT,
                             "'%s' is corrupt (%s) while reading %s",
                             x->path, msg ? msg : "zlib error", what);
        }
        if (r == 0)
            return JAHS_FAIL(err, JAHS_EFORMAT,
                             "'%s' is truncated: %zu of %zu bytes of %s",
                             x->path, got, n, what);
        got += (size_t)r;
    }
    return 0;
}

/* After the data: nothing may follow, and the gzip trailer must check. */
static int idx_expect_end(idx_file *x, jahs_error *err)
{
    char c;
    int r = gzread(x->f, &c, 1);
    if (r < 0) {
        int zerr;
        const char *msg = gzerror(x->f, &zerr);
        return JAHS_FAIL(err, JAHS_EFORMAT, "'%s' is corrupt (%s) at its end",
                         x->path, msg ? msg : "zlib error");
    }
    if (r > 0)
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "'%s' has trailing data after the declared size",
                         x->path);
    /* zlib reports a gzip stream cut short (e.g. in its CRC trailer) as
     * end of file with Z_BUF_ERROR, not as a failed read */
    {
        int zerr = Z_OK;
        gzerror(x->f, &zerr);
        if (zerr == Z_BUF_ERROR)
            return JAHS_FAIL(err, JAHS_EFORMAT,
                             "'%s' is truncated: the gzip stream ends early",
                             x->path);
    }
    return 0;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

/*
 * Whether x's file can hold `need` bytes of IDX (header and data), told
 * before anything that size is allocated (issue 15, class 7: a header
 * declaring 4096 x 4096 images allocated 10 GB before failing).  A plain
 * file must be exactly that long; a gzip file's trailer (ISIZE, the size
 * mod 2^32) must agree, and deflate cannot expand more than 1032:1.  Below
 * 64 MiB nothing is checked here: reading finds a short or long file with
 * a more precise message (truncated, trailing data, gzip cut short).
 */
static int idx_size_fits(const idx_file *x, uint64_t need, jahs_error *err)
{
    struct stat st;
    size_t pl = strlen(x->path);
    int gz = pl > 3 && strcmp(x->path + pl - 3, ".gz") == 0;
    uint64_t have;
    if (need < ((uint64_t)1 << 26))
        return 0;
    if (stat(x->path, &st) != 0)
        return JAHS_FAIL(err, JAHS_EIO, "cannot stat '%s': %s", x->path,
                         strerror(errno));
    have = (uint64_t)st.st_size;
    if (!gz) {
        if (have != need)
            return JAHS_FAIL(err, JAHS_EFORMAT,
                             "'%s' is %llu bytes but its header declares %llu",
                             x->path, (unsigned long long)have,
                             (unsigned long long)need);
        return 0;
    }
    {
        unsigned char t[4];
        FILE *f = fopen(x->path, "rb");
        int ok = f && have >= 18 && fseek(f, -4, SEEK_END) == 0 &&
                 fread(t, 1, 4, f) == 4;
        uint32_t isize = ok ? ((uint32_t)t[3] << 24 | (uint32_t)t[2] << 16 |
                               (uint32_t)t[1] << 8 | (uint32_t)t[0])
                            : 0;
        if (f)
            fclose(f);
        if (!ok || isize != (uint32_t)need || need > 1032 * have)
            return JAHS_FAIL(err, JAHS_EFORMAT,
                             "'%s' cannot hold the %llu bytes its header "
                             "declares (%llu compressed bytes, gzip size field "
                             "%u)",
                             x->path, (unsigned long long)need,
                             (unsigned long long)have, isize);
    }
    return 0;
}

/* Header with ndims dimensions into dims[]. */
static int idx_header(idx_file *x, int ndims, uint32_t *dims, jahs_error *err)
{
    unsigned char h[16];
    uint32_t magic, want = (uint32_t)(IDX_U8 << 8 | ndims);
    int rc, i;
    if ((rc = idx_read(x, h, 4 + 4 * (size_t)ndims, "the header", err)))
        return rc;
    magic = be32(h);
    if (magic != want)
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "bad magic number 0x%08x in '%s': expected 0x%08x "
                         "(IDX unsigned-byte %s)",
                         magic, x->path, want,
                         ndims == 3 ? "images" : "labels");
    for (i = 0; i < ndims; i++)
        dims[i] = be32(h + 4 + 4 * i);
    if (dims[0] > 100000000u)
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "'%s' declares %u items: not a plausible IDX file",
                         x->path, dims[0]);
    if (ndims == 3 && (dims[1] < 1 || dims[2] < 1 ||
                       dims[1] > JAHS_DATASET_MAX_SIDE ||
                       dims[2] > JAHS_DATASET_MAX_SIDE))
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "'%s' declares %u x %u images: expected sides 1..%d",
                         x->path, dims[1], dims[2], JAHS_DATASET_MAX_SIDE);
    {
        uint64_t need = 4 + 4 * (uint64_t)ndims;
        uint64_t items = dims[0];
        for (i = 1; i < ndims; i++)
            items *= dims[i];
        return idx_size_fits(x, need + items, err);
    }
}

/* Training statistics streamed from dir's training images. */
static int idx_train_stats(const char *dir, float mean[4], float std[4],
                           jahs_error *err)
{
    idx_file x = {0};
    uint32_t dims[3];
    unsigned char *buf = NULL;
    jahs_pixstats s;
    size_t left, chunk = 1 << 20;
    int rc;
    if ((rc = idx_open(&x, dir, "train-images-idx3-ubyte", err)) ||
        (rc = idx_header(&x, 3, dims, err)))
        goto out;
    if (!(buf = malloc(chunk))) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    jahs_pixstats_init(&s, 1);
    left = (size_t)dims[0] * dims[1] * dims[2];
    while (left > 0) {
        size_t n = left < chunk ? left : chunk;
        if ((rc = idx_read(&x, buf, n, "the images", err)))
            goto out;
        jahs_pixstats_add_hwc(&s, buf, n);
        left -= n;
    }
    if ((rc = idx_expect_end(&x, err)))
        goto out;
    jahs_pixstats_finish(&s, mean, std);
out:
    free(buf);
    idx_close(&x);
    return rc;
}

jahs_dataset *jahs_dataset_load_idx(const char *name, const char *dir,
                                    jahs_split split, jahs_error *err)
{
    const char *pre = split == JAHS_SPLIT_TRAIN ? "train" : "t10k";
    char base[64];
    idx_file im = {0}, lb = {0};
    uint32_t idims[3], ldims[1];
    jahs_dataset *d = NULL;
    int rc;
    snprintf(base, sizeof base, "%s-images-idx3-ubyte", pre);
    if ((rc = idx_open(&im, dir, base, err)) ||
        (rc = idx_header(&im, 3, idims, err)))
        goto fail;
    snprintf(base, sizeof base, "%s-labels-idx1-ubyte", pre);
    if ((rc = idx_open(&lb, dir, base, err)) ||
        (rc = idx_header(&lb, 1, ldims, err)))
        goto fail;
    if (idims[0] != ldims[0]) {
        JAHS_FAIL(err, JAHS_EFORMAT,
                  "'%s' holds %u images but '%s' holds %u labels", im.path,
                  idims[0], lb.path, ldims[0]);
        goto fail;
    }
    if (!(d = jahs_dataset_alloc(name, (int)idims[0], (int)idims[1],
                                 (int)idims[2], 1, IDX_CLASSES, im.path, err)))
        goto fail;
    if ((rc = idx_read(&im, d->images,
                       (size_t)d->n * (size_t)d->h * (size_t)d->w,
                       "the images", err)) ||
        (rc = idx_expect_end(&im, err)) ||
        (rc = idx_read(&lb, d->labels, (size_t)d->n, "the labels", err)) ||
        (rc = idx_expect_end(&lb, err)) ||
        (rc = jahs_dataset_check_labels(d, lb.path, err)))
        goto fail;
    if (split == JAHS_SPLIT_TRAIN) {
        jahs_pixstats s;
        jahs_pixstats_init(&s, 1);
        jahs_pixstats_add_hwc(&s, d->images,
                              (size_t)d->n * (size_t)d->h * (size_t)d->w);
        jahs_pixstats_finish(&s, d->mean, d->std);
    } else if ((rc = idx_train_stats(dir, d->mean, d->std, err))) {
        jahs_error_prefix(err, "training statistics for the test split");
        goto fail;
    }
    idx_close(&im);
    idx_close(&lb);
    return d;
fail:
    jahs_dataset_free(d);
    idx_close(&im);
    idx_close(&lb);
    return NULL;
}
