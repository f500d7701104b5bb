/*
 * experiment.c - see experiment.h.  One table of keys: name, whether it is a
 * row key, its default, its help, and a setter that validates the text and
 * says what form it expected.
 */
#include "exp/experiment.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "eval/eval.h"
#include "gpu/gpu.h"
#include "opt/rungs.h"
#include "space/space.h"

/* A setter: 0, or -1 with the expected form written to exp (exp_size). */
typedef int (*setter)(jahs_experiment *e, jahs_exp_row *r, const char *v,
                      char *exp, size_t exp_size);

typedef struct {
    jahs_exp_key doc;
    setter set;
} key_def;

/* ---- value helpers ------------------------------------------------------ */

static int set_str(char *dst, size_t n, const char *v, char *exp, size_t es,
                   const char *what)
{
    if (strlen(v) >= n) {
        snprintf(exp, es, "%s of at most %zu characters", what, n - 1);
        return -1;
    }
    snprintf(dst, n, "%s", v);
    return 0;
}

static int get_double(const char *v, double lo, double hi, double *out,
                      char *exp, size_t es)
{
    double d;
    if (jahs_parse_double(v, &d) != 0 || !(d >= lo && d <= hi)) {
        if (isinf(hi))
            snprintf(exp, es, "a number >= %g", lo);
        else
            snprintf(exp, es, "a number in [%g, %g]", lo, hi);
        return -1;
    }
    *out = d;
    return 0;
}

static int get_pos(const char *v, double *out, char *exp, size_t es)
{
    double d;
    if (jahs_parse_double(v, &d) != 0 || !(d > 0) || isinf(d)) {
        snprintf(exp, es, "a positive number");
        return -1;
    }
    *out = d;
    return 0;
}

static int get_long(const char *v, long lo, long hi, long *out, char *exp,
                    size_t es)
{
    long l;
    if (jahs_parse_long(v, &l) != 0 || l < lo || l > hi) {
        snprintf(exp, es, "an integer in [%ld, %ld]", lo, hi);
        return -1;
    }
    *out = l;
    return 0;
}

static int get_int(const char *v, long lo, long hi, int *out, char *exp,
                   size_t es)
{
    long l;
    if (get_long(v, lo, hi, &l, exp, es))
        return -1;
    *out = (int)l;
    return 0;
}

static int get_bool(const char *v, int *out, char *exp, size_t es)
{
    if (jahs_parse_bool(v, out) != 0) {
        snprintf(exp, es, "true or false");
        return -1;
    }
    return 0;
}

/* ---- setters ------------------------------------------------------------- */

#define SETTER(name) \
    static int name(jahs_experiment *e, jahs_exp_row *r, const char *v, \
                    char *exp, size_t es)

SETTER(s_name)
{
    const char *p;
    (void)r;
    for (p = v; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_')) {
            snprintf(exp, es, "a name of letters, digits, '-' and '_'");
            return -1;
        }
    return set_str(e->name, sizeof e->name, v, exp, es, "a name");
}
SETTER(s_description) { (void)r; return set_str(e->description, sizeof e->description, v, exp, es, "text"); }
SETTER(s_reference) { (void)r; return set_str(e->reference, sizeof e->reference, v, exp, es, "a row label"); }
SETTER(s_table) { (void)r; return set_str(e->table, sizeof e->table, v, exp, es, "a path"); }
SETTER(s_paper_table) { (void)r; return set_str(e->paper_table, sizeof e->paper_table, v, exp, es, "a path"); }
SETTER(s_curve_step)
{
    (void)r;
    return get_pos(v, &e->curve_step_minutes, exp, es);
}
SETTER(s_report_hours)
{
    char *copy = jahs_strdup(v), *tok, *save = NULL;
    int n = 0;
    (void)r;
    for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        double h;
        if (n >= JAHS_EXP_MAX_REPORT || jahs_parse_double(tok, &h) != 0 ||
            !(h > 0) || isinf(h)) {
            snprintf(exp, es, "a comma-separated list of up to %d positive "
                              "numbers of hours", JAHS_EXP_MAX_REPORT);
            free(copy);
            return -1;
        }
        e->report_hours[n++] = h;
    }
    free(copy);
    if (n == 0) {
        snprintf(exp, es, "at least one number of hours");
        return -1;
    }
    e->n_report = n;
    return 0;
}

SETTER(s_ablation)
{
    (void)r;
    if (strcmp(v, "prior_fraction") && strcmp(v, "confidence") &&
        strcmp(v, "workers")) {
        snprintf(exp, es, "one of prior_fraction, confidence, workers");
        return -1;
    }
    return set_str(e->ablation, sizeof e->ablation, v, exp, es, "a key");
}
SETTER(s_group) { (void)e; return set_str(r->group, sizeof r->group, v, exp, es, "text"); }
SETTER(s_paper_label) { (void)e; return set_str(r->paper_label, sizeof r->paper_label, v, exp, es, "text"); }
SETTER(s_space)
{
    const char *const *n;
    (void)e;
    for (n = jahs_space_names(); *n; n++)
        if (strcmp(*n, v) == 0)
            return set_str(r->space, sizeof r->space, v, exp, es, "a space");
    snprintf(exp, es, "one of nb201, cell64, top10, seqcnn");
    return -1;
}
SETTER(s_optimizer)
{
    const jahs_opt_type *const *t;
    size_t k = 0;
    (void)e;
    if (jahs_opt_find(v))
        return set_str(r->optimizer, sizeof r->optimizer, v, exp, es,
                       "an optimizer");
    k += (size_t)snprintf(exp, es, "one of");
    for (t = jahs_opt_types(); *t && k < es; t++)
        k += (size_t)snprintf(exp + k, es - k, "%s %s", t == jahs_opt_types() ? "" : ",",
                              (*t)->name);
    return -1;
}
SETTER(s_evaluator)
{
    (void)e;
    if (strcmp(v, "tabular") == 0 || strcmp(v, "live") == 0 ||
        strcmp(v, "synthetic") == 0 || jahs_eval_find(v))
        return set_str(r->evaluator, sizeof r->evaluator, v, exp, es, "x");
    snprintf(exp, es, "one of tabular, live, synthetic");
    return -1;
}
SETTER(s_synthetic) { (void)e; return set_str(r->synthetic, sizeof r->synthetic, v, exp, es, "a function name"); }
SETTER(s_synthetic_sleep) { (void)e; return get_double(v, 0, 1000, &r->synthetic_sleep, exp, es); }
SETTER(s_prior)
{
    int c = jahs_prior_cover_parse(v);
    (void)e;
    if (c < 0) {
        snprintf(exp, es, "one of none, hp, arch, joint");
        return -1;
    }
    r->prior = (jahs_prior_cover)c;
    return 0;
}
SETTER(s_confidence)
{
    int c = jahs_confidence_parse(v);
    (void)e;
    if (c < 0) {
        snprintf(exp, es, "one of low, medium, high");
        return -1;
    }
    r->confidence = (jahs_confidence)c;
    return 0;
}
SETTER(s_prior_default) { (void)e; return set_str(r->prior_default, sizeof r->prior_default, v, exp, es, "name=value,... text"); }
SETTER(s_fix)
{
    jahs_error err = {0};
    jahs_space *sp;
    int rc;
    (void)e;
    if (set_str(r->fix, sizeof r->fix, v, exp, es, "name=value,... text"))
        return -1;
    /* validate against the row's space as it stands (space comes first) */
    sp = jahs_space_create(r->space, &err);
    rc = sp ? jahs_space_fix_parse(sp, v, &err) : -1;
    jahs_space_free(sp);
    if (rc) {
        snprintf(exp, es, "name=value,... of the '%s' space (%s)", r->space,
                 err.msg);
        return -1;
    }
    return 0;
}
SETTER(s_prior_fraction) { (void)e; return get_double(v, 0, 1, &r->opt.prior_fraction, exp, es); }
SETTER(s_default_first) { (void)e; return get_bool(v, &r->opt.default_first, exp, es); }
SETTER(s_arch_top) { (void)e; return get_int(v, 1, 15625, &r->arch_top, exp, es); }
SETTER(s_arch_skip) { (void)e; return get_int(v, 0, 15624, &r->arch_skip, exp, es); }
SETTER(s_arch_pseudo) { (void)e; return get_double(v, 0, 1e6, &r->arch_pseudo_count, exp, es); }
SETTER(s_arch_weights) { (void)e; return set_str(r->arch_weights, sizeof r->arch_weights, v, exp, es, "a path"); }
SETTER(s_budget_hours)
{
    (void)e;
    return get_pos(v, &r->budget_hours, exp, es);
}
SETTER(s_seeds)
{
    char *copy = jahs_strdup(v), *tok, *save = NULL;
    int n = 0;
    (void)e;
    for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        uint64_t s;
        char *t = jahs_strtrim(tok);
        char *dots = strstr(t, "..");
        if (dots) { /* a range a..b */
            uint64_t a, b;
            *dots = '\0';
            if (jahs_parse_u64(t, &a) || jahs_parse_u64(dots + 2, &b) || b < a ||
                n + (b - a + 1) > JAHS_EXP_MAX_SEEDS)
                goto bad;
            for (s = a; s <= b; s++)
                r->seeds[n++] = s;
            continue;
        }
        if (n >= JAHS_EXP_MAX_SEEDS || jahs_parse_u64(t, &s) != 0)
            goto bad;
        r->seeds[n++] = s;
    }
    free(copy);
    if (n == 0)
        goto bad_nofree;
    r->n_seeds = n;
    return 0;
bad:
    free(copy);
bad_nofree:
    snprintf(exp, es, "a comma-separated list of up to %d non-negative "
                      "integers or ranges a..b", JAHS_EXP_MAX_SEEDS);
    return -1;
}
SETTER(s_folds) { (void)e; return get_int(v, 1, 8, &r->folds, exp, es); }
SETTER(s_workers) { (void)e; return get_int(v, 1, 1024, &r->workers, exp, es); }
SETTER(s_charge) { (void)e; return get_bool(v, &r->charge_decision_time, exp, es); }
SETTER(s_rungs)
{
    int s = jahs_rung_style_parse(v);
    (void)e;
    if (s < 0) {
        snprintf(exp, es, "neps or synetune");
        return -1;
    }
    r->opt.rungs = (jahs_rung_style)s;
    return 0;
}
SETTER(s_promotion)
{
    int p = jahs_promo_rule_parse(v);
    (void)e;
    if (p < 0) {
        snprintf(exp, es, "neps or li");
        return -1;
    }
    r->opt.promotion = (jahs_promo_rule)p;
    return 0;
}
SETTER(s_eta)
{
    (void)e;
    if (get_double(v, 1, 100, &r->opt.eta, exp, es) || r->opt.eta <= 1) {
        snprintf(exp, es, "a number in (1, 100]");
        return -1;
    }
    return 0;
}
SETTER(s_min_epochs) { (void)e; return get_int(v, 1, 100000, &r->opt.min_epochs, exp, es); }
SETTER(s_max_epochs) { (void)e; return get_int(v, 1, 100000, &r->opt.max_epochs, exp, es); }
SETTER(s_max_trials) { (void)e; return get_int(v, 0, 100000000, &r->opt.max_trials, exp, es); }
SETTER(s_async) { (void)e; return get_bool(v, &r->opt.async, exp, es); }
SETTER(s_initial_random) { (void)e; return get_int(v, 1, 100000, &r->opt.initial_random, exp, es); }
SETTER(s_max_points) { (void)e; return get_int(v, 10, 100000, &r->opt.max_points, exp, es); }
SETTER(s_candidates) { (void)e; return get_int(v, 1, 1000000, &r->opt.candidates, exp, es); }
SETTER(s_bo_kickin) { (void)e; return get_double(v, 0, 1e9, &r->opt.bo_kickin, exp, es); }
SETTER(s_sched_start) { (void)e; return get_double(v, 0, 1, &r->opt.schedule_start, exp, es); }
SETTER(s_sched_end) { (void)e; return get_double(v, 0, 1, &r->opt.schedule_end, exp, es); }
SETTER(s_sched_budget) { (void)e; return get_double(v, 0, 1e9, &r->opt.schedule_budget, exp, es); }
SETTER(s_hw) { (void)e; return get_pos(v, &r->hardware_factor, exp, es); }
SETTER(s_resume)
{
    (void)e;
    if (strcmp(v, "checkpoint") == 0)
        r->resume = 1;
    else if (strcmp(v, "restart") == 0)
        r->resume = 0;
    else {
        snprintf(exp, es, "checkpoint or restart");
        return -1;
    }
    return 0;
}
SETTER(s_data) { (void)e; return set_str(r->data, sizeof r->data, v, exp, es, "a dataset spec"); }
SETTER(s_subset) { (void)e; return get_long(v, 0, 100000000L, &r->subset, exp, es); }
SETTER(s_device)
{
    int gpu, index;
    (void)e;
    if (jahs_device_parse(v, &gpu, &index, NULL, NULL)) {
        snprintf(exp, es, "cpu, gpu or gpu:N (optionally ,bf16)");
        return -1;
    }
    return set_str(r->device, sizeof r->device, v, exp, es, "cpu or gpu");
}
SETTER(s_threads) { (void)e; return get_int(v, 0, 1024, &r->threads, exp, es); }

static const key_def keys[] = {
    /* experiment-level */
    {{"name", 0, "(file name)", "experiment name: results go to results/<name>/"}, s_name},
    {{"description", 0, "", "one line shown in reports"}, s_description},
    {{"reference", 0, "", "label of the row the speedups are measured against"}, s_reference},
    {{"table", 0, "tables/nb201_cifar100.h5", "tabular benchmark file"}, s_table},
    {{"paper_table", 0, "", "the poster's numbers (CSV under tables/paper/)"}, s_paper_table},
    {{"report_hours", 0, "2, 6", "times (hours) at which the table reports incumbents"}, s_report_hours},
    {{"curve_step_minutes", 0, "5", "grid of curves.csv"}, s_curve_step},
    {{"ablation", 0, "", "row key an ablation varies (prior_fraction, confidence, workers): ablation.csv"}, s_ablation},
    /* rows */
    {{"group", 1, "", "the table's group heading for this row"}, s_group},
    {{"paper_label", 1, "(the label)", "label of this row in the paper CSV"}, s_paper_label},
    {{"space", 1, "nb201", "search space: nb201, cell64, top10, seqcnn"}, s_space},
    {{"optimizer", 1, "asha", "optimizer (jahs opt list)"}, s_optimizer},
    {{"evaluator", 1, "tabular", "tabular, live or synthetic"}, s_evaluator},
    {{"synthetic", 1, "", "synthetic evaluator: function name"}, s_synthetic},
    {{"synthetic_sleep", 1, "0", "synthetic: real seconds slept per simulated second (> 0: wall clock)"}, s_synthetic_sleep},
    {{"prior", 1, "none", "none, hp, arch, joint"}, s_prior},
    {{"confidence", 1, "medium", "confidence of the HP prior: low, medium, high"}, s_confidence},
    {{"prior_default", 1, "", "HP prior centres other than NB201's recipe, name=value,..."}, s_prior_default},
    {{"fix", 1, "", "pin parameters: name=value,... (the optimizer searches the rest)"}, s_fix},
    {{"prior_fraction", 1, "0.8", "probability that a new config comes from the prior"}, s_prior_fraction},
    {{"default_first", 1, "false", "evaluate the prior's mode first"}, s_default_first},
    {{"arch_top", 1, "100", "arch prior: op frequencies among the best k cells"}, s_arch_top},
    {{"arch_skip", 1, "0", "arch prior: skip the best k cells first (bad priors)"}, s_arch_skip},
    {{"arch_pseudo_count", 1, "1", "arch prior: added to every op count"}, s_arch_pseudo},
    {{"arch_weights", 1, "", "arch prior from a CSV param,choice,weight instead"}, s_arch_weights},
    {{"budget_hours", 1, "6", "length of each run (simulated or wall hours)"}, s_budget_hours},
    {{"seeds", 1, "0, 1, 2", "seeds (list or ranges a..b)"}, s_seeds},
    {{"folds", 1, "2", "cross-validation folds per evaluation"}, s_folds},
    {{"workers", 1, "1", "parallel workers per run"}, s_workers},
    {{"charge_decision_time", 1, "false", "add optimizer time to the simulated clock"}, s_charge},
    {{"rungs", 1, "neps", "rung placement: neps or synetune"}, s_rungs},
    {{"promotion", 1, "neps", "promotion rule: neps or li"}, s_promotion},
    {{"eta", 1, "3", "reduction factor"}, s_eta},
    {{"min_epochs", 1, "1", "minimum fidelity"}, s_min_epochs},
    {{"max_epochs", 1, "20", "maximum fidelity"}, s_max_epochs},
    {{"max_trials", 1, "0", "stop after this many new configs (0: budget only)"}, s_max_trials},
    {{"async", 1, "false", "Hyperband: asynchronous variant"}, s_async},
    {{"initial_random", 1, "10", "model-based: random configs before the model"}, s_initial_random},
    {{"max_points", 1, "500", "model-based: GP data cap"}, s_max_points},
    {{"candidates", 1, "2000", "model-based: random candidates for EI"}, s_candidates},
    {{"bo_kickin", 1, "10", "PriorBand+BO: model after this many x max_epochs of work"}, s_bo_kickin},
    {{"schedule_start", 1, "0.8", "prior-schedule-bo: initial prior fraction"}, s_sched_start},
    {{"schedule_end", 1, "0", "prior-schedule-bo: final prior fraction"}, s_sched_end},
    {{"schedule_budget", 1, "30", "prior-schedule-bo: decay length, max-fidelity units"}, s_sched_budget},
    {{"hardware_factor", 1, "(tabular default)", "tabular: reference-GPU seconds x this"}, s_hw},
    {{"resume", 1, "checkpoint", "promoted trials: checkpoint (pay extra epochs) or restart"}, s_resume},
    {{"data", 1, "fashion-mnist", "live: dataset spec"}, s_data},
    {{"subset", 1, "0", "live: first N training images (0: all)"}, s_subset},
    {{"device", 1, "cpu", "live: cpu, gpu, gpu:N (,bf16: bf16 precision)"}, s_device},
    {{"threads", 1, "0", "live: CPU threads (0: all cores)"}, s_threads},
    {{NULL, 0, NULL, NULL}, NULL}};

const jahs_exp_key *jahs_exp_keys(void)
{
    static jahs_exp_key docs[JAHS_ARRAY_LEN(keys)];
    size_t i;
    for (i = 0; i < JAHS_ARRAY_LEN(keys); i++)
        docs[i] = keys[i].doc;
    return docs;
}

static const key_def *find_key(const char *name)
{
    const key_def *k;
    for (k = keys; k->doc.name; k++)
        if (strcmp(k->doc.name, name) == 0)
            return k;
    return NULL;
}

static void row_defaults(jahs_exp_row *r)
{
    memset(r, 0, sizeof *r);
    jahs_opt_config_defaults(&r->opt);
    snprintf(r->space, sizeof r->space, "nb201");
    snprintf(r->optimizer, sizeof r->optimizer, "asha");
    snprintf(r->evaluator, sizeof r->evaluator, "tabular");
    r->prior = JAHS_COVER_NONE;
    r->confidence = JAHS_CONF_MEDIUM;
    r->arch_top = 100;
    r->arch_skip = 0;
    r->arch_pseudo_count = 1.0;
    r->budget_hours = 6.0;
    r->seeds[0] = 0;
    r->seeds[1] = 1;
    r->seeds[2] = 2;
    r->n_seeds = 3;
    r->folds = 2;
    r->workers = 1;
    r->hardware_factor = 0; /* 0: the evaluator's documented default */
    r->resume = 1;
    snprintf(r->data, sizeof r->data, "fashion-mnist");
    snprintf(r->device, sizeof r->device, "cpu");
}

void jahs_exp_slug(const char *label, char *out, size_t size)
{
    size_t n = 0;
    int dash = 0;
    const char *p;
    for (p = label; *p && n + 1 < size; p++) {
        if (isalnum((unsigned char)*p)) {
            if (dash && n > 0 && n + 2 < size)
                out[n++] = '-';
            out[n++] = (char)tolower((unsigned char)*p);
            dash = 0;
        } else {
            dash = 1;
        }
    }
    out[n] = '\0';
    if (n == 0)
        snprintf(out, size, "row");
}

static int apply(jahs_experiment *e, jahs_exp_row *r, const jahs_conf *c,
                 const jahs_conf_entry *ent, int in_row, jahs_error *err)
{
    const key_def *k = find_key(ent->key);
    char expected[512];
    if (!k) {
        jahs_buf b = {0};
        const key_def *q;
        for (q = keys; q->doc.name; q++)
            if (!in_row || q->doc.row)
                jahs_buf_printf(&b, "%s%s", b.len ? ", " : "", q->doc.name);
        JAHS_FAIL(err, JAHS_EPARSE,
                  "%s:%d: unknown key '%s' (expected one of: %s)", c->path,
                  ent->line, ent->key, b.data ? b.data : "");
        jahs_buf_free(&b);
        return JAHS_EPARSE;
    }
    if (in_row && !k->doc.row)
        return JAHS_FAIL(err, JAHS_EPARSE,
                         "%s:%d: key '%s' is an experiment setting; it belongs "
                         "in the top section, before any [row]",
                         c->path, ent->line, ent->key);
    expected[0] = '\0';
    if (k->set(e, r, ent->value, expected, sizeof expected) != 0)
        return jahs_conf_bad_value(c, ent, expected, err);
    return 0;
}

static int check_row(const jahs_experiment *e, const jahs_exp_row *r,
                     jahs_error *err)
{
    if (r->opt.max_epochs < r->opt.min_epochs)
        return JAHS_FAIL(err, JAHS_EPARSE,
                         "%s:%d: [%s]: max_epochs (%d) is below min_epochs "
                         "(%d)",
                         e->path, r->line, r->label, r->opt.max_epochs,
                         r->opt.min_epochs);
    if ((r->prior == JAHS_COVER_ARCH || r->prior == JAHS_COVER_JOINT) &&
        strcmp(r->space, "seqcnn") == 0 && !r->arch_weights[0])
        return JAHS_FAIL(err, JAHS_EPARSE,
                         "%s:%d: [%s]: an architecture prior on seqcnn needs "
                         "arch_weights (the table's priors cover NB201 cells)",
                         e->path, r->line, r->label);
    if (strcmp(r->evaluator, "tabular") == 0 && strcmp(r->space, "seqcnn") == 0)
        return JAHS_FAIL(err, JAHS_EPARSE,
                         "%s:%d: [%s]: space 'seqcnn' is not in the tabular "
                         "benchmark; use evaluator = live",
                         e->path, r->line, r->label);
    return 0;
}

static jahs_experiment *build(const jahs_conf *c, const char *path,
                              jahs_error *err)
{
    jahs_experiment *e = calloc(1, sizeof *e);
    jahs_exp_row tmpl;
    size_t i, j;
    if (!e) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    snprintf(e->path, sizeof e->path, "%s", path);
    {
        /* default name: the file's base name without extension */
        const char *b = strrchr(path, '/');
        char *dot;
        snprintf(e->name, sizeof e->name, "%s", b ? b + 1 : path);
        dot = strrchr(e->name, '.');
        if (dot && dot != e->name)
            *dot = '\0';
    }
    snprintf(e->table, sizeof e->table, "%s",
             getenv("JAHS_TABLE") ? getenv("JAHS_TABLE")
                                  : "tables/nb201_cifar100.h5");
    e->report_hours[0] = 2;
    e->report_hours[1] = 6;
    e->n_report = 2;
    e->curve_step_minutes = 5;
    row_defaults(&tmpl);
    for (j = 0; j < c->sections[0].n; j++)
        if (apply(e, &tmpl, c, &c->sections[0].entries[j], 0, err))
            goto fail;
    if (c->n < 2) {
        JAHS_FAIL(err, JAHS_EPARSE,
                  "%s: no rows (expected at least one [label] section)", path);
        goto fail;
    }
    e->rows = calloc(c->n - 1, sizeof *e->rows);
    if (!e->rows) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto fail;
    }
    for (i = 1; i < c->n; i++) {
        const jahs_conf_section *s = &c->sections[i];
        jahs_exp_row *r = &e->rows[e->n_rows];
        int k;
        *r = tmpl;
        snprintf(r->label, sizeof r->label, "%s", s->name);
        jahs_exp_slug(s->name, r->slug, sizeof r->slug);
        r->line = s->line;
        for (k = 0; k < e->n_rows; k++)
            if (strcmp(e->rows[k].slug, r->slug) == 0) {
                JAHS_FAIL(err, JAHS_EPARSE,
                          "%s:%d: row [%s] has the same file name '%s' as "
                          "[%s] (line %d)",
                          path, s->line, s->name, r->slug, e->rows[k].label,
                          e->rows[k].line);
                goto fail;
            }
        for (j = 0; j < s->n; j++)
            if (apply(e, r, c, &s->entries[j], 1, err))
                goto fail;
        if (check_row(e, r, err))
            goto fail;
        e->n_rows++;
    }
    if (e->reference[0]) {
        int k, hit = 0;
        for (k = 0; k < e->n_rows; k++)
            hit |= strcmp(e->rows[k].label, e->reference) == 0;
        if (!hit) {
            const jahs_conf_entry *ent =
                jahs_conf_entry_find(&c->sections[0], "reference");
            JAHS_FAIL(err, JAHS_EPARSE,
                      "%s:%d: reference '%s' is not the label of a row", path,
                      ent ? ent->line : 0, e->reference);
            goto fail;
        }
    }
    return e;
fail:
    jahs_experiment_free(e);
    return NULL;
}

jahs_experiment *jahs_experiment_parse(const char *text, const char *name,
                                       jahs_error *err)
{
    jahs_conf *c = jahs_conf_parse_string(text, name, err);
    jahs_experiment *e;
    if (!c)
        return NULL;
    e = build(c, name, err);
    jahs_conf_free(c);
    return e;
}

jahs_experiment *jahs_experiment_load(const char *path, jahs_error *err)
{
    jahs_conf *c = jahs_conf_parse_file(path, err);
    jahs_experiment *e;
    if (!c)
        return NULL;
    e = build(c, path, err);
    jahs_conf_free(c);
    return e;
}

void jahs_experiment_free(jahs_experiment *e)
{
    if (!e)
        return;
    free(e->rows);
    free(e);
}

int jahs_experiment_set(jahs_experiment *e, const char *key, const char *value,
                        jahs_error *err)
{
    const key_def *k = find_key(key);
    char expected[512] = "";
    int i;
    if (!k)
        return JAHS_FAIL(err, JAHS_EPARSE, "unknown experiment key '%s'", key);
    if (!k->doc.row) {
        if (k->set(e, NULL, value, expected, sizeof expected))
            return JAHS_FAIL(err, JAHS_EPARSE, "key '%s' expects %s, got '%s'",
                             key, expected, value);
        return 0;
    }
    for (i = 0; i < e->n_rows; i++) {
        if (k->set(e, &e->rows[i], value, expected, sizeof expected))
            return JAHS_FAIL(err, JAHS_EPARSE, "key '%s' expects %s, got '%s'",
                             key, expected, value);
        if (check_row(e, &e->rows[i], err))
            return err ? err->code : JAHS_EPARSE;
    }
    return 0;
}

int jahs_exp_row_settings(const jahs_experiment *e, const jahs_exp_row *r,
                          char **out, jahs_error *err)
{
    const jahs_opt_config *o = &r->opt;
    jahs_buf b = {0};
    char d[16][40];
#ifndef JAHS_VERSION
#define JAHS_VERSION "?"
#endif
    jahs_format_double(d[0], sizeof d[0], r->arch_pseudo_count);
    jahs_format_double(d[1], sizeof d[1], r->budget_hours);
    jahs_format_double(d[2], sizeof d[2], o->eta);
    jahs_format_double(d[3], sizeof d[3], o->prior_fraction);
    jahs_format_double(d[4], sizeof d[4], o->bo_kickin);
    jahs_format_double(d[5], sizeof d[5], o->schedule_start);
    jahs_format_double(d[6], sizeof d[6], o->schedule_end);
    jahs_format_double(d[7], sizeof d[7], o->schedule_budget);
    jahs_format_double(d[8], sizeof d[8], r->hardware_factor);
    jahs_buf_printf(
        &b,
        "jahs=%s;table=%s;space=%s;fix=%s;optimizer=%s;evaluator=%s;"
        "synthetic=%s;prior=%s;confidence=%s;prior_default=%s;arch_top=%d;"
        "arch_skip=%d;arch_pseudo_count=%s;arch_weights=%s;budget_hours=%s;"
        "folds=%d;workers=%d;charge_decision_time=%d;rungs=%s;promotion=%s;"
        "eta=%s;min_epochs=%d;max_epochs=%d;max_trials=%d;async=%d;"
        "prior_fraction=%s;default_first=%d;initial_random=%d;max_points=%d;"
        "candidates=%d;bo_kickin=%s;schedule=%s/%s/%s;hardware_factor=%s;"
        "resume=%d;data=%s;subset=%ld;device=%s",
        JAHS_VERSION, e->table, r->space, r->fix, r->optimizer, r->evaluator,
        r->synthetic, jahs_prior_cover_name(r->prior),
        jahs_confidence_name(r->confidence), r->prior_default, r->arch_top,
        r->arch_skip, d[0], r->arch_weights, d[1], r->folds, r->workers,
        r->charge_decision_time, jahs_rung_style_name(o->rungs),
        jahs_promo_rule_name(o->promotion), d[2], o->min_epochs,
        o->max_epochs, o->max_trials, o->async, d[3], o->default_first,
        o->initial_random, o->max_points, o->candidates, d[4], d[5], d[6],
        d[7], d[8], r->resume, r->data, r->subset, r->device);
    if (r->synthetic_sleep > 0) { /* the timed synthetic runs on the wall clock */
        jahs_format_double(d[9], sizeof d[9], r->synthetic_sleep);
        jahs_buf_printf(&b, ";synthetic_sleep=%s", d[9]);
    }
    if (!b.data)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    *out = b.data;
    return 0;
}

char *jahs_exp_journal_path(const char *outdir, const jahs_exp_row *row,
                            uint64_t seed)
{
    jahs_buf b = {0};
    if (jahs_buf_printf(&b, "%s/runs/%s/seed%llu.csv", outdir, row->slug,
                        (unsigned long long)seed)) {
        jahs_buf_free(&b);
        return NULL;
    }
    return b.data;
}
