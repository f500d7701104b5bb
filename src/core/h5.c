/*
 * h5.c - see h5.h.  Every HDF5 call's status is checked; the innermost
 * message of HDF5's error stack is appended to ours so a user sees what the
 * library saw ("file signature not found", "address of object past end of
 * allocation", ...).
 *
 * The jahs header (h5.h) lives in the HDF5 user block, which libhdf5 skips:
 * it finds the superblock at offset 0, 512, 1024, ... (HDF5 File Format
 * Specification 3.0, "Disk Format: Level 0A - Format Signature and
 * Superblock"; H5Pset_userblock).  Layout of the first 24 of its 512
 * bytes, little-endian:
 *   0..6   "JAHSH5\0"      magic
 *   7      1               header version
 *   8..15  uint64          file length in bytes
 *   16..19 uint32          zlib crc32 of the whole file, bytes 16..23 as 0
 *   20..23 uint32          zlib adler32 of the same bytes
 * The sums cover every byte of the file (header, rest of the user block,
 * HDF5 data), the length catches truncation and appended bytes.
 *
 * Why crc32 + adler32 is enough for *accidental* corruption (a flipped bit
 * on a disk, a torn copy, a truncated download): crc32 alone detects every
 * burst of up to 32 bits and every odd number of flipped bits, and lets any
 * other random damage through with probability 2^-32; adler32 is a
 * different function of the same bytes (sums mod 65521, not a polynomial
 * remainder), so damage that happens to keep the crc32 changes it with
 * near certainty: about 2^-64 for random damage of files of many bytes.  It
 * is NOT a defence against a forged file: anyone can recompute both sums
 * (jahs_h5_seal does), so a hostile file still reaches libhdf5; what then
 * protects jahs is that libhdf5 parses it in another process ("the reading
 * process", at the end of this file), besides the fixed-length strings and
 * the size checks below.
 */
#include "core/h5.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "core/afile.h"
#include "core/util.h"

struct jahs_h5 {
    hid_t file;     /* in this process: a created file (or, in the reading
                       process, the opened one) */
    char *path;     /* final path */
    char *tmp;      /* temporary path while creating; NULL when opened */
    uint64_t fsize; /* bytes of the opened file (0 while creating) */
    /* an opened file: read by another process (see "the reading process") */
    int remote;
    int sock;       /* this end of the socket to it, -1 once it is gone */
    pid_t reader;   /* its pid, 0 once reaped */
    double timeout; /* seconds an answer may take */
    jahs_error lost; /* why it is gone: every later call fails with this */
};

/* the jahs header in the user block (see above) */
#define UB_SIZE 512
#define UB_MAGIC "JAHSH5" /* and its NUL: 7 bytes */
#define UB_MAGIC_LEN 7
#define UB_VERSION 1
#define UB_OFF_LEN 8
#define UB_OFF_SUM 16
#define UB_HDR 24
/* the longest string (attribute value or dataset element) jahs writes or
 * reads, NUL included */
#define STR_MAX 65536
/* the largest raw chunk a dataset may declare, and the total of a string
 * dataset (bytes): jahs's chunks are <= 512 KiB, h5py's <= 1 MiB */
#define CHUNK_MAX (64u << 20)
#define STRINGS_MAX (256u << 20)
/* deflate's maximal compression ratio (zlib's technical details: 1032:1),
 * which bounds what a chunked dataset can hold per stored byte */
#define DEFLATE_RATIO 1032u
/* the HDF5 format signature (at byte 0, 512, 1024, ... of a file) */
static const unsigned char hdf5_sig[8] = {0x89, 'H', 'D', 'F',
                                          '\r', '\n', 0x1a, '\n'};

static void quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

static herr_t walk_cb(unsigned n, const H5E_error2_t *e, void *data)
{
    char *buf = data;
    (void)n;
    if (e->desc && *e->desc)
        snprintf(buf, 256, "%s", e->desc); /* keep the innermost (last) */
    return 0;
}

/* Fill err with "<what> ('<path>'): <hdf5's own words>". */
static int h5_fail(jahs_error *err, const char *file, int line,
                   const char *path, const char *what)
{
    char detail[256] = "";
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walk_cb, detail);
    H5Eclear2(H5E_DEFAULT);
    return jahs_error_set(err, JAHS_EHDF5, file, line, "%s '%s'%s%s", what,
                          path, detail[0] ? ": " : "", detail);
}
#define H5FAIL(err, path, ...)                                                 \
    h5_fail_fmt((err), __FILE__, __LINE__, (path), __VA_ARGS__)

static int h5_fail_fmt(jahs_error *err, const char *file, int line,
                       const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int h5_fail_fmt(jahs_error *err, const char *file, int line,
                       const char *path, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return h5_fail(err, file, line, path, what);
}

static void put_le(unsigned char *p, uint64_t v, int n)
{
    int i;
    for (i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    int i;
    for (i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* The sums of the file open as f whose first UB_SIZE bytes are ub (its sum
 * field taken as 0), reading from offset UB_SIZE on; *len gets the number
 * of bytes seen.  0, or -1 on a read error. */
static int file_sums(FILE *f, const unsigned char *ub, uint32_t *crc,
                     uint32_t *adl, uint64_t *len)
{
    unsigned char hdr[UB_SIZE], *buf;
    uLong c, a;
    size_t got;
    int bad;
    memcpy(hdr, ub, UB_SIZE);
    memset(hdr + UB_OFF_SUM, 0, 8);
    c = crc32(0L, hdr, UB_SIZE);
    a = adler32(1L, hdr, UB_SIZE);
    *len = UB_SIZE;
    if (!(buf = malloc(1u << 16)) || fseek(f, UB_SIZE, SEEK_SET) != 0) {
        free(buf);
        return -1;
    }
    while ((got = fread(buf, 1, 1u << 16, f)) > 0) {
        c = crc32(c, buf, (uInt)got);
        a = adler32(a, buf, (uInt)got);
        *len += got;
    }
    bad = ferror(f);
    free(buf);
    *crc = (uint32_t)c;
    *adl = (uint32_t)a;
    return bad ? -1 : 0;
}

/* How many of the magic's and version's 8 bytes ub has. */
static int magic_match(const unsigned char *ub)
{
    static const unsigned char m[8] = {'J', 'A', 'H', 'S', 'H',
                                       '5', '\0', UB_VERSION};
    int i, k = 0;
    for (i = 0; i < 8; i++)
        k += ub[i] == m[i];
    return k;
}

/*
 * Check the jahs header of path: 1 when it has a valid one, 0 when it has
 * none (fewer than half of the magic's bytes, and the HDF5 superblock not
 * at byte 512: a file of another program or of an older jahs), a negative
 * code with err filled when the header or the file is damaged.  *fsize
 * gets the file's length.
 */
static int verify_sum(const char *path, const char *remedy, uint64_t *fsize,
                      jahs_error *err)
{
    unsigned char ub[UB_SIZE];
    struct stat st;
    uint32_t crc, adl;
    uint64_t want, seen;
    size_t got;
    int m, rc = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return JAHS_FAIL(err, JAHS_EIO, "cannot open '%s': %s", path,
                         strerror(errno));
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return JAHS_FAIL(err, JAHS_EIO, "cannot open '%s': not a regular file",
                         path);
    }
    *fsize = (uint64_t)st.st_size;
    memset(ub, 0, sizeof ub);
    got = fread(ub, 1, UB_SIZE, f);
    m = magic_match(ub);
    if (m < 4) {
        /* a file laid out as jahs writes one (the superblock at byte 512)
         * is judged as one: a destroyed header (a zeroed first block,
         * overwritten bytes) is damage, never a foreign file.  Other
         * programs' files have their superblock at 0 (h5py's default); one
         * with a user block of exactly 512 bytes (h5jam) is refused too,
         * and the message says how to strip it */
        unsigned char at[8];
        int s = got == UB_SIZE && fread(at, 1, 8, f) == 8 &&
                memcmp(at, hdf5_sig, 8) == 0;
        fclose(f);
        if (!s)
            return 0; /* no jahs header */
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "'%s': checksum mismatch: the file is damaged (its "
                         "jahs header is missing from its user block; %s; a "
                         "file of another program with a 512-byte user "
                         "block: strip the block with h5unjam)",
                         path, remedy);
    }
    if (m == 7 && memcmp(ub, UB_MAGIC, UB_MAGIC_LEN) == 0) {
        fclose(f);
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "'%s': jahs header version %d, this jahs reads "
                         "version %d (damaged, or written by a newer jahs; %s)",
                         path, ub[7], UB_VERSION, remedy);
    }
    want = get_le(ub + UB_OFF_LEN, 8);
    if (m < 8 || got < UB_SIZE) {
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "'%s': checksum mismatch: the file is damaged (its "
                       "jahs header is corrupt; %s)",
                       path, remedy);
    } else if (want != *fsize) {
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "'%s': checksum mismatch: the file is damaged (it has "
                       "%llu bytes, its jahs header says %llu: truncated or "
                       "appended to; %s)",
                       path, (unsigned long long)*fsize,
                       (unsigned long long)want, remedy);
    } else if (file_sums(f, ub, &crc, &adl, &seen) != 0) {
        rc = JAHS_FAIL(err, JAHS_EIO, "cannot read '%s': %s", path,
                       strerror(errno));
    } else if (seen != want || crc != get_le(ub + UB_OFF_SUM, 4) ||
               adl != get_le(ub + UB_OFF_SUM + 4, 4)) {
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "'%s': checksum mismatch: the file is damaged (%s)",
                       path, remedy);
    }
    fclose(f);
    return rc ? rc : 1;
}

/* Write the jahs header of the file at path, which has a user block. */
static int write_sum(const char *path, jahs_error *err)
{
    unsigned char ub[UB_SIZE], at[8];
    uint32_t crc = 0, adl = 0;
    uint64_t len;
    int ok;
    FILE *f = fopen(path, "r+b");
    if (!f)
        return JAHS_FAIL(err, JAHS_EIO, "cannot open '%s': %s", path,
                         strerror(errno));
    /* a user block of ours: the HDF5 signature right after it */
    if (fread(ub, 1, UB_SIZE, f) != UB_SIZE || fread(at, 1, 8, f) != 8 ||
        memcmp(at, hdf5_sig, 8) != 0) {
        fclose(f);
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "'%s' has no %d-byte user block before its HDF5 "
                         "superblock (not written by jahs_h5_create)",
                         path, UB_SIZE);
    }
    memset(ub, 0, UB_HDR);
    memcpy(ub, UB_MAGIC, UB_MAGIC_LEN);
    ub[7] = UB_VERSION;
    ok = fseek(f, 0, SEEK_END) == 0;
    len = ok ? (uint64_t)ftell(f) : 0;
    put_le(ub + UB_OFF_LEN, len, 8);
    ok = ok && file_sums(f, ub, &crc, &adl, &len) == 0;
    put_le(ub + UB_OFF_SUM, crc, 4);
    put_le(ub + UB_OFF_SUM + 4, adl, 4);
    ok = ok && fseek(f, 0, SEEK_SET) == 0 &&
         fwrite(ub, 1, UB_HDR, f) == UB_HDR && fflush(f) == 0 &&
         fsync(fileno(f)) == 0;
    if (fclose(f) != 0)
        ok = 0;
    if (!ok)
        return JAHS_FAIL(err, JAHS_EIO, "cannot write the jahs header of '%s': %s",
                         path, strerror(errno));
    return 0;
}

int jahs_h5_seal(const char *path, jahs_error *err)
{
    return write_sum(path, err);
}

int jahs_h5_sniff(const void *head, size_t n)
{
    return n >= 8 && (memcmp(head, hdf5_sig, 8) == 0 ||
                      memcmp(head, UB_MAGIC, UB_MAGIC_LEN) == 0);
}

jahs_h5 *jahs_h5_create(const char *path, jahs_error *err)
{
    jahs_h5 *h;
    quiet();
    h = calloc(1, sizeof *h);
    if (!h || !(h->path = jahs_strdup(path))) {
        free(h);
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    /* a fresh file of ours (O_EXCL), which HDF5 then truncates and fills */
    if (!(h->tmp = jahs_afile_tmp_create(path, NULL, err))) {
        free(h->path);
        free(h);
        return NULL;
    }
    {
        /* no object timestamps: the same data gives the same bytes */
        /* and a user block for the jahs header, filled at commit */
        hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
        if (fcpl >= 0 && (H5Pset_obj_track_times(fcpl, 0) < 0 ||
                          H5Pset_userblock(fcpl, UB_SIZE) < 0)) {
            H5Pclose(fcpl);
            fcpl = -1;
        }
        h->file = fcpl >= 0 ? H5Fcreate(h->tmp, H5F_ACC_TRUNC, fcpl,
                                        H5P_DEFAULT)
                            : -1;
        if (fcpl >= 0)
            H5Pclose(fcpl);
    }
    if (h->file < 0) {
        H5FAIL(err, h->tmp, "cannot create HDF5 file");
        jahs_afile_tmp_remove(h->tmp);
        free(h->path);
        free(h);
        return NULL;
    }
    return h;
}

/* the reading process (below) */
static jahs_h5 *reader_start(const char *path, uint64_t fsize,
                             jahs_error *err);
static int reader_stop(jahs_h5 *h);

jahs_h5 *jahs_h5_open(const char *path, jahs_error *err)
{
    return jahs_h5_open_verified(path, 0, NULL, err);
}

jahs_h5 *jahs_h5_open_verified(const char *path, unsigned flags,
                               const char *remedy, jahs_error *err)
{
    uint64_t fsize = 0;
    int sum;
    if (!jahs_path_exists(path)) {
        /* (what would make the file is the caller's to say: a table, a
         * dataset and a checkpoint are made differently) */
        JAHS_FAIL(err, JAHS_EIO, "cannot open '%s': no such file", path);
        return NULL;
    }
    if (!remedy)
        remedy = "write it again with jahs";
    /* before libhdf5 parses a byte of it */
    if ((sum = verify_sum(path, remedy, &fsize, err)) < 0)
        return NULL;
    if (sum == 0 && (flags & JAHS_H5_REQUIRE_SUM)) {
        JAHS_FAIL(err, JAHS_EFORMAT,
                  "'%s' carries no jahs checksum (written by a jahs older "
                  "than its checksummed formats, or by another program); %s",
                  path, remedy);
        return NULL;
    }
    return reader_start(path, fsize, err);
}

/* In the reading process: open h->path with libhdf5. */
static int local_open(jahs_h5 *h, jahs_error *err)
{
    quiet();
    if (H5Fis_hdf5(h->path) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "'%s' is not a readable HDF5 file (corrupt or "
                         "truncated?)",
                         h->path);
    }
    h->file = H5Fopen(h->path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (h->file < 0)
        return h5_fail(err, __FILE__, __LINE__, h->path,
                       "cannot open HDF5 file");
    return 0;
}

const char *jahs_h5_path(const jahs_h5 *h) { return h->path; }

int jahs_h5_commit(jahs_h5 *h, jahs_error *err)
{
    int rc = 0;
    if (!h->tmp) {
        jahs_h5_close(h);
        return JAHS_FAIL(err, JAHS_ESTATE, "HDF5 file was opened, not created");
    }
    if (H5Fflush(h->file, H5F_SCOPE_GLOBAL) < 0 || H5Fclose(h->file) < 0) {
        rc = h5_fail(err, __FILE__, __LINE__, h->tmp, "cannot write HDF5 file");
        jahs_afile_tmp_remove(h->tmp);
    } else if ((rc = write_sum(h->tmp, err))) {
        /* the header is written before the rename: nothing half-made is
         * ever at path */
        jahs_afile_tmp_remove(h->tmp);
    } else {
        rc = jahs_afile_tmp_commit(h->tmp, h->path, err);
    }
    free(h->path);
    free(h);
    return rc;
}

void jahs_h5_close(jahs_h5 *h)
{
    if (!h)
        return;
    if (h->remote) {
        reader_stop(h);
        free(h->path);
        free(h);
        return;
    }
    H5Fclose(h->file);
    H5Eclear2(H5E_DEFAULT);
    jahs_afile_tmp_remove(h->tmp);
    free(h->path);
    free(h);
}

static int local_exists(jahs_h5 *h, const char *name)
{
    /* check each prefix: H5Lexists fails on a missing intermediate group */
    char buf[512];
    size_t i, n = strlen(name);
    if (n >= sizeof buf)
        return 0;
    for (i = 1; i <= n; i++) {
        if (i < n && name[i] != '/')
            continue;
        memcpy(buf, name, i);
        buf[i] = '\0';
        if (H5Lexists(h->file, buf, H5P_DEFAULT) <= 0) {
            H5Eclear2(H5E_DEFAULT);
            return 0;
        }
    }
    return 1;
}

static hid_t mem_type(jahs_h5_type t)
{
    switch (t) {
    case JAHS_H5_U8: return H5T_NATIVE_UINT8;
    case JAHS_H5_I16: return H5T_NATIVE_INT16;
    case JAHS_H5_I32: return H5T_NATIVE_INT32;
    case JAHS_H5_I64: return H5T_NATIVE_INT64;
    case JAHS_H5_F32: return H5T_NATIVE_FLOAT;
    default: return H5T_NATIVE_DOUBLE;
    }
}

/* Little-endian file types, so files are the same on every platform. */
static hid_t file_type(jahs_h5_type t)
{
    switch (t) {
    case JAHS_H5_U8: return H5T_STD_U8LE;
    case JAHS_H5_I16: return H5T_STD_I16LE;
    case JAHS_H5_I32: return H5T_STD_I32LE;
    case JAHS_H5_I64: return H5T_STD_I64LE;
    case JAHS_H5_F32: return H5T_IEEE_F32LE;
    default: return H5T_IEEE_F64LE;
    }
}

static hid_t link_props(void)
{
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    if (lcpl >= 0)
        H5Pset_create_intermediate_group(lcpl, 1);
    return lcpl;
}

static int write_dataset(jahs_h5 *h, const char *name, hid_t ftype,
                         hid_t mtype, int rank, const hsize_t *dims,
                         const void *data, int deflate, jahs_error *err)
{
    hid_t space = -1, dcpl = -1, lcpl = -1, ds = -1;
    int rc = 0, vlen;
    space = H5Screate_simple(rank, dims, NULL);
    dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (dcpl >= 0)
        H5Pset_obj_track_times(dcpl, 0); /* reproducible bytes */
    lcpl = link_props();
    if (space < 0 || dcpl < 0 || lcpl < 0) {
        rc = H5FAIL(err, h->path, "cannot prepare dataset '%s' in", name);
        goto out;
    }
    /* (jahs writes no variable-length strings any more; the test stays for
     * a type that would be one) */
    vlen = H5Tis_variable_str(ftype) > 0;
    if (!vlen || deflate > 0) {
        hsize_t chunk[JAHS_H5_MAX_RANK];
        size_t esize = H5Tget_size(ftype);
        int i;
        /* chunks of about 64k elements along the first axis, each with a
         * Fletcher-32 checksum (added after the compression, so it covers
         * the stored bytes): a flipped byte is an error on read, never a
         * silently different table, dataset or checkpoint (issue 15,
         * class 7) */
        hsize_t row = 1;
        for (i = 1; i < rank; i++) {
            chunk[i] = dims[i];
            row *= dims[i];
        }
        chunk[0] = 65536 / (row ? row : 1);
        /* and at most 1 MiB a chunk (long fixed-length strings), well
         * below what a reader accepts (CHUNK_MAX) */
        if (esize > 0 && chunk[0] * row * esize > (1u << 20))
            chunk[0] = (1u << 20) / (row * esize);
        if (chunk[0] < 1)
            chunk[0] = 1;
        if (chunk[0] > dims[0])
            chunk[0] = dims[0];
        if (H5Pset_chunk(dcpl, rank, chunk) < 0 ||
            (deflate > 0 && (H5Pset_shuffle(dcpl) < 0 ||
                             H5Pset_deflate(dcpl, (unsigned)deflate) < 0)) ||
            (!vlen && H5Pset_fletcher32(dcpl) < 0)) {
            rc = H5FAIL(err, h->path, "cannot set compression of '%s' in", name);
            goto out;
        }
    }
    ds = H5Dcreate2(h->file, name, ftype, space, lcpl, dcpl, H5P_DEFAULT);
    if (ds < 0) {
        rc = H5FAIL(err, h->path, "cannot create dataset '%s' in", name);
        goto out;
    }
    if (H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        rc = H5FAIL(err, h->path, "cannot write dataset '%s' in", name);
out:
    if (ds >= 0)
        H5Dclose(ds);
    if (lcpl >= 0)
        H5Pclose(lcpl);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    return rc;
}

int jahs_h5_write(jahs_h5 *h, const char *name, jahs_h5_type type, int rank,
                  const uint64_t *dims, const void *data, int deflate,
                  jahs_error *err)
{
    hsize_t d[JAHS_H5_MAX_RANK];
    int i;
    if (rank < 1 || rank > JAHS_H5_MAX_RANK)
        return JAHS_FAIL(err, JAHS_EINVAL, "bad rank %d for '%s'", rank, name);
    for (i = 0; i < rank; i++) {
        if (dims[i] == 0)
            return JAHS_FAIL(err, JAHS_EINVAL, "empty dimension in '%s'", name);
        d[i] = (hsize_t)dims[i];
    }
    return write_dataset(h, name, file_type(type), mem_type(type), rank, d,
                         data, deflate, err);
}

/* A fixed-length, NUL-terminated UTF-8 string type of size bytes (NUL
 * included), or -1. */
static hid_t fixed_str_type(size_t size)
{
    hid_t st = H5Tcopy(H5T_C_S1);
    if (st >= 0 && (H5Tset_size(st, size) < 0 ||
                    H5Tset_strpad(st, H5T_STR_NULLTERM) < 0 ||
                    H5Tset_cset(st, H5T_CSET_UTF8) < 0)) {
        H5Tclose(st);
        st = -1;
    }
    return st;
}

int jahs_h5_write_strings(jahs_h5 *h, const char *name,
                          const char *const *strs, size_t n, int deflate,
                          jahs_error *err)
{
    hid_t st;
    hsize_t d = (hsize_t)n;
    size_t i, w = 1;
    char *buf;
    int rc;
    if (n == 0)
        return JAHS_FAIL(err, JAHS_EINVAL, "empty string dataset '%s'", name);
    for (i = 0; i < n; i++) {
        size_t l = strlen(strs[i]) + 1;
        if (l > STR_MAX)
            return JAHS_FAIL(err, JAHS_EINVAL,
                             "string %zu of dataset '%s' has %zu bytes, more "
                             "than the %d jahs writes",
                             i, name, l - 1, STR_MAX - 1);
        if (l > w)
            w = l;
    }
    if (n > STRINGS_MAX / w)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "string dataset '%s': %zu strings of up to %zu "
                         "bytes, more than the %u bytes jahs writes",
                         name, n, w, STRINGS_MAX);
    if ((st = fixed_str_type(w)) < 0)
        return H5FAIL(err, h->path, "cannot make a string type for '%s' in",
                      name);
    if (!(buf = calloc(n, w))) {
        H5Tclose(st);
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    }
    for (i = 0; i < n; i++)
        memcpy(buf + i * w, strs[i], strlen(strs[i]));
    rc = write_dataset(h, name, st, st, 1, &d, buf, deflate, err);
    free(buf);
    H5Tclose(st);
    return rc;
}

static hid_t open_dataset(jahs_h5 *h, const char *name, jahs_error *err)
{
    hid_t ds;
    if (!local_exists(h, name)) {
        JAHS_FAIL(err, JAHS_EFORMAT, "'%s' has no dataset '%s'", h->path, name);
        return -1;
    }
    ds = H5Dopen2(h->file, name, H5P_DEFAULT);
    if (ds < 0)
        H5FAIL(err, h->path, "cannot open dataset '%s' in", name);
    return ds;
}

/*
 * Check what dataset ds (count elements of esize bytes in the file) declares
 * against the file before a read lets libhdf5 allocate for it: a chunk of
 * at most CHUNK_MAX bytes and not more than the dataset itself (or 1 MiB),
 * at most the file's size of stored bytes (the sum of the chunks' stored
 * sizes: a corrupt chunk record claiming 4 GB is refused here), and at
 * most DEFLATE_RATIO times the file's size in all.
 */
static int check_storage(jahs_h5 *h, hid_t ds, const char *name,
                         uint64_t count, size_t esize, jahs_error *err)
{
    hid_t dcpl = H5Dget_create_plist(ds);
    hsize_t cd[32];
    uint64_t total, chunk = 1, stored;
    int rank = 0, i, chunked;
    if (dcpl < 0)
        return H5FAIL(err, h->path, "cannot inspect dataset '%s' in", name);
    chunked = H5Pget_layout(dcpl) == H5D_CHUNKED;
    if (chunked)
        rank = H5Pget_chunk(dcpl, 32, cd);
    H5Pclose(dcpl);
    if (chunked && (rank < 1 || rank > 32)) {
        return H5FAIL(err, h->path, "cannot read the chunks of '%s' in", name);
    }
    if (esize == 0 || esize > STR_MAX)
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "dataset '%s' in '%s' has elements of %zu bytes "
                         "(expected 1..%d)",
                         name, h->path, esize, STR_MAX);
    total = count > UINT64_MAX / esize ? UINT64_MAX : count * esize;
    /* chunk: elements, then bytes, saturating at UINT64_MAX (0: corrupt) */
    for (i = 0; i < rank; i++)
        chunk = cd[i] == 0 || (chunk > UINT64_MAX / cd[i]) ? UINT64_MAX
                                                           : chunk * cd[i];
    chunk = chunk > UINT64_MAX / esize ? UINT64_MAX : chunk * esize;
    if (chunked &&
        (chunk > CHUNK_MAX || chunk > (total > (1u << 20) ? total : (1u << 20))))
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "dataset '%s' in '%s' declares chunks of %s%llu bytes "
                         "for %llu bytes of data (jahs reads chunks of at most "
                         "%u bytes and the data's size): corrupt",
                         name, h->path, chunk == UINT64_MAX ? "over " : "",
                         (unsigned long long)(chunk == UINT64_MAX ? CHUNK_MAX
                                                                  : chunk),
                         (unsigned long long)total, CHUNK_MAX);
    if (h->fsize && total / DEFLATE_RATIO > h->fsize)
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "dataset '%s' in '%s' declares %llu bytes of data, "
                         "more than a %llu-byte file can hold even deflated "
                         "(%u:1): corrupt",
                         name, h->path, (unsigned long long)total,
                         (unsigned long long)h->fsize, DEFLATE_RATIO);
    stored = H5Dget_storage_size(ds);
    H5Eclear2(H5E_DEFAULT);
    if (h->fsize && stored > h->fsize)
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "dataset '%s' in '%s' declares %llu stored bytes, "
                         "more than the file's %llu: corrupt",
                         name, h->path, (unsigned long long)stored,
                         (unsigned long long)h->fsize);
    return 0;
}

static int local_shape(jahs_h5 *h, const char *name, int *rank,
                       uint64_t *dims, jahs_error *err)
{
    hid_t ds = open_dataset(h, name, err), sp;
    hsize_t d[JAHS_H5_MAX_RANK];
    int r, i;
    if (ds < 0)
        return err ? err->code : JAHS_EHDF5;
    sp = H5Dget_space(ds);
    r = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    if (r < 0 || r > JAHS_H5_MAX_RANK ||
        H5Sget_simple_extent_dims(sp, d, NULL) < 0) {
        if (sp >= 0)
            H5Sclose(sp);
        H5Dclose(ds);
        return H5FAIL(err, h->path, "cannot read the shape of '%s' in", name);
    }
    {
        /* what a caller allocates from these dims must fit the file */
        hid_t ft = H5Dget_type(ds);
        uint64_t count = 1;
        int big = 0, rc;
        for (i = 0; i < r; i++) {
            if (d[i] && count > UINT64_MAX / d[i])
                big = 1;
            else
                count *= d[i];
        }
        rc = ft < 0 ? H5FAIL(err, h->path, "cannot inspect dataset '%s' in",
                             name)
                    : check_storage(h, ds, name, big ? UINT64_MAX : count,
                                    H5Tget_size(ft), err);
        if (ft >= 0)
            H5Tclose(ft);
        if (rc) {
            H5Sclose(sp);
            H5Dclose(ds);
            return rc;
        }
    }
    *rank = r;
    for (i = 0; i < r; i++)
        dims[i] = (uint64_t)d[i];
    H5Sclose(sp);
    H5Dclose(ds);
    return 0;
}

static int local_is_integer(jahs_h5 *h, const char *name, jahs_error *err)
{
    hid_t ds = open_dataset(h, name, err), ft;
    int is_int;
    if (ds < 0)
        return err ? err->code : JAHS_EHDF5;
    ft = H5Dget_type(ds);
    is_int = ft >= 0 && H5Tget_class(ft) == H5T_INTEGER;
    if (ft >= 0)
        H5Tclose(ft);
    H5Dclose(ds);
    return is_int;
}

static int local_read(jahs_h5 *h, const char *name, jahs_h5_type type,
                      void *out, size_t n, jahs_error *err)
{
    hid_t ds, sp, ft;
    hssize_t count;
    H5T_class_t cls;
    int rc = 0;
    if ((ds = open_dataset(h, name, err)) < 0)
        return err ? err->code : JAHS_EHDF5;
    sp = H5Dget_space(ds);
    ft = H5Dget_type(ds);
    count = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    cls = ft >= 0 ? H5Tget_class(ft) : H5T_NO_CLASS;
    if (count < 0 || cls == H5T_NO_CLASS) {
        rc = H5FAIL(err, h->path, "cannot inspect dataset '%s' in", name);
    } else if (cls != H5T_INTEGER && cls != H5T_FLOAT) {
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "dataset '%s' in '%s' is not numeric", name, h->path);
    } else if ((size_t)count != n) {
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "dataset '%s' in '%s' has %lld elements, expected %zu",
                       name, h->path, (long long)count, n);
    } else if ((rc = check_storage(h, ds, name, (uint64_t)count,
                                   H5Tget_size(ft), err))) {
        /* (err filled) */
    } else if (H5Dread(ds, mem_type(type), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                       out) < 0) {
        rc = H5FAIL(err, h->path, "cannot read dataset '%s' in", name);
    }
    if (ft >= 0)
        H5Tclose(ft);
    if (sp >= 0)
        H5Sclose(sp);
    H5Dclose(ds);
    return rc;
}

/* The message for a variable-length string (what, e.g. "attribute 'x' of
 * '/'"). */
static int vlen_refused(jahs_error *err, const char *what, const char *path)
{
    return JAHS_FAIL(err, JAHS_EFORMAT,
                     "%s in '%s' is a variable-length string; jahs reads "
                     "fixed-length strings only (jahs before table format 3, "
                     "checkpoint format 2 and image format 2 wrote "
                     "variable-length ones: rebuild the file with 'make "
                     "tables', retrain, or 'jahs data convert' again; from "
                     "h5py store numpy bytes, e.g. np.bytes_(s))",
                     what, path);
}

static int local_read_strings(jahs_h5 *h, const char *name, char ***out,
                              size_t *n, jahs_error *err)
{
    hid_t ds, sp = -1, ft = -1;
    hssize_t count;
    char *raw = NULL, **copy = NULL;
    size_t i, w = 0;
    int rc = 0;
    if ((ds = open_dataset(h, name, err)) < 0)
        return err ? err->code : JAHS_EHDF5;
    sp = H5Dget_space(ds);
    ft = H5Dget_type(ds);
    count = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    if (count < 0 || ft < 0) {
        rc = H5FAIL(err, h->path, "cannot inspect dataset '%s' in", name);
        goto out;
    }
    if (H5Tget_class(ft) != H5T_STRING) {
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "dataset '%s' in '%s' is not a string dataset", name,
                       h->path);
        goto out;
    }
    /* decided from the type alone: the strings themselves (in the global
     * heap) are never read */
    if (H5Tis_variable_str(ft) != 0) {
        char what[600];
        snprintf(what, sizeof what, "dataset '%s'", name);
        rc = vlen_refused(err, what, h->path);
        goto out;
    }
    w = H5Tget_size(ft);
    if (w == 0 || w > STR_MAX || (size_t)count > STRINGS_MAX / w) {
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "dataset '%s' in '%s': %lld strings of %zu bytes "
                       "(jahs reads strings of 1..%d bytes, %u bytes in all)",
                       name, h->path, (long long)count, w, STR_MAX,
                       STRINGS_MAX);
        goto out;
    }
    if ((rc = check_storage(h, ds, name, (uint64_t)count, w, err)))
        goto out;
    raw = malloc((size_t)count * w + 1);
    copy = calloc((size_t)count + 1, sizeof *copy);
    if (!raw || !copy) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    /* read in the file's own type: no conversion, count x w bytes */
    if (H5Dread(ds, ft, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) < 0) {
        rc = H5FAIL(err, h->path, "cannot read dataset '%s' in", name);
        goto out;
    }
    for (i = 0; i < (size_t)count; i++) {
        const char *s = raw + i * w;
        size_t l = strnlen(s, w);
        if (!(copy[i] = malloc(l + 1))) {
            rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
            break;
        }
        memcpy(copy[i], s, l);
        copy[i][l] = '\0';
    }
    if (rc == 0) {
        *out = copy;
        *n = (size_t)count;
        copy = NULL;
    }
out:
    if (copy)
        jahs_h5_free_strings(copy, (size_t)(count > 0 ? count : 0));
    free(raw);
    if (ft >= 0)
        H5Tclose(ft);
    if (sp >= 0)
        H5Sclose(sp);
    H5Dclose(ds);
    return rc;
}

void jahs_h5_free_strings(char **s, size_t n)
{
    size_t i;
    if (!s)
        return;
    for (i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

static hid_t open_obj(jahs_h5 *h, const char *obj, jahs_error *err)
{
    hid_t o;
    if (strcmp(obj, "/") != 0 && !local_exists(h, obj)) {
        JAHS_FAIL(err, JAHS_EFORMAT, "'%s' has no object '%s'", h->path, obj);
        return -1;
    }
    o = H5Oopen(h->file, obj, H5P_DEFAULT);
    if (o < 0)
        H5FAIL(err, h->path, "cannot open object '%s' in", obj);
    return o;
}

static int attr_write(jahs_h5 *h, const char *obj, const char *key,
                      hid_t type, const void *value, jahs_error *err)
{
    hid_t o = open_obj(h, obj, err), sp = -1, a = -1;
    int rc = 0;
    if (o < 0)
        return err ? err->code : JAHS_EHDF5;
    if (H5Aexists(o, key) > 0)
        H5Adelete(o, key);
    sp = H5Screate(H5S_SCALAR);
    a = sp >= 0 ? H5Acreate2(o, key, type, sp, H5P_DEFAULT, H5P_DEFAULT) : -1;
    if (a < 0 || H5Awrite(a, type, value) < 0)
        rc = H5FAIL(err, h->path, "cannot write attribute '%s' of '%s' in", key,
                    obj);
    if (a >= 0)
        H5Aclose(a);
    if (sp >= 0)
        H5Sclose(sp);
    H5Oclose(o);
    return rc;
}

int jahs_h5_attr_set_str(jahs_h5 *h, const char *obj, const char *key,
                         const char *value, jahs_error *err)
{
    size_t l = strlen(value) + 1;
    hid_t st;
    int rc;
    if (l > STR_MAX)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "attribute '%s' of '%s': %zu bytes, more than the %d "
                         "jahs writes",
                         key, obj, l - 1, STR_MAX - 1);
    if ((st = fixed_str_type(l)) < 0)
        return H5FAIL(err, h->path, "cannot make a string type for '%s' in",
                      key);
    rc = attr_write(h, obj, key, st, value, err);
    H5Tclose(st);
    return rc;
}

int jahs_h5_attr_set_double(jahs_h5 *h, const char *obj, const char *key,
                            double value, jahs_error *err)
{
    return attr_write(h, obj, key, H5T_NATIVE_DOUBLE, &value, err);
}

int jahs_h5_attr_set_long(jahs_h5 *h, const char *obj, const char *key,
                          long value, jahs_error *err)
{
    int64_t v = value;
    return attr_write(h, obj, key, H5T_NATIVE_INT64, &v, err);
}

static int local_attr_exists(jahs_h5 *h, const char *obj, const char *key)
{
    hid_t o;
    int ex;
    if (strcmp(obj, "/") != 0 && !local_exists(h, obj))
        return 0;
    o = H5Oopen(h->file, obj, H5P_DEFAULT);
    if (o < 0) {
        H5Eclear2(H5E_DEFAULT);
        return 0;
    }
    ex = H5Aexists(o, key) > 0;
    H5Oclose(o);
    H5Eclear2(H5E_DEFAULT);
    return ex;
}

static hid_t open_attr(jahs_h5 *h, const char *obj, const char *key,
                       hid_t *o, jahs_error *err)
{
    hid_t a;
    *o = open_obj(h, obj, err);
    if (*o < 0)
        return -1;
    if (H5Aexists(*o, key) <= 0) {
        H5Oclose(*o);
        JAHS_FAIL(err, JAHS_EFORMAT, "'%s' has no attribute '%s' on '%s'",
                  h->path, key, obj);
        return -1;
    }
    a = H5Aopen(*o, key, H5P_DEFAULT);
    if (a < 0) {
        H5Oclose(*o);
        H5FAIL(err, h->path, "cannot open attribute '%s' of '%s' in", key, obj);
        return -1;
    }
    {
        /* one value: H5Aread writes every element into our one */
        hid_t sp = H5Aget_space(a);
        hssize_t np = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
        if (sp >= 0)
            H5Sclose(sp);
        if (np != 1) {
            H5Aclose(a);
            H5Oclose(*o);
            H5Eclear2(H5E_DEFAULT);
            JAHS_FAIL(err, JAHS_EFORMAT,
                      "attribute '%s' of '%s' in '%s' holds %lld values, "
                      "expected one",
                      key, obj, h->path, (long long)np);
            return -1;
        }
    }
    return a;
}

static int local_attr_get_str(jahs_h5 *h, const char *obj, const char *key,
                              char **out, jahs_error *err)
{
    hid_t o, a = open_attr(h, obj, key, &o, err), at;
    char *raw = NULL;
    size_t w = 0;
    int rc = 0;
    if (a < 0)
        return err ? err->code : JAHS_EHDF5;
    at = H5Aget_type(a);
    if (at < 0 || H5Tget_class(at) != H5T_STRING) {
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "attribute '%s' of '%s' in '%s' is not a string", key,
                       obj, h->path);
    } else if (H5Tis_variable_str(at) != 0) {
        /* decided from the type alone: the global heap is never read */
        char what[600];
        snprintf(what, sizeof what, "attribute '%s' of '%s'", key, obj);
        rc = vlen_refused(err, what, h->path);
    } else if ((w = H5Tget_size(at)) == 0 || w > STR_MAX) {
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "attribute '%s' of '%s' in '%s' is a string of %zu "
                       "bytes (jahs reads 1..%d)",
                       key, obj, h->path, w, STR_MAX);
    } else if (!(raw = calloc(1, w + 1))) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    } else if (H5Aread(a, at, raw) < 0) {
        /* (in the file's own type: no conversion, w bytes) */
        rc = H5FAIL(err, h->path, "cannot read attribute '%s' of '%s' in", key,
                    obj);
    } else {
        raw[w] = '\0';
        *out = raw;
        raw = NULL;
    }
    free(raw);
    if (at >= 0)
        H5Tclose(at);
    H5Aclose(a);
    H5Oclose(o);
    return rc;
}

static int attr_read_num(jahs_h5 *h, const char *obj, const char *key,
                         hid_t mt, void *out, jahs_error *err)
{
    hid_t o, a = open_attr(h, obj, key, &o, err), at;
    int rc = 0;
    H5T_class_t cls;
    if (a < 0)
        return err ? err->code : JAHS_EHDF5;
    at = H5Aget_type(a);
    cls = at >= 0 ? H5Tget_class(at) : H5T_NO_CLASS;
    if ((cls != H5T_INTEGER && cls != H5T_FLOAT) || H5Tget_size(at) == 0 ||
        H5Tget_size(at) > 16)
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "attribute '%s' of '%s' in '%s' is not numeric", key,
                       obj, h->path);
    else if (H5Aread(a, mt, out) < 0)
        rc = H5FAIL(err, h->path, "cannot read attribute '%s' of '%s' in", key,
                    obj);
    if (at >= 0)
        H5Tclose(at);
    H5Aclose(a);
    H5Oclose(o);
    return rc;
}


/* ---- the reading process ------------------------------------------------
 *
 * libhdf5 (Debian 12's 1.10.8) faults on crafted files: reads past its
 * buffers, leaks, crashes (REPRODUCE.md, "Reliability": what the fuzzers
 * found inside it).  The jahs header catches damage, not forgery, and an
 * HDF5 file of another program (an image dataset written with h5py) has no
 * header at all.  So no file opened for reading is parsed by libhdf5 in
 * this process: jahs_h5_open_verified forks a reading process that opens
 * it and answers requests (the read operations of h5.h) over a socket
 * pair; the data comes back by value, and everything this process keeps
 * is checked here (sizes, NULs).  When libhdf5 crashes, loops or corrupts
 * that process, this one gets an error naming the file and how the reader
 * ended, and goes on.  The reader inherits nothing it could misuse: its
 * other descriptors are closed (a results directory's lock stays this
 * process's alone), stdin / stdout / stderr are /dev/null (a sanitizer's
 * report of libhdf5's fault is not ours to print), it dies with its parent
 * (PR_SET_PDEATHSIG) and ends with _exit (no atexit handler, no stdio
 * flush, no MPI finalize, no leak check of a library's leaks).  A fork
 * costs about a millisecond; each request a round trip.
 */

enum {
    OP_OPEN = 0, /* the answer to the fork: the file is open */
    OP_EXISTS,
    OP_SHAPE,
    OP_IS_INT,
    OP_READ,
    OP_STRINGS,
    OP_ATTR_EXISTS,
    OP_ATTR_STR,
    OP_ATTR_DOUBLE,
    OP_ATTR_LONG
};

/* a request: the head, then name_len bytes of name and key_len of key,
 * each with its NUL */
typedef struct {
    uint32_t op, type;
    uint64_t n; /* OP_READ: elements */
    uint32_t name_len, key_len;
} rq_head;

/* an answer: the head, then bytes of payload (the data of OP_READ, the
 * strings of OP_STRINGS one after another with their NULs, the value of
 * OP_ATTR_STR with its NUL) */
typedef struct {
    int32_t rc; /* the operation's return: >= 0, or an error code */
    int32_t rank;
    uint64_t dims[JAHS_H5_MAX_RANK];
    double d;
    int64_t l;
    uint64_t count; /* OP_STRINGS: strings */
    uint64_t bytes;
    char msg[JAHS_ERROR_MSG_MAX]; /* the error, when rc < 0 */
} rp_head;

/* names and keys jahs asks for are short; a bound keeps a request sane */
#define NAME_MAX_BYTES 4096
/* the default JAHS_H5_TIMEOUT: an answer (the largest read decompressed)
 * that takes longer means the reader is stuck */
#define READER_TIMEOUT_S 300.0

/* sanitizers' death callback (compiler-rt, sanitizer/common_interface_defs.h;
 * weak: absent without a sanitizer): a fuzzer's would report the reader's
 * crash as its own */
extern void __sanitizer_set_death_callback(void (*callback)(void))
    __attribute__((weak));

static size_t type_size(uint32_t t)
{
    switch (t) {
    case JAHS_H5_U8: return 1;
    case JAHS_H5_I16: return 2;
    case JAHS_H5_I32:
    case JAHS_H5_F32: return 4;
    case JAHS_H5_I64:
    case JAHS_H5_F64: return 8;
    default: return 0;
    }
}

/* All n bytes to or from fd, waiting at most timeout seconds for each
 * piece (< 0: no limit).  0, -1 on an error or the end of the stream
 * (errno, 0 for the end), -2 on the timeout. */
static int io_all(int fd, void *buf, size_t n, int writing, double timeout)
{
    char *p = buf;
    while (n > 0) {
        ssize_t k;
        if (timeout >= 0) {
            struct pollfd pf;
            double ms = timeout * 1000.0;
            int r;
            pf.fd = fd;
            pf.events = writing ? POLLOUT : POLLIN;
            pf.revents = 0;
            r = poll(&pf, 1, ms > 2e9 ? 2000000000 : (int)ms);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0)
                return -1;
            if (r == 0)
                return -2;
        }
        k = writing ? send(fd, p, n, MSG_NOSIGNAL) : recv(fd, p, n, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (k == 0)
                errno = 0;
            return -1;
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* In the reading process: send an answer and its payload; on a broken
 * socket (the parent is gone) end. */
static void answer(int fd, rp_head *r, const void *payload)
{
    if (io_all(fd, r, sizeof *r, 1, -1) != 0 ||
        (r->bytes && io_all(fd, (void *)payload, r->bytes, 1, -1) != 0))
        _exit(0);
}

static void fail_answer(int fd, rp_head *r, const jahs_error *e)
{
    r->rc = e->code < 0 ? e->code : JAHS_EHDF5;
    r->bytes = 0;
    memcpy(r->msg, e->msg, sizeof r->msg);
    r->msg[sizeof r->msg - 1] = '\0';
    answer(fd, r, NULL);
}

/* In the reading process: one request (name, key read) answered. */
static void serve_one(jahs_h5 *h, int fd, const rq_head *q, const char *name,
                      const char *key)
{
    rp_head r;
    jahs_error e;
    void *pay = NULL;
    memset(&r, 0, sizeof r);
    memset(&e, 0, sizeof e);
    switch (q->op) {
    case OP_EXISTS: r.rc = local_exists(h, name); break;
    case OP_ATTR_EXISTS: r.rc = local_attr_exists(h, name, key); break;
    case OP_SHAPE: {
        int rank = 0;
        r.rc = local_shape(h, name, &rank, r.dims, &e);
        r.rank = rank;
        break;
    }
    case OP_IS_INT: r.rc = local_is_integer(h, name, &e); break;
    case OP_READ: {
        size_t es = type_size(q->type);
        if (es == 0 || q->n > SIZE_MAX / es || q->n == 0) {
            r.rc = JAHS_FAIL(&e, JAHS_EINVAL, "bad read request for '%s'",
                             name);
            break;
        }
        if (!(pay = malloc((size_t)q->n * es))) {
            r.rc = JAHS_FAIL(&e, JAHS_ENOMEM,
                             "out of memory reading '%s' (%llu bytes)", name,
                             (unsigned long long)q->n * es);
            break;
        }
        r.rc = local_read(h, name, (jahs_h5_type)q->type, pay, (size_t)q->n,
                          &e);
        if (r.rc == 0)
            r.bytes = q->n * es;
        break;
    }
    case OP_STRINGS: {
        char **strs = NULL;
        size_t n = 0, i, tot = 0;
        r.rc = local_read_strings(h, name, &strs, &n, &e);
        if (r.rc != 0)
            break;
        for (i = 0; i < n; i++)
            tot += strlen(strs[i]) + 1;
        if (!(pay = malloc(tot ? tot : 1))) {
            r.rc = JAHS_FAIL(&e, JAHS_ENOMEM, "out of memory");
        } else {
            char *p = pay;
            for (i = 0; i < n; i++) {
                size_t l = strlen(strs[i]) + 1;
                memcpy(p, strs[i], l);
                p += l;
            }
            r.count = n;
            r.bytes = tot;
        }
        jahs_h5_free_strings(strs, n);
        break;
    }
    case OP_ATTR_STR: {
        char *v = NULL;
        r.rc = local_attr_get_str(h, name, key, &v, &e);
        if (r.rc == 0) {
            pay = v;
            r.bytes = strlen(v) + 1;
        }
        break;
    }
    case OP_ATTR_DOUBLE:
        r.rc = attr_read_num(h, name, key, H5T_NATIVE_DOUBLE, &r.d, &e);
        break;
    case OP_ATTR_LONG:
        r.rc = attr_read_num(h, name, key, H5T_NATIVE_INT64, &r.l, &e);
        break;
    default:
        r.rc = JAHS_FAIL(&e, JAHS_EINVAL, "unknown request %u", q->op);
        break;
    }
    if (r.rc < 0)
        fail_answer(fd, &r, &e);
    else
        answer(fd, &r, pay);
    free(pay);
}

/* In the reading process (the child of fork): make it inherit nothing it
 * could misuse, open the file, answer requests until the parent closes its
 * end, then _exit. */
__attribute__((noreturn)) static void reader_main(int sock, const char *path,
                                                  uint64_t fsize,
                                                  pid_t parent)
{
    jahs_h5 h;
    rp_head r;
    jahs_error e;
    const char *hook = getenv("JAHS_TEST_H5_READER");
    int fd = fcntl(sock, F_DUPFD, 10), nul = open("/dev/null", O_RDWR);
    if (fd < 0 || nul < 0)
        _exit(1);
    dup2(nul, 0);
    dup2(nul, 1);
    dup2(nul, 2);
    if (dup2(fd, 3) != 3)
        _exit(1);
    fd = 3;
    if (close_range(4, ~0u, 0) != 0) {
        long m = sysconf(_SC_OPEN_MAX), i;
        for (i = 4; i < (m > 0 ? m : 1024); i++)
            close((int)i);
    }
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(0);
    /* a fault kills it outright: no handler of the parent's (jahs's, a
     * sanitizer's report, a fuzzer's crash artefact) runs here */
    {
        static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT,
                                   SIGTRAP, SIGINT, SIGTERM, SIGHUP};
        size_t i;
        for (i = 0; i < sizeof sigs / sizeof *sigs; i++)
            signal(sigs[i], SIG_DFL);
    }
    if (__sanitizer_set_death_callback)
        __sanitizer_set_death_callback(NULL);
    /* tests: a reader that libhdf5 kills, hangs or corrupts */
    if (hook && strcmp(hook, "crash") == 0) {
        raise(SIGSEGV);
        _exit(1);
    }
    if (hook && strcmp(hook, "hang") == 0)
        for (;;)
            pause();
    memset(&h, 0, sizeof h);
    memset(&r, 0, sizeof r);
    memset(&e, 0, sizeof e);
    h.path = (char *)path;
    h.fsize = fsize;
    h.sock = -1;
    if (hook && strcmp(hook, "garbage") == 0) {
        r.bytes = UINT64_MAX; /* more than any answer may carry */
        answer(fd, &r, NULL);
        _exit(0);
    }
    if ((r.rc = local_open(&h, &e)) < 0) {
        fail_answer(fd, &r, &e);
        _exit(0);
    }
    answer(fd, &r, NULL);
    for (;;) {
        rq_head q;
        char *name = NULL, *key = NULL;
        if (io_all(fd, &q, sizeof q, 0, -1) != 0)
            _exit(0); /* the parent closed its end (or is gone) */
        if (q.name_len < 1 || q.name_len > NAME_MAX_BYTES ||
            q.key_len > NAME_MAX_BYTES ||
            !(name = malloc(q.name_len)) ||
            !(key = malloc(q.key_len ? q.key_len : 1)) ||
            io_all(fd, name, q.name_len, 0, -1) != 0 ||
            (q.key_len && io_all(fd, key, q.key_len, 0, -1) != 0))
            _exit(1);
        name[q.name_len - 1] = '\0';
        if (q.key_len)
            key[q.key_len - 1] = '\0';
        else
            key[0] = '\0';
        serve_one(&h, fd, &q, name, key);
        free(name);
        free(key);
    }
}

/* The reader is gone or misbehaved (how: "stopped answering", ...) while
 * answering op on name (key: an attribute's, or NULL): end and reap it
 * (reader_stop), keep why in h->lost and fill err with it. */
static int reader_lost(jahs_h5 *h, const char *how, uint32_t op,
                       const char *name, const char *key, jahs_error *err)
{
    char end[160] = "";
    unsigned maj = 0, min = 0, rel = 0;
    int st = reader_stop(h);
    /* what it died of: the signal our kill sent says nothing */
    if (st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) != SIGKILL)
        snprintf(end, sizeof end, ", killed by signal %d (%s)", WTERMSIG(st),
                 strsignal(WTERMSIG(st)));
    else if (st >= 0 && WIFEXITED(st))
        snprintf(end, sizeof end, ", exit status %d", WEXITSTATUS(st));
    H5get_libversion(&maj, &min, &rel);
    jahs_error_set(&h->lost, JAHS_EHDF5, __FILE__, __LINE__,
                   "'%s': the process reading it with libhdf5 %u.%u.%u %s%s "
                   "while %s '%s'%s%s%s: the file is damaged or forged, or "
                   "holds what libhdf5 cannot read (nothing of it was used)",
                   h->path, maj, min, rel, how, end,
                   op == OP_OPEN ? "opening" : "reading", name ? name : "/",
                   key ? " (attribute '" : "", key ? key : "",
                   key ? "')" : "");
    if (err)
        *err = h->lost;
    return JAHS_EHDF5;
}

/* One request and its answer; out (out_bytes) takes OP_READ's data, *alloc
 * (malloc'd, NUL-terminated) the strings of OP_STRINGS / OP_ATTR_STR.
 * Returns the operation's rc (>= 0) or an error code with err filled. */
static int call(jahs_h5 *h, uint32_t op, const char *name, const char *key,
                uint32_t type, uint64_t n, rp_head *r, void *out,
                size_t out_bytes, char **alloc, jahs_error *err)
{
    rq_head q;
    int io;
    if (h->sock < 0) {
        if (err)
            *err = h->lost;
        return h->lost.code;
    }
    memset(r, 0, sizeof *r);
    if (op != OP_OPEN) {
        memset(&q, 0, sizeof q);
        q.op = op;
        q.type = type;
        q.n = n;
        q.name_len = (uint32_t)strlen(name) + 1;
        q.key_len = key ? (uint32_t)strlen(key) + 1 : 0;
        if (q.name_len > NAME_MAX_BYTES || q.key_len > NAME_MAX_BYTES)
            return JAHS_FAIL(err, JAHS_EINVAL, "'%s': name '%s' too long",
                             h->path, name);
        if (io_all(h->sock, &q, sizeof q, 1, h->timeout) != 0 ||
            io_all(h->sock, (void *)name, q.name_len, 1, h->timeout) != 0 ||
            (key && io_all(h->sock, (void *)key, q.key_len, 1,
                           h->timeout) != 0))
            return reader_lost(h, "was lost", op, name, key, err);
    }
    if ((io = io_all(h->sock, r, sizeof *r, 0, h->timeout)) != 0)
        return reader_lost(h,
                           io == -2 ? "stopped answering (JAHS_H5_TIMEOUT)"
                                    : "ended",
                           op, name, key, err);
    r->msg[sizeof r->msg - 1] = '\0';
    if (r->rc < 0) {
        if (r->bytes != 0 || r->rc < JAHS_EUSAGE)
            return reader_lost(h, "answered nonsense", op, name, key, err);
        return jahs_error_set(err, r->rc, __FILE__, __LINE__, "%s", r->msg);
    }
    if (out) {
        if (r->bytes != out_bytes)
            return reader_lost(h, "answered nonsense", op, name, key, err);
        if (io_all(h->sock, out, out_bytes, 0, h->timeout) != 0)
            return reader_lost(h, "ended", op, name, key, err);
    } else if (alloc) {
        /* at most the strings jahs reads (h5.c's STRINGS_MAX, plus NULs) */
        if (r->bytes == 0 || r->bytes > 2ull * STRINGS_MAX ||
            r->count > r->bytes)
            return reader_lost(h, "answered nonsense", op, name, key, err);
        if (!(*alloc = malloc((size_t)r->bytes)))
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        if (io_all(h->sock, *alloc, (size_t)r->bytes, 0, h->timeout) != 0 ||
            (*alloc)[r->bytes - 1] != '\0') {
            free(*alloc);
            *alloc = NULL;
            return reader_lost(h, "answered nonsense", op, name, key, err);
        }
    } else if (r->bytes != 0) {
        return reader_lost(h, "answered nonsense", op, name, key, err);
    }
    return r->rc;
}

/* JAHS_H5_TIMEOUT: seconds > 0, or the default. */
static int reader_timeout(double *t, jahs_error *err)
{
    const char *v = getenv("JAHS_H5_TIMEOUT");
    char *end;
    *t = READER_TIMEOUT_S;
    if (!v || !*v)
        return 0;
    errno = 0;
    *t = strtod(v, &end);
    if (errno || *end || !(*t > 0.0) || *t > 1e9)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "JAHS_H5_TIMEOUT='%s': expected seconds (a number "
                         "> 0, at most 1e9)",
                         v);
    return 0;
}

static jahs_h5 *reader_start(const char *path, uint64_t fsize,
                             jahs_error *err)
{
    jahs_h5 *h = calloc(1, sizeof *h);
    rp_head r;
    pid_t parent = getpid();
    int sv[2];
    if (!h || !(h->path = jahs_strdup(path))) {
        free(h);
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    h->remote = 1;
    h->sock = -1;
    h->fsize = fsize;
    h->file = -1;
    /* libhdf5 initialised here once, not in every reader (about 3 ms) */
    quiet();
    if (reader_timeout(&h->timeout, err) != 0)
        goto fail;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        JAHS_FAIL(err, JAHS_EIO, "cannot read '%s': socketpair: %s", path,
                  strerror(errno));
        goto fail;
    }
    h->reader = fork();
    if (h->reader < 0) {
        JAHS_FAIL(err, JAHS_EIO,
                  "cannot read '%s': cannot start its reading process: %s",
                  path, strerror(errno));
        close(sv[0]);
        close(sv[1]);
        h->reader = 0;
        goto fail;
    }
    if (h->reader == 0) {
        close(sv[0]);
        reader_main(sv[1], path, fsize, parent);
    }
    close(sv[1]);
    h->sock = sv[0];
    if (call(h, OP_OPEN, NULL, NULL, 0, 0, &r, NULL, 0, NULL, err) < 0)
        goto fail;
    return h;
fail:
    reader_stop(h);
    free(h->path);
    free(h);
    return NULL;
}

/* Close the socket, kill the reader at once (whatever it was doing) and
 * reap it: its wait status, or -1 when there was none to reap. */
static int reader_stop(jahs_h5 *h)
{
    int st = -1;
    if (h->sock >= 0)
        close(h->sock);
    h->sock = -1;
    if (h->reader > 0) {
        pid_t w;
        kill(h->reader, SIGKILL);
        while ((w = waitpid(h->reader, &st, 0)) < 0 && errno == EINTR)
            ;
        if (w != h->reader)
            st = -1;
    }
    h->reader = 0;
    return st;
}

/* ---- the read operations: in the reading process for opened files, here
 * for created ones ---- */

int jahs_h5_exists(jahs_h5 *h, const char *name)
{
    rp_head r;
    if (!h->remote)
        return local_exists(h, name);
    return call(h, OP_EXISTS, name, NULL, 0, 0, &r, NULL, 0, NULL, NULL) > 0;
}

int jahs_h5_shape(jahs_h5 *h, const char *name, int *rank, uint64_t *dims,
                  jahs_error *err)
{
    rp_head r;
    int rc, i;
    if (!h->remote)
        return local_shape(h, name, rank, dims, err);
    if ((rc = call(h, OP_SHAPE, name, NULL, 0, 0, &r, NULL, 0, NULL, err)) <
        0)
        return rc;
    if (r.rank < 0 || r.rank > JAHS_H5_MAX_RANK)
        return reader_lost(h, "answered nonsense", OP_SHAPE, name, NULL, err);
    *rank = r.rank;
    for (i = 0; i < r.rank; i++)
        dims[i] = r.dims[i];
    return 0;
}

int jahs_h5_is_integer(jahs_h5 *h, const char *name, jahs_error *err)
{
    rp_head r;
    if (!h->remote)
        return local_is_integer(h, name, err);
    return call(h, OP_IS_INT, name, NULL, 0, 0, &r, NULL, 0, NULL, err);
}

int jahs_h5_read(jahs_h5 *h, const char *name, jahs_h5_type type, void *out,
                 size_t n, jahs_error *err)
{
    rp_head r;
    size_t es = type_size((uint32_t)type);
    int rc;
    if (!h->remote)
        return local_read(h, name, type, out, n, err);
    if (es == 0 || n == 0 || n > SIZE_MAX / es)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "reading '%s' in '%s': bad type or count %zu", name,
                         h->path, n);
    rc = call(h, OP_READ, name, NULL, (uint32_t)type, n, &r, out, n * es,
              NULL, err);
    return rc < 0 ? rc : 0;
}

int jahs_h5_read_strings(jahs_h5 *h, const char *name, char ***out, size_t *n,
                         jahs_error *err)
{
    rp_head r;
    char *pay = NULL, *p, **v;
    size_t i, k;
    int rc;
    if (!h->remote)
        return local_read_strings(h, name, out, n, err);
    if ((rc = call(h, OP_STRINGS, name, NULL, 0, 0, &r, NULL, 0, &pay, err)) <
        0)
        return rc;
    /* exactly r.count strings, each with its NUL, fill the payload */
    for (i = 0, k = 0; i < r.bytes; i++)
        k += pay[i] == '\0';
    if (k != r.count) {
        free(pay);
        return reader_lost(h, "answered nonsense", OP_STRINGS, name, NULL,
                           err);
    }
    if (!(v = calloc((size_t)r.count + 1, sizeof *v))) {
        free(pay);
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    }
    for (i = 0, p = pay; i < r.count; i++, p += strlen(p) + 1)
        if (!(v[i] = jahs_strdup(p))) {
            jahs_h5_free_strings(v, i);
            free(pay);
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        }
    free(pay);
    *out = v;
    *n = (size_t)r.count;
    return 0;
}

int jahs_h5_attr_exists(jahs_h5 *h, const char *obj, const char *key)
{
    rp_head r;
    if (!h->remote)
        return local_attr_exists(h, obj, key);
    return call(h, OP_ATTR_EXISTS, obj, key, 0, 0, &r, NULL, 0, NULL, NULL) >
           0;
}

int jahs_h5_attr_get_str(jahs_h5 *h, const char *obj, const char *key,
                         char **out, jahs_error *err)
{
    rp_head r;
    char *v = NULL;
    int rc;
    if (!h->remote)
        return local_attr_get_str(h, obj, key, out, err);
    if ((rc = call(h, OP_ATTR_STR, obj, key, 0, 0, &r, NULL, 0, &v, err)) < 0)
        return rc;
    *out = v;
    return 0;
}

int jahs_h5_attr_get_double(jahs_h5 *h, const char *obj, const char *key,
                            double *out, jahs_error *err)
{
    rp_head r;
    int rc;
    if (!h->remote)
        return attr_read_num(h, obj, key, H5T_NATIVE_DOUBLE, out, err);
    if ((rc = call(h, OP_ATTR_DOUBLE, obj, key, 0, 0, &r, NULL, 0, NULL,
                   err)) < 0)
        return rc;
    *out = r.d;
    return 0;
}

int jahs_h5_attr_get_long(jahs_h5 *h, const char *obj, const char *key,
                          long *out, jahs_error *err)
{
    rp_head r;
    int64_t v;
    int rc;
    if (!h->remote)
        rc = attr_read_num(h, obj, key, H5T_NATIVE_INT64, &v, err);
    else if ((rc = call(h, OP_ATTR_LONG, obj, key, 0, 0, &r, NULL, 0, NULL,
                        err)) >= 0) {
        v = r.l;
        rc = 0;
    }
    if (rc == 0)
        *out = (long)v;
    return rc;
}
