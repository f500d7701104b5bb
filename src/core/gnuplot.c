/*
 * gnuplot.c - see gnuplot.h.
 */
#include "core/gnuplot.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/afile.h"

extern char **environ;

static int on_path(void)
{
    const char *path = getenv("PATH");
    char *copy, *dir, *save = NULL;
    int found = 0;
    copy = jahs_strdup(path ? path : "/usr/bin:/bin");
    for (dir = copy ? strtok_r(copy, ":", &save) : NULL; dir && !found;
         dir = strtok_r(NULL, ":", &save)) {
        char *exe = jahs_path_join(dir, "gnuplot");
        found = exe && access(exe, X_OK) == 0;
        free(exe);
    }
    free(copy);
    return found;
}

const char *jahs_gnuplot_why_not(void)
{
    if (getenv("JAHS_NO_PLOTS"))
        return "plots are switched off ($JAHS_NO_PLOTS is set)";
    if (!on_path())
        return "gnuplot not found ('make deps' installs gnuplot)";
    return NULL;
}

int jahs_gnuplot_enabled(void) { return jahs_gnuplot_why_not() == NULL; }

int jahs_gnuplot_run(const char *script, const char *setup, jahs_error *err)
{
    char *argv[5] = {"gnuplot", NULL, NULL, NULL, NULL};
    char *dotted = NULL;
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int st = -1, rc, k = 1;
    if (setup) {
        argv[k++] = "-e";
        argv[k++] = (char *)setup;
    }
    /* a script named "-x" would be read as an option */
    if (script[0] == '-' && !(dotted = jahs_path_join(".", script)))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    argv[k] = dotted ? dotted : (char *)script;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    rc = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    free(dotted);
    if (rc == 0 && waitpid(pid, &st, 0) < 0)
        st = -1;
    if (rc != 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return JAHS_FAIL(err, JAHS_EIO, "gnuplot failed on '%s'", script);
    return 0;
}

void jahs_gnuplot_escape(jahs_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            jahs_buf_append(b, "\\", 1);
            jahs_buf_append(b, s, 1);
        } else if (c == '\n') {
            jahs_buf_puts(b, "\\n");
        } else if (c < 0x20 || c == 0x7f) {
            jahs_buf_printf(b, "\\%03o", c);
        } else {
            jahs_buf_append(b, s, 1);
        }
    }
}

/* ---- checking what gnuplot wrote ------------------------------------------- */

int jahs_gnuplot_check_image(const char *path, int png, const char *name,
                             jahs_error *err)
{
    static const unsigned char png_head[8] = {0x89, 'P', 'N', 'G',
                                              '\r', '\n', 0x1a, '\n'};
    static const unsigned char png_end[12] = {0, 0, 0, 0, 'I', 'E',
                                              'N', 'D', 0xae, 0x42, 0x60, 0x82};
    unsigned char head[8] = {0}, tail[64] = {0};
    struct stat sb;
    FILE *f = fopen(path, "rb");
    size_t nt = 0;
    const char *what = NULL;
    if (!f || fstat(fileno(f), &sb) != 0) {
        if (f)
            fclose(f);
        return JAHS_FAIL(err, JAHS_EIO, "gnuplot wrote no '%s'", name);
    }
    if (sb.st_size == 0) {
        what = "is empty";
    } else if (fread(head, 1, sizeof head, f) != sizeof head) {
        what = "is too short";
    } else {
        long off = sb.st_size > (off_t)sizeof tail ? (long)sizeof tail
                                                   : (long)sb.st_size;
        if (fseek(f, -off, SEEK_END) == 0)
            nt = fread(tail, 1, (size_t)off, f);
        if (png) {
            if (memcmp(head, png_head, sizeof png_head) != 0)
                what = "is not a PNG";
            else if (nt < sizeof png_end ||
                     memcmp(tail + nt - sizeof png_end, png_end,
                            sizeof png_end) != 0)
                what = "is truncated (no IEND chunk at its end)";
        } else {
            size_t i = 0, n = nt;
            while (i < sizeof head && (head[i] == ' ' || head[i] == '\n' ||
                                       head[i] == '\r' || head[i] == '\t'))
                i++;
            while (n > 0 && (tail[n - 1] == ' ' || tail[n - 1] == '\n' ||
                             tail[n - 1] == '\r' || tail[n - 1] == '\t'))
                n--;
            if (i + 2 > sizeof head || head[i] != '<' ||
                (head[i + 1] != '?' && head[i + 1] != 's'))
                what = "is not an SVG";
            else if (n < 6 || memcmp(tail + n - 6, "</svg>", 6) != 0)
                what = "is truncated (no closing </svg>)";
        }
    }
    fclose(f);
    if (what)
        return JAHS_FAIL(err, JAHS_EIO,
                         "gnuplot's '%s' %s (disk full, or gnuplot "
                         "killed?)",
                         name, what);
    return 0;
}

/* ---- render ----------------------------------------------------------------- */

int jahs_gnuplot_render(const char *dir, const char *base, const char *size,
                        const char *head, const char *body, jahs_error *err)
{
    static const char *ext[2] = {"svg", "png"};
    static const char *term[2] = {"svg size %s dynamic", "pngcairo size %s"};
    jahs_buf gp = {0}, setup = {0}, name = {0};
    char *script = NULL, *img[2] = {NULL, NULL}, *tmp[2] = {NULL, NULL};
    int k, rc = 0;
    jahs_buf_printf(&gp, "# %s.gp: written by jahs; run it in this directory "
                         "(gnuplot %s.gp) to redraw %s.svg and %s.png\n",
                    base, base, base, base);
    jahs_buf_puts(&gp, head ? head : "");
    for (k = 0; k < 2; k++) {
        jahs_buf_reset(&name);
        jahs_buf_printf(&name, "%s.%s", base, ext[k]);
        if (!name.data || !(img[k] = jahs_path_join(dir, name.data))) {
            rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
            goto out;
        }
        /* the kept script names the final image; jahs's run sets
         * jahs_out_<ext> to a temporary */
        jahs_buf_puts(&gp, "set terminal ");
        jahs_buf_printf(&gp, term[k], size);
        jahs_buf_printf(&gp, "\nset output (exists(\"jahs_out_%s\") ? "
                             "jahs_out_%s : \"",
                        ext[k], ext[k]);
        jahs_gnuplot_escape(&gp, name.data);
        jahs_buf_printf(&gp, "\")\nset termoption noenhanced\n%s\nunset output\n",
                        body ? body : "");
    }
    jahs_buf_reset(&name);
    jahs_buf_printf(&name, "%s.gp", base);
    if (!gp.data || !name.data || !(script = jahs_path_join(dir, name.data))) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = jahs_afile_write(script, gp.data, gp.len, err)))
        goto out;
    for (k = 0; k < 2; k++) {
        if (!(tmp[k] = jahs_afile_tmp_create(img[k], NULL, err))) {
            rc = err ? err->code : JAHS_EIO;
            goto out;
        }
        jahs_buf_printf(&setup, "%sjahs_out_%s = \"", k ? "; " : "", ext[k]);
        jahs_gnuplot_escape(&setup, tmp[k]);
        jahs_buf_puts(&setup, "\"");
    }
    if (!setup.data) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = jahs_gnuplot_run(script, setup.data, err)))
        goto out;
    for (k = 0; k < 2 && !rc; k++)
        rc = jahs_gnuplot_check_image(tmp[k], k == 1, img[k], err);
    for (k = 0; k < 2 && !rc; k++) {
        rc = jahs_afile_tmp_commit(tmp[k], img[k], err);
        tmp[k] = NULL;
    }
out:
    for (k = 0; k < 2; k++) {
        jahs_afile_tmp_remove(tmp[k]);
        free(img[k]);
    }
    free(script);
    jahs_buf_free(&gp);
    jahs_buf_free(&setup);
    jahs_buf_free(&name);
    return rc;
}
