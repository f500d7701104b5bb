/*
 * test_install.c - `make install DESTDIR=... PREFIX=/usr`: a C program
 * compiled with `pkg-config --cflags --libs jahs` against the installed
 * headers and libjahs.a runs, and the installed jahs finds its tables under
 * <prefix>/share/jahs from another working directory.
 */
#include <stdlib.h>

#include "core/util.h"
#include "harness.h"

JAHS_TEST(install_pkg_config_program_and_tables_from_any_cwd)
{
    char *out = NULL, root[1024], prog[1024];
    const char *dir = jahs_test_tmpdir();
    snprintf(root, sizeof root, "%s/inst", dir);
    if (jahs_test_sh(NULL, "command -v pkg-config >/dev/null && command -v cc "
                           ">/dev/null") != 0) {
        jahs_test_skip("pkg-config or cc absent");
        return;
    }
    CHECK_EQ_INT(jahs_test_sh(&out, "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s "
                                    "install V=release DESTDIR='%s' PREFIX=/usr "
                                    ">/dev/null",
                              root),
                 0);
    free(out);
    CHECK(jahs_path_exists(jahs_test_path("inst/usr/lib/pkgconfig/jahs.pc")));
    CHECK(jahs_path_exists(jahs_test_path("inst/usr/include/jahs/space/space.h")));
    CHECK(jahs_path_exists(jahs_test_path("inst/usr/share/jahs/experiments/"
                                          "table1.exp")));
    snprintf(prog, sizeof prog, "%s",
             jahs_test_write("p.c",
                             "#include <stdio.h>\n"
                             "#include \"space/space.h\"\n"
                             "int main(void) {\n"
                             "    jahs_error err = {0};\n"
                             "    jahs_space *sp = jahs_space_create(\"cell64\", "
                             "&err);\n"
                             "    if (!sp) { puts(err.msg); return 1; }\n"
                             "    printf(\"%s has %d parameters\\n\", sp->name, "
                             "sp->n);\n"
                             "    jahs_space_free(sp);\n"
                             "    return 0;\n"
                             "}\n"));
    CHECK_EQ_INT(jahs_test_sh(&out,
                              "cd '%s' && cc -o p p.c $(PKG_CONFIG_PATH='%s/usr/"
                              "lib/pkgconfig' pkg-config --define-variable="
                              "prefix='%s/usr' --cflags --libs jahs) && ./p",
                              dir, root, root),
                 0);
    CHECK_CONTAINS(out, "cell64 has 12 parameters");
    free(out);
    if (!jahs_path_exists("tables/nb201_cifar100.h5")) {
        jahs_test_skip("tables/nb201_cifar100.h5 not built (make tables)");
        return;
    }
    /* from another directory, with no table there and no $JAHS_TABLE */
    CHECK_EQ_INT(jahs_test_sh(&out, "cd '%s' && env -u JAHS_TABLE -u "
                                    "JAHS_TABLE_DIR '%s/usr/bin/jahs' table "
                                    "stats",
                              dir, root),
                 0);
    CHECK_CONTAINS(out, "/usr/bin/../share/jahs/tables/nb201_cifar100.h5");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "cd '%s' && env -u JAHS_TABLE -u "
                                    "JAHS_TABLE_DIR '%s/usr/bin/jahs' prior "
                                    "arch --top 10",
                              dir, root),
                 0);
    CHECK_CONTAINS(out, "edge_1_0");
    free(out);
}
