/* credential_process: run the profile's command and read the credentials
 * it prints. As botocore does, the command line is split the way a POSIX
 * shell would split it (Python's shlex) and run without a shell. Its
 * standard input is /dev/null (kin-put's standard input is its data), its
 * standard error is ours, so whatever it says reaches the user. Its
 * output holds a secret: no message quotes it. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aws/aws.h"
#include "time/tm.h"

extern char **environ;

void
aws_argv_free(char **argv)
{
	char **p;

	for (p = argv; p != NULL && *p != NULL; p++)
		free(*p);
	free(argv);
}

static int
push(char ***argv, size_t *n, struct sb *word, struct eb *e)
{
	char **nv, *w;

	if (sb_failed(word) || sb_cstr(word) == NULL ||
	    (w = strdup(word->buf)) == NULL)
		return eb_set(e, "out of memory");
	if ((nv = realloc(*argv, (*n + 2) * sizeof(*nv))) == NULL) {
		free(w);
		return eb_set(e, "out of memory");
	}
	*argv = nv;
	nv[(*n)++] = w;
	nv[*n] = NULL;
	sb_reset(word);
	return 0;
}

/* shlex.split in POSIX mode: blanks separate words; '...' is literal;
 * in "..." a backslash escapes only '"' and '\'; elsewhere a backslash
 * escapes any character; '#' is an ordinary character. */
int
aws_split_command(const char *s, char ***argv, struct eb *e)
{
	struct sb word = SB_INIT;
	size_t n = 0;
	int in_word = 0, rc = 0;
	char q;

	*argv = NULL;
	while (rc == 0 && *s) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
			if (in_word)
				rc = push(argv, &n, &word, e);
			in_word = 0;
			s++;
			continue;
		}
		in_word = 1;
		if (*s == '\'' || *s == '"') {
			q = *s++;
			while (*s && *s != q) {
				if (q == '"' && *s == '\\' && (s[1] == '"' || s[1] == '\\'))
					s++;
				sb_addc(&word, *s++);
			}
			if (*s != q) {
				rc = eb_set(e, "no closing quotation");
				break;
			}
			s++;
		} else if (*s == '\\') {
			if (s[1] == '\0') {
				rc = eb_set(e, "no escaped character");
				break;
			}
			sb_addc(&word, s[1]);
			s += 2;
		} else {
			sb_addc(&word, *s++);
		}
	}
	if (rc == 0 && in_word)
		rc = push(argv, &n, &word, e);
	if (rc == 0 && n == 0)
		rc = eb_set(e, "empty command");
	sb_free(&word);
	if (rc != 0) {
		aws_argv_free(*argv);
		*argv = NULL;
	}
	return rc;
}

int
aws_process_parse(const char *text, size_t len, struct aws_creds *c,
    struct eb *e)
{
	json_t *doc, *v;
	json_error_t je;

	memset(c, 0, sizeof(*c));
	/* je.text quotes the output near the error: only its place is told */
	if ((doc = json_loadb(text, len, 0, &je)) == NULL)
		return eb_set(e, "output is not JSON (line %d, column %d)",
		    je.line, je.column);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return eb_set(e, "output is not a JSON object");
	}
	v = json_object_get(doc, "Version");
	if (!json_is_number(v) || json_number_value(v) != 1) {
		json_decref(doc);
		return eb_set(e, "output has %s Version: expected 1",
		    v == NULL ? "no" : "an unsupported");
	}
	json_decref(doc);
	return aws_creds_from_doc(text, len, "SessionToken", "output", c, e);
}

/* Read the child's output to its end; -1 when it runs beyond
 * AWS_XFER_MAX or the pipe fails. */
static int
drain(int fd, struct sb *out, struct eb *e)
{
	char buf[4096];
	ssize_t n;
	int rc = 0;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out->len + (size_t)n > AWS_XFER_MAX) {
			rc = eb_set(e, "output larger than %d bytes", AWS_XFER_MAX);
			break;
		}
		sb_add(out, buf, (size_t)n);
	}
	if (n < 0 && rc == 0)
		rc = eb_set(e, "reading its output: %s", strerror(errno));
	memset(buf, 0, sizeof(buf));
	return rc;
}

/* Run argv with stdout into out. 0 when it exited 0. */
static int
run(char **argv, struct sb *out, struct eb *e)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t dfl;
	int p[2], status = 0, rc, err;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0)
		return eb_set(e, "pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	/* the tools ignore SIGPIPE; the command gets the default back */
	posix_spawnattr_init(&attr);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
	err = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (err != 0) {
		close(p[0]);
		return eb_set(e, "cannot run %s: %s", argv[0], strerror(err));
	}
	rc = drain(p[0], out, e);
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc != 0)
		return rc;
	if (WIFSIGNALED(status))
		return eb_set(e, "%s was killed by signal %d", argv[0],
		    WTERMSIG(status));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return eb_set(e, "%s exited with status %d", argv[0],
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	if (sb_failed(out) || sb_cstr(out) == NULL)
		return eb_set(e, "out of memory");
	return 0;
}

int
aws_creds_process(const char *command, struct aws_creds *c, struct eb *e)
{
	struct sb out = SB_INIT;
	char **argv = NULL;
	int rc;

	memset(c, 0, sizeof(*c));
	if (aws_split_command(command, &argv, e) != 0)
		return -1;
	rc = run(argv, &out, e);
	if (rc == 0 && (rc = aws_process_parse(out.buf, out.len, c, e)) != 0)
		eb_wrap(e, "%s", argv[0]);
	if (rc == 0 && c->expires_us != 0 && c->expires_us <= tm_now_us()) {
		aws_creds_free(c);
		rc = eb_set(e, "%s: output: credentials already expired", argv[0]);
	}
	sb_free_secret(&out);
	aws_argv_free(argv);
	return rc;
}
