/*
 * experiment.c - see experiment.h.  One table of keys (`keys` below): a key's
 * name, scope, the field it sets, its type and range (which validate the
 * text and say what form was expected), its default, whether it is part of
 * the settings record, and its help.  The parser, the default row, `jahs run
 * --keys`, the settings record and REPRODUCE.md's key table are all made
 * from it.
 */
#include "exp/experiment.h"

#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "eval/arch_prior.h"
#include "eval/nb201_table.h"
#include "exp/record.h"
#include "opt/rungs.h"
#include "space/space_file.h"

/* ---- key types ------------------------------------------------------------ */

enum {
    T_STR,  /* text (one of a list, or a check, may restrict it) */
    T_INT,  /* int in [lo, hi] */
    T_LONG, /* long in [lo, hi] */
    T_REAL, /* double in [lo, hi] ((lo, hi] with open_lo) */
    T_FLAG, /* int 0 / 1 from names[0] / names[1] (true / false: also
               jahs_parse_bool's forms) */
    T_ENUM, /* int from an enum's parse / name functions */
    T_LIST  /* its own set / format functions (lists) */
};

/* The settings record (jahs_exp_row_settings): */
enum {
    FP_NONE,   /* not part of it */
    FP_KEY,    /* ";name=value" (fp_name instead of name when given) */
    FP_JOIN,   /* "/value" after the key before it (the legacy spelling of
                  schedule=start/end/budget) */
    FP_CHANGED /* ";name=value" at the end, only when not the default: a new
                  key leaves the records of older results valid */
};

/* A check of a text value for row r (NULL at the top): 0, or -1 with the
 * expected form in exp. */
typedef int (*text_check)(const jahs_exp_row *r, const char *v, char *exp,
                          size_t es);

typedef struct {
    int (*parse)(const char *s); /* the value, or < 0 */
    const char *(*name)(int v);
    int n; /* values 0 .. n-1 */
} enum_def;

typedef struct {
    int (*set)(void *field, const char *v, char *exp, size_t es);
    void (*format)(const void *field, jahs_buf *b);
} list_def;

typedef struct key_def {
    const char *name;
    int row;          /* 1: a row key (jahs_exp_row), 0: jahs_experiment */
    size_t off, size; /* the field */
    int type;
    double lo, hi;
    int open_lo;
    const char *form;       /* T_STR: what it is, for messages ("a path") */
    const char *(*listed)(int i); /* T_STR: the allowed values, until NULL */
    text_check check;       /* T_STR: may be NULL */
    const char *const *names; /* T_FLAG: the names of 0 and 1 */
    const enum_def *en;     /* T_ENUM */
    const list_def *list;   /* T_LIST */
    const char *deflt;      /* parsed into the default row; NULL: what the
                               libraries' defaults (opt.h) or zero give */
    const char *shown;      /* --keys shows this instead (computed defaults) */
    int fp;
    const char *fp_name;
    const char *help;
} key_def;

/* ---- checks and list types ---------------------------------------------- */

/* "A or B", "one of A, B, C" into exp; returns -1 (a failed check). */
static int one_of(char *exp, size_t es, const char *const *names, int n)
{
    size_t k = 0;
    int i;
    if (n == 2) {
        snprintf(exp, es, "%s or %s", names[0], names[1]);
        return -1;
    }
    k += (size_t)snprintf(exp, es, "one of");
    for (i = 0; i < n && k < es; i++)
        k += (size_t)snprintf(exp + k, es - k, "%s %s", i ? "," : "",
                              names[i]);
    return -1;
}

static int check_name(const jahs_exp_row *r, const char *v, char *exp,
                      size_t es)
{
    const char *p;
    (void)r;
    for (p = v; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_')) {
            snprintf(exp, es, "a name of letters, digits, '-' and '_'");
            return -1;
        }
    return 0;
}

/* space: a built-in name or a space file that reads (space/space_file.h) */
static int check_space(const jahs_exp_row *r, const char *v, char *exp,
                       size_t es)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_open(v, &err);
    (void)r;
    jahs_space_free(sp);
    if (!sp && jahs_space_is_file(v)) {
        snprintf(exp, es, "a space file that reads (%s)", err.msg);
        return -1;
    }
    if (!sp) {
        snprintf(exp, es,
                 "one of nb201, cell64, top10, seqcnn, or a space file "
                 "(.json: ConfigSpace, .yaml: NEPS)");
        return -1;
    }
    return 0;
}
static const char *opt_name(int i)
{
    return jahs_opt_types()[i] ? jahs_opt_types()[i]->name : NULL;
}
static const char *eval_name(int i)
{
    return jahs_eval_types()[i] ? jahs_eval_types()[i]->name : NULL;
}
static const char *nb201_name(int i)
{
    const jahs_nb201_dataset *ds = jahs_nb201_dataset_at(i);
    return ds ? ds->name : NULL;
}
static const char *plot_time_name(int i)
{
    static const char *const n[] = {"linear", "log", NULL};
    return n[i];
}
static const char *ablation_name(int i)
{
    static const char *const n[] = {"prior_fraction", "confidence", "workers",
                                    NULL};
    return n[i];
}

/* fix: name=value,... of the row's space as it stands (space comes first) */
static int check_fix(const jahs_exp_row *r, const char *v, char *exp,
                     size_t es)
{
    jahs_error err = {0};
    const jahs_eval_type *t = jahs_eval_find(r->evaluator);
    jahs_space *sp;
    int rc;
    if (t && t->decl && t->decl->space)
        return 0; /* the evaluator's space: check_row checks fix on it */
    sp = jahs_space_open(r->space, &err);
    rc = sp ? jahs_space_fix_parse(sp, v, &err) : -1;
    jahs_space_free(sp);
    if (rc) {
        snprintf(exp, es, "name=value,... of the '%s' space (%s)", r->space,
                 err.msg);
        return -1;
    }
    return 0;
}

static int set_seeds(void *field, const char *v, char *exp, size_t es)
{
    jahs_exp_row *r = (jahs_exp_row *)((char *)field -
                                       offsetof(jahs_exp_row, seeds));
    char *copy = jahs_strdup(v), *tok, *save = NULL;
    uint64_t seeds[JAHS_EXP_MAX_SEEDS];
    int n = 0, i, j;
    for (tok = copy ? strtok_r(copy, ",", &save) : NULL; tok;
         tok = strtok_r(NULL, ",", &save)) {
        uint64_t s, a, b, k;
        char *t = jahs_strtrim(tok), *dots = strstr(t, "..");
        if (dots) { /* a range a..b */
            *dots = '\0';
            /* b - a cannot wrap (b >= a); compared before anything is
             * added, so 0..UINT64_MAX is refused, not wrapped to 0 */
            if (jahs_parse_u64(t, &a) || jahs_parse_u64(dots + 2, &b) ||
                b < a || b - a >= (uint64_t)(JAHS_EXP_MAX_SEEDS - n))
                goto bad;
            for (k = 0; k <= b - a; k++) /* s <= b would never end at 2^64-1 */
                seeds[n++] = a + k;
            continue;
        }
        if (n >= JAHS_EXP_MAX_SEEDS || jahs_parse_u64(t, &s) != 0)
            goto bad;
        seeds[n++] = s;
    }
    if (n == 0)
        goto bad;
    free(copy);
    /* a seed twice would run (and journal) the same unit twice */
    for (i = 0; i < n; i++)
        for (j = 0; j < i; j++)
            if (seeds[i] == seeds[j]) {
                snprintf(exp, es,
                         "a list of distinct seeds (seed %llu is listed "
                         "twice)",
                         (unsigned long long)seeds[i]);
                return -1;
            }
    memcpy(r->seeds, seeds, (size_t)n * sizeof *seeds);
    r->n_seeds = n;
    return 0;
bad:
    free(copy);
    snprintf(exp, es,
             "a comma-separated list of up to %d non-negative integers or "
             "ranges a..b",
             JAHS_EXP_MAX_SEEDS);
    return -1;
}

static void format_seeds(const void *field, jahs_buf *b)
{
    const jahs_exp_row *r =
        (const jahs_exp_row *)((const char *)field -
                               offsetof(jahs_exp_row, seeds));
    int i;
    for (i = 0; i < r->n_seeds; i++)
        jahs_buf_printf(b, "%s%llu", i ? ", " : "",
                        (unsigned long long)r->seeds[i]);
}

static int set_hours(void *field, const char *v, char *exp, size_t es)
{
    jahs_experiment *e =
        (jahs_experiment *)((char *)field -
                            offsetof(jahs_experiment, report_hours));
    char *copy = jahs_strdup(v), *tok, *save = NULL;
    double h[JAHS_EXP_MAX_REPORT];
    int n = 0;
    for (tok = copy ? strtok_r(copy, ",", &save) : NULL; tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (n >= JAHS_EXP_MAX_REPORT || jahs_parse_double(tok, &h[n]) != 0 ||
            !(h[n] > 0) || isinf(h[n])) {
            n = -1;
            break;
        }
        n++;
    }
    free(copy);
    if (n <= 0) {
        snprintf(exp, es,
                 "a comma-separated list of 1 to %d positive numbers of hours",
                 JAHS_EXP_MAX_REPORT);
        return -1;
    }
    memcpy(e->report_hours, h, (size_t)n * sizeof *h);
    e->n_report = n;
    return 0;
}

static void format_hours(const void *field, jahs_buf *b)
{
    const jahs_experiment *e =
        (const jahs_experiment *)((const char *)field -
                                  offsetof(jahs_experiment, report_hours));
    char d[40];
    int i;
    for (i = 0; i < e->n_report; i++)
        jahs_buf_printf(b, "%s%s", i ? ", " : "",
                        jahs_format_double(d, sizeof d, e->report_hours[i]));
}

/* table_file: the path, and in the settings record a digest of the file's
 * bytes (FNV-1a 64), so that results made from an edited table are not
 * reused. */
static int set_path(void *field, const char *v, char *exp, size_t es)
{
    jahs_exp_row *r = (jahs_exp_row *)((char *)field -
                                       offsetof(jahs_exp_row, table_file));
    if (strlen(v) >= sizeof r->table_file) {
        snprintf(exp, es, "a path of at most %zu characters",
                 sizeof r->table_file - 1);
        return -1;
    }
    if (!v[0]) {
        snprintf(exp, es, "a path of a table file");
        return -1;
    }
    snprintf(r->table_file, sizeof r->table_file, "%s", v);
    return 0;
}

static void format_path(const void *field, jahs_buf *b)
{
    const char *path = field;
    FILE *f = path[0] ? fopen(path, "rb") : NULL;
    uint64_t h = 0xcbf29ce484222325ULL;
    unsigned char buf[1 << 16];
    size_t n, i;
    jahs_buf_puts(b, path);
    if (!f)
        return;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        for (i = 0; i < n; i++)
            h = (h ^ buf[i]) * 0x100000001b3ULL;
    fclose(f);
    jahs_buf_printf(b, "#fnv64:%016llx", (unsigned long long)h);
}

static const list_def path_list = {set_path, format_path};
static const list_def seeds_list = {set_seeds, format_seeds};
static const list_def hours_list = {set_hours, format_hours};

/* enums of other modules, through int */
static const char *cover_name(int v) { return jahs_prior_cover_name((jahs_prior_cover)v); }
static const char *conf_name(int v) { return jahs_confidence_name((jahs_confidence)v); }
static const char *rungs_name(int v) { return jahs_rung_style_name((jahs_rung_style)v); }
static const char *promo_name(int v) { return jahs_promo_rule_name((jahs_promo_rule)v); }
static const char *hp_prior_name(int v) { return jahs_hp_prior_name((jahs_hp_prior_variant)v); }
static const char *type_name(int v) { return jahs_asha_type_name((jahs_asha_type)v); }
static const char *bracket_name(int v) { return jahs_bracket_style_name((jahs_bracket_style)v); }
static const char *form_name(int v) { return jahs_arch_prior_form_name((jahs_arch_prior_form)v); }
static const enum_def cover_enum = {jahs_prior_cover_parse, cover_name, 4};
static const enum_def hp_prior_enum = {jahs_hp_prior_parse, hp_prior_name, 3};
static const enum_def conf_enum = {jahs_confidence_parse, conf_name, 3};
static const enum_def rungs_enum = {jahs_rung_style_parse, rungs_name, 2};
static const enum_def promo_enum = {jahs_promo_rule_parse, promo_name, 3};
static const enum_def type_enum = {jahs_asha_type_parse, type_name, 2};
static const enum_def bracket_enum = {jahs_bracket_style_parse, bracket_name, 4};
static const enum_def form_enum = {jahs_arch_prior_form_parse, form_name, 2};

static const char *const bool_names[] = {"false", "true"};
static const char *const resume_names[] = {"restart", "checkpoint"};
/* eval/live.h's jahs_subset_order, in its order */
static const char *const subset_order_names[] = {"first", "stratified"};

/* ---- the key table ----------------------------------------------------------
 *
 * One line per key.  To add a knob: add its field (to jahs_exp_row, or to
 * jahs_opt_config with its default in jahs_opt_config_defaults for an
 * optimizer knob), then one line here, e.g.
 *
 *   ROW("my_knob", opt.my_knob, INT(0, 10), CHANGED, "what it does"),
 *
 * and run `make docs-keys` (REPRODUCE.md's table; `make test` checks it).
 * Type: STR(form, check), ONE_OF(form, names), INT(lo, hi), LONG(lo, hi),
 * REAL(lo, hi), POS, BOOL, FLAG(names), ENUM(def), LIST(def).  Default: DEF("text") is parsed into the
 * default row; without it the field keeps what jahs_opt_config_defaults (or
 * zero) gives; `jahs run --keys` shows the default row's value either way.
 * Settings record: NOFP (not part of it), FP (always), CHANGED (only when not
 * the default).  A new key that changes what a run does must be FP or
 * CHANGED, or old results are reused for new settings; use CHANGED so that
 * results made before the key existed stay valid (and bump it to FP if its
 * default ever changes).  An evaluator's key: list it in that evaluator's
 * jahs_eval_decl too (eval/eval.h), which may check its values.
 */
#define TOPK(nm, fld, ...)                                                     \
    {.name = nm, .row = 0, .off = offsetof(jahs_experiment, fld),              \
     .size = sizeof(((jahs_experiment *)0)->fld), __VA_ARGS__}
#define ROW(nm, fld, ...)                                                      \
    {.name = nm, .row = 1, .off = offsetof(jahs_exp_row, fld),                 \
     .size = sizeof(((jahs_exp_row *)0)->fld), __VA_ARGS__}
#define STR(f, c) .type = T_STR, .form = f, .check = c
#define ONE_OF(f, l) .type = T_STR, .form = f, .listed = l
#define INT(a, b) .type = T_INT, .lo = (a), .hi = (b)
#define LONG(a, b) .type = T_LONG, .lo = (a), .hi = (b)
#define REAL(a, b) .type = T_REAL, .lo = (a), .hi = (b)
#define POS .type = T_REAL, .lo = 0, .hi = INFINITY, .open_lo = 1
#define BOOL .type = T_FLAG, .names = bool_names
#define FLAG(n) .type = T_FLAG, .names = n
#define ENUM(d) .type = T_ENUM, .en = &d
#define LIST(d) .type = T_LIST, .list = &d
#define DEF(s) .deflt = s
#define SHOWN(s) .shown = s
#define NOFP .fp = FP_NONE
#define FP .fp = FP_KEY
#define CHANGED .fp = FP_CHANGED
#define HELP(s) .help = s

static const key_def keys[] = {
    /* experiment-level */
    TOPK("name", name, STR("a name", check_name), SHOWN("(file name)"), NOFP, HELP("experiment name: results go to results/<name>/")),
    TOPK("description", description, STR("text", NULL), NOFP, HELP("one line shown in reports")),
    TOPK("reference", reference, STR("a row label", NULL), NOFP, HELP("label (or paper_label) of the rows the speedups are measured against: each row against the one of its own search space (top10 counts as nb201) and dataset; at most one per space and dataset")),
    TOPK("table", table, STR("a path", NULL), SHOWN("(tables/nb201_<dataset>.h5)"), FP, HELP("tabular benchmark file of the rows' one dataset (default: each dataset's, $JAHS_TABLE_DIR/nb201_<dataset>.h5; CIFAR-100's $JAHS_TABLE when set)")),
    TOPK("paper_table", paper_table, STR("a path", NULL), NOFP, HELP("the poster's numbers (CSV under tables/paper/)")),
    TOPK("report_hours", report_hours, LIST(hours_list), DEF("2, 6"), NOFP, HELP("times (hours) at which the table reports incumbents")),
    TOPK("curve_step_minutes", curve_step_minutes, POS, DEF("5"), NOFP, HELP("grid of curves.csv")),
    TOPK("plot_time", plot_time, ONE_OF("an axis", plot_time_name), DEF("linear"), NOFP, HELP("time axis of the report's plots: linear, or log (from the first result on)")),
    TOPK("ablation", ablation, ONE_OF("a key", ablation_name), NOFP, HELP("row key an ablation varies (prior_fraction, confidence, workers): ablation.csv")),
    /* rows: what runs */
    ROW("group", group, STR("text", NULL), NOFP, HELP("the table's group heading for this row")),
    ROW("paper_label", paper_label, STR("text", NULL), SHOWN("(the label)"), NOFP, HELP("label of this row in the paper CSV")),
    ROW("space", space, STR("a built-in space or a space file", check_space), DEF("nb201"), FP, HELP("search space: nb201, cell64, top10, seqcnn, or a ConfigSpace JSON / NEPS YAML file (its content is in the fingerprint)")),
    ROW("fix", fix, STR("name=value,... text", check_fix), FP, HELP("pin parameters: name=value,... (the optimizer searches the rest)")),
    ROW("optimizer", optimizer, ONE_OF("an optimizer", opt_name), DEF("asha"), FP, HELP("optimizer (jahs opt list)")),
    ROW("evaluator", evaluator, ONE_OF("an evaluator", eval_name), DEF("tabular"), FP, HELP("evaluator: tabular, table, command, live or synthetic (jahs run --help)")),
    ROW("synthetic", synthetic, STR("a function name", NULL), FP, HELP("function name (branin, hartmann6, cellhp)")),
    ROW("table_file", table_file, LIST(path_list), CHANGED, HELP("a tabular benchmark file: CSV, gzip CSV or HDF5 (REPRODUCE.md, \"Your own benchmark\")")),
    ROW("command", command, STR("a command", NULL), CHANGED, HELP("the program and its arguments, {param} {epochs} {fold} {seed} {checkpoint_dir} ... substituted, no shell (REPRODUCE.md, \"Your own training script\")")),
    ROW("command_timeout", command_timeout, REAL(0, 1e9), CHANGED, HELP("seconds one run of the command may take (0: no limit); past it the trial fails")),
    ROW("synthetic_sleep", synthetic_sleep, REAL(0, 1000), CHANGED, HELP("real seconds slept per simulated second (> 0: wall clock)")),
    /* where the search runs and where its priors come from (issue 13: the
     * poster took its priors from NB201 CIFAR-100 and searched DeepWeedsX) */
    ROW("dataset", dataset, ONE_OF("an NB201 dataset", nb201_name), DEF("cifar100"), CHANGED, HELP("NB201 dataset the search runs on: cifar10, cifar100 or imagenet16 (its table: tables/nb201_<dataset>.h5)")),
    ROW("prior_source", prior_source, ONE_OF("an NB201 dataset", nb201_name), DEF("cifar100"), CHANGED, HELP("NB201 dataset whose best cells give the arch prior and top10's rank01..rank10 (cifar100: the poster's transfer; = dataset: an in-task prior, an oracle)")),
    /* the prior */
    ROW("prior", prior, ENUM(cover_enum), DEF("none"), FP, HELP("which parameters have a prior: none, hp, arch, joint")),
    ROW("confidence", confidence, ENUM(conf_enum), DEF("medium"), FP, HELP("confidence of the HP prior: low, medium, high")),
    ROW("hp_prior", hp_prior, ENUM(hp_prior_enum), DEF("recipe"), CHANGED, HELP("HP prior centres: recipe (NB201's), lr-decade-off (lr 0.01), misleading (the response model's worst trainable corner); REPRODUCE.md, HP-prior quality")),
    ROW("prior_default", prior_default, STR("name=value,... text", NULL), FP, HELP("HP prior centres other than NB201's recipe, name=value,...")),
    ROW("arch_top", arch_top, INT(1, 15625), DEF("100"), FP, HELP("arch prior: op frequencies among the best k cells")),
    ROW("arch_skip", arch_skip, INT(0, 15624), DEF("0"), FP, HELP("arch prior: skip the best k cells first (bad priors)")),
    ROW("arch_pseudo_count", arch_pseudo_count, REAL(0, 1e6), DEF("1"), FP, HELP("arch prior: added to every op count")),
    ROW("arch_weights", arch_weights, STR("a path", NULL), FP, HELP("arch prior from a CSV param,choice,weight instead")),
    ROW("arch_prior_form", arch_prior_form, ENUM(form_enum), DEF("neps"), FP, HELP("arch prior form: neps (NEPS v0.11 default + confidence: the most frequent op at weight 2/4/6 by confidence, 1 elsewhere; the paper's) or frequencies (the per-edge frequency table; beyond the paper)")),
    /* budget and protocol */
    ROW("budget_hours", budget_hours, REAL(0, JAHS_EXP_MAX_BUDGET_HOURS), .open_lo = 1, DEF("6"), FP, HELP("length of each run (simulated or wall hours)")),
    ROW("seeds", seeds, LIST(seeds_list), DEF("0, 1, 2"), NOFP, HELP("seeds (list or ranges a..b)")),
    ROW("folds", folds, INT(1, JAHS_MAX_FOLDS), DEF("2"), FP, HELP("cross-validation folds per evaluation")),
    ROW("workers", workers, INT(1, 1024), DEF("1"), FP, HELP("parallel workers per run")),
    ROW("charge_decision_time", charge_decision_time, BOOL, FP, HELP("add optimizer time to the simulated clock")),
    /* the optimizer (opt.h; defaults from jahs_opt_config_defaults) */
    ROW("rungs", opt.rungs, ENUM(rungs_enum), FP, HELP("rung placement: neps or synetune")),
    ROW("promotion", opt.promotion, ENUM(promo_enum), FP, HELP("promotion rule: neps, li or synetune (rungs.h)")),
    ROW("eta", opt.eta, REAL(1, 100), .open_lo = 1, FP, HELP("reduction factor")),
    ROW("min_epochs", opt.min_epochs, INT(1, 100000), FP, HELP("minimum fidelity")),
    ROW("max_epochs", opt.max_epochs, INT(1, 100000), FP, HELP("maximum fidelity")),
    ROW("max_trials", opt.max_trials, INT(0, 100000000), FP, HELP("stop after this many new configs (0: budget only)")),
    ROW("async", opt.async, BOOL, FP, HELP("Hyperband: asynchronous variant")),
    ROW("type", opt.type, ENUM(type_enum), FP, HELP("ASHA, async Hyperband, MOBSTER: promotion (pause at a rung until promoted) or stopping (Syne Tune: continue or stop at once)")),
    ROW("brackets", opt.brackets, ENUM(bracket_enum), FP, HELP("Hyperband bracket sizes: auto (those of the rungs' convention), neps, synetune or li (jahs opt brackets)")),
    ROW("allow_repeats", opt.allow_repeats, BOOL, FP, HELP("random, ASHA, Hyperband: a new config may repeat an earlier one (true: NEPS; false: Syne Tune's searchers)")),
    ROW("default_at_target", opt.default_at_target, BOOL, FP, HELP("PriorBand with default_first: the default at the top rung outside the brackets (true) or at bracket 0's base rung (false: NEPS priorband.yaml)")),
    ROW("prior_fraction", opt.prior_fraction, REAL(0, 1), FP, HELP("probability that a new config comes from the prior")),
    ROW("default_first", opt.default_first, BOOL, FP, HELP("evaluate the prior's mode first")),
    ROW("initial_random", opt.initial_random, INT(1, 100000), FP, HELP("model-based: random configs before the model")),
    ROW("max_points", opt.max_points, INT(10, 100000), FP, HELP("model-based: GP data cap (Syne Tune: 500; 100000: none)")),
    /* 250 (jahs_opt_config_defaults): Syne Tune v0.13.0
     * syne_tune/optimizer/schedulers/searchers/bayesopt/tuning_algorithms/
     * defaults.py:25 DEFAULT_NUM_INITIAL_CANDIDATES; before issue 12 `--keys`
     * said 2000 while the code used 250 */
    ROW("candidates", opt.candidates, INT(1, 1000000), FP, HELP("model-based: random candidates scored by EI (Syne Tune's num_init_candidates)")),
    ROW("neps_samples", opt.neps_samples, INT(1, 1000000), FP, HELP("mobster-neps: random configs scored by EI (NEPS SAMPLE_THRESHOLD)")),
    ROW("bo_kickin", opt.bo_kickin, REAL(0, 1e9), FP, HELP("PriorBand+BO: model after this many x max_epochs of work")),
    ROW("schedule_start", opt.schedule_start, REAL(0, 1), FP, .fp_name = "schedule", HELP("prior-schedule-bo: initial prior fraction")),
    ROW("schedule_end", opt.schedule_end, REAL(0, 1), .fp = FP_JOIN, HELP("prior-schedule-bo: final prior fraction")),
    ROW("schedule_budget", opt.schedule_budget, REAL(0, 1e9), .fp = FP_JOIN, HELP("prior-schedule-bo: decay length, max-fidelity units")),
    /* evaluators' knobs (eval/eval.h: each evaluator declares which it reads) */
    ROW("hardware_factor", hardware_factor, REAL(0, INFINITY), FP, HELP("reference-GPU seconds x this (0: the evaluator's default, 1)")),
    ROW("resume", resume, FLAG(resume_names), DEF("checkpoint"), FP, HELP("promoted trials: checkpoint (pay extra epochs) or restart")),
    ROW("data", data, STR("a dataset spec", NULL), DEF("fashion-mnist"), FP, HELP("dataset spec (jahs data info)")),
    ROW("subset", subset, LONG(0, 100000000), FP, HELP("first N training images (0: all)")),
    ROW("subset_order", subset_order, FLAG(subset_order_names), DEF("first"), CHANGED, HELP("which subset images: first (the first N of each split) or stratified (N round-robin over the classes, each class's in file order: for image folders, which are in class order)")),
    ROW("device", device, STR("a device", NULL), DEF("cpu"), FP, HELP("cpu, gpu, gpu:N (,bf16: bf16 precision)")),
    ROW("threads", threads, INT(0, 1024), NOFP, HELP("CPU threads (0: all cores)")),
};

#define N_KEYS ((int)JAHS_ARRAY_LEN(keys))

static const key_def *find_key(const char *name)
{
    int i;
    for (i = 0; i < N_KEYS; i++)
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

static void *field_of(const key_def *k, jahs_experiment *e, jahs_exp_row *r)
{
    return (char *)(k->row ? (void *)r : (void *)e) + k->off;
}

static const void *cfield_of(const key_def *k, const jahs_experiment *e,
                             const jahs_exp_row *r)
{
    return (const char *)(k->row ? (const void *)r : (const void *)e) + k->off;
}

/* The evaluators' checks of a value of key k (those that declare it). */
static int eval_check(const key_def *k, const char *v, char *exp, size_t es)
{
    const jahs_eval_type *const *t;
    for (t = jahs_eval_types(); *t; t++)
        if (jahs_eval_reads(*t, k->name) && (*t)->decl->value_check &&
            (*t)->decl->value_check(k->name, v, exp, es))
            return -1;
    return 0;
}

/* v must be one of the names name(0), name(1), ... (until NULL). */
static int one_listed(const char *(*name)(int i), const char *v, char *exp,
                      size_t es)
{
    const char *names[64];
    int n;
    for (n = 0; n < 64 && (names[n] = name(n)); n++)
        if (strcmp(names[n], v) == 0)
            return 0;
    return one_of(exp, es, names, n);
}

/* Set key k from text v: 0, or -1 with the expected form in exp. */
static int set_key(const key_def *k, jahs_experiment *e, jahs_exp_row *r,
                   const char *v, char *exp, size_t es)
{
    void *f = field_of(k, e, r);
    const char *names[16];
    double d;
    long l;
    int b;
    switch (k->type) {
    case T_STR:
        if (strlen(v) >= k->size) {
            snprintf(exp, es, "%s of at most %zu characters", k->form,
                     k->size - 1);
            return -1;
        }
        if ((k->listed && one_listed(k->listed, v, exp, es)) ||
            (k->check && k->check(r, v, exp, es)) || eval_check(k, v, exp, es))
            return -1;
        snprintf(f, k->size, "%s", v);
        return 0;
    case T_INT:
    case T_LONG:
        if (jahs_parse_long(v, &l) != 0 || l < k->lo || l > k->hi) {
            snprintf(exp, es, "an integer in [%ld, %ld]", (long)k->lo,
                     (long)k->hi);
            return -1;
        }
        if (k->type == T_INT)
            *(int *)f = (int)l;
        else
            *(long *)f = l;
        return 0;
    case T_REAL:
        if (jahs_parse_double(v, &d) != 0 || !(d >= k->lo && d <= k->hi) ||
            (k->open_lo && d == k->lo) || (isinf(k->hi) && isinf(d))) {
            if (isinf(k->hi))
                snprintf(exp, es, k->open_lo ? "a positive number"
                                             : "a number >= %g",
                         k->lo);
            else
                snprintf(exp, es, "a number in %c%g, %g]",
                         k->open_lo ? '(' : '[', k->lo, k->hi);
            return -1;
        }
        *(double *)f = d;
        return 0;
    case T_FLAG:
        for (b = 0; b < 2; b++)
            if (strcmp(v, k->names[b]) == 0) {
                *(int *)f = b;
                return 0;
            }
        if (k->names == bool_names && jahs_parse_bool(v, &b) == 0) {
            *(int *)f = b;
            return 0;
        }
        return one_of(exp, es, k->names, 2);
    case T_ENUM:
        if ((b = k->en->parse(v)) >= 0) {
            *(int *)f = b;
            return 0;
        }
        for (b = 0; b < k->en->n && b < 16; b++)
            names[b] = k->en->name(b);
        return one_of(exp, es, names, b);
    default: /* T_LIST */
        return k->list->set(f, v, exp, es);
    }
}

/* Key k's value as text; for_fp: the settings record's spelling (flags as
 * 0 / 1). */
static void format_key(const key_def *k, const jahs_experiment *e,
                       const jahs_exp_row *r, int for_fp, jahs_buf *b)
{
    const void *f = cfield_of(k, e, r);
    char d[40];
    switch (k->type) {
    case T_STR:
        jahs_buf_puts(b, f);
        break;
    case T_INT:
        jahs_buf_printf(b, "%d", *(const int *)f);
        break;
    case T_LONG:
        jahs_buf_printf(b, "%ld", *(const long *)f);
        break;
    case T_REAL:
        jahs_buf_puts(b, jahs_format_double(d, sizeof d, *(const double *)f));
        break;
    case T_FLAG:
        if (for_fp)
            jahs_buf_printf(b, "%d", *(const int *)f);
        else
            jahs_buf_puts(b, k->names[*(const int *)f != 0]);
        break;
    case T_ENUM:
        jahs_buf_puts(b, k->en->name(*(const int *)f));
        break;
    default:
        k->list->format(f, b);
    }
}

/* The experiment and row a file without keys gives (name and table are
 * computed by build). */
static void defaults(jahs_experiment *e, jahs_exp_row *r)
{
    char exp[256];
    int i;
    memset(e, 0, sizeof *e);
    memset(r, 0, sizeof *r);
    jahs_opt_config_defaults(&r->opt);
    for (i = 0; i < N_KEYS; i++)
        if (keys[i].deflt)
            set_key(&keys[i], e, r, keys[i].deflt, exp, sizeof exp);
}

/* ---- the key table, documented ------------------------------------------------ */

int jahs_exp_key_info_get(int i, jahs_exp_key_info *out)
{
    static jahs_experiment e;
    static jahs_exp_row r;
    const jahs_eval_type *const *t;
    const key_def *k;
    jahs_buf b = {0}, who = {0};
    if (i < 0 || i >= N_KEYS)
        return -1;
    k = &keys[i];
    defaults(&e, &r);
    memset(out, 0, sizeof *out);
    out->name = k->name;
    out->row = k->row;
    if (k->shown)
        jahs_buf_puts(&b, k->shown);
    else
        format_key(k, &e, &r, 0, &b);
    snprintf(out->deflt, sizeof out->deflt, "%s", b.data ? b.data : "");
    for (t = jahs_eval_types(); *t; t++)
        if (jahs_eval_reads(*t, k->name))
            jahs_buf_printf(&who, "%s%s", who.len ? ", " : "", (*t)->name);
    snprintf(out->meaning, sizeof out->meaning, "%s%s%s",
             who.data ? who.data : "", who.len ? ": " : "", k->help);
    jahs_buf_free(&b);
    jahs_buf_free(&who);
    return 0;
}

/* Text in a Markdown table cell: '<' and '|' escaped. */
static void md_cell(jahs_buf *out, const char *s)
{
    for (; *s; s++)
        if (*s == '<')
            jahs_buf_puts(out, "&lt;");
        else if (*s == '|')
            jahs_buf_puts(out, "\\|");
        else
            jahs_buf_append(out, s, 1);
}

int jahs_exp_keys_write(jahs_buf *out, int markdown)
{
    jahs_exp_key_info ki;
    int i;
    if (markdown)
        jahs_buf_puts(out, "| key | scope | default | meaning |\n"
                           "| --- | --- | --- | --- |\n");
    else
        jahs_buf_printf(out, "%-22s %-6s %-26s %s\n", "key", "scope",
                        "default", "meaning");
    for (i = 0; jahs_exp_key_info_get(i, &ki) == 0; i++)
        if (markdown) {
            jahs_buf_printf(out, "| `%s` | %s | ", ki.name,
                            ki.row ? "row" : "top");
            md_cell(out, ki.deflt[0] ? ki.deflt : "(none)");
            jahs_buf_puts(out, " | ");
            md_cell(out, ki.meaning);
            jahs_buf_puts(out, " |\n");
        } else
            jahs_buf_printf(out, "%-22s %-6s %-26s %s\n", ki.name,
                            ki.row ? "row" : "top", ki.deflt, ki.meaning);
    return out->data ? 0 : JAHS_ENOMEM;
}

/* ---- parsing ---------------------------------------------------------------- */

int jahs_exp_label_is(const char *label, const char *name)
{
    size_t n = strlen(name);
    return strncmp(label, name, n) == 0 &&
           (label[n] == '\0' || strncmp(label + n, " · ", strlen(" · ")) == 0);
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
        int i;
        for (i = 0; i < N_KEYS; i++)
            if (!in_row || keys[i].row)
                jahs_buf_printf(&b, "%s%s", b.len ? ", " : "", keys[i].name);
        JAHS_FAIL(err, JAHS_EPARSE,
                  "%s:%d: unknown key '%s' (expected one of: %s)", c->path,
                  ent->line, ent->key, b.data ? b.data : "");
        jahs_buf_free(&b);
        return JAHS_EPARSE;
    }
    if (in_row && !k->row)
        return JAHS_FAIL(err, JAHS_EPARSE,
                         "%s:%d: key '%s' is an experiment setting; it belongs "
                         "in the top section, before any [row]",
                         c->path, ent->line, ent->key);
    expected[0] = '\0';
    if (set_key(k, e, r, ent->value, expected, sizeof expected) != 0)
        return jahs_conf_bad_value(c, ent, expected, err);
    if (strcmp(k->name, "table") == 0)
        e->table_given = 1;
    return 0;
}

/* A `table` given by the file or --set is one dataset's table: every row
 * whose evaluator reads `dataset` must search that one dataset (the open then checks that the
 * file holds it).  where: "file:line" of the setting, or "--set". */
static int check_tables(const jahs_experiment *e, const char *where,
                        jahs_error *err)
{
    int i, first = -1;
    if (!e->table_given)
        return 0;
    for (i = 0; i < e->n_rows; i++) {
        const jahs_exp_row *r = &e->rows[i];
        if (!jahs_eval_reads(jahs_eval_find(r->evaluator), "dataset"))
            continue; /* its evaluator reads no NB201 table */
        if (first < 0)
            first = i;
        else if (strcmp(r->dataset, e->rows[first].dataset) != 0)
            return JAHS_FAIL(
                err, JAHS_EPARSE,
                "%s: table = '%s' is one dataset's table, but [%s] runs on "
                "%s and [%s] on %s (leave 'table' out: each dataset reads "
                "$JAHS_TABLE_DIR/nb201_<dataset>.h5, tables/ by default)",
                where, e->table, e->rows[first].label, e->rows[first].dataset,
                r->label, r->dataset);
    }
    return 0;
}

/* Whether row r carries the name `reference` (its label or paper label). */
static int names_reference(const jahs_exp_row *r, const char *reference)
{
    return jahs_exp_label_is(r->label, reference) ||
           (r->paper_label[0] && strcmp(r->paper_label, reference) == 0);
}

/*
 * Whether a speedup may compare rows of spaces a and b: the same space, or
 * nb201 and top10 (top10 searches NB201's own cells, the 10 best, in the same
 * 16-channel network and the same table: the poster's table lists it in the
 * NB201 group beside that group's MOBSTER).  cell64 (64 channels, 2 stages)
 * is another network whose accuracies and costs differ: never comparable with
 * nb201.
 */
int jahs_exp_same_search_space(const char *a, const char *b)
{
    int na = strcmp(a, "nb201") == 0 || strcmp(a, "top10") == 0;
    int nb = strcmp(b, "nb201") == 0 || strcmp(b, "top10") == 0;
    return strcmp(a, b) == 0 || (na && nb);
}

/* Rows whose speedups may be compared: the same search space
 * (jahs_exp_same_search_space) on the same dataset. */
static int same_setting(const jahs_exp_row *a, const jahs_exp_row *b)
{
    return jahs_exp_same_search_space(a->space, b->space) &&
           strcmp(a->dataset, b->dataset) == 0;
}

int jahs_exp_reference(const jahs_experiment *e, int row)
{
    int k;
    if (!e->reference[0] || row < 0 || row >= e->n_rows)
        return -1;
    for (k = 0; k < e->n_rows; k++)
        if (same_setting(&e->rows[k], &e->rows[row]) &&
            names_reference(&e->rows[k], e->reference))
            return k;
    return -1;
}

/*
 * The speedup reference (experiment key `reference`) names at least one
 * row and at most one row per search space (jahs_exp_same_search_space):
 * each row is measured against the reference row of its own space
 * (jahs_exp_reference), never against one of another space.  where:
 * "file:line: " or "" (an override).
 */
static int check_reference(const jahs_experiment *e, const char *where,
                           jahs_error *err)
{
    int i, k, hit = 0;
    if (!e->reference[0])
        return 0;
    for (i = 0; i < e->n_rows; i++) {
        if (!names_reference(&e->rows[i], e->reference))
            continue;
        hit = 1;
        for (k = 0; k < i; k++)
            if (same_setting(&e->rows[k], &e->rows[i]) &&
                names_reference(&e->rows[k], e->reference))
                return JAHS_FAIL(err, JAHS_EPARSE,
                                 "%sreference '%s' names two rows of one "
                                 "search space and dataset, [%s] (space %s, "
                                 "line %d) and [%s] (space %s, line %d); give "
                                 "one a distinct label",
                                 where, e->reference, e->rows[k].label,
                                 e->rows[k].space, e->rows[k].line,
                                 e->rows[i].label, e->rows[i].space,
                                 e->rows[i].line);
    }
    if (!hit)
        return JAHS_FAIL(err, JAHS_EPARSE,
                         "%sreference '%s' is not the label of a row (nor "
                         "a label's part before ' · ', nor a paper_label)",
                         where, e->reference);
    return 0;
}

static int check_row(const jahs_experiment *e, const jahs_exp_row *r,
                     jahs_error *err)
{
    const jahs_eval_type *t = jahs_eval_find(r->evaluator);
    char why[512];
    if (r->opt.max_epochs < r->opt.min_epochs)
        return JAHS_FAIL(err, JAHS_EPARSE,
                         "%s:%d: [%s]: max_epochs (%d) is below min_epochs "
                         "(%d)",
                         e->path, r->line, r->label, r->opt.max_epochs,
                         r->opt.min_epochs);
    /* the curves' grid (report.c): budget / step + 1 points per row; a
     * tiny step would overflow the count (issue 15: 1e-300 wrote an empty
     * curves.csv) */
    if (r->budget_hours * 60.0 / e->curve_step_minutes >
        JAHS_EXP_MAX_CURVE_POINTS)
        return JAHS_FAIL(err, JAHS_EPARSE,
                         "%s:%d: [%s]: budget_hours (%g) over "
                         "curve_step_minutes (%g) gives more than %d curve "
                         "points (expected a larger curve_step_minutes)",
                         e->path, r->line, r->label, r->budget_hours,
                         e->curve_step_minutes, JAHS_EXP_MAX_CURVE_POINTS);
    if ((r->prior == JAHS_COVER_ARCH || r->prior == JAHS_COVER_JOINT) &&
        strcmp(r->space, "seqcnn") == 0 && !r->arch_weights[0])
        return JAHS_FAIL(err, JAHS_EPARSE,
                         "%s:%d: [%s]: an architecture prior on seqcnn needs "
                         "arch_weights (the table's priors cover NB201 cells)",
                         e->path, r->line, r->label);
    if (r->hp_prior != JAHS_HP_PRIOR_RECIPE && r->prior != JAHS_COVER_HP &&
        r->prior != JAHS_COVER_JOINT)
        return JAHS_FAIL(err, JAHS_EPARSE,
                         "%s:%d: [%s]: hp_prior = %s moves the HP prior, but "
                         "prior = %s has none (expected prior = hp or joint)",
                         e->path, r->line, r->label,
                         jahs_hp_prior_name((jahs_hp_prior_variant)r->hp_prior),
                         jahs_prior_cover_name(r->prior));
    if (t && t->decl && t->decl->space_check &&
        t->decl->space_check(r->space, why, sizeof why))
        return JAHS_FAIL(err, JAHS_EPARSE, "%s:%d: [%s]: %s", e->path, r->line,
                         r->label, why);
    if (t && t->decl && (t->decl->space || t->decl->row_check)) {
        /* its space, fix on it, the evaluator's check of the row */
        jahs_space *sp = jahs_exp_row_space(e, r, err);
        jahs_eval_options eo;
        int rc = 0;
        if (!sp) {
            jahs_error_prefix(err, "%s:%d: [%s]", e->path, r->line, r->label);
            return err->code;
        }
        jahs_exp_row_eval_options(e, r, sp, NULL, &eo);
        if (t->decl->row_check && t->decl->row_check(&eo, why, sizeof why))
            rc = JAHS_FAIL(err, JAHS_EPARSE, "%s:%d: [%s]: %s", e->path,
                           r->line, r->label, why);
        jahs_space_free(sp);
        return rc;
    }
    return 0;
}

static jahs_experiment *build(const jahs_conf *c, const char *path,
                              jahs_error *err)
{
    jahs_experiment *e = calloc(1, sizeof *e);
    jahs_exp_row tmpl;
    const char *b, *env = getenv("JAHS_TABLE");
    char *dot;
    size_t i, j;
    if (!e) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    defaults(e, &tmpl);
    if (strlen(path) >= sizeof e->path) { /* never a cut path */
        JAHS_FAIL(err, JAHS_EPARSE,
                  "experiment file path of %zu characters (at most %zu): "
                  "'%.60s...'",
                  strlen(path), sizeof e->path - 1, path);
        goto fail;
    }
    snprintf(e->path, sizeof e->path, "%s", path);
    /* default name: the file's base name without extension */
    b = strrchr(path, '/');
    snprintf(e->name, sizeof e->name, "%s", b ? b + 1 : path);
    dot = strrchr(e->name, '.');
    if (dot && dot != e->name)
        *dot = '\0';
    snprintf(e->table, sizeof e->table, "%s",
             env ? env : "tables/nb201_cifar100.h5");
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
        if (strlen(s->name) >= sizeof r->label) {
            JAHS_FAIL(err, JAHS_EPARSE,
                      "%s:%d: row label of %zu characters (at most %zu)", path,
                      s->line, strlen(s->name), sizeof r->label - 1);
            goto fail;
        }
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
    if (e->table_given) {
        const jahs_conf_entry *ent =
            jahs_conf_entry_find(&c->sections[0], "table");
        char where[1100];
        snprintf(where, sizeof where, "%s:%d", path, ent ? ent->line : 0);
        if (check_tables(e, where, err))
            goto fail;
    }
    if (e->reference[0]) {
        const jahs_conf_entry *ent =
            jahs_conf_entry_find(&c->sections[0], "reference");
        char where[1100];
        snprintf(where, sizeof where, "%s:%d: ", path, ent ? ent->line : 0);
        if (check_reference(e, where, err))
            goto fail;
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
    jahs_buf_free(&e->overrides);
    free(e);
}

int jahs_experiment_set_rows(jahs_experiment *e, const char *rows,
                             const char *key, const char *value,
                             jahs_error *err)
{
    const key_def *k = find_key(key);
    char expected[512] = "";
    int i, hit = 0;
    if (!k)
        return JAHS_FAIL(err, JAHS_EPARSE, "unknown experiment key '%s'", key);
    if (rows && !k->row)
        return JAHS_FAIL(err, JAHS_EPARSE,
                         "key '%s' is an experiment setting, not a row's: it "
                         "takes no row selector ('%s:')",
                         key, rows);
    for (i = 0; i < (k->row ? e->n_rows : 1); i++) {
        if (rows && !strstr(e->rows[i].label, rows))
            continue;
        hit = 1;
        if (set_key(k, e, k->row ? &e->rows[i] : NULL, value, expected,
                    sizeof expected))
            return JAHS_FAIL(err, JAHS_EPARSE, "key '%s' expects %s, got '%s'",
                             key, expected, value);
        if (k->row && check_row(e, &e->rows[i], err))
            return err ? err->code : JAHS_EPARSE;
    }
    if (rows && !hit)
        return JAHS_FAIL(err, JAHS_EPARSE,
                         "no row's label contains '%s' (in '%s:%s=%s')", rows,
                         rows, key, value);
    if (strcmp(key, "table") == 0)
        e->table_given = 1;
    if ((strcmp(key, "table") == 0 || strcmp(key, "dataset") == 0 ||
         strcmp(key, "evaluator") == 0) &&
        check_tables(e, "--set", err))
        return err->code;
    for (i = 0; !k->row && i < e->n_rows; i++) /* curve_step_minutes, ... */
        if (check_row(e, &e->rows[i], err))
            return err ? err->code : JAHS_EPARSE;
    if (check_reference(e, "", err))
        return err ? err->code : JAHS_EPARSE;
    if (jahs_buf_printf(&e->overrides, "%s%s%s=%s\n", rows ? rows : "",
                        rows ? ":" : "", key, value))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    return 0;
}

int jahs_experiment_set(jahs_experiment *e, const char *key, const char *value,
                        jahs_error *err)
{
    return jahs_experiment_set_rows(e, NULL, key, value, err);
}

int jahs_experiment_set_text(jahs_experiment *e, const char *kv,
                             jahs_error *err)
{
    char key[128], *colon;
    const char *eq = strchr(kv, '=');
    size_t n = eq ? (size_t)(eq - kv) : 0;
    if (!eq)
        return JAHS_FAIL(err, JAHS_EUSAGE, "expected KEY=VALUE, got '%s'", kv);
    if (n >= sizeof key)
        return JAHS_FAIL(err, JAHS_EUSAGE, "key too long in '%s'", kv);
    memcpy(key, kv, n);
    key[n] = '\0';
    /* ROWS:KEY=VALUE: only the rows whose label contains ROWS */
    if ((colon = strchr(key, ':'))) {
        *colon = '\0';
        if (!key[0])
            return JAHS_FAIL(err, JAHS_EUSAGE,
                             "empty row selector in '%s' (expected "
                             "ROWS:KEY=VALUE)",
                             kv);
        return jahs_experiment_set_rows(e, key, jahs_strtrim(colon + 1),
                                        eq + 1, err);
    }
    return jahs_experiment_set(e, jahs_strtrim(key), eq + 1, err);
}

/* ---- what decides a row's runs ---------------------------------------------- */

int jahs_exp_row_settings(const jahs_experiment *e, const jahs_exp_row *r,
                          char **out, jahs_error *err)
{
    jahs_experiment de;
    jahs_exp_row dr;
    jahs_buf b = {0}, have = {0}, deflt = {0};
    int i;
#ifndef JAHS_VERSION
#define JAHS_VERSION "?"
#endif
    defaults(&de, &dr);
    jahs_buf_printf(&b, "jahs=%s", JAHS_VERSION);
    for (i = 0; i < N_KEYS; i++) {
        const key_def *k = &keys[i];
        if (k->fp == FP_KEY)
            jahs_buf_printf(&b, ";%s=", k->fp_name ? k->fp_name : k->name);
        else if (k->fp == FP_JOIN)
            jahs_buf_puts(&b, "/");
        else
            continue;
        format_key(k, e, r, 1, &b);
    }
    /* the optimizer's algorithm revision (opt.h): a changed algorithm
     * never reuses the results of the old one */
    {
        const jahs_opt_type *t = jahs_opt_find(r->optimizer);
        jahs_buf_printf(&b, ";opt_revision=%d", t ? t->revision : 0);
    }
    if (jahs_space_is_file(r->space)) { /* a space file: its content */
        char *text = NULL;
        size_t len = 0;
        if (jahs_read_file(r->space, &text, &len, err) != 0) {
            jahs_buf_free(&b);
            jahs_buf_free(&de.overrides);
            return err ? err->code : JAHS_EIO;
        }
        jahs_buf_printf(&b, ";space_file=%016llx",
                        (unsigned long long)jahs_hash_str(text));
        free(text);
    }
    for (i = 0; i < N_KEYS; i++) { /* new keys: only when not the default */
        const key_def *k = &keys[i];
        if (k->fp != FP_CHANGED)
            continue;
        have.len = deflt.len = 0;
        format_key(k, e, r, 1, &have);
        format_key(k, &de, &dr, 1, &deflt);
        if (have.len != deflt.len || memcmp(have.data, deflt.data, have.len))
            jahs_buf_printf(&b, ";%s=%s", k->name, have.data);
    }
    jahs_buf_free(&have);
    jahs_buf_free(&deflt);
    jahs_buf_free(&de.overrides);
    if (!b.data)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    *out = b.data;
    return 0;
}

int jahs_exp_row_value(const jahs_experiment *e, const jahs_exp_row *r,
                       const char *key, jahs_buf *out)
{
    const key_def *k = find_key(key);
    if (!k)
        return JAHS_ENOTFOUND;
    format_key(k, e, r, 1, out);
    return 0;
}

/* ---- what the row's evaluator says ------------------------------------------ */

const char *jahs_exp_row_table(const jahs_experiment *e,
                               const jahs_exp_row *r)
{
    (void)r;
    return e && e->table_given ? e->table : NULL;
}

const char *jahs_exp_row_prior_table(const jahs_experiment *e,
                                     const jahs_exp_row *r)
{
    return strcmp(r->prior_source, r->dataset) == 0 ? jahs_exp_row_table(e, r)
                                                     : NULL;
}

int jahs_exp_row_in_task(const jahs_exp_row *r)
{
    return strcmp(r->prior_source, r->dataset) == 0;
}

static const char *dataset_title(const char *name)
{
    const jahs_nb201_dataset *ds = jahs_nb201_dataset_find(name);
    return ds ? ds->title : name;
}

const char *jahs_exp_row_setting(const jahs_exp_row *r, char *buf, size_t n)
{
    const jahs_eval_type *t = jahs_eval_find(r->evaluator);
    if (t && !jahs_eval_reads(t, "dataset")) {
        if (jahs_eval_reads(t, "data"))
            snprintf(buf, n, "%s, trained live", r->data);
        else
            snprintf(buf, n, "%s evaluator%s%s", r->evaluator,
                     r->synthetic[0] ? ": " : "", r->synthetic);
        return buf;
    }
    snprintf(buf, n, "%s, arch priors from %s (%s)", dataset_title(r->dataset),
             dataset_title(r->prior_source),
             jahs_exp_row_in_task(r) ? "in-task: an oracle" : "transferred");
    return buf;
}

void jahs_exp_row_eval_options(const jahs_experiment *e, const jahs_exp_row *r,
                               const jahs_space *sp, const char *workdir,
                               jahs_eval_options *eo)
{
    jahs_eval_options_defaults(eo);
    eo->space = sp;
    eo->dataset = r->dataset;
    eo->table = jahs_exp_row_table(e, r);
    /* top10's ranks: the prior source's table (the searched one in-task) */
    if (!jahs_exp_row_in_task(r)) {
        eo->rank_dataset = r->prior_source;
        eo->rank_table = jahs_exp_row_prior_table(e, r);
    }
    if (r->hardware_factor > 0)
        eo->hardware_factor = r->hardware_factor;
    eo->resume = r->resume;
    /* k-fold CV: each fold trains on (k-1)/k of the training images */
    eo->train_fraction = r->folds > 1 ? (double)(r->folds - 1) / r->folds : 1.0;
    eo->data = r->data;
    eo->subset = r->subset;
    eo->subset_order = r->subset_order;
    eo->device = r->device;
    eo->threads = r->threads;
    eo->max_epochs = r->opt.max_epochs;
    eo->synthetic = r->synthetic[0] ? r->synthetic : NULL;
    eo->synthetic_sleep = r->synthetic_sleep;
    eo->table_file = r->table_file[0] ? r->table_file : NULL;
    eo->command = r->command[0] ? r->command : NULL;
    eo->command_timeout = r->command_timeout;
    eo->workdir = workdir;
}

jahs_space *jahs_exp_row_space(const jahs_experiment *e, const jahs_exp_row *r,
                               jahs_error *err)
{
    const jahs_eval_type *t = jahs_eval_find(r->evaluator);
    jahs_space *sp;
    if (t && t->decl && t->decl->space) {
        jahs_eval_options eo;
        jahs_exp_row_eval_options(e, r, NULL, NULL, &eo);
        sp = t->decl->space(&eo, r->space, find_key("space")->deflt, err);
    } else
        sp = jahs_space_open(r->space, err);
    if (sp && r->fix[0] && jahs_space_fix_parse(sp, r->fix, err)) {
        jahs_space_free(sp);
        return NULL;
    }
    return sp;
}

int jahs_exp_row_wall_clock(const jahs_exp_row *r)
{
    const jahs_eval_type *t = jahs_eval_find(r->evaluator);
    jahs_eval_options eo;
    if (!t || !t->decl || !t->decl->wall_clock)
        return 0;
    jahs_exp_row_eval_options(NULL, r, NULL, NULL, &eo);
    return t->decl->wall_clock(&eo);
}

int jahs_exp_row_needs_live(const jahs_exp_row *r)
{
    const jahs_eval_type *t = jahs_eval_find(r->evaluator);
    return t && t->decl && t->decl->needs_live;
}
