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

#include "core/gnuplot.h"
#include "core/log.h"
#include "core/progress.h"
#include "core/util.h"
#include "eval/arch_prior.h"
#include "eval/eval.h"
#include "exp/journal.h"
#include "exp/mpi.h"
#include "exp/mpi_live.h"
#include "exp/report.h"
#include "exp/rundir.h"
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
    if (jahs_exp_row_needs_live(r) && !o->live)
        return 0;
    return 1;
}

/*
 * The unit's prior (eval/arch_prior.h): the row's cover and confidence, the
 * architecture part from arch_weights or the table's cells ranked
 * arch_skip+1 .. arch_skip+arch_top; then prior_default moves the centres of
 * the parameters it names.
 */
static int unit_prior(const jahs_experiment *e, const jahs_exp_row *r,
                      const jahs_space *sp, jahs_prior **out, jahs_error *err)
{
    jahs_prior *pr = jahs_arch_prior_build(
        sp, r->prior, r->confidence, r->arch_weights, NULL, e->table,
        r->arch_skip, r->arch_top, r->arch_pseudo_count, err);
    int rc;
    if (!pr)
        return err->code;
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
    jahs_journal *j;
    long kill_after; /* testing: SIGKILL ourselves after this many new rows */
    long written;
} unit_ctx;

static int on_event(void *ctx, const jahs_record *rec, jahs_error *err)
{
    unit_ctx *u = ctx;
    int rc;
    if ((rc = jahs_journal_append(u->j, rec, err)))
        return rc;
    u->written++;
    if (u->kill_after > 0 && u->written >= u->kill_after)
        raise(SIGKILL); /* tests: a real kill at a row boundary */
    return 0;
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

/* The unit's evaluator on space sp; checkpoints in outdir's place for them. */
static jahs_eval *unit_eval(const jahs_experiment *e, const jahs_exp_row *r,
                            const jahs_space *sp, const char *outdir,
                            jahs_error *err)
{
    jahs_eval_options eo;
    jahs_eval *ev;
    char *wd = jahs_rundir_checkpoints(outdir, r);
    if (!wd) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    jahs_exp_row_eval_options(e, r, sp, wd, &eo);
    ev = jahs_eval_open(jahs_eval_find(r->evaluator), &eo, err);
    free(wd);
    return ev;
}

/* The space and evaluator of unit (row, seed) as run_unit opens them: for
 * the MPI ranks that train for rank 0's scheduler (mpi_live.h).  0 with both
 * set, or a negative code with err filled and both NULL. */
static int unit_open_eval(const jahs_experiment *e, int row,
                          const char *outdir, jahs_space **sp, jahs_eval **ev,
                          jahs_error *err)
{
    const jahs_exp_row *r = &e->rows[row];
    *ev = NULL;
    if ((*sp = unit_space(r, err)) && (*ev = unit_eval(e, r, *sp, outdir, err)))
        return 0;
    jahs_space_free(*sp);
    *sp = NULL;
    return err->code;
}

/* A unit on this process's evaluator (exec NULL) or on an executor's
 * workers. */
static int run_unit(const jahs_experiment *e, int row, int seed_index,
                    const char *outdir, const jahs_sched_exec *exec,
                    jahs_error *err)
{
    const jahs_exp_row *r = &e->rows[row];
    uint64_t seed = r->seeds[seed_index];
    char *journal = jahs_rundir_unit_path(outdir, r, seed, JAHS_UNIT_JOURNAL);
    jahs_space *sp = NULL;
    jahs_prior *pr = NULL;
    jahs_opt *opt = NULL;
    jahs_eval *ev = NULL;
    const jahs_record *replay;
    size_t n_old;
    unit_ctx u;
    jahs_opt_config oc;
    jahs_sched_config sc;
    int rc = 0;
    const char *kill = getenv("JAHS_TEST_KILL_AFTER");
    memset(&u, 0, sizeof u);
    if (!journal) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = jahs_rundir_unit_settings(outdir, e, r, seed, err)) ||
        jahs_rundir_unit_done(outdir, r, seed))
        goto out; /* (a finished unit, with these settings, is skipped) */
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
    /* resume: the records already journaled are replayed, not re-evaluated */
    if (!(u.j = jahs_journal_open(journal, sp, r->folds,
                                  &(jahs_journal_bounds){r->opt.max_epochs,
                                                         r->workers},
                                  err))) {
        rc = err->code;
        goto out;
    }
    replay = jahs_journal_replay(u.j, &n_old);
    if (kill)
        u.kill_after = atol(kill);
    jahs_sched_config_defaults(&sc);
    sc.workers = r->workers;
    sc.budget = r->budget_hours * 3600.0;
    sc.n_folds = r->folds;
    sc.seed = seed;
    sc.wall_clock = jahs_exp_row_wall_clock(r);
    sc.charge_decision_time = r->charge_decision_time;
    rc = exec ? jahs_sched_run_exec(opt, exec, sp, &sc, replay, n_old,
                                    on_event, &u, NULL, err)
              : jahs_sched_run(opt, ev, sp, &sc, replay, n_old, on_event, &u,
                               NULL, err);
    if (rc || (rc = jahs_rundir_unit_finish(outdir, r, seed,
                                            jahs_journal_rows(u.j),
                                            jahs_journal_incumbent(u.j), err)))
        goto out;
    rc = jahs_journal_close(u.j, err);
    u.j = NULL;
out:
    jahs_journal_abort(u.j);
    if (rc)
        jahs_error_prefix(err, "[%s] seed %llu", r->label,
                          (unsigned long long)seed);
    jahs_eval_close(ev);
    jahs_opt_free(opt);
    jahs_prior_free(pr);
    jahs_space_free(sp);
    free(journal);
    return rc;
}

int jahs_run_unit(const jahs_experiment *e, int row, int seed_index,
                  const char *outdir, jahs_error *err)
{
    return run_unit(e, row, seed_index, outdir, NULL, err);
}

int jahs_run_unit_exec(const jahs_experiment *e, int row, int seed_index,
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
    return jahs_exp_row_wall_clock(r) && r->workers > 1;
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
    return jahs_run_unit_exec(u->e, u->row, u->seed, u->outdir, ex, err);
}

static int live_open(void *ctx, int i, jahs_space **sp, jahs_eval **ev,
                     jahs_error *err)
{
    const jahs_unit *u = ((farm_ctx *)ctx)->units[i];
    return unit_open_eval(u->e, u->row, u->outdir, sp, ev, err);
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

int jahs_run_units_add(const jahs_experiment *e, const char *outdir,
                       const jahs_run_options *o, jahs_unit **units, int *n,
                       jahs_error *err)
{
    size_t cap = (size_t)*n; /* (grows by doubling from here) */
    int i, s;
    for (i = 0; i < e->n_rows; i++)
        for (s = 0; jahs_run_row_selected(e, i, o) && s < e->rows[i].n_seeds;
             s++) {
            jahs_unit u = {e, outdir, i, s};
            if (jahs_grow((void **)units, &cap, (size_t)*n + 1, sizeof u))
                return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
            (*units)[(*n)++] = u;
        }
    return 0;
}

int jahs_run_experiment(const jahs_experiment *e, const jahs_run_options *o,
                        jahs_error *err)
{
    int total = 0, i, rc, leader = jahs_mpi_rank() == 0;
    char *own_out = o->outdir ? NULL : jahs_rundir_default(e, "");
    const char *outdir = o->outdir ? o->outdir : own_out;
    jahs_unit *units = NULL;
    jahs_rundir_lock *lock = NULL;
    /* (the other ranks learn of a failure from jahs_mpi_agree) */
    rc = outdir ? jahs_run_units_add(e, outdir, o, &units, &total, err)
                : JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    /* rank 0 locks and prepares the directory (and --fresh discards), then
     * all run */
    if (!rc && leader)
        rc = jahs_rundir_lock_take(outdir, &lock, err);
    for (i = 0; leader && !o->fresh && i < total && !rc; i++) {
        const jahs_exp_row *r = &e->rows[units[i].row];
        rc = jahs_rundir_unit_check(outdir, e, r, r->seeds[units[i].seed], err);
    }
    if (!rc && leader)
        rc = jahs_rundir_prepare(outdir, e, err);
    for (i = 0; leader && o->fresh && i < total && !rc; i++) {
        const jahs_exp_row *r = &e->rows[units[i].row];
        rc = jahs_rundir_unit_discard(outdir, r, r->seeds[units[i].seed], err);
    }
    if (!(rc = jahs_mpi_agree(rc, err)))
        rc = jahs_run_units(units, total, o, err);
    free(units);
    if (!rc && leader && o->report) {
        jahs_report *r = jahs_report_load(e, outdir, err);
        int plots = 0;
        rc = r ? jahs_report_write(r, outdir, &plots, err) : err->code;
        jahs_report_free(r);
        if (!rc && !o->quiet && !plots && jahs_gnuplot_why_not())
            jahs_info("%s: CSV and Markdown written, no plots",
                      jahs_gnuplot_why_not());
    }
    jahs_rundir_unlock(lock);
    free(own_out);
    return rc;
}
