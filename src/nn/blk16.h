/*
 * blk16.h - the reorders between jahs's NCHW activations and oneDNN's
 * nChw16c blocked layout (dnnl_nChw16c = dnnl_aBcd16b: channel blocks of
 * 16, the 16 channels of a pixel contiguous), for channel counts that are
 * multiples of 16, which is every convolution of the NB201 cell networks
 * past the stem.  Pure data movement (the summing variant adds once per
 * element, dst + src, as oneDNN's summing reorder does), so the results are
 * the same bits as oneDNN's reorders; faster because a 16 x 16 tile is
 * transposed in registers (AVX-512 where the CPU has it, chosen at run
 * time; a portable tiled loop otherwise).  conv_dnnl.c uses them in place
 * of oneDNN's reorders when the primitive's layout is exactly nChw16c.
 */
#ifndef JAHS_NN_BLK16_H
#define JAHS_NN_BLK16_H

#include <stddef.h>

/*
 * src: n x c x hw (NCHW) -> dst: n x (c / 16) x hw x 16.  c must be a
 * multiple of 16 (the caller checks: jahs_blk16_fits).
 */
void jahs_blk16_from_nchw(int n, int c, int hw, const float *src, float *dst);
/* src: n x (c / 16) x hw x 16 -> dst: n x c x hw; acc: dst += src. */
void jahs_blk16_to_nchw(int n, int c, int hw, const float *src, float *dst,
                        int acc);
/*
 * jahs_blk16_to_nchw fused with a ReLU's backward after it: for each
 * element, g = src (dy_old + src when dy_old is not NULL: the summing
 * reorder into a gradient other ops wrote first), and dx (+)= (y > 0 ?
 * g : 0) as jahs_relu_backward(y, g, dx, acc), so the ReLU's output
 * gradient g is never stored.  dy_old, y, dx: n x c x hw; the same bits
 * as the two calls.
 */
void jahs_blk16_to_nchw_relu_bwd(int n, int c, int hw, const float *src,
                                 const float *dy_old, const float *y,
                                 float *dx, int acc);
/* Whether c channels can use the reorders above. */
int jahs_blk16_fits(int c);
/*
 * 1 when the AVX-512 kernels run on this CPU (and build): conv_dnnl.c uses
 * these reorders (and the fusions built on them) only then, since the
 * portable loop is no faster than oneDNN's own reorders.
 */
int jahs_blk16_fast(void);
/*
 * For tests: 1 makes the two reorders use the portable loop even where
 * AVX-512 is there, 0 restores the run-time choice.  Returns whether the
 * AVX-512 kernels are available on this CPU and build.
 */
int jahs_blk16_force_portable(int on);

#endif
