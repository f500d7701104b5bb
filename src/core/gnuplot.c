/*
 * gnuplot.c - see gnuplot.h.
 */
#include "core/gnuplot.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int jahs_gnuplot_enabled(void)
{
    const char *path = getenv("PATH");
    char *copy, *dir, *save = NULL;
    int found = 0;
    if (getenv("JAHS_NO_PLOTS"))
        return 0;
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

int jahs_gnuplot_run(const char *script, jahs_error *err)
{
    char *argv[3] = {"gnuplot", NULL, NULL};
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int st = -1, rc;
    argv[1] = (char *)script;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    rc = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc == 0 && waitpid(pid, &st, 0) < 0)
        st = -1;
    if (rc != 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return JAHS_FAIL(err, JAHS_EIO, "gnuplot failed on '%s'", script);
    return 0;
}

void jahs_gnuplot_escape(jahs_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            jahs_buf_append(b, "\\", 1);
        jahs_buf_append(b, s, 1);
    }
}
