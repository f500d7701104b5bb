/*
 * nb201_macro.c - see nb201_macro.h.  Layer sizes follow NB201's
 * TinyNetwork / ResNetBasicblock / ReLUConvBN (Dong & Yang 2020).
 */
#include "eval/nb201_macro.h"

/* One ReLU-conv(k x k)-BN on c -> c channels at h x h pixels. */
static void conv_bn(double cin, double cout, double k, double h, double *fl,
                    double *pa)
{
    *fl += h * h * cin * cout * k * k;
    *pa += cin * cout * k * k + 2.0 * cout;
}

void jahs_nb201_flops(const uint8_t ops[6], int C, int N, int stages,
                      int classes, double *flops, double *params)
{
    double fl = 0, pa = 0, c = C, h = 32;
    int s, n, e;
    conv_bn(3, c, 3, h, &fl, &pa); /* stem */
    for (s = 0; s < stages; s++) {
        for (n = 0; n < N; n++)
            for (e = 0; e < 6; e++) {
                if (ops[e] == 3)
                    conv_bn(c, c, 3, h, &fl, &pa);
                else if (ops[e] == 2)
                    conv_bn(c, c, 1, h, &fl, &pa);
            }
        if (s + 1 < stages) {
            double co = 2 * c, h2 = h / 2;
            conv_bn(c, co, 3, h2, &fl, &pa);  /* conv_a, stride 2 */
            conv_bn(co, co, 3, h2, &fl, &pa); /* conv_b */
            fl += h2 * h2 * c * co;           /* shortcut conv1x1, no BN */
            pa += c * co;
            c = co;
            h = h2;
        }
    }
    pa += 2.0 * c;                   /* last BN */
    fl += c * classes;               /* classifier */
    pa += c * classes + classes;
    if (flops)
        *flops = fl;
    if (params)
        *params = pa;
}
