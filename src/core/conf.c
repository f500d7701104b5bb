/*
 * conf.c - see conf.h.
 */
#include "core/conf.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

static void section_free(jahs_conf_section *s)
{
    size_t i;
    for (i = 0; i < s->n; i++) {
        free(s->entries[i].key);
        free(s->entries[i].value);
    }
    free(s->entries);
    free(s->name);
}

void jahs_conf_free(jahs_conf *c)
{
    size_t i;
    if (!c)
        return;
    for (i = 0; i < c->n; i++)
        section_free(&c->sections[i]);
    free(c->sections);
    free(c->path);
    free(c);
}

static jahs_conf_section *add_section(jahs_conf *c, const char *name, int line)
{
    jahs_conf_section *s;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 8;
        jahs_conf_section *p = realloc(c->sections, cap * sizeof *p);
        if (!p)
            return NULL;
        c->sections = p;
        c->cap = cap;
    }
    s = &c->sections[c->n];
    memset(s, 0, sizeof *s);
    s->name = jahs_strdup(name);
    if (!s->name)
        return NULL;
    s->line = line;
    c->n++;
    return s;
}

static int add_entry(jahs_conf_section *s, const char *key, const char *value,
                     int line)
{
    jahs_conf_entry *e;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 8;
        jahs_conf_entry *p = realloc(s->entries, cap * sizeof *p);
        if (!p)
            return JAHS_ENOMEM;
        s->entries = p;
        s->cap = cap;
    }
    e = &s->entries[s->n];
    memset(e, 0, sizeof *e);
    e->key = jahs_strdup(key);
    e->value = jahs_strdup(value);
    if (!e->key || !e->value) {
        free(e->key);
        free(e->value);
        return JAHS_ENOMEM;
    }
    e->line = line;
    s->n++;
    return 0;
}

static int valid_key(const char *k)
{
    if (!*k)
        return 0;
    for (; *k; k++)
        if (!(isalnum((unsigned char)*k) || *k == '_' || *k == '-' ||
              *k == '.'))
            return 0;
    return 1;
}

/* Cut a trailing comment: '#' at line start or preceded by a blank. */
static void strip_comment(char *s)
{
    char *p;
    for (p = s; *p; p++) {
        if (*p == '#' && (p == s || isspace((unsigned char)p[-1]))) {
            *p = '\0';
            return;
        }
    }
}

jahs_conf *jahs_conf_parse_string(const char *text, const char *name,
                                  jahs_error *err)
{
    jahs_conf *c = calloc(1, sizeof *c);
    jahs_conf_section *cur;
    char *copy = NULL, *line, *next;
    int lineno = 0;
    if (!c || !(c->path = jahs_strdup(name ? name : "<string>")) ||
        !(copy = jahs_strdup(text)) || !add_section(c, "", 0)) {
        free(copy);
        jahs_conf_free(c);
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    cur = &c->sections[0];
    for (line = copy; line; line = next) {
        char *s, *eq;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        strip_comment(line);
        s = jahs_strtrim(line);
        if (!*s)
            continue;
        if (*s == '[') {
            size_t len = strlen(s), i;
            char *nm;
            if (s[len - 1] != ']') {
                JAHS_FAIL(err, JAHS_EPARSE,
                          "%s:%d: malformed section header '%s' (expected "
                          "'[name]')",
                          c->path, lineno, s);
                goto fail;
            }
            s[len - 1] = '\0';
            nm = jahs_strtrim(s + 1);
            if (!*nm || strchr(nm, '[') || strchr(nm, ']')) {
                JAHS_FAIL(err, JAHS_EPARSE,
                          "%s:%d: malformed section header (expected "
                          "'[name]' with a non-empty name)",
                          c->path, lineno);
                goto fail;
            }
            for (i = 1; i < c->n; i++) {
                if (strcmp(c->sections[i].name, nm) == 0) {
                    JAHS_FAIL(err, JAHS_EPARSE,
                              "%s:%d: duplicate section [%s] (first at line "
                              "%d)",
                              c->path, lineno, nm, c->sections[i].line);
                    goto fail;
                }
            }
            if (!(cur = add_section(c, nm, lineno))) {
                JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
                goto fail;
            }
            continue;
        }
        eq = strchr(s, '=');
        if (!eq) {
            JAHS_FAIL(err, JAHS_EPARSE,
                      "%s:%d: expected 'key = value' or '[section]', got '%s'",
                      c->path, lineno, s);
            goto fail;
        }
        *eq = '\0';
        {
            char *key = jahs_strtrim(s), *val = jahs_strtrim(eq + 1);
            if (!valid_key(key)) {
                JAHS_FAIL(err, JAHS_EPARSE,
                          "%s:%d: bad key '%s' (expected letters, digits, "
                          "'_', '-' or '.')",
                          c->path, lineno, key);
                goto fail;
            }
            if (!*val) {
                JAHS_FAIL(err, JAHS_EPARSE,
                          "%s:%d: key '%s' has no value (expected 'key = "
                          "value')",
                          c->path, lineno, key);
                goto fail;
            }
            {
                jahs_conf_entry *dup = jahs_conf_entry_find(cur, key);
                if (dup) {
                    JAHS_FAIL(err, JAHS_EPARSE,
                              "%s:%d: duplicate key '%s' (first set at line "
                              "%d)",
                              c->path, lineno, key, dup->line);
                    goto fail;
                }
            }
            if (add_entry(cur, key, val, lineno)) {
                JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
                goto fail;
            }
        }
    }
    free(copy);
    return c;
fail:
    free(copy);
    jahs_conf_free(c);
    return NULL;
}

jahs_conf *jahs_conf_parse_file(const char *path, jahs_error *err)
{
    char *text;
    jahs_conf *c;
    if (jahs_read_file(path, &text, NULL, err) != 0)
        return NULL;
    c = jahs_conf_parse_string(text, path, err);
    free(text);
    return c;
}

const jahs_conf_section *jahs_conf_section_find(const jahs_conf *c,
                                                const char *name)
{
    size_t i;
    for (i = 0; i < c->n; i++)
        if (strcmp(c->sections[i].name, name) == 0)
            return &c->sections[i];
    return NULL;
}

jahs_conf_entry *jahs_conf_entry_find(const jahs_conf_section *s,
                                      const char *key)
{
    size_t i;
    for (i = 0; i < s->n; i++)
        if (strcmp(s->entries[i].key, key) == 0)
            return &s->entries[i];
    return NULL;
}

int jahs_conf_check_keys(const jahs_conf *c, const jahs_conf_section *s,
                         const char *const *keys, jahs_error *err)
{
    size_t i;
    for (i = 0; i < s->n; i++) {
        const char *const *k;
        int ok = 0;
        for (k = keys; *k; k++)
            if (strcmp(*k, s->entries[i].key) == 0)
                ok = 1;
        if (!ok) {
            jahs_buf b = {0};
            for (k = keys; *k; k++)
                jahs_buf_printf(&b, "%s%s", k == keys ? "" : ", ", *k);
            JAHS_FAIL(err, JAHS_EPARSE,
                      "%s:%d: unknown key '%s' in %s%s%s (expected one of: %s)",
                      c->path, s->entries[i].line, s->entries[i].key,
                      *s->name ? "[" : "the top section", s->name,
                      *s->name ? "]" : "", b.data ? b.data : "");
            jahs_buf_free(&b);
            return JAHS_EPARSE;
        }
    }
    return 0;
}

int jahs_conf_bad_value(const jahs_conf *c, const jahs_conf_entry *e,
                        const char *expected, jahs_error *err)
{
    return JAHS_FAIL(err, JAHS_EPARSE, "%s:%d: key '%s' expects %s, got '%s'",
                     c->path, e->line, e->key, expected, e->value);
}

static jahs_conf_entry *lookup(const jahs_conf_section *s, const char *key,
                               int *found)
{
    jahs_conf_entry *e = s ? jahs_conf_entry_find(s, key) : NULL;
    if (found)
        *found = e != NULL;
    if (e)
        e->used = 1;
    return e;
}

int jahs_conf_get_str(const jahs_conf *c, const jahs_conf_section *s,
                      const char *key, const char **out, int *found)
{
    jahs_conf_entry *e = lookup(s, key, found);
    (void)c;
    if (e)
        *out = e->value;
    return 0;
}

static void range_text(char *buf, size_t n, const char *what, double lo,
                       double hi)
{
    char a[40], b[40];
    if (isinf(lo) && isinf(hi))
        snprintf(buf, n, "%s", what);
    else if (isinf(hi))
        snprintf(buf, n, "%s >= %s", what, jahs_format_double(a, sizeof a, lo));
    else if (isinf(lo))
        snprintf(buf, n, "%s <= %s", what, jahs_format_double(a, sizeof a, hi));
    else
        snprintf(buf, n, "%s in [%s, %s]", what,
                 jahs_format_double(a, sizeof a, lo),
                 jahs_format_double(b, sizeof b, hi));
}

int jahs_conf_get_double(const jahs_conf *c, const jahs_conf_section *s,
                         const char *key, double lo, double hi, double *out,
                         int *found, jahs_error *err)
{
    jahs_conf_entry *e = lookup(s, key, found);
    double v;
    char form[128];
    if (!e)
        return 0;
    if (jahs_parse_double(e->value, &v) != 0 || isnan(v) || v < lo || v > hi) {
        range_text(form, sizeof form, "a number", lo, hi);
        return jahs_conf_bad_value(c, e, form, err);
    }
    *out = v;
    return 0;
}

int jahs_conf_get_long(const jahs_conf *c, const jahs_conf_section *s,
                       const char *key, long lo, long hi, long *out,
                       int *found, jahs_error *err)
{
    jahs_conf_entry *e = lookup(s, key, found);
    long v;
    char form[128];
    if (!e)
        return 0;
    if (jahs_parse_long(e->value, &v) != 0 || v < lo || v > hi) {
        snprintf(form, sizeof form, "an integer in [%ld, %ld]", lo, hi);
        return jahs_conf_bad_value(c, e, form, err);
    }
    *out = v;
    return 0;
}

int jahs_conf_get_bool(const jahs_conf *c, const jahs_conf_section *s,
                       const char *key, int *out, int *found, jahs_error *err)
{
    jahs_conf_entry *e = lookup(s, key, found);
    int v;
    if (!e)
        return 0;
    if (jahs_parse_bool(e->value, &v) != 0)
        return jahs_conf_bad_value(c, e, "true or false", err);
    *out = v;
    return 0;
}

int jahs_conf_get_enum(const jahs_conf *c, const jahs_conf_section *s,
                       const char *key, const char *const *choices, int *out,
                       int *found, jahs_error *err)
{
    jahs_conf_entry *e = lookup(s, key, found);
    const char *const *k;
    jahs_buf b = {0};
    int rc;
    if (!e)
        return 0;
    for (k = choices; *k; k++) {
        if (strcmp(*k, e->value) == 0) {
            *out = (int)(k - choices);
            return 0;
        }
    }
    jahs_buf_puts(&b, "one of ");
    for (k = choices; *k; k++)
        jahs_buf_printf(&b, "%s%s", k == choices ? "" : ", ", *k);
    rc = jahs_conf_bad_value(c, e, b.data ? b.data : "a known choice", err);
    jahs_buf_free(&b);
    return rc;
}

int jahs_conf_get_double_list(const jahs_conf *c, const jahs_conf_section *s,
                              const char *key, double lo, double hi,
                              double **out, size_t *n, int *found,
                              jahs_error *err)
{
    jahs_conf_entry *e = lookup(s, key, found);
    char *copy, *tok, *save = NULL;
    double *v = NULL;
    size_t cnt = 0, cap = 0;
    char form[160], inner[128];
    if (!e)
        return 0;
    range_text(inner, sizeof inner, "numbers", lo, hi);
    snprintf(form, sizeof form, "a comma-separated list of %s", inner);
    copy = jahs_strdup(e->value);
    if (!copy)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        double x;
        if (jahs_parse_double(tok, &x) != 0 || isnan(x) || x < lo || x > hi) {
            free(copy);
            free(v);
            return jahs_conf_bad_value(c, e, form, err);
        }
        if (cnt == cap) {
            double *p;
            cap = cap ? 2 * cap : 8;
            p = realloc(v, cap * sizeof *p);
            if (!p) {
                free(copy);
                free(v);
                return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
            }
            v = p;
        }
        v[cnt++] = x;
    }
    free(copy);
    if (cnt == 0) {
        free(v);
        return jahs_conf_bad_value(c, e, form, err);
    }
    *out = v;
    *n = cnt;
    return 0;
}
