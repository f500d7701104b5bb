/*
 * prior.h - expert priors over a space, with NEPS v0.11 semantics.
 *
 * A prior gives each parameter one of:
 *   - UNIFORM: no prior (the space's uniform distribution);
 *   - NORMAL:  a default value plus a confidence.  In unit space (log where
 *              the parameter is log) a normal centred at the default with
 *              sigma = 0.5 / 0.25 / 0.125 (low / medium / high) of the range,
 *              truncated to the range.  Integers are rounded after sampling.
 *              (NEPS v0.11: FloatParameter / IntegerParameter with
 *              default_confidence; scipy truncnorm with scale = range x score.)
 *   - WEIGHTS: categorical probabilities proportional to a weight table.  A
 *              default + confidence on a categorical is the table with weight
 *              c = 2 / 4 / 6 on the default and 1 on each other choice (NEPS
 *              CategoricalParameter); architecture priors are per-edge
 *              operation frequencies.
 *
 * Densities are taken in unit space: a NORMAL parameter contributes the
 * truncated-normal pdf of its u, a WEIGHTS one its probability, a UNIFORM
 * numeric 1 and a UNIFORM categorical 1/n.  Inactive parameters contribute
 * nothing.  PriorBand needs both sampling and the log density.
 */
#ifndef JAHS_SPACE_PRIOR_H
#define JAHS_SPACE_PRIOR_H

#include "core/error.h"
#include "core/rng.h"
#include "space/space.h"

typedef enum jahs_confidence {
    JAHS_CONF_LOW = 0,
    JAHS_CONF_MEDIUM = 1,
    JAHS_CONF_HIGH = 2
} jahs_confidence;

/* sigma (fraction of the unit range) and categorical weight of a confidence. */
double jahs_confidence_sigma(jahs_confidence c);
double jahs_confidence_weight(jahs_confidence c);
/* "low" / "medium" / "high" -> code; -1 when unknown. */
int jahs_confidence_parse(const char *s);
const char *jahs_confidence_name(jahs_confidence c);

typedef enum jahs_prior_kind {
    JAHS_PRIOR_UNIFORM = 0,
    JAHS_PRIOR_NORMAL = 1,
    JAHS_PRIOR_WEIGHTS = 2
} jahs_prior_kind;

/* Which groups a prior covers ("none", "hp", "arch", "joint"). */
typedef enum jahs_prior_cover {
    JAHS_COVER_NONE = 0,
    JAHS_COVER_HP = 1,
    JAHS_COVER_ARCH = 2,
    JAHS_COVER_JOINT = 3
} jahs_prior_cover;
int jahs_prior_cover_parse(const char *s);
const char *jahs_prior_cover_name(jahs_prior_cover c);

typedef struct jahs_prior_param {
    jahs_prior_kind kind;
    double value; /* NORMAL: the default, in the parameter's units */
    double mu;    /* NORMAL: the default in unit space */
    double sigma; /* NORMAL: in unit space */
    double prob[JAHS_MAX_CHOICES]; /* WEIGHTS: normalised probabilities */
} jahs_prior_param;

typedef struct jahs_prior {
    const jahs_space *space; /* not owned; must outlive the prior */
    jahs_prior_param p[JAHS_MAX_PARAMS];
} jahs_prior;

/* A prior with every parameter UNIFORM.  Free with jahs_prior_free. */
jahs_prior *jahs_prior_create(const jahs_space *sp, jahs_error *err);
void jahs_prior_free(jahs_prior *pr);

/* Parameter i: default value + confidence (numerics: NORMAL; categoricals:
 * weight table c on the default, 1 elsewhere). */
int jahs_prior_set_default(jahs_prior *pr, int i, double value,
                           jahs_confidence c, jahs_error *err);
/* Categorical i: probabilities proportional to w (n_choices values >= 0,
 * positive sum). */
int jahs_prior_set_weights(jahs_prior *pr, int i, const double *w,
                           jahs_error *err);
/* Back to UNIFORM. */
void jahs_prior_clear(jahs_prior *pr, int i);

/*
 * Load categorical weights from a CSV with header `param,choice,weight`
 * (what `jahs prior arch` writes).  Parameters named in the file get WEIGHTS;
 * an unknown parameter or choice, a negative weight, or a parameter whose
 * weights sum to 0 is an error naming file and line.
 */
int jahs_prior_load_weights(jahs_prior *pr, const char *path, jahs_error *err);

/*
 * The paper's priors: cover = none / hp / arch / joint.  HP parameters get
 * the space's defaults (NB201's recipe) at confidence conf; architecture
 * parameters get the weight table in arch_weights (required for arch and
 * joint unless the space file states arch priors; ignored otherwise).  A
 * parameter whose space file states a prior (space.h prior_kind) takes that
 * prior, as stated, when its group is covered (conf does not change it).
 */
jahs_prior *jahs_prior_build(const jahs_space *sp, jahs_prior_cover cover,
                             jahs_confidence conf, const char *arch_weights,
                             jahs_error *err);

/* Whether a parameter of group g has a prior its space file states
 * (space_file.h); jahs_prior_build then takes those priors for the group
 * instead of defaults or a weights file. */
int jahs_prior_space_states(const jahs_space *sp, jahs_param_group g);

/*
 * Centre the prior of the parameters named in text ("lr=0.002,edge_1_0=none")
 * at those values with confidence conf (any group; replaces what they had).
 * For priors of chosen quality: a misleading HP prior, a hand-made arch one.
 */
int jahs_prior_set_defaults_text(jahs_prior *pr, const char *text,
                                 jahs_confidence conf, jahs_error *err);

/*
 * The form of an architecture prior (the experiment key arch_prior_form).
 *   NEPS (the paper's): NEPS v0.11 can only express a categorical prior as a
 *     default plus a confidence (CategoricalParameter(default=...,
 *     default_confidence=...), categorical.py:12-16, 54-61 in neps v0.11.1):
 *     weight c = 2 / 4 / 6 (low / medium / high) on the default and 1 on
 *     every other choice, probabilities c / (c + n - 1) and 1 / (c + n - 1).
 *     From a frequency table the default is the most frequent choice.
 *   FREQUENCIES (beyond the paper): the per-edge frequency table itself
 *     (eval/arch_prior.h), which NEPS v0.11 cannot express.
 */
typedef enum jahs_arch_prior_form {
    JAHS_ARCH_FORM_NEPS = 0,
    JAHS_ARCH_FORM_FREQUENCIES = 1
} jahs_arch_prior_form;
/* "neps" / "frequencies" -> form; -1 when unknown. */
int jahs_arch_prior_form_parse(const char *s);
const char *jahs_arch_prior_form_name(jahs_arch_prior_form f);

/*
 * Replace the weight table of every categorical parameter of group g that
 * has one (WEIGHTS) by NEPS's default + confidence form: the default is the
 * table's most probable choice (the lowest index on ties), the confidence
 * conf.  Numeric, UNIFORM and other-group parameters are left as they are;
 * a table already of that form keeps its default (and takes confidence
 * conf).  Returns 0, or JAHS_EINVAL for a bad confidence (pr unchanged).
 */
int jahs_prior_neps_form(jahs_prior *pr, jahs_param_group g,
                         jahs_confidence conf, jahs_error *err);

/* Sample x from the prior (UNIFORM parameters uniformly). */
void jahs_prior_sample(const jahs_prior *pr, jahs_rng *rng, double *x);
/* Log density of x in unit space (see above); -INFINITY where a weight is 0. */
double jahs_prior_logpdf(const jahs_prior *pr, const double *x);
/*
 * The prior's mode: NORMAL parameters at their default, WEIGHTS at their most
 * probable choice (lowest index on ties); UNIFORM parameters at the space's
 * default where it has one, else drawn from rng.
 */
void jahs_prior_mode(const jahs_prior *pr, jahs_rng *rng, double *x);
/* Whether any parameter has a prior. */
int jahs_prior_informative(const jahs_prior *pr);

#endif
