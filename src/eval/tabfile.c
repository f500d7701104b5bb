/*
 * tabfile.c - tabular benchmarks from files (see tabfile.h for the format,
 * the space rules and the lookup rules): the reader (CSV, gzip CSV, HDF5),
 * the "table" evaluator type and the writer of `jahs table export`.
 *
 * Reading keeps each parameter column as numbers (when a value parses) and
 * as codes into the column's distinct texts, so one pass decides whether a
 * column is categorical.  Binding to a space turns each row into a config
 * in the space's units; identical configs are merged by a hash (no sort
 * with a file-static key), and each config's rows are sorted by (seed,
 * fold, epoch) for binary search.  A lookup is an exact hash hit or one
 * scan for the nearest config: O(configs x parameters), no allocation.
 *
 * One process reads a file once: jahs_tabfile_load keeps what it read in a
 * cache keyed by the path and the file's identity (device, inode, size,
 * mtime and ctime to the nanosecond, as stat(2) gives them), so the
 * experiment check, every unit and the report share one read, and units
 * forked by `--jobs N` after the check inherit it (copy-on-write) instead of
 * reading it again.  A file whose identity changed is read again.  Tables
 * are reference counted (the cache holds one reference); tables no handle
 * uses are kept while the cache's tables fit in JAHS_TABFILE_CACHE_BYTES
 * (most recently used first), and every one is freed at exit.  A mutex
 * makes load and free safe from several threads.
 */
#include "eval/tabfile.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/csv.h"
#include "core/h5.h"
#include "core/log.h"
#include "core/util.h"
#include "space/space_file.h"

#define NO_CODE 255

/* reserved columns */
enum { C_EPOCH, C_VAL, C_TEST, C_COST, C_SEED, C_FOLD, N_RES };
static const char *const res_name[N_RES] = {"epoch", "val",  "test",
                                            "cost",  "seed", "fold"};

typedef struct col {
    char name[32];
    int numeric;   /* 1 while every value parsed as a number */
    int n_text;    /* distinct texts seen (up to JAHS_MAX_CHOICES) */
    int overflow;  /* more distinct texts than that */
    int too_long;  /* a text longer than a choice name holds */
    char text[JAHS_MAX_CHOICES][32];
    double *num;         /* n rows */
    unsigned char *code; /* n rows: index into text, NO_CODE on overflow */
} col;

struct jahs_tabfile {
    char path[1024];
    int h5;        /* 1: "row N" in messages, else "line N" */
    int n_par;
    col par[JAHS_MAX_PARAMS];
    int has[N_RES];
    size_t n, cap;
    double *res[N_RES]; /* n rows each (absent optional ones: zeros) */
    long *line;         /* n: CSV line or HDF5 row (1-based) */
    /* the cache (under cache_mu): handles out, +1 while cached */
    int refs;
    struct jahs_tabfile *next; /* cache list, most recently used first */
    struct stat id;            /* the file as stat(2) saw it before reading */
};

size_t jahs_tabfile_rows(const jahs_tabfile *t) { return t->n; }

static void destroy(jahs_tabfile *t)
{
    int i;
    if (!t)
        return;
    for (i = 0; i < t->n_par; i++) {
        free(t->par[i].num);
        free(t->par[i].code);
    }
    for (i = 0; i < N_RES; i++)
        free(t->res[i]);
    free(t->line);
    free(t);
}

static int col_of(const jahs_tabfile *t, const char *name)
{
    int k;
    for (k = 0; k < t->n_par; k++)
        if (strcmp(t->par[k].name, name) == 0)
            return k;
    return -1;
}

static const char *where(const jahs_tabfile *t) { return t->h5 ? "row" : "line"; }

/* Room for row t->n in every array. */
static int grow_rows(jahs_tabfile *t, jahs_error *err)
{
    size_t cap = t->cap, need = t->n + 1;
    int i;
    if (need <= cap)
        return 0;
    cap = cap ? 2 * cap : 1024;
    for (i = 0; i < t->n_par; i++) {
        double *d = realloc(t->par[i].num, cap * sizeof *d);
        unsigned char *c = d ? realloc(t->par[i].code, cap) : NULL;
        if (d)
            t->par[i].num = d;
        if (!c)
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        t->par[i].code = c;
    }
    for (i = 0; i < N_RES; i++) {
        double *d = realloc(t->res[i], cap * sizeof *d);
        if (!d)
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        t->res[i] = d;
    }
    {
        long *l = realloc(t->line, cap * sizeof *l);
        if (!l)
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        t->line = l;
    }
    t->cap = cap;
    return 0;
}

/* Sort the column names into reserved ones and parameters. */
static int add_column(jahs_tabfile *t, const char *name, int *res_of,
                      jahs_error *err)
{
    int k;
    *res_of = -1;
    for (k = 0; k < N_RES; k++)
        if (strcmp(name, res_name[k]) == 0) {
            if (t->has[k])
                return JAHS_FAIL(err, JAHS_EPARSE,
                                 "%s: column '%s' appears twice", t->path,
                                 name);
            t->has[k] = 1;
            *res_of = k;
            return 0;
        }
    for (k = 0; k < t->n_par; k++)
        if (strcmp(t->par[k].name, name) == 0)
            return JAHS_FAIL(err, JAHS_EPARSE,
                             "%s: column '%s' appears twice", t->path, name);
    if (!name[0] || strlen(name) >= sizeof t->par[0].name)
        return JAHS_FAIL(err, JAHS_EPARSE,
                         "%s: column name '%s': expected 1 to %zu characters",
                         t->path, name, sizeof t->par[0].name - 1);
    if (t->n_par >= JAHS_MAX_PARAMS)
        return JAHS_FAIL(err, JAHS_EUNSUPPORTED,
                         "%s: more than %d parameter columns", t->path,
                         JAHS_MAX_PARAMS);
    snprintf(t->par[t->n_par].name, sizeof t->par[0].name, "%s", name);
    t->par[t->n_par].numeric = 1;
    t->n_par++;
    return 0;
}

/* The columns every table has, present? */
static int check_columns(const jahs_tabfile *t, jahs_error *err)
{
    int k;
    for (k = C_EPOCH; k <= C_COST; k++)
        if (!t->has[k])
            return JAHS_FAIL(err, JAHS_EPARSE,
                             "%s: no column '%s' (a table has the parameter "
                             "columns and epoch, val, test, cost; seed and "
                             "fold optional)",
                             t->path, res_name[k]);
    if (t->n_par == 0)
        return JAHS_FAIL(err, JAHS_EPARSE,
                         "%s: no parameter columns (every column but epoch, "
                         "val, test, cost, seed and fold is a parameter)",
                         t->path);
    return 0;
}

/* A reserved value of row row: epoch, seed, fold integral and >= 0 (epoch
 * >= 1), all finite. */
static int res_ok(int k, double v)
{
    int integral = k == C_EPOCH || k == C_SEED || k == C_FOLD;
    return isfinite(v) && (!integral || (v == floor(v) && v >= (k == C_EPOCH) &&
                                         v < 9007199254740992.0));
}

static int check_res(const jahs_tabfile *t, int k, double v, size_t row,
                     const char *text, jahs_error *err)
{
    int integral = k == C_EPOCH || k == C_SEED || k == C_FOLD;
    if (res_ok(k, v))
        return 0;
    return JAHS_FAIL(err, JAHS_EPARSE,
                     "%s:%s%ld: column '%s': expected %s, got '%s'", t->path,
                     t->h5 ? " row " : "", t->line[row], res_name[k],
                     k == C_EPOCH  ? "an integer >= 1"
                     : integral    ? "an integer >= 0"
                                   : "a finite number",
                     text);
}

/* Record the text of parameter column c in row t->n. */
static void note_text(col *c, size_t row, const char *s)
{
    int k;
    for (k = 0; k < c->n_text; k++)
        if (strcmp(c->text[k], s) == 0) {
            c->code[row] = (unsigned char)k;
            return;
        }
    if (strlen(s) >= sizeof c->text[0])
        c->too_long = 1;
    if (c->n_text >= JAHS_MAX_CHOICES) {
        c->overflow = 1;
        c->code[row] = NO_CODE;
        return;
    }
    snprintf(c->text[c->n_text], sizeof c->text[0], "%s", s);
    c->code[row] = (unsigned char)c->n_text++;
}

static int load_csv(jahs_tabfile *t, jahs_error *err)
{
    jahs_csv_reader *r = jahs_csv_reader_open(t->path, err);
    int map[JAHS_MAX_PARAMS + N_RES]; /* header column -> par k, or -1-res */
    size_t nh, i;
    int rc;
    if (!r)
        return err->code;
    if ((rc = jahs_csv_read_header(r, err)))
        goto out;
    nh = jahs_csv_header_len(r);
    if (nh > JAHS_MAX_PARAMS + N_RES) {
        rc = JAHS_FAIL(err, JAHS_EUNSUPPORTED,
                       "%s: %zu columns (at most %d parameters and the %d "
                       "reserved ones)",
                       t->path, nh, JAHS_MAX_PARAMS, N_RES);
        goto out;
    }
    for (i = 0; i < nh; i++) {
        int res;
        if ((rc = add_column(t, jahs_csv_header_name(r, i), &res, err)))
            goto out;
        map[i] = res >= 0 ? -1 - res : t->n_par - 1;
    }
    if ((rc = check_columns(t, err)))
        goto out;
    while ((rc = jahs_csv_next(r, err)) == 1) {
        if ((rc = grow_rows(t, err)))
            goto out;
        t->line[t->n] = jahs_csv_line(r);
        if (jahs_csv_nfields(r) != nh) {
            rc = JAHS_FAIL(err, JAHS_EPARSE,
                           "%s:%ld: %zu fields, expected %zu (the header's)",
                           t->path, t->line[t->n], jahs_csv_nfields(r), nh);
            goto out;
        }
        for (i = 0; i < N_RES; i++)
            t->res[i][t->n] = 0;
        for (i = 0; i < nh; i++) {
            const char *s = jahs_csv_field(r, i);
            double v = NAN;
            int ok = jahs_parse_double(s, &v) == 0;
            if (map[i] < 0) {
                int k = -1 - map[i];
                if ((rc = check_res(t, k, ok ? v : NAN, t->n, s, err)))
                    goto out;
                t->res[k][t->n] = v;
                continue;
            }
            if (!s[0]) {
                rc = JAHS_FAIL(err, JAHS_EPARSE,
                               "%s:%ld: column '%s' is empty (every parameter "
                               "needs a value in every row)",
                               t->path, t->line[t->n], t->par[map[i]].name);
                goto out;
            }
            t->par[map[i]].num[t->n] = ok ? v : NAN;
            t->par[map[i]].numeric &= ok && isfinite(v);
            note_text(&t->par[map[i]], t->n, s);
        }
        t->n++;
    }
out:
    jahs_csv_reader_free(r);
    return rc < 0 ? rc : 0;
}

/* HDF5 (tabfile.h's layout). */
static int load_h5_column(jahs_tabfile *t, jahs_h5 *h, const char *name,
                          int res, double *buf, int32_t *codes,
                          jahs_error *err)
{
    char ds[128], cs[128];
    size_t i, n = t->n;
    int rc, k = res < 0 ? col_of(t, name) : -1;
    snprintf(ds, sizeof ds, "columns/%s", name);
    snprintf(cs, sizeof cs, "choices/%s", name);
    if (res < 0 && jahs_h5_exists(h, cs)) { /* a column of names */
        col *c = &t->par[k];
        char **ch = NULL;
        size_t nc = 0, j;
        if ((rc = jahs_h5_read_strings(h, cs, &ch, &nc, err)))
            return rc;
        for (j = 0; j < nc && j < JAHS_MAX_CHOICES; j++) {
            c->too_long |= strlen(ch[j]) >= sizeof c->text[0];
            snprintf(c->text[j], sizeof c->text[0], "%s", ch[j]);
        }
        c->n_text = (int)(nc < JAHS_MAX_CHOICES ? nc : JAHS_MAX_CHOICES);
        c->overflow = nc > JAHS_MAX_CHOICES;
        c->numeric = 0;
        jahs_h5_free_strings(ch, nc);
        if ((rc = jahs_h5_read(h, ds, JAHS_H5_I32, codes, n, err)))
            return rc;
        for (i = 0; i < n; i++) {
            if (codes[i] < 0 || codes[i] >= c->n_text)
                return JAHS_FAIL(err, JAHS_EPARSE,
                                 "%s: row %zu: column '%s': code %d is not "
                                 "one of its %d choices",
                                 t->path, i + 1, name, (int)codes[i],
                                 c->n_text);
            c->code[i] = (unsigned char)codes[i];
            c->num[i] = NAN;
        }
        return 0;
    }
    if ((rc = jahs_h5_read(h, ds, JAHS_H5_F64, buf, n, err)))
        return rc;
    for (i = 0; i < n; i++) {
        char txt[40];
        if (res >= 0) {
            if (!res_ok(res, buf[i]) &&
                (rc = check_res(t, res, buf[i], i,
                                jahs_format_double(txt, sizeof txt, buf[i]),
                                err)))
                return rc;
            t->res[res][i] = buf[i];
            continue;
        }
        if (!isfinite(buf[i]))
            return JAHS_FAIL(err, JAHS_EPARSE,
                             "%s: row %zu: column '%s': expected a finite "
                             "number",
                             t->path, i + 1, name);
        t->par[k].num[i] = buf[i];
        t->par[k].code[i] = NO_CODE;
    }
    return 0;
}

static int load_h5(jahs_tabfile *t, jahs_error *err)
{
    jahs_h5 *h = jahs_h5_open(t->path, err);
    char *names = NULL, *tok, *save = NULL, ds[128];
    char *order[JAHS_MAX_PARAMS + N_RES];
    int res_of[JAHS_MAX_PARAMS + N_RES];
    double *buf = NULL;
    int32_t *codes = NULL;
    uint64_t dims[JAHS_H5_MAX_RANK];
    int rank, rc, nc = 0, k;
    size_t n = 0, i;
    if (!h)
        return err->code;
    if ((rc = jahs_h5_attr_get_str(h, "/", "columns", &names, err))) {
        jahs_error_prefix(err, "%s is not a jahs table file (no 'columns' "
                               "attribute)", t->path);
        goto out;
    }
    for (tok = strtok_r(names, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (nc >= JAHS_MAX_PARAMS + N_RES) {
            rc = JAHS_FAIL(err, JAHS_EUNSUPPORTED,
                           "%s: more than %d columns", t->path,
                           JAHS_MAX_PARAMS + N_RES);
            goto out;
        }
        if ((rc = add_column(t, tok, &res_of[nc], err)))
            goto out;
        snprintf(ds, sizeof ds, "columns/%s", tok);
        if ((rc = jahs_h5_shape(h, ds, &rank, dims, err)))
            goto out;
        if (rank != 1 || dims[0] == 0 || (nc && dims[0] != n)) {
            rc = JAHS_FAIL(err, JAHS_EPARSE,
                           "%s: dataset '%s': expected one value per row, "
                           "%zu of them",
                           t->path, ds, nc ? n : (size_t)dims[0]);
            goto out;
        }
        n = (size_t)dims[0];
        order[nc++] = tok;
    }
    if ((rc = check_columns(t, err)))
        goto out;
    for (t->n = 0; t->cap < n; t->n = t->cap)
        if ((rc = grow_rows(t, err)))
            goto out;
    t->n = n;
    for (i = 0; i < n; i++)
        t->line[i] = (long)i + 1;
    for (k = 0; k < N_RES; k++)
        memset(t->res[k], 0, n * sizeof(double));
    if (!(buf = malloc(n * sizeof *buf)) ||
        !(codes = malloc(n * sizeof *codes))) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    for (k = 0; k < nc && !rc; k++)
        rc = load_h5_column(t, h, order[k], res_of[k], buf, codes, err);
out:
    free(names);
    free(buf);
    free(codes);
    jahs_h5_close(h);
    return rc;
}

/* ---- the cache (see the top of the file) ---------------------------------- */

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static jahs_tabfile *cache_head;     /* most recently used first */
static size_t cache_limit = JAHS_TABFILE_CACHE_BYTES;
static long n_reads;                 /* files read (tests) */
static int exit_hook;                /* cache_exit registered */

/* Bytes a table holds (its columns and line numbers). */
static size_t table_bytes(const jahs_tabfile *t)
{
    return sizeof *t + t->cap * ((size_t)t->n_par * (sizeof(double) + 1) +
                                 N_RES * sizeof(double) + sizeof(long));
}

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
           a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
           a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
           a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Drop one reference (cache_mu held). */
static void unref(jahs_tabfile *t)
{
    if (--t->refs == 0)
        destroy(t);
}

/* Take *pp out of the cache (cache_mu held); its handles stay valid. */
static void uncache(jahs_tabfile **pp)
{
    jahs_tabfile *t = *pp;
    *pp = t->next;
    t->next = NULL;
    unref(t);
}

/* Tables no handle uses, beyond the limit counted from the most recently
 * used, leave the cache (cache_mu held).  The first one always stays. */
static void trim(void)
{
    jahs_tabfile **pp = &cache_head;
    size_t sum = 0;
    while (*pp) {
        sum += table_bytes(*pp);
        if (*pp != cache_head && sum > cache_limit && (*pp)->refs == 1) {
            sum -= table_bytes(*pp);
            uncache(pp);
        } else
            pp = &(*pp)->next;
    }
}

void jahs_tabfile_cache_clear(void)
{
    pthread_mutex_lock(&cache_mu);
    while (cache_head)
        uncache(&cache_head);
    pthread_mutex_unlock(&cache_mu);
}

static void cache_exit(void) { jahs_tabfile_cache_clear(); }

size_t jahs_tabfile_cache_limit(size_t bytes)
{
    size_t old;
    pthread_mutex_lock(&cache_mu);
    old = cache_limit;
    cache_limit = bytes;
    trim();
    pthread_mutex_unlock(&cache_mu);
    return old;
}

long jahs_tabfile_loads(void)
{
    long n;
    pthread_mutex_lock(&cache_mu);
    n = n_reads;
    pthread_mutex_unlock(&cache_mu);
    return n;
}

void jahs_tabfile_free(jahs_tabfile *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&cache_mu);
    unref(t);
    pthread_mutex_unlock(&cache_mu);
}

/* Read path (the format by its first bytes): a table with one reference. */
static jahs_tabfile *read_table(const char *path, jahs_error *err)
{
    unsigned char head[8] = {0};
    jahs_tabfile *t;
    FILE *f;
    int rc;
    if (!(f = fopen(path, "rb"))) {
        JAHS_FAIL(err, JAHS_EIO, "cannot open table file '%s'", path);
        return NULL;
    }
    if (fread(head, 1, sizeof head, f) != sizeof head)
        memset(head, 0, sizeof head);
    fclose(f);
    if (!(t = calloc(1, sizeof *t))) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    snprintf(t->path, sizeof t->path, "%s", path);
    t->h5 = jahs_h5_sniff(head, sizeof head);
    n_reads++;
    rc = t->h5 ? load_h5(t, err) : load_csv(t, err);
    if (!rc && t->n == 0)
        rc = JAHS_FAIL(err, JAHS_EPARSE, "%s: no rows", path);
    if (rc) {
        destroy(t);
        return NULL;
    }
    t->refs = 1;
    return t;
}

jahs_tabfile *jahs_tabfile_load(const char *path, jahs_error *err)
{
    jahs_tabfile *t, **pp;
    struct stat st;
    int known;
    if (!path || !path[0]) {
        JAHS_FAIL(err, JAHS_EINVAL,
                  "no table file (evaluator = table needs table_file = FILE)");
        return NULL;
    }
    /* a path too long to be kept whole, or one stat cannot see, is read
     * (and its error reported) without the cache */
    known = strlen(path) < sizeof t->path && stat(path, &st) == 0;
    pthread_mutex_lock(&cache_mu);
    for (pp = &cache_head; known && *pp; pp = &(*pp)->next)
        if (strcmp((*pp)->path, path) == 0)
            break;
    if (known && *pp && same_file(&(*pp)->id, &st)) {
        t = *pp; /* a hit: to the front */
        *pp = t->next;
        t->next = cache_head;
        cache_head = t;
        t->refs++;
        pthread_mutex_unlock(&cache_mu);
        return t;
    }
    if (known && *pp)
        uncache(pp); /* the file changed: read it again */
    if ((t = read_table(path, err)) && known) {
        t->id = st;
        t->refs++;
        t->next = cache_head;
        cache_head = t;
        if (!exit_hook)
            exit_hook = atexit(cache_exit) == 0;
        trim();
    }
    pthread_mutex_unlock(&cache_mu);
    if (t)
        jahs_debug("table file '%s': read, %zu rows", path, t->n);
    return t;
}

/* ---- the space ------------------------------------------------------------ */

/* 1 when sp's parameter names are t's parameter columns. */
static int same_names(const jahs_tabfile *t, const jahs_space *sp)
{
    int i;
    if (sp->n != t->n_par)
        return 0;
    for (i = 0; i < sp->n; i++)
        if (col_of(t, sp->params[i].name) < 0)
            return 0;
    return 1;
}

static int cmp_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Parameter k of the columns' space (tabfile.h's rules). */
static int add_col_param(jahs_space *sp, const jahs_tabfile *t, int k,
                         jahs_error *err)
{
    const col *c = &t->par[k];
    const char *doc = "from a column of the table file";
    double lo = INFINITY, hi = -INFINITY, grid[JAHS_MAX_CHOICES + 1];
    int integral = 1, rc, n_grid = 0;
    size_t i;
    if (!c->numeric) {
        const char *names[JAHS_MAX_CHOICES];
        int j;
        if (c->overflow || c->too_long)
            return JAHS_FAIL(err, JAHS_EUNSUPPORTED,
                             "%s: column '%s' has texts and %s (a "
                             "categorical takes at most %d choices of at most "
                             "%zu characters); give the space with space = "
                             "NAME",
                             t->path, c->name,
                             c->overflow ? "more than that many distinct "
                                           "values"
                                         : "a value too long for a choice",
                             JAHS_MAX_CHOICES, sizeof c->text[0] - 1);
        for (j = 0; j < c->n_text; j++)
            names[j] = c->text[j];
        qsort(names, (size_t)c->n_text, sizeof *names, cmp_text);
        rc = jahs_space_add_cat(sp, c->name, JAHS_GROUP_HP, names, c->n_text,
                                doc);
        return rc < 0 ? JAHS_FAIL(err, rc, "%s: column '%s': cannot make a "
                                           "categorical of it",
                                  t->path, c->name)
                      : 0;
    }
    for (i = 0; i < t->n; i++) {
        double v = c->num[i];
        int j;
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
        integral &= v == floor(v) && fabs(v) < 2147483647.0;
        for (j = 0; j < n_grid && grid[j] != v; j++)
            ;
        if (j == n_grid && n_grid <= JAHS_MAX_CHOICES)
            grid[n_grid++] = v;
    }
    if (n_grid <= JAHS_MAX_CHOICES) { /* a grid: its values as choices */
        char text[JAHS_MAX_CHOICES][40];
        const char *names[JAHS_MAX_CHOICES];
        int j;
        qsort(grid, (size_t)n_grid, sizeof *grid, cmp_double);
        for (j = 0; j < n_grid; j++)
            names[j] = jahs_format_double(text[j], sizeof text[j], grid[j]);
        rc = jahs_space_add_cat(sp, c->name, JAHS_GROUP_HP, names, n_grid,
                                doc);
    } else if (integral)
        rc = jahs_space_add_int(sp, c->name, JAHS_GROUP_HP, (long)lo,
                                (long)hi, lo > 0 && hi >= 100 * lo, doc);
    else
        rc = jahs_space_add_float(sp, c->name, JAHS_GROUP_HP, lo, hi,
                                  lo > 0 && hi >= 100 * lo, doc);
    return rc < 0 ? JAHS_FAIL(err, rc, "%s: column '%s': cannot make a "
                                       "parameter of [%g, %g]",
                              t->path, c->name, lo, hi)
                  : 0;
}

static void names_of(const jahs_tabfile *t, const jahs_space *sp,
                     jahs_buf *b)
{
    int i;
    for (i = 0; t && i < t->n_par; i++)
        jahs_buf_printf(b, "%s%s", i ? ", " : "", t->par[i].name);
    for (i = 0; sp && i < sp->n; i++)
        jahs_buf_printf(b, "%s%s", i ? ", " : "", sp->params[i].name);
}

jahs_space *jahs_tabfile_space(const jahs_tabfile *t, const char *space_key,
                               const char *deflt, jahs_error *err)
{
    jahs_space *sp = NULL;
    jahs_error ignored = {0};
    int k;
    if (space_key && space_key[0]) {
        sp = jahs_space_open(space_key, &ignored);
        if (sp && same_names(t, sp))
            return sp;
        if (!deflt || strcmp(space_key, deflt) != 0) {
            jahs_buf a = {0}, b = {0};
            names_of(t, NULL, &a);
            if (sp)
                names_of(NULL, sp, &b);
            JAHS_FAIL(err, JAHS_EINVAL,
                      "%s: the parameter columns (%s) are not the parameters "
                      "of space '%s' (%s); leave space out to take the "
                      "columns' space",
                      t->path, a.data ? a.data : "", space_key,
                      b.data ? b.data : ignored.msg);
            jahs_buf_free(&a);
            jahs_buf_free(&b);
            jahs_space_free(sp);
            return NULL;
        }
        jahs_space_free(sp);
    }
    if (!(sp = calloc(1, sizeof *sp))) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    snprintf(sp->name, sizeof sp->name, "table");
    sp->doc = "the parameter columns of a table file (evaluator = table)";
    sp->macro = JAHS_MACRO_CELL;
    for (k = 0; k < t->n_par; k++)
        if (add_col_param(sp, t, k, err)) {
            jahs_space_free(sp);
            return NULL;
        }
    jahs_space_finish(sp);
    return sp;
}

/* ---- the evaluator ---------------------------------------------------------- */

typedef struct row_key {
    uint32_t cfg;
    int32_t fold;
    uint64_t seed;
    int32_t epoch;
    uint32_t row;
} row_key;

typedef struct table_eval {
    jahs_tabfile *t;
    const jahs_space *sp;
    int resume;
    size_t n_cfg;
    double *cfg;            /* n_cfg x sp->n, in the space's units */
    size_t *first, *count;  /* n_cfg: its rows in keys */
    row_key *keys;          /* t->n, sorted by (cfg, seed, fold, epoch) */
    size_t hash_cap;        /* power of two */
    uint32_t *hash;         /* config index + 1, 0: empty */
    uint64_t *seeds;        /* distinct, sorted */
    size_t n_seeds;
} table_eval;

static uint64_t hash_config(const double *x, int n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL, u;
    int i;
    for (i = 0; i < n; i++) {
        double v = x[i] == 0 ? 0 : x[i];
        memcpy(&u, &v, sizeof u);
        h = jahs_mix64(h ^ u);
    }
    return h;
}

/* The config index of x, or -1 (exact match). */
static long find_exact(const table_eval *te, const double *x)
{
    int n = te->sp->n;
    size_t m = te->hash_cap - 1, i = hash_config(x, n) & m;
    for (; te->hash[i]; i = (i + 1) & m) {
        size_t c = te->hash[i] - 1;
        if (memcmp(te->cfg + c * (size_t)n, x, (size_t)n * sizeof *x) == 0)
            return (long)c;
    }
    return -1;
}

static int cmp_key(const void *pa, const void *pb)
{
    const row_key *a = pa, *b = pb;
    if (a->cfg != b->cfg)
        return a->cfg < b->cfg ? -1 : 1;
    if (a->seed != b->seed)
        return a->seed < b->seed ? -1 : 1;
    if (a->fold != b->fold)
        return a->fold < b->fold ? -1 : 1;
    if (a->epoch != b->epoch)
        return a->epoch < b->epoch ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
}

static int cmp_u64(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return a < b ? -1 : a > b;
}

static void table_close(void *state)
{
    table_eval *te = state;
    if (!te)
        return;
    jahs_tabfile_free(te->t);
    free(te->cfg);
    free(te->first);
    free(te->count);
    free(te->keys);
    free(te->hash);
    free(te->seeds);
    free(te);
}

/* What a column's values mean for a categorical parameter, found once per
 * distinct value (text parsing per row is too slow for millions of rows). */
typedef struct memo {
    int n;
    double key[JAHS_MAX_CHOICES + 1]; /* a number, or a text's code */
    double val[JAHS_MAX_CHOICES + 1]; /* its choice index */
} memo;

/* Row i's value of space parameter p from column c, in p's units. */
static int row_value(const jahs_tabfile *t, const col *c, const jahs_param *p,
                     memo *m, size_t i, double *v, jahs_error *err)
{
    char txt[40];
    const char *s = c->code[i] != NO_CODE ? c->text[c->code[i]] : NULL;
    if (p->kind == JAHS_PARAM_CAT) {
        double key = c->numeric ? c->num[i] : (double)c->code[i];
        int k;
        for (k = 0; k < m->n; k++)
            if (m->key[k] == key) {
                *v = m->val[k];
                return 0;
            }
        if (!s || c->numeric)
            s = jahs_format_double(txt, sizeof txt, c->num[i]);
        if (jahs_param_parse(p, s, v) == 0) {
            if (m->n <= JAHS_MAX_CHOICES) {
                m->key[m->n] = key;
                m->val[m->n++] = *v;
            }
            return 0;
        }
        return JAHS_FAIL(err, JAHS_EPARSE,
                         "%s:%s%ld: column '%s': '%s' is not one of its "
                         "choices",
                         t->path, t->h5 ? " row " : "", t->line[i], c->name,
                         s);
    }
    if (!c->numeric || !jahs_param_valid(p, c->num[i])) {
        char lo[40], hi[40];
        if (c->numeric)
            s = jahs_format_double(txt, sizeof txt, c->num[i]);
        return JAHS_FAIL(err, JAHS_EPARSE,
                         "%s:%s%ld: column '%s': expected %s in [%s, %s], "
                         "got '%s'",
                         t->path, t->h5 ? " row " : "", t->line[i], c->name,
                         p->kind == JAHS_PARAM_INT ? "an integer" : "a number",
                         jahs_format_double(lo, sizeof lo, p->lo),
                         jahs_format_double(hi, sizeof hi, p->hi),
                         s ? s : "?");
    }
    *v = c->num[i];
    return 0;
}

/* Configs of the rows, merged; keys sorted; seeds. */
static int bind(table_eval *te, jahs_error *err)
{
    const jahs_tabfile *t = te->t;
    const jahs_space *sp = te->sp;
    int n = sp->n, map[JAHS_MAX_PARAMS], j;
    memo memos[JAHS_MAX_PARAMS];
    size_t i, cap_cfg = 0;
    double x[JAHS_MAX_PARAMS];
    if (!same_names(t, sp)) {
        jahs_buf a = {0}, b = {0};
        int rc;
        names_of(t, NULL, &a);
        names_of(NULL, sp, &b);
        rc = JAHS_FAIL(err, JAHS_EINVAL,
                       "%s: the parameter columns (%s) are not space '%s''s "
                       "parameters (%s)",
                       t->path, a.data ? a.data : "", sp->name,
                       b.data ? b.data : "");
        jahs_buf_free(&a);
        jahs_buf_free(&b);
        return rc;
    }
    memset(memos, 0, sizeof memos);
    for (j = 0; j < n; j++)
        map[j] = col_of(t, sp->params[j].name);
    for (te->hash_cap = 64; te->hash_cap < 2 * t->n; te->hash_cap *= 2)
        ;
    if (!(te->hash = calloc(te->hash_cap, sizeof *te->hash)) ||
        !(te->keys = malloc(t->n * sizeof *te->keys)) ||
        !(te->seeds = malloc(t->n * sizeof *te->seeds)))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    for (i = 0; i < t->n; i++) {
        long c;
        for (j = 0; j < n; j++)
            if (row_value(t, &t->par[map[j]], &sp->params[j], &memos[j], i,
                          &x[j], err))
                return err->code;
        if ((c = find_exact(te, x)) < 0) {
            size_t m = te->hash_cap - 1, h = hash_config(x, n) & m;
            if (jahs_grow((void **)&te->cfg, &cap_cfg, te->n_cfg + 1,
                          (size_t)n * sizeof *x))
                return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
            memcpy(te->cfg + te->n_cfg * (size_t)n, x, (size_t)n * sizeof *x);
            while (te->hash[h])
                h = (h + 1) & m;
            te->hash[h] = (uint32_t)(te->n_cfg + 1);
            c = (long)te->n_cfg++;
        }
        te->keys[i].cfg = (uint32_t)c;
        te->keys[i].seed = (uint64_t)t->res[C_SEED][i];
        te->keys[i].fold = (int32_t)t->res[C_FOLD][i];
        te->keys[i].epoch = (int32_t)t->res[C_EPOCH][i];
        te->keys[i].row = (uint32_t)i;
        te->seeds[i] = te->keys[i].seed;
    }
    qsort(te->keys, t->n, sizeof *te->keys, cmp_key);
    qsort(te->seeds, t->n, sizeof *te->seeds, cmp_u64);
    for (i = 0; i < t->n; i++)
        if (i == 0 || te->seeds[i] != te->seeds[te->n_seeds - 1])
            te->seeds[te->n_seeds++] = te->seeds[i];
    if (!(te->first = calloc(te->n_cfg, sizeof *te->first)) ||
        !(te->count = calloc(te->n_cfg, sizeof *te->count)))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    for (i = 0; i < t->n; i++) {
        const row_key *k = &te->keys[i];
        if (i > 0 && cmp_key(&(row_key){k->cfg, k->fold, k->seed, k->epoch, 0},
                             &(row_key){k[-1].cfg, k[-1].fold, k[-1].seed,
                                        k[-1].epoch, 0}) == 0) {
            long a = t->line[k[-1].row], b = t->line[k->row];
            return JAHS_FAIL(err, JAHS_EPARSE,
                             "%s:%s%ld: the same config, epoch, seed and "
                             "fold as %s %ld",
                             t->path, t->h5 ? " row " : "", a > b ? a : b,
                             where(t), a > b ? b : a);
        }
        if (te->count[k->cfg]++ == 0)
            te->first[k->cfg] = i;
    }
    return 0;
}

static void *table_open(const jahs_eval_options *o, jahs_error *err)
{
    table_eval *te;
    size_t i;
    int max_epoch = 0;
    if (!o || !o->space) {
        JAHS_FAIL(err, JAHS_EINVAL, "the table evaluator needs a space");
        return NULL;
    }
    if (!(te = calloc(1, sizeof *te))) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    te->sp = o->space;
    te->resume = o->resume;
    if (!(te->t = jahs_tabfile_load(o->table_file, err)) || bind(te, err)) {
        table_close(te);
        return NULL;
    }
    for (i = 0; i < te->t->n; i++)
        if (te->t->res[C_EPOCH][i] > max_epoch)
            max_epoch = (int)te->t->res[C_EPOCH][i];
    if (o->max_epochs > max_epoch) {
        JAHS_FAIL(err, JAHS_EINVAL,
                  "%s: max_epochs = %d, but the table's largest epoch is %d",
                  te->t->path, o->max_epochs, max_epoch);
        table_close(te);
        return NULL;
    }
    return te;
}

/* The row of config c at (seed, fold, epoch) in keys, or NULL. */
static const row_key *find_row(const table_eval *te, size_t c, uint64_t seed,
                               int fold, int epoch)
{
    const row_key want = {(uint32_t)c, fold, seed, epoch, 0};
    size_t lo = te->first[c], hi = lo + te->count[c];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        row_key k = te->keys[mid];
        k.row = 0;
        if (cmp_key(&k, &want) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < te->first[c] + te->count[c]) {
        const row_key *k = &te->keys[lo];
        if (k->seed == seed && k->fold == fold && k->epoch == epoch)
            return k;
    }
    return NULL;
}

static int table_eval_one(void *state, const jahs_eval_request *req,
                          jahs_eval_result *out, jahs_error *err)
{
    const table_eval *te = state;
    const jahs_tabfile *t = te->t;
    int n = te->sp->n, fold = t->has[C_FOLD] ? req->fold : 0;
    long c = find_exact(te, req->config);
    uint64_t seed;
    const row_key *k, *k0 = NULL;
    size_t i;
    if (c < 0) { /* off the grid: the nearest config */
        double best = INFINITY;
        for (i = 0; i < te->n_cfg; i++) {
            double d = jahs_space_distance(te->sp, req->config,
                                           te->cfg + i * (size_t)n);
            if (d < best) {
                best = d;
                c = (long)i;
            }
        }
    }
    seed = te->seeds[0];
    for (i = 0; i < te->n_seeds && te->seeds[i] != req->seed; i++)
        ;
    seed = i < te->n_seeds ? req->seed : te->seeds[req->seed % te->n_seeds];
    k = find_row(te, (size_t)c, seed, fold, req->epochs);
    if (k && te->resume && req->resume_from > 0)
        k0 = find_row(te, (size_t)c, seed, fold, req->resume_from);
    if (!k || (te->resume && req->resume_from > 0 && !k0)) {
        jahs_buf b = {0};
        int rc;
        jahs_config_format(te->sp, te->cfg + (size_t)c * (size_t)n, &b);
        rc = JAHS_FAIL(err, JAHS_ENOTFOUND,
                       "%s: no row for config %s at epoch %d (seed %llu%s%s); "
                       "a table needs a row at every epoch the optimizer asks "
                       "for (its rungs)",
                       t->path, b.data ? b.data : "",
                       k ? req->resume_from : req->epochs,
                       (unsigned long long)seed,
                       t->has[C_FOLD] ? ", fold " : "",
                       t->has[C_FOLD] ? (req->fold ? "1+" : "0") : "");
        jahs_buf_free(&b);
        return rc;
    }
    out->val_acc = t->res[C_VAL][k->row];
    out->test_acc = t->res[C_TEST][k->row];
    out->cost = t->res[C_COST][k->row];
    if (k0) {
        out->cost -= t->res[C_COST][k0->row];
        if (out->cost < 0)
            out->cost = 0;
    }
    return 0;
}

static jahs_space *table_space(const jahs_eval_options *o,
                               const char *space_key, const char *deflt,
                               jahs_error *err)
{
    jahs_tabfile *t = jahs_tabfile_load(o->table_file, err);
    jahs_space *sp = t ? jahs_tabfile_space(t, space_key, deflt, err) : NULL;
    jahs_tabfile_free(t);
    return sp;
}

static const jahs_eval_decl table_decl = {"table_file,resume", 0, NULL,
                                          NULL, NULL,
                                          table_space, NULL, 0};

const jahs_eval_type jahs_eval_table = {
    "table",
    "a tabular benchmark from a file (table_file: CSV, gzip CSV or HDF5, one "
    "row per config, epoch[, seed, fold] with val, test, cost; the space from "
    "its columns; nearest config off the grid)",
    table_open, table_eval_one, table_close, &table_decl};

/* ---- the writer ------------------------------------------------------------- */

struct jahs_tabfile_writer {
    jahs_tabfile_format fmt;
    const jahs_space *sp;
    char path[1024];
    jahs_csv_writer *csv;
    size_t n, cap;
    double *num;   /* h5: n x (sp->n + 6), row-major */
};

#define W_COLS(w) ((size_t)(w)->sp->n + 6)

static const char *const out_res[6] = {"epoch", "fold", "seed",
                                       "val",   "test", "cost"};

jahs_tabfile_writer *jahs_tabfile_writer_open(const char *path,
                                              jahs_tabfile_format fmt,
                                              const jahs_space *sp,
                                              jahs_error *err)
{
    jahs_tabfile_writer *w = calloc(1, sizeof *w);
    int i;
    if (!w) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    w->fmt = fmt;
    w->sp = sp;
    snprintf(w->path, sizeof w->path, "%s", path);
    if (fmt == JAHS_TABFILE_H5)
        return w;
    if (!(w->csv = jahs_csv_open(path, JAHS_CSV_ATOMIC, NULL, err))) {
        free(w);
        return NULL;
    }
    for (i = 0; i < sp->n; i++)
        jahs_csv_str(w->csv, sp->params[i].name);
    for (i = 0; i < 6; i++)
        jahs_csv_str(w->csv, out_res[i]);
    if (jahs_csv_end_row(w->csv, err)) {
        jahs_tabfile_writer_abort(w);
        return NULL;
    }
    return w;
}

int jahs_tabfile_writer_row(jahs_tabfile_writer *w, const double *x,
                            int epoch, int fold, uint64_t seed,
                            const jahs_eval_result *r, jahs_error *err)
{
    const double res[6] = {epoch, fold, (double)seed,
                           r->val_acc, r->test_acc, r->cost};
    int i;
    if (w->fmt == JAHS_TABFILE_H5) {
        double *row;
        if (jahs_grow((void **)&w->num, &w->cap, w->n + 1,
                      W_COLS(w) * sizeof *w->num))
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        row = w->num + w->n++ * W_COLS(w);
        memcpy(row, x, (size_t)w->sp->n * sizeof *x);
        memcpy(row + w->sp->n, res, sizeof res);
        return 0;
    }
    for (i = 0; i < w->sp->n; i++) {
        char buf[64];
        jahs_csv_str(w->csv, jahs_param_format(&w->sp->params[i], x[i], buf,
                                               sizeof buf));
    }
    jahs_csv_int(w->csv, epoch);
    jahs_csv_int(w->csv, fold);
    jahs_csv_int(w->csv, (long long)seed);
    for (i = 3; i < 6; i++)
        jahs_csv_double(w->csv, res[i]);
    return jahs_csv_end_row(w->csv, err);
}

static int write_h5(jahs_tabfile_writer *w, jahs_error *err)
{
    jahs_h5 *h = jahs_h5_create(w->path, err);
    jahs_buf names = {0};
    size_t nc = W_COLS(w), i, c;
    double *vals = malloc((w->n ? w->n : 1) * sizeof *vals);
    int32_t *codes = malloc((w->n ? w->n : 1) * sizeof *codes);
    uint64_t dims[1] = {w->n};
    int rc = 0;
    if (!h) {
        free(vals);
        free(codes);
        return err->code;
    }
    if (!vals || !codes) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    if (w->n == 0) {
        rc = JAHS_FAIL(err, JAHS_EINVAL, "%s: no rows to write", w->path);
        goto out;
    }
    for (c = 0; c < nc && !rc; c++) {
        const jahs_param *p = c < (size_t)w->sp->n ? &w->sp->params[c] : NULL;
        const char *name = p ? p->name : out_res[c - (size_t)w->sp->n];
        char ds[128];
        jahs_buf_printf(&names, "%s%s", c ? "," : "", name);
        snprintf(ds, sizeof ds, "columns/%s", name);
        if (p && p->kind == JAHS_PARAM_CAT) {
            const char *ch[JAHS_MAX_CHOICES];
            char cs[128];
            int k;
            for (i = 0; i < w->n; i++)
                codes[i] = (int32_t)w->num[i * nc + c];
            for (k = 0; k < p->n_choices; k++)
                ch[k] = p->choices[k];
            snprintf(cs, sizeof cs, "choices/%s", name);
            rc = jahs_h5_write(h, ds, JAHS_H5_I32, 1, dims, codes, 4, err);
            if (!rc)
                rc = jahs_h5_write_strings(h, cs, ch, (size_t)p->n_choices, 0,
                                           err);
            continue;
        }
        for (i = 0; i < w->n; i++)
            vals[i] = w->num[i * nc + c];
        rc = jahs_h5_write(h, ds, JAHS_H5_F64, 1, dims, vals, 4, err);
    }
    if (!rc && !names.data)
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    if (!rc)
        rc = jahs_h5_attr_set_str(h, "/", "columns", names.data, err);
    if (!rc) {
        rc = jahs_h5_commit(h, err);
        h = NULL;
    }
out:
    jahs_h5_close(h);
    jahs_buf_free(&names);
    free(vals);
    free(codes);
    return rc;
}

int jahs_tabfile_writer_close(jahs_tabfile_writer *w, jahs_error *err)
{
    int rc;
    if (!w)
        return 0;
    if (w->fmt == JAHS_TABFILE_H5)
        rc = write_h5(w, err);
    else {
        rc = jahs_csv_close(w->csv, err);
        w->csv = NULL;
    }
    free(w->num);
    free(w);
    return rc;
}

void jahs_tabfile_writer_abort(jahs_tabfile_writer *w)
{
    if (!w)
        return;
    jahs_csv_abort(w->csv);
    free(w->num);
    free(w);
}
