/*
 * claims.c - the poster's claims, each stated in its own words, with the
 * rule that decides it from our runs.  A claim names its rows by the poster's
 * label and the space (the poster repeats "MOBSTER" in two groups); a claim
 * whose rows this experiment does not have is "not applicable here" (another
 * experiment file holds them: table1, speedup, ablation, beyond).
 *
 * Verdicts: "held" when the numbers go the claimed way, "not held"
 * otherwise; "(within seed noise)" is added when the difference of means is
 * smaller than the larger of the two standard deviations over seeds.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "exp/report.h"

typedef enum {
    BEATS,         /* a's mean > b's mean at every report time */
    BEATS_LAST,    /* ... at the last report time only */
    BEATS_FIRST,   /* ... at the first report time only */
    STD_AND_MEAN_FIRST, /* at the first time: a's std < b's and mean > b's */
    SPEEDUP,       /* a vs the reference: speedup_vs_ref >= pct */
    SIMILAR_SPEEDUP /* |speedup(a) - speedup(b)| <= pct */
} claim_kind;

typedef struct {
    const char *id;
    const char *quote; /* the poster's words */
    claim_kind kind;
    const char *a, *a_space, *b, *b_space;
    double pct;
} claim;

static const claim claims[] = {
    {"C1",
     "\"Joint prior method ASHA-Prior provides a nearly 25% speed-up compared "
     "to multi-fidelity BO (MOBSTER).\" (also the summary's \"speeds up the "
     "search by 25%\")",
     SPEEDUP, "ASHA Joint Priors (2)", "cell64", "MOBSTER", "cell64", 20.0},
    {"C2",
     "\"PriorBand with HP priors provides similar speedup to ASHA with joint "
     "priors.\" (similar: within 10 percentage points)",
     SIMILAR_SPEEDUP, "PriorBand- HP Priors", "cell64", "ASHA Joint Priors (2)",
     "cell64", 10.0},
    {"C3a",
     "\"Using ASHA, HP Priors Only and Arch Priors Only both outperform "
     "MOBSTER (without priors).\" (HP priors)",
     BEATS, "ASHA HP Priors Only", "cell64", "MOBSTER", "cell64", 0},
    {"C3b",
     "\"Using ASHA, HP Priors Only and Arch Priors Only both outperform "
     "MOBSTER (without priors).\" (arch priors)",
     BEATS, "ASHA Arch Priors Only", "cell64", "MOBSTER", "cell64", 0},
    {"C4",
     "\"Architecture priors provide a larger performance improvement than HP "
     "priors.\"",
     BEATS, "ASHA Arch Priors Only", "cell64", "ASHA HP Priors Only", "cell64",
     0},
    {"C5", "\"PriorBand outperforms ASHA when run with HP priors.\"", BEATS,
     "PriorBand- HP Priors", "cell64", "ASHA HP Priors Only", "cell64", 0},
    {"C6a",
     "\"Inclusion of priors accelerates the convergence when having limited "
     "time and computation constraints.\" (NB201 space, vs no prior)",
     BEATS_FIRST, "ASHA Joint Priors (1)", "nb201", "ASHA NAS Random HP",
     "nb201", 0},
    {"C6b",
     "\"Inclusion of priors accelerates the convergence ...\" (NB201 space, "
     "vs MOBSTER)",
     BEATS_FIRST, "ASHA Joint Priors (1)", "nb201", "MOBSTER", "nb201", 0},
    {"C7a",
     "\"we introduce a 2-stage, 3-cell search space with 64 initial channels. "
     "To better fit the data within the constraints.\" (ASHA joint priors)",
     BEATS, "ASHA Joint Priors (2)", "cell64", "ASHA Joint Priors (1)", "nb201",
     0},
    {"C7b",
     "\"... 64 initial channels. To better fit the data within the "
     "constraints.\" (MOBSTER)",
     BEATS, "MOBSTER", "cell64", "MOBSTER", "nb201", 0},
    {"C8",
     "\"Higher fraction reduces standard deviation across seeds and results "
     "in greater test accuracy after 2h.\" (prior fraction 0.8 vs 0.5)",
     STD_AND_MEAN_FIRST, "ASHA- Priors 0.8", "cell64", "ASHA- Priors 0.5",
     "cell64", 0},
    {"C9",
     "\"the 6h test accuracy for the 0.5 fraction is higher\"", BEATS_LAST,
     "ASHA- Priors 0.5", "cell64", "ASHA- Priors 0.8", "cell64", 0},
    {"C10",
     "\"We expect PriorBand with joint priors to outperform ASHA with joint "
     "priors.\" (the poster could not run it)",
     BEATS, "PriorBand Joint Priors", "cell64", "ASHA Joint Priors (2)",
     "cell64", 0},
    {"C11",
     "\"Scheduling different prior fractions followed by BO using the run "
     "history might further achieve better convergence results.\"",
     BEATS, "Prior Schedule + BO", "cell64", "ASHA Joint Priors (2)", "cell64",
     0},
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

static void fmt_stat(char *buf, size_t n, jahs_stat s)
{
    if (s.n == 0)
        snprintf(buf, n, "no result");
    else
        snprintf(buf, n, "%.2f ± %.2f", s.mean, s.std);
}

/* Speedup of row a against the reference (definition 2 of report.c). */
static double speedup_vs(const jahs_report *r, int a, int ref, double H,
                         double *own, double *t_own, double *t_ref)
{
    const jahs_experiment *e = jahs_report_experiment(r);
    *own = jahs_report_at(r, a, H).mean;
    *t_own = jahs_report_time_to(r, a, *own, H);
    *t_ref = jahs_report_time_to(r, ref, *own, e->rows[ref].budget_hours * 3600.0);
    return 100.0 * (1.0 - *t_own / *t_ref);
}

/* The claims decided by the rows of the setting of row set (NULL: all). */
static int claims_in(const jahs_report *r, const jahs_exp_row *set,
                     jahs_buf *md)
{
    const jahs_experiment *e = jahs_report_experiment(r);
    size_t c;
    double H0 = e->report_hours[0] * 3600.0;
    double H1 = e->report_hours[e->n_report - 1] * 3600.0;
    if (set) {
        char s[160];
        jahs_buf_printf(md, "## %s\n\n",
                        jahs_exp_row_setting(set, s, sizeof s));
    }
    jahs_buf_puts(md, "| # | claim | numbers | verdict |\n|---|---|---|---|\n");
    for (c = 0; c < JAHS_ARRAY_LEN(claims); c++) {
        const claim *cl = &claims[c];
        int a = row_of(e, cl->a, cl->a_space, set),
            b = row_of(e, cl->b, cl->b_space, set);
        jahs_buf nums = {0};
        const char *verdict;
        char va[64], vb[64];
        if (a < 0 || b < 0 || !jahs_report_has_runs(r, a) ||
            !jahs_report_has_runs(r, b)) {
            jahs_buf_printf(md, "| %s | %s | rows \"%s\" (%s) and \"%s\" (%s) "
                                "not run here | not applicable here |\n",
                            cl->id, cl->quote, cl->a, cl->a_space, cl->b,
                            cl->b_space);
            continue;
        }
        if (cl->kind == BEATS || cl->kind == BEATS_LAST ||
            cl->kind == BEATS_FIRST) {
            int k, held = 1, noise = 0;
            for (k = 0; k < e->n_report; k++) {
                double t = e->report_hours[k] * 3600.0;
                jahs_stat sa, sb;
                if ((cl->kind == BEATS_LAST && k != e->n_report - 1) ||
                    (cl->kind == BEATS_FIRST && k != 0))
                    continue;
                sa = jahs_report_at(r, a, t);
                sb = jahs_report_at(r, b, t);
                fmt_stat(va, sizeof va, sa);
                fmt_stat(vb, sizeof vb, sb);
                jahs_buf_printf(&nums, "%s%g h: %s vs %s", nums.len ? "; " : "",
                                e->report_hours[k], va, vb);
                if (sa.n == 0 || sb.n == 0 || !(sa.mean > sb.mean))
                    held = 0;
                if (sa.n && sb.n &&
                    fabs(sa.mean - sb.mean) < fmax(sa.std, sb.std))
                    noise = 1;
            }
            verdict = held ? (noise ? "held (within seed noise)" : "held")
                           : (noise ? "not held (within seed noise)"
                                    : "not held");
        } else if (cl->kind == STD_AND_MEAN_FIRST) {
            jahs_stat sa = jahs_report_at(r, a, H0), sb = jahs_report_at(r, b, H0);
            int held = sa.n && sb.n && sa.std < sb.std && sa.mean > sb.mean;
            int noise = sa.n && sb.n &&
                        fabs(sa.mean - sb.mean) < fmax(sa.std, sb.std);
            fmt_stat(va, sizeof va, sa);
            fmt_stat(vb, sizeof vb, sb);
            jahs_buf_printf(&nums, "%g h: %s vs %s", e->report_hours[0], va, vb);
            verdict = held ? (noise ? "held (within seed noise)" : "held")
                           : (noise ? "not held (within seed noise)"
                                    : "not held");
        } else if (cl->kind == SPEEDUP) {
            double own_a, to_a, tr_a;
            double sp_a = speedup_vs(r, a, b, H1, &own_a, &to_a, &tr_a);
            if (isnan(tr_a)) {
                jahs_buf_printf(&nums,
                                "%s reaches %.2f at %.2f h; %s never does "
                                "within its %.3g h, so the speedup exceeds "
                                "%.0f%%",
                                cl->a, own_a, to_a / 3600.0, cl->b,
                                e->rows[b].budget_hours,
                                100.0 * (1.0 - to_a / (e->rows[b].budget_hours *
                                                       3600.0)));
                verdict = "held, and larger than claimed";
            } else {
                jahs_buf_printf(&nums,
                                "%s reaches %.2f at %.2f h; %s needs %.2f h: "
                                "speedup %.1f%%",
                                cl->a, own_a, to_a / 3600.0, cl->b,
                                tr_a / 3600.0, sp_a);
                verdict = sp_a >= cl->pct ? "held" : "not held";
            }
        } else {
            /* similar speedups: how long the reference needs to reach each
             * method's own final accuracy (definition 2); when it never
             * does for one of them, the time each method needs to reach the
             * reference's final accuracy (definition 1, report.c) */
            double own_a, to_a, tr_a, own_b, to_b, tr_b, sp_a, sp_b;
            int ref = row_of(e, "MOBSTER", "cell64", set);
            if (ref < 0 || !jahs_report_has_runs(r, ref)) {
                jahs_buf_printf(md,
                                "| %s | %s | reference MOBSTER (cell64) not "
                                "run here | not applicable here |\n",
                                cl->id, cl->quote);
                jahs_buf_free(&nums);
                continue;
            }
            sp_a = speedup_vs(r, a, ref, H1, &own_a, &to_a, &tr_a);
            sp_b = speedup_vs(r, b, ref, H1, &own_b, &to_b, &tr_b);
            if (!isnan(sp_a) && !isnan(sp_b)) {
                jahs_buf_printf(&nums,
                                "time MOBSTER needs for each one's %g h "
                                "accuracy: speedup %s %.1f%%, %s %.1f%%",
                                H1 / 3600.0, cl->a, sp_a, cl->b, sp_b);
            } else {
                double target = jahs_report_at(r, ref, H1).mean;
                double t_ref = jahs_report_time_to(r, ref, target, H1);
                double t_a = jahs_report_time_to(
                    r, a, target, e->rows[a].budget_hours * 3600.0);
                double t_b = jahs_report_time_to(
                    r, b, target, e->rows[b].budget_hours * 3600.0);
                sp_a = 100.0 * (t_ref - t_a) / t_ref;
                sp_b = 100.0 * (t_ref - t_b) / t_ref;
                jahs_buf_printf(&nums,
                                "MOBSTER never reaches one's %g h accuracy; "
                                "time to reach MOBSTER's %.2f instead "
                                "(MOBSTER: %.2f h): %s ",
                                H1 / 3600.0, target, t_ref / 3600.0, cl->a);
                if (isnan(t_a))
                    jahs_buf_puts(&nums, "never");
                else
                    jahs_buf_printf(&nums, "%.2f h (%.1f%%)", t_a / 3600.0,
                                    sp_a);
                jahs_buf_printf(&nums, ", %s ", cl->b);
                if (isnan(t_b))
                    jahs_buf_puts(&nums, "never");
                else
                    jahs_buf_printf(&nums, "%.2f h (%.1f%%)", t_b / 3600.0,
                                    sp_b);
            }
            verdict = (isnan(sp_a) || isnan(sp_b))
                          ? "undecided (a method never reaches the target)"
                      : fabs(sp_a - sp_b) <= cl->pct ? "held"
                                                     : "not held";
        }
        jahs_buf_printf(md, "| %s | %s | %s | %s |\n", cl->id, cl->quote,
                        nums.data ? nums.data : "", verdict);
        jahs_buf_free(&nums);
    }
    return 0;
}

int jahs_report_claims(const jahs_report *r, jahs_buf *md, jahs_error *err)
{
    const jahs_experiment *e = jahs_report_experiment(r);
    int i, k, n = 0, rc = 0;
    (void)err;
    jahs_buf_printf(md,
                    "# Claims of the poster, checked on `%s`\n\n"
                    "Numbers: incumbent test accuracy (%%), mean ± std over "
                    "seeds, at %g h and %g h.  \"Within seed noise\": the "
                    "difference of means is smaller than the larger std.  A "
                    "claim whose rows are not in this experiment is decided "
                    "by another experiment's claims.md.  Each setting (the "
                    "dataset searched, where the arch prior and top10's "
                    "cells come from) is decided on its own rows; rows "
                    "without an arch prior or top10 count in every setting "
                    "of their dataset.\n\n",
                    e->name, e->report_hours[0], e->report_hours[e->n_report - 1]);
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
