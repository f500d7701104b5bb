/*
 * eval.c - the evaluator registry and instance wrapper.
 */
#include "eval/eval.h"

#include <stdlib.h>
#include <string.h>

#include "eval/eval_types.h"

static const jahs_eval_type *const types[] = {
#define JAHS_X_EVAL(sym) &sym,
    JAHS_EVAL_TYPES(JAHS_X_EVAL)
#undef JAHS_X_EVAL
    NULL};

struct jahs_eval {
    const jahs_eval_type *type;
    void *state;
};

void jahs_eval_options_defaults(jahs_eval_options *o)
{
    memset(o, 0, sizeof *o);
    o->hardware_factor = 1.0;
    o->train_fraction = 1.0;
    o->resume = 1;
    o->data = "fashion-mnist";
    o->device = "cpu";
    o->workdir = NULL;
}

const jahs_eval_type *const *jahs_eval_types(void) { return types; }

int jahs_eval_reads(const jahs_eval_type *t, const char *key)
{
    const char *p = t && t->decl ? t->decl->keys : NULL;
    size_t n = strlen(key);
    while (p && *p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, key, n) == 0)
            return 1;
        p = end ? end + 1 : NULL;
    }
    return 0;
}

const jahs_eval_type *jahs_eval_find(const char *name)
{
    size_t i;
    for (i = 0; types[i]; i++)
        if (strcmp(types[i]->name, name) == 0)
            return types[i];
    return NULL;
}

jahs_eval *jahs_eval_open(const jahs_eval_type *type,
                          const jahs_eval_options *opts, jahs_error *err)
{
    jahs_eval *e;
    if (!type) {
        JAHS_FAIL(err, JAHS_EINVAL, "no evaluator type");
        return NULL;
    }
    e = calloc(1, sizeof *e);
    if (!e) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    e->type = type;
    e->state = type->open(opts, err);
    if (!e->state) {
        free(e);
        return NULL;
    }
    return e;
}

int jahs_eval_run(jahs_eval *e, const jahs_eval_request *req,
                  jahs_eval_result *out, jahs_error *err)
{
    /* every evaluator's requests: a resumed config never has more epochs
     * than it is asked to reach (issue 15, class 3) */
    if (req->epochs < 1 || req->resume_from < 0 ||
        req->resume_from > req->epochs)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "bad request: %d epochs resumed from %d (expected "
                         "epochs >= 1 and 0 <= resume_from <= epochs)",
                         req->epochs, req->resume_from);
    return e->type->eval(e->state, req, out, err);
}

int jahs_eval_concurrent(const jahs_eval *e)
{
    return e && e->type->decl && e->type->decl->concurrent;
}

void jahs_eval_close(jahs_eval *e)
{
    if (!e)
        return;
    e->type->close(e->state);
    free(e);
}
