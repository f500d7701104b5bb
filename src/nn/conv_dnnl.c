/*
 * conv_dnnl.c - see conv_dnnl.h: convolutions through oneDNN's C API
 * (oneDNN 2.6, /usr/include/oneapi/dnnl/dnnl.h: dnnl_memory_desc_init_by_tag,
 * dnnl_convolution_{forward,backward_data,backward_weights}_desc_init,
 * dnnl_primitive_desc_create, dnnl_reorder_primitive_desc_create,
 * dnnl_primitive_execute).
 *
 * Each pass is one primitive whose memory formats oneDNN chooses
 * (dnnl_format_tag_any) plus, where that format is not the user's NCHW /
 * OIHW, a reorder on the way in and one on the way out.  An accumulating
 * output (acc = 1: a cell node summing its edges, a gradient gathered from
 * several readers) is a "sum" post-op, on the convolution when its output is
 * already in the user's layout, else on the reorder out (dnnl.h:
 * dnnl_post_ops_append_sum; reorders accept it as an attribute).
 *
 * Threading: oneDNN is called by jahs's worker threads, one chunk of the
 * batch per call, with the OpenMP team of the calling thread set to 1 (the
 * CPU runtime of Debian's build is DNNL_RUNTIME_OMP, dnnl_config.h), so
 * every chunk is computed by one thread in a fixed order.
 */
#include "nn/conv_dnnl.h"

#include "nn/blk16.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* with or without oneDNN: which shapes are Winograd's (conv_dnnl.h) */
int jahs_dnnl_winograd_fits(const jahs_conv_shape *s)
{
    return s->k == 3 && s->stride == 1 && s->pad == 1 &&
           s->cin >= JAHS_DNNL_WINOGRAD_MIN_C &&
           s->cout >= JAHS_DNNL_WINOGRAD_MIN_C;
}

#ifdef JAHS_HAVE_DNNL

#include <omp.h>
#include <oneapi/dnnl/dnnl.h>

/* The user's memory and one primitive's, with the reorders between. */
typedef struct pass {
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t prim;      /* output overwritten */
    dnnl_primitive_t prim_acc;  /* output summed into (sum post-op); only
                                   when the output is in the user layout */
    int a1, a2, aout;           /* DNNL_ARG_... of the two inputs, output */
    dnnl_memory_desc_t in1, in2, out;     /* the primitive's layouts */
    dnnl_primitive_t r_in1, r_in2;        /* user -> primitive, or NULL */
    dnnl_primitive_t r_out;     /* primitive -> user, or NULL (same) */
    dnnl_primitive_t r_out_acc; /* the same summing (no prim_acc), or NULL */
    size_t b_in1, b_in2, b_out, scratch;  /* bytes */
    /* per activation operand: its channels and pixels, and whether its
     * reorder is NCHW <-> exactly nChw16c (then blk16.c's, not oneDNN's) */
    int ch1, hw1, ch2, hw2, cho, hwo;
    int blk_in1, blk_in2, blk_out;
    float *w;                   /* in2 (the weights) reordered by prepare,
                                   fwd and bwd-data; NULL: the user's */
    const float *wu;            /* the user's weights prepare was given */
} pass;

typedef struct entry {
    int mb;
    int have;                   /* JAHS_DNNL_* passes created */
    pass p[3];                  /* fwd, bwd data, bwd weights */
    dnnl_primitive_desc_t fwd_hint;
    dnnl_memory_desc_t user_src, user_dst, user_w;
    char impl[192];
    int share_dy;               /* bwd data's diff_dst layout = bwd
                                   weights': one reorder of dy serves both */
    size_t off_dy;              /* where that reordered dy lives in a
                                   thread's buffer (past every pass's use) */
    struct entry *next;
} entry;

typedef struct tbuf {
    dnnl_stream_t stream;
    char *buf;
    size_t cap;
} tbuf;

struct jahs_dnnl_conv {
    jahs_conv_shape s;
    int winograd;       /* asked and, after the first prepare, granted */
    int blk16;          /* blk16.c's reorders where they fit (not
                           JAHS_DNNL_BLK16=0) */
    int dw_native;        /* backward weights write dw in the kernel's
                             layout (jahs_dnnl_conv_set_dw_native) */
    int src_blk, dst_blk; /* the user's activations in nChw16c or nChw8c
                             (16, 8: jahs_dnnl_conv_set_layout), else
                             NCHW (0) */
    dnnl_engine_t eng;
    int threads;
    tbuf *t;
    entry *entries;
};

static const char *status_name(dnnl_status_t st)
{
    switch (st) {
    case dnnl_success: return "success";
    case dnnl_out_of_memory: return "out of memory";
    case dnnl_invalid_arguments: return "invalid arguments";
    case dnnl_unimplemented: return "unimplemented";
    case dnnl_iterator_ends: return "iterator ends";
    case dnnl_runtime_error: return "runtime error";
    case dnnl_not_required: return "not required";
    default: return "unknown status";
    }
}

/* Check a oneDNN call: on failure fill err naming the call and the shape. */
#define DN(call)                                                               \
    do {                                                                       \
        dnnl_status_t st_ = (call);                                            \
        if (st_ != dnnl_success)                                               \
            return JAHS_FAIL(err,                                              \
                             st_ == dnnl_out_of_memory ? JAHS_ENOMEM           \
                                                       : JAHS_EUNSUPPORTED,    \
                             "oneDNN %s failed (%s) for conv %dx%dx%d -> %d "  \
                             "k%d s%d p%d",                                    \
                             #call, status_name(st_), c->s.cin, c->s.h,        \
                             c->s.w, c->s.cout, c->s.k, c->s.stride,           \
                             c->s.pad);                                        \
    } while (0)

int jahs_dnnl_available(void) { return 1; }

int jahs_dnnl_preferred_block(void)
{
    /* dnnl_types.h: the ISA values are bit sets, each including those
     * below it (avx512_core 0x27 contains avx2 0x7) */
    dnnl_cpu_isa_t isa = dnnl_get_effective_cpu_isa();
    if ((isa & dnnl_cpu_isa_avx512_core) == dnnl_cpu_isa_avx512_core ||
        (isa & dnnl_cpu_isa_avx512_mic) == dnnl_cpu_isa_avx512_mic)
        return 16;
    if ((isa & dnnl_cpu_isa_avx2) == dnnl_cpu_isa_avx2)
        return 8;
    return 0;
}

const char *jahs_dnnl_describe(void)
{
    static char buf[96];
    const dnnl_version_t *v = dnnl_version();
    const char *rt = v->cpu_runtime == DNNL_RUNTIME_OMP    ? "OpenMP"
                     : v->cpu_runtime == DNNL_RUNTIME_TBB  ? "TBB"
                     : v->cpu_runtime == DNNL_RUNTIME_SEQ  ? "sequential"
                     : v->cpu_runtime == DNNL_RUNTIME_THREADPOOL ? "threadpool"
                                                             : "other";
    snprintf(buf, sizeof buf, "oneDNN %d.%d.%d (%s)", v->major, v->minor,
             v->patch, rt);
    return buf;
}

/* oneDNN single-threaded on the calling thread (an OpenMP ICV of this
 * thread only: libgomp keeps one per thread outside a parallel region). */
static void one_thread(void) { omp_set_num_threads(1); }

jahs_dnnl_conv *jahs_dnnl_conv_create(const jahs_conv_shape *s, int threads,
                                      int winograd, jahs_error *err)
{
    jahs_dnnl_conv *c;
    int i;
    if (s->cin < 1 || s->cout < 1 || s->k < 1 || s->stride < 1 ||
        s->pad < 0 || s->ho < 1 || s->wo < 1 || threads < 1) {
        JAHS_FAIL(err, JAHS_EINVAL,
                  "invalid oneDNN conv %dx%dx%d -> %d k%d s%d p%d on %d "
                  "threads",
                  s->cin, s->h, s->w, s->cout, s->k, s->stride, s->pad,
                  threads);
        return NULL;
    }
    one_thread();
    if (!(c = calloc(1, sizeof *c)) ||
        !(c->t = calloc((size_t)threads, sizeof *c->t))) {
        free(c);
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for a oneDNN conv");
        return NULL;
    }
    c->s = *s;
    c->threads = threads;
    c->winograd = winograd && jahs_dnnl_winograd_fits(s);
    {
        const char *b = getenv("JAHS_DNNL_BLK16");
        c->blk16 = !(b && strcmp(b, "0") == 0);
    }
    if (dnnl_engine_create(&c->eng, dnnl_cpu, 0) != dnnl_success) {
        free(c->t);
        free(c);
        JAHS_FAIL(err, JAHS_EUNSUPPORTED, "oneDNN has no CPU engine");
        return NULL;
    }
    for (i = 0; i < threads; i++)
        if (dnnl_stream_create(&c->t[i].stream, c->eng,
                               dnnl_stream_default_flags) != dnnl_success) {
            jahs_dnnl_conv_free(c);
            JAHS_FAIL(err, JAHS_ENOMEM, "cannot create a oneDNN stream");
            return NULL;
        }
    return c;
}

static void pass_free(pass *p)
{
    dnnl_primitive_t *prims[] = {&p->prim, &p->prim_acc, &p->r_in1,
                                 &p->r_in2, &p->r_out, &p->r_out_acc};
    size_t i;
    for (i = 0; i < sizeof prims / sizeof *prims; i++)
        if (*prims[i])
            dnnl_primitive_destroy(*prims[i]);
    if (p->pd)
        dnnl_primitive_desc_destroy(p->pd);
    free(p->w);
}

static void free_entry(entry *e)
{
    int i;
    for (i = 0; i < 3; i++)
        pass_free(&e->p[i]);
    if (e->fwd_hint)
        dnnl_primitive_desc_destroy(e->fwd_hint);
    free(e);
}

int jahs_dnnl_conv_winograd(const jahs_dnnl_conv *c) { return c->winograd; }

int jahs_dnnl_conv_set_layout(jahs_dnnl_conv *c, int src_block, int dst_block,
                              jahs_error *err)
{
    int sb = src_block, db = dst_block;
    if (c->entries)
        return JAHS_FAIL(err, JAHS_ESTATE,
                         "oneDNN conv layout set after its first prepare");
    if ((sb != 0 && sb != 8 && sb != 16) || (db != 0 && db != 8 && db != 16))
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "oneDNN conv layout blocks %d / %d: expected 0 "
                         "(NCHW), 8 (nChw8c) or 16 (nChw16c)",
                         sb, db);
    if ((sb && c->s.cin % sb) || (db && c->s.cout % db))
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "nChw%dc / nChw%dc need channels in multiples of "
                         "the block (conv %d -> %d)",
                         sb, db, c->s.cin, c->s.cout);
    c->src_blk = sb;
    c->dst_blk = db;
    return 0;
}

void jahs_dnnl_conv_free(jahs_dnnl_conv *c)
{
    int i;
    if (!c)
        return;
    while (c->entries) {
        entry *e = c->entries;
        c->entries = e->next;
        free_entry(e);
    }
    for (i = 0; i < c->threads; i++) {
        if (c->t[i].stream)
            dnnl_stream_destroy(c->t[i].stream);
        free(c->t[i].buf);
    }
    free(c->t);
    if (c->eng)
        dnnl_engine_destroy(c->eng);
    free(c);
}

/* An attribute with a user scratchpad and, when sum, dst += result. */
static int make_attr(jahs_dnnl_conv *c, int sum, dnnl_primitive_attr_t *attr,
                     jahs_error *err)
{
    DN(dnnl_primitive_attr_create(attr));
    DN(dnnl_primitive_attr_set_scratchpad_mode(*attr,
                                               dnnl_scratchpad_mode_user));
    if (sum) {
        dnnl_post_ops_t po;
        dnnl_status_t st;
        DN(dnnl_post_ops_create(&po));
        st = dnnl_post_ops_append_sum(po, 1.0f);
        if (st == dnnl_success)
            st = dnnl_primitive_attr_set_post_ops(*attr, po);
        dnnl_post_ops_destroy(po);
        DN(st);
    }
    return 0;
}

static size_t scratch_of(const_dnnl_primitive_desc_t pd)
{
    const dnnl_memory_desc_t *md =
        dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    return md ? dnnl_memory_desc_get_size(md) : 0;
}

/* A reorder from -> to (sum: to += from), or *r = NULL when the layouts
 * are the same and sum is not asked.  *scratch = max(*scratch, its own). */
static int make_reorder(jahs_dnnl_conv *c, const dnnl_memory_desc_t *from,
                        const dnnl_memory_desc_t *to, int sum,
                        dnnl_primitive_t *r, size_t *scratch, jahs_error *err)
{
    dnnl_primitive_attr_t attr;
    dnnl_primitive_desc_t pd;
    dnnl_status_t st;
    size_t sc;
    int rc;
    *r = NULL;
    if (dnnl_memory_desc_equal(from, to) && !sum)
        return 0;
    if ((rc = make_attr(c, sum, &attr, err)) < 0)
        return rc;
    st = dnnl_reorder_primitive_desc_create(&pd, from, c->eng, to, c->eng,
                                            attr);
    dnnl_primitive_attr_destroy(attr);
    DN(st);
    sc = scratch_of(pd);
    if (sc > *scratch)
        *scratch = sc;
    st = dnnl_primitive_create(r, pd);
    dnnl_primitive_desc_destroy(pd);
    DN(st);
    return 0;
}

static size_t align64(size_t b) { return (b + 63) / 64 * 64; }

/* Whether md is exactly oneDNN's nChw16c for mb x ch x (h x w) (no padded
 * channels: ch a multiple of 16), the layout blk16.c reorders. */
static int is_blk16(const dnnl_memory_desc_t *md, int mb, int ch, int h, int w)
{
    dnnl_memory_desc_t b;
    dnnl_dims_t d = {mb, ch, h, w};
    if (!jahs_blk16_fits(ch) ||
        dnnl_memory_desc_init_by_tag(&b, 4, d, dnnl_f32, dnnl_nChw16c) !=
            dnnl_success)
        return 0;
    return dnnl_memory_desc_equal(md, &b);
}

/* Channels and pixels of the activation with argument a of pass p. */
static void act_dims(const jahs_conv_shape *s, int a, int *ch, int *h, int *w)
{
    int src = a == DNNL_ARG_SRC || a == DNNL_ARG_DIFF_SRC;
    *ch = src ? s->cin : s->cout;
    *h = src ? s->h : s->ho;
    *w = src ? s->w : s->wo;
}

/* Whether the user's activation with argument a is NCHW (not nChw16c:
 * jahs_dnnl_conv_set_layout), the side blk16.c's reorders serve. */
static int user_nchw(const jahs_dnnl_conv *c, int a)
{
    int src = a == DNNL_ARG_SRC || a == DNNL_ARG_DIFF_SRC;
    return src ? !c->src_blk : !c->dst_blk;
}

/* Fill the blk16 fields of p (its layouts known). */
static void blk_setup(const jahs_dnnl_conv *c, int mb, pass *p)
{
    int h, w;
    if (!c->blk16 || !jahs_blk16_fast())
        return;
    if (p->a1 != DNNL_ARG_WEIGHTS) {
        act_dims(&c->s, p->a1, &p->ch1, &h, &w);
        p->hw1 = h * w;
        p->blk_in1 = p->r_in1 && user_nchw(c, p->a1) &&
                     is_blk16(&p->in1, mb, p->ch1, h, w);
    }
    if (p->a2 != DNNL_ARG_WEIGHTS) {
        act_dims(&c->s, p->a2, &p->ch2, &h, &w);
        p->hw2 = h * w;
        p->blk_in2 = p->r_in2 && user_nchw(c, p->a2) &&
                     is_blk16(&p->in2, mb, p->ch2, h, w);
    }
    if (p->aout != DNNL_ARG_DIFF_WEIGHTS) {
        act_dims(&c->s, p->aout, &p->cho, &h, &w);
        p->hwo = h * w;
        p->blk_out = (p->r_out || p->r_out_acc) && user_nchw(c, p->aout) &&
                     is_blk16(&p->out, mb, p->cho, h, w);
    }
}

/*
 * Finish pass p from its op descriptor: the primitive (and the summing
 * variant when the output is in the user layout), its layouts and the
 * reorders from / to the user's u1, u2, uout.
 */
static int make_pass(jahs_dnnl_conv *c, entry *e, pass *p,
                     const dnnl_convolution_desc_t *od, int a1, int a2,
                     int aout, const dnnl_memory_desc_t *u1,
                     const dnnl_memory_desc_t *u2,
                     const dnnl_memory_desc_t *uout, jahs_error *err)
{
    dnnl_primitive_attr_t attr;
    dnnl_status_t st;
    const char *impl = "";
    int rc;
    size_t sc;
    dnnl_query_t q1, q2, qo;
    /* backward passes take the forward pd as a hint, the forward none */
    const_dnnl_primitive_desc_t hint =
        aout == DNNL_ARG_DST ? NULL : e->fwd_hint;
    p->a1 = a1;
    p->a2 = a2;
    p->aout = aout;
    if ((rc = make_attr(c, 0, &attr, err)) < 0)
        return rc;
    st = dnnl_primitive_desc_create(&p->pd, od, attr, c->eng, hint);
    dnnl_primitive_attr_destroy(attr);
    DN(st);
    q1 = a1 == DNNL_ARG_SRC ? dnnl_query_src_md : dnnl_query_diff_dst_md;
    q2 = a2 == DNNL_ARG_WEIGHTS ? dnnl_query_weights_md
                                : dnnl_query_diff_dst_md;
    qo = aout == DNNL_ARG_DST         ? dnnl_query_dst_md
         : aout == DNNL_ARG_DIFF_SRC ? dnnl_query_diff_src_md
                                     : dnnl_query_diff_weights_md;
    p->in1 = *dnnl_primitive_desc_query_md(p->pd, q1, 0);
    p->in2 = *dnnl_primitive_desc_query_md(p->pd, q2, 0);
    p->out = *dnnl_primitive_desc_query_md(p->pd, qo, 0);
    p->scratch = scratch_of(p->pd);
    DN(dnnl_primitive_create(&p->prim, p->pd));
    dnnl_primitive_desc_query(p->pd, dnnl_query_impl_info_str, 0, &impl);
    snprintf(e->impl + strlen(e->impl), sizeof e->impl - strlen(e->impl),
             "%s%s", e->impl[0] ? " / " : "", impl);
    if (dnnl_memory_desc_equal(&p->out, uout) &&
        aout != DNNL_ARG_DIFF_WEIGHTS) {
        /* the summing variant where oneDNN has one (not every backward
         * data kernel takes a post-op: then a summing reorder below) */
        dnnl_primitive_desc_t pd2;
        if ((rc = make_attr(c, 1, &attr, err)) < 0)
            return rc;
        st = dnnl_primitive_desc_create(&pd2, od, attr, c->eng, hint);
        dnnl_primitive_attr_destroy(attr);
        if (st == dnnl_success) {
            sc = scratch_of(pd2);
            if (sc > p->scratch)
                p->scratch = sc;
            st = dnnl_primitive_create(&p->prim_acc, pd2);
            dnnl_primitive_desc_destroy(pd2);
            DN(st);
        } else if (st != dnnl_unimplemented) {
            DN(st);
        }
    }
    if ((rc = make_reorder(c, &p->out, uout, 0, &p->r_out, &p->scratch,
                           err)) < 0)
        return rc;
    if (aout != DNNL_ARG_DIFF_WEIGHTS && !p->prim_acc &&
        (rc = make_reorder(c, &p->out, uout, 1, &p->r_out_acc, &p->scratch,
                           err)) < 0)
        return rc;
    if ((rc = make_reorder(c, u1, &p->in1, 0, &p->r_in1, &p->scratch,
                           err)) < 0 ||
        (rc = make_reorder(c, u2, &p->in2, 0, &p->r_in2, &p->scratch,
                           err)) < 0)
        return rc;
    p->b_in1 = p->r_in1 ? align64(dnnl_memory_desc_get_size(&p->in1)) : 0;
    /* the weights of fwd / bwd-data are reordered once, in prepare */
    p->b_in2 = p->r_in2 && a2 != DNNL_ARG_WEIGHTS
                   ? align64(dnnl_memory_desc_get_size(&p->in2))
                   : 0;
    p->b_out = p->r_out || p->r_out_acc
                   ? align64(dnnl_memory_desc_get_size(&p->out))
                   : 0;
    p->scratch = align64(p->scratch);
    blk_setup(c, e->mb, p);
    if (p->r_in2 && a2 == DNNL_ARG_WEIGHTS &&
        !(p->w = aligned_alloc(64,
                               align64(dnnl_memory_desc_get_size(&p->in2)))))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for oneDNN weights");
    return 0;
}

/* The user's activation layout for block size b (0: NCHW). */
static dnnl_format_tag_t user_tag(int b)
{
    return b == 16 ? dnnl_nChw16c : b == 8 ? dnnl_nChw8c : dnnl_nchw;
}

static int make_entry(jahs_dnnl_conv *c, entry *e, int what, jahs_error *err)
{
    const jahs_conv_shape *s = &c->s;
    dnnl_memory_desc_t any_src, any_dst, any_w;
    dnnl_dims_t ds = {e->mb, s->cin, s->h, s->w};
    dnnl_dims_t dd = {e->mb, s->cout, s->ho, s->wo};
    dnnl_dims_t dw = {s->cout, s->cin, s->k, s->k};
    dnnl_dims_t st = {s->stride, s->stride};
    dnnl_dims_t pl = {s->pad, s->pad};
    /* symmetric, as PyTorch passes it: oneDNN's shape check floors
     * (h + 2 pad - k) / stride like ours */
    dnnl_dims_t pr = {s->pad, s->pad};
    dnnl_convolution_desc_t od;
    dnnl_alg_kind_t alg =
        c->winograd ? dnnl_convolution_winograd : dnnl_convolution_direct;
    int rc;
    DN(dnnl_memory_desc_init_by_tag(&e->user_src, 4, ds, dnnl_f32,
                                    user_tag(c->src_blk)));
    DN(dnnl_memory_desc_init_by_tag(&e->user_dst, 4, dd, dnnl_f32,
                                    user_tag(c->dst_blk)));
    DN(dnnl_memory_desc_init_by_tag(&e->user_w, 4, dw, dnnl_f32, dnnl_oihw));
    DN(dnnl_memory_desc_init_by_tag(&any_src, 4, ds, dnnl_f32,
                                    dnnl_format_tag_any));
    DN(dnnl_memory_desc_init_by_tag(&any_dst, 4, dd, dnnl_f32,
                                    dnnl_format_tag_any));
    DN(dnnl_memory_desc_init_by_tag(&any_w, 4, dw, dnnl_f32,
                                    dnnl_format_tag_any));
    DN(dnnl_convolution_forward_desc_init(&od, dnnl_forward_training,
                                          alg, &any_src,
                                          &any_w, NULL, &any_dst, st, pl, pr));
    if (!e->fwd_hint)
        DN(dnnl_primitive_desc_create(&e->fwd_hint, &od, NULL, c->eng, NULL));
    if ((what & JAHS_DNNL_FWD) && !(e->have & JAHS_DNNL_FWD)) {
        if ((rc = make_pass(c, e, &e->p[0], &od, DNNL_ARG_SRC,
                            DNNL_ARG_WEIGHTS, DNNL_ARG_DST, &e->user_src,
                            &e->user_w, &e->user_dst, err)) < 0)
            return rc;
        e->have |= JAHS_DNNL_FWD;
    }
    if ((what & JAHS_DNNL_BWD_DATA) && !(e->have & JAHS_DNNL_BWD_DATA)) {
        DN(dnnl_convolution_backward_data_desc_init(
            &od, alg, &any_src, &any_w, &any_dst, st, pl,
            pr));
        if ((rc = make_pass(c, e, &e->p[1], &od, DNNL_ARG_DIFF_DST,
                            DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC, &e->user_dst,
                            &e->user_w, &e->user_src, err)) < 0)
            return rc;
        e->have |= JAHS_DNNL_BWD_DATA;
    }
    if ((what & JAHS_DNNL_BWD_WEIGHTS) &&
        !(e->have & JAHS_DNNL_BWD_WEIGHTS)) {
        DN(dnnl_convolution_backward_weights_desc_init(
            &od, alg, &any_src, &any_w, NULL, &any_dst,
            st, pl, pr));
        if ((rc = make_pass(c, e, &e->p[2], &od, DNNL_ARG_SRC,
                            DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS,
                            &e->user_src, &e->user_dst, &e->user_w, err)) < 0)
            return rc;
        e->have |= JAHS_DNNL_BWD_WEIGHTS;
    }
    return 0;
}

static entry *find(const jahs_dnnl_conv *c, int mb)
{
    entry *e;
    for (e = c->entries; e; e = e->next)
        if (e->mb == mb)
            return e;
    return NULL;
}

/* Run primitive p with args (NULL memories skipped) on thread t. */
static int exec(jahs_dnnl_conv *c, tbuf *t, dnnl_primitive_t prim,
                const int *argi, const dnnl_memory_desc_t **mds, void **ptrs,
                int nargs, size_t scratch_off, jahs_error *err)
{
    dnnl_exec_arg_t args[4];
    dnnl_memory_t mem[4] = {NULL, NULL, NULL, NULL};
    const dnnl_memory_desc_t *sp;
    const_dnnl_primitive_desc_t pd;
    dnnl_status_t st = dnnl_success;
    int i, n = 0;
    DN(dnnl_primitive_get_primitive_desc(prim, &pd));
    sp = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    for (i = 0; i < nargs && st == dnnl_success; i++) {
        st = dnnl_memory_create(&mem[n], mds[i], c->eng, ptrs[i]);
        args[n].arg = argi[i];
        args[n].memory = mem[n];
        n++;
    }
    if (st == dnnl_success && sp && dnnl_memory_desc_get_size(sp) > 0) {
        st = dnnl_memory_create(&mem[n], sp, c->eng, t->buf + scratch_off);
        args[n].arg = DNNL_ARG_SCRATCHPAD;
        args[n].memory = mem[n];
        n++;
    }
    if (st == dnnl_success)
        st = dnnl_primitive_execute(prim, t->stream, n, args);
    if (st == dnnl_success)
        st = dnnl_stream_wait(t->stream);
    for (i = 0; i < n; i++)
        if (mem[i])
            dnnl_memory_destroy(mem[i]);
    DN(st);
    return 0;
}

static int reorder(jahs_dnnl_conv *c, tbuf *t, dnnl_primitive_t r,
                   const dnnl_memory_desc_t *from, const void *src,
                   const dnnl_memory_desc_t *to, void *dst, size_t scratch_off,
                   jahs_error *err)
{
    int argi[2] = {DNNL_ARG_FROM, DNNL_ARG_TO};
    const dnnl_memory_desc_t *mds[2] = {from, to};
    void *ptrs[2] = {(void *)src, dst};
    return exec(c, t, r, argi, mds, ptrs, 2, scratch_off, err);
}

int jahs_dnnl_conv_prepare(jahs_dnnl_conv *c, int mb, int what,
                           const float *wt, jahs_error *err)
{
    entry *e = find(c, mb);
    size_t need = 0;
    int i, rc;
    one_thread();
    if (mb < 1)
        return JAHS_FAIL(err, JAHS_EINVAL, "oneDNN conv chunk of %d images",
                         mb);
    if (!e) {
        if (!(e = calloc(1, sizeof *e)))
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for oneDNN");
        e->mb = mb;
        e->next = c->entries;
        c->entries = e;
    }
    /* a new chunk size gets all three passes at once, so that the
     * algorithm is settled for the convolution before anything runs */
    if ((rc = make_entry(c, e, e->have ? what : 7, err)) < 0) {
        /* oneDNN has no Winograd kernel for this shape or ISA: direct, for
         * every chunk size (one algorithm per convolution) */
        if (!c->winograd || rc != JAHS_EUNSUPPORTED || c->entries != e ||
            e->next)
            return rc;
        c->winograd = 0;
        c->entries = NULL;
        free_entry(e);
        return jahs_dnnl_conv_prepare(c, mb, what, wt, err);
    }
    for (i = 0; i < 3; i++) {
        const pass *p = &e->p[i];
        size_t b = p->b_in1 + p->b_in2 + p->b_out + p->scratch;
        if ((e->have & (1 << i)) && b > need)
            need = b;
    }
    e->share_dy = (e->have & 6) == 6 && e->p[1].r_in1 && e->p[2].r_in2 &&
                  dnnl_memory_desc_equal(&e->p[1].in1, &e->p[2].in2);
    e->off_dy = need;
    if (e->share_dy)
        need += e->p[1].b_in1;
    for (i = 0; i < c->threads; i++)
        if (c->t[i].cap < need) {
            char *b = aligned_alloc(64, need);
            if (!b)
                return JAHS_FAIL(err, JAHS_ENOMEM,
                                 "out of memory for oneDNN scratch (%zu "
                                 "bytes)",
                                 need);
            free(c->t[i].buf);
            c->t[i].buf = b;
            c->t[i].cap = need;
        }
    for (i = 0; i < 2; i++) {
        pass *p = &e->p[i];
        if (!(what & (1 << i)))
            continue;
        p->wu = wt;
        if (!p->r_in2)
            continue;
        if ((rc = reorder(c, &c->t[0], p->r_in2, &e->user_w, wt, &p->in2,
                          p->w, 0, err)) < 0)
            return rc;
    }
    return 0;
}

/*
 * Run pass i of entry mb: in1 and in2 from the user (in2 of fwd /
 * bwd-data: the weights prepare reordered), out into the user's out.
 * Thread buffer: [in1 | in2 | out | scratchpad].
 */
static int run_pass_pre(jahs_dnnl_conv *c, int thread, int mb, int i,
                        const float *in1, const float *in2, float *out,
                        int acc, void *pre1, void *pre2, jahs_dnnl_dx_sink sink,
                        void *sctx, jahs_error *err);

static int run_pass(jahs_dnnl_conv *c, int thread, int mb, int i,
                    const float *in1, const float *in2, float *out, int acc,
                    jahs_error *err)
{
    return run_pass_pre(c, thread, mb, i, in1, in2, out, acc, NULL, NULL,
                        NULL, NULL, err);
}

/* run_pass with in1 / in2 already reordered into pre1 / pre2 (NULL: not);
 * sink (not NULL: the caller checked blk_out) takes the nChw16c output in
 * place of the reorder into out */
static int run_pass_pre(jahs_dnnl_conv *c, int thread, int mb, int i,
                        const float *in1, const float *in2, float *out,
                        int acc, void *pre1, void *pre2, jahs_dnnl_dx_sink sink,
                        void *sctx, jahs_error *err)
{
    entry *e = find(c, mb);
    pass *p;
    tbuf *t;
    const dnnl_memory_desc_t *u1, *u2, *uo;
    void *x1, *x2, *xo;
    size_t off_s;
    int rc;
    one_thread();
    if (!e || !(e->have & (1 << i)) || thread < 0 || thread >= c->threads)
        return JAHS_FAIL(err, JAHS_ESTATE,
                         "oneDNN conv pass %d not prepared for %d images "
                         "(thread %d)",
                         i, mb, thread);
    p = &e->p[i];
    t = &c->t[thread];
    u1 = i == 1 ? &e->user_dst : &e->user_src;
    u2 = i == 2 ? &e->user_dst : &e->user_w;
    uo = i == 0 ? &e->user_dst : i == 1 ? &e->user_src : &e->user_w;
    off_s = p->b_in1 + p->b_in2 + p->b_out;
    x1 = (void *)in1;
    if (pre1) {
        x1 = pre1;
    } else if (p->blk_in1) {
        x1 = t->buf;
        jahs_blk16_from_nchw(mb, p->ch1, p->hw1, in1, x1);
    } else if (p->r_in1) {
        x1 = t->buf;
        if ((rc = reorder(c, t, p->r_in1, u1, in1, &p->in1, x1, off_s,
                          err)) < 0)
            return rc;
    }
    x2 = (void *)in2;
    if (p->a2 == DNNL_ARG_WEIGHTS) {
        x2 = p->w ? (void *)p->w : (void *)p->wu;
    } else if (pre2) {
        x2 = pre2;
    } else if (p->blk_in2) {
        x2 = t->buf + p->b_in1;
        jahs_blk16_from_nchw(mb, p->ch2, p->hw2, in2, x2);
    } else if (p->r_in2) {
        x2 = t->buf + p->b_in1;
        if ((rc = reorder(c, t, p->r_in2, u2, in2, &p->in2, x2, off_s,
                          err)) < 0)
            return rc;
    }
    /* the output: straight into the user's when its layout is the user's
     * and the primitive can sum (or need not), else via the buffer and a
     * (summing) reorder */
    {
        int direct = acc ? p->prim_acc != NULL : p->r_out == NULL;
        if (i == 2 && c->dw_native) /* dw left in the kernel's layout */
            direct = 1;
        int argi[3] = {p->a1, p->a2, p->aout};
        const dnnl_memory_desc_t *mds[3] = {&p->in1, &p->in2, &p->out};
        void *ptrs[3];
        dnnl_primitive_t prim = acc && p->prim_acc ? p->prim_acc : p->prim;
        xo = direct ? (void *)out : (void *)(t->buf + p->b_in1 + p->b_in2);
        ptrs[0] = x1;
        ptrs[1] = x2;
        ptrs[2] = xo;
        if ((rc = exec(c, t, prim, argi, mds, ptrs, 3, off_s, err)) < 0)
            return rc;
        if (sink) {
            sink(sctx, thread, xo);
            return 0;
        }
        if (!direct && p->blk_out) {
            jahs_blk16_to_nchw(mb, p->cho, p->hwo, xo, out, acc);
            return 0;
        }
        if (!direct && acc && dnnl_memory_desc_equal(&p->out, uo)) {
            /* the user's layout is the kernel's (blocked) but the kernel
             * cannot sum (backward data): out += xo, the summing reorder's
             * one add per element (oneDNN's is its slow generic loop) */
            jahs_copy(dnnl_memory_desc_get_size(&p->out) / sizeof(float), xo,
                      out, 1);
            return 0;
        }
        if (!direct)
            return reorder(c, t, acc ? p->r_out_acc : p->r_out, &p->out, xo,
                           uo, out, off_s, err);
    }
    return 0;
}

int jahs_dnnl_conv_forward(jahs_dnnl_conv *c, int thread, int mb,
                           const float *x, float *y, int acc, jahs_error *err)
{
    return run_pass(c, thread, mb, 0, x, NULL, y, acc, err);
}

int jahs_dnnl_conv_backward_data(jahs_dnnl_conv *c, int thread, int mb,
                                 const float *dy, float *dx, int acc,
                                 jahs_error *err)
{
    return run_pass(c, thread, mb, 1, dy, NULL, dx, acc, err);
}

int jahs_dnnl_conv_backward_weights(jahs_dnnl_conv *c, int thread, int mb,
                                    const float *x, const float *dy, float *dw,
                                    jahs_error *err)
{
    return run_pass(c, thread, mb, 2, x, dy, dw, 0, err);
}

int jahs_dnnl_conv_backward(jahs_dnnl_conv *c, int thread, int mb,
                            const float *x, const float *dy, float *dw,
                            float *dx, int acc, jahs_error *err)
{
    entry *e = find(c, mb);
    tbuf *t;
    void *bdy;
    int rc;
    if (!e || (e->have & 6) != 6 || thread < 0 || thread >= c->threads)
        return JAHS_FAIL(err, JAHS_ESTATE,
                         "oneDNN conv backward not prepared for %d images "
                         "(thread %d)",
                         mb, thread);
    if (!dx || !e->share_dy) {
        if ((rc = run_pass(c, thread, mb, 2, x, dy, dw, 0, err)) < 0)
            return rc;
        return dx ? run_pass(c, thread, mb, 1, dy, NULL, dx, acc, err) : 0;
    }
    one_thread();
    t = &c->t[thread];
    bdy = t->buf + e->off_dy;
    if (e->p[1].blk_in1)
        jahs_blk16_from_nchw(mb, e->p[1].ch1, e->p[1].hw1, dy, bdy);
    else if ((rc = reorder(c, t, e->p[1].r_in1, &e->user_dst, dy,
                           &e->p[1].in1, bdy,
                           e->p[1].b_in1 + e->p[1].b_in2 + e->p[1].b_out,
                           err)) < 0)
        return rc;
    if ((rc = run_pass_pre(c, thread, mb, 2, x, dy, dw, 0, NULL, bdy, NULL,
                           NULL, err)) < 0)
        return rc;
    return run_pass_pre(c, thread, mb, 1, dy, NULL, dx, acc, bdy, NULL, NULL,
                        NULL, err);
}

const char *jahs_dnnl_conv_impl(const jahs_dnnl_conv *c, int mb)
{
    const entry *e = find(c, mb);
    return e ? e->impl : "";
}

int jahs_dnnl_conv_dw_native(const jahs_dnnl_conv *c, int mb, int mb2)
{
    const entry *e = find(c, mb), *e2 = find(c, mb2);
    const jahs_conv_shape *s = &c->s;
    size_t nw = (size_t)s->cout * s->cin * s->k * s->k;
    if (!e || !e2 || !(e->have & JAHS_DNNL_BWD_WEIGHTS) ||
        !(e2->have & JAHS_DNNL_BWD_WEIGHTS) || !e->p[2].r_out)
        return 0;
    return dnnl_memory_desc_get_size(&e->p[2].out) == nw * sizeof(float) &&
           dnnl_memory_desc_equal(&e->p[2].out, &e2->p[2].out);
}

void jahs_dnnl_conv_set_dw_native(jahs_dnnl_conv *c, int on)
{
    c->dw_native = on != 0;
}

int jahs_dnnl_conv_dw_to_user(jahs_dnnl_conv *c, int mb, const float *native,
                              float *dw, jahs_error *err)
{
    entry *e = find(c, mb);
    const pass *p;
    if (!e || !(e->have & JAHS_DNNL_BWD_WEIGHTS) || !e->p[2].r_out)
        return JAHS_FAIL(err, JAHS_ESTATE,
                         "oneDNN conv backward weights of %d images not "
                         "prepared, or its dw already in the user's layout",
                         mb);
    one_thread();
    p = &e->p[2];
    return reorder(c, &c->t[0], p->r_out, &p->out, native, &e->user_w, dw,
                   p->b_in1 + p->b_in2 + p->b_out, err);
}

int jahs_dnnl_conv_dy_blk16(const jahs_dnnl_conv *c, int mb)
{
    const entry *e = find(c, mb);
    return e && (e->have & 6) == 6 && e->share_dy && e->p[1].blk_in1;
}

int jahs_dnnl_conv_src_blk16(const jahs_dnnl_conv *c, int mb)
{
    const entry *e = find(c, mb);
    return e && (e->have & JAHS_DNNL_FWD) && e->p[0].blk_in1;
}

int jahs_dnnl_conv_forward_fill(jahs_dnnl_conv *c, int thread, int mb,
                                jahs_dnnl_dy_fill fill, void *ctx, float *y,
                                int acc, jahs_error *err)
{
    void *bx;
    if (!jahs_dnnl_conv_src_blk16(c, mb) || thread < 0 ||
        thread >= c->threads)
        return JAHS_FAIL(err, JAHS_ESTATE,
                         "oneDNN conv forward with an x producer not "
                         "prepared for %d images (thread %d), or its x "
                         "layout is not nChw16c",
                         mb, thread);
    one_thread();
    bx = c->t[thread].buf; /* the forward pass's in1 slot */
    fill(ctx, thread, bx);
    return run_pass_pre(c, thread, mb, 0, NULL, NULL, y, acc, bx, NULL, NULL,
                        NULL, err);
}

static int backward_fill(jahs_dnnl_conv *c, int thread, int mb,
                         const float *x, jahs_dnnl_dy_fill fill, void *ctx,
                         float *dw, float *dx, int acc, jahs_dnnl_dx_sink sink,
                         void *sctx, jahs_error *err)
{
    entry *e = find(c, mb);
    void *bdy;
    int rc;
    if (!jahs_dnnl_conv_dy_blk16(c, mb) || thread < 0 ||
        thread >= c->threads)
        return JAHS_FAIL(err, JAHS_ESTATE,
                         "oneDNN conv backward with a dy producer not "
                         "prepared for %d images (thread %d), or its dy "
                         "layout is not nChw16c",
                         mb, thread);
    if (sink && !jahs_dnnl_conv_dx_blk16(c, mb))
        return JAHS_FAIL(err, JAHS_ESTATE,
                         "oneDNN conv backward with a dx consumer: its dx "
                         "layout for %d images is not nChw16c",
                         mb);
    one_thread();
    bdy = c->t[thread].buf + e->off_dy;
    fill(ctx, thread, bdy);
    if ((rc = run_pass_pre(c, thread, mb, 2, x, NULL, dw, 0, NULL, bdy, NULL,
                           NULL, err)) < 0)
        return rc;
    return dx || sink ? run_pass_pre(c, thread, mb, 1, NULL, NULL, dx, acc,
                                     bdy, NULL, sink, sctx, err)
                      : 0;
}

int jahs_dnnl_conv_backward_fill(jahs_dnnl_conv *c, int thread, int mb,
                                 const float *x, jahs_dnnl_dy_fill fill,
                                 void *ctx, float *dw, float *dx, int acc,
                                 jahs_error *err)
{
    return backward_fill(c, thread, mb, x, fill, ctx, dw, dx, acc, NULL, NULL,
                         err);
}

int jahs_dnnl_conv_dx_blk16(const jahs_dnnl_conv *c, int mb)
{
    const entry *e = find(c, mb);
    return jahs_dnnl_conv_dy_blk16(c, mb) && e->p[1].blk_out;
}

int jahs_dnnl_conv_backward_fill_sink(jahs_dnnl_conv *c, int thread, int mb,
                                      const float *x, jahs_dnnl_dy_fill fill,
                                      void *ctx, float *dw,
                                      jahs_dnnl_dx_sink sink, void *sctx,
                                      jahs_error *err)
{
    return backward_fill(c, thread, mb, x, fill, ctx, dw, NULL, 0, sink, sctx,
                         err);
}

#else /* !JAHS_HAVE_DNNL */

struct jahs_dnnl_conv {
    int unused;
};

int jahs_dnnl_available(void) { return 0; }
int jahs_dnnl_preferred_block(void) { return 0; }

int jahs_dnnl_conv_dw_native(const jahs_dnnl_conv *c, int mb, int mb2)
{
    (void)c;
    (void)mb;
    (void)mb2;
    return 0;
}

void jahs_dnnl_conv_set_dw_native(jahs_dnnl_conv *c, int on)
{
    (void)c;
    (void)on;
}

int jahs_dnnl_conv_dw_to_user(jahs_dnnl_conv *c, int mb, const float *native,
                              float *dw, jahs_error *err)
{
    (void)c;
    (void)mb;
    (void)native;
    (void)dw;
    return JAHS_FAIL(err, JAHS_EUNSUPPORTED, "jahs was built without oneDNN");
}
const char *jahs_dnnl_describe(void) { return "none"; }

jahs_dnnl_conv *jahs_dnnl_conv_create(const jahs_conv_shape *s, int threads,
                                      int winograd, jahs_error *err)
{
    (void)s;
    (void)threads;
    (void)winograd;
    JAHS_FAIL(err, JAHS_EUNSUPPORTED,
              "jahs was built without oneDNN (libdnnl-dev; DNNL=0 or not "
              "found)");
    return NULL;
}

void jahs_dnnl_conv_free(jahs_dnnl_conv *c) { (void)c; }

int jahs_dnnl_conv_winograd(const jahs_dnnl_conv *c)
{
    (void)c;
    return 0;
}

int jahs_dnnl_conv_set_layout(jahs_dnnl_conv *c, int src_block, int dst_block,
                              jahs_error *err)
{
    (void)c;
    (void)src_block;
    (void)dst_block;
    return JAHS_FAIL(err, JAHS_EUNSUPPORTED, "jahs was built without oneDNN");
}

int jahs_dnnl_conv_prepare(jahs_dnnl_conv *c, int mb, int what,
                           const float *wt, jahs_error *err)
{
    (void)c;
    (void)mb;
    (void)what;
    (void)wt;
    return JAHS_FAIL(err, JAHS_EUNSUPPORTED, "jahs was built without oneDNN");
}

int jahs_dnnl_conv_forward(jahs_dnnl_conv *c, int thread, int mb,
                           const float *x, float *y, int acc, jahs_error *err)
{
    (void)c; (void)thread; (void)mb; (void)x; (void)y; (void)acc;
    return JAHS_FAIL(err, JAHS_EUNSUPPORTED, "jahs was built without oneDNN");
}

int jahs_dnnl_conv_backward_data(jahs_dnnl_conv *c, int thread, int mb,
                                 const float *dy, float *dx, int acc,
                                 jahs_error *err)
{
    (void)c; (void)thread; (void)mb; (void)dy; (void)dx; (void)acc;
    return JAHS_FAIL(err, JAHS_EUNSUPPORTED, "jahs was built without oneDNN");
}

int jahs_dnnl_conv_backward_weights(jahs_dnnl_conv *c, int thread, int mb,
                                    const float *x, const float *dy, float *dw,
                                    jahs_error *err)
{
    (void)c; (void)thread; (void)mb; (void)x; (void)dy; (void)dw;
    return JAHS_FAIL(err, JAHS_EUNSUPPORTED, "jahs was built without oneDNN");
}

int jahs_dnnl_conv_backward(jahs_dnnl_conv *c, int thread, int mb,
                            const float *x, const float *dy, float *dw,
                            float *dx, int acc, jahs_error *err)
{
    (void)c; (void)thread; (void)mb; (void)x; (void)dy; (void)dw; (void)dx;
    (void)acc;
    return JAHS_FAIL(err, JAHS_EUNSUPPORTED, "jahs was built without oneDNN");
}

const char *jahs_dnnl_conv_impl(const jahs_dnnl_conv *c, int mb)
{
    (void)c;
    (void)mb;
    return "";
}

int jahs_dnnl_conv_dy_blk16(const jahs_dnnl_conv *c, int mb)
{
    (void)c;
    (void)mb;
    return 0;
}

int jahs_dnnl_conv_src_blk16(const jahs_dnnl_conv *c, int mb)
{
    (void)c;
    (void)mb;
    return 0;
}

int jahs_dnnl_conv_forward_fill(jahs_dnnl_conv *c, int thread, int mb,
                                jahs_dnnl_dy_fill fill, void *ctx, float *y,
                                int acc, jahs_error *err)
{
    (void)c; (void)thread; (void)mb; (void)fill; (void)ctx; (void)y;
    (void)acc;
    return JAHS_FAIL(err, JAHS_EUNSUPPORTED, "jahs was built without oneDNN");
}

int jahs_dnnl_conv_backward_fill(jahs_dnnl_conv *c, int thread, int mb,
                                 const float *x, jahs_dnnl_dy_fill fill,
                                 void *ctx, float *dw, float *dx, int acc,
                                 jahs_error *err)
{
    (void)c; (void)thread; (void)mb; (void)x; (void)fill; (void)ctx;
    (void)dw; (void)dx; (void)acc;
    return JAHS_FAIL(err, JAHS_EUNSUPPORTED, "jahs was built without oneDNN");
}

int jahs_dnnl_conv_dx_blk16(const jahs_dnnl_conv *c, int mb)
{
    (void)c;
    (void)mb;
    return 0;
}

int jahs_dnnl_conv_backward_fill_sink(jahs_dnnl_conv *c, int thread, int mb,
                                      const float *x, jahs_dnnl_dy_fill fill,
                                      void *ctx, float *dw,
                                      jahs_dnnl_dx_sink sink, void *sctx,
                                      jahs_error *err)
{
    (void)c; (void)thread; (void)mb; (void)x; (void)fill; (void)ctx;
    (void)dw; (void)sink; (void)sctx;
    return JAHS_FAIL(err, JAHS_EUNSUPPORTED, "jahs was built without oneDNN");
}

#endif
