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
     "  --arch-weights F   CSV param,choice,weight for arch and joint priors\n"
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
    {"analyze", "importance", "hyperparameter importance (LPI) of a run directory",
     "usage: jahs analyze importance RUNDIR [--rows SUBSTR] [--seed-pool all|K]\n"
     "              [--method lpi|fanova-lite] [--fidelity max|E] [--out DIR]\n"
     "              [--trees N] [--seed S] [--grid N] [--feature-ratio R]\n"
     "              [--exclude-incumbent] [--samples N]\n"
     "\n"
     "Fit a random forest (DeepCAVE's settings) on each row's evaluations at\n"
     "one fidelity (configuration -> mean validation accuracy over folds) and\n"
     "compute Local Parameter Importance (Biedenkapp et al. 2018, as DeepCAVE\n"
     "computes it): around the incumbent, vary one parameter at a time (every\n"
     "choice; a grid over a numeric's range) and report its share of the\n"
     "variance of the predictions, mean over trees +- std.  Writes\n"
     "importance.csv, importance.md and, with gnuplot, one bar chart per row\n"
     "(importance_<row>.svg/.png).  See REPRODUCE.md, \"Hyperparameter\n"
     "importance\".\n"
     "\n"
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
     "\n"
     "example: jahs analyze importance results/table1 --rows top-10\n",
     jahs_cmd_analyze_importance},
    {"export", "deepcave", "write a run directory as DeepCAVE runs",
     "usage: jahs export deepcave RUNDIR OUT [--rows SUBSTR] [--configspace-legacy]\n"
     "\n"
     "Write one DeepCAVE run (its own format: configspace.json, configs.json,\n"
     "history.jsonl, meta.json, origins.json) per (row, seed) journal of\n"
     "RUNDIR, as OUT/<row slug>/seed<k>/.  Objectives: accuracy (mean\n"
     "validation accuracy, maximised, 0..100) and cost (seconds charged,\n"
     "minimised); budgets are epochs.  Open them with 'deepcave --open' and\n"
     "group the seeds of a row there.  Targets DeepCAVE 1.4 (trials with a\n"
     "seed field) and ConfigSpace 1.x; --configspace-legacy writes\n"
     "configspace.json in the ConfigSpace < 1.0 format instead.\n"
     "\n"
     "example: jahs export deepcave results/table1 dc --rows top-10\n",
     jahs_cmd_export_deepcave},
    {"space", "export", "write a space (and a prior) as ConfigSpace JSON",
     "usage: jahs space export NAME --format configspace|configspace-legacy\n"
     "                        [--prior none|hp|arch|joint]\n"
     "                        [--confidence low|medium|high]\n"
     "                        [--arch-weights FILE] [--out FILE]\n"
     "\n"
     "Write the space as ConfigSpace JSON (configspace: the format of\n"
     "ConfigSpace 1.x's to_json; configspace-legacy: ConfigSpace < 1.0's\n"
     "read_and_write/json.py, which NEPS v0.11 read) to stdout or FILE\n"
     "(atomically).  Types uniform_float / uniform_int (with log) and\n"
     "categorical; seqcnn's channels_k get GT conditions on n_layers.  The\n"
     "prior goes in as NEPS reads it: each default is the prior's centre\n"
     "(numerics) or most probable choice (categoricals); categorical weight\n"
     "tables also go in as ConfigSpace weights, and (1.x format) each\n"
     "parameter's meta records its group, prior kind and confidence.\n"
     "\n"
     "  --prior P          none (the space's defaults; default), hp, arch, joint\n"
     "  --confidence C     confidence of the HP prior (default medium)\n"
     "  --arch-weights F   CSV param,choice,weight for arch and joint priors\n"
     "  --out FILE         write to FILE instead of stdout\n"
     "\n"
     "example: jahs space export nb201 --format configspace --prior hp\n",
     jahs_cmd_space_export},
    {"version", NULL, "print the version",
     "usage: jahs version\n", jahs_cmd_version},
    {NULL, NULL, NULL, NULL, NULL}};
