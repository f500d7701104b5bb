/*
 * dataset_folder.c - image-folder datasets: "imagefolder[@S]:DIR" and the
 * AutoML SS23 template's DeepWeedsX layout "deepweeds[@S]:DIR[:balanced |
 * :unbalanced]" (dataset.h), decoded once into uint8 S x S x 3 images.
 *
 * Classes and file order follow torchvision's ImageFolder (pytorch/vision
 * torchvision/datasets/folder.py, commit 0773175):
 *   - classes are the sub-folders of the split folder, sorted by name
 *     (DatasetFolder._find_classes: os.scandir, entry.is_dir(), which
 *     follows symbolic links, then classes.sort()); the label is the index
 *     in that order.  Hidden folders count, as they do there;
 *   - the files of a class are those below its folder, recursively, in the
 *     order of sorted(os.walk(class_dir)) then sorted(fnames)
 *     (make_dataset, lines 36-51): by directory path, then by file name,
 *     both compared as byte strings (Python compares str by code point,
 *     which for UTF-8 names is the same order); newer torchvision walks
 *     with followlinks=True, so do we (to a depth of 32);
 *   - a file is taken when its lower-cased name ends with one of
 *     IMG_EXTENSIONS (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm",
 *     ".tif", ".tiff", ".webp"; has_file_allowed_extension, lines 10-21);
 *     other files are skipped.  We decode PNG and JPEG only: a file with
 *     one of the other extensions is an error naming it;
 *   - a class without any image is an error (torchvision >= 0.10 raises
 *     FileNotFoundError "Found no valid file for the classes ..." unless
 *     allow_empty; the old version raised on an empty dataset only);
 *   - each image is opened as pil_loader does (convert("RGB"), image.h) and
 *     resized as the template's transforms.Resize((S, S)) does on PIL
 *     images (image.h).
 *
 * Splits.  deepweeds:DIR reads DIR/train_balanced and DIR/test_balanced (the
 * template's deepweedsx_balanced; ":unbalanced" reads DIR/train and
 * DIR/test).  imagefolder:DIR reads DIR/train and DIR/test when both are
 * folders, otherwise DIR itself is the training split and has no test
 * split.  The test split must have exactly the training split's classes
 * (torchvision would silently renumber them otherwise).
 *
 * Statistics are those of the training split (dataset.h), so loading the
 * test split decodes the training images once more; `jahs data convert`
 * caches both splits in the HDF5 format so that this happens once.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/util.h"
#include "data/dataset_read.h"
#include "data/image.h"

#define FOLDER_MAX_DEPTH 32
#define FOLDER_MAX_CLASSES 256

static const char *const img_ext[] = {".jpg", ".jpeg", ".png", ".ppm", ".bmp",
                                      ".pgm", ".tif",  ".tiff", ".webp"};

typedef struct entry {
    char *dir;  /* the directory path as os.walk reports it */
    char *name; /* the file name */
    int label;
} entry;

typedef struct listing {
    entry *e;
    size_t n, cap;
} listing;

static void listing_free(listing *l)
{
    size_t i;
    for (i = 0; i < l->n; i++) {
        free(l->e[i].dir);
        free(l->e[i].name);
    }
    free(l->e);
    memset(l, 0, sizeof *l);
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int has_image_ext(const char *name)
{
    size_t n = strlen(name), i, k;
    for (i = 0; i < sizeof img_ext / sizeof img_ext[0]; i++) {
        size_t m = strlen(img_ext[i]);
        int ok = n >= m;
        for (k = 0; ok && k < m; k++) {
            char ch = name[n - m + k];
            if (ch >= 'A' && ch <= 'Z')
                ch = (char)(ch - 'A' + 'a');
            ok = ch == img_ext[i][k];
        }
        if (ok)
            return 1;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_entry(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    int c;
    if (x->label != y->label)
        return x->label < y->label ? -1 : 1;
    if ((c = strcmp(x->dir, y->dir)))
        return c;
    return strcmp(x->name, y->name);
}

static int push(listing *l, const char *dir, const char *name, int label,
                jahs_error *err)
{
    entry *e;
    if (jahs_grow((void **)&l->e, &l->cap, l->n + 1, sizeof *l->e))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    e = &l->e[l->n];
    e->dir = jahs_strdup(dir);
    e->name = jahs_strdup(name);
    e->label = label;
    if (!e->dir || !e->name) {
        free(e->dir);
        free(e->name);
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    }
    l->n++;
    return 0;
}

/*
 * Call fn(path, name, is_dir, ctx) for each entry of dir but "." and ".."
 * (is_dir after following links), until fn returns non-zero.  missing is
 * the code when dir cannot be opened.
 */
static int each_entry(const char *dir, int missing,
                      int (*fn)(const char *path, const char *name, int dir,
                                void *ctx),
                      void *ctx, jahs_error *err)
{
    DIR *d;
    struct dirent *de;
    int rc = 0;
    if (!(d = opendir(dir)))
        return JAHS_FAIL(err, missing, "cannot open folder '%s': %s", dir,
                         strerror(errno));
    while (!rc && (de = readdir(d))) {
        char *path;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (!(path = jahs_path_join(dir, de->d_name))) {
            rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
            break;
        }
        rc = fn(path, de->d_name, is_dir(path), ctx);
        free(path);
    }
    closedir(d);
    return rc;
}

typedef struct walk_ctx {
    const char *dir;
    int label, depth;
    listing *l;
    jahs_error *err;
} walk_ctx;

static int walk(const char *dir, int label, int depth, listing *l,
                jahs_error *err);

static int walk_entry(const char *path, const char *name, int dir, void *ctx)
{
    walk_ctx *w = ctx;
    if (dir)
        return walk(path, w->label, w->depth + 1, w->l, w->err);
    if (has_image_ext(name))
        return push(w->l, w->dir, name, w->label, w->err);
    return 0;
}

/* Every image file below dir (recursively, following links) for label. */
static int walk(const char *dir, int label, int depth, listing *l,
                jahs_error *err)
{
    walk_ctx w = {dir, label, depth, l, err};
    if (depth > FOLDER_MAX_DEPTH)
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "'%s': folders nested deeper than %d (a link loop?)",
                         dir, FOLDER_MAX_DEPTH);
    return each_entry(dir, JAHS_EIO, walk_entry, &w, err);
}

typedef struct class_ctx {
    char **v;
    size_t cap, k;
    jahs_error *err;
} class_ctx;

static int class_entry(const char *path, const char *name, int dir, void *ctx)
{
    class_ctx *c = ctx;
    (void)path;
    if (!dir)
        return 0;
    if (jahs_grow((void **)&c->v, &c->cap, c->k + 1, sizeof *c->v) ||
        !(c->v[c->k] = jahs_strdup(name)))
        return JAHS_FAIL(c->err, JAHS_ENOMEM, "out of memory");
    c->k++;
    return 0;
}

/* The sorted class folders of dir: *names (malloc'd strings), *n. */
static int find_classes(const char *dir, char ***names, int *n,
                        jahs_error *err)
{
    class_ctx c = {NULL, 0, 0, err};
    int rc;
    *names = NULL;
    *n = 0;
    rc = each_entry(dir, JAHS_ENOTFOUND, class_entry, &c, err);
    if (!rc && c.k == 0)
        rc = JAHS_FAIL(err, JAHS_ENOTFOUND,
                       "'%s' has no class folder (expected one sub-folder of "
                       "images per class)",
                       dir);
    if (!rc && c.k > FOLDER_MAX_CLASSES)
        rc = JAHS_FAIL(err, JAHS_ERANGE,
                       "'%s' has %zu class folders (at most %d)", dir, c.k,
                       FOLDER_MAX_CLASSES);
    if (rc) {
        while (c.k > 0)
            free(c.v[--c.k]);
        free(c.v);
        return rc;
    }
    qsort(c.v, c.k, sizeof *c.v, cmp_str);
    *names = c.v;
    *n = (int)c.k;
    return 0;
}

static void free_names(char **v, int n)
{
    while (n > 0)
        free(v[--n]);
    free(v);
}

/* The folder of one split for the spec, malloc'd; NULL with err set. */
static char *split_dir(const char *kind, const char *root, int balanced,
                       jahs_split split, jahs_error *err)
{
    const char *sub;
    char *tr, *te, *dir;
    int both;
    if (!is_dir(root)) {
        JAHS_FAIL(err, JAHS_ENOTFOUND, "%s '%s' is not a folder", kind, root);
        return NULL;
    }
    if (strcmp(kind, "deepweeds") == 0) {
        if (split == JAHS_SPLIT_TRAIN)
            sub = balanced ? "train_balanced" : "train";
        else
            sub = balanced ? "test_balanced" : "test";
        if (!(dir = jahs_path_join(root, sub))) {
            JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
            return NULL;
        }
        if (!is_dir(dir)) {
            JAHS_FAIL(err, JAHS_ENOTFOUND,
                      "deepweeds '%s' has no folder '%s' (expected the "
                      "template's layout: %s/<class>/FILE%s)",
                      root, sub, sub,
                      balanced ? "; ':unbalanced' reads train/ and test/" : "");
            free(dir);
            return NULL;
        }
        return dir;
    }
    tr = jahs_path_join(root, "train");
    te = jahs_path_join(root, "test");
    if (!tr || !te) {
        free(tr);
        free(te);
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    both = is_dir(tr) && is_dir(te);
    if (both) {
        dir = split == JAHS_SPLIT_TRAIN ? tr : te;
        free(split == JAHS_SPLIT_TRAIN ? te : tr);
        return dir;
    }
    free(tr);
    free(te);
    if (split == JAHS_SPLIT_TEST) {
        JAHS_FAIL(err, JAHS_ENOTFOUND,
                  "imagefolder '%s' has no test split (expected folders "
                  "train/ and test/ of class folders; a folder of class "
                  "folders alone is a training split: jahs data convert "
                  "--train-only)",
                  root);
        return NULL;
    }
    if (!(dir = jahs_strdup(root)))
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    return dir;
}

/* Decode, convert to RGB and resize every listed file into d. */
static int decode_all(const listing *l, int size, jahs_dataset *d,
                      jahs_error *err)
{
    size_t i, per = (size_t)size * size * 3;
    for (i = 0; i < l->n; i++) {
        uint8_t *rgb = NULL;
        int h, w, rc;
        char *path = jahs_path_join(l->e[i].dir, l->e[i].name);
        if (!path)
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        rc = jahs_image_decode_rgb(path, JAHS_DATASET_MAX_SIDE * 4, &rgb, &h,
                                   &w, err);
        free(path);
        if (!rc)
            rc = jahs_image_resize_bilinear(rgb, h, w, 3, d->images + i * per,
                                            size, size, err);
        free(rgb);
        if (rc)
            return rc;
        d->labels[i] = (uint8_t)l->e[i].label;
    }
    return 0;
}

/* Error listing the empty classes of dir, as torchvision does. */
static int empty_classes(const char *dir, char **names, int n,
                         const listing *l, jahs_error *err)
{
    jahs_buf b = {0};
    int k, *count = calloc((size_t)n, sizeof *count), bad = 0, rc = 0;
    size_t i;
    if (!count)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    for (i = 0; i < l->n; i++)
        count[l->e[i].label]++;
    for (k = 0; k < n; k++)
        if (!count[k]) {
            jahs_buf_printf(&b, "%s'%s'", bad ? ", " : "", names[k]);
            bad++;
        }
    if (bad)
        rc = JAHS_FAIL(err, JAHS_ENOTFOUND,
                       "'%s': no image file in the class folder%s %s "
                       "(expected files ending .png, .jpg or .jpeg)",
                       dir, bad > 1 ? "s" : "", b.data ? b.data : "");
    jahs_buf_free(&b);
    free(count);
    return rc;
}

jahs_dataset *jahs_dataset_load_folder(const char *kind, const char *root,
                                       int balanced, int size,
                                       jahs_split split, jahs_error *err)
{
    char *dir = NULL, **names = NULL, **train_names = NULL;
    int n = 0, n_train = 0, k, rc = 0;
    listing l = {0};
    jahs_dataset *d = NULL, *tr = NULL;
    char name[64];
    if (size < 1 || size > JAHS_DATASET_MAX_SIDE) {
        JAHS_FAIL(err, JAHS_EINVAL, "image size %d out of range (1..%d)", size,
                  JAHS_DATASET_MAX_SIDE);
        return NULL;
    }
    if (!(dir = split_dir(kind, root, balanced, split, err)) ||
        (rc = find_classes(dir, &names, &n, err)))
        goto fail;
    if (split == JAHS_SPLIT_TEST) {
        char *tdir = split_dir(kind, root, balanced, JAHS_SPLIT_TRAIN, err);
        if (!tdir || (rc = find_classes(tdir, &train_names, &n_train, err))) {
            free(tdir);
            goto fail;
        }
        for (k = 0; k < n && k < n_train; k++)
            if (strcmp(names[k], train_names[k]) != 0)
                break;
        if (n != n_train || k < n) {
            JAHS_FAIL(err, JAHS_EFORMAT,
                      "'%s' has %d class folders and '%s' has %d; the "
                      "classes must be the same (first difference: '%s')",
                      dir, n, tdir, n_train,
                      k < n ? names[k] : train_names[k]);
            free(tdir);
            goto fail;
        }
        free(tdir);
    }
    for (k = 0; k < n && !rc; k++) {
        char *cdir = jahs_path_join(dir, names[k]);
        if (!cdir) {
            JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
            goto fail;
        }
        rc = walk(cdir, k, 0, &l, err);
        free(cdir);
    }
    if (rc || (rc = empty_classes(dir, names, n, &l, err)))
        goto fail;
    if (l.n > (size_t)0x7fffffff) {
        JAHS_FAIL(err, JAHS_ERANGE, "'%s': too many images", dir);
        goto fail;
    }
    qsort(l.e, l.n, sizeof *l.e, cmp_entry);
    snprintf(name, sizeof name, "%s",
             strcmp(kind, "deepweeds") != 0 ? "imagefolder"
             : balanced                     ? "deepweeds-balanced"
                                            : "deepweeds");
    if (!(d = jahs_dataset_alloc(name, (int)l.n, size, size, 3, n, dir, err)) ||
        (rc = decode_all(&l, size, d, err)))
        goto fail;
    if (split == JAHS_SPLIT_TRAIN) {
        jahs_pixstats s;
        jahs_pixstats_init(&s, 3);
        jahs_pixstats_add_hwc(&s, d->images, (size_t)d->n * size * size);
        jahs_pixstats_finish(&s, d->mean, d->std);
    } else {
        if (!(tr = jahs_dataset_load_folder(kind, root, balanced, size,
                                            JAHS_SPLIT_TRAIN, err)))
            goto fail;
        memcpy(d->mean, tr->mean, sizeof d->mean);
        memcpy(d->std, tr->std, sizeof d->std);
        jahs_dataset_free(tr);
    }
    listing_free(&l);
    free_names(names, n);
    free_names(train_names, n_train);
    free(dir);
    return d;
fail:
    jahs_dataset_free(d);
    listing_free(&l);
    free_names(names, n);
    free_names(train_names, n_train);
    free(dir);
    return NULL;
}
