/*
 * command.c - the "command" evaluator (see command.h): split the command
 * once, substitute per request, posix_spawnp the program with its stdout
 * and stderr on pipes, read both with poll() until they close or the
 * timeout passes, wait for it, and read the JSON object (jansson) on the
 * last stdout line.
 */
#include "eval/command.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/csv.h"
#include "core/util.h"

extern char **environ;

/* glibc 2.34+: the program gets only stdin, stdout and stderr */
#if defined(__GLIBC__) &&                                                     \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
#define JAHS_SPAWN_CLOSEFROM 1
#endif

#define MAX_ARGS 256
#define STDOUT_MAX (1 << 20) /* bytes of stdout kept (the tail) */
#define STDERR_TAIL 2000     /* bytes of stderr kept for the failure row */

static const char *const fixed_names[] = {
    "config", "epochs", "resume_from", "fold", "seed", "trial",
    "checkpoint_dir", NULL};

/* Split cmd at blanks, '...' and "..." quoting: *argv malloc'd strings. */
static int split(const char *cmd, char ***argv, int *argc, char *msg,
                 size_t size)
{
    char **v = calloc(MAX_ARGS + 1, sizeof *v);
    jahs_buf b = {0};
    const char *p = cmd;
    int n = 0, in_arg = 0;
    char quote = 0;
    if (!v) {
        snprintf(msg, size, "out of memory");
        return -1;
    }
    for (;; p++) {
        if (!*p || (!quote && (*p == ' ' || *p == '\t' || *p == '\n'))) {
            if (quote) {
                snprintf(msg, size, "unterminated %c quote in the command",
                         quote);
                goto fail;
            }
            if (in_arg) {
                if (n >= MAX_ARGS) {
                    snprintf(msg, size, "more than %d arguments", MAX_ARGS);
                    goto fail;
                }
                if (!(v[n++] = jahs_strdup(b.data ? b.data : ""))) {
                    snprintf(msg, size, "out of memory");
                    goto fail;
                }
                b.len = 0;
                if (b.data)
                    b.data[0] = '\0';
                in_arg = 0;
            }
            if (!*p)
                break;
            continue;
        }
        in_arg = 1;
        if (quote && *p == quote)
            quote = 0;
        else if (!quote && (*p == '\'' || *p == '"'))
            quote = *p;
        else
            jahs_buf_append(&b, p, 1);
    }
    jahs_buf_free(&b);
    if (n == 0) {
        snprintf(msg, size, "an empty command");
        free(v);
        return -1;
    }
    *argv = v;
    *argc = n;
    return 0;
fail:
    jahs_buf_free(&b);
    while (n > 0)
        free(v[--n]);
    free(v);
    return -1;
}

static void free_args(char **v, int n)
{
    while (v && n > 0)
        free(v[--n]);
    free(v);
}

/* What the placeholders stand for in one request (NULL req: checking). */
typedef struct subst {
    const jahs_space *sp;
    const jahs_eval_request *req;
    const char *checkpoint_dir;
} subst;

/* Append the value of placeholder name (len bytes) to out: 0, or -1 when
 * it is not a placeholder. */
static int value_of(const subst *s, const char *name, size_t len,
                    jahs_buf *out)
{
    char buf[64];
    int i;
    for (i = 0; fixed_names[i]; i++)
        if (strlen(fixed_names[i]) == len &&
            strncmp(fixed_names[i], name, len) == 0)
            break;
    if (!fixed_names[i]) {
        for (i = 0; s->sp && i < s->sp->n; i++)
            if (strlen(s->sp->params[i].name) == len &&
                strncmp(s->sp->params[i].name, name, len) == 0) {
                if (s->req)
                    jahs_buf_puts(out, jahs_param_format(&s->sp->params[i],
                                                         s->req->config[i],
                                                         buf, sizeof buf));
                return 0;
            }
        return -1;
    }
    if (!s->req)
        return 0;
    switch (i) {
    case 0:
        jahs_config_format(s->sp, s->req->config, out);
        break;
    case 1:
        jahs_buf_printf(out, "%d", s->req->epochs);
        break;
    case 2:
        jahs_buf_printf(out, "%d", s->req->resume_from);
        break;
    case 3:
        jahs_buf_printf(out, "%d", s->req->fold);
        break;
    case 4:
        jahs_buf_printf(out, "%" PRIu64, s->req->seed);
        break;
    case 5:
        jahs_buf_printf(out, "%" PRId64, s->req->config_id);
        break;
    default:
        jahs_buf_puts(out, s->checkpoint_dir ? s->checkpoint_dir : "");
    }
    return 0;
}

/* arg with its placeholders replaced into out (reset first). */
static int substitute(const subst *s, const char *arg, jahs_buf *out,
                      char *msg, size_t size)
{
    const char *p;
    out->len = 0;
    jahs_buf_puts(out, "");
    for (p = arg; *p; p++) {
        const char *end;
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            jahs_buf_append(out, p++, 1);
            continue;
        }
        if (*p == '}') {
            snprintf(msg, size, "'}' without '{' in argument '%s' (a literal "
                                "brace is }})",
                     arg);
            return -1;
        }
        if (*p != '{') {
            jahs_buf_append(out, p, 1);
            continue;
        }
        if (!(end = strchr(p, '}'))) {
            snprintf(msg, size, "'{' without '}' in argument '%s'", arg);
            return -1;
        }
        if (value_of(s, p + 1, (size_t)(end - p - 1), out)) {
            jahs_buf names = {0};
            int i;
            for (i = 0; s->sp && i < s->sp->n; i++)
                jahs_buf_printf(&names, "%s, ", s->sp->params[i].name);
            for (i = 0; fixed_names[i]; i++)
                jahs_buf_printf(&names, "%s%s", fixed_names[i],
                                fixed_names[i + 1] ? ", " : "");
            snprintf(msg, size,
                     "unknown placeholder {%.*s} in the command (expected "
                     "one of: %s)",
                     (int)(end - p - 1), p + 1, names.data ? names.data : "");
            jahs_buf_free(&names);
            return -1;
        }
        p = end;
    }
    return out->data ? 0 : -1;
}

int jahs_command_check(const char *cmd, const jahs_space *sp, char *msg,
                       size_t size)
{
    char **v = NULL;
    int n = 0, i, rc = 0;
    subst s = {sp, NULL, NULL};
    jahs_buf b = {0};
    if (!cmd || !cmd[0]) {
        snprintf(msg, size, "no command (evaluator = command needs command = "
                            "PROGRAM ARGS...)");
        return -1;
    }
    if (split(cmd, &v, &n, msg, size))
        return -1;
    for (i = 0; i < n && !rc; i++)
        rc = substitute(&s, v[i], &b, msg, size);
    jahs_buf_free(&b);
    free_args(v, n);
    return rc;
}

/* ---- running one request ---------------------------------------------------- */

typedef struct command_eval {
    char **argv;
    int argc;
    const jahs_space *sp;
    double timeout; /* seconds; 0: none */
    int resume;
    char *workdir;
    char **env;     /* the program's environment (command.h), NULL-ended */
    int n_env;
} command_eval;

static void command_close(void *state)
{
    command_eval *c = state;
    if (!c)
        return;
    free_args(c->argv, c->argc);
    free_args(c->env, c->n_env);
    free(c->workdir);
    free(c);
}

/* 1 for a variable of an MPI launcher's job (command.h): Open MPI's
 * OMPI_ (but OMPI_ALLOW_RUN_AS_ROOT*: the user's), OPAL_, ORTE_, PMIx's
 * PMIX_, PMI's PMI_ (MPICH's Hydra, Slurm's PMI) and Hydra's HYDRA_ and
 * MPI_LOCAL*. */
static int launcher_var(const char *kv)
{
    static const char *const prefix[] = {"OMPI_", "OPAL_", "ORTE_", "PMIX_",
                                         "PMI_",  "HYDRA_", "MPI_LOCAL",
                                         NULL};
    int i;
    if (strncmp(kv, "OMPI_ALLOW_RUN_AS_ROOT", 22) == 0)
        return 0;
    for (i = 0; prefix[i]; i++)
        if (strncmp(kv, prefix[i], strlen(prefix[i])) == 0)
            return 1;
    return 0;
}

/* The environment of the programs: jahs's own, less the launcher's
 * variables when jahs runs in an MPI job (the variables
 * jahs_mpi_launched reads, exp/mpi.h), copied now. */
static int program_env(command_eval *c)
{
    int n = 0, i, in_job = getenv("OMPI_COMM_WORLD_SIZE") ||
                           getenv("PMIX_RANK") || getenv("PMI_SIZE") ||
                           getenv("PMI_RANK");
    while (environ[n])
        n++;
    if (!(c->env = calloc((size_t)n + 1, sizeof *c->env)))
        return -1;
    for (i = 0; i < n; i++) {
        if (in_job && launcher_var(environ[i]))
            continue;
        if (!(c->env[c->n_env] = jahs_strdup(environ[i])))
            return -1;
        c->n_env++;
    }
    return 0;
}

static void *command_open(const jahs_eval_options *o, jahs_error *err)
{
    command_eval *c;
    char msg[1024];
    if (!o || !o->space) {
        JAHS_FAIL(err, JAHS_EINVAL, "the command evaluator needs a space");
        return NULL;
    }
    if (jahs_command_check(o->command, o->space, msg, sizeof msg)) {
        JAHS_FAIL(err, JAHS_EINVAL, "%s", msg);
        return NULL;
    }
    if (!(c = calloc(1, sizeof *c)) ||
        (o->workdir && !(c->workdir = jahs_strdup(o->workdir)))) {
        command_close(c);
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    c->sp = o->space;
    c->timeout = o->command_timeout;
    c->resume = o->resume;
    if (program_env(c)) {
        command_close(c);
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    if (split(o->command, &c->argv, &c->argc, msg, sizeof msg)) {
        command_close(c);
        JAHS_FAIL(err, JAHS_EINVAL, "%s", msg);
        return NULL;
    }
    return c;
}

/* Keep the last max bytes: append n bytes of p to b. */
static void keep_tail(jahs_buf *b, const char *p, size_t n, size_t max)
{
    jahs_buf_append(b, p, n);
    if (b->data && b->len > max) {
        memmove(b->data, b->data + (b->len - max), max);
        b->len = max;
        b->data[max] = '\0';
    }
}

/*
 * Run argv; out and errtail get stdout and the tail of stderr.  *status
 * gets a description when the program failed ("" when it exited 0).
 * Returns 0, or a negative code when it could not even be started (then
 * *status says why too).
 */
static int run_child(char **argv, char **env, double timeout, jahs_buf *out,
                     jahs_buf *errtail, char *status, size_t size)
{
    int po[2] = {-1, -1}, pe[2] = {-1, -1}, rc, ws = 0, open_fds = 2;
    posix_spawn_file_actions_t fa;
    pid_t pid;
    double t0 = jahs_now();
    int timed_out = 0;
    status[0] = '\0';
    /* close-on-exec: a program started by another worker's thread at the
     * same time must not inherit this one's pipes (it would hold them open,
     * and this reader would wait for it to end) */
    if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC)) {
        snprintf(status, size, "cannot make a pipe: %s", strerror(errno));
        goto fail;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    posix_spawn_file_actions_addclose(&fa, po[0]);
    posix_spawn_file_actions_addclose(&fa, pe[0]);
    posix_spawn_file_actions_addclose(&fa, po[1]);
    posix_spawn_file_actions_addclose(&fa, pe[1]);
#ifdef JAHS_SPAWN_CLOSEFROM
    /* nor anything else jahs has open (journals, tables, MPI's sockets) */
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
    rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    close(po[1]);
    close(pe[1]);
    po[1] = pe[1] = -1;
    if (rc) {
        snprintf(status, size, "cannot start '%s': %s", argv[0],
                 strerror(rc));
        goto fail;
    }
    while (open_fds > 0) {
        struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
        int wait_ms = -1, k;
        if (timeout > 0) {
            double left = timeout - (jahs_now() - t0);
            if (left <= 0) {
                timed_out = 1;
                kill(pid, SIGKILL);
                break;
            }
            wait_ms = (int)ceil(left * 1000);
        }
        if (poll(fds, 2, wait_ms) < 0) {
            if (errno == EINTR)
                continue;
            kill(pid, SIGKILL);
            snprintf(status, size, "poll failed: %s", strerror(errno));
            break;
        }
        for (k = 0; k < 2; k++) {
            char chunk[4096];
            ssize_t got;
            if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            got = read(fds[k].fd, chunk, sizeof chunk);
            if (got > 0) {
                keep_tail(k ? errtail : out, chunk, (size_t)got,
                          k ? STDERR_TAIL : STDOUT_MAX);
                continue;
            }
            if (got < 0 && errno == EINTR)
                continue;
            close(fds[k].fd);
            if (k)
                pe[0] = -1;
            else
                po[0] = -1;
            open_fds--;
        }
    }
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    if (po[0] >= 0)
        close(po[0]);
    if (pe[0] >= 0)
        close(pe[0]);
    if (timed_out)
        snprintf(status, size, "timeout after %g s (command_timeout)", timeout);
    else if (status[0])
        ;
    else if (WIFSIGNALED(ws))
        snprintf(status, size, "signal %d (%s)", WTERMSIG(ws),
                 strsignal(WTERMSIG(ws)));
    else if (WIFEXITED(ws) && WEXITSTATUS(ws) != 0)
        snprintf(status, size, "exit %d", WEXITSTATUS(ws));
    return 0;
fail:
    for (rc = 0; rc < 2; rc++) {
        if (po[rc] >= 0)
            close(po[rc]);
        if (pe[rc] >= 0)
            close(pe[rc]);
    }
    return JAHS_EIO;
}

/* The JSON object on the last non-blank line of out into r: 0, or -1 with
 * why in status. */
static int read_result(const jahs_buf *out, double seconds,
                       jahs_eval_result *r, char *status, size_t size)
{
    char *text = out->data ? out->data : "", *line, *end;
    json_t *o, *v;
    json_error_t je;
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' ||
                     text[n - 1] == ' ' || text[n - 1] == '\t'))
        n--;
    end = text + n;
    for (line = end; line > text && line[-1] != '\n'; line--)
        ;
    if (line == end) {
        snprintf(status, size, "no output (expected a JSON object {\"val\": "
                               "..., \"test\": ...} on the last stdout line)");
        return -1;
    }
    if (!(o = json_loadb(line, (size_t)(end - line), 0, &je)) ||
        !json_is_object(o)) {
        snprintf(status, size, "the last stdout line is not a JSON object: "
                               "%.*s",
                 (int)(end - line > 200 ? 200 : end - line), line);
        json_decref(o);
        return -1;
    }
    r->cost = seconds;
    if (!json_is_number(v = json_object_get(o, "val")) ||
        !isfinite(r->val_acc = json_number_value(v)) ||
        !json_is_number(v = json_object_get(o, "test")) ||
        !isfinite(r->test_acc = json_number_value(v)) ||
        ((v = json_object_get(o, "cost")) &&
         (!json_is_number(v) || !((r->cost = json_number_value(v)) >= 0) ||
          !isfinite(r->cost)))) {
        snprintf(status, size, "the last stdout line needs numbers \"val\" "
                               "and \"test\" (percent) and may have a "
                               "\"cost\" >= 0 (seconds): %.*s",
                 (int)(end - line > 200 ? 200 : end - line), line);
        json_decref(o);
        return -1;
    }
    json_decref(o);
    return 0;
}

/* One failure row in <workdir>/seed<S>/failures.csv (workers' threads
 * append one at a time). */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static int log_failure_locked(const command_eval *c, const jahs_eval_request *req,
                       const char *status, double seconds,
                       const jahs_buf *errtail, jahs_error *err)
{
    char name[64], *dir, *path;
    jahs_csv_writer *w;
    int existed = 0, rc;
    if (!c->workdir)
        return 0;
    snprintf(name, sizeof name, "seed%" PRIu64, req->seed);
    if (!(dir = jahs_path_join(c->workdir, name)))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    path = jahs_path_join(dir, "failures.csv");
    free(dir);
    if (!path)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    w = jahs_csv_open(path, JAHS_CSV_JOURNAL, &existed, err);
    free(path);
    if (!w)
        return err->code;
    if (!existed) {
        static const char *const head[] = {"trial",       "fold",   "epochs",
                                           "resume_from", "status", "seconds",
                                           "stderr_tail"};
        if ((rc = jahs_csv_row(w, head, JAHS_ARRAY_LEN(head), err)) ||
            (rc = jahs_csv_end_row(w, err))) {
            jahs_csv_abort(w);
            return rc;
        }
    }
    jahs_csv_int(w, req->config_id);
    jahs_csv_int(w, req->fold);
    jahs_csv_int(w, req->epochs);
    jahs_csv_int(w, req->resume_from);
    jahs_csv_str(w, status);
    jahs_csv_double(w, seconds);
    jahs_csv_str(w, errtail->data ? errtail->data : "");
    if ((rc = jahs_csv_end_row(w, err))) {
        jahs_csv_abort(w);
        return rc;
    }
    return jahs_csv_close(w, err);
}

/* The request's checkpoint directory (created), malloc'd. */
static char *checkpoint_dir(const command_eval *c,
                            const jahs_eval_request *req, jahs_error *err)
{
    char name[96], *seed_dir, *dir;
    if (!c->workdir) {
        JAHS_FAIL(err, JAHS_EINVAL,
                  "the command evaluator needs a working directory for "
                  "checkpoints");
        return NULL;
    }
    snprintf(name, sizeof name, "seed%" PRIu64, req->seed);
    if (!(seed_dir = jahs_path_join(c->workdir, name)))
        goto oom;
    if (c->resume)
        snprintf(name, sizeof name, "trial%" PRId64 "-fold%d",
                 req->config_id, req->fold);
    else /* restart: a fresh directory for every request */
        snprintf(name, sizeof name, "trial%" PRId64 "-fold%d-epochs%d",
                 req->config_id, req->fold, req->epochs);
    dir = jahs_path_join(seed_dir, name);
    free(seed_dir);
    if (!dir)
        goto oom;
    if (jahs_mkdirs(dir, err)) {
        free(dir);
        return NULL;
    }
    return dir;
oom:
    JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    return NULL;
}

static int command_eval_one(void *state, const jahs_eval_request *req,
                            jahs_eval_result *out, jahs_error *err)
{
    const command_eval *c = state;
    char *argv[MAX_ARGS + 1] = {0}, status[512], *ckpt;
    jahs_buf arg = {0}, so = {0}, se = {0};
    subst s;
    double t0, secs;
    int i, rc = 0;
    if (!(ckpt = checkpoint_dir(c, req, err)))
        return err->code;
    s.sp = c->sp;
    s.req = req;
    s.checkpoint_dir = ckpt;
    for (i = 0; i < c->argc; i++) {
        if (substitute(&s, c->argv[i], &arg, status, sizeof status) ||
            !(argv[i] = jahs_strdup(arg.data))) {
            rc = JAHS_FAIL(err, JAHS_EINVAL, "%s", status);
            goto out;
        }
    }
    t0 = jahs_now();
    run_child(argv, c->env, c->timeout, &so, &se, status, sizeof status);
    secs = jahs_now() - t0;
    if (!status[0])
        read_result(&so, secs, out, status, sizeof status);
    if (status[0]) { /* a failed trial: the worst accuracy, the time spent */
        out->val_acc = out->test_acc = 0;
        out->cost = secs;
        pthread_mutex_lock(&log_lock);
        rc = log_failure_locked(c, req, status, secs, &se, err);
        pthread_mutex_unlock(&log_lock);
    }
out:
    for (i = 0; i < c->argc; i++)
        free(argv[i]);
    free(ckpt);
    jahs_buf_free(&arg);
    jahs_buf_free(&so);
    jahs_buf_free(&se);
    return rc;
}

/* The command and its placeholders against the row's space. */
static int command_row_check(const jahs_eval_options *o, char *msg,
                             size_t size)
{
    return jahs_command_check(o->command, o->space, msg, size);
}

static const jahs_eval_decl command_decl = {
    "command,command_timeout,resume", 0, NULL, NULL, NULL, NULL,
    command_row_check, 1};

const jahs_eval_type jahs_eval_command = {
    "command",
    "any program as the objective (command: argument vector with {param}, "
    "{epochs}, {fold}, {seed}, {checkpoint_dir} placeholders, no shell; the "
    "JSON object on its last stdout line; cost: its own or wall seconds)",
    command_open, command_eval_one, command_close, &command_decl};
