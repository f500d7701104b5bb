/*
 * synthetic.c - multi-fidelity test functions with known optima (see
 * synthetic.h), as an evaluator of type "synthetic".
 *
 * Fidelity.  With E the epochs of full fidelity (20 unless the spec says
 * "NAME:E"), epochs e map to z = log(e) / log(E) in [0, 1] (clamped; z = 1 at
 * e >= E, and at E = 1).  Log scale because rungs are geometric in epochs.
 * Every function's validation accuracy (percent) at z is its full-fidelity
 * accuracy, shifted by a fidelity-dependent bias that differs between configs
 * (so low rungs mislead a little), minus a learning-curve term that vanishes
 * at z = 1 and dominates the bias's change with z (so accuracy rises with
 * epochs for every config; tests/test_synthetic.c checks this on samples):
 *
 *   branin     the function reads the unit-cube point u of its 2 parameters as
 *              x1 = -5 + 15 u1, x2 = 15 u2 (Branin's usual domain) and computes
 *              Kandasamy et al. (2017, "Multi-fidelity Bayesian optimisation
 *              with continuous approximations", ICML, Sec. 5) multi-fidelity
 *              Branin with all three fidelity coordinates equal to z:
 *                b = 5.1/(4 pi^2) - 0.01 (1 - z), c = 5/pi - 0.1 (1 - z),
 *                t = 1/(8 pi) + 0.05 (1 - z),
 *                f = (x2 - b x1^2 + c x1 - 6)^2 + 10 (1 - t) cos(x1) + 10;
 *              accuracy = 100 - f / 3 - 40 (1 - z).  At z = 1 the minimum
 *              0.397887 at (-pi, 12.275), (pi, 2.275), (9.42478, 2.475) gives
 *              99.8674.  Seconds per epoch: 1 + u1.
 *   hartmann6  u of its 6 parameters is the point in [0, 1]^6; Hartmann-6 (A,
 *              P, alpha as in Dixon & Szego 1978 / the SFU library) with
 *              Kandasamy et al.'s fidelity shift alpha' = alpha - 0.1 (1 - z);
 *              accuracy = 100 (-f) / 3.32237 - 40 (1 - z): 100 at the optimum
 *              (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573).
 *              Seconds per epoch: 1 + u1.
 *   cellhp     on the nb201 / cell64 space (by parameter name).  The optimum
 *              cell is NB201's best on CIFAR-100,
 *              |nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+
 *              |skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|,
 *              and the optimum HPs are lr 0.2, wd 3e-4, every dropout 0.1,
 *              batch 128, TrivialAugment on: deliberately not the space's
 *              defaults (NB201's recipe), so a test chooses the prior's
 *              quality.  Full-fidelity accuracy = 75 - arch - hp with
 *                arch = sum over edges not at the optimum op of a penalty by
 *                       op: none 5, skip 3, conv1x1 1.5, conv3x3 1, pool 4;
 *                hp   = 40 dl^2 + 12 dw^2 + 8 sum_k dd_k^2 + 6 db^2
 *                       + 10 (dl - db)^2 + 2 [TrivialAugment off],
 *              with d* the unit-space distances to the optimum (the (dl - db)
 *              term couples lr and batch size, as the linear scaling rule
 *              does).  Bias: accuracy at z = full - (1 - z) (30 + 1.5 n_conv3
 *              + 0.5 n_conv1 - n_skip - 0.5 n_pool + 15 max(0, dl)): big
 *              conv cells and high learning rates look worse early, as in
 *              NB201's short-schedule data.  Seconds per epoch: (10 + sum of
 *              op costs: conv3x3 6, conv1x1 2, others 0.5) sqrt(256 / batch)
 *              x 1.1 with TrivialAugment.
 *
 * Timed variant: with jahs_eval_options.synthetic_sleep = s > 0, each request
 * sleeps cost x s real seconds before it returns, so a run on the wall clock
 * (the experiment key synthetic_sleep) has evaluations of known, different
 * real durations: what the asynchronous MPI workers are tested with.
 *
 * All constants are ours (not fitted to anything) except the test functions'
 * own and Kandasamy et al.'s shifts.  Test accuracy = validation - 1.  Cost of
 * a request = seconds per epoch x (epochs - resume_from) when the options
 * allow resuming (jahs_eval_options.resume), x epochs otherwise.
 */
#include "eval/synthetic.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "eval/eval_types.h"

typedef enum { FN_BRANIN = 0, FN_HARTMANN6, FN_CELLHP } fn_kind;

typedef struct {
    fn_kind kind;
    int max_epochs;
    const jahs_space *sp;
    int num[6];   /* branin / hartmann6: the numeric parameters */
    int edge[6];  /* cellhp: edge_1_0 .. edge_3_2 */
    int lr, wd, bs, ta;
    int drop[JAHS_MAX_PARAMS], n_drop;
} synth;

static const char *const edge_names[6] = {"edge_1_0", "edge_2_0", "edge_2_1",
                                          "edge_3_0", "edge_3_1", "edge_3_2"};
static const char *const op_names[5] = {"none", "skip_connect", "nor_conv_1x1",
                                        "nor_conv_3x3", "avg_pool_3x3"};
/* cellhp constants (see the header comment) */
static const int opt_cell[6] = {3, 3, 3, 1, 3, 3};
static const double op_penalty[5] = {5, 3, 1.5, 1, 4};
static const double op_cost[5] = {0.5, 0.5, 2, 6, 0.5};
#define OPT_LR 0.2
#define OPT_WD 3e-4
#define OPT_DROPOUT 0.1
#define OPT_BATCH 128
#define OPT_TA 1

/* Hartmann-6 (Dixon & Szego 1978) */
static const double h6_a[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                  {0.05, 10, 17, 0.1, 8, 14},
                                  {3, 3.5, 1.7, 10, 17, 8},
                                  {17, 8, 0.05, 10, 0.1, 14}};
static const double h6_p[4][6] = {
    {0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
    {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
    {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
    {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
static const double h6_alpha[4] = {1.0, 1.2, 3.0, 3.2};
static const double h6_opt[6] = {0.20169, 0.150011, 0.476874,
                                 0.275332, 0.311652, 0.6573};
#define H6_MIN 3.32237

static int need_param(const jahs_space *sp, const char *fn, const char *name,
                      int cat, int *idx, jahs_error *err)
{
    int i = jahs_space_find(sp, name);
    if (i < 0 || (sp->params[i].kind == JAHS_PARAM_CAT) != cat)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "synthetic function '%s' needs a %s parameter '%s' in "
                         "space '%s'",
                         fn, cat ? "categorical" : "numeric", name, sp->name);
    *idx = i;
    return 0;
}

static int synth_init(synth *f, const char *spec, const jahs_space *sp,
                      jahs_error *err)
{
    char name[32];
    const char *colon;
    size_t len;
    int i, rc, d;
    memset(f, 0, sizeof *f);
    f->sp = sp;
    f->max_epochs = 20;
    if (!spec || !*spec)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "no synthetic function named (expected branin, "
                         "hartmann6 or cellhp)");
    colon = strchr(spec, ':');
    len = colon ? (size_t)(colon - spec) : strlen(spec);
    if (len >= sizeof name)
        len = sizeof name - 1;
    memcpy(name, spec, len);
    name[len] = '\0';
    if (colon) {
        long e;
        if (jahs_parse_long(colon + 1, &e) != 0 || e < 1 || e > 1000000)
            return JAHS_FAIL(err, JAHS_EINVAL,
                             "bad synthetic function '%s' (expected NAME or "
                             "NAME:E with E an integer >= 1)",
                             spec);
        f->max_epochs = (int)e;
    }
    if (!sp)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "synthetic function '%s' needs a space", name);
    if (strcmp(name, "branin") == 0 || strcmp(name, "hartmann6") == 0) {
        f->kind = name[0] == 'b' ? FN_BRANIN : FN_HARTMANN6;
        d = f->kind == FN_BRANIN ? 2 : 6;
        for (i = 0; i < sp->n; i++)
            if (sp->params[i].kind == JAHS_PARAM_CAT)
                break;
        if (sp->n != d || i < sp->n)
            return JAHS_FAIL(err, JAHS_EINVAL,
                             "synthetic function '%s' needs a space of %d "
                             "numeric parameters, space '%s' has %d "
                             "parameters%s",
                             name, d, sp->name, sp->n,
                             i < sp->n ? " (some categorical)" : "");
        for (i = 0; i < d; i++)
            f->num[i] = i;
        return 0;
    }
    if (strcmp(name, "cellhp") != 0)
        return JAHS_FAIL(err, JAHS_ENOTFOUND,
                         "unknown synthetic function '%s' (expected branin, "
                         "hartmann6 or cellhp)",
                         name);
    f->kind = FN_CELLHP;
    for (i = 0; i < 6; i++) {
        const jahs_param *p;
        int k;
        if ((rc = need_param(sp, name, edge_names[i], 1, &f->edge[i], err)))
            return rc;
        p = &sp->params[f->edge[i]];
        for (k = 0; k < 5; k++)
            if (p->n_choices != 5 || strcmp(p->choices[k], op_names[k]) != 0)
                return JAHS_FAIL(err, JAHS_EINVAL,
                                 "synthetic function 'cellhp': parameter '%s' "
                                 "must have NB201's 5 operations in order",
                                 p->name);
    }
    if ((rc = need_param(sp, name, "lr", 0, &f->lr, err)) ||
        (rc = need_param(sp, name, "wd", 0, &f->wd, err)) ||
        (rc = need_param(sp, name, "batch_size", 0, &f->bs, err)) ||
        (rc = need_param(sp, name, "trivial_augment", 1, &f->ta, err)))
        return rc;
    for (i = 0; i < sp->n; i++)
        if (strncmp(sp->params[i].name, "dropout", 7) == 0 &&
            sp->params[i].kind != JAHS_PARAM_CAT)
            f->drop[f->n_drop++] = i;
    return 0;
}

/* Unit value of parameter i in x; the config was checked for NaN first. */
static double unit(const synth *f, const double *x, int i)
{
    return jahs_param_to_unit(&f->sp->params[i], x[i]);
}

static double fidelity(const synth *f, int epochs)
{
    double z;
    if (f->max_epochs <= 1 || epochs >= f->max_epochs)
        return 1;
    z = log((double)epochs) / log((double)f->max_epochs);
    return z < 0 ? 0 : z;
}

static double branin(const synth *f, const double *x, double z)
{
    double x1 = -5 + 15 * unit(f, x, f->num[0]);
    double x2 = 15 * unit(f, x, f->num[1]);
    double b = 5.1 / (4 * M_PI * M_PI) - 0.01 * (1 - z);
    double c = 5 / M_PI - 0.1 * (1 - z);
    double t = 1 / (8 * M_PI) + 0.05 * (1 - z);
    double q = x2 - b * x1 * x1 + c * x1 - 6;
    return q * q + 10 * (1 - t) * cos(x1) + 10;
}

static double hartmann6(const synth *f, const double *x, double z)
{
    double s = 0;
    int i, j;
    for (i = 0; i < 4; i++) {
        double e = 0;
        for (j = 0; j < 6; j++) {
            double d = unit(f, x, f->num[j]) - h6_p[i][j];
            e += h6_a[i][j] * d * d;
        }
        s += (h6_alpha[i] - 0.1 * (1 - z)) * exp(-e);
    }
    return -s;
}

static double cellhp(const synth *f, const double *x, double z)
{
    const jahs_space *sp = f->sp;
    double arch = 0, hp, dl, dw, db, dd = 0, bias;
    int i, n_op[5] = {0, 0, 0, 0, 0};
    for (i = 0; i < 6; i++) {
        int op = (int)x[f->edge[i]];
        n_op[op]++;
        if (op != opt_cell[i])
            arch += op_penalty[op];
    }
    dl = unit(f, x, f->lr) - jahs_param_to_unit(&sp->params[f->lr], OPT_LR);
    dw = unit(f, x, f->wd) - jahs_param_to_unit(&sp->params[f->wd], OPT_WD);
    db = unit(f, x, f->bs) - jahs_param_to_unit(&sp->params[f->bs], OPT_BATCH);
    for (i = 0; i < f->n_drop; i++) {
        double d = unit(f, x, f->drop[i]) -
                   jahs_param_to_unit(&sp->params[f->drop[i]], OPT_DROPOUT);
        dd += d * d;
    }
    hp = 40 * dl * dl + 12 * dw * dw + 8 * dd + 6 * db * db +
         10 * (dl - db) * (dl - db) + ((int)x[f->ta] != OPT_TA ? 2 : 0);
    bias = 30 + 1.5 * n_op[3] + 0.5 * n_op[2] - 1.0 * n_op[1] - 0.5 * n_op[4] +
           15 * (dl > 0 ? dl : 0);
    return 75 - arch - hp - (1 - z) * bias;
}

static double synth_acc(const synth *f, const double *x, int epochs)
{
    double z = fidelity(f, epochs);
    switch (f->kind) {
    case FN_BRANIN:
        return 100 - branin(f, x, z) / 3 - 40 * (1 - z);
    case FN_HARTMANN6:
        return 100 * -hartmann6(f, x, z) / H6_MIN - 40 * (1 - z);
    default:
        return cellhp(f, x, z);
    }
}

static double synth_speed(const synth *f, const double *x)
{
    double c = 10;
    int i;
    if (f->kind != FN_CELLHP)
        return 1 + unit(f, x, f->num[0]);
    for (i = 0; i < 6; i++)
        c += op_cost[(int)x[f->edge[i]]];
    return c * sqrt(256.0 / x[f->bs]) * ((int)x[f->ta] == 1 ? 1.1 : 1.0);
}

static int check_config(const synth *f, const double *x, jahs_error *err)
{
    int i;
    for (i = 0; i < f->sp->n; i++) {
        const jahs_param *p = &f->sp->params[i];
        if (isnan(x[i]) || !jahs_param_valid(p, x[i]))
            return JAHS_FAIL(err, JAHS_EINVAL,
                             "synthetic function: bad value %g for '%s'", x[i],
                             p->name);
    }
    return 0;
}

int jahs_synthetic_optimum(const char *spec, const jahs_space *sp, double *x,
                           double *acc, jahs_error *err)
{
    synth f;
    double y[JAHS_MAX_PARAMS];
    int rc, i;
    if ((rc = synth_init(&f, spec, sp, err)))
        return rc;
    jahs_space_defaults(sp, y);
    if (f.kind == FN_BRANIN) {
        y[f.num[0]] = jahs_param_from_unit(&sp->params[f.num[0]],
                                           (-M_PI + 5) / 15);
        y[f.num[1]] = jahs_param_from_unit(&sp->params[f.num[1]], 12.275 / 15);
    } else if (f.kind == FN_HARTMANN6) {
        for (i = 0; i < 6; i++)
            y[f.num[i]] =
                jahs_param_from_unit(&sp->params[f.num[i]], h6_opt[i]);
    } else {
        for (i = 0; i < 6; i++)
            y[f.edge[i]] = opt_cell[i];
        y[f.lr] = OPT_LR;
        y[f.wd] = OPT_WD;
        y[f.bs] = OPT_BATCH;
        y[f.ta] = OPT_TA;
        for (i = 0; i < f.n_drop; i++)
            y[f.drop[i]] = OPT_DROPOUT;
    }
    if ((rc = check_config(&f, y, err)))
        return rc;
    if (x)
        memcpy(x, y, (size_t)sp->n * sizeof *x);
    if (acc)
        *acc = synth_acc(&f, y, f.max_epochs);
    return 0;
}

int jahs_synthetic_value(const char *spec, const jahs_space *sp,
                         const double *x, int epochs, double *val_acc,
                         double *sec_per_epoch, jahs_error *err)
{
    synth f;
    int rc;
    if ((rc = synth_init(&f, spec, sp, err)) || (rc = check_config(&f, x, err)))
        return rc;
    if (epochs < 1)
        return JAHS_FAIL(err, JAHS_EINVAL, "epochs must be >= 1, got %d",
                         epochs);
    if (val_acc)
        *val_acc = synth_acc(&f, x, epochs);
    if (sec_per_epoch)
        *sec_per_epoch = synth_speed(&f, x);
    return 0;
}

typedef struct {
    synth f;
    int resume;
    double sleep; /* real seconds per second of cost */
} synth_eval;

static void *synth_open(const jahs_eval_options *opts, jahs_error *err)
{
    synth_eval *s = calloc(1, sizeof *s);
    if (!s) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    if (synth_init(&s->f, opts->synthetic, opts->space, err)) {
        free(s);
        return NULL;
    }
    s->resume = opts->resume;
    s->sleep = opts->synthetic_sleep > 0 ? opts->synthetic_sleep : 0;
    return s;
}

static int synth_eval_run(void *state, const jahs_eval_request *req,
                          jahs_eval_result *out, jahs_error *err)
{
    synth_eval *s = state;
    int rc, trained;
    if (req->space && req->space->n != s->f.sp->n)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "request for space '%s' (%d parameters), evaluator "
                         "opened on '%s' (%d)",
                         req->space->name, req->space->n, s->f.sp->name,
                         s->f.sp->n);
    /* epochs >= 1, 0 <= resume_from <= epochs: jahs_eval_run checks */
    if ((rc = check_config(&s->f, req->config, err)))
        return rc;
    trained = s->resume ? req->epochs - req->resume_from : req->epochs;
    out->val_acc = synth_acc(&s->f, req->config, req->epochs);
    out->test_acc = out->val_acc - 1.0;
    out->cost = trained * synth_speed(&s->f, req->config);
    if (s->sleep > 0) { /* the "timed" variant: take real time */
        double t = out->cost * s->sleep;
        struct timespec ts;
        ts.tv_sec = (time_t)t;
        ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
    return 0;
}

static void synth_close(void *state) { free(state); }

/* The timed variant sleeps: its costs are wall seconds too. */
static int synth_wall_clock(const jahs_eval_options *o)
{
    return o->synthetic_sleep > 0;
}

static const jahs_eval_decl synth_decl = {"synthetic,synthetic_sleep,resume",
                                          0, NULL, NULL, synth_wall_clock, NULL, NULL,
                                          0};

const jahs_eval_type jahs_eval_synthetic = {
    "synthetic",
    "multi-fidelity test functions with known optima (branin, hartmann6, "
    "cellhp); cost = epochs x a per-config speed; deterministic",
    synth_open, synth_eval_run, synth_close, &synth_decl};
