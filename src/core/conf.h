/*
 * conf.h - the experiment-file format: `key = value` lines, `[section]`
 * headers, `#` comments (a whole line, or after blanks at the end of a line).
 *
 *     # comment
 *     budget_hours = 2, 6        # a value is everything after '=', trimmed
 *     [row asha-joint]
 *     optimizer = asha
 *
 * Entries before the first header belong to the unnamed top section (name "").
 * Parsing rejects malformed lines, duplicate keys within a section and
 * duplicate section names, naming file and line.  Validation against a schema
 * (jahs_conf_check) rejects unknown keys; typed getters reject bad values,
 * naming file, line and the expected form.
 */
#ifndef JAHS_CORE_CONF_H
#define JAHS_CORE_CONF_H

#include <stddef.h>

#include "core/error.h"

typedef struct jahs_conf_entry {
    char *key;
    char *value;
    int line;
    int used; /* set by getters; jahs_conf_check reports unused keys */
} jahs_conf_entry;

typedef struct jahs_conf_section {
    char *name; /* "" for the top section */
    int line;   /* line of the [header]; 0 for the top section */
    jahs_conf_entry *entries;
    size_t n, cap;
} jahs_conf_section;

typedef struct jahs_conf {
    char *path; /* file name used in messages */
    jahs_conf_section *sections; /* sections[0] is the top section */
    size_t n, cap;
} jahs_conf;

/* Parse a file; NULL and err on failure.  Free with jahs_conf_free. */
jahs_conf *jahs_conf_parse_file(const char *path, jahs_error *err);
/* Parse text; name is the file name used in messages. */
jahs_conf *jahs_conf_parse_string(const char *text, const char *name,
                                  jahs_error *err);
void jahs_conf_free(jahs_conf *c);

/* Section by name, or NULL. */
const jahs_conf_section *jahs_conf_section_find(const jahs_conf *c,
                                                const char *name);
/* Entry by key within a section, or NULL. */
jahs_conf_entry *jahs_conf_entry_find(const jahs_conf_section *s,
                                      const char *key);

/*
 * Schema check: every key of section s must be in the NULL-terminated list
 * keys; otherwise an error "file:line: unknown key 'k' in [s] (expected one
 * of: a, b, c)".
 */
int jahs_conf_check_keys(const jahs_conf *c, const jahs_conf_section *s,
                         const char *const *keys, jahs_error *err);

/*
 * Typed getters.  Each returns 0 and writes *out when the key is present and
 * valid; returns 0 and leaves *out alone when it is absent (the caller's
 * default stays); returns JAHS_EPARSE with "file:line: key 'k' expects <form>,
 * got 'v'" when the value is bad.  *found (may be NULL) says whether it was
 * present.
 */
int jahs_conf_get_str(const jahs_conf *c, const jahs_conf_section *s,
                      const char *key, const char **out, int *found);
int jahs_conf_get_double(const jahs_conf *c, const jahs_conf_section *s,
                         const char *key, double lo, double hi, double *out,
                         int *found, jahs_error *err);
int jahs_conf_get_long(const jahs_conf *c, const jahs_conf_section *s,
                       const char *key, long lo, long hi, long *out,
                       int *found, jahs_error *err);
int jahs_conf_get_bool(const jahs_conf *c, const jahs_conf_section *s,
                       const char *key, int *out, int *found, jahs_error *err);
/* One of the NULL-terminated choices; *out is its index. */
int jahs_conf_get_enum(const jahs_conf *c, const jahs_conf_section *s,
                       const char *key, const char *const *choices, int *out,
                       int *found, jahs_error *err);
/*
 * A comma-separated list of numbers in [lo, hi]; *out is malloc'd (free it),
 * *n its length.  At least one element.
 */
int jahs_conf_get_double_list(const jahs_conf *c, const jahs_conf_section *s,
                              const char *key, double lo, double hi,
                              double **out, size_t *n, int *found,
                              jahs_error *err);

/* Error helper: "file:line: key 'k' expects <expected>, got 'v'". */
int jahs_conf_bad_value(const jahs_conf *c, const jahs_conf_entry *e,
                        const char *expected, jahs_error *err);

#endif
