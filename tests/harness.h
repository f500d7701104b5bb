/*
 * harness.h - a small test harness (libuv's test/task.h spirit).
 *
 *   JAHS_TEST(name) { CHECK(x > 0); CHECK_EQ_INT(a, b); CHECK_NEAR(x, y, tol); }
 *
 * Tests register themselves at load time (a constructor per test), so a new
 * tests/test_*.c file needs no list to edit.  The runner (harness.c) runs them
 * in name order, `-t SUBSTR` filters, and the last line is
 * "N passed, N failed" (plus skipped ones when any).  A failed check prints
 * file:line, the expression and both values, and marks the test failed; the
 * test goes on so one run shows every failure.
 */
#ifndef JAHS_TESTS_HARNESS_H
#define JAHS_TESTS_HARNESS_H

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"

typedef void (*jahs_test_fn)(void);

void jahs_test_register(const char *name, const char *file, jahs_test_fn fn);
/* Record a failure (prints it); used by the CHECK macros. */
void jahs_test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Mark the current test skipped, with a reason (e.g. data not present). */
void jahs_test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A fresh private directory for the current test (removed after a pass). */
const char *jahs_test_tmpdir(void);
/* Path inside the test's directory (static buffer rotation of 8: copy it
 * when it must outlive eight more calls). */
const char *jahs_test_path(const char *name);
/* Write text to a file in the test directory; returns its path. */
const char *jahs_test_write(const char *name, const char *text);
/* The lines between "NAME << EOD\n" and "EOD\n" of a gnuplot script (an
 * inline data block), or "" when there is none (a static buffer). */
const char *jahs_test_gp_block(const char *script, const char *name);
/* 1 when gnuplot is on PATH; else the test is marked skipped and 0. */
int jahs_test_have_gnuplot(void);
/* The jahs binary under test ($JAHS_BIN, default build/release/jahs). */
const char *jahs_test_bin(void);
/* The shared data directory ($JAHS_SHARED, default ../shared). */
const char *jahs_test_shared(void);
/* Run a shell command; capture stdout+stderr (malloc'd, may be NULL) and
 * return the exit status (-1 when it could not run or died by a signal). */
int jahs_test_sh(char **output, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The verdict cell of claim id at seeds n in dir's claims.md ("| C4 | ... |
 * 3 | numbers | verdict |"), in section k (1-based: after the k-th "## "
 * setting heading; 0: any section), via awk; a static buffer. */
const char *jahs_test_claims_verdict(const char *dir, int k, const char *id,
                                     int n);

#define JAHS_TEST(name)                                                        \
    static void test_##name(void);                                             \
    __attribute__((constructor)) static void register_##name(void)             \
    {                                                                          \
        jahs_test_register(#name, __FILE__, test_##name);                      \
    }                                                                          \
    static void test_##name(void)

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond))                                                           \
            jahs_test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);            \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                     \
    do {                                                                       \
        long long va_ = (long long)(a), vb_ = (long long)(b);                  \
        if (va_ != vb_)                                                        \
            jahs_test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a,   \
                           #b, va_, vb_);                                      \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                  \
    do {                                                                       \
        double va_ = (double)(a), vb_ = (double)(b), t_ = (double)(tol);       \
        if (!(fabs(va_ - vb_) <= t_))                                          \
            jahs_test_fail(__FILE__, __LINE__,                                 \
                           "%s ~ %s: %.17g vs %.17g (|diff| %.3g > tol %.3g)", \
                           #a, #b, va_, vb_, fabs(va_ - vb_), t_);             \
    } while (0)

#define CHECK_EQ_DBL(a, b)                                                     \
    do {                                                                       \
        double va_ = (double)(a), vb_ = (double)(b);                           \
        if (!(va_ == vb_))                                                     \
            jahs_test_fail(__FILE__, __LINE__, "%s == %s: %.17g != %.17g", #a, \
                           #b, va_, vb_);                                      \
    } while (0)

#define CHECK_STR(a, b)                                                        \
    do {                                                                       \
        const char *sa_ = (a), *sb_ = (b);                                     \
        if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0)                             \
            jahs_test_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"",   \
                           #a, #b, sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)"); \
    } while (0)

/* a contains b */
#define CHECK_CONTAINS(a, b)                                                   \
    do {                                                                       \
        const char *sa_ = (a), *sb_ = (b);                                     \
        if (!sa_ || !sb_ || !strstr(sa_, sb_))                                 \
            jahs_test_fail(__FILE__, __LINE__,                                 \
                           "%s contains %s: \"%s\" lacks \"%s\"", #a, #b,      \
                           sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");        \
    } while (0)

/* A call returns 0; otherwise print its code and the error message. */
#define CHECK_OK(call, errp)                                                   \
    do {                                                                       \
        const jahs_error *e_ = (errp);                                         \
        int rc_ = (call);                                                      \
        if (rc_ != 0)                                                          \
            jahs_test_fail(__FILE__, __LINE__, "%s returned %d: %s", #call,    \
                           rc_, e_ ? e_->msg : "");                            \
    } while (0)

#endif
