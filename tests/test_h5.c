/*
 * test_h5.c - the HDF5 helpers: typed round trips, strings, attributes,
 * atomic creation, and clear errors for missing, corrupt and truncated files.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/afile.h"
#include "core/h5.h"
#include "core/util.h"
#include "harness.h"

static const char *make_file(const char *name)
{
    jahs_error err = {0};
    const char *path = jahs_test_path(name);
    jahs_h5 *h = jahs_h5_create(path, &err);
    double v[1000];
    int32_t m[6] = {1, 2, 3, 4, 5, 6};
    uint64_t d1 = 1000, d2[2] = {2, 3};
    const char *s[3] = {"|nor_conv_3x3~0|", "", "zwei"};
    int i;
    CHECK(h != NULL);
    if (!h)
        return path;
    for (i = 0; i < 1000; i++)
        v[i] = i * 0.1;
    CHECK_OK(jahs_h5_write(h, "acc/valid", JAHS_H5_F64, 1, &d1, v, 4, &err), &err);
    CHECK_OK(jahs_h5_write(h, "m", JAHS_H5_I32, 2, d2, m, 0, &err), &err);
    CHECK_OK(jahs_h5_write_strings(h, "names", s, 3, 0, &err), &err);
    CHECK_OK(jahs_h5_attr_set_str(h, "/", "source", "NAS-Bench-201", &err), &err);
    CHECK_OK(jahs_h5_attr_set_double(h, "acc/valid", "scale", 0.5, &err), &err);
    CHECK_OK(jahs_h5_attr_set_long(h, "/", "n", 15625, &err), &err);
    /* nothing at the final path before commit */
    CHECK(!jahs_path_exists(path));
    CHECK_OK(jahs_h5_commit(h, &err), &err);
    CHECK(jahs_path_exists(path));
    return path;
}

JAHS_TEST(h5_round_trip)
{
    jahs_error err = {0};
    const char *path = make_file("t.h5");
    jahs_h5 *h = jahs_h5_open(path, &err);
    double v[1000], sc = 0;
    float f[1000];
    int32_t m[6];
    char **s = NULL, *src = NULL;
    size_t n = 0;
    long cnt = 0;
    int rank = 0;
    uint64_t dims[4];
    CHECK(h != NULL);
    if (!h)
        return;
    CHECK(jahs_h5_exists(h, "acc/valid"));
    CHECK(!jahs_h5_exists(h, "acc/test"));
    CHECK(!jahs_h5_exists(h, "nope/deeper"));
    CHECK_OK(jahs_h5_shape(h, "m", &rank, dims, &err), &err);
    CHECK_EQ_INT(rank, 2);
    CHECK_EQ_INT(dims[1], 3);
    CHECK_OK(jahs_h5_read(h, "acc/valid", JAHS_H5_F64, v, 1000, &err), &err);
    CHECK_EQ_DBL(v[999], 999 * 0.1);
    CHECK_OK(jahs_h5_read(h, "acc/valid", JAHS_H5_F32, f, 1000, &err), &err);
    CHECK_NEAR(f[10], 1.0, 1e-6);
    CHECK_OK(jahs_h5_read(h, "m", JAHS_H5_I32, m, 6, &err), &err);
    CHECK_EQ_INT(m[5], 6);
    CHECK_OK(jahs_h5_read_strings(h, "names", &s, &n, &err), &err);
    CHECK_EQ_INT(n, 3);
    if (n == 3) {
        CHECK_STR(s[0], "|nor_conv_3x3~0|");
        CHECK_STR(s[1], "");
        CHECK_STR(s[2], "zwei");
    }
    jahs_h5_free_strings(s, n);
    CHECK_OK(jahs_h5_attr_get_str(h, "/", "source", &src, &err), &err);
    CHECK_STR(src, "NAS-Bench-201");
    free(src);
    CHECK_OK(jahs_h5_attr_get_double(h, "acc/valid", "scale", &sc, &err), &err);
    CHECK_EQ_DBL(sc, 0.5);
    CHECK_OK(jahs_h5_attr_get_long(h, "/", "n", &cnt, &err), &err);
    CHECK_EQ_INT(cnt, 15625);
    CHECK(jahs_h5_attr_exists(h, "/", "source"));
    CHECK(!jahs_h5_attr_exists(h, "/", "nope"));
    jahs_h5_close(h);
}

JAHS_TEST(h5_errors_are_clear)
{
    jahs_error err = {0};
    const char *path = make_file("e.h5");
    jahs_h5 *h = jahs_h5_open(path, &err);
    double v[10];
    char *s;
    char *data;
    size_t len;
    CHECK(h != NULL);
    if (!h)
        return;
    CHECK_EQ_INT(jahs_h5_read(h, "acc/test", JAHS_H5_F64, v, 10, &err),
                 JAHS_EFORMAT);
    CHECK_CONTAINS(err.msg, "has no dataset 'acc/test'");
    CHECK_EQ_INT(jahs_h5_read(h, "acc/valid", JAHS_H5_F64, v, 10, &err),
                 JAHS_EFORMAT);
    CHECK_CONTAINS(err.msg, "has 1000 elements, expected 10");
    CHECK_EQ_INT(jahs_h5_read(h, "names", JAHS_H5_F64, v, 3, &err), JAHS_EFORMAT);
    CHECK_CONTAINS(err.msg, "is not numeric");
    CHECK(jahs_h5_attr_get_str(h, "/", "n", &s, &err) < 0);
    CHECK_CONTAINS(err.msg, "is not a string");
    CHECK(jahs_h5_attr_get_double(h, "/", "missing", v, &err) < 0);
    CHECK_CONTAINS(err.msg, "no attribute 'missing'");
    jahs_h5_close(h);
    /* missing file */
    CHECK(jahs_h5_open(jahs_test_path("absent.h5"), &err) == NULL);
    CHECK_CONTAINS(err.msg, "absent.h5': no such file");
    /* not HDF5 at all */
    CHECK(jahs_h5_open(jahs_test_write("text.h5", "hello\n"), &err) == NULL);
    CHECK_CONTAINS(err.msg, "is not a readable HDF5 file");
    /* truncated: the superblock survives, the data does not */
    CHECK_OK(jahs_read_file(path, &data, &len, &err), &err);
    CHECK_OK(jahs_afile_write(jahs_test_path("cut.h5"), data, len / 3, &err),
             &err);
    free(data);
    h = jahs_h5_open(jahs_test_path("cut.h5"), &err);
    if (h) {
        int rc = jahs_h5_read(h, "acc/valid", JAHS_H5_F64, v, 10, &err);
        double big[1000];
        rc = rc ? rc : jahs_h5_read(h, "acc/valid", JAHS_H5_F64, big, 1000, &err);
        CHECK(rc < 0);
        CHECK_CONTAINS(err.msg, "cut.h5");
        jahs_h5_close(h);
    } else {
        CHECK_CONTAINS(err.msg, "cut.h5");
    }
}

JAHS_TEST(h5_uncommitted_file_leaves_nothing)
{
    jahs_error err = {0};
    const char *path = jahs_test_path("never.h5");
    jahs_h5 *h = jahs_h5_create(path, &err);
    uint64_t d = 3;
    double v[3] = {1, 2, 3};
    CHECK(h != NULL);
    CHECK_OK(jahs_h5_write(h, "x", JAHS_H5_F64, 1, &d, v, 0, &err), &err);
    CHECK_EQ_INT(jahs_afile_tmp_count(path), 1);
    jahs_h5_close(h);
    CHECK_EQ_INT(jahs_afile_tmp_count(path), 0);
    CHECK(!jahs_path_exists(path));
}
