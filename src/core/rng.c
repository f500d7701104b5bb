/*
 * rng.c - see rng.h.  Seeding: MT19937 takes a 32-bit seed, so the 64-bit
 * stream hash is folded (high ^ low) to 32 bits; GSL maps seed 0 to its
 * default, which we avoid by mapping 0 to 1.
 */
#include "core/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

struct jahs_rng {
    gsl_rng *g;
};

uint64_t jahs_rng_hash(uint64_t seed, const char *purpose, uint64_t index)
{
    uint64_t h = jahs_mix64(seed);
    h = jahs_mix64(h ^ jahs_hash_str(purpose ? purpose : ""));
    h = jahs_mix64(h ^ (index * 0xd1342543de82ef95ULL + 1));
    return h;
}

jahs_rng *jahs_rng_create(uint64_t seed, const char *purpose, uint64_t index,
                          jahs_error *err)
{
    jahs_rng *r = malloc(sizeof *r);
    uint64_t h = jahs_rng_hash(seed, purpose, index);
    unsigned long s = (unsigned long)((h >> 32) ^ (h & 0xffffffffULL));
    if (!r) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for a random stream");
        return NULL;
    }
    r->g = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r->g) {
        free(r);
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for a GSL generator");
        return NULL;
    }
    gsl_rng_set(r->g, s ? s : 1);
    return r;
}

void jahs_rng_free(jahs_rng *r)
{
    if (!r)
        return;
    gsl_rng_free(r->g);
    free(r);
}

double jahs_rng_uniform(jahs_rng *r) { return gsl_rng_uniform(r->g); }

double jahs_rng_uniform_pos(jahs_rng *r) { return gsl_rng_uniform_pos(r->g); }

unsigned long jahs_rng_int(jahs_rng *r, unsigned long n)
{
    return n <= 1 ? 0 : gsl_rng_uniform_int(r->g, n);
}

double jahs_rng_gaussian(jahs_rng *r, double sigma)
{
    /* Box-Muller on the stream's own uniforms keeps the number of draws per
     * call fixed (two), which keeps streams easy to reason about. */
    double u1 = gsl_rng_uniform_pos(r->g), u2 = gsl_rng_uniform(r->g);
    return sigma * sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

size_t jahs_rng_discrete(jahs_rng *r, const double *w, size_t n)
{
    double total = 0.0, u, acc = 0.0;
    size_t i, last = 0;
    for (i = 0; i < n; i++) {
        if (w[i] > 0) {
            total += w[i];
            last = i;
        }
    }
    u = gsl_rng_uniform(r->g) * total;
    for (i = 0; i < n; i++) {
        if (w[i] <= 0)
            continue;
        acc += w[i];
        if (u < acc)
            return i;
    }
    return last;
}

gsl_rng *jahs_rng_gsl(jahs_rng *r) { return r->g; }

size_t jahs_rng_state_size(const jahs_rng *r) { return gsl_rng_size(r->g); }

void jahs_rng_state_get(const jahs_rng *r, void *buf)
{
    memcpy(buf, gsl_rng_state(r->g), gsl_rng_size(r->g));
}

/* GSL's MT19937 state (rng/mt.c, mt_state_t): the 624 words, then the
 * index of the next one; mt_get reads mt[mti] when mti < 624, so a
 * negative mti reads before the array.  The layout is checked against
 * gsl_rng_size before it is trusted. */
typedef struct {
    unsigned long mt[624];
    int mti;
} mt_layout;

int jahs_rng_state_valid(const jahs_rng *r, const void *buf)
{
    mt_layout s;
    int i;
    if (gsl_rng_size(r->g) != sizeof s || r->g->type != gsl_rng_mt19937)
        return 1; /* another generator: nothing known to check */
    memcpy(&s, buf, sizeof s);
    if (s.mti < 0 || s.mti > 624)
        return 0;
    for (i = 0; i < 624; i++) /* 32-bit words */
        if (s.mt[i] > 0xffffffffUL)
            return 0;
    return 1;
}

void jahs_rng_state_set(jahs_rng *r, const void *buf)
{
    memcpy(gsl_rng_state(r->g), buf, gsl_rng_size(r->g));
}

double jahs_hash_uniform(uint64_t h)
{
    return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

double jahs_hash_gaussian(uint64_t h1, uint64_t h2)
{
    double u1 = jahs_hash_uniform(h1), u2 = jahs_hash_uniform(h2);
    if (u1 <= 0.0)
        u1 = 1.0 / 9007199254740992.0;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}
