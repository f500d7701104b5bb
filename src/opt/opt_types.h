/*
 * opt_types.h - the registered optimizer types, one per file in src/opt/.
 * X(symbol): add a line here and a file that defines the symbol.
 */
#ifndef JAHS_OPT_OPT_TYPES_H
#define JAHS_OPT_OPT_TYPES_H

#include "opt/opt.h"

#define JAHS_OPT_TYPES(X) X(jahs_opt_random) X(jahs_opt_asha) \
    X(jahs_opt_hyperband) X(jahs_opt_priorband) \
    X(jahs_opt_mobster) X(jahs_opt_mobster_neps) X(jahs_opt_schedule_bo) \
    X(jahs_opt_priorband_bo)

#define JAHS_X_DECL(sym) extern const jahs_opt_type sym;
JAHS_OPT_TYPES(JAHS_X_DECL)
#undef JAHS_X_DECL

#endif
