/*
 * fixture_h5.c - see fixture_h5.h.
 */
#include "fixture_h5.h"

#include "core/h5.h"
#include "harness.h"

void fx_h5_poke(const char *path, const char *name, int attr, hid_t mt,
                hsize_t i, hsize_t n, const void *v)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT), d = -1, fs = -1,
          ms = -1;
    herr_t st = -1;
    if (f >= 0 && attr) {
        hid_t a = H5Aopen(f, name, H5P_DEFAULT);
        st = a >= 0 ? H5Awrite(a, mt, v) : -1;
        if (a >= 0)
            H5Aclose(a);
    } else if (f >= 0 && (d = H5Dopen2(f, name, H5P_DEFAULT)) >= 0 &&
               (fs = H5Dget_space(d)) >= 0 &&
               H5Sselect_hyperslab(fs, H5S_SELECT_SET, &i, NULL, &n, NULL) >=
                   0 &&
               (ms = H5Screate_simple(1, &n, NULL)) >= 0) {
        st = H5Dwrite(d, mt, ms, fs, H5P_DEFAULT, v);
    }
    CHECK(st >= 0);
    if (ms >= 0)
        H5Sclose(ms);
    if (fs >= 0)
        H5Sclose(fs);
    if (d >= 0)
        H5Dclose(d);
    if (f >= 0)
        H5Fclose(f);
    {
        /* the edit is the test's, not damage: seal it again so the reader's
         * own checks, not the jahs checksum, judge the value */
        jahs_error err = {0};
        CHECK_OK(jahs_h5_seal(path, &err), &err);
    }
}
