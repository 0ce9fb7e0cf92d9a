/* nd: line reader (any length, line numbers, blank lines, last line
 * without newline, idle = batch end) and writer (errors surface). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "base/nd.h"

/* A reader over a file holding exactly `text`. */
static int
file_with(const char *text, size_t n)
{
	char path[] = "/tmp/kp-nd-XXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(write(fd, text, n), (ssize_t)n);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

START_TEST(test_lines_and_numbers)
{
	const char text[] = "{\"a\":1}\n\n  \n{\"b\":2}\r\n{\"c\":3}";
	struct nd_reader r;
	struct nd_line l;
	struct eb e;
	int fd = file_with(text, sizeof(text) - 1);

	ck_assert_int_eq(nd_reader_init(&r, fd, "<test>"), 0);
	ck_assert_int_eq(nd_read(&r, &l, -1, &e), ND_LINE);
	ck_assert_str_eq(l.p, "{\"a\":1}");
	ck_assert_int_eq(l.lineno, 1);
	ck_assert_int_eq(nd_read(&r, &l, -1, &e), ND_LINE);
	ck_assert_str_eq(l.p, "{\"b\":2}\r");	/* \r is JSON whitespace */
	ck_assert_int_eq(l.lineno, 4);
	ck_assert_int_eq(nd_read(&r, &l, -1, &e), ND_LINE);
	ck_assert_str_eq(l.p, "{\"c\":3}");	/* no final newline */
	ck_assert_int_eq(l.len, 7);
	ck_assert_int_eq(l.lineno, 5);
	ck_assert_int_eq(nd_read(&r, &l, -1, &e), ND_EOF);
	ck_assert_int_eq(nd_read(&r, &l, -1, &e), ND_EOF);
	nd_reader_free(&r);
	close(fd);
}
END_TEST

START_TEST(test_huge_line)
{
	size_t n = 3 * 1024 * 1024 + 17;
	char *text = malloc(n + 3);
	struct nd_reader r;
	struct nd_line l;
	struct eb e;
	int fd;

	memset(text, 'x', n);
	memcpy(text + n, "\ny\n", 3);
	fd = file_with(text, n + 3);
	ck_assert_int_eq(nd_reader_init(&r, fd, "<test>"), 0);
	ck_assert_int_eq(nd_read(&r, &l, -1, &e), ND_LINE);
	ck_assert_uint_eq(l.len, n);
	ck_assert(memcmp(l.p, text, n) == 0);
	ck_assert_int_eq(nd_read(&r, &l, -1, &e), ND_LINE);
	ck_assert_str_eq(l.p, "y");
	ck_assert_int_eq(l.lineno, 2);
	ck_assert_int_eq(nd_read(&r, &l, -1, &e), ND_EOF);
	nd_reader_free(&r);
	free(text);
	close(fd);
}
END_TEST

START_TEST(test_idle_then_timeout_then_eof)
{
	struct nd_reader r;
	struct nd_line l;
	struct eb e;
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], "{\"a\":1}\n{\"b\"", 12), 12);
	ck_assert_int_eq(nd_reader_init(&r, p[0], "<pipe>"), 0);
	ck_assert_int_eq(nd_read(&r, &l, 10, &e), ND_LINE);
	/* half a line is buffered and the pipe is empty: a batch ended */
	ck_assert_int_eq(nd_read(&r, &l, 10, &e), ND_IDLE);
	ck_assert_int_eq(nd_read(&r, &l, 10, &e), ND_TIMEOUT);
	ck_assert_int_eq(write(p[1], ":2}\n", 4), 4);
	close(p[1]);
	ck_assert_int_eq(nd_read(&r, &l, 10, &e), ND_LINE);
	ck_assert_str_eq(l.p, "{\"b\":2}");
	ck_assert_int_eq(nd_read(&r, &l, 10, &e), ND_EOF);
	nd_reader_free(&r);
	close(p[0]);
}
END_TEST

/* A file holding exactly text, at a path of its own (in path). */
static void
path_with(char path[32], const char *text)
{
	int fd;

	strcpy(path, "/tmp/kp-nd-file-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* Standard input reads text from a file, not a pipe: never idle. */
static void
stdin_with(const char *text)
{
	int fd = file_with(text, strlen(text));

	ck_assert_int_eq(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	close(fd);
}

static void
expect_line(struct nd_reader *r, const char *name, uint64_t lineno,
    const char *text)
{
	struct nd_line l;
	struct eb e;
	enum nd_status s = nd_read(r, &l, -1, &e);

	ck_assert_msg(s == ND_LINE, "status %d, not a line (%s)", (int)s,
	    s == ND_ERROR ? e.msg : "");
	ck_assert_str_eq(l.name, name);
	ck_assert_int_eq(l.lineno, lineno);
	ck_assert_str_eq(l.p, text);
}

/* Files one after the other, "-" standing for standard input where it
 * appears; each file keeps its own name and line numbers, and a last line
 * without a newline ends with its file. */
START_TEST(test_files_in_order)
{
	char a[32], b[32];
	char *paths[] = { a, "-", b };
	struct nd_reader r;
	struct nd_line l;
	struct eb e;

	path_with(a, "{\"a\":1}\n\n{\"a\":2}");
	path_with(b, "{\"b\":1}\n");
	stdin_with("{\"c\":1}\n{\"c\":2}\n");
	ck_assert_int_eq(nd_reader_init_files(&r, paths, 3), 0);
	expect_line(&r, a, 1, "{\"a\":1}");
	expect_line(&r, a, 3, "{\"a\":2}");
	expect_line(&r, "<stdin>", 1, "{\"c\":1}");
	expect_line(&r, "<stdin>", 2, "{\"c\":2}");
	expect_line(&r, b, 1, "{\"b\":1}");
	ck_assert_int_eq(nd_read(&r, &l, -1, &e), ND_EOF);
	ck_assert_int_eq(nd_read(&r, &l, -1, &e), ND_EOF);
	nd_reader_free(&r);
	unlink(a);
	unlink(b);
}
END_TEST

START_TEST(test_no_files_is_stdin)
{
	struct nd_reader r;
	struct nd_line l;
	struct eb e;

	stdin_with("{\"c\":1}");
	ck_assert_int_eq(nd_reader_init_files(&r, NULL, 0), 0);
	expect_line(&r, "<stdin>", 1, "{\"c\":1}");
	ck_assert_int_eq(nd_read(&r, &l, -1, &e), ND_EOF);
	nd_reader_free(&r);
}
END_TEST

/* A file that cannot be opened is an error naming it, when its turn
 * comes: the lines before it have been read. */
START_TEST(test_missing_file)
{
	char a[32], b[32];
	char missing[] = "/nonexistent/kp-nd.ndjson";
	char *paths[] = { a, missing, b };
	struct nd_reader r;
	struct nd_line l;
	struct eb e;

	path_with(a, "{\"a\":1}\n");
	path_with(b, "{\"b\":1}\n");
	ck_assert_int_eq(nd_reader_init_files(&r, paths, 3), 0);
	expect_line(&r, a, 1, "{\"a\":1}");
	ck_assert_int_eq(nd_read(&r, &l, -1, &e), ND_ERROR);
	ck_assert_str_eq(e.msg, "/nonexistent/kp-nd.ndjson: open: "
	    "No such file or directory");
	/* a caller that reads on gets the next file */
	expect_line(&r, b, 1, "{\"b\":1}");
	ck_assert_int_eq(nd_read(&r, &l, -1, &e), ND_EOF);
	nd_reader_free(&r);
	unlink(a);
	unlink(b);
}
END_TEST

/* A directory opens but does not read: an error naming it. */
START_TEST(test_directory)
{
	char *paths[] = { "/" };
	struct nd_reader r;
	struct nd_line l;
	struct eb e;

	ck_assert_int_eq(nd_reader_init_files(&r, paths, 1), 0);
	ck_assert_int_eq(nd_read(&r, &l, -1, &e), ND_ERROR);
	ck_assert_str_eq(e.msg, "/: read: Is a directory");
	nd_reader_free(&r);
}
END_TEST

/* Batches still end when a pipe on standard input runs dry, and only
 * then: going from a file to the next is no batch end. */
START_TEST(test_idle_on_stdin_pipe)
{
	char a[32], b[32];
	char *paths[] = { a, b, "-" };
	struct nd_reader r;
	struct nd_line l;
	struct eb e;
	int p[2];

	path_with(a, "{\"a\":1}");
	path_with(b, "{\"b\":1}\n");
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(dup2(p[0], STDIN_FILENO), STDIN_FILENO);
	close(p[0]);
	ck_assert_int_eq(write(p[1], "{\"c\":1}\n{\"c\"", 12), 12);
	ck_assert_int_eq(nd_reader_init_files(&r, paths, 3), 0);
	expect_line(&r, a, 1, "{\"a\":1}");
	expect_line(&r, b, 1, "{\"b\":1}");
	expect_line(&r, "<stdin>", 1, "{\"c\":1}");
	ck_assert_int_eq(nd_read(&r, &l, 10, &e), ND_IDLE);
	ck_assert_int_eq(nd_read(&r, &l, 10, &e), ND_TIMEOUT);
	ck_assert_int_eq(write(p[1], ":2}\n", 4), 4);
	close(p[1]);
	expect_line(&r, "<stdin>", 2, "{\"c\":2}");
	ck_assert_int_eq(nd_read(&r, &l, 10, &e), ND_EOF);
	nd_reader_free(&r);
	unlink(a);
	unlink(b);
}
END_TEST

START_TEST(test_writer_batches)
{
	struct nd_writer w;
	char buf[64];
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	nd_writer_init(&w, p[1], 100000);
	sb_adds(nd_buf(&w), "{\"a\":1}");
	ck_assert_int_eq(nd_end(&w), 0);
	/* nothing written yet: one small record is not a reason to write */
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	ck_assert_int_eq(read(p[0], buf, sizeof(buf)), -1);
	ck_assert_int_eq(nd_flush(&w), 0);
	ck_assert_int_eq(read(p[0], buf, sizeof(buf)), 8);
	ck_assert(memcmp(buf, "{\"a\":1}\n", 8) == 0);
	ck_assert_int_eq(nd_writer_close(&w), 0);
	close(p[0]);
}
END_TEST

START_TEST(test_writer_full_device)
{
	struct nd_writer w;
	int fd = open("/dev/full", O_WRONLY);

	ck_assert_int_ge(fd, 0);
	nd_writer_init(&w, fd, 0);
	sb_adds(nd_buf(&w), "{}");
	ck_assert_int_eq(nd_end(&w), 0);
	ck_assert_int_eq(nd_writer_close(&w), -1);
	ck_assert_int_eq(errno, ENOSPC);
}
END_TEST

START_TEST(test_write_all)
{
	char buf[16];
	size_t done = 99;
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(nd_write_all(p[1], "abc\n", 4, &done), 0);
	ck_assert_uint_eq(done, 4);
	ck_assert_int_eq(read(p[0], buf, sizeof(buf)), 4);
	/* the reader left: EPIPE, as the network tools expect, nothing written */
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(nd_write_all(p[1], "x", 1, &done), -1);
	ck_assert_int_eq(errno, EPIPE);
	ck_assert_uint_eq(done, 0);
	close(p[1]);
}
END_TEST

/* A pipe grows to ND_PIPE_BYTES from either end, through the reader and
 * the writer; a larger pipe is not shrunk; what is not a pipe is left
 * alone. (A refusal by the per-user limit cannot be arranged here: it
 * needs another user's pipes, and root is exempt.) */
START_TEST(test_pipe_grow)
{
	struct nd_reader r;
	struct nd_writer w;
	int p[2], q[2], fd;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_lt(fcntl(p[0], F_GETPIPE_SZ), ND_PIPE_BYTES);
	ck_assert_int_eq(nd_reader_init(&r, p[0], "<pipe>"), 0);
	ck_assert_int_eq(fcntl(p[1], F_GETPIPE_SZ), ND_PIPE_BYTES);
	nd_reader_free(&r);
	close(p[0]);
	close(p[1]);

	ck_assert_int_eq(pipe(q), 0);
	nd_writer_init(&w, q[1], 0);
	ck_assert_int_eq(fcntl(q[0], F_GETPIPE_SZ), ND_PIPE_BYTES);
	ck_assert_int_eq(nd_writer_close(&w), 0);
	close(q[0]);

	ck_assert_int_eq(pipe(q), 0);
	ck_assert_int_eq(fcntl(q[1], F_SETPIPE_SZ, 2 * ND_PIPE_BYTES) >= 0 ||
	    errno == EPERM, 1);
	if (fcntl(q[1], F_GETPIPE_SZ) == 2 * ND_PIPE_BYTES) {
		nd_pipe_grow(q[0]);
		ck_assert_int_eq(fcntl(q[1], F_GETPIPE_SZ),
		    2 * ND_PIPE_BYTES);
	}
	close(q[0]);
	close(q[1]);

	fd = open("/dev/null", O_WRONLY);
	ck_assert_int_ge(fd, 0);
	nd_pipe_grow(fd);
	nd_pipe_grow(-1);
	ck_assert_int_eq(fcntl(fd, F_GETPIPE_SZ), -1);	/* still no pipe */
	close(fd);
}
END_TEST

static Suite *
nd_suite(void)
{
	Suite *s = suite_create("nd");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_lines_and_numbers);
	tcase_add_test(tc, test_huge_line);
	tcase_add_test(tc, test_idle_then_timeout_then_eof);
	tcase_add_test(tc, test_files_in_order);
	tcase_add_test(tc, test_no_files_is_stdin);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_directory);
	tcase_add_test(tc, test_idle_on_stdin_pipe);
	tcase_add_test(tc, test_writer_batches);
	tcase_add_test(tc, test_writer_full_device);
	tcase_add_test(tc, test_write_all);
	tcase_add_test(tc, test_pipe_grow);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(nd_suite)
