/*
 * space.h - search spaces: parameters, configurations, sampling, encoding
 * to the unit cube, mutation, and the paper's four spaces.
 *
 * A configuration is a vector of doubles, one per parameter, in the
 * parameter's own units:
 *   - FLOAT: the value (e.g. a learning rate of 0.1);
 *   - INT:   an integral value stored as a double (e.g. 256);
 *   - CAT:   the index of the choice (0 .. n_choices-1) stored as a double;
 *   - an inactive parameter (its condition is false) holds NAN.
 *
 * Unit space: each numeric maps to u in [0, 1] linearly in its value, or in
 * its logarithm when log is set.  Integers map over [lo - 0.5, hi + 0.5]
 * (NEPS v0.11 treats an integer as a float over that widened range and
 * rounds), so a uniform u gives every integer the same probability.
 *
 * Encoding for models (GP, random forest): each numeric is one dimension (its
 * u; 0 when inactive); each categorical is a one-hot block of n_choices
 * dimensions (all zero when inactive).  This is Syne Tune's encoding for
 * MOBSTER.
 */
#ifndef JAHS_SPACE_SPACE_H
#define JAHS_SPACE_SPACE_H

#include <stddef.h>

#include "core/error.h"
#include "core/rng.h"
#include "core/util.h"

#define JAHS_MAX_PARAMS 32
#define JAHS_MAX_CHOICES 16
#define JAHS_MAX_ENCODED 128

typedef enum jahs_param_kind {
    JAHS_PARAM_FLOAT = 0,
    JAHS_PARAM_INT = 1,
    JAHS_PARAM_CAT = 2
} jahs_param_kind;

/* Which prior covers a parameter: "arch priors only" or "HP priors only". */
typedef enum jahs_param_group {
    JAHS_GROUP_ARCH = 0,
    JAHS_GROUP_HP = 1
} jahs_param_group;

typedef struct jahs_param {
    char name[32];
    jahs_param_kind kind;
    jahs_param_group group;
    int log;        /* numerics: log scale */
    double lo, hi;  /* numerics: inclusive bounds */
    int n_choices;  /* categoricals */
    char choices[JAHS_MAX_CHOICES][32];
    /* Condition: active iff cond_parent < 0 or x[cond_parent] >= cond_min. */
    int cond_parent;
    double cond_min;
    int has_default;      /* the space's default (NB201's recipe for HPs) */
    double default_value; /* in the parameter's units (a choice index for CAT) */
    const char *doc;      /* what it is and why this range (static string) */
    int fixed;            /* pinned by an experiment: every sampler returns */
    double fixed_value;   /* fixed_value (a choice index for CAT) */
    /*
     * A prior the space file states (space_file.h; built-in spaces have
     * none): prior_kind 0 none, 1 a truncated normal in unit space
     * (prior_mu, prior_sigma), 2 categorical weights prior_w (normalised).
     * jahs_prior_build uses it for the groups a row's `prior` covers.
     */
    int prior_kind;
    double prior_mu, prior_sigma;
    double prior_value; /* 1: the centre in the parameter's units */
    double prior_w[JAHS_MAX_CHOICES];
} jahs_param;

/* The network family a space's architecture parameters describe. */
typedef enum jahs_macro_kind {
    JAHS_MACRO_CELL = 0,  /* NB201 cell network: edges are parameters */
    JAHS_MACRO_TOP10 = 1, /* NB201 cell network: one of the 10 best cells */
    JAHS_MACRO_SEQ = 2,   /* sequential CNN (conv-BN-ReLU, SGD) */
    JAHS_MACRO_NONE = 3,  /* no network: a space file without NB201 edges
                             (synthetic or user evaluators only) */
    JAHS_MACRO_SEQT = 4   /* the AutoML SS23 template's sequential CNN (Adam) */
} jahs_macro_kind;

typedef struct jahs_space {
    char name[32];
    const char *doc;
    int n;                          /* number of parameters */
    jahs_param params[JAHS_MAX_PARAMS];
    int encoded_dim;                /* length of the unit-cube encoding */
    jahs_macro_kind macro;
    int init_channels;              /* C: channels of the first stage */
    int cells_per_stage;            /* N */
    int stages;                     /* 3 for NB201, 2 for cell64 */
    /* A space read from a file (space_file.h): its fidelity parameter
     * (NEPS is_fidelity), not searched, kept for the export. */
    int from_file;
    int has_fidelity;
    char fidelity[32];
    int fidelity_int;
    double fidelity_lo, fidelity_hi;
    int fidelity_log;
} jahs_space;

/* Names of the built-in spaces, NULL-terminated: nb201, cell64, top10, seqcnn. */
const char *const *jahs_space_names(void);

/* Create a built-in space by name; NULL and err when unknown.  Free with jahs_space_free. */
jahs_space *jahs_space_create(const char *name, jahs_error *err);
/* NULL is a no-op. */
void jahs_space_free(jahs_space *sp);

/*
 * Building blocks for new spaces: append a parameter (returns its index or a
 * negative code).  Used by the built-in definitions and by tests.
 */
int jahs_space_add_float(jahs_space *sp, const char *name, jahs_param_group g,
                         double lo, double hi, int log, const char *doc);
int jahs_space_add_int(jahs_space *sp, const char *name, jahs_param_group g,
                       long lo, long hi, int log, const char *doc);
int jahs_space_add_cat(jahs_space *sp, const char *name, jahs_param_group g,
                       const char *const *choices, int n, const char *doc);
/* Recompute derived fields (encoded_dim) after adding parameters. */
void jahs_space_finish(jahs_space *sp);

/*
 * Pin parameter i to value: every sampler (uniform, prior, mutation, decode)
 * returns it, so an optimizer searches the remaining parameters only (the
 * poster's "NAS w/ default HP").  The encoding keeps its dimensions.
 */
int jahs_space_fix(jahs_space *sp, int i, double value, jahs_error *err);
/*
 * Walk "name=value,name=value,...": for each item, find the parameter and
 * parse its value (jahs_param_parse), then call fn(ctx, index, value, err)
 * (a non-zero return stops the walk with it).  Errors name the item:
 * "cannot <verb> 'lr' at '5' (out of range or not a choice)".
 */
typedef int (*jahs_assign_fn)(void *ctx, int param, double value,
                              jahs_error *err);
int jahs_space_assignments(const jahs_space *sp, const char *text,
                           const char *verb, jahs_assign_fn fn, void *ctx,
                           jahs_error *err);

/* Pin parameters from "name=value,..." (values as jahs_param_parse reads). */
int jahs_space_fix_parse(jahs_space *sp, const char *text, jahs_error *err);

/* Index of the parameter called name, or -1. */
int jahs_space_find(const jahs_space *sp, const char *name);
/* Index of choice name in categorical p, or -1. */
int jahs_param_choice(const jahs_param *p, const char *name);

/* Whether parameter i is active in x (its condition holds). */
int jahs_space_active(const jahs_space *sp, const double *x, int i);

/* Numerics: value -> u in [0, 1] and back (rounded and clamped for INT). */
double jahs_param_to_unit(const jahs_param *p, double v);
double jahs_param_from_unit(const jahs_param *p, double u);

/* Whether value v is legal for p (in range, integral for INT/CAT). */
int jahs_param_valid(const jahs_param *p, double v);

/* Uniform sample into x (inactive parameters set to NAN). */
void jahs_space_sample(const jahs_space *sp, jahs_rng *rng, double *x);

/* After parameters changed: inactive ones to NAN, newly active NAN ones drawn
 * uniformly from rng (or set to their default when rng is NULL). */
void jahs_space_fix_conditions(const jahs_space *sp, jahs_rng *rng, double *x);

/* Encode x into z (sp->encoded_dim values in [0, 1]). */
void jahs_space_encode(const jahs_space *sp, const double *x, double *z);
/* Decode z (any reals; numerics clamped, categoricals by arg-max). */
void jahs_space_decode(const jahs_space *sp, const double *z, double *x);

/*
 * Local move (NEPS's mutation, as PriorBand's incumbent sampler uses it):
 * each active parameter changes with probability prob; a numeric moves by a
 * Gaussian step of standard deviation sigma in unit space, reflected into
 * [0, 1]; a categorical moves to another choice drawn uniformly.  in and out
 * may alias.  Conditions are fixed up afterwards.
 */
void jahs_space_mutate(const jahs_space *sp, jahs_rng *rng, const double *in,
                       double *out, double prob, double sigma);

/* Distance in [0, 1]: mean over parameters of |du| (numerics) or a != b
 * (categoricals); a parameter active in one and not the other counts 1. */
double jahs_space_distance(const jahs_space *sp, const double *a,
                           const double *b);

/* Whether two configs are the same (NAN == NAN for inactive). */
int jahs_config_equal(const jahs_space *sp, const double *a, const double *b);

/* The space's defaults for parameters that have one; others NAN. */
void jahs_space_defaults(const jahs_space *sp, double *x);

/* Text of parameter i's value ("0.1", "256", "nor_conv_3x3", "" if inactive). */
char *jahs_param_format(const jahs_param *p, double v, char *buf, size_t size);
/* Parse one value for p (a number, or a choice name or index for CAT). */
int jahs_param_parse(const jahs_param *p, const char *text, double *v);

/* "name=value,name=value,..." of the active parameters. */
int jahs_config_format(const jahs_space *sp, const double *x, jahs_buf *out);

/*
 * Parse "name=value,..." into x.  Parameters not named take the space's
 * default; a parameter without a default that is active must be named.
 * Errors name the offending key or value and the expected form.
 */
int jahs_config_parse(const jahs_space *sp, const char *text, double *x,
                      jahs_error *err);

/* Check a complete config: every active parameter valid. */
int jahs_config_check(const jahs_space *sp, const double *x, jahs_error *err);

/* Human description of the space (what `jahs space show` prints). */
int jahs_space_describe(const jahs_space *sp, jahs_buf *out);

#endif
