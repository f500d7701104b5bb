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
    JAHS_PROMO_NEPS = 0,    /* best of floor(m / eta) still parked */
    JAHS_PROMO_LI = 1,      /* floor(all / eta) minus those promoted (Li et al.) */
    JAHS_PROMO_SYNETUNE = 2 /* best paused at or above the r_k / r_{k+1}
                             * quantile of the rung (Syne Tune) */
} jahs_promo_rule;

/*
 * What an asynchronous successive-halving scheduler does at a rung (Syne
 * Tune's HyperbandScheduler `type`; rungs.h): pause the config there until
 * it is promoted (NEPS, Li et al., Syne Tune "promotion"), or decide at
 * once whether it continues or stops (Syne Tune "stopping").
 */
typedef enum jahs_asha_type {
    JAHS_TYPE_PROMOTION = 0,
    JAHS_TYPE_STOPPING = 1
} jahs_asha_type;

/*
 * Hyperband's bracket sizes and asynchronous bracket draw (hb_core.h):
 * AUTO follows cfg->rungs (NEPS brackets on NEPS rungs, Syne Tune's on Syne
 * Tune's); LI is Li et al.'s Algorithm 1 (a ceiling), for comparison.
 */
typedef enum jahs_bracket_style {
    JAHS_BRACKETS_AUTO = 0,
    JAHS_BRACKETS_NEPS = 1,
    JAHS_BRACKETS_SYNETUNE = 2,
    JAHS_BRACKETS_LI = 3
} jahs_bracket_style;

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
    jahs_asha_type type;     /* ASHA, async Hyperband, MOBSTER: promotion
                              * (default) or stopping (Syne Tune) */
    jahs_bracket_style brackets; /* Hyperband bracket sizes: AUTO (default) */
    int allow_repeats;       /* random, ASHA, Hyperband: 1 (default, NEPS):
                              * a new config may equal an earlier one; 0:
                              * never (Syne Tune's searchers) */
    int default_at_target;   /* PriorBand with default_first: 0 (default,
                              * NEPS priorband.yaml): the default runs at
                              * the base rung of bracket 0; 1: at the top
                              * rung outside the brackets */
    /* model-based optimizers (MOBSTER, PriorBand+BO, schedule-BO) */
    int initial_random;      /* MOBSTER: random configs before the model: 6
                              * (Syne Tune) */
    int max_points;          /* GP data cap: 100000, i.e. none (Syne Tune: 500) */
    int candidates;          /* random candidates for EI: 250 (Syne Tune) */
    int neps_samples;        /* mobster-neps: random configs scored by EI:
                              * 1000 (NEPS SAMPLE_THRESHOLD) */
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
    /*
     * The algorithm's revision, >= 1, part of every result's settings
     * record (exp/experiment.h): bump it in the same commit as any change
     * that makes the optimizer propose other trials for the same settings,
     * so that results made by the old algorithm are run again, not reused.
     */
    int revision;
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

/*
 * jahs_opt_sample_new under cfg->allow_repeats.  With repeats allowed (NEPS:
 * SearchSpace.sample keeps no record) it is one call of
 * jahs_opt_sample_new, whatever seen holds.  Without (Syne Tune's searchers,
 * searcher_base.py sample_random_configuration: up to MAX_RETRIES = 100
 * draws), the draw is repeated while x is a member of seen, at most 100
 * times.  Returns 0 with x and *origin filled (x added to seen); JAHS_DONE
 * when all 100 draws were members (a small space exhausted; seen
 * unchanged); JAHS_ENOMEM when seen cannot grow.  seen may be NULL only
 * with repeats allowed.
 */
struct jahs_config_set;
int jahs_opt_sample_fresh(const jahs_opt_config *cfg, struct jahs_rng *rng,
                          size_t n_configs, struct jahs_config_set *seen,
                          double *x, jahs_origin *origin);

/* An optimizer instance. */
typedef struct jahs_opt jahs_opt;

/* All registered types, NULL-terminated. */
const jahs_opt_type *const *jahs_opt_types(void);
/* Type by name, or NULL. */
const jahs_opt_type *jahs_opt_find(const char *name);
/* 1 when optimizer `name` decides through BLAS (it fits a GP: a Cholesky
 * factor over CBLAS), so its trials may differ with the BLAS library or
 * its CPU kernel (REPRODUCE.md, "Determinism"); 0 otherwise. */
int jahs_opt_uses_blas(const char *name);

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
