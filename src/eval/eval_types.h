/*
 * eval_types.h - the registered evaluator types, one per file in src/eval/.
 * X(symbol): add a line here and a file that defines the symbol.
 */
#ifndef JAHS_EVAL_EVAL_TYPES_H
#define JAHS_EVAL_EVAL_TYPES_H

#include "eval/eval.h"

#define JAHS_EVAL_TYPES(X) \
    X(jahs_eval_synthetic) \
    X(jahs_eval_tabular) \
    X(jahs_eval_live) \
    X(jahs_eval_table) \
    X(jahs_eval_command)

#define JAHS_X_DECL(sym) extern const jahs_eval_type sym;
JAHS_EVAL_TYPES(JAHS_X_DECL)
#undef JAHS_X_DECL

#endif
