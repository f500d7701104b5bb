/*
 * opt.h - the optimizer interface: ask / tell, the GSL way (the caller owns
 * the loop; GSL's multimin init / iterate / test).
 *
 * An optimizer is a const jahs_opt_type (a struct of function pointers) plus
 * private state, one exported type per file in src/opt/.  It never sees an
 * evaluator: it proposes trials (a config, a target number of epochs, the
 * epochs already trained that it may resume from) and is told results.
 *
 *   ask  -> 0 and a trial, or JAHS_WAIT (nothing to start until a pending
 *           result comes back), or JAHS_DONE (nothing more, ever), or < 0.
 *   tell -> 0 or < 0.  Results come back in any order (asynchronous workers).
 *
 * Determinism: an optimizer draws random numbers only from streams made with
 * jahs_rng_create(cfg->seed, "<opt name>/<purpose>", index), so the same seed
 * and the same sequence of results give the same trials.
 */
#ifndef JAHS_OPT_OPT_H
#define JAHS_OPT_OPT_H

#include <stdint.h>

#include "core/error.h"
#include "space/prior.h"
#include "space/space.h"

/* Where a trial's config came from (for journals and analysis). */
typedef enum jahs_origin {
    JAHS_ORIGIN_RANDOM = 0,  /* uniform */
    JAHS_ORIGIN_PRIOR,       /* sampled from the prior */
    JAHS_ORIGIN_DEFAULT,     /* the prior's mode, evaluated first */
    JAHS_ORIGIN_PROMOTED,    /* continued to a higher rung */
    JAHS_ORIGIN_INCUMBENT,   /* mutation of the incumbent (PriorBand) */
    JAHS_ORIGIN_MODEL,       /* proposed by a model (BO) */
    JAHS_ORIGIN_COUNT
} jahs_origin;
const char *jahs_origin_name(jahs_origin o);

typedef struct jahs_trial {
    int64_t id;        /* unique within a run, 0, 1, 2, ... in ask order */
    int64_t config_id; /* same for every promotion of one config */
    double config[JAHS_MAX_PARAMS];
    int epochs;        /* target fidelity (epochs trained when it ends) */
    int resume_from;   /* epochs this config already has (0: from scratch) */
    int rung;          /* rung index of the target fidelity (-1 if none) */
    int bracket;       /* Hyperband / PriorBand bracket (-1 if none) */
    jahs_origin origin;
} jahs_trial;

typedef struct jahs_result {
    double val_acc;  /* mean validation accuracy over folds, percent */
    double test_acc; /* mean test accuracy over folds, percent */
    double cost;     /* seconds charged for this trial */
} jahs_result;

/* Rung placement: NEPS anchors at the maximum, Syne Tune at the minimum. */
typedef enum jahs_rung_style {
    JAHS_RUNGS_NEPS = 0,
    JAHS_RUNGS_SYNETUNE = 1
} jahs_rung_style;

/* Promotion rule (see rungs.h). */
typedef enum jahs_promo_rule {
    JAHS_PROMO_NEPS = 0, /* best of floor(m / eta) still parked */
    JAHS_PROMO_LI = 1    /* floor(all / eta) minus those promoted (Li et al.) */
} jahs_promo_rule;

/*
 * Everything an optimizer may be configured with.  Optimizers read the fields
 * they understand and ignore the rest; jahs_opt_config_defaults fills the
 * paper's settings.
 */
typedef struct jahs_opt_config {
    const jahs_space *space; /* not owned */
    const jahs_prior *prior; /* not owned; NULL or uninformative: no prior */
    uint64_t seed;
    int min_epochs, max_epochs; /* fidelity range: 1, 20 */
    double eta;                 /* 3 */
    jahs_rung_style rungs;
    jahs_promo_rule promotion;
    double prior_fraction;   /* ASHA-prior: P(new config from prior): 0.8 */
    int default_first;       /* evaluate the prior's mode first */
    int max_trials;          /* > 0: DONE after this many new configs */
    int async;               /* Hyperband: asynchronous variant */
    /* model-based optimizers (MOBSTER, PriorBand+BO, schedule-BO) */
    int initial_random;      /* random configs before the model: 10? see files */
    int max_points;          /* GP data cap: 500 (Syne Tune) */
    int candidates;          /* random candidates for EI: 250 (Syne Tune) */
    double bo_kickin;        /* PriorBand+BO: model after this many x max_epochs of work */
    /* prior-fraction schedule, then BO (beyond the paper) */
    double schedule_start, schedule_end; /* fraction at start / end of decay */
    double schedule_budget;  /* work (in max-epoch units) over which it decays */
} jahs_opt_config;

void jahs_opt_config_defaults(jahs_opt_config *cfg);

typedef struct jahs_opt_type {
    const char *name;        /* "asha", "mobster", ... */
    const char *description; /* one line, with the convention followed */
    /* Create state for cfg; NULL and err on failure. */
    void *(*create)(const jahs_opt_config *cfg, jahs_error *err);
    int (*ask)(void *state, jahs_trial *out, jahs_error *err);
    int (*tell)(void *state, const jahs_trial *t, const jahs_result *r,
                jahs_error *err);
    void (*free)(void *state);
} jahs_opt_type;

/*
 * A new config the way random search, ASHA and Hyperband draw one: the
 * prior's mode when cfg->default_first and no config exists yet
 * (n_configs == 0); else from the prior with probability
 * cfg->prior_fraction; else uniformly.  Without an informative prior always
 * uniform.  Exactly one coin is drawn per call, so streams stay aligned.
 * Writes cfg->space->n values into x and returns where they came from.
 */
struct jahs_rng;
jahs_origin jahs_opt_sample_new(const jahs_opt_config *cfg,
                                struct jahs_rng *rng, size_t n_configs,
                                double *x);

/* An optimizer instance. */
typedef struct jahs_opt jahs_opt;

/* All registered types, NULL-terminated. */
const jahs_opt_type *const *jahs_opt_types(void);
/* Type by name, or NULL. */
const jahs_opt_type *jahs_opt_find(const char *name);

/* Create an instance of type; NULL and err on failure.  Free with jahs_opt_free. */
jahs_opt *jahs_opt_create(const jahs_opt_type *type, const jahs_opt_config *cfg,
                          jahs_error *err);
int jahs_opt_ask(jahs_opt *o, jahs_trial *out, jahs_error *err);
int jahs_opt_tell(jahs_opt *o, const jahs_trial *t, const jahs_result *r,
                  jahs_error *err);
const jahs_opt_type *jahs_opt_type_of(const jahs_opt *o);
/* NULL is a no-op. */
void jahs_opt_free(jahs_opt *o);

#endif
