/*
 * rungs.c - see rungs.h.
 */
#include "opt/rungs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int jahs_rungs_make(int min_epochs, int max_epochs, double eta,
                    jahs_rung_style style, jahs_rungs *out, jahs_error *err)
{
    int levels[JAHS_MAX_RUNGS], n = 0, k;
    if (min_epochs < 1 || max_epochs < min_epochs)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "bad fidelity range [%d, %d] (expected 1 <= min <= "
                         "max)",
                         min_epochs, max_epochs);
    if (!(eta > 1))
        return JAHS_FAIL(err, JAHS_EINVAL, "eta must be > 1, got %g", eta);
    if (style == JAHS_RUNGS_NEPS) {
        /* small epsilon so exact powers (max/min = eta^k) are not lost */
        int K = (int)floor(log((double)max_epochs / min_epochs) / log(eta) +
                           1e-9) + 1;
        if (K > JAHS_MAX_RUNGS)
            return JAHS_FAIL(err, JAHS_ERANGE, "too many rungs (%d)", K);
        for (k = 0; k < K; k++) {
            double b = max_epochs / pow(eta, K - 1 - k);
            int e = (int)floor(b + 1e-9);
            if (e < min_epochs)
                e = min_epochs;
            if (n == 0 || e > levels[n - 1])
                levels[n++] = e;
        }
    } else {
        double b = min_epochs;
        while ((int)floor(b + 1e-9) < max_epochs) {
            int e = (int)floor(b + 1e-9);
            if (n >= JAHS_MAX_RUNGS - 1)
                return JAHS_FAIL(err, JAHS_ERANGE, "too many rungs");
            if (n == 0 || e > levels[n - 1])
                levels[n++] = e;
            b *= eta;
        }
        levels[n++] = max_epochs;
    }
    out->n = n;
    memcpy(out->epochs, levels, (size_t)n * sizeof *levels);
    return 0;
}

int jahs_rungs_index(const jahs_rungs *r, int epochs)
{
    int k;
    for (k = 0; k < r->n; k++)
        if (r->epochs[k] == epochs)
            return k;
    return -1;
}

int jahs_rung_style_parse(const char *s)
{
    if (s && strcmp(s, "neps") == 0)
        return JAHS_RUNGS_NEPS;
    if (s && strcmp(s, "synetune") == 0)
        return JAHS_RUNGS_SYNETUNE;
    return -1;
}

const char *jahs_rung_style_name(jahs_rung_style s)
{
    return s == JAHS_RUNGS_SYNETUNE ? "synetune" : "neps";
}

int jahs_promo_rule_parse(const char *s)
{
    if (s && strcmp(s, "neps") == 0)
        return JAHS_PROMO_NEPS;
    if (s && strcmp(s, "li") == 0)
        return JAHS_PROMO_LI;
    return -1;
}

const char *jahs_promo_rule_name(jahs_promo_rule r)
{
    return r == JAHS_PROMO_LI ? "li" : "neps";
}

typedef struct {
    double score;
    size_t idx;
} ranked;

static int by_score_desc(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->score > y->score)
        return -1;
    if (x->score < y->score)
        return 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

long jahs_rungs_pick(const double *score, const int *promoted, size_t n,
                     double eta, jahs_promo_rule rule)
{
    size_t i, m = 0, k;
    long best = -1;
    if (rule == JAHS_PROMO_NEPS) {
        for (i = 0; i < n; i++) {
            if (promoted[i])
                continue;
            m++;
            if (best < 0 || score[i] > score[best])
                best = (long)i;
        }
        return (size_t)floor((double)m / eta + 1e-9) >= 1 ? best : -1;
    } else {
        ranked *r = malloc(n * sizeof *r);
        if (!r || n == 0) {
            free(r);
            return -1;
        }
        for (i = 0; i < n; i++) {
            r[i].score = score[i];
            r[i].idx = i;
        }
        qsort(r, n, sizeof *r, by_score_desc);
        k = (size_t)floor((double)n / eta + 1e-9);
        for (i = 0; i < k; i++) {
            if (!promoted[r[i].idx]) {
                best = (long)r[i].idx;
                break;
            }
        }
        free(r);
        return best;
    }
}
