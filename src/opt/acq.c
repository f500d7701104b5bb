/*
 * acq.c - expected improvement, the exclusion set and the EI search; see
 * acq.h for the conventions and the sources.
 */
#include "opt/acq.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "core/util.h"

double jahs_ei(double mean, double sd, double best)
{
    double u;
    if (!(sd > 0))
        return best > mean ? best - mean : 0.0;
    u = (best - mean) / sd;
    return sd * (u * gsl_cdf_ugaussian_P(u) + gsl_ran_ugaussian_pdf(u));
}

/* ---- config set: open addressing on a hash of the canonical values ----- */

struct jahs_config_set {
    const jahs_space *sp;
    double *vals;    /* cap x JAHS_MAX_PARAMS */
    uint64_t *hash;  /* cap; 0 = empty slot */
    size_t n, cap;   /* cap a power of two */
};

static uint64_t config_hash(const jahs_space *sp, const double *x)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    int i;
    for (i = 0; i < sp->n; i++) {
        double v = x[i];
        uint64_t b;
        if (isnan(v))
            b = 0x7ff8dead7ff8deadULL; /* every NAN alike */
        else {
            if (v == 0)
                v = 0; /* -0 == 0 */
            memcpy(&b, &v, sizeof b);
        }
        h = jahs_mix64(h ^ b);
    }
    return h ? h : 1;
}

jahs_config_set *jahs_config_set_create(const jahs_space *sp, jahs_error *err)
{
    jahs_config_set *s = calloc(1, sizeof *s);
    if (!s) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    s->sp = sp;
    s->cap = 64;
    s->vals = malloc(s->cap * JAHS_MAX_PARAMS * sizeof *s->vals);
    s->hash = calloc(s->cap, sizeof *s->hash);
    if (!s->vals || !s->hash) {
        jahs_config_set_free(s);
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    return s;
}

void jahs_config_set_free(jahs_config_set *s)
{
    if (!s)
        return;
    free(s->vals);
    free(s->hash);
    free(s);
}

size_t jahs_config_set_size(const jahs_config_set *s) { return s->n; }

void jahs_config_set_clear(jahs_config_set *s)
{
    memset(s->hash, 0, s->cap * sizeof *s->hash);
    s->n = 0;
}

/* Slot of x: its index when present, else the empty slot where it goes. */
static size_t find_slot(const jahs_config_set *s, const double *x, uint64_t h)
{
    size_t mask = s->cap - 1, i = (size_t)h & mask;
    while (s->hash[i] != 0) {
        if (s->hash[i] == h &&
            jahs_config_equal(s->sp, s->vals + i * JAHS_MAX_PARAMS, x))
            return i;
        i = (i + 1) & mask;
    }
    return i;
}

int jahs_config_set_add(jahs_config_set *s, const double *x)
{
    uint64_t h = config_hash(s->sp, x);
    size_t i;
    if (2 * (s->n + 1) > s->cap) { /* keep the load <= 1/2 */
        jahs_config_set big = *s;
        size_t j;
        big.cap = s->cap * 2;
        big.n = 0;
        big.vals = malloc(big.cap * JAHS_MAX_PARAMS * sizeof *big.vals);
        big.hash = calloc(big.cap, sizeof *big.hash);
        if (!big.vals || !big.hash) {
            free(big.vals);
            free(big.hash);
            return JAHS_ENOMEM;
        }
        for (j = 0; j < s->cap; j++)
            if (s->hash[j]) {
                size_t k = find_slot(&big, s->vals + j * JAHS_MAX_PARAMS,
                                     s->hash[j]);
                big.hash[k] = s->hash[j];
                memcpy(big.vals + k * JAHS_MAX_PARAMS,
                       s->vals + j * JAHS_MAX_PARAMS,
                       JAHS_MAX_PARAMS * sizeof *big.vals);
                big.n++;
            }
        free(s->vals);
        free(s->hash);
        *s = big;
    }
    i = find_slot(s, x, h);
    if (s->hash[i])
        return 0;
    s->hash[i] = h;
    memset(s->vals + i * JAHS_MAX_PARAMS, 0,
           JAHS_MAX_PARAMS * sizeof *s->vals);
    memcpy(s->vals + i * JAHS_MAX_PARAMS, x, (size_t)s->sp->n * sizeof *x);
    s->n++;
    return 0;
}

int jahs_config_set_contains(const jahs_config_set *s, const double *x)
{
    uint64_t h = config_hash(s->sp, x);
    return s->hash[find_slot(s, x, h)] != 0;
}

/* ---- EI search ------------------------------------------------------------- */

void jahs_acq_opts_defaults(jahs_acq_opts *o, int candidates)
{
    o->candidates = candidates;
    o->local_starts = 3;
    o->local_rounds = 5;
    o->neighbours = 10;
    o->mutate_prob = 0.3;
    o->mutate_sigma = 0.1;
}

typedef struct {
    const jahs_space *sp;
    jahs_gp *gp;
    double r, best;
    double *z, *rr, *mu, *var; /* m x encoded_dim, m, m, m */
    size_t cap;
} scorer;

static int scorer_reserve(scorer *s, size_t m)
{
    size_t d = (size_t)s->sp->encoded_dim;
    void *p;
    if (m <= s->cap)
        return 0;
#define R(f, cnt)                                                              \
    do {                                                                       \
        p = realloc(s->f, (cnt) * sizeof *s->f);                               \
        if (!p)                                                                \
            return JAHS_ENOMEM;                                                \
        s->f = p;                                                              \
    } while (0)
    R(z, m * d);
    R(rr, m);
    R(mu, m);
    R(var, m);
#undef R
    s->cap = m;
    return 0;
}

/* EI of m configs (rows of x, JAHS_MAX_PARAMS stride) into ei. */
static int score(scorer *s, const double *x, size_t m, double *ei,
                 jahs_error *err)
{
    size_t i, d = (size_t)s->sp->encoded_dim;
    int rc;
    if (scorer_reserve(s, m) != 0)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    for (i = 0; i < m; i++) {
        jahs_space_encode(s->sp, x + i * JAHS_MAX_PARAMS, s->z + i * d);
        s->rr[i] = s->r;
    }
    rc = jahs_gp_predict(s->gp, s->z, s->rr, m, s->mu, s->var, err);
    if (rc != 0)
        return rc;
    for (i = 0; i < m; i++)
        ei[i] = jahs_ei(s->mu[i], sqrt(s->var[i]), s->best);
    return 0;
}

int jahs_acq_maximise(const jahs_space *sp, jahs_gp *gp, double r, double best,
                      const jahs_acq_opts *o, jahs_rng *rng,
                      const jahs_config_set *exclude, double *x_out,
                      double *ei_out, jahs_error *err)
{
    scorer sc;
    size_t nc = o->candidates > 0 ? (size_t)o->candidates : 1;
    size_t nn = o->neighbours > 0 ? (size_t)o->neighbours : 1;
    size_t ns = o->local_starts > 0 ? (size_t)o->local_starts : 0;
    size_t i, k, buf_n = nc > nn ? nc : nn;
    double *xs = NULL, *ei = NULL, best_ei = -1;
    int *ok = NULL, rc = 0, found = 0;
    size_t *top = NULL, ntop = 0;
    double xbest[JAHS_MAX_PARAMS], *starts = NULL, *start_ei = NULL;
    memset(&sc, 0, sizeof sc);
    sc.sp = sp;
    sc.gp = gp;
    sc.r = r;
    sc.best = best;
    xs = malloc(buf_n * JAHS_MAX_PARAMS * sizeof *xs);
    ei = malloc(buf_n * sizeof *ei);
    ok = malloc(buf_n * sizeof *ok);
    top = malloc((ns + 1) * sizeof *top);
    starts = malloc((ns + 1) * JAHS_MAX_PARAMS * sizeof *starts);
    start_ei = malloc((ns + 1) * sizeof *start_ei);
    if (!xs || !ei || !ok || !top || !starts || !start_ei) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    /* 1. random candidates (all drawn first: a fixed number of draws) */
    for (i = 0; i < nc; i++) {
        double *x = xs + i * JAHS_MAX_PARAMS;
        memset(x, 0, JAHS_MAX_PARAMS * sizeof *x);
        jahs_space_sample(sp, rng, x);
        ok[i] = !exclude || !jahs_config_set_contains(exclude, x);
    }
    if ((rc = score(&sc, xs, nc, ei, err)) != 0)
        goto out;
    /* the best ns admissible ones, best first (ties: lower index) */
    for (i = 0; i < nc; i++) {
        size_t pos;
        if (!ok[i])
            continue;
        if (!found || ei[i] > best_ei) {
            best_ei = ei[i];
            memcpy(xbest, xs + i * JAHS_MAX_PARAMS, sizeof xbest);
            found = 1;
        }
        if (ns == 0)
            continue;
        pos = ntop;
        while (pos > 0 && ei[top[pos - 1]] < ei[i])
            pos--;
        if (pos >= ns)
            continue;
        if (ntop < ns)
            ntop++;
        memmove(top + pos + 1, top + pos, (ntop - 1 - pos) * sizeof *top);
        top[pos] = i;
    }
    /* 2. hill climbing from each of the top candidates (copied out first:
     * the candidate buffers are reused for the neighbours) */
    for (k = 0; k < ntop; k++) {
        memcpy(starts + k * JAHS_MAX_PARAMS, xs + top[k] * JAHS_MAX_PARAMS,
               JAHS_MAX_PARAMS * sizeof *starts);
        start_ei[k] = ei[top[k]];
    }
    for (k = 0; k < ntop; k++) {
        double cur[JAHS_MAX_PARAMS], cur_ei = start_ei[k];
        int round;
        memcpy(cur, starts + k * JAHS_MAX_PARAMS, sizeof cur);
        for (round = 0; round < o->local_rounds; round++) {
            size_t j, arg = nn;
            for (j = 0; j < nn; j++)
                jahs_space_mutate(sp, rng, cur, xs + j * JAHS_MAX_PARAMS,
                                  o->mutate_prob, o->mutate_sigma);
            if ((rc = score(&sc, xs, nn, ei, err)) != 0)
                goto out;
            for (j = 0; j < nn; j++) {
                if (exclude &&
                    jahs_config_set_contains(exclude, xs + j * JAHS_MAX_PARAMS))
                    continue;
                if (ei[j] > cur_ei && (arg == nn || ei[j] > ei[arg]))
                    arg = j;
            }
            if (arg == nn)
                break; /* no neighbour improves: a local optimum */
            memcpy(cur, xs + arg * JAHS_MAX_PARAMS, sizeof cur);
            cur_ei = ei[arg];
            if (cur_ei > best_ei) {
                best_ei = cur_ei;
                memcpy(xbest, cur, sizeof xbest);
            }
        }
    }
    if (!found) {
        rc = JAHS_DONE;
        goto out;
    }
    memcpy(x_out, xbest, (size_t)sp->n * sizeof *x_out);
    if (ei_out)
        *ei_out = best_ei;
out:
    free(xs);
    free(ei);
    free(ok);
    free(top);
    free(starts);
    free(start_ei);
    free(sc.z);
    free(sc.rr);
    free(sc.mu);
    free(sc.var);
    return rc;
}
