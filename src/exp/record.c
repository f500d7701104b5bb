/*
 * record.c - see record.h.
 */
#include "exp/record.h"

#include <math.h>
#include <string.h>

#include "core/util.h"

void jahs_incumbent_init(jahs_incumbent *inc)
{
    inc->trial = -1;
    inc->epochs = 0;
    inc->val = NAN;
    inc->test = NAN;
}

int jahs_incumbent_update(jahs_incumbent *inc, int64_t trial, int epochs,
                          double val, double test)
{
    if (isnan(val))
        return 0;
    if (inc->trial < 0 || epochs > inc->epochs ||
        (epochs == inc->epochs && val > inc->val)) {
        inc->trial = trial;
        inc->epochs = epochs;
        inc->val = val;
        inc->test = test;
        return 1;
    }
    return 0;
}

int jahs_record_evaluate(jahs_record *r, jahs_eval *ev, const jahs_space *sp,
                         uint64_t seed, int measure, jahs_record_poll poll,
                         void *poll_ctx, jahs_error *err)
{
    const jahs_trial *t = &r->trial;
    double val = 0, test = 0, cost = 0;
    int f, rc;
    if (r->n_folds < 1 || r->n_folds > JAHS_MAX_FOLDS)
        return r->status = JAHS_FAIL(err, JAHS_EINVAL,
                                     "folds must be in 1..%d, got %d",
                                     JAHS_MAX_FOLDS, r->n_folds);
    for (f = 0; f < r->n_folds; f++) {
        jahs_eval_request rq;
        jahs_eval_result res;
        double t0;
        if (f > 0 && poll && poll(poll_ctx)) {
            r->status = JAHS_RECORD_CANCELLED;
            return 0;
        }
        memset(&rq, 0, sizeof rq);
        rq.space = sp;
        rq.config = t->config;
        rq.config_id = t->config_id;
        rq.epochs = t->epochs;
        rq.resume_from = t->resume_from;
        rq.fold = f;
        rq.seed = seed;
        t0 = measure ? jahs_now() : 0;
        if ((rc = jahs_eval_run(ev, &rq, &res, err)) < 0) {
            jahs_error_prefix(err, "trial %lld fold %d", (long long)t->id, f);
            return r->status = rc;
        }
        if (measure)
            res.cost = jahs_now() - t0;
        if (!(res.cost >= 0) || isinf(res.cost))
            return r->status = JAHS_FAIL(
                       err, JAHS_ERANGE,
                       "trial %lld fold %d: evaluator reported cost %g "
                       "(expected a finite number >= 0)",
                       (long long)t->id, f, res.cost);
        r->fold[f].val = res.val_acc;
        r->fold[f].test = res.test_acc;
        r->fold[f].cost = res.cost;
        val += res.val_acc;
        test += res.test_acc;
        cost += res.cost;
    }
    r->result.val_acc = val / r->n_folds;
    r->result.test_acc = test / r->n_folds;
    r->result.cost = cost;
    r->status = JAHS_RECORD_DONE;
    return 0;
}
