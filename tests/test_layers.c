/*
 * test_layers.c - the include rules of src/ (README.md, "Layout"), checked
 * on the source tree itself: every `#include "folder/file.h"` of a file in
 * src/FOLDER/ names its own folder or one the table below allows, so an
 * include that runs back up a layer fails the suite (and CI).  Also: every
 * folder of src/ has a rule; an include without a folder names a file of
 * the same folder, except kernels/kernels.h, which only src/gpu/ includes;
 * kernels/ includes nothing from src/.  System headers (<...>) are not
 * checked.
 *
 * The checker is run twice: on the repository (tests run from its root;
 * no violations) and on a tree written here with one of each violation.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/util.h"
#include "harness.h"

#define MAX_MAY 12

/* Folder -> the folders it may include besides itself, lowest first.  The
 * same table as README.md's "Layout"; change both together. */
static const struct rule {
    const char *dir;
    const char *may[MAX_MAY];
} rules[] = {
    {"core", {NULL}},
    {"space", {"core", NULL}},
    {"data", {"core", NULL}},
    {"nn", {"core", "space", NULL}},
    {"gpu", {"core", "space", "data", "nn", NULL}},
    {"train", {"core", "space", "data", "nn", "gpu", NULL}},
    {"opt", {"core", "space", NULL}},
    {"eval", {"core", "space", "data", "nn", "gpu", "train", NULL}},
    /* exp/ and analysis/ never see the trainer: evaluators declare what
     * experiment files need of them (eval/eval.h, jahs_eval_decl) */
    {"exp", {"core", "space", "opt", "eval", NULL}},
    {"analysis", {"core", "space", "opt", "eval", "exp", NULL}},
    {"cli",
     {"core", "space", "data", "nn", "gpu", "train", "opt", "eval", "exp",
      "analysis", NULL}},
};

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static const struct rule *rule_of(const char *dir)
{
    size_t i;
    for (i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (strcmp(rules[i].dir, dir) == 0)
            return &rules[i];
    return NULL;
}

static int allowed(const struct rule *r, const char *dir)
{
    int i;
    if (strcmp(r->dir, dir) == 0)
        return 1;
    for (i = 0; i < MAX_MAY && r->may[i]; i++)
        if (strcmp(r->may[i], dir) == 0)
            return 1;
    return 0;
}

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

static int is_source(const char *name)
{
    return has_suffix(name, ".c") || has_suffix(name, ".h") ||
           has_suffix(name, ".cu") || has_suffix(name, ".cuh");
}

/* The quoted name of an #include directive on line p (to its end), or 0. */
static int include_name(const char *p, const char *end, char *out, size_t cap)
{
    const char *q;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p == end || *p++ != '#')
        return 0;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if ((size_t)(end - p) < 8 || strncmp(p, "include", 7) != 0)
        return 0;
    p += 7;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p == end || *p++ != '"')
        return 0;
    for (q = p; q < end && *q != '"'; q++)
        ;
    if (q == end || (size_t)(q - p) >= cap)
        return 0;
    memcpy(out, p, (size_t)(q - p));
    out[q - p] = '\0';
    return 1;
}

/*
 * Check one file, path = root/top/dir/name (dir NULL for kernels/):
 * append one line per violation to report; returns how many.
 */
static int check_file(const char *root, const char *top, const char *dir,
                      const char *name, const struct rule *r, jahs_buf *report)
{
    char path[4096], inc[256];
    char *text = NULL, *p, *nl, *slash;
    size_t len = 0;
    int line = 0, bad = 0;
    jahs_error err = {0};
    if (dir)
        snprintf(path, sizeof path, "%s/%s/%s/%s", root, top, dir, name);
    else
        snprintf(path, sizeof path, "%s/%s/%s", root, top, name);
    if (jahs_read_file(path, &text, &len, &err)) {
        jahs_buf_printf(report, "%s\n", err.msg);
        return 1;
    }
    for (p = text; p < text + len; p = nl + 1) {
        if (!(nl = memchr(p, '\n', (size_t)(text + len - p))))
            nl = text + len;
        line++;
        if (!include_name(p, nl, inc, sizeof inc))
            continue;
        slash = strchr(inc, '/');
        if (!dir) { /* kernels/ */
            if (slash) {
                jahs_buf_printf(report,
                                "%s/%s:%d: kernels/ may not include \"%s\" "
                                "(kernels/ includes nothing from src/)\n",
                                top, name, line, inc);
                bad++;
            }
            continue;
        }
        if (!slash) {
            char own[4096];
            int kernels = strcmp(inc, "kernels.h") == 0;
            snprintf(own, sizeof own, "%s/%s/%s/%s", root, top, dir, inc);
            if (kernels ? strcmp(dir, "gpu") == 0 : jahs_path_exists(own))
                continue;
            jahs_buf_printf(report,
                            "%s/%s/%s:%d: \"%s\" is not a file of %s/%s "
                            "(name the folder: \"folder/%s\"%s)\n",
                            top, dir, name, line, inc, top, dir, inc,
                            kernels ? "; only src/gpu/ includes kernels.h"
                                    : "");
            bad++;
            continue;
        }
        *slash = '\0';
        if (!allowed(r, inc)) {
            int i;
            jahs_buf_printf(report,
                            "%s/%s/%s:%d: %s/ may not include \"%s/%s\" "
                            "(%s/ may include:",
                            top, dir, name, line, dir, inc, slash + 1, dir);
            for (i = 0; i < MAX_MAY && r->may[i]; i++)
                jahs_buf_printf(report, " %s/", r->may[i]);
            jahs_buf_puts(report, i ? ")\n" : " nothing)\n");
            bad++;
        }
    }
    free(text);
    return bad;
}

/* The sources of root/top[/dir] in name order; returns violations. */
static int check_dir(const char *root, const char *top, const char *dir,
                     const struct rule *r, jahs_buf *report)
{
    char path[4096];
    struct dirent **names = NULL;
    int n, i, bad = 0;
    if (dir)
        snprintf(path, sizeof path, "%s/%s/%s", root, top, dir);
    else
        snprintf(path, sizeof path, "%s/%s", root, top);
    if ((n = scandir(path, &names, NULL, alphasort)) < 0) {
        jahs_buf_printf(report, "cannot list '%s'\n", path);
        return 1;
    }
    for (i = 0; i < n; i++) {
        if (is_source(names[i]->d_name))
            bad += check_file(root, top, dir, names[i]->d_name, r, report);
        free(names[i]);
    }
    free(names);
    return bad;
}

/* Every folder of root/src (with a rule each) and root/kernels. */
static int check_tree(const char *root, jahs_buf *report)
{
    char path[4096];
    struct dirent **names = NULL;
    int n, i, bad = 0;
    snprintf(path, sizeof path, "%s/src", root);
    if ((n = scandir(path, &names, NULL, alphasort)) < 0) {
        jahs_buf_printf(report, "cannot list '%s' (tests run from the "
                                "repository root)\n", path);
        return 1;
    }
    for (i = 0; i < n; i++) {
        const char *d = names[i]->d_name;
        char sub[sizeof path + 260];
        snprintf(sub, sizeof sub, "%s/%s", path, d);
        if (d[0] != '.' && is_dir(sub)) {
            const struct rule *r = rule_of(d);
            if (!r) {
                jahs_buf_printf(report,
                                "src/%s/ has no include rule (add it to "
                                "tests/test_layers.c and README.md, "
                                "\"Layout\")\n",
                                d);
                bad++;
            } else {
                bad += check_dir(root, "src", d, r, report);
            }
        }
        free(names[i]);
    }
    free(names);
    snprintf(path, sizeof path, "%s/kernels", root);
    if (is_dir(path))
        bad += check_dir(root, "kernels", NULL, NULL, report);
    return bad;
}

JAHS_TEST(layers_src_includes_follow_the_rules)
{
    jahs_buf report = {0};
    int bad = check_tree(".", &report);
    CHECK_EQ_INT(bad, 0);
    if (bad)
        printf("%s", report.data);
    jahs_buf_free(&report);
}

static void put(const char *root, const char *rel, const char *text)
{
    char path[4096];
    jahs_error err = {0};
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", root, rel);
    CHECK_OK(jahs_mkdirs_parent(path, &err), &err);
    CHECK((f = fopen(path, "w")) != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* Each kind of violation, once, in a tree written here; allowed includes
 * around them are not reported. */
JAHS_TEST(layers_checker_reports_back_edges)
{
    const char *root = jahs_test_tmpdir();
    jahs_buf report = {0};
    int bad;
    put(root, "src/core/a.h", "#include <stdio.h>\n");
    put(root, "src/data/ok.c",
        "#include \"data/ok.h\"\n#include \"core/a.h\"\n"
        "/* #include \"train/trainer.h\" in a comment */\n"
        "// #include \"train/trainer.h\"\n");
    put(root, "src/data/ok.h", "#include \"ok_local.h\"\n");
    put(root, "src/data/ok_local.h", "\n");
    put(root, "src/data/back.c",
        "#include \"core/a.h\"\n\n#include \"nn/net.h\"\n");
    put(root, "src/nn/up.h", "#  include \"train/trainer.h\"\n");
    put(root, "src/gpu/k.c", "#include \"kernels.h\"\n#include \"nn/up.h\"\n");
    put(root, "src/data/k.c", "#include \"kernels.h\"\n");
    put(root, "src/eval/loose.c", "#include \"nowhere.h\"\n");
    put(root, "src/newdir/x.c", "#include \"core/a.h\"\n");
    put(root, "kernels/k.cu", "#include \"common.cuh\"\n#include \"nn/net.h\"\n");
    put(root, "kernels/kernels.h", "#include <stddef.h>\n");
    bad = check_tree(root, &report);
    CHECK_EQ_INT(bad, 6);
    CHECK_CONTAINS(report.data,
                   "src/data/back.c:3: data/ may not include \"nn/net.h\" "
                   "(data/ may include: core/)");
    CHECK_CONTAINS(report.data,
                   "src/nn/up.h:1: nn/ may not include \"train/trainer.h\" "
                   "(nn/ may include: core/ space/)");
    CHECK_CONTAINS(report.data, "src/data/k.c:1: \"kernels.h\" is not a file "
                                "of src/data (name the folder: "
                                "\"folder/kernels.h\"; only src/gpu/ "
                                "includes kernels.h)");
    CHECK_CONTAINS(report.data, "src/eval/loose.c:1: \"nowhere.h\" is not a "
                                "file of src/eval");
    CHECK_CONTAINS(report.data, "src/newdir/ has no include rule");
    CHECK_CONTAINS(report.data,
                   "kernels/k.cu:2: kernels/ may not include \"nn/net.h\"");
    if (report.data && strstr(report.data, "ok.c"))
        printf("%s", report.data);
    CHECK(!report.data || !strstr(report.data, "ok.c"));
    jahs_buf_free(&report);
    /* core/ may include nothing: said so */
    put(root, "src/core/b.c", "#include \"space/space.h\"\n");
    bad = check_tree(root, &report);
    CHECK_EQ_INT(bad, 7);
    CHECK_CONTAINS(report.data, "src/core/b.c:1: core/ may not include "
                                "\"space/space.h\" (core/ may include: "
                                "nothing)");
    jahs_buf_free(&report);
}
