/*
 * claims.c - the poster's claims, each stated in its own words, with the
 * rule that decides it from our runs.  A claim names its rows by the poster's
 * label and the space (the poster repeats "MOBSTER" in two groups); a claim
 * whose rows this experiment does not have is "not applicable here" (another
 * experiment file holds them: table1, speedup, ablation, beyond).
 *
 * Verdicts are decided by statistics (core/stats.h): each claim's quantity
 * (a difference of mean incumbent accuracies, a speedup, a difference of
 * speedups) gets a 95 % percentile bootstrap interval from BOOT_RESAMPLES
 * resamples of the seeds (each row's seeds resampled on their own, GSL
 * mt19937 seeded with BOOT_SEED), and the verdict is
 *   held      the interval lies on the claimed side (above 0; for C2 inside
 *             the +-10 point band),
 *   reversed  it lies on the other side (below 0; C2: outside the band),
 *   undecided it straddles the boundary,
 * with the two-sided Mann-Whitney p-value beside each difference of
 * accuracies.  Every claim is decided at the poster's 3 seeds (the first
 * three of the row's seeds) and, when the run has more, at all of them.
 * C7 (cell64's capacity) is "not testable here": cell64 reuses NB201's
 * accuracies of each cell (tables/README.md, "cell64: can a capacity effect
 * of 64 channels / 2 stages be grounded?").
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/stats.h"
#include "core/util.h"
#include "exp/report.h"
#include "exp/rundir.h"

#define BOOT_RESAMPLES 2000
#define BOOT_SEED 20231203u
#define BOOT_LEVEL 0.95
#define POSTER_SEEDS 3 /* "three standardized seeds" */

typedef enum {
    BEATS,         /* a's mean > b's mean at every report time */
    BEATS_LAST,    /* ... at the last report time only */
    BEATS_FIRST,   /* ... at the first report time only */
    STD_AND_MEAN_FIRST, /* at the first time: a's std < b's and mean > b's */
    SPEEDUP,       /* a vs b: a speedup above 0, compared with pct */
    SIMILAR_SPEEDUP /* |speedup(a) - speedup(b)| <= pct (vs MOBSTER) */
} claim_kind;

typedef struct {
    const char *id;
    const char *quote; /* the poster's words */
    claim_kind kind;
    const char *a, *a_space, *b, *b_space;
    double pct;
    int untestable; /* decided by how the benchmark is built, not here */
} claim;

static const claim claims[] = {
    {"C1",
     "\"Joint prior method ASHA-Prior provides a nearly 25% speed-up compared "
     "to multi-fidelity BO (MOBSTER).\" (also the summary's \"speeds up the "
     "search by 25%\")",
     SPEEDUP, "ASHA Joint Priors (2)", "cell64", "MOBSTER", "cell64", 25.0, 0},
    {"C2",
     "\"PriorBand with HP priors provides similar speedup to ASHA with joint "
     "priors.\" (similar: within 10 percentage points)",
     SIMILAR_SPEEDUP, "PriorBand- HP Priors", "cell64", "ASHA Joint Priors (2)",
     "cell64", 10.0, 0},
    {"C3a",
     "\"Using ASHA, HP Priors Only and Arch Priors Only both outperform "
     "MOBSTER (without priors).\" (HP priors)",
     BEATS, "ASHA HP Priors Only", "cell64", "MOBSTER", "cell64", 0, 0},
    {"C3b",
     "\"Using ASHA, HP Priors Only and Arch Priors Only both outperform "
     "MOBSTER (without priors).\" (arch priors)",
     BEATS, "ASHA Arch Priors Only", "cell64", "MOBSTER", "cell64", 0, 0},
    {"C4",
     "\"Architecture priors provide a larger performance improvement than HP "
     "priors.\"",
     BEATS, "ASHA Arch Priors Only", "cell64", "ASHA HP Priors Only", "cell64",
     0, 0},
    {"C5", "\"PriorBand outperforms ASHA when run with HP priors.\"", BEATS,
     "PriorBand- HP Priors", "cell64", "ASHA HP Priors Only", "cell64", 0, 0},
    {"C6a",
     "\"Inclusion of priors accelerates the convergence when having limited "
     "time and computation constraints.\" (NB201 space, vs no prior)",
     BEATS_FIRST, "ASHA Joint Priors (1)", "nb201", "ASHA NAS Random HP",
     "nb201", 0, 0},
    {"C6b",
     "\"Inclusion of priors accelerates the convergence ...\" (NB201 space, "
     "vs MOBSTER)",
     BEATS_FIRST, "ASHA Joint Priors (1)", "nb201", "MOBSTER", "nb201", 0, 0},
    {"C7a",
     "\"we introduce a 2-stage, 3-cell search space with 64 initial channels. "
     "To better fit the data within the constraints.\" (ASHA joint priors)",
     BEATS, "ASHA Joint Priors (2)", "cell64", "ASHA Joint Priors (1)", "nb201",
     0, 1},
    {"C7b",
     "\"... 64 initial channels. To better fit the data within the "
     "constraints.\" (MOBSTER)",
     BEATS, "MOBSTER", "cell64", "MOBSTER", "nb201", 0, 1},
    {"C8",
     "\"Higher fraction reduces standard deviation across seeds and results "
     "in greater test accuracy after 2h.\" (prior fraction 0.8 vs 0.5)",
     STD_AND_MEAN_FIRST, "ASHA- Priors 0.8", "cell64", "ASHA- Priors 0.5",
     "cell64", 0, 0},
    {"C9",
     "\"the 6h test accuracy for the 0.5 fraction is higher\"", BEATS_LAST,
     "ASHA- Priors 0.5", "cell64", "ASHA- Priors 0.8", "cell64", 0, 0},
    {"C10",
     "\"We expect PriorBand with joint priors to outperform ASHA with joint "
     "priors.\" (the poster could not run it)",
     BEATS, "PriorBand Joint Priors", "cell64", "ASHA Joint Priors (2)",
     "cell64", 0, 0},
    {"C11",
     "\"Scheduling different prior fractions followed by BO using the run "
     "history might further achieve better convergence results.\"",
     BEATS, "Prior Schedule + BO", "cell64", "ASHA Joint Priors (2)", "cell64",
     0, 0},
};

/* 1 when row r's results depend on its prior source: an arch prior from
 * the table, or top10's ranks. */
static int uses_source(const jahs_exp_row *r)
{
    return strcmp(r->space, "top10") == 0 ||
           ((r->prior == JAHS_COVER_ARCH || r->prior == JAHS_COVER_JOINT) &&
            !r->arch_weights[0]);
}

/* 1 when row r belongs to the setting of row set (NULL: every row): the same
 * dataset, and the same prior source where r's results depend on it. */
static int in_setting(const jahs_exp_row *r, const jahs_exp_row *set)
{
    return !set || (strcmp(r->dataset, set->dataset) == 0 &&
                    (!uses_source(r) ||
                     strcmp(r->prior_source, set->prior_source) == 0));
}

static int row_of(const jahs_experiment *e, const char *label,
                  const char *space, const jahs_exp_row *set)
{
    int i;
    for (i = 0; i < e->n_rows; i++) {
        const jahs_exp_row *r = &e->rows[i];
        const char *lab = r->paper_label[0] ? r->paper_label : r->label;
        if (strcmp(lab, label) == 0 && (!space || strcmp(r->space, space) == 0) &&
            in_setting(r, set))
            return i;
    }
    return -1;
}

/* ---- the statistics of one claim ------------------------------------------ */

/* Seeds (of the first first_n) of row with a result at t: their values. */
static int seed_values(const jahs_report *r, int row, int first_n, double t,
                       double *v)
{
    const jahs_exp_row *er = &jahs_report_experiment(r)->rows[row];
    int s, n = 0;
    for (s = 0; s < er->n_seeds && s < first_n; s++) {
        jahs_stat st = jahs_report_seed_at(r, row, s, t);
        if (st.n)
            v[n++] = st.mean;
    }
    return n;
}

typedef struct {
    const double *a, *b;
    int na, nb;
    int what; /* 0: mean(a) - mean(b); 1: std(b) - std(a) */
} two_samples;

static void wmoments(const double *x, const int *w, int n, double *mean,
                     double *sd)
{
    double s = 0, s2 = 0, m;
    int i, k = 0;
    for (i = 0; i < n; i++) {
        s += w[i] * x[i];
        k += w[i];
    }
    m = s / k;
    for (i = 0; i < n; i++)
        s2 += w[i] * (x[i] - m) * (x[i] - m);
    *mean = m;
    *sd = k > 1 ? sqrt(s2 / (k - 1)) : 0;
}

static double two_stat(void *ctx, const int *const *w)
{
    const two_samples *t = ctx;
    double ma, sa, mb, sb;
    wmoments(t->a, w[0], t->na, &ma, &sa);
    wmoments(t->b, w[1], t->nb, &mb, &sb);
    return t->what ? sb - sa : ma - mb;
}

typedef enum { V_HELD, V_REVERSED, V_UNDECIDED } vclass;

static vclass side(const jahs_boot_ci *ci, double lo_bound, double hi_bound)
{
    if (ci->lo > hi_bound)
        return V_HELD;
    if (ci->hi < lo_bound)
        return V_REVERSED;
    return V_UNDECIDED;
}

/* Speedup statistics: rows a, b and the reference; def 2 (time the
 * reference needs to reach a row's own final mean) or def 1 (time a row
 * needs to reach the reference's final mean), report.c. */
typedef struct {
    jahs_report_curves *c[3]; /* a, b (or NULL), ref */
    double H, hor[3];         /* report time; each row's budget */
    int def1;
    int censored;             /* resamples where ref never reached */
    int count_censored;
} sp_ctx;

static const int *ones(int n)
{
    static int w[JAHS_EXP_MAX_SEEDS];
    int i;
    for (i = 0; i < n && i < JAHS_EXP_MAX_SEEDS; i++)
        w[i] = 1;
    return w;
}

/* def 2: 100 (1 - t_own / t_ref); t_ref NAN is counted at the reference's
 * budget (a lower bound) when x->count_censored, else NAN. */
static double sp_def2(sp_ctx *x, int k, const int *wk, const int *wr)
{
    double own = jahs_report_curves_at(x->c[k], wk, x->H);
    double t_own = jahs_report_curves_time_to(x->c[k], wk, own, x->H);
    double t_ref = jahs_report_curves_time_to(x->c[2], wr, own, x->hor[2]);
    if (isnan(t_ref)) {
        if (!x->count_censored)
            return NAN;
        x->censored++;
        t_ref = x->hor[2];
    }
    return 100.0 * (1.0 - t_own / t_ref);
}

/* def 1: 100 (t_ref - t_k) / t_ref for the reference's final mean */
static double sp_def1(sp_ctx *x, int k, const int *wk, const int *wr)
{
    double target = jahs_report_curves_at(x->c[2], wr, x->H);
    double t_ref = jahs_report_curves_time_to(x->c[2], wr, target, x->H);
    double t_k = jahs_report_curves_time_to(x->c[k], wk, target, x->hor[k]);
    return 100.0 * (t_ref - t_k) / t_ref;
}

static double speedup_stat(void *ctx, const int *const *w)
{
    sp_ctx *x = ctx;
    return sp_def2(x, 0, w[0], w[1]);
}

static double similar_stat(void *ctx, const int *const *w)
{
    sp_ctx *x = ctx;
    if (x->def1)
        return sp_def1(x, 0, w[0], w[2]) - sp_def1(x, 1, w[1], w[2]);
    return sp_def2(x, 0, w[0], w[2]) - sp_def2(x, 1, w[1], w[2]);
}

static void put_ci(jahs_buf *b, double est, const jahs_boot_ci *ci,
                   const char *unit)
{
    jahs_buf_printf(b, "%+.2f%s [%+.2f, %+.2f]", est, unit, ci->lo, ci->hi);
}

static const char *vname(vclass v)
{
    return v == V_HELD ? "held" : v == V_REVERSED ? "reversed" : "undecided";
}

/*
 * Claim cl on the first first_n seeds: the deciding numbers into nums and
 * the verdict; 0, or -1 when its rows are not here (nums says which).
 */
static int decide(const jahs_report *r, const claim *cl,
                  const jahs_exp_row *set, int first_n, jahs_buf *nums,
                  vclass *verdict)
{
    const jahs_experiment *e = jahs_report_experiment(r);
    int a = row_of(e, cl->a, cl->a_space, set),
        b = row_of(e, cl->b, cl->b_space, set);
    double H1 = e->report_hours[e->n_report - 1] * 3600.0;
    uint64_t seed = BOOT_SEED + (uint64_t)(cl - claims);
    if (a < 0 || b < 0 || !jahs_report_has_runs(r, a) ||
        !jahs_report_has_runs(r, b)) {
        jahs_buf_printf(nums, "rows \"%s\" (%s) and \"%s\" (%s) not run here",
                        cl->a, cl->a_space, cl->b, cl->b_space);
        return -1;
    }
    if (cl->kind == BEATS || cl->kind == BEATS_LAST ||
        cl->kind == BEATS_FIRST || cl->kind == STD_AND_MEAN_FIRST) {
        int k, held = 1, rev = 0;
        for (k = 0; k < e->n_report; k++) {
            double t = e->report_hours[k] * 3600.0, va[JAHS_EXP_MAX_SEEDS],
                   vb[JAHS_EXP_MAX_SEEDS], u, p, ma, sa, mb, sb;
            int na, nb, what, exact, n[2];
            if ((cl->kind == BEATS_LAST && k != e->n_report - 1) ||
                ((cl->kind == BEATS_FIRST || cl->kind == STD_AND_MEAN_FIRST) &&
                 k != 0))
                continue;
            na = seed_values(r, a, first_n, t, va);
            nb = seed_values(r, b, first_n, t, vb);
            jahs_buf_printf(nums, "%s%g h: ", nums->len ? "; " : "",
                            e->report_hours[k]);
            if (na < 2 || nb < 2) {
                jahs_buf_printf(nums, "%d and %d seeds with a result (2 "
                                      "needed)",
                                na, nb);
                held = 0;
                continue;
            }
            wmoments(va, ones(na), na, &ma, &sa);
            wmoments(vb, ones(nb), nb, &mb, &sb);
            jahs_buf_printf(nums, "%.2f ± %.2f vs %.2f ± %.2f, ", ma, sa, mb,
                            sb);
            for (what = 0; what < (cl->kind == STD_AND_MEAN_FIRST ? 2 : 1);
                 what++) {
                two_samples ts = {va, vb, na, nb, what};
                jahs_boot_ci ci;
                vclass v;
                n[0] = na;
                n[1] = nb;
                if (jahs_bootstrap(2, n, two_stat, &ts, BOOT_RESAMPLES,
                                   BOOT_LEVEL, seed, &ci))
                    return -1;
                jahs_buf_puts(nums, what ? "; std difference " : "difference ");
                put_ci(nums, what ? sb - sa : ma - mb, &ci, "");
                v = side(&ci, 0, 0);
                held &= v == V_HELD;
                rev |= v == V_REVERSED;
            }
            if (jahs_mann_whitney(va, na, vb, nb, &u, &p, &exact) == 0)
                jahs_buf_printf(nums, ", Mann-Whitney p = %.3g%s", p,
                                exact ? "" : " (normal approx.)");
        }
        *verdict = held ? V_HELD : rev ? V_REVERSED : V_UNDECIDED;
        return 0;
    }
    {
        sp_ctx x = {{NULL, NULL, NULL}, H1, {0, 0, 0}, 0, 0, 0};
        int ref = cl->kind == SPEEDUP ? b : row_of(e, "MOBSTER", "cell64", set);
        int rows3[3] = {a, cl->kind == SPEEDUP ? -1 : b, ref}, n[3], g, ng = 0;
        double est;
        jahs_boot_ci ci;
        int rc = 0;
        if (ref < 0 || !jahs_report_has_runs(r, ref)) {
            jahs_buf_printf(nums, "reference MOBSTER (cell64) not run here");
            return -1;
        }
        for (g = 0; g < 3; g++) {
            if (rows3[g] < 0)
                continue;
            x.c[g] = jahs_report_curves_make(r, rows3[g], first_n);
            x.hor[g] = e->rows[rows3[g]].budget_hours * 3600.0;
            if (!x.c[g]) {
                rc = -1;
                goto done;
            }
            n[ng++] = jahs_report_curves_members(x.c[g]);
        }
        if (cl->kind == SPEEDUP) {
            x.count_censored = 1;
            /* the point estimate: every seed once */
            est = sp_def2(&x, 0, ones(n[0]), ones(n[1]));
            {
                int censored_point = x.censored;
                sp_ctx y = x;
                y.censored = 0;
                {
                    /* groups: a, ref */
                    int m[2] = {n[0], n[1]};
                    if (jahs_bootstrap(2, m, speedup_stat, &y, BOOT_RESAMPLES,
                                       BOOT_LEVEL, seed, &ci)) {
                        rc = -1;
                        goto done;
                    }
                }
                jahs_buf_printf(nums,
                                "speedup of %s over %s at its %g h accuracy "
                                "%s%.1f%% [95%% CI %.1f, %.1f]",
                                cl->a, cl->b, H1 / 3600.0,
                                censored_point ? ">= " : "", est, ci.lo,
                                ci.hi);
                if (censored_point || y.censored)
                    jahs_buf_printf(nums,
                                    "; %s never reaches it within its %.3g h "
                                    "in %s%d of %d resamples, counted at that "
                                    "budget (a lower bound)",
                                    cl->b, e->rows[b].budget_hours,
                                    censored_point ? "the full sample and " : "",
                                    y.censored, ci.resamples);
                jahs_buf_printf(nums, "; against the claimed %.0f%%: %s",
                                cl->pct,
                                ci.lo > cl->pct ? "above it"
                                : (ci.hi < cl->pct && !y.censored &&
                                   !censored_point)
                                    ? "below it"
                                    : "the interval contains it (or is a "
                                      "lower bound below it)");
                *verdict = ci.lo > 0 ? V_HELD
                           : (ci.hi < 0 && !y.censored) ? V_REVERSED
                                                        : V_UNDECIDED;
            }
        } else {
            const int *w1 = ones(JAHS_EXP_MAX_SEEDS);
            double sa, sb;
            sa = sp_def2(&x, 0, w1, w1);
            sb = sp_def2(&x, 1, w1, w1);
            if (isnan(sa) || isnan(sb)) {
                x.def1 = 1;
                sa = sp_def1(&x, 0, w1, w1);
                sb = sp_def1(&x, 1, w1, w1);
            }
            est = sa - sb;
            if (jahs_bootstrap(3, n, similar_stat, &x, BOOT_RESAMPLES,
                               BOOT_LEVEL, seed, &ci)) {
                rc = -1;
                goto done;
            }
            jahs_buf_printf(nums,
                            "%s: speedup over MOBSTER %s %.1f%%, %s %.1f%%; "
                            "difference ",
                            x.def1 ? "time to reach MOBSTER's final accuracy "
                                     "(MOBSTER never reaches one's own)"
                                   : "time MOBSTER needs for each one's final "
                                     "accuracy",
                            cl->a, sa, cl->b, sb);
            if (isnan(est))
                jahs_buf_puts(nums, "undefined (a method never reaches the "
                                    "target)");
            else
                put_ci(nums, est, &ci, " points");
            if (ci.undefined)
                jahs_buf_printf(nums, "; undefined in %d of %d resamples",
                                ci.undefined, ci.resamples);
            jahs_buf_printf(nums, "; similar: within ±%.0f points", cl->pct);
            if (isnan(est) || ci.undefined > (1 - BOOT_LEVEL) * ci.resamples)
                *verdict = V_UNDECIDED;
            else if (ci.lo >= -cl->pct && ci.hi <= cl->pct)
                *verdict = V_HELD;
            else if (ci.lo > cl->pct || ci.hi < -cl->pct)
                *verdict = V_REVERSED;
            else
                *verdict = V_UNDECIDED;
        }
    done:
        for (g = 0; g < 3; g++)
            jahs_report_curves_free(x.c[g]);
        return rc;
    }
}

/* The verdict's text. */
static const char *verdict_text(const claim *cl, vclass v)
{
    return cl->untestable ? "not testable here" : vname(v);
}

/* The seed sets a claim is decided on: the poster's 3, and all when more. */
static int max_seeds(const jahs_experiment *e)
{
    int i, m = 0;
    for (i = 0; i < e->n_rows; i++)
        if (e->rows[i].n_seeds > m)
            m = e->rows[i].n_seeds;
    return m;
}

/* The first row of e on an NB201 table (a row whose evaluator reads
 * `dataset`): its setting is the one a sensitivity-matrix column decides;
 * NULL when e has none (every row counts). */
static const jahs_exp_row *first_setting(const jahs_experiment *e)
{
    int i;
    for (i = 0; i < e->n_rows; i++)
        if (jahs_eval_reads(jahs_eval_find(e->rows[i].evaluator), "dataset"))
            return &e->rows[i];
    return NULL;
}

int jahs_report_claim_verdict(const jahs_report *r, int c, int first_n,
                              const char **id, const char **verdict)
{
    jahs_buf nums = {0};
    vclass v = V_UNDECIDED;
    int rc;
    if (c < 0 || c >= (int)JAHS_ARRAY_LEN(claims))
        return JAHS_ENOTFOUND;
    rc = decide(r, &claims[c], first_setting(jahs_report_experiment(r)),
                first_n, &nums, &v);
    jahs_buf_free(&nums);
    *id = claims[c].id;
    *verdict = rc ? "not applicable here" : verdict_text(&claims[c], v);
    return 0;
}

/* The claims decided by the rows of the setting of row set (NULL: all). */
static int claims_in(const jahs_report *r, const jahs_exp_row *set,
                     jahs_buf *md)
{
    const jahs_experiment *e = jahs_report_experiment(r);
    size_t c;
    int all = max_seeds(e), sets[2], n_sets = 0, k;
    sets[n_sets++] = all < POSTER_SEEDS ? all : POSTER_SEEDS;
    if (all > POSTER_SEEDS)
        sets[n_sets++] = all;
    if (set) {
        char s[160];
        jahs_buf_printf(md, "## %s\n\n",
                        jahs_exp_row_setting(set, s, sizeof s));
    }
    jahs_buf_puts(md, "| # | claim | seeds | numbers | verdict |\n"
                      "|---|---|---|---|---|\n");
    for (c = 0; c < JAHS_ARRAY_LEN(claims); c++) {
        const claim *cl = &claims[c];
        for (k = 0; k < n_sets; k++) {
            jahs_buf nums = {0};
            vclass v = V_UNDECIDED;
            int rc = decide(r, cl, set, sets[k], &nums, &v);
            jahs_buf_printf(md, "| %s | %s | %d | %s | %s |\n", cl->id,
                            k == 0 ? cl->quote : "(the same)", sets[k],
                            nums.data ? nums.data : "",
                            rc ? "not applicable here" : verdict_text(cl, v));
            jahs_buf_free(&nums);
            if (rc)
                break;
        }
    }
    return md->data ? 0 : JAHS_ENOMEM;
}

/* ---- the sensitivity matrix ------------------------------------------------ */

#define MAX_DIRS 4 /* results directories per column */

typedef struct {
    jahs_experiment *e[MAX_DIRS];
    jahs_report *r[MAX_DIRS];
    int n, all[MAX_DIRS];
} column;

static void column_free(column *col)
{
    int k;
    for (k = 0; k < col->n; k++) {
        jahs_report_free(col->r[k]);
        jahs_experiment_free(col->e[k]);
    }
}

/* dirs: "DIR[,DIR...]" */
static int column_load(column *col, const char *dirs, jahs_error *err)
{
    char *copy = jahs_strdup(dirs), *tok, *save = NULL;
    int rc = 0;
    memset(col, 0, sizeof *col);
    if (!copy)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    for (tok = strtok_r(copy, ",", &save); tok && !rc;
         tok = strtok_r(NULL, ",", &save)) {
        if (col->n == MAX_DIRS) {
            rc = JAHS_FAIL(err, JAHS_EINVAL,
                           "'%s': at most %d results directories per column",
                           dirs, MAX_DIRS);
            break;
        }
        if (!(col->e[col->n] = jahs_rundir_experiment(tok, err))) {
            rc = err->code;
            break;
        }
        if (!(col->r[col->n] = jahs_report_load(col->e[col->n], tok, err))) {
            jahs_experiment_free(col->e[col->n]);
            rc = err->code;
            break;
        }
        col->all[col->n] = max_seeds(col->e[col->n]);
        col->n++;
    }
    if (!rc && col->n == 0)
        rc = JAHS_FAIL(err, JAHS_EINVAL, "no results directory in '%s'", dirs);
    free(copy);
    return rc;
}

/* The cell of claim c in col: the first directory that can decide it. */
static int column_cell(const column *col, int c, jahs_buf *line)
{
    int k;
    for (k = 0; k < col->n; k++) {
        const char *id, *v3, *vall;
        jahs_report_claim_verdict(col->r[k], c, POSTER_SEEDS, &id, &v3);
        if (strcmp(v3, "not applicable here") == 0)
            continue;
        jahs_report_claim_verdict(col->r[k], c, col->all[k], &id, &vall);
        if (col->all[k] > POSTER_SEEDS)
            jahs_buf_printf(line, " %s / %s |", v3, vall);
        else
            jahs_buf_printf(line, " %s |", v3);
        return 1;
    }
    jahs_buf_puts(line, " not run |");
    return 0;
}

int jahs_report_claims(const jahs_report *r, jahs_buf *md, jahs_error *err)
{
    const jahs_experiment *e = jahs_report_experiment(r);
    int i, k, n = 0, rc = 0, all = max_seeds(e), sets[2], n_sets = 0;
    (void)err;
    sets[n_sets++] = all < POSTER_SEEDS ? all : POSTER_SEEDS;
    if (all > POSTER_SEEDS)
        sets[n_sets++] = all;
    jahs_buf_printf(
        md,
        "# Claims of the poster, checked on `%s`\n\n"
        "Numbers: incumbent test accuracy (%%), mean ± std over seeds, at "
        "%g h and %g h, and the claim's quantity (a difference of means, a "
        "speedup, a difference of speedups) with its 95 %% percentile "
        "bootstrap interval: %d resamples of each row's seeds on their own "
        "(GSL mt19937, fixed seed %u + the claim's index; src/core/stats.h). "
        "Differences of accuracies also carry the two-sided Mann-Whitney "
        "p-value (exact without ties).  Verdict, from the interval: "
        "**held** (on the claimed side of 0; C2: inside the ±10 point "
        "band), **reversed** (on the other side), **undecided** (it "
        "straddles); a claim that turns on cell64's capacity is **not "
        "testable here** (tables/README.md, \"cell64: can a capacity effect "
        "... be grounded?\").  Each claim is decided at the poster's %d "
        "seeds (the first %d)%s.  With 3 seeds a bootstrap has only 10 "
        "distinct resamples per row: its intervals are coarse and tend to "
        "be too narrow, and no rank test can reach p < 0.05 (the smallest "
        "two-sided exact p at 3 vs 3 is 0.1).  A claim whose rows are not "
        "in this experiment is decided by another experiment's "
        "claims.md.  Each setting (the dataset searched, where the arch prior "
        "and top10's cells come from) is decided on its own rows; rows "
        "without an arch prior or top10 count in every setting of their "
        "dataset.\n\n",
        e->name, e->report_hours[0], e->report_hours[e->n_report - 1],
        BOOT_RESAMPLES, BOOT_SEED, sets[0], sets[0],
        n_sets > 1 ? " and at all of the run's seeds" : "");
    /* the distinct settings of the rows on NB201 tables, in row order */
    for (i = 0; i < e->n_rows && !rc; i++) {
        const jahs_exp_row *ri = &e->rows[i];
        if (!jahs_eval_reads(jahs_eval_find(ri->evaluator), "dataset"))
            continue;
        for (k = 0; k < i; k++)
            if (jahs_eval_reads(jahs_eval_find(e->rows[k].evaluator),
                                "dataset") &&
                in_setting(ri, &e->rows[k]) && in_setting(&e->rows[k], ri))
                break;
        if (k < i)
            continue;
        if (n++)
            jahs_buf_puts(md, "\n");
        rc = claims_in(r, ri, md);
    }
    return n ? rc : claims_in(r, NULL, md);
}

int jahs_claims_matrix(const char *const *labels, const char *const *dirs,
                       int n, jahs_buf *md, jahs_error *err)
{
    column *cols;
    int i, k, rc = 0, loaded = 0;
    size_t c;
    if (n < 1 || n > JAHS_CLAIMS_MAX_VARIANTS)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "a sensitivity matrix takes 1 to %d columns, got %d",
                         JAHS_CLAIMS_MAX_VARIANTS, n);
    if (!(cols = calloc((size_t)n, sizeof *cols)))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    for (loaded = 0; loaded < n; loaded++)
        if ((rc = column_load(&cols[loaded], dirs[loaded], err))) {
            column_free(&cols[loaded]); /* what it had loaded */
            goto out;
        }
    jahs_buf_printf(md,
                    "# Sensitivity of the verdicts to the conventions\n\n"
                    "Each column is a set of runs under one convention (its "
                    "results directories below); each cell the claim's "
                    "verdict at the poster's %d seeds / at all of the run's "
                    "seeds, decided as in claims.md (95 %% bootstrap "
                    "interval, %d resamples), from the first of the column's "
                    "directories that has the claim's rows (\"not run\": "
                    "none has).  A verdict that stays the same along a row "
                    "does not depend on these conventions.  A directory "
                    "with several settings (datasets, prior sources) "
                    "decides its first: the setting of its first row on an "
                    "NB201 table (named below).\n\n| claim |",
                    POSTER_SEEDS, BOOT_RESAMPLES);
    for (i = 0; i < n; i++)
        jahs_buf_printf(md, " %s |", labels[i]);
    jahs_buf_puts(md, "\n|---|");
    for (i = 0; i < n; i++)
        jahs_buf_puts(md, "---|");
    jahs_buf_puts(md, "\n");
    for (c = 0; c < JAHS_ARRAY_LEN(claims); c++) {
        int any = 0;
        jahs_buf line = {0};
        jahs_buf_printf(&line, "| %s |", claims[c].id);
        for (i = 0; i < n; i++)
            any |= column_cell(&cols[i], (int)c, &line);
        if (any) /* claims no run here can decide: left out */
            jahs_buf_printf(md, "%s\n", line.data);
        jahs_buf_free(&line);
    }
    jahs_buf_puts(md, "\n| column | results directories | seeds | setting "
                      "decided (each directory's first) |\n"
                      "|---|---|---|---|\n");
    for (i = 0; i < n; i++) {
        jahs_buf_printf(md, "| %s | `%s` | ", labels[i], dirs[i]);
        for (k = 0; k < cols[i].n; k++)
            jahs_buf_printf(md, "%s%d", k ? ", " : "", cols[i].all[k]);
        jahs_buf_puts(md, " | ");
        for (k = 0; k < cols[i].n; k++) {
            const jahs_exp_row *set = first_setting(cols[i].e[k]);
            char s[160];
            jahs_buf_printf(md, "%s%s", k ? "; " : "",
                            set ? jahs_exp_row_setting(set, s, sizeof s)
                                : "(no NB201 table)");
        }
        jahs_buf_puts(md, " |\n");
    }
    if (!md->data)
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
out:
    for (i = 0; i < loaded; i++)
        column_free(&cols[i]);
    free(cols);
    return rc;
}
