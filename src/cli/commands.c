/*
 * commands.c - the one table of `jahs` subcommands.  Add a row here and the
 * function in the group's cmd_<group>.c file.
 */
#include <stddef.h>

#include "cli/cli.h"

const jahs_cli_command jahs_cli_commands[] = {
    {"space", "show", "print a search space: parameters, ranges, defaults",
     "usage: jahs space show NAME\n"
     "\n"
     "Print the parameters of a built-in space (nb201, cell64, top10, seqcnn):\n"
     "kind, range or choices, the default (the HP expert prior's centre:\n"
     "NB201's training recipe), the prior group (arch or hp) and conditions.\n"
     "\n"
     "example: jahs space show nb201\n",
     jahs_cmd_space_show},
    {"space", "sample", "sample configs from a space, uniformly or from a prior",
     "usage: jahs space sample NAME [--prior none|hp|arch|joint]\n"
     "                        [--confidence low|medium|high] [--n N] [--seed S]\n"
     "                        [--arch-weights FILE]\n"
     "\n"
     "Write N configs as CSV to stdout: id, one column per parameter (empty\n"
     "when inactive) and log_prior, the log density under the prior used\n"
     "(unit space; see REPRODUCE.md).\n"
     "\n"
     "  --prior P          none (uniform, default), hp (NB201 recipe at the\n"
     "                     given confidence), arch (per-edge op weights),\n"
     "                     joint (both)\n"
     "  --confidence C     confidence of the HP prior: low, medium (default),\n"
     "                     high (sigma 0.5 / 0.25 / 0.125 of the range;\n"
     "                     categorical weight 2 / 4 / 6 on the default)\n"
     "  --arch-weights F   CSV param,choice,weight for arch and joint priors;\n"
     "                     without it they are computed from the NB201 table\n"
     "                     (per-edge op frequencies of the top cells)\n"
     "  --table PATH       the NB201 table (default $JAHS_TABLE or\n"
     "                     tables/nb201_cifar100.h5; 'make tables')\n"
     "  --top K            cells the table's arch prior counts (default 100)\n"
     "  --n N              number of configs (default 10)\n"
     "  --seed S           seed (default 0)\n"
     "\n"
     "example: jahs space sample nb201 --prior hp --n 5 --seed 1\n",
     jahs_cmd_space_sample},
    {"opt", "rungs", "print the rung table of successive halving",
     "usage: jahs opt rungs [--min E] [--max E] [--eta X] [--style neps|synetune]\n"
     "\n"
     "Print the rung levels (epochs) for a fidelity range.  NEPS anchors the\n"
     "rungs at the maximum and truncates to integers (1..20, eta 3: 2 6 20);\n"
     "Syne Tune anchors at the minimum (1 3 9 20).  Without --style both are\n"
     "printed.  Defaults: --min 1 --max 20 --eta 3.\n",
     jahs_cmd_opt_rungs},
    {"opt", "brackets", "print Hyperband's brackets (configs per rung)",
     "usage: jahs opt brackets [--min E] [--max E] [--eta X]\n"
     "                         [--style neps|synetune]\n"
     "\n"
     "Print the Hyperband brackets over the rung table: bracket s starts at\n"
     "rung s with floor((S+1)/(S-s+1)) * eta^(S-s) configs (S = rungs - 1;\n"
     "NEPS v0.11 and HpBandSter sizes) and keeps floor(n / eta) at each next\n"
     "rung.  Brackets run in the order 0, 1, ..., S and cycle.  Defaults:\n"
     "--min 1 --max 20 --eta 3 --style neps.\n"
     "\n"
     "example: jahs opt brackets --max 200\n",
     jahs_cmd_opt_brackets},
    {"opt", "list", "list the optimizers",
     "usage: jahs opt list\n"
     "\n"
     "Print each optimizer's name and the convention it follows.\n",
     jahs_cmd_opt_list},
    {"data", "info", "describe a dataset: sizes, shape, classes, mean / std",
     "usage: jahs data info SPEC [--split train|test|both]\n"
     "\n"
     "Load a dataset and print its splits (images, h x w x c, classes and\n"
     "images per class) and the per-channel mean and standard deviation of\n"
     "the training split (0..1 scale; both splits are normalised with them).\n"
     "\n"
     "SPEC: fashion-mnist (Debian's dataset-fashion-mnist, in\n"
     "      /usr/share/datasets/fashion-mnist), fashion-mnist:DIR, mnist:DIR,\n"
     "      cifar10:PATH, cifar100:PATH (a directory of the binary version's\n"
     "      .bin files, or cifar-10-binary.tar.gz / cifar-100-binary.tar.gz\n"
     "      read directly), h5:FILE or FILE.h5 (the project's image format)\n"
     "\n"
     "  --split S   train, test or both (default both)\n"
     "\n"
     "example: jahs data info fashion-mnist\n",
     jahs_cmd_data_info},
    {"data", "convert", "convert a dataset to the project's HDF5 image format",
     "usage: jahs data convert --from SPEC --out FILE.h5 [--train-only]\n"
     "\n"
     "Read both splits of SPEC (see 'jahs data info --help') and write them\n"
     "to FILE.h5 atomically: train/images and test/images (uint8,\n"
     "N x H x W x C), train/labels and test/labels (uint8, N), attributes\n"
     "name, n_classes, mean and std (training split).\n"
     "\n"
     "  --from SPEC     the dataset to read\n"
     "  --out FILE      the HDF5 file to write (parent directories created)\n"
     "  --train-only    write the training split only\n"
     "\n"
     "example: jahs data convert --from cifar10:cifar-10-binary.tar.gz "
     "--out c10.h5\n",
     jahs_cmd_data_convert},
    {"table", "build", "build the NAS-Bench-201 CIFAR-100 table (HDF5) from CSV",
     "usage: jahs table build --from CSV [--out PATH]\n"
     "Convert the NB201 CIFAR-100 results (../shared/data/nb201/\n"
     "nb201_cifar100.csv.gz, plain or gzip) into the HDF5 table the tabular\n"
     "evaluator reads.  Every row is validated (columns, 15,625 distinct cells,\n"
     "ops codes vs arch strings, ranges, test = 2 oritest - valid); the first\n"
     "problem stops the build with file:line, and no partial file is left.\n"
     "The file also records its sources and the response model's constants.\n"
     "  --from CSV    the NB201 CSV (required)\n"
     "  --out PATH    the .h5 to write (default $JAHS_TABLE or\n"
     "                tables/nb201_cifar100.h5)\n"
     "example: jahs table build --from ../shared/data/nb201/nb201_cifar100.csv.gz "
     "--out tables/nb201_cifar100.h5\n",
     jahs_cmd_table_build},
    {"table", "query", "look up one config on the tabular benchmark (CSV line)",
     "usage: jahs table query --space S --epochs E [--config 'k=v,...']\n"
     "                        [--fold F] [--seed S] [--resume-from R]\n"
     "                        [--hardware-factor X] [--table PATH]\n"
     "Print one CSV line (with header): space, arch_index, ops_code, epochs,\n"
     "fold, seed, val_acc, test_acc (percent), cost_s (simulated seconds for\n"
     "this fold), measured (1: NB201's own number: the recipe at 12 or 200\n"
     "epochs), diverged (1: lr past the divergence cliff, chance accuracy).\n"
     "Parameters not named take the space's defaults (NB201's recipe); the\n"
     "edges of nb201 / cell64 and top10's arch have no default.\n"
     "  --space S              nb201, cell64 or top10 (seqcnn needs the live\n"
     "                         evaluator)\n"
     "  --config 'k=v,...'     e.g. 'edge_1_0=nor_conv_3x3,...,lr=0.05'\n"
     "  --epochs E             1..200\n"
     "  --fold F               0 (NB201 seed 777, default) or 1 (seed 888)\n"
     "  --seed S               run seed for the model's seed noise (default 0)\n"
     "  --resume-from R        epochs already trained: cost counts E - R\n"
     "  --hardware-factor X    seconds x X (default 1: NB201's GPU; 2.5 for\n"
     "                         the poster's GTX 1060, tables/README.md)\n"
     "  --table PATH           default $JAHS_TABLE or tables/nb201_cifar100.h5\n"
     "example: jahs table query --space top10 --config arch=rank01 --epochs 200\n",
     jahs_cmd_table_query},
    {"table", "stats", "summary of the NB201 table: best cell, quantiles, top 10",
     "usage: jahs table stats [--table PATH]\n"
     "Print the best cell, mean / min / quantiles / max of the accuracy, time\n"
     "and parameter columns, the seed spread, Spearman(12-epoch, 200-epoch)\n"
     "and the ten cells the top10 space's rank01..rank10 stand for.\n",
     jahs_cmd_table_stats},
    {"prior", "arch", "the architecture prior: per-edge op frequencies of the top-k cells",
     "usage: jahs prior arch [--top K] [--pseudo-count X] [--space S]\n"
     "                       [--out FILE] [--table PATH]\n"
     "Count how often each operation sits on each edge among the K best NB201\n"
     "cells on CIFAR-100 (mean 200-epoch validation accuracy), add the\n"
     "pseudo-count, normalise per edge, and write CSV param,choice,weight\n"
     "(what --arch-weights and experiment files read).\n"
     "  --top K            cells counted (default 100, the poster's)\n"
     "  --pseudo-count X   added to every count (default 1, Laplace's rule:\n"
     "                     an op absent from the top cells keeps 1/(K+5))\n"
     "  --space S          nb201 (default) or cell64 (same edge names)\n"
     "  --out FILE         write atomically to FILE (default stdout)\n"
     "  --table PATH       default $JAHS_TABLE or tables/nb201_cifar100.h5\n"
     "example: jahs prior arch --top 100 --out results/arch_prior.csv\n",
     jahs_cmd_prior_arch},
    {"run", NULL, "run an experiment file: every (row, seed), then the report",
     "usage: jahs run FILE [--jobs N] [--out DIR] [--rows SUBSTR] [--live]\n"
     "                [--set KEY=VALUE]... [--fresh] [--no-report] [--quiet]\n"
     "       jahs run --keys\n"
     "\n"
     "Run every (row, seed) of the experiment file as an independent unit on\n"
     "the scheduler, journaled to DIR/runs/<row>/seed<k>.csv (one row per\n"
     "finished trial, flushed as it ends), then write the report (table.md,\n"
     "table.csv, curves.csv, speedup.csv, summary.csv, claims.md, plots).\n"
     "Killed runs resume where they stopped when the same command is run\n"
     "again, and finish with the same output.  The output is byte-identical\n"
     "whatever --jobs is.\n"
     "\n"
     "  --jobs N         units in parallel processes (default: all cores)\n"
     "  --out DIR        results directory (default results/<name>)\n"
     "  --rows SUBSTR    only rows whose label contains SUBSTR\n"
     "  --live           also run rows with evaluator = live (real training)\n"
     "  --set KEY=VALUE  override a key for every row (repeatable)\n"
     "  --fresh          discard earlier results of the selected rows first\n"
     "                   (results made with other settings are refused)\n"
     "  --no-report      journals only\n"
     "  --keys           list every experiment-file key with its default\n"
     "\n"
     "Under MPI (a jahs built with MPI, started by mpirun or srun) rank 0\n"
     "hands the units to the ranks as they ask for work (--jobs is not used),\n"
     "rows on the wall clock with workers = W > 1 train on W ranks while rank\n"
     "0 runs the optimizer, and rank 0 writes the report; the output is the\n"
     "same as a single-process run.  README: Running on a cluster.\n"
     "\n"
     "example: jahs run experiments/table1.exp --jobs 2\n"
     "         mpirun -np 4 jahs run experiments/table1.exp\n",
     jahs_cmd_run},
    {"report", NULL, "rebuild the report of a results directory",
     "usage: jahs report DIR\n"
     "\n"
     "Recompute table.md / table.csv, curves.csv, speedup.csv, summary.csv,\n"
     "ablation.csv, claims.md and the plots of DIR from its journals and the\n"
     "experiment.exp (and overrides.txt) that 'jahs run' saved there.\n"
     "\n"
     "example: jahs report results/table1\n",
     jahs_cmd_report},
    {"sweep", NULL, "a grid over experiment keys into one tidy CSV",
     "usage: jahs sweep FILE --set KEY=V1,V2,... [--set KEY2=...]... [--jobs N]\n"
     "                  [--out DIR] [--csv FILE] [--rows SUBSTR] [--quiet]\n"
     "\n"
     "Run the experiment once per point of the grid (every combination of the\n"
     "--set values; a list-valued key such as seeds takes one element per\n"
     "point) into DIR/<point>/, and write one tidy CSV (default\n"
     "DIR/sweep.csv): the swept keys, method, seed, hours, and the incumbent's\n"
     "test and validation accuracy of that run at each report time.  The\n"
     "units of all points share the --jobs processes (or, under mpirun, the\n"
     "MPI ranks), so the load balances over the whole grid.\n"
     "\n"
     "example: jahs sweep experiments/ablation.exp --rows 'Priors 0.8' \\\n"
     "           --set prior_fraction=0,0.5,1 --set confidence=low,high\n",
     jahs_cmd_sweep},
    {"analyze", "importance", "hyperparameter importance (LPI) of a run directory",
     "usage: jahs analyze importance RUNDIR [--rows SUBSTR] [--seed-pool all|K]\n"
     "              [--method lpi|fanova-lite] [--fidelity max|E] [--out DIR]\n"
     "              [--trees N] [--seed S] [--grid N] [--feature-ratio R]\n"
     "              [--exclude-incumbent] [--samples N]\n"
     "Fit a random forest (DeepCAVE's settings) on each row's evaluations at\n"
     "one fidelity (configuration -> mean validation accuracy over folds) and\n"
     "compute Local Parameter Importance (Biedenkapp et al. 2018, as DeepCAVE\n"
     "computes it): around the incumbent, vary one parameter at a time (every\n"
     "choice; a grid over a numeric's range) and report its share of the\n"
     "variance of the predictions, mean over trees +- std.  Writes\n"
     "importance.csv, importance.md and, with gnuplot, one bar chart per row\n"
     "(importance_<row>.svg/.png).  See REPRODUCE.md, \"Hyperparameter\n"
     "importance\".\n"
     "  --rows SUBSTR        rows whose label or slug contains SUBSTR\n"
     "  --seed-pool all|K    pool every seed of a row (default) or seed K only\n"
     "  --method M           lpi (default) or fanova-lite (an approximation:\n"
     "                       Monte-Carlo first-order fANOVA indices)\n"
     "  --fidelity max|E     epochs of the evaluations used (default: the\n"
     "                       highest present per row)\n"
     "  --out DIR            output directory (default RUNDIR/importance)\n"
     "  --trees N            trees in the forest (default 10)\n"
     "  --seed S             forest seed (default 0)\n"
     "  --grid N             values per numeric parameter (default 500)\n"
     "  --feature-ratio R    features tried per split (default 1.0;\n"
     "                       SMAC's forest uses 0.833)\n"
     "  --exclude-incumbent  DeepCAVE 1.x's variance: the incumbent's own value\n"
     "                       left out (a two-choice categorical then scores 0)\n"
     "  --samples N          fanova-lite: Monte-Carlo configurations (500)\n"
     "example: jahs analyze importance results/table1 --rows top-10\n",
     jahs_cmd_analyze_importance},
    {"export", "deepcave", "write a run directory as DeepCAVE runs",
     "usage: jahs export deepcave RUNDIR OUT [--rows SUBSTR] [--configspace-legacy]\n"
     "Write one DeepCAVE run (its own format: configspace.json, configs.json,\n"
     "history.jsonl, meta.json, origins.json) per (row, seed) journal of\n"
     "RUNDIR, as OUT/<row slug>/seed<k>/.  Objectives: accuracy (mean\n"
     "validation accuracy, maximised, 0..100) and cost (seconds charged,\n"
     "minimised); budgets are epochs.  Open them with 'deepcave --open' and\n"
     "group the seeds of a row there.  Targets DeepCAVE 1.4 (trials with a\n"
     "seed field) and ConfigSpace 1.x; --configspace-legacy writes\n"
     "configspace.json in the ConfigSpace < 1.0 format instead.\n"
     "example: jahs export deepcave results/table1 dc --rows top-10\n",
     jahs_cmd_export_deepcave},
    {"space", "export", "write a space (and a prior) as ConfigSpace JSON",
     "usage: jahs space export NAME --format configspace|configspace-legacy\n"
     "                        [--prior none|hp|arch|joint]\n"
     "                        [--confidence low|medium|high]\n"
     "                        [--arch-weights FILE] [--out FILE]\n"
     "Write the space as ConfigSpace JSON (configspace: the format of\n"
     "ConfigSpace 1.x's to_json; configspace-legacy: ConfigSpace < 1.0's\n"
     "read_and_write/json.py, which NEPS v0.11 read) to stdout or FILE\n"
     "(atomically).  Types uniform_float / uniform_int (with log) and\n"
     "categorical; seqcnn's channels_k get GT conditions on n_layers.  The\n"
     "prior goes in as NEPS reads it: each default is the prior's centre\n"
     "(numerics) or most probable choice (categoricals); categorical weight\n"
     "tables also go in as ConfigSpace weights, and (1.x format) each\n"
     "parameter's meta records its group, prior kind and confidence.\n"
     "  --prior P          none (the space's defaults; default), hp, arch, joint\n"
     "  --confidence C     confidence of the HP prior (default medium)\n"
     "  --arch-weights F   CSV param,choice,weight for arch and joint priors\n"
     "  --out FILE         write to FILE instead of stdout\n"
     "example: jahs space export nb201 --format configspace --prior hp\n",
     jahs_cmd_space_export},
    {"train", NULL, "train one config on a dataset (CPU or GPU trainer)",
     "usage: jahs train --space S [--config 'k=v,...'] [--epochs E]\n"
     "                  [--data SPEC] [--subset N] [--fold F | --no-cv]\n"
     "                  [--seed S] [--threads T] [--device cpu|gpu|gpu:N]\n"
     "                  [--precision fp32|bf16] [--horizon H] [--cell CELL]\n"
     "                  [--table FILE] [--checkpoint FILE]\n"
     "\n"
     "Train one configuration of a space (nb201, cell64, top10, seqcnn) with\n"
     "NB201's recipe and the config's hyperparameters (SGD Nesterov 0.9,\n"
     "cosine learning rate per epoch, crop + flip, TrivialAugment when on),\n"
     "printing per epoch the learning rate, training loss and accuracy, the\n"
     "validation accuracy and images per second (a progress bar on a\n"
     "terminal), then the test accuracy.  Parameters not named take the\n"
     "space's defaults (NB201's recipe for the HPs).\n"
     "  --epochs E         epochs to train (default 1)\n"
     "  --data SPEC        fashion-mnist (default), fashion-mnist:DIR,\n"
     "                     cifar10:PATH, cifar100:PATH, h5:PATH\n"
     "  --subset N         the first N training images (and test images)\n"
     "  --fold F           two-fold CV: train on the other half of the\n"
     "                     training split, validate on fold F (0 or 1;\n"
     "                     default 0); the split is stratified, from --seed\n"
     "  --no-cv            train on the whole training split, no validation\n"
     "  --seed S           run seed (default 0): splits, weights, order,\n"
     "                     augmentation, dropout; fold F of seed S is the\n"
     "                     live evaluator's trial 0 of that fold\n"
     "  --threads T        CPU threads (default: all cores); results do not\n"
     "                     depend on it\n"
     "  --device D         cpu (default), gpu or gpu:N (CUDA device N):\n"
     "                     the GPU backend (cuDNN, CUDA graphs), when this\n"
     "                     jahs was built with nvcc and cuDNN and a GPU is\n"
     "                     present; otherwise an error says why\n"
     "  --precision P      GPU arithmetic: fp32 (default; matches the CPU to\n"
     "                     rounding) or bf16 (bf16 NHWC activations, fp32\n"
     "                     master weights; faster)\n"
     "  --horizon H        epochs the cosine schedule spans (default E; the\n"
     "                     live evaluator uses 20, the maximum fidelity)\n"
     "  --cell CELL        NB201 cell for the cell spaces, as a 6-digit ops\n"
     "                     code (333133) or an arch string; overrides the\n"
     "                     config's edges (top10: instead of the table)\n"
     "  --table FILE       NB201 table for top10's ranks (default\n"
     "                     $JAHS_TABLE or tables/nb201_cifar100.h5)\n"
     "  --checkpoint FILE  continue from FILE when it exists, and write it\n"
     "                     after every epoch (atomically)\n"
     "On virtual machines whose CPU OpenBLAS does not recognise, set\n"
     "OPENBLAS_CORETYPE=SkylakeX (or Haswell): 2-3x faster.\n"
     "example: jahs train --space nb201 --cell 333133 --epochs 2 --subset 2000\n",
     jahs_cmd_train},
    {"version", NULL, "print the version",
     "usage: jahs version\n", jahs_cmd_version},
    {NULL, NULL, NULL, NULL, NULL}};
