/*
 * csv.c - see csv.h.
 */
#include "core/csv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/afile.h"
#include "core/util.h"

struct jahs_csv_writer {
    jahs_csv_mode mode;
    FILE *f;
    jahs_afile af; /* ATOMIC mode */
    char *path;
    size_t nfield; /* fields written in the current row */
    int failed;
};

static jahs_csv_writer *writer_new(jahs_csv_mode mode, jahs_error *err)
{
    jahs_csv_writer *w = calloc(1, sizeof *w);
    if (!w)
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    else
        w->mode = mode;
    return w;
}

int jahs_csv_journal_repair(const char *path, jahs_error *err)
{
    FILE *f = fopen(path, "r+b");
    long size, pos;
    int c = 0;
    if (!f)
        return errno == ENOENT ? 0
                               : JAHS_FAIL(err, JAHS_EIO, "cannot open '%s': %s",
                                           path, strerror(errno));
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0) {
        fclose(f);
        return JAHS_FAIL(err, JAHS_EIO, "cannot seek in '%s'", path);
    }
    pos = size;
    while (pos > 0) {
        if (fseek(f, pos - 1, SEEK_SET) != 0)
            break;
        c = fgetc(f);
        if (c == '\n')
            break;
        pos--;
    }
    fclose(f);
    if (pos != size && truncate(path, pos) != 0)
        return JAHS_FAIL(err, JAHS_EIO, "cannot truncate torn journal '%s': %s",
                         path, strerror(errno));
    return 0;
}

jahs_csv_writer *jahs_csv_open(const char *path, jahs_csv_mode mode,
                               int *existed, jahs_error *err)
{
    jahs_csv_writer *w;
    if (existed)
        *existed = 0;
    if (mode == JAHS_CSV_STREAM) {
        JAHS_FAIL(err, JAHS_EINVAL, "use jahs_csv_stream for streams");
        return NULL;
    }
    w = writer_new(mode, err);
    if (!w)
        return NULL;
    w->path = jahs_strdup(path);
    if (!w->path) {
        free(w);
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    if (mode == JAHS_CSV_ATOMIC) {
        if (jahs_afile_open(&w->af, path, err) != 0) {
            free(w->path);
            free(w);
            return NULL;
        }
        w->f = w->af.f;
        return w;
    }
    if (jahs_mkdirs_parent(path, err) != 0 ||
        jahs_csv_journal_repair(path, err) != 0) {
        free(w->path);
        free(w);
        return NULL;
    }
    w->f = fopen(path, "ab");
    if (!w->f) {
        JAHS_FAIL(err, JAHS_EIO, "cannot open journal '%s': %s", path,
                  strerror(errno));
        free(w->path);
        free(w);
        return NULL;
    }
    if (existed) {
        long end = ftell(w->f);
        if (end < 0 && fseek(w->f, 0, SEEK_END) == 0)
            end = ftell(w->f);
        *existed = end > 0;
    }
    return w;
}

jahs_csv_writer *jahs_csv_stream(FILE *f, jahs_error *err)
{
    jahs_csv_writer *w = writer_new(JAHS_CSV_STREAM, err);
    if (w)
        w->f = f;
    return w;
}

static int put_sep(jahs_csv_writer *w)
{
    if (w->nfield++ > 0 && fputc(',', w->f) == EOF)
        w->failed = 1;
    return w->failed ? JAHS_EIO : 0;
}

int jahs_csv_str(jahs_csv_writer *w, const char *s)
{
    const char *p;
    int quote = 0;
    if (!s)
        s = "";
    put_sep(w);
    for (p = s; *p; p++)
        if (*p == ',' || *p == '"' || *p == '\n' || *p == '\r')
            quote = 1;
    if (!quote) {
        if (fputs(s, w->f) == EOF)
            w->failed = 1;
    } else {
        fputc('"', w->f);
        for (p = s; *p; p++) {
            if (*p == '"')
                fputc('"', w->f);
            fputc(*p, w->f);
        }
        if (fputc('"', w->f) == EOF)
            w->failed = 1;
    }
    return w->failed ? JAHS_EIO : 0;
}

int jahs_csv_double(jahs_csv_writer *w, double x)
{
    char buf[40];
    return jahs_csv_str(w, jahs_format_double(buf, sizeof buf, x));
}

int jahs_csv_int(jahs_csv_writer *w, long long x)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", x);
    return jahs_csv_str(w, buf);
}

int jahs_csv_row(jahs_csv_writer *w, const char *const *fields, size_t n,
                 jahs_error *err)
{
    size_t i;
    for (i = 0; i < n; i++)
        jahs_csv_str(w, fields[i]);
    return jahs_csv_end_row(w, err);
}

int jahs_csv_end_row(jahs_csv_writer *w, jahs_error *err)
{
    if (fputc('\n', w->f) == EOF)
        w->failed = 1;
    w->nfield = 0;
    if (w->mode != JAHS_CSV_ATOMIC && fflush(w->f) != 0)
        w->failed = 1;
    if (w->failed)
        return JAHS_FAIL(err, JAHS_EIO, "cannot write '%s'",
                         w->path ? w->path : "<stream>");
    return 0;
}

int jahs_csv_close(jahs_csv_writer *w, jahs_error *err)
{
    int rc = 0;
    if (!w)
        return 0;
    if (w->mode == JAHS_CSV_ATOMIC) {
        if (w->failed) {
            jahs_afile_abort(&w->af);
            rc = JAHS_FAIL(err, JAHS_EIO, "cannot write '%s'", w->path);
        } else {
            rc = jahs_afile_commit(&w->af, err);
        }
    } else if (w->mode == JAHS_CSV_JOURNAL) {
        if (fclose(w->f) != 0 || w->failed)
            rc = JAHS_FAIL(err, JAHS_EIO, "cannot write '%s'", w->path);
    } else if (fflush(w->f) != 0 || w->failed) {
        rc = JAHS_FAIL(err, JAHS_EIO, "cannot write to stream");
    }
    free(w->path);
    free(w);
    return rc;
}

void jahs_csv_abort(jahs_csv_writer *w)
{
    if (!w)
        return;
    if (w->mode == JAHS_CSV_ATOMIC)
        jahs_afile_abort(&w->af);
    else if (w->mode == JAHS_CSV_JOURNAL)
        fclose(w->f);
    free(w->path);
    free(w);
}

/* ---- reading ---------------------------------------------------------- */

struct jahs_csv_reader {
    gzFile gz;         /* file source, or NULL */
    char *text;        /* string source */
    size_t text_pos, text_len;
    char *path;
    long line;         /* lines consumed so far */
    long row_line;     /* line the current row started on */
    jahs_buf rec;      /* raw record bytes, fields NUL-separated */
    size_t *starts;    /* field offsets into rec */
    size_t nfields, cap_fields;
    char **header;
    size_t nheader;
    char chunk[1 << 16];
    size_t chunk_pos, chunk_len;
    int eof;
};

static jahs_csv_reader *reader_new(const char *name, jahs_error *err)
{
    jahs_csv_reader *r = calloc(1, sizeof *r);
    if (!r || !(r->path = jahs_strdup(name))) {
        free(r);
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    return r;
}

jahs_csv_reader *jahs_csv_reader_open(const char *path, jahs_error *err)
{
    jahs_csv_reader *r;
    gzFile gz = gzopen(path, "rb");
    if (!gz) {
        JAHS_FAIL(err, JAHS_EIO, "cannot open '%s': %s", path,
                  errno ? strerror(errno) : "zlib failed");
        return NULL;
    }
    r = reader_new(path, err);
    if (!r) {
        gzclose(gz);
        return NULL;
    }
    r->gz = gz;
    return r;
}

jahs_csv_reader *jahs_csv_reader_string(const char *text, const char *name,
                                        jahs_error *err)
{
    jahs_csv_reader *r = reader_new(name ? name : "<string>", err);
    if (!r)
        return NULL;
    r->text_len = strlen(text);
    r->text = jahs_strndup(text, r->text_len);
    if (!r->text) {
        jahs_csv_reader_free(r);
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    return r;
}

void jahs_csv_reader_free(jahs_csv_reader *r)
{
    size_t i;
    if (!r)
        return;
    if (r->gz)
        gzclose(r->gz);
    for (i = 0; i < r->nheader; i++)
        free(r->header[i]);
    free(r->header);
    free(r->text);
    free(r->path);
    free(r->starts);
    jahs_buf_free(&r->rec);
    free(r);
}

/* Next byte, or -1 at end, or -2 on error. */
static int next_byte(jahs_csv_reader *r)
{
    if (r->text) {
        return r->text_pos < r->text_len ? (unsigned char)r->text[r->text_pos++]
                                         : -1;
    }
    if (r->chunk_pos == r->chunk_len) {
        int n;
        if (r->eof)
            return -1;
        n = gzread(r->gz, r->chunk, sizeof r->chunk);
        if (n < 0)
            return -2;
        if (n == 0) {
            int zerr;
            gzerror(r->gz, &zerr);
            r->eof = 1;
            return (zerr == Z_OK || zerr == Z_STREAM_END) ? -1 : -2;
        }
        r->chunk_len = (size_t)n;
        r->chunk_pos = 0;
    }
    return (unsigned char)r->chunk[r->chunk_pos++];
}

static int push_field(jahs_csv_reader *r)
{
    if (r->nfields == r->cap_fields) {
        size_t cap = r->cap_fields ? 2 * r->cap_fields : 32;
        size_t *p = realloc(r->starts, cap * sizeof *p);
        if (!p)
            return JAHS_ENOMEM;
        r->starts = p;
        r->cap_fields = cap;
    }
    r->starts[r->nfields++] = r->rec.len;
    return 0;
}

int jahs_csv_next(jahs_csv_reader *r, jahs_error *err)
{
    for (;;) {
        int c, inq = 0, any = 0, after_quote = 0;
        jahs_buf_reset(&r->rec);
        r->nfields = 0;
        r->row_line = r->line + 1;
        if (push_field(r))
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        for (;;) {
            char ch;
            c = next_byte(r);
            if (c == -2)
                return JAHS_FAIL(err, JAHS_EIO,
                                 "%s:%ld: read error (truncated or corrupt "
                                 "file?)",
                                 r->path, r->row_line);
            if (c == -1) {
                if (inq)
                    return JAHS_FAIL(err, JAHS_EFORMAT,
                                     "%s:%ld: unterminated quoted field",
                                     r->path, r->row_line);
                if (!any) {
                    r->nfields = 0;
                    return 0;
                }
                r->line++;
                break;
            }
            any = 1;
            ch = (char)c;
            if (inq) {
                if (ch == '"') {
                    int d = next_byte(r);
                    if (d == '"') {
                        if (jahs_buf_append(&r->rec, "\"", 1))
                            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
                        continue;
                    }
                    inq = 0;
                    after_quote = 1;
                    if (d == -1 || d == -2) {
                        r->line++;
                        break;
                    }
                    ch = (char)d;
                } else {
                    if (ch == '\n')
                        r->line++;
                    if (jahs_buf_append(&r->rec, &ch, 1))
                        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
                    continue;
                }
            }
            if (ch == '"' && !after_quote &&
                r->rec.len == r->starts[r->nfields - 1]) {
                inq = 1;
                continue;
            }
            if (ch == ',') {
                if (jahs_buf_append(&r->rec, "", 1) || push_field(r))
                    return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
                after_quote = 0;
                continue;
            }
            if (ch == '\n') {
                r->line++;
                break;
            }
            if (ch == '\r')
                continue;
            if (jahs_buf_append(&r->rec, &ch, 1))
                return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        }
        if (jahs_buf_append(&r->rec, "", 1))
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        /* skip blank lines */
        if (r->nfields == 1 && r->rec.data[0] == '\0') {
            if (c == -1)
                return 0;
            continue;
        }
        return 1;
    }
}

size_t jahs_csv_nfields(const jahs_csv_reader *r) { return r->nfields; }

const char *jahs_csv_field(const jahs_csv_reader *r, size_t i)
{
    return i < r->nfields ? r->rec.data + r->starts[i] : "";
}

long jahs_csv_line(const jahs_csv_reader *r) { return r->row_line; }

const char *jahs_csv_path(const jahs_csv_reader *r) { return r->path; }

int jahs_csv_read_header(jahs_csv_reader *r, jahs_error *err)
{
    size_t i;
    int rc = jahs_csv_next(r, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return JAHS_FAIL(err, JAHS_EFORMAT, "%s: empty file, expected a header",
                         r->path);
    r->header = calloc(r->nfields, sizeof *r->header);
    if (!r->header)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    r->nheader = r->nfields;
    for (i = 0; i < r->nfields; i++)
        if (!(r->header[i] = jahs_strdup(jahs_csv_field(r, i))))
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    return 0;
}

int jahs_csv_col(const jahs_csv_reader *r, const char *name)
{
    size_t i;
    for (i = 0; i < r->nheader; i++)
        if (strcmp(r->header[i], name) == 0)
            return (int)i;
    return -1;
}

int jahs_csv_require_col(const jahs_csv_reader *r, const char *name,
                         jahs_error *err)
{
    int c = jahs_csv_col(r, name);
    if (c < 0)
        return JAHS_FAIL(err, JAHS_EFORMAT, "%s:1: missing column '%s'",
                         r->path, name);
    return c;
}

size_t jahs_csv_header_len(const jahs_csv_reader *r) { return r->nheader; }

const char *jahs_csv_header_name(const jahs_csv_reader *r, size_t i)
{
    return i < r->nheader ? r->header[i] : "";
}

static const char *col_name(const jahs_csv_reader *r, int col, char *buf,
                            size_t n)
{
    if (col >= 0 && (size_t)col < r->nheader)
        return r->header[col];
    snprintf(buf, n, "#%d", col + 1);
    return buf;
}

int jahs_csv_get_double(const jahs_csv_reader *r, int col, double *out,
                        jahs_error *err)
{
    char nb[16];
    if (col < 0 || (size_t)col >= r->nfields)
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "%s:%ld: row has %zu fields, column '%s' is missing",
                         r->path, r->row_line, r->nfields,
                         col_name(r, col, nb, sizeof nb));
    if (jahs_parse_double(jahs_csv_field(r, (size_t)col), out) != 0)
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "%s:%ld: column '%s' expects a number, got '%s'",
                         r->path, r->row_line, col_name(r, col, nb, sizeof nb),
                         jahs_csv_field(r, (size_t)col));
    return 0;
}

int jahs_csv_get_long(const jahs_csv_reader *r, int col, long *out,
                      jahs_error *err)
{
    char nb[16];
    if (col < 0 || (size_t)col >= r->nfields)
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "%s:%ld: row has %zu fields, column '%s' is missing",
                         r->path, r->row_line, r->nfields,
                         col_name(r, col, nb, sizeof nb));
    if (jahs_parse_long(jahs_csv_field(r, (size_t)col), out) != 0)
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "%s:%ld: column '%s' expects an integer, got '%s'",
                         r->path, r->row_line, col_name(r, col, nb, sizeof nb),
                         jahs_csv_field(r, (size_t)col));
    return 0;
}

jahs_csv_writer *jahs_csv_open_in(const char *dir, const char *name,
                                  jahs_error *err)
{
    char *path = jahs_path_join(dir, name);
    jahs_csv_writer *w =
        path ? jahs_csv_open(path, JAHS_CSV_ATOMIC, NULL, err) : NULL;
    if (!path)
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    free(path);
    return w;
}
