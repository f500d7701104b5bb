/*
 * test_core.c - errors, strict parsing, random streams, CSV (round trip,
 * quoting, journal, gzip, atomic writes), the experiment-file parser.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/afile.h"
#include "core/conf.h"
#include "core/csv.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/util.h"
#include "harness.h"

JAHS_TEST(core_error_codes_and_names)
{
    jahs_error err = {0};
    CHECK_STR(jahs_strerror(JAHS_ENOMEM), "out of memory");
    CHECK_STR(jahs_error_name(JAHS_EPARSE), "EPARSE");
    CHECK_STR(jahs_error_name(JAHS_WAIT), "WAIT");
    CHECK_STR(jahs_error_name(12345), "UNKNOWN");
    CHECK_EQ_INT(JAHS_FAIL(&err, JAHS_EIO, "cannot open '%s'", "x.h5"), JAHS_EIO);
    CHECK_EQ_INT(err.code, JAHS_EIO);
    CHECK_STR(err.msg, "cannot open 'x.h5'");
    CHECK(err.line > 0);
    CHECK_CONTAINS(err.file, "test_core.c");
    jahs_error_prefix(&err, "table %d", 7);
    CHECK_STR(err.msg, "table 7: cannot open 'x.h5'");
    /* NULL err is allowed */
    CHECK_EQ_INT(JAHS_FAIL(NULL, JAHS_EINVAL, "x"), JAHS_EINVAL);
}

JAHS_TEST(core_strict_parsers)
{
    double d;
    long l;
    uint64_t u;
    int b;
    CHECK_EQ_INT(jahs_parse_double(" 0.25 ", &d), 0);
    CHECK_EQ_DBL(d, 0.25);
    CHECK_EQ_INT(jahs_parse_double("0.25x", &d), JAHS_EPARSE);
    CHECK_EQ_INT(jahs_parse_double("", &d), JAHS_EPARSE);
    CHECK_EQ_INT(jahs_parse_double("1e999", &d), JAHS_ERANGE);
    CHECK_EQ_INT(jahs_parse_long("42", &l), 0);
    CHECK_EQ_INT(l, 42);
    CHECK_EQ_INT(jahs_parse_long("4.2", &l), JAHS_EPARSE);
    CHECK_EQ_INT(jahs_parse_u64("-1", &u), JAHS_EPARSE);
    CHECK_EQ_INT(jahs_parse_u64("18446744073709551615", &u), 0);
    CHECK(u == UINT64_MAX);
    CHECK_EQ_INT(jahs_parse_bool("Yes", &b), 0);
    CHECK_EQ_INT(b, 1);
    CHECK_EQ_INT(jahs_parse_bool("off", &b), 0);
    CHECK_EQ_INT(b, 0);
    CHECK_EQ_INT(jahs_parse_bool("maybe", &b), JAHS_EPARSE);
}

JAHS_TEST(core_format_double_round_trips)
{
    const double xs[] = {0.1,     1.0 / 3.0, 2.0 / 3.0, 1e-300, 5e-324,
                         1.7976931348623157e308, -0.0, 123456789.0,
                         0.30000000000000004, 73.49};
    char buf[40];
    size_t i;
    for (i = 0; i < JAHS_ARRAY_LEN(xs); i++) {
        double back;
        jahs_format_double(buf, sizeof buf, xs[i]);
        CHECK_EQ_INT(jahs_parse_double(buf, &back), 0);
        CHECK(memcmp(&back, &xs[i], sizeof back) == 0);
    }
    CHECK_STR(jahs_format_double(buf, sizeof buf, 0.1), "0.1");
    CHECK_STR(jahs_format_double(buf, sizeof buf, NAN), "nan");
}

JAHS_TEST(core_rng_streams_deterministic_and_independent)
{
    jahs_error err = {0};
    jahs_rng *a1 = jahs_rng_create(7, "opt/asha/sample", 0, &err);
    jahs_rng *a2 = jahs_rng_create(7, "opt/asha/sample", 0, &err);
    jahs_rng *b = jahs_rng_create(7, "train/augment", 0, &err);
    jahs_rng *c = jahs_rng_create(7, "opt/asha/sample", 1, &err);
    jahs_rng *d = jahs_rng_create(8, "opt/asha/sample", 0, &err);
    double x1[100], x2[100];
    int i, same_b = 0, same_c = 0, same_d = 0;
    CHECK(a1 && a2 && b && c && d);
    for (i = 0; i < 100; i++) {
        x1[i] = jahs_rng_uniform(a1);
        same_b += x1[i] == jahs_rng_uniform(b);
        same_c += x1[i] == jahs_rng_uniform(c);
        same_d += x1[i] == jahs_rng_uniform(d);
    }
    /* draws from other streams in between do not shift stream a */
    for (i = 0; i < 100; i++)
        x2[i] = jahs_rng_uniform(a2);
    for (i = 0; i < 100; i++)
        CHECK_EQ_DBL(x1[i], x2[i]);
    CHECK_EQ_INT(same_b, 0);
    CHECK_EQ_INT(same_c, 0);
    CHECK_EQ_INT(same_d, 0);
    /* state save / restore */
    {
        size_t n = jahs_rng_state_size(a1);
        void *st = malloc(n);
        double y1, y2;
        jahs_rng_state_get(a1, st);
        y1 = jahs_rng_uniform(a1);
        jahs_rng_state_set(a1, st);
        y2 = jahs_rng_uniform(a1);
        CHECK_EQ_DBL(y1, y2);
        free(st);
    }
    CHECK(jahs_rng_hash(1, "x", 0) != jahs_rng_hash(1, "x", 1));
    CHECK(jahs_rng_hash(1, "x", 0) == jahs_rng_hash(1, "x", 0));
    jahs_rng_free(a1);
    jahs_rng_free(a2);
    jahs_rng_free(b);
    jahs_rng_free(c);
    jahs_rng_free(d);
    jahs_rng_free(NULL);
}

JAHS_TEST(core_rng_distributions)
{
    jahs_error err = {0};
    jahs_rng *r = jahs_rng_create(1, "test", 0, &err);
    const double w[4] = {1, 0, 2, 1};
    int counts[4] = {0}, i, n = 40000;
    double s = 0, s2 = 0;
    for (i = 0; i < n; i++)
        counts[jahs_rng_discrete(r, w, 4)]++;
    CHECK_EQ_INT(counts[1], 0);
    CHECK_NEAR(counts[0] / (double)n, 0.25, 0.01);
    CHECK_NEAR(counts[2] / (double)n, 0.50, 0.01);
    for (i = 0; i < n; i++) {
        double g = jahs_rng_gaussian(r, 2.0);
        s += g;
        s2 += g * g;
    }
    CHECK_NEAR(s / n, 0.0, 0.05);
    CHECK_NEAR(sqrt(s2 / n), 2.0, 0.05);
    jahs_rng_free(r);
}

JAHS_TEST(core_csv_round_trip_exact)
{
    jahs_error err = {0};
    const char *path = jahs_test_path("rt.csv");
    jahs_csv_writer *w = jahs_csv_open(path, JAHS_CSV_ATOMIC, NULL, &err);
    jahs_csv_reader *r;
    jahs_rng *rng = jahs_rng_create(3, "test/csv", 0, &err);
    double xs[200];
    const char *tricky[] = {"plain", "with,comma", "with \"quote\"",
                            "multi\nline", ""};
    int i;
    CHECK(w != NULL);
    for (i = 0; i < 200; i++)
        xs[i] = (jahs_rng_uniform(rng) - 0.5) * pow(10.0, (i % 40) - 20);
    jahs_csv_str(w, "x");
    jahs_csv_str(w, "s");
    CHECK_OK(jahs_csv_end_row(w, &err), &err);
    for (i = 0; i < 200; i++) {
        jahs_csv_double(w, xs[i]);
        jahs_csv_str(w, tricky[i % 5]);
        CHECK_OK(jahs_csv_end_row(w, &err), &err);
    }
    /* not visible before commit */
    CHECK(!jahs_path_exists(path));
    CHECK_OK(jahs_csv_close(w, &err), &err);
    CHECK(jahs_path_exists(path));
    r = jahs_csv_reader_open(path, &err);
    CHECK(r != NULL);
    CHECK_OK(jahs_csv_read_header(r, &err), &err);
    CHECK_EQ_INT(jahs_csv_col(r, "s"), 1);
    CHECK_EQ_INT(jahs_csv_col(r, "nope"), -1);
    for (i = 0; i < 200; i++) {
        double back;
        CHECK_EQ_INT(jahs_csv_next(r, &err), 1);
        CHECK_EQ_INT(jahs_csv_nfields(r), 2);
        CHECK_OK(jahs_csv_get_double(r, 0, &back, &err), &err);
        CHECK(memcmp(&back, &xs[i], sizeof back) == 0);
        CHECK_STR(jahs_csv_field(r, 1), tricky[i % 5]);
    }
    CHECK_EQ_INT(jahs_csv_next(r, &err), 0);
    jahs_csv_reader_free(r);
    jahs_rng_free(rng);
}

JAHS_TEST(core_csv_reader_errors_name_file_and_line)
{
    jahs_error err = {0};
    jahs_csv_reader *r =
        jahs_csv_reader_string("a,b\n1,2\n3,x\n4,\"open\n", "t.csv", &err);
    double v;
    CHECK_OK(jahs_csv_read_header(r, &err), &err);
    CHECK_EQ_INT(jahs_csv_next(r, &err), 1);
    CHECK_EQ_INT(jahs_csv_next(r, &err), 1);
    CHECK_EQ_INT(jahs_csv_get_double(r, 1, &v, &err), JAHS_EFORMAT);
    CHECK_CONTAINS(err.msg, "t.csv:3: column 'b' expects a number, got 'x'");
    CHECK(jahs_csv_next(r, &err) < 0);
    CHECK_CONTAINS(err.msg, "t.csv:4: unterminated quoted field");
    CHECK_EQ_INT(jahs_csv_require_col(r, "zz", &err), JAHS_EFORMAT);
    CHECK_CONTAINS(err.msg, "missing column 'zz'");
    jahs_csv_reader_free(r);
    /* an empty file has no header */
    r = jahs_csv_reader_string("", "e.csv", &err);
    CHECK_EQ_INT(jahs_csv_read_header(r, &err), JAHS_EFORMAT);
    CHECK_CONTAINS(err.msg, "e.csv: empty file");
    jahs_csv_reader_free(r);
    /* a missing file */
    CHECK(jahs_csv_reader_open(jahs_test_path("absent.csv"), &err) == NULL);
    CHECK_CONTAINS(err.msg, "absent.csv");
}

JAHS_TEST(core_csv_reads_gzip_and_detects_truncation)
{
    jahs_error err = {0};
    const char *path = jahs_test_path("t.csv.gz");
    gzFile gz = gzopen(path, "wb");
    jahs_csv_reader *r;
    int i, rows = 0, rc;
    char *data;
    size_t len;
    CHECK(gz != NULL);
    gzprintf(gz, "i,sq\n");
    for (i = 0; i < 5000; i++)
        gzprintf(gz, "%d,%d\n", i, i * i);
    gzclose(gz);
    r = jahs_csv_reader_open(path, &err);
    CHECK_OK(jahs_csv_read_header(r, &err), &err);
    while (jahs_csv_next(r, &err) == 1) {
        long a, b;
        CHECK_OK(jahs_csv_get_long(r, 0, &a, &err), &err);
        CHECK_OK(jahs_csv_get_long(r, 1, &b, &err), &err);
        CHECK_EQ_INT(b, a * a);
        rows++;
    }
    CHECK_EQ_INT(rows, 5000);
    jahs_csv_reader_free(r);
    /* truncate the gzip stream: reading must fail, not end quietly */
    CHECK_OK(jahs_read_file(path, &data, &len, &err), &err);
    CHECK_OK(jahs_afile_write(path, data, len / 2, &err), &err);
    free(data);
    r = jahs_csv_reader_open(path, &err);
    CHECK_OK(jahs_csv_read_header(r, &err), &err);
    while ((rc = jahs_csv_next(r, &err)) == 1)
        ;
    CHECK(rc < 0);
    CHECK_CONTAINS(err.msg, "t.csv.gz");
    jahs_csv_reader_free(r);
}

JAHS_TEST(core_csv_journal_appends_and_repairs_torn_rows)
{
    jahs_error err = {0};
    const char *path = jahs_test_path("j.csv");
    int existed = -1;
    jahs_csv_writer *w = jahs_csv_open(path, JAHS_CSV_JOURNAL, &existed, &err);
    FILE *f;
    char *text;
    CHECK(w && existed == 0);
    jahs_csv_int(w, 1);
    jahs_csv_end_row(w, &err);
    /* flushed per row: visible before close */
    CHECK_OK(jahs_read_file(path, &text, NULL, &err), &err);
    CHECK_STR(text, "1\n");
    free(text);
    CHECK_OK(jahs_csv_close(w, &err), &err);
    /* a killed writer leaves a torn row */
    f = fopen(path, "ab");
    fputs("2,torn", f);
    fclose(f);
    w = jahs_csv_open(path, JAHS_CSV_JOURNAL, &existed, &err);
    CHECK(w && existed == 1);
    jahs_csv_int(w, 3);
    jahs_csv_end_row(w, &err);
    jahs_csv_close(w, &err);
    CHECK_OK(jahs_read_file(path, &text, NULL, &err), &err);
    CHECK_STR(text, "1\n3\n");
    free(text);
}

JAHS_TEST(core_atomic_file_abort_keeps_old_content)
{
    jahs_error err = {0};
    const char *path = jahs_test_path("sub/dir/a.txt");
    jahs_afile af;
    char *text;
    CHECK_OK(jahs_afile_write(path, "old\n", 4, &err), &err);
    CHECK_OK(jahs_afile_open(&af, path, &err), &err);
    fputs("half-writ", af.f);
    CHECK(jahs_path_exists(af.tmp));
    CHECK_EQ_INT(jahs_afile_tmp_count(path), 1);
    jahs_afile_abort(&af);
    CHECK_EQ_INT(jahs_afile_tmp_count(path), 0);
    CHECK_OK(jahs_read_file(path, &text, NULL, &err), &err);
    CHECK_STR(text, "old\n");
    free(text);
    /* a directory that cannot be created is an error naming it */
    CHECK_OK(jahs_afile_write(jahs_test_path("file"), "x", 1, &err), &err);
    CHECK(jahs_afile_open(&af, jahs_test_path("file/x.csv"), &err) < 0);
    CHECK_CONTAINS(err.msg, "file");
}

static const char *conf_text =
    "# experiment\n"
    "name = demo   # trailing comment\n"
    "budgets = 2, 6\n"
    "\n"
    "[row a]\n"
    "optimizer = asha\n"
    "prior_fraction = 0.8\n"
    "workers = 1\n"
    "default_first = yes\n"
    "[row b]\n"
    "optimizer = mobster\n";

JAHS_TEST(conf_parses_sections_and_typed_values)
{
    jahs_error err = {0};
    jahs_conf *c = jahs_conf_parse_string(conf_text, "demo.exp", &err);
    const jahs_conf_section *top, *a;
    const char *s = NULL;
    double *list = NULL, f = 0;
    size_t n = 0;
    long k = 0;
    int found = 0, b = 0, e = -1;
    static const char *const opts[] = {"random", "asha", "mobster", NULL};
    CHECK(c != NULL);
    if (!c)
        return;
    CHECK_EQ_INT(c->n, 3);
    top = jahs_conf_section_find(c, "");
    a = jahs_conf_section_find(c, "row a");
    CHECK(top && a);
    jahs_conf_get_str(c, top, "name", &s, &found);
    CHECK(found);
    CHECK_STR(s, "demo");
    CHECK_OK(jahs_conf_get_double_list(c, top, "budgets", 0, 1e9, &list, &n,
                                       &found, &err),
             &err);
    CHECK_EQ_INT(n, 2);
    if (n == 2) {
        CHECK_EQ_DBL(list[0], 2);
        CHECK_EQ_DBL(list[1], 6);
    }
    free(list);
    CHECK_OK(jahs_conf_get_double(c, a, "prior_fraction", 0, 1, &f, &found, &err),
             &err);
    CHECK_EQ_DBL(f, 0.8);
    CHECK_OK(jahs_conf_get_long(c, a, "workers", 1, 64, &k, &found, &err), &err);
    CHECK_EQ_INT(k, 1);
    CHECK_OK(jahs_conf_get_bool(c, a, "default_first", &b, &found, &err), &err);
    CHECK_EQ_INT(b, 1);
    CHECK_OK(jahs_conf_get_enum(c, a, "optimizer", opts, &e, &found, &err), &err);
    CHECK_EQ_INT(e, 1);
    /* absent key: found = 0, value untouched */
    f = 42;
    CHECK_OK(jahs_conf_get_double(c, a, "nope", 0, 1, &f, &found, &err), &err);
    CHECK(!found && f == 42);
    jahs_conf_free(c);
}

JAHS_TEST(conf_errors_name_file_line_and_expected_form)
{
    jahs_error err = {0};
    jahs_conf *c;
    const jahs_conf_section *a;
    static const char *const keys[] = {"optimizer", "prior_fraction", "workers",
                                       NULL};
    double f;
    int e;
    static const char *const opts[] = {"random", "asha", NULL};

    CHECK(jahs_conf_parse_string("a = 1\na = 2\n", "d.exp", &err) == NULL);
    CHECK_CONTAINS(err.msg, "d.exp:2: duplicate key 'a' (first set at line 1)");
    CHECK(jahs_conf_parse_string("[x]\n[y]\n[x]\n", "s.exp", &err) == NULL);
    CHECK_CONTAINS(err.msg, "s.exp:3: duplicate section [x]");
    CHECK(jahs_conf_parse_string("[x\n", "h.exp", &err) == NULL);
    CHECK_CONTAINS(err.msg, "h.exp:1: malformed section header");
    CHECK(jahs_conf_parse_string("\n\njust words\n", "w.exp", &err) == NULL);
    CHECK_CONTAINS(err.msg, "w.exp:3: expected 'key = value'");
    CHECK(jahs_conf_parse_string("k =\n", "v.exp", &err) == NULL);
    CHECK_CONTAINS(err.msg, "v.exp:1: key 'k' has no value");
    CHECK(jahs_conf_parse_string("bad key = 1\n", "k.exp", &err) == NULL);
    CHECK_CONTAINS(err.msg, "k.exp:1: bad key 'bad key'");

    c = jahs_conf_parse_string("[row a]\noptimizer = hyper\nprior_fraction = "
                               "1.5\nworkerz = 2\n",
                               "r.exp", &err);
    CHECK(c != NULL);
    if (!c)
        return;
    a = jahs_conf_section_find(c, "row a");
    CHECK_EQ_INT(jahs_conf_check_keys(c, a, keys, &err), JAHS_EPARSE);
    CHECK_CONTAINS(err.msg, "r.exp:4: unknown key 'workerz' in [row a] "
                            "(expected one of: optimizer, prior_fraction, "
                            "workers)");
    CHECK_EQ_INT(jahs_conf_get_double(c, a, "prior_fraction", 0, 1, &f, NULL,
                                      &err),
                 JAHS_EPARSE);
    CHECK_CONTAINS(err.msg, "r.exp:3: key 'prior_fraction' expects a number "
                            "in [0, 1], got '1.5'");
    CHECK_EQ_INT(jahs_conf_get_enum(c, a, "optimizer", opts, &e, NULL, &err),
                 JAHS_EPARSE);
    CHECK_CONTAINS(err.msg, "r.exp:2: key 'optimizer' expects one of random, "
                            "asha, got 'hyper'");
    jahs_conf_free(c);
    CHECK(jahs_conf_parse_file(jahs_test_path("missing.exp"), &err) == NULL);
    CHECK_CONTAINS(err.msg, "missing.exp");
}
