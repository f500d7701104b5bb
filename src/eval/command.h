/*
 * command.h - any program as the objective: the "command" evaluator
 * (`evaluator = command`, `command = python3 train.py --lr {lr} ...`).
 *
 * The command is split into arguments at blanks ('...' and "..." quote an
 * argument with blanks; no other shell syntax: no variables, globs, pipes or
 * redirections).  In each argument {name} is replaced by:
 *
 *   {<parameter>}      the config's value of that parameter of the row's
 *                      space (a choice name, or a number at round-trip
 *                      precision; "" when inactive)
 *   {config}           name=value,... of the active parameters
 *   {epochs}           the fidelity to train to
 *   {resume_from}      epochs this trial's checkpoint already holds (0: none)
 *   {fold}, {seed}     cross-validation fold, the run's seed
 *   {trial}            the config's id within the run
 *   {checkpoint_dir}   a directory for this config and fold (created before
 *                      the start): a promoted trial gets the same one, so it
 *                      can continue from what it saved there (with resume =
 *                      restart every request gets a fresh one)
 *
 * and {{ / }} by a literal brace.  Any other {name} is an error when the
 * experiment file is read.  The program is started with posix_spawnp (PATH
 * lookup, no shell), stdin /dev/null, stdout and stderr on pipes and no
 * other descriptor of jahs's (glibc 2.34+; before it, jahs's pipes are
 * close-on-exec but other files are inherited), in jahs's working
 * directory, with
 * jahs's environment -- less, when jahs runs in an MPI job (mpirun / srun:
 * OMPI_COMM_WORLD_SIZE, PMIX_RANK, PMI_SIZE or PMI_RANK set), the
 * launcher's variables (OMPI_*, OPAL_*, ORTE_*, PMIX_*, PMI_*, HYDRA_*,
 * MPI_LOCAL*; OMPI_ALLOW_RUN_AS_ROOT* stay), so that a program that uses
 * MPI itself starts as a job of its own instead of failing in MPI_Init as
 * a rank of jahs's job (CUDA_VISIBLE_DEVICES, which jahs sets per rank,
 * stays; `env OMPI_MCA_x=y prog ...` gives the program MCA parameters).  Its last
 * non-blank stdout line must be one JSON object: "val" and "test" (accuracy,
 * percent, numbers) and optionally "cost" (seconds; default: the wall
 * seconds the program ran).  The run's clock adds these costs (simulated
 * clock with W workers, as the tabular evaluator's), so a script that
 * reports its own cost gives byte-identical runs; the evaluator is
 * concurrent (eval.h), so the W workers' programs run at once.
 *
 * Failure (exit status not 0, a signal, past command_timeout seconds, no
 * JSON object or no numeric val / test on the last line, cannot start) is
 * not an error of the run: the trial gets val = test = 0 (the worst
 * accuracy) and cost = its wall seconds, and one row goes to
 * <workdir>/seed<S>/failures.csv: trial, fold, epochs, resume_from, status
 * ("exit 3", "signal 11 (Segmentation fault)", "timeout after 5 s", ...),
 * seconds, and the last 2,000 bytes of its stderr.
 */
#ifndef JAHS_EVAL_COMMAND_H
#define JAHS_EVAL_COMMAND_H

#include <stddef.h>

#include "eval/eval.h"

/*
 * Split cmd into arguments and check every placeholder against sp (NULL:
 * only the fixed names).  0, or -1 with what is wrong in msg.
 */
int jahs_command_check(const char *cmd, const jahs_space *sp, char *msg,
                       size_t size);

#endif
