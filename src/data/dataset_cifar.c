/*
 * dataset_cifar.c - the "binary version" of CIFAR-10 and CIFAR-100
 * (Krizhevsky 2009; https://www.cs.toronto.edu/~kriz/cifar.html), from a
 * directory of .bin files or straight from the official .tar.gz.
 *
 * Records: CIFAR-10 is 1 label byte + 3072 pixel bytes, CIFAR-100 is a
 * coarse label byte, a fine label byte + 3072 pixel bytes; the pixels are
 * the 1024 red, then 1024 green, then 1024 blue values of a 32 x 32 image,
 * row-major (CHW).  We convert to HWC and keep the fine label for
 * CIFAR-100.  Files: CIFAR-10 data_batch_1.bin .. data_batch_5.bin (train,
 * in that order) and test_batch.bin; CIFAR-100 train.bin and test.bin.
 *
 * PATH may be the directory holding the .bin files, its parent (the
 * official archives unpack to cifar-10-batches-bin/ and cifar-100-binary/),
 * or the archive itself (cifar-10-binary.tar.gz, cifar-100-binary.tar.gz),
 * read with a small tar reader over gzread: 512-byte headers (name,
 * octal size, checksum, type flag; ustar prefix honoured), regular members
 * matched by their base name, data padded to 512 bytes, two zero blocks at
 * the end.  A plain .tar works too (gzread is transparent).
 *
 * Checks: a member whose size is not a whole number of records is
 * truncated (or not CIFAR), a missing member is named, labels must be
 * below 10 (CIFAR-10) or 100 (CIFAR-100 fine), tar header checksums must
 * match.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zlib.h>

#include "core/util.h"
#include "data/dataset_read.h"

#define CIFAR_SIDE 32
#define CIFAR_PIX (CIFAR_SIDE * CIFAR_SIDE)
#define CIFAR_MAX_FILES 5
#define TAR_BLOCK 512

typedef struct cifar_kind {
    int classes;
    int label_off;   /* byte of the label used (CIFAR-100: the fine one) */
    size_t rec;      /* record size in bytes */
    const char *subdir;
    const char *name;
} cifar_kind;

static const cifar_kind KIND10 = {10, 0, 1 + 3 * CIFAR_PIX,
                                  "cifar-10-batches-bin", "cifar10"};
static const cifar_kind KIND100 = {100, 1, 2 + 3 * CIFAR_PIX,
                                   "cifar-100-binary", "cifar100"};

/* The member files of one split, in order. */
static int split_files(const cifar_kind *k, jahs_split split,
                       const char **names)
{
    static const char *const train10[] = {"data_batch_1.bin", "data_batch_2.bin",
                                          "data_batch_3.bin", "data_batch_4.bin",
                                          "data_batch_5.bin"};
    int i;
    if (k->classes == 10) {
        if (split == JAHS_SPLIT_TEST) {
            names[0] = "test_batch.bin";
            return 1;
        }
        for (i = 0; i < 5; i++)
            names[i] = train10[i];
        return 5;
    }
    names[0] = split == JAHS_SPLIT_TEST ? "test.bin" : "train.bin";
    return 1;
}

/* Raw bytes of the members of one split. */
typedef struct cifar_raw {
    int n;
    const char *names[CIFAR_MAX_FILES];
    unsigned char *data[CIFAR_MAX_FILES];
    size_t len[CIFAR_MAX_FILES];
    char *where; /* the directory or archive they came from, for messages */
} cifar_raw;

static void raw_free(cifar_raw *r)
{
    int i;
    for (i = 0; i < CIFAR_MAX_FILES; i++) {
        free(r->data[i]);
        r->data[i] = NULL;
    }
    free(r->where);
    r->where = NULL;
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- directory of .bin files ------------------------------------------ */

static int read_dir(const cifar_kind *k, const char *path, cifar_raw *r,
                    jahs_error *err)
{
    char *dir = NULL, *first;
    int i, rc;
    /* PATH itself, or PATH/<official subdirectory> */
    if (!(first = jahs_path_join(path, r->names[0])))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    if (jahs_path_exists(first)) {
        dir = jahs_strdup(path);
    } else {
        dir = jahs_path_join(path, k->subdir);
        if (dir) {
            char *alt = jahs_path_join(dir, r->names[0]);
            int found = alt && jahs_path_exists(alt);
            free(alt);
            if (!found) {
                rc = JAHS_FAIL(err, JAHS_ENOTFOUND,
                               "cannot find '%s' in '%s' nor in '%s': not a %s "
                               "binary directory",
                               r->names[0], path, dir, k->name);
                free(dir);
                free(first);
                return rc;
            }
        }
    }
    free(first);
    if (!dir)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    r->where = dir;
    for (i = 0; i < r->n; i++) {
        char *p = jahs_path_join(dir, r->names[i]), *buf = NULL;
        size_t len = 0;
        if (!p)
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        if (!jahs_path_exists(p)) {
            rc = JAHS_FAIL(err, JAHS_ENOTFOUND, "cannot find '%s' (%s)", p,
                           k->name);
            free(p);
            return rc;
        }
        rc = jahs_read_file(p, &buf, &len, err);
        free(p);
        if (rc)
            return rc;
        r->data[i] = (unsigned char *)buf;
        r->len[i] = len;
    }
    return 0;
}

/* ---- tar archive through gzread --------------------------------------- */

static int gz_exact(gzFile f, void *buf, size_t n, size_t *got)
{
    size_t g = 0;
    while (g < n) {
        size_t chunk = n - g > (1u << 30) ? (1u << 30) : n - g;
        int r = gzread(f, (char *)buf + g, (unsigned)chunk);
        if (r <= 0) {
            *got = g;
            return r < 0 ? -1 : 0;
        }
        g += (size_t)r;
    }
    *got = g;
    return 1;
}

/* Octal field (NUL or space terminated); -1 when malformed. */
static long long tar_octal(const unsigned char *p, size_t n)
{
    long long v = 0;
    size_t i = 0;
    int digits = 0;
    while (i < n && p[i] == ' ')
        i++;
    for (; i < n && p[i] >= '0' && p[i] <= '7'; i++, digits++) {
        if (v > (1LL << 50))
            return -1;
        v = v * 8 + (p[i] - '0');
    }
    for (; i < n; i++)
        if (p[i] != ' ' && p[i] != '\0')
            return -1;
    return digits ? v : -1;
}

static const char *base_name(const char *s)
{
    const char *b = strrchr(s, '/');
    return b ? b + 1 : s;
}

static int gz_fail(gzFile f, const char *path, const char *what,
                   jahs_error *err)
{
    int zerr;
    const char *msg = gzerror(f, &zerr);
    return JAHS_FAIL(err, JAHS_EFORMAT, "'%s' is corrupt (%s) while reading %s",
                     path, msg ? msg : "zlib error", what);
}

static int read_tar(const char *path, cifar_raw *r, jahs_error *err)
{
    gzFile f = gzopen(path, "rb");
    unsigned char h[TAR_BLOCK], *skip = NULL;
    long long offset = 0;
    int rc = 0, i, st;
    size_t got;
    if (!f)
        return JAHS_FAIL(err, JAHS_EIO, "cannot open '%s': %s", path,
                         strerror(errno));
    gzbuffer(f, 1 << 17);
    if (!(r->where = jahs_strdup(path)) || !(skip = malloc(1 << 16))) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    for (;;) {
        char name[TAR_BLOCK];
        long long size, sum, chk = 0;
        size_t padded;
        int zero = 1, want = -1;
        st = gz_exact(f, h, TAR_BLOCK, &got);
        if (st < 0) {
            rc = gz_fail(f, path, "a tar header", err);
            goto out;
        }
        if (st == 0) {
            if (got == 0)
                break; /* end of data at a block boundary: accept */
            rc = JAHS_FAIL(err, JAHS_EFORMAT,
                           "'%s' is truncated: partial tar header at offset "
                           "%lld",
                           path, offset);
            goto out;
        }
        for (i = 0; i < TAR_BLOCK; i++)
            if (h[i]) {
                zero = 0;
                break;
            }
        if (zero)
            break; /* end-of-archive marker */
        for (i = 0; i < TAR_BLOCK; i++)
            chk += (i >= 148 && i < 156) ? ' ' : h[i];
        sum = tar_octal(h + 148, 8);
        size = tar_octal(h + 124, 12);
        if (sum != chk || size < 0) {
            rc = JAHS_FAIL(err, JAHS_EFORMAT,
                           "'%s' is not a tar archive or is corrupt: bad "
                           "header at offset %lld",
                           path, offset);
            goto out;
        }
        /* name: ustar prefix "/" name */
        name[0] = '\0';
        if (memcmp(h + 257, "ustar", 5) == 0 && h[345])
            snprintf(name, sizeof name, "%.155s/%.100s", (const char *)h + 345,
                     (const char *)h);
        else
            snprintf(name, sizeof name, "%.100s", (const char *)h);
        offset += TAR_BLOCK;
        if (h[156] == '0' || h[156] == '\0') {
            for (i = 0; i < r->n; i++)
                if (strcmp(base_name(name), r->names[i]) == 0 && !r->data[i])
                    want = i;
        }
        padded = (size_t)((size + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK);
        if (want >= 0) {
            if (!(r->data[want] = malloc(size ? (size_t)size : 1))) {
                rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for '%s'",
                               name);
                goto out;
            }
            r->len[want] = (size_t)size;
            st = gz_exact(f, r->data[want], (size_t)size, &got);
            if (st > 0 && padded > (size_t)size)
                st = gz_exact(f, skip, padded - (size_t)size, &got);
        } else {
            size_t left = padded;
            st = 1;
            while (left > 0 && st > 0) {
                size_t n = left < (1 << 16) ? left : (1 << 16);
                st = gz_exact(f, skip, n, &got);
                left -= n;
            }
        }
        if (st < 0) {
            rc = gz_fail(f, path, name, err);
            goto out;
        }
        if (st == 0) {
            rc = JAHS_FAIL(err, JAHS_EFORMAT,
                           "'%s' is truncated inside member '%s'", path, name);
            goto out;
        }
        offset += (long long)padded;
    }
    /* drain the end (tar padding) so that zlib checks the gzip trailer */
    do {
        st = gz_exact(f, skip, 1 << 16, &got);
    } while (st > 0);
    {
        int zerr = Z_OK;
        gzerror(f, &zerr);
        if (st < 0 || zerr == Z_BUF_ERROR) {
            rc = st < 0 ? gz_fail(f, path, "the end of the archive", err)
                        : JAHS_FAIL(err, JAHS_EFORMAT,
                                    "'%s' is truncated: the gzip stream ends "
                                    "early",
                                    path);
            goto out;
        }
    }
    for (i = 0; i < r->n; i++)
        if (!r->data[i]) {
            rc = JAHS_FAIL(err, JAHS_ENOTFOUND,
                           "archive '%s' has no member '%s'", path,
                           r->names[i]);
            goto out;
        }
out:
    free(skip);
    gzclose(f);
    return rc;
}

/* ---- records ------------------------------------------------------------ */

static int read_split(const cifar_kind *k, const char *path, jahs_split split,
                      cifar_raw *r, jahs_error *err)
{
    int i;
    memset(r, 0, sizeof *r);
    r->n = split_files(k, split, r->names);
    if (is_dir(path)) {
        if (read_dir(k, path, r, err))
            return err ? err->code : JAHS_EIO;
    } else if (!jahs_path_exists(path)) {
        return JAHS_FAIL(err, JAHS_ENOTFOUND,
                         "cannot find '%s': expected a %s binary directory or "
                         "archive",
                         path, k->name);
    } else if (read_tar(path, r, err)) {
        return err ? err->code : JAHS_EFORMAT;
    }
    for (i = 0; i < r->n; i++) {
        if (r->len[i] == 0 || r->len[i] % k->rec != 0)
            return JAHS_FAIL(err, JAHS_EFORMAT,
                             "'%s' in '%s' is truncated or not %s: %zu bytes "
                             "is not a whole number of %zu-byte records",
                             r->names[i], r->where, k->name, r->len[i], k->rec);
    }
    return 0;
}

/* Training statistics from the training members. */
static int train_stats(const cifar_kind *k, const char *path, float mean[4],
                       float std[4], jahs_error *err)
{
    cifar_raw r;
    jahs_pixstats s;
    int i, ch, rc;
    size_t j;
    if ((rc = read_split(k, path, JAHS_SPLIT_TRAIN, &r, err))) {
        raw_free(&r);
        return rc;
    }
    jahs_pixstats_init(&s, 3);
    for (i = 0; i < r.n; i++)
        for (j = 0; j < r.len[i] / k->rec; j++) {
            const unsigned char *px =
                r.data[i] + j * k->rec + (k->rec - 3 * CIFAR_PIX);
            for (ch = 0; ch < 3; ch++)
                jahs_pixstats_add_plane(&s, ch, px + ch * CIFAR_PIX, CIFAR_PIX);
        }
    jahs_pixstats_finish(&s, mean, std);
    raw_free(&r);
    return 0;
}

jahs_dataset *jahs_dataset_load_cifar(int classes, const char *path,
                                      jahs_split split, jahs_error *err)
{
    const cifar_kind *k = classes == 100 ? &KIND100 : &KIND10;
    cifar_raw r;
    jahs_dataset *d = NULL;
    size_t total = 0, j;
    int i, ch, p, at = 0;
    if (read_split(k, path, split, &r, err))
        goto fail;
    for (i = 0; i < r.n; i++)
        total += r.len[i] / k->rec;
    if (total > 100000000u) {
        JAHS_FAIL(err, JAHS_EFORMAT, "'%s': %zu records is not plausible",
                  r.where, total);
        goto fail;
    }
    if (!(d = jahs_dataset_alloc(k->name, (int)total, CIFAR_SIDE, CIFAR_SIDE,
                                 3, k->classes, path, err)))
        goto fail;
    for (i = 0; i < r.n; i++) {
        for (j = 0; j < r.len[i] / k->rec; j++, at++) {
            const unsigned char *rec = r.data[i] + j * k->rec;
            const unsigned char *px = rec + (k->rec - 3 * CIFAR_PIX);
            uint8_t *dst = d->images + (size_t)at * 3 * CIFAR_PIX;
            if (rec[k->label_off] >= k->classes) {
                JAHS_FAIL(err, JAHS_ERANGE,
                          "'%s' in '%s': label %d of record %zu is out of "
                          "range (expected 0..%d)",
                          r.names[i], r.where, rec[k->label_off], j,
                          k->classes - 1);
                goto fail;
            }
            d->labels[at] = rec[k->label_off];
            for (p = 0; p < CIFAR_PIX; p++)
                for (ch = 0; ch < 3; ch++)
                    dst[p * 3 + ch] = px[ch * CIFAR_PIX + p];
        }
        free(r.data[i]);
        r.data[i] = NULL;
    }
    if (split == JAHS_SPLIT_TRAIN) {
        jahs_pixstats s;
        jahs_pixstats_init(&s, 3);
        jahs_pixstats_add_hwc(&s, d->images, (size_t)d->n * CIFAR_PIX);
        jahs_pixstats_finish(&s, d->mean, d->std);
    } else if (train_stats(k, path, d->mean, d->std, err)) {
        jahs_error_prefix(err, "training statistics for the test split");
        goto fail;
    }
    raw_free(&r);
    return d;
fail:
    raw_free(&r);
    jahs_dataset_free(d);
    return NULL;
}
