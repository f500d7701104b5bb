/*
 * driver.c - see driver.h.
 */
#include "exp/driver.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/afile.h"
#include "core/csv.h"
#include "core/log.h"
#include "core/progress.h"
#include "core/util.h"
#include "eval/arch_prior.h"
#include "eval/eval.h"
#include "eval/nb201_table.h"
#include "exp/journal.h"
#include "exp/mpi.h"
#include "exp/mpi_live.h"
#include "exp/report.h"
#include "exp/sched_async.h"
#include "exp/scheduler.h"
#include "opt/opt.h"
#include "space/prior.h"
#include "space/space.h"

void jahs_run_options_defaults(jahs_run_options *o)
{
    memset(o, 0, sizeof *o);
    o->report = 1;
}

int jahs_run_row_selected(const jahs_experiment *e, int row,
                          const jahs_run_options *o)
{
    const jahs_exp_row *r = &e->rows[row];
    if (o->rows && !strstr(r->label, o->rows))
        return 0;
    if (strcmp(r->evaluator, "live") == 0 && !o->live)
        return 0;
    return 1;
}

/*
 * The unit's prior: HP parameters centred at the space's defaults (NB201's
 * recipe) with the row's confidence; architecture parameters from a weights
 * file, or from the table's top-k cells (after skipping arch_skip of the
 * best) with the row's pseudo-count; then prior_default moves the centres of
 * the parameters it names.
 */
static int unit_prior(const jahs_experiment *e, const jahs_exp_row *r,
                      const jahs_space *sp, jahs_prior **out, jahs_error *err)
{
    jahs_prior *pr;
    int rc;
    int arch = r->prior == JAHS_COVER_ARCH || r->prior == JAHS_COVER_JOINT;
    jahs_prior_cover hp_part = r->prior == JAHS_COVER_JOINT ? JAHS_COVER_HP
                               : r->prior == JAHS_COVER_HP  ? JAHS_COVER_HP
                                                            : JAHS_COVER_NONE;
    if (arch && r->arch_weights[0]) {
        pr = jahs_prior_build(sp, r->prior, r->confidence, r->arch_weights, err);
        if (!pr)
            return err->code;
    } else {
        pr = jahs_prior_build(sp, hp_part, r->confidence, NULL, err);
        if (!pr)
            return err->code;
        if (arch) {
            jahs_nb201_table *t = jahs_nb201_table_open(e->table, err);
            rc = t ? jahs_arch_prior_fill_ranked(pr, t, r->arch_skip,
                                                 r->arch_top,
                                                 r->arch_pseudo_count, err)
                   : err->code;
            jahs_nb201_table_free(t);
            if (rc) {
                jahs_prior_free(pr);
                return rc;
            }
        }
    }
    if (r->prior != JAHS_COVER_NONE && r->prior_default[0] &&
        (rc = jahs_prior_set_defaults_text(pr, r->prior_default, r->confidence,
                                           err))) {
        jahs_prior_free(pr);
        return rc;
    }
    *out = pr;
    return 0;
}

/* ---- one unit ------------------------------------------------------------ */

typedef struct {
    const jahs_space *sp;
    jahs_csv_writer *w;
    int64_t skip;         /* events already in the journal (replayed) */
    jahs_incumbent inc;
    int n_folds;
    long kill_after;      /* testing: SIGKILL ourselves after this many new rows */
    long written;
} unit_ctx;

static int on_event(void *ctx, const jahs_sched_event *ev, jahs_error *err)
{
    unit_ctx *u = ctx;
    jahs_journal_row row;
    int f, rc;
    jahs_incumbent_update(&u->inc, ev->trial.id, ev->trial.epochs,
                          ev->result.val_acc, ev->result.test_acc);
    memset(&row, 0, sizeof row);
    row.seq = ev->seq;
    row.worker = ev->worker;
    row.start = ev->start;
    row.end = ev->end;
    row.trial = ev->trial;
    row.n_folds = u->n_folds;
    for (f = 0; f < u->n_folds; f++) {
        row.fold_val[f] = ev->fold_val[f];
        row.fold_test[f] = ev->fold_test[f];
        row.fold_cost[f] = ev->fold_cost[f];
    }
    row.val = ev->result.val_acc;
    row.test = ev->result.test_acc;
    row.cost = ev->result.cost;
    row.inc_trial = u->inc.trial;
    row.inc_epochs = u->inc.epochs;
    row.inc_val = u->inc.val;
    row.inc_test = u->inc.test;
    if ((rc = jahs_journal_write(u->w, u->sp, &row, err)))
        return rc;
    u->written++;
    if (u->kill_after > 0 && u->written >= u->kill_after)
        raise(SIGKILL); /* tests: a real kill at a row boundary */
    return 0;
}

/* The journal's sibling with another extension (".done", ".settings"). */
static char *sibling(const char *journal, const char *ext)
{
    jahs_buf b = {0};
    size_t n = strlen(journal);
    if (n > 4 && strcmp(journal + n - 4, ".csv") == 0)
        n -= 4;
    jahs_buf_append(&b, journal, n);
    jahs_buf_puts(&b, ext);
    return b.data;
}

/*
 * A unit's results are reused (skipped when done, resumed when partial) only
 * if they were made with the same settings: <seed>.settings holds the
 * settings line of the run that wrote them.  A unit without results records
 * its settings before it starts.
 */
static int check_settings(const jahs_experiment *e, const jahs_exp_row *r,
                          const char *journal, jahs_error *err)
{
    char *path = sibling(journal, ".settings"), *want = NULL, *have = NULL;
    int rc;
    if (!path)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    if ((rc = jahs_exp_row_settings(e, r, &want, err)))
        goto out;
    if (!jahs_path_exists(journal) || !jahs_path_exists(path)) {
        if (jahs_path_exists(journal)) {
            rc = JAHS_FAIL(err, JAHS_ESTATE,
                           "'%s' has no settings record ('%s'); remove the "
                           "results directory or run with --fresh",
                           journal, path);
            goto out;
        }
        {
            jahs_buf b = {0};
            jahs_buf_printf(&b, "%s\n", want);
            rc = jahs_afile_write(path, b.data, b.len, err);
            jahs_buf_free(&b);
        }
        goto out;
    }
    if ((rc = jahs_read_file(path, &have, NULL, err)))
        goto out;
    jahs_strtrim(have);
    if (strcmp(jahs_strtrim(have), want) != 0)
        rc = JAHS_FAIL(err, JAHS_ESTATE,
                       "'%s' was made with other settings than [%s] now has "
                       "(recorded in '%s'); use another --out directory or run "
                       "with --fresh to discard it",
                       journal, r->label, path);
out:
    free(have);
    free(want);
    free(path);
    return rc;
}

int jahs_run_discard_unit(const jahs_experiment *e, int row, int seed_index,
                          const char *outdir, jahs_error *err)
{
    const jahs_exp_row *r = &e->rows[row];
    char *journal = jahs_exp_journal_path(outdir, r, r->seeds[seed_index]);
    static const char *const ext[] = {".csv", ".done", ".settings"};
    size_t k;
    if (!journal)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    for (k = 0; k < JAHS_ARRAY_LEN(ext); k++) {
        char *p = sibling(journal, ext[k]);
        if (p && remove(p) != 0 && errno != ENOENT) {
            int rc = JAHS_FAIL(err, JAHS_EIO, "cannot remove '%s': %s", p,
                               strerror(errno));
            free(p);
            free(journal);
            return rc;
        }
        free(p);
    }
    free(journal);
    return 0;
}

int jahs_row_wall_clock(const jahs_exp_row *r)
{
    return strcmp(r->evaluator, "live") == 0 || r->synthetic_sleep > 0;
}

/* The unit's space: the row's, with its pinned parameters. */
static jahs_space *unit_space(const jahs_exp_row *r, jahs_error *err)
{
    jahs_space *sp = jahs_space_create(r->space, err);
    if (sp && r->fix[0] && jahs_space_fix_parse(sp, r->fix, err)) {
        jahs_space_free(sp);
        return NULL;
    }
    return sp;
}

/* The unit's evaluator on space sp; checkpoints in <outdir>/checkpoints. */
static jahs_eval *unit_eval(const jahs_experiment *e, const jahs_exp_row *r,
                            const jahs_space *sp, const char *outdir,
                            jahs_error *err)
{
    jahs_eval_options eo;
    jahs_eval *ev;
    char *wd = jahs_path_join(outdir, "checkpoints");
    if (!wd) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    jahs_eval_options_defaults(&eo);
    eo.space = sp;
    eo.table = e->table;
    if (r->hardware_factor > 0)
        eo.hardware_factor = r->hardware_factor;
    eo.resume = r->resume;
    /* k-fold CV: each fold trains on (k-1)/k of the training images */
    eo.train_fraction = r->folds > 1 ? (double)(r->folds - 1) / r->folds : 1.0;
    eo.data = r->data;
    eo.subset = r->subset;
    eo.device = r->device;
    eo.threads = r->threads;
    eo.max_epochs = r->opt.max_epochs;
    eo.synthetic = r->synthetic[0] ? r->synthetic : NULL;
    eo.synthetic_sleep = r->synthetic_sleep;
    eo.workdir = wd;
    ev = jahs_eval_open(jahs_eval_find(r->evaluator), &eo, err);
    free(wd);
    return ev;
}

int jahs_unit_open_eval(const jahs_experiment *e, int row, int seed_index,
                        const char *outdir, jahs_space **sp, jahs_eval **ev,
                        jahs_error *err)
{
    const jahs_exp_row *r = &e->rows[row];
    *ev = NULL;
    if (!(*sp = unit_space(r, err)))
        goto fail;
    if (!(*ev = unit_eval(e, r, *sp, outdir, err)))
        goto fail;
    return 0;
fail:
    (void)seed_index; /* the unit's runner names row and seed */
    jahs_space_free(*sp);
    *sp = NULL;
    return err->code;
}

/* A unit on this process's evaluator (exec NULL: jahs_sched_run) or on an
 * executor's workers (jahs_sched_run_async). */
static int run_unit(const jahs_experiment *e, int row, int seed_index,
                    const char *outdir, const jahs_sched_exec *exec,
                    jahs_error *err)
{
    const jahs_exp_row *r = &e->rows[row];
    uint64_t seed = r->seeds[seed_index];
    char *journal = jahs_exp_journal_path(outdir, r, seed), *done = NULL;
    jahs_space *sp = NULL;
    jahs_prior *pr = NULL;
    jahs_opt *opt = NULL;
    jahs_eval *ev = NULL;
    jahs_journal_row *old = NULL;
    jahs_sched_event *replay = NULL;
    size_t n_old = 0, i;
    unit_ctx u;
    jahs_opt_config oc;
    jahs_sched_config sc;
    int rc = 0, existed = 0;
    const char *kill = getenv("JAHS_TEST_KILL_AFTER");
    memset(&u, 0, sizeof u);
    if (!journal || !(done = sibling(journal, ".done"))) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = jahs_mkdirs_parent(journal, err)) ||
        (rc = check_settings(e, r, journal, err)))
        goto out;
    if (jahs_path_exists(done))
        goto out; /* finished earlier, with these settings */
    if (!(sp = unit_space(r, err))) {
        rc = err->code;
        goto out;
    }
    if ((rc = unit_prior(e, r, sp, &pr, err)))
        goto out;
    oc = r->opt;
    oc.space = sp;
    oc.prior = pr;
    oc.seed = seed;
    if (!(opt = jahs_opt_create(jahs_opt_find(r->optimizer), &oc, err))) {
        rc = err->code;
        goto out;
    }
    /* with an executor, the workers open the evaluator */
    if (!exec && !(ev = unit_eval(e, r, sp, outdir, err))) {
        rc = err->code;
        goto out;
    }
    /* resume: the rows already journaled are replayed, not re-evaluated */
    if ((rc = jahs_journal_read(journal, sp, r->folds, &old, &n_old, err)))
        goto out;
    if (n_old) {
        replay = calloc(n_old, sizeof *replay);
        if (!replay) {
            rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
            goto out;
        }
        for (i = 0; i < n_old; i++) {
            int f;
            replay[i].seq = old[i].seq;
            replay[i].start = old[i].start;
            replay[i].end = old[i].end;
            replay[i].worker = old[i].worker;
            replay[i].trial = old[i].trial;
            replay[i].result.val_acc = old[i].val;
            replay[i].result.test_acc = old[i].test;
            replay[i].result.cost = old[i].cost;
            for (f = 0; f < r->folds; f++) {
                replay[i].fold_val[f] = old[i].fold_val[f];
                replay[i].fold_test[f] = old[i].fold_test[f];
                replay[i].fold_cost[f] = old[i].fold_cost[f];
            }
        }
    }
    u.sp = sp;
    u.skip = (int64_t)n_old;
    u.n_folds = r->folds;
    jahs_incumbent_init(&u.inc);
    for (i = 0; i < n_old; i++) /* the scheduler observes new events only */
        jahs_incumbent_update(&u.inc, old[i].trial.id, old[i].trial.epochs,
                              old[i].val, old[i].test);
    if (kill)
        u.kill_after = atol(kill);
    if (!(u.w = jahs_csv_open(journal, JAHS_CSV_JOURNAL, &existed, err))) {
        rc = err->code;
        goto out;
    }
    if (!existed && (rc = jahs_journal_header(u.w, sp, r->folds, err)))
        goto out;
    memset(&sc, 0, sizeof sc);
    sc.workers = r->workers;
    sc.budget = r->budget_hours * 3600.0;
    sc.n_folds = r->folds;
    sc.seed = seed;
    sc.wall_clock = jahs_row_wall_clock(r);
    sc.charge_decision_time = r->charge_decision_time;
    rc = exec ? jahs_sched_run_async(opt, exec, sp, &sc, replay, n_old,
                                     on_event, &u, NULL, err)
              : jahs_sched_run(opt, ev, sp, &sc, replay, n_old, on_event, &u,
                               NULL, err);
    if (rc)
        goto out;
    rc = jahs_csv_close(u.w, err);
    u.w = NULL;
    if (rc)
        goto out;
    {
        jahs_buf b = {0};
        jahs_buf_printf(&b,
                        "row = %s\nseed = %llu\ntrials = %lld\n"
                        "incumbent_trial = %lld\nincumbent_epochs = %d\n"
                        "incumbent_val = %.17g\nincumbent_test = %.17g\n",
                        r->label, (unsigned long long)seed,
                        (long long)(u.skip + u.written),
                        (long long)u.inc.trial, u.inc.epochs, u.inc.val,
                        u.inc.test);
        rc = jahs_afile_write(done, b.data, b.len, err);
        jahs_buf_free(&b);
    }
out:
    if (u.w)
        jahs_csv_abort(u.w);
    if (rc)
        jahs_error_prefix(err, "[%s] seed %llu", r->label,
                          (unsigned long long)seed);
    free(replay);
    free(old);
    jahs_eval_close(ev);
    jahs_opt_free(opt);
    jahs_prior_free(pr);
    jahs_space_free(sp);
    free(done);
    free(journal);
    return rc;
}

int jahs_run_unit(const jahs_experiment *e, int row, int seed_index,
                  const char *outdir, jahs_error *err)
{
    return run_unit(e, row, seed_index, outdir, NULL, err);
}

int jahs_run_unit_async(const jahs_experiment *e, int row, int seed_index,
                        const char *outdir, const jahs_sched_exec *exec,
                        jahs_error *err)
{
    if (!exec)
        return JAHS_FAIL(err, JAHS_EINVAL, "no executor");
    return run_unit(e, row, seed_index, outdir, exec, err);
}

/* ---- the whole experiment -------------------------------------------------- */

static int n_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* Save the experiment file (and overrides) beside the results, so `jahs
 * report DIR` can rebuild the report from the journals alone. */
static int save_experiment(const jahs_experiment *e, const char *outdir,
                           jahs_error *err)
{
    char *text, *path;
    size_t len;
    int rc;
    if ((rc = jahs_read_file(e->path, &text, &len, err)))
        return rc;
    path = jahs_path_join(outdir, "experiment.exp");
    rc = path ? jahs_afile_write(path, text, len, err)
              : JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    free(path);
    free(text);
    return rc;
}

int jahs_run_prepare(const jahs_experiment *e, const char *outdir,
                     jahs_error *err)
{
    int rc;
    if ((rc = jahs_mkdirs(outdir, err)))
        return rc;
    return save_experiment(e, outdir, err);
}

/* Units one process at a time, or o->jobs child processes (a child reports
 * its error on stderr and through its exit status). */
static int run_local(const jahs_unit *units, int total, int jobs,
                     jahs_progress *bar, jahs_error *err)
{
    int started = 0, finished = 0, running = 0, failed = 0, i, rc = 0;
    if (jobs <= 1) {
        for (i = 0; i < total && !rc; i++) {
            rc = jahs_run_unit(units[i].e, units[i].row, units[i].seed,
                               units[i].outdir, err);
            jahs_progress_update(bar, i + 1);
        }
        return rc;
    }
    while (finished < total) {
        while (running < jobs && started < total && !failed) {
            pid_t pid;
            fflush(NULL);
            pid = fork();
            if (pid < 0) {
                rc = JAHS_FAIL(err, JAHS_EIO, "cannot fork: %s",
                               strerror(errno));
                failed = 1;
                break;
            }
            if (pid == 0) {
                jahs_error cerr = {0};
                const jahs_unit *u = &units[started];
                int crc =
                    jahs_run_unit(u->e, u->row, u->seed, u->outdir, &cerr);
                if (crc)
                    fprintf(stderr, "jahs: error: %s\n", cerr.msg);
                fflush(NULL);
                _exit(crc ? 1 : 0);
            }
            started++;
            running++;
        }
        if (running == 0)
            break;
        {
            int st;
            pid_t w = wait(&st);
            if (w < 0) {
                rc = JAHS_FAIL(err, JAHS_EIO, "wait failed: %s",
                               strerror(errno));
                break;
            }
            running--;
            finished++;
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                failed = 1;
                if (!rc)
                    rc = JAHS_FAIL(err, JAHS_EIO,
                                   "a run failed (see the message above); "
                                   "run the same command again to resume");
            }
            jahs_progress_update(bar, finished);
        }
    }
    return rc;
}

/* ---- units over MPI ranks ------------------------------------------------ */

/* Units whose trials train on other ranks (mpi_live.h): rows on the wall
 * clock with more than one worker.  The others are farmed out whole. */
static int unit_is_live(const jahs_unit *u)
{
    const jahs_exp_row *r = &u->e->rows[u->row];
    return jahs_row_wall_clock(r) && r->workers > 1;
}

typedef struct {
    const jahs_unit *const *units; /* the farmed or the live ones */
    jahs_progress *bar;
    int offset; /* units finished before this phase */
} farm_ctx;

static int farm_unit(void *ctx, int i, jahs_error *err)
{
    const jahs_unit *u = ((farm_ctx *)ctx)->units[i];
    return jahs_run_unit(u->e, u->row, u->seed, u->outdir, err);
}

static void farm_done(void *ctx, int finished)
{
    farm_ctx *fc = ctx;
    jahs_progress_update(fc->bar, fc->offset + finished);
}

static int live_run(void *ctx, int i, const jahs_sched_exec *ex,
                    jahs_error *err)
{
    const jahs_unit *u = ((farm_ctx *)ctx)->units[i];
    return jahs_run_unit_async(u->e, u->row, u->seed, u->outdir, ex, err);
}

static int live_open(void *ctx, int i, jahs_space **sp, jahs_eval **ev,
                     jahs_error *err)
{
    const jahs_unit *u = ((farm_ctx *)ctx)->units[i];
    return jahs_unit_open_eval(u->e, u->row, u->seed, u->outdir, sp, ev, err);
}

/* Under MPI: the farmed units first (every rank computes), then the live
 * ones one after the other (rank 0 schedules, the others train). */
static int run_mpi(const jahs_unit *units, int n, jahs_progress *bar,
                   jahs_error *err)
{
    const jahs_unit **farmed = calloc((size_t)n + 1, sizeof *farmed);
    const jahs_unit **live = calloc((size_t)n + 1, sizeof *live);
    int n_farmed = 0, n_live = 0, i, rc = 0, size = jahs_mpi_size();
    farm_ctx fc;
    if (!farmed || !live) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < n; i++) {
        if (!unit_is_live(&units[i])) {
            farmed[n_farmed++] = &units[i];
            continue;
        }
        live[n_live++] = &units[i];
        if (units[i].e->rows[units[i].row].workers > size - 1) {
            const jahs_exp_row *r = &units[i].e->rows[units[i].row];
            rc = JAHS_FAIL(err, JAHS_EINVAL,
                           "[%s] workers = %d trains on %d ranks besides rank "
                           "0, which runs the optimizer: start %d ranks or "
                           "more (got %d), or set workers = %d",
                           r->label, r->workers, r->workers, r->workers + 1,
                           size, size - 1);
            goto out;
        }
    }
    fc.bar = bar;
    fc.units = farmed;
    fc.offset = 0;
    if (n_farmed)
        rc = jahs_mpi_farm(n_farmed, farm_unit, &fc, farm_done, err);
    if (n_live && !(rc = jahs_mpi_agree(rc, err))) {
        fc.units = live;
        fc.offset = n_farmed;
        rc = jahs_mpi_live(n_live, live_run, live_open, &fc, farm_done, err);
    }
    if (rc && jahs_mpi_rank() == 0)
        jahs_error_prefix(err, "%s",
                          "a run failed (run the same command again to "
                          "resume)");
out:
    free(farmed);
    free(live);
    return rc;
}

int jahs_run_units(const jahs_unit *units, int n, const jahs_run_options *o,
                   jahs_error *err)
{
    int rc;
    jahs_progress bar;
    const char *label = n > 0 ? units[0].e->name : "run";
    if (jahs_mpi_parallel()) {
        int leader = jahs_mpi_rank() == 0;
        if (leader && !o->quiet)
            jahs_progress_start(&bar, label, n);
        else
            memset(&bar, 0, sizeof bar); /* disabled */
        rc = run_mpi(units, n, &bar, err);
        if (leader && !o->quiet)
            jahs_progress_finish(&bar);
        return rc;
    }
    if (o->quiet)
        memset(&bar, 0, sizeof bar);
    else
        jahs_progress_start(&bar, label, n);
    rc = run_local(units, n, o->jobs > 0 ? o->jobs : n_cores(), &bar, err);
    if (!o->quiet)
        jahs_progress_finish(&bar);
    return rc;
}

int jahs_run_experiment(const jahs_experiment *e, const jahs_run_options *o,
                        jahs_error *err)
{
    int total = 0, i, s, rc = 0, leader = jahs_mpi_rank() == 0;
    char outbuf[1024];
    const char *outdir = o->outdir;
    jahs_unit *units;
    if (!outdir) {
        snprintf(outbuf, sizeof outbuf, "results/%s", e->name);
        outdir = outbuf;
    }
    for (i = 0; i < e->n_rows; i++)
        if (jahs_run_row_selected(e, i, o))
            total += e->rows[i].n_seeds;
    units = calloc((size_t)(total ? total : 1), sizeof *units);
    if (!units) /* (the other ranks learn of it from jahs_mpi_agree) */
        return jahs_mpi_agree(JAHS_FAIL(err, JAHS_ENOMEM, "out of memory"),
                              err);
    total = 0;
    for (i = 0; i < e->n_rows; i++)
        if (jahs_run_row_selected(e, i, o))
            for (s = 0; s < e->rows[i].n_seeds; s++) {
                units[total].e = e;
                units[total].outdir = outdir;
                units[total].row = i;
                units[total].seed = s;
                total++;
            }
    /* rank 0 prepares the directory (and --fresh discards), then all run */
    if (leader)
        rc = jahs_run_prepare(e, outdir, err);
    for (i = 0; leader && o->fresh && i < total && !rc; i++)
        rc = jahs_run_discard_unit(e, units[i].row, units[i].seed, outdir, err);
    if (!(rc = jahs_mpi_agree(rc, err)))
        rc = jahs_run_units(units, total, o, err);
    free(units);
    if (rc || !leader)
        return rc;
    if (o->report) {
        jahs_report *r = jahs_report_load(e, outdir, err);
        int plots = 0;
        if (!r)
            return err->code;
        rc = jahs_report_write(r, outdir, &plots, err);
        jahs_report_free(r);
        if (rc)
            return rc;
        if (!o->quiet && !plots)
            jahs_info("gnuplot not found: CSV and Markdown written, no plots "
                      "('make deps' installs gnuplot)");
    }
    return 0;
}
