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
        /* Syne Tune: max_rungs = the first k with min * eta^k >= max, levels
         * int(round(min * eta^k)) for k < max_rungs (round half to even:
         * rint under the default rounding mode), then max */
        int k2;
        for (k2 = 0; min_epochs * pow(eta, k2) < max_epochs; k2++) {
            int e = (int)rint(min_epochs * pow(eta, k2));
            if (n >= JAHS_MAX_RUNGS - 1)
                return JAHS_FAIL(err, JAHS_ERANGE, "too many rungs");
            if ((n == 0 || e > levels[n - 1]) && e < max_epochs)
                levels[n++] = e;
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

/* Index of s in names[0..n), or -1. */
static int name_index(const char *s, const char *const *names, int n)
{
    int i;
    for (i = 0; s && i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

static const char *const promo_names[] = {"neps", "li", "synetune"};
static const char *const type_names[] = {"promotion", "stopping"};
static const char *const bracket_names[] = {"auto", "neps", "synetune", "li"};

int jahs_promo_rule_parse(const char *s)
{
    return name_index(s, promo_names, 3);
}

const char *jahs_promo_rule_name(jahs_promo_rule r)
{
    return r >= 0 && r <= JAHS_PROMO_SYNETUNE ? promo_names[r] : "?";
}

int jahs_asha_type_parse(const char *s)
{
    return name_index(s, type_names, 2);
}

const char *jahs_asha_type_name(jahs_asha_type t)
{
    return t == JAHS_TYPE_STOPPING ? "stopping" : "promotion";
}

int jahs_bracket_style_parse(const char *s)
{
    return name_index(s, bracket_names, 4);
}

const char *jahs_bracket_style_name(jahs_bracket_style b)
{
    return b >= 0 && b <= JAHS_BRACKETS_LI ? bracket_names[b] : "?";
}

jahs_bracket_style jahs_bracket_style_resolve(jahs_bracket_style b,
                                              jahs_rung_style r)
{
    if (b != JAHS_BRACKETS_AUTO)
        return b;
    return r == JAHS_RUNGS_SYNETUNE ? JAHS_BRACKETS_SYNETUNE
                                    : JAHS_BRACKETS_NEPS;
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

double jahs_rungs_quantile(const jahs_rungs *r, int k)
{
    return (double)r->epochs[k] / (double)r->epochs[k + 1];
}

static int by_value_asc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int jahs_rungs_cutoff(const double *score, size_t n, double q, double *cutoff)
{
    double *v, virt, frac, g;
    size_t index;
    if (n < 2 || !(q > 0 && q < 1))
        return JAHS_EINVAL;
    v = malloc(n * sizeof *v);
    if (!v)
        return JAHS_ENOMEM;
    memcpy(v, score, n * sizeof *v);
    qsort(v, n, sizeof *v, by_value_asc);
    /* Rung.quantile, mode "max": data sorted best first (d[i] = v[n-1-i]);
     * virt_index = (n - 1)(1 - q) + 1, index = int(virt_index), frac its
     * fractional part, left_pos = n - index - 1, g = 1 - frac, cutoff =
     * g d[left_pos + 1] + (1 - g) d[left_pos] = g v[index-1] + (1-g) v[index] */
    virt = (double)(n - 1) * (1 - q) + 1;
    index = (size_t)virt;
    if (index >= n) /* q -> 0: numpy's maximum */
        index = n - 1;
    frac = virt - (double)index;
    g = 1 - frac;
    *cutoff = g * v[index - 1] + (1 - g) * v[index];
    free(v);
    return 0;
}

long jahs_rungs_pick_at(const jahs_rungs *r, int k, const double *score,
                        const int *promoted, size_t n, double eta,
                        jahs_promo_rule rule)
{
    size_t i;
    long best = -1;
    double cutoff;
    if (rule != JAHS_PROMO_SYNETUNE)
        return jahs_rungs_pick(score, promoted, n, eta, rule);
    if (k < 0 || k >= r->n - 1 ||
        jahs_rungs_cutoff(score, n, jahs_rungs_quantile(r, k), &cutoff) != 0)
        return -1;
    for (i = 0; i < n; i++)
        if (!promoted[i] && (best < 0 || score[i] > score[best]))
            best = (long)i;
    /* hyperband_promotion.py:106-109: not promoted when worse than cutoff */
    return best >= 0 && score[best] >= cutoff ? best : -1;
}

int jahs_rungs_continues(const jahs_rungs *r, int k, const double *score,
                         size_t n)
{
    double cutoff;
    if (n < 2 || k < 0 || k >= r->n - 1 ||
        jahs_rungs_cutoff(score, n, jahs_rungs_quantile(r, k), &cutoff) != 0)
        return 1;
    return score[n - 1] >= cutoff;
}
