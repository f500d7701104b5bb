/*
 * rng.h - named, independent random streams over GSL.
 *
 * A stream is identified by (seed, purpose, index): the experiment seed, a
 * purpose string naming the consumer ("opt/asha/sample", "train/augment") and
 * an index (a trial id, a fold).  Each stream's GSL generator (MT19937) is
 * seeded from a SplitMix64 hash of the three, so a new draw in one component
 * never shifts the numbers of another.  jahs_rng_hash gives the same
 * derivation without a generator, for stateless noise (the tabular benchmark).
 */
#ifndef JAHS_CORE_RNG_H
#define JAHS_CORE_RNG_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "core/error.h"

typedef struct jahs_rng jahs_rng;

/* 64-bit hash of (seed, purpose, index); deterministic across platforms. */
uint64_t jahs_rng_hash(uint64_t seed, const char *purpose, uint64_t index);

/*
 * Create the stream (seed, purpose, index).  Returns NULL and fills err on
 * allocation failure.  Free with jahs_rng_free.
 */
jahs_rng *jahs_rng_create(uint64_t seed, const char *purpose, uint64_t index,
                          jahs_error *err);
/* Free; NULL is a no-op. */
void jahs_rng_free(jahs_rng *r);

/* Uniform on [0, 1). */
double jahs_rng_uniform(jahs_rng *r);
/* Uniform on (0, 1): never 0 (for logs). */
double jahs_rng_uniform_pos(jahs_rng *r);
/* Uniform integer in [0, n); n >= 1. */
unsigned long jahs_rng_int(jahs_rng *r, unsigned long n);
/* Gaussian with mean 0 and standard deviation sigma. */
double jahs_rng_gaussian(jahs_rng *r, double sigma);
/* Index drawn with probability w[i] / sum(w); weights >= 0, sum > 0. */
size_t jahs_rng_discrete(jahs_rng *r, const double *w, size_t n);
/* The underlying generator, for gsl_ran_* calls.  Owned by r. */
gsl_rng *jahs_rng_gsl(jahs_rng *r);

/* Generator state as bytes, for checkpoints: size, then copy out / in. */
size_t jahs_rng_state_size(const jahs_rng *r);
void jahs_rng_state_get(const jahs_rng *r, void *buf);
void jahs_rng_state_set(jahs_rng *r, const void *buf);
/* 0 when buf (jahs_rng_state_size bytes) cannot be a state of r's
 * generator (a corrupt checkpoint): set it only when this is 1. */
int jahs_rng_state_valid(const jahs_rng *r, const void *buf);

/* Unit uniform from a hash (53 random bits): stateless noise. */
double jahs_hash_uniform(uint64_t h);
/* Standard normal from two hashes (Box-Muller on jahs_hash_uniform). */
double jahs_hash_gaussian(uint64_t h1, uint64_t h2);

#endif
