/*
 * test_space.c - spaces, configs, encoding, mutation, priors (NEPS v0.11
 * semantics: frequencies and densities against hand-computed values).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "core/rng.h"
#include "harness.h"
#include "space/prior.h"
#include "space/space.h"

JAHS_TEST(space_builtin_spaces_have_the_papers_shape)
{
    jahs_error err = {0};
    jahs_space *nb = jahs_space_create("nb201", &err);
    jahs_space *c64 = jahs_space_create("cell64", &err);
    jahs_space *t10 = jahs_space_create("top10", &err);
    jahs_space *seq = jahs_space_create("seqcnn", &err);
    CHECK(nb && c64 && t10 && seq);
    if (!(nb && c64 && t10 && seq))
        return;
    CHECK_EQ_INT(nb->n, 13);
    CHECK_EQ_INT(nb->init_channels, 16);
    CHECK_EQ_INT(nb->cells_per_stage, 5);
    CHECK_EQ_INT(nb->stages, 3);
    CHECK_EQ_INT(c64->init_channels, 64);
    CHECK_EQ_INT(c64->cells_per_stage, 3);
    CHECK_EQ_INT(c64->stages, 2);
    CHECK_EQ_INT(c64->n, 12); /* one dropout per stage: 2 */
    CHECK_EQ_INT(jahs_space_find(nb, "edge_3_2"), 5);
    CHECK_STR(nb->params[0].choices[3], "nor_conv_3x3");
    CHECK_EQ_INT(nb->encoded_dim, 6 * 5 + 2 + 3 + 1 + 2);
    CHECK_EQ_INT(t10->params[0].n_choices, 10);
    CHECK_EQ_INT(seq->params[jahs_space_find(seq, "channels_6")].cond_parent,
                 jahs_space_find(seq, "n_layers"));
    /* NB201 recipe as defaults */
    CHECK_EQ_DBL(nb->params[jahs_space_find(nb, "lr")].default_value, 0.1);
    CHECK_EQ_DBL(nb->params[jahs_space_find(nb, "wd")].default_value, 5e-4);
    CHECK_EQ_DBL(nb->params[jahs_space_find(nb, "batch_size")].default_value,
                 256);
    CHECK(jahs_space_create("resnet", &err) == NULL);
    CHECK_CONTAINS(err.msg, "unknown space 'resnet'");
    jahs_space_free(nb);
    jahs_space_free(c64);
    jahs_space_free(t10);
    jahs_space_free(seq);
    jahs_space_free(NULL);
}

JAHS_TEST(space_encode_decode_round_trip)
{
    jahs_error err = {0};
    const char *const names[] = {"nb201", "cell64", "top10", "seqcnn"};
    size_t s;
    jahs_rng *rng = jahs_rng_create(11, "test/encode", 0, &err);
    for (s = 0; s < 4; s++) {
        jahs_space *sp = jahs_space_create(names[s], &err);
        int k, i;
        for (k = 0; k < 500; k++) {
            double x[JAHS_MAX_PARAMS], y[JAHS_MAX_PARAMS], z[JAHS_MAX_ENCODED];
            jahs_space_sample(sp, rng, x);
            CHECK_OK(jahs_config_check(sp, x, &err), &err);
            jahs_space_encode(sp, x, z);
            for (i = 0; i < sp->encoded_dim; i++)
                CHECK(z[i] >= 0 && z[i] <= 1);
            jahs_space_decode(sp, z, y);
            for (i = 0; i < sp->n; i++) {
                if (isnan(x[i])) {
                    CHECK(isnan(y[i]));
                } else if (sp->params[i].kind == JAHS_PARAM_FLOAT) {
                    CHECK_NEAR(y[i], x[i], 1e-12 * fabs(x[i]) + 1e-15);
                } else {
                    CHECK_EQ_DBL(y[i], x[i]);
                }
            }
        }
        jahs_space_free(sp);
    }
    jahs_rng_free(rng);
}

JAHS_TEST(space_integers_are_uniform_over_values)
{
    jahs_error err = {0};
    jahs_space sp;
    jahs_rng *rng = jahs_rng_create(5, "test/int", 0, &err);
    int counts[4] = {0}, k, n = 40000;
    memset(&sp, 0, sizeof sp);
    CHECK_EQ_INT(jahs_space_add_int(&sp, "k", JAHS_GROUP_HP, 1, 4, 0, ""), 0);
    jahs_space_finish(&sp);
    for (k = 0; k < n; k++) {
        double x[JAHS_MAX_PARAMS];
        jahs_space_sample(&sp, rng, x);
        counts[(int)x[0] - 1]++;
    }
    for (k = 0; k < 4; k++)
        CHECK_NEAR(counts[k] / (double)n, 0.25, 0.01);
    jahs_rng_free(rng);
}

JAHS_TEST(space_conditions_seqcnn)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("seqcnn", &err);
    double x[JAHS_MAX_PARAMS];
    jahs_buf b = {0};
    int nl = jahs_space_find(sp, "n_layers");
    CHECK_OK(jahs_config_parse(sp,
                               "n_layers=2,channels_0=64,channels_1=128,"
                               "lr=0.05",
                               x, &err),
             &err);
    CHECK_EQ_DBL(x[nl], 2);
    CHECK(isnan(x[jahs_space_find(sp, "channels_2")]));
    CHECK_EQ_DBL(x[jahs_space_find(sp, "batch_size")], 256);
    jahs_config_format(sp, x, &b);
    CHECK_STR(b.data, "n_layers=2,channels_0=64,channels_1=128,lr=0.05,"
                      "wd=0.0005,dropout=0,batch_size=256,trivial_augment=off");
    jahs_buf_free(&b);
    /* an active parameter without default must be given */
    CHECK_EQ_INT(jahs_config_parse(sp, "n_layers=3,channels_0=8,channels_1=8",
                                   x, &err),
                 JAHS_EPARSE);
    CHECK_CONTAINS(err.msg, "'channels_2' has no default and must be given");
    jahs_space_free(sp);
}

JAHS_TEST(space_config_parse_errors)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("nb201", &err);
    double x[JAHS_MAX_PARAMS];
    const char *arch = "edge_1_0=nor_conv_3x3,edge_2_0=nor_conv_3x3,"
                       "edge_2_1=nor_conv_3x3,edge_3_0=skip_connect,"
                       "edge_3_1=nor_conv_3x3,edge_3_2=nor_conv_3x3";
    char buf[512];
    CHECK_OK(jahs_config_parse(sp, arch, x, &err), &err);
    CHECK_EQ_DBL(x[3], 1);
    snprintf(buf, sizeof buf, "%s,lr=7", arch);
    CHECK_EQ_INT(jahs_config_parse(sp, buf, x, &err), JAHS_EPARSE);
    CHECK_CONTAINS(err.msg, "parameter 'lr' expects a number in [0.001, 1], "
                            "got '7'");
    snprintf(buf, sizeof buf, "%s,batch_size=100.5", arch);
    CHECK_EQ_INT(jahs_config_parse(sp, buf, x, &err), JAHS_EPARSE);
    CHECK_CONTAINS(err.msg, "an integer in [64, 512]");
    snprintf(buf, sizeof buf, "%s,colour=red", arch);
    CHECK_EQ_INT(jahs_config_parse(sp, buf, x, &err), JAHS_EPARSE);
    CHECK_CONTAINS(err.msg, "no parameter 'colour'");
    CHECK_EQ_INT(jahs_config_parse(sp, "edge_1_0=conv9x9", x, &err),
                 JAHS_EPARSE);
    CHECK_CONTAINS(err.msg, "expects one of none, skip_connect");
    CHECK_EQ_INT(jahs_config_parse(sp, "edge_1_0", x, &err), JAHS_EPARSE);
    CHECK_CONTAINS(err.msg, "not of the form name=value");
    CHECK_EQ_INT(jahs_config_parse(sp, "lr=0.1,lr=0.2", x, &err), JAHS_EPARSE);
    CHECK_CONTAINS(err.msg, "'lr' given twice");
    jahs_space_free(sp);
}

JAHS_TEST(space_mutation_stays_in_bounds)
{
    jahs_error err = {0};
    const char *const names[] = {"nb201", "seqcnn"};
    jahs_rng *rng = jahs_rng_create(2, "test/mutate", 0, &err);
    size_t s;
    for (s = 0; s < 2; s++) {
        jahs_space *sp = jahs_space_create(names[s], &err);
        int k, i;
        for (k = 0; k < 2000; k++) {
            double x[JAHS_MAX_PARAMS], y[JAHS_MAX_PARAMS];
            jahs_space_sample(sp, rng, x);
            jahs_space_mutate(sp, rng, x, y, 0.5, 0.25);
            CHECK_OK(jahs_config_check(sp, y, &err), &err);
            /* prob 0: unchanged; prob 1: every categorical changes */
            jahs_space_mutate(sp, rng, x, y, 0.0, 0.25);
            CHECK(jahs_config_equal(sp, x, y));
            jahs_space_mutate(sp, rng, x, y, 1.0, 0.25);
            for (i = 0; i < sp->n; i++)
                if (sp->params[i].kind == JAHS_PARAM_CAT && !isnan(x[i]))
                    CHECK(x[i] != y[i]);
            CHECK(jahs_space_distance(sp, x, y) > 0);
            CHECK_EQ_DBL(jahs_space_distance(sp, x, x), 0);
        }
        jahs_space_free(sp);
    }
    jahs_rng_free(rng);
}

/* Truncated-normal CDF in unit space, the prior's stated density. */
static double tn_cdf(double u, double mu, double sigma)
{
    double a = gsl_cdf_ugaussian_P(-mu / sigma);
    double b = gsl_cdf_ugaussian_P((1 - mu) / sigma);
    return (gsl_cdf_ugaussian_P((u - mu) / sigma) - a) / (b - a);
}

JAHS_TEST(prior_categorical_default_share_matches_neps_weights)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("nb201", &err);
    jahs_prior *pr = jahs_prior_create(sp, &err);
    jahs_rng *rng = jahs_rng_create(9, "test/prior", 0, &err);
    const double want[3] = {2.0 / 6.0, 4.0 / 8.0, 6.0 / 10.0};
    int c;
    for (c = 0; c < 3; c++) {
        int k, hits = 0, n = 20000;
        CHECK_OK(jahs_prior_set_default(pr, 0, 3, (jahs_confidence)c, &err),
                 &err);
        for (k = 0; k < n; k++) {
            double x[JAHS_MAX_PARAMS];
            jahs_prior_sample(pr, rng, x);
            hits += x[0] == 3;
        }
        CHECK_NEAR(hits / (double)n, want[c], 0.015);
    }
    /* medium: default 4/8, each other choice 1/8 */
    CHECK_OK(jahs_prior_set_default(pr, 0, 3, JAHS_CONF_MEDIUM, &err), &err);
    {
        double x[JAHS_MAX_PARAMS];
        double base;
        jahs_prior_sample(pr, rng, x);
        x[0] = 3;
        base = jahs_prior_logpdf(pr, x);
        x[0] = 1;
        CHECK_NEAR(jahs_prior_logpdf(pr, x) - base, log(1.0 / 8) - log(0.5),
                   1e-12);
    }
    jahs_prior_free(pr);
    jahs_rng_free(rng);
    jahs_space_free(sp);
}

JAHS_TEST(prior_numeric_quantiles_match_truncated_normal)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("nb201", &err);
    jahs_prior *pr = jahs_prior_build(sp, JAHS_COVER_HP, JAHS_CONF_MEDIUM, NULL,
                                      &err);
    jahs_rng *rng = jahs_rng_create(4, "test/prior-num", 0, &err);
    int lr = jahs_space_find(sp, "lr"), wd = jahs_space_find(sp, "wd");
    int n = 20000, k, q;
    double *u_lr = malloc(n * sizeof *u_lr), *u_wd = malloc(n * sizeof *u_wd);
    double mu_lr = 2.0 / 3.0; /* log10(0.1) is 2/3 of the way from -3 to 0 */
    double mu_wd = (log(5e-4) - log(1e-5)) / (log(1e-2) - log(1e-5));
    CHECK(pr != NULL);
    CHECK_NEAR(pr->p[lr].mu, mu_lr, 1e-12);
    CHECK_EQ_DBL(pr->p[lr].sigma, 0.25);
    for (k = 0; k < n; k++) {
        double x[JAHS_MAX_PARAMS];
        jahs_prior_sample(pr, rng, x);
        u_lr[k] = jahs_param_to_unit(&sp->params[lr], x[lr]);
        u_wd[k] = jahs_param_to_unit(&sp->params[wd], x[wd]);
    }
    for (q = 1; q < 10; q++) {
        double u = q / 10.0, f_lr = 0, f_wd = 0;
        for (k = 0; k < n; k++) {
            f_lr += u_lr[k] <= u;
            f_wd += u_wd[k] <= u;
        }
        CHECK_NEAR(f_lr / n, tn_cdf(u, mu_lr, 0.25), 0.012);
        CHECK_NEAR(f_wd / n, tn_cdf(u, mu_wd, 0.25), 0.012);
    }
    /* density: hand-computed truncated normal at the default */
    {
        double x[JAHS_MAX_PARAMS], lp0, lp1;
        jahs_prior_mode(pr, rng, x);
        CHECK_EQ_DBL(x[lr], 0.1);
        CHECK_EQ_DBL(x[jahs_space_find(sp, "batch_size")], 256);
        lp0 = jahs_prior_logpdf(pr, x);
        x[lr] = 0.01; /* u = 1/3: one third of the range, 1.333 sigma off */
        lp1 = jahs_prior_logpdf(pr, x);
        CHECK_NEAR(lp1 - lp0, -0.5 * pow((1.0 / 3 - 2.0 / 3) / 0.25, 2), 1e-9);
    }
    free(u_lr);
    free(u_wd);
    jahs_prior_free(pr);
    jahs_rng_free(rng);
    jahs_space_free(sp);
}

JAHS_TEST(prior_weights_file_and_errors)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("nb201", &err);
    jahs_prior *pr;
    jahs_rng *rng = jahs_rng_create(1, "test/weights", 0, &err);
    const char *good = jahs_test_write(
        "w.csv", "param,choice,weight\n"
                 "edge_1_0,nor_conv_3x3,3\nedge_1_0,skip_connect,1\n"
                 "edge_2_0,avg_pool_3x3,1\n");
    int k, n = 20000, c3 = 0, c1 = 0;
    pr = jahs_prior_build(sp, JAHS_COVER_JOINT, JAHS_CONF_MEDIUM, good, &err);
    CHECK(pr != NULL);
    if (!pr)
        return;
    CHECK_EQ_INT(pr->p[0].kind, JAHS_PRIOR_WEIGHTS);
    CHECK_EQ_INT(pr->p[2].kind, JAHS_PRIOR_UNIFORM);
    CHECK_EQ_INT(pr->p[jahs_space_find(sp, "lr")].kind, JAHS_PRIOR_NORMAL);
    for (k = 0; k < n; k++) {
        double x[JAHS_MAX_PARAMS];
        jahs_prior_sample(pr, rng, x);
        c3 += x[0] == 3;
        c1 += x[0] == 1;
        CHECK(x[1] == 4); /* weight only on avg_pool_3x3 */
    }
    CHECK_NEAR(c3 / (double)n, 0.75, 0.012);
    CHECK_NEAR(c1 / (double)n, 0.25, 0.012);
    jahs_prior_free(pr);

    pr = jahs_prior_create(sp, &err);
    CHECK_EQ_INT(jahs_prior_load_weights(
                     pr,
                     jahs_test_write("b1.csv", "param,choice,weight\n"
                                               "edge_9_9,none,1\n"),
                     &err),
                 JAHS_EFORMAT);
    CHECK_CONTAINS(err.msg, "b1.csv:2: 'edge_9_9' is not a categorical");
    CHECK_EQ_INT(jahs_prior_load_weights(
                     pr,
                     jahs_test_write("b2.csv", "param,choice,weight\n"
                                               "edge_1_0,conv7,1\n"),
                     &err),
                 JAHS_EFORMAT);
    CHECK_CONTAINS(err.msg, "b2.csv:2: 'conv7' is not a choice");
    CHECK_EQ_INT(jahs_prior_load_weights(
                     pr,
                     jahs_test_write("b3.csv", "param,choice,weight\n"
                                               "edge_1_0,none,-1\n"),
                     &err),
                 JAHS_EFORMAT);
    CHECK_CONTAINS(err.msg, "b3.csv:2: weight must be a finite number >= 0");
    CHECK(jahs_prior_load_weights(
              pr,
              jahs_test_write("b4.csv", "param,choice,weight\n"
                                        "edge_1_0,none,0\n"),
              &err) < 0);
    CHECK_CONTAINS(err.msg, "sum to 0");
    CHECK_EQ_INT(jahs_prior_load_weights(
                     pr, jahs_test_write("b5.csv", "param,weight\n"), &err),
                 JAHS_EFORMAT);
    CHECK_CONTAINS(err.msg, "missing column 'choice'");
    CHECK(jahs_prior_build(sp, JAHS_COVER_ARCH, JAHS_CONF_MEDIUM, NULL, &err) ==
          NULL);
    CHECK_CONTAINS(err.msg, "needs a weights file");
    jahs_prior_free(pr);
    jahs_rng_free(rng);
    jahs_space_free(sp);
}

JAHS_TEST(space_fixed_parameters_and_prior_defaults_text)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("seqcnn", &err);
    jahs_prior *pr;
    jahs_rng *rng = jahs_rng_create(3, "test/fix", 0, &err);
    int lr = jahs_space_find(sp, "lr"), nl = jahs_space_find(sp, "n_layers");
    int k, hits = 0;
    CHECK_OK(jahs_space_fix_parse(sp, "lr=0.05,trivial_augment=on", &err), &err);
    CHECK_EQ_INT(jahs_space_fix_parse(sp, "lr=5", &err), JAHS_EPARSE);
    CHECK_CONTAINS(err.msg, "cannot fix parameter 'lr' at '5'");
    CHECK_EQ_INT(jahs_space_fix_parse(sp, "nope=1", &err), JAHS_EPARSE);
    pr = jahs_prior_create(sp, &err);
    CHECK_OK(jahs_prior_set_defaults_text(pr, "n_layers=3,wd=0.001",
                                          JAHS_CONF_HIGH, &err),
             &err);
    CHECK_EQ_INT(pr->p[nl].kind, JAHS_PRIOR_NORMAL);
    CHECK_EQ_INT(jahs_prior_set_defaults_text(pr, "wd=7", JAHS_CONF_HIGH, &err),
                 JAHS_EPARSE);
    CHECK_CONTAINS(err.msg, "out of range");
    for (k = 0; k < 500; k++) {
        double x[JAHS_MAX_PARAMS], y[JAHS_MAX_PARAMS], z[JAHS_MAX_ENCODED];
        jahs_space_sample(sp, rng, x);
        CHECK_EQ_DBL(x[lr], 0.05);
        jahs_prior_sample(pr, rng, x);
        CHECK_EQ_DBL(x[lr], 0.05);
        CHECK_EQ_DBL(x[jahs_space_find(sp, "trivial_augment")], 1);
        hits += x[nl] == 3;
        jahs_space_mutate(sp, rng, x, y, 1.0, 0.5);
        CHECK_EQ_DBL(y[lr], 0.05);
        jahs_space_encode(sp, y, z);
        jahs_space_decode(sp, z, y);
        CHECK_EQ_DBL(y[lr], 0.05);
    }
    /* high confidence: sigma = 0.125 x 7 = 0.875 layers around 3, so
     * P(round to 3) = 2 Phi(0.5 / 0.875) - 1 = 0.432 */
    CHECK_NEAR(hits / 500.0, 0.432, 0.07);
    jahs_prior_free(pr);
    jahs_rng_free(rng);
    jahs_space_free(sp);
}

/*
 * The NEPS form of an architecture prior (arch_prior_form = neps): each
 * frequency table becomes NEPS v0.11's default + confidence, the default
 * the most frequent op.  Edge 3<-0 with the poster's table's shape (skip
 * 0.886): default skip_connect; medium (c = 4): 4/8 on it, 1/8 elsewhere;
 * high (c = 6): 6/10, 1/10.  Ties go to the lower index.  HP priors,
 * uniform edges and a table already of the form are left as they were.
 */
JAHS_TEST(prior_arch_neps_form)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("nb201", &err);
    jahs_prior *pr = jahs_prior_create(sp, &err);
    double w30[5] = {0.01, 0.886, 0.05, 0.044, 0.01};
    double w10[5] = {0.3, 0.3, 0.2, 0.1, 0.1};
    int e30 = jahs_space_find(sp, "edge_3_0"), e10 = jahs_space_find(sp, "edge_1_0");
    int e21 = jahs_space_find(sp, "edge_2_1"), lr = jahs_space_find(sp, "lr");
    int k;
    CHECK_EQ_INT(jahs_arch_prior_form_parse("neps"), JAHS_ARCH_FORM_NEPS);
    CHECK_EQ_INT(jahs_arch_prior_form_parse("frequencies"),
                 JAHS_ARCH_FORM_FREQUENCIES);
    CHECK_EQ_INT(jahs_arch_prior_form_parse("mode"), -1);
    CHECK_STR(jahs_arch_prior_form_name(JAHS_ARCH_FORM_FREQUENCIES),
              "frequencies");
    CHECK_OK(jahs_prior_set_weights(pr, e30, w30, &err), &err);
    CHECK_OK(jahs_prior_set_weights(pr, e10, w10, &err), &err);
    CHECK_OK(jahs_prior_set_default(pr, lr, 0.1, JAHS_CONF_MEDIUM, &err), &err);
    CHECK_EQ_INT(jahs_prior_neps_form(pr, JAHS_GROUP_ARCH, 7, &err),
                 JAHS_EINVAL);
    CHECK_CONTAINS(err.msg, "bad confidence");
    CHECK_NEAR(pr->p[e30].prob[1], 0.886, 1e-12); /* unchanged */
    CHECK_OK(jahs_prior_neps_form(pr, JAHS_GROUP_ARCH, JAHS_CONF_MEDIUM, &err),
             &err);
    for (k = 0; k < 5; k++) {
        CHECK_NEAR(pr->p[e30].prob[k], k == 1 ? 0.5 : 0.125, 1e-15);
        CHECK_NEAR(pr->p[e10].prob[k], k == 0 ? 0.5 : 0.125, 1e-15);
    }
    CHECK_EQ_INT(pr->p[e21].kind, JAHS_PRIOR_UNIFORM);
    CHECK_EQ_INT(pr->p[lr].kind, JAHS_PRIOR_NORMAL);
    CHECK_NEAR(pr->p[lr].sigma, 0.25, 0);
    /* applying it again keeps the defaults; another confidence re-weights */
    CHECK_OK(jahs_prior_neps_form(pr, JAHS_GROUP_ARCH, JAHS_CONF_HIGH, &err),
             &err);
    for (k = 0; k < 5; k++)
        CHECK_NEAR(pr->p[e30].prob[k], k == 1 ? 0.6 : 0.1, 1e-15);
    /* the HP group has no categorical with a table here: nothing changes */
    CHECK_OK(jahs_prior_neps_form(pr, JAHS_GROUP_HP, JAHS_CONF_LOW, &err),
             &err);
    CHECK_NEAR(pr->p[e30].prob[1], 0.6, 1e-15);
    jahs_prior_free(pr);
    jahs_space_free(sp);
}
