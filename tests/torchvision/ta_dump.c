/*
 * ta_dump.c - cross-check helper (not part of `make test`): read images
 * from stdin ("h w c n" then n * h * w * c bytes, HWC), write to stdout
 * jahs_ta_apply's output for every op (0..13), bin (0..30) and sign (+1,
 * -1), in that nesting order.  ta_check.py compares it with torchvision.
 */
#include <stdio.h>
#include <stdlib.h>

#include "data/augment.h"

int main(void)
{
    int h, w, c, n, i, op, bin, s;
    size_t bytes;
    uint8_t *src, *dst;
    if (scanf("%d %d %d %d", &h, &w, &c, &n) != 4 || getchar() != '\n')
        return 2;
    bytes = (size_t)h * w * c;
    src = malloc(bytes);
    dst = malloc(bytes);
    for (i = 0; i < n; i++) {
        if (fread(src, 1, bytes, stdin) != bytes)
            return 3;
        for (op = 0; op < JAHS_TA_COUNT; op++)
            for (bin = 0; bin < JAHS_TA_BINS; bin++)
                for (s = 0; s < 2; s++) {
                    jahs_ta_apply((jahs_ta_op)op, bin, s ? -1 : 1, src, dst, h,
                                  w, c);
                    fwrite(dst, 1, bytes, stdout);
                }
    }
    free(src);
    free(dst);
    return 0;
}
