/* ck and st: durable writes (through symbolic links, never over what is
 * not a regular file), the sinks' checks at start, the seal, sequence-
 * number order, shard marks, and the window-avg state file (round trip,
 * refusal of foreign, damaged or impossible files). */
#include <check.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "base/ck.h"
#include "base/ck_path.h"
#include "base/ck_sum.h"
#include "window/st.h"

static char dir[] = "/tmp/kp-test-ck.XXXXXX";

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	static char buf[65536];
	size_t n;

	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

START_TEST(test_write_atomic)
{
	char path[256], tmp[260];
	struct eb e;

	snprintf(path, sizeof(path), "%s/f.json", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	ck_assert_int_eq(ck_write_atomic(path, "one\n", 4, &e), 0);
	ck_assert_str_eq(slurp(path), "one\n");
	ck_assert_int_eq(ck_write_atomic(path, "two", 3, &e), 0);
	ck_assert_str_eq(slurp(path), "two");
	ck_assert_int_eq(access(tmp, F_OK), -1);	/* no leftover */
	ck_assert_int_eq(ck_write_atomic("/nonexistent-dir/x", "a", 1, &e), -1);
	ck_assert_str_eq(e.msg, "/nonexistent-dir/x.tmp: No such file or directory");
}
END_TEST

/* The paths of a write to dir/name and its temporary file. */
static void
paths(const char *name, char *path, char *tmp, size_t cap)
{
	snprintf(path, cap, "%s/%s", dir, name);
	snprintf(tmp, cap, "%s/%s.tmp", dir, name);
}

/* A path that is a directory is refused before anything is written:
 * nothing is created beside it, and it stays a directory. */
START_TEST(test_write_atomic_not_regular)
{
	char path[256], tmp[256], want[300];
	struct stat st;
	struct eb e;

	paths("d", path, tmp, sizeof(path));
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(ck_write_atomic(path, "data", 4, &e), -1);
	snprintf(want, sizeof(want), "%s: not a regular file: refusing to "
	    "replace it", path);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(access(tmp, F_OK), -1);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	/* a FIFO (a device would do, but this test runs as root: a bug here
	 * must not be able to replace /dev/null) */
	paths("fifo", path, tmp, sizeof(path));
	ck_assert_int_eq(mkfifo(path, 0644), 0);
	ck_assert_int_eq(ck_write_atomic(path, "data", 4, &e), -1);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	ck_assert_int_eq(access(tmp, F_OK), -1);
	/* and a link to it */
	paths("to-fifo", path, tmp, sizeof(path));
	ck_assert_int_eq(symlink("fifo", path), 0);
	ck_assert_int_eq(ck_write_atomic(path, "data", 4, &e), -1);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
}
END_TEST

/* A symbolic link stays a link: its target is what gets replaced, in the
 * target's own directory, whether the link is absolute, relative (to the
 * link's directory, not ours), a chain, or dangling. A loop is an error. */
START_TEST(test_write_atomic_symlink)
{
	char sub[256], target[300], link[256], link2[256], tmp[300], buf[300];
	struct stat st;
	struct eb e;

	snprintf(sub, sizeof(sub), "%s/sub", dir);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	snprintf(target, sizeof(target), "%s/real.json", sub);
	ck_assert_int_eq(ck_write_atomic(target, "old", 3, &e), 0);
	paths("rel", link, tmp, sizeof(link));
	ck_assert_int_eq(symlink("sub/real.json", link), 0);
	ck_assert_int_eq(ck_write_atomic(link, "new", 3, &e), 0);
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_str_eq(slurp(target), "new");
	ck_assert_int_eq(access(tmp, F_OK), -1);
	/* a chain: an absolute link to the relative one */
	paths("abs", link2, tmp, sizeof(link2));
	ck_assert_int_eq(symlink(link, link2), 0);
	ck_assert_int_eq(ck_write_atomic(link2, "newer", 5, &e), 0);
	ck_assert_str_eq(slurp(target), "newer");
	ck_assert_int_eq(lstat(link2, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	/* dangling: the file it names is created */
	paths("dangling", link, tmp, sizeof(link));
	ck_assert_int_eq(symlink("sub/later.json", link), 0);
	ck_assert_int_eq(ck_write_atomic(link, "born", 4, &e), 0);
	snprintf(buf, sizeof(buf), "%s/later.json", sub);
	ck_assert_str_eq(slurp(buf), "born");
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	/* a loop */
	paths("loop", link, tmp, sizeof(link));
	ck_assert_int_eq(symlink("loop", link), 0);
	ck_assert_int_eq(ck_write_atomic(link, "x", 1, &e), -1);
	snprintf(buf, sizeof(buf), "%s: Too many levels of symbolic links", link);
	ck_assert_str_eq(e.msg, buf);
}
END_TEST

/* The sinks' check at start: a regular file or nothing yet, in a
 * directory that exists; and never one file under two options, however
 * it is spelled. */
START_TEST(test_sinks_check)
{
	char a[256], b[256], c[256], fifo[256], hard[256], dotdot[300], tmp[256];
	char want[2048];
	struct ck_sink v[3];
	struct eb e;

	paths("a", a, tmp, sizeof(a));
	paths("b", b, tmp, sizeof(b));
	ck_assert_int_eq(ck_write_atomic(a, "x", 1, &e), 0);
	v[0] = (struct ck_sink){ "--state", a };
	v[1] = (struct ck_sink){ "--table", b };	/* not there yet */
	v[2] = (struct ck_sink){ "--sqlite", NULL };	/* not given */
	ck_assert_int_eq(ck_sinks_check(v, 3, &e), CK_SINKS_OK);
	/* a missing directory */
	snprintf(c, sizeof(c), "%s/no-such-dir/t", dir);
	v[1].path = c;
	ck_assert_int_eq(ck_sinks_check(v, 3, &e), CK_SINKS_UNUSABLE);
	snprintf(want, sizeof(want), "--table %s: directory %s/no-such-dir: "
	    "No such file or directory", c, dir);
	ck_assert_str_eq(e.msg, want);
	/* not a regular file */
	paths("fifo", fifo, tmp, sizeof(fifo));
	ck_assert_int_eq(mkfifo(fifo, 0644), 0);
	v[1].path = fifo;
	ck_assert_int_eq(ck_sinks_check(v, 3, &e), CK_SINKS_UNUSABLE);
	snprintf(want, sizeof(want), "--table %s: a FIFO: refusing to replace "
	    "it", fifo);
	ck_assert_str_eq(e.msg, want);
	v[1].path = "/dev/null";
	ck_assert_int_eq(ck_sinks_check(v, 3, &e), CK_SINKS_UNUSABLE);
	ck_assert_str_eq(e.msg, "--table /dev/null: a character device: "
	    "refusing to replace it");
	/* one file, spelled otherwise: "..", a link, a hard link */
	snprintf(dotdot, sizeof(dotdot), "%s/../%s/a", dir, strrchr(dir, '/') + 1);
	v[1].path = dotdot;
	ck_assert_int_eq(ck_sinks_check(v, 3, &e), CK_SINKS_SAME);
	snprintf(want, sizeof(want), "--state %s and --table %s are the same "
	    "file: each needs its own", a, dotdot);
	ck_assert_str_eq(e.msg, want);
	paths("link", c, tmp, sizeof(c));
	ck_assert_int_eq(symlink("a", c), 0);
	v[1].path = c;
	ck_assert_int_eq(ck_sinks_check(v, 3, &e), CK_SINKS_SAME);
	paths("hard", hard, tmp, sizeof(hard));
	ck_assert_int_eq(link(a, hard), 0);
	v[1].path = hard;
	ck_assert_int_eq(ck_sinks_check(v, 3, &e), CK_SINKS_SAME);
	/* two names of a file not there yet: the same too */
	v[0].path = b;
	snprintf(dotdot, sizeof(dotdot), "%s/./b", dir);
	v[1].path = dotdot;
	ck_assert_int_eq(ck_sinks_check(v, 3, &e), CK_SINKS_SAME);
	ck_assert(ck_path_same(b, dotdot));
	ck_assert(!ck_path_same(a, b));
}
END_TEST

/* The seal against an independent SHA-256 (Python's hashlib of the
 * bytes before the seal), and every single-bit flip of a sealed
 * document: never accepted as sealed. */
START_TEST(test_sum)
{
	struct sb out = SB_INIT;
	char *flip;

	sb_adds(&out, "{\"a\":1");
	ck_sum_seal(&out, 0);
	ck_assert(!sb_failed(&out));
	ck_assert_str_eq(sb_cstr(&out), "{\"a\":1,\"sha256\":\""
	    "8b0f0d75aabe01bbfba9341752c2cf7626f154e676aa791427b31aebfabc2592"
	    "\"}\n");
	ck_assert_int_eq(ck_sum_check(out.buf, out.len), CK_SUM_OK);
	ck_assert_int_eq(ck_sum_check(out.buf, out.len - 1), CK_SUM_OK);
	ck_assert_int_eq(ck_sum_check("{\"a\":1}\n", 8), CK_SUM_NONE);
	ck_assert_int_eq(ck_sum_check("", 0), CK_SUM_NONE);
	flip = malloc(out.len);
	ck_assert_ptr_nonnull(flip);
	for (size_t i = 0; i < out.len * 8; i++) {
		memcpy(flip, out.buf, out.len);
		flip[i / 8] ^= (char)(1 << (i % 8));
		ck_assert_msg(ck_sum_check(flip, out.len) != CK_SUM_OK,
		    "bit %zu flipped, still sealed", i);
	}
	free(flip);
	sb_free(&out);
}
END_TEST

/* A directory that cannot be written to (root writes anywhere, so: a
 * "directory" that is a regular file). Nothing is created, the file in
 * the way is untouched. */
START_TEST(test_write_atomic_parent_is_file)
{
	char path[300], tmp[256], want[400], plain[256];
	struct eb e;

	paths("plain", plain, tmp, sizeof(plain));
	ck_assert_int_eq(ck_write_atomic(plain, "keep", 4, &e), 0);
	snprintf(path, sizeof(path), "%s/x", plain);
	ck_assert_int_eq(ck_write_atomic(path, "data", 4, &e), -1);
	snprintf(want, sizeof(want), "%s.tmp: Not a directory", path);
	ck_assert_str_eq(e.msg, want);
	ck_assert_str_eq(slurp(plain), "keep");
}
END_TEST

/* A write that fails half-way (the file size limit, which binds root
 * too): the old file stays, the partial temporary file goes. */
START_TEST(test_write_atomic_write_fails)
{
	static char big[65536];
	char path[256], tmp[256], want[300];
	struct rlimit old, lim;
	void (*was)(int);
	struct eb e;
	int rc;

	paths("f", path, tmp, sizeof(path));
	ck_assert_int_eq(ck_write_atomic(path, "old\n", 4, &e), 0);
	memset(big, 'x', sizeof(big));
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 4096;
	was = signal(SIGXFSZ, SIG_IGN);	/* EFBIG instead of death */
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	rc = ck_write_atomic(path, big, sizeof(big), &e);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, was);
	ck_assert_int_eq(rc, -1);
	snprintf(want, sizeof(want), "%s: File too large", tmp);
	ck_assert_str_eq(e.msg, want);
	ck_assert_str_eq(slurp(path), "old\n");
	ck_assert_int_eq(access(tmp, F_OK), -1);
}
END_TEST

/* A full disk and a read-only one, for real: a 64 KiB tmpfs mounted in
 * a mount namespace of this test's own (Check runs each test in a child
 * process), so the mount cannot outlive the test even if it fails.
 * Needs root (CAP_SYS_ADMIN); skipped, and said so, without it. */
START_TEST(test_write_atomic_full_and_readonly)
{
	static char big[256 * 1024];
	char mnt[256], path[300], tmp[300], want[2][400], msg[2][512];
	char *old = NULL;
	int rc[2], left[2];
	struct eb e;

	snprintf(mnt, sizeof(mnt), "%s/small", dir);
	ck_assert_int_eq(mkdir(mnt, 0755), 0);
	if (unshare(CLONE_NEWNS) != 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("kp-test", mnt, "tmpfs", 0, "size=64k") != 0) {
		fprintf(stderr, "test_ck: skip: full and read-only file system "
		    "cases: cannot mount a tmpfs: %s\n", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/f", mnt);
	snprintf(tmp, sizeof(tmp), "%s/f.tmp", mnt);
	memset(big, 'x', sizeof(big));
	/* no assertion while mounted: a failure would skip the umount */
	if (ck_write_atomic(path, "old\n", 4, &e) == 0 &&
	    (old = slurp(path)) != NULL)
		old = strdup(old);
	rc[0] = ck_write_atomic(path, big, sizeof(big), &e);
	snprintf(msg[0], sizeof(msg[0]), "%s", e.msg);
	left[0] = access(tmp, F_OK) == 0;
	if (mount(NULL, mnt, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0) {
		rc[1] = ck_write_atomic(path, "new\n", 4, &e);
		snprintf(msg[1], sizeof(msg[1]), "%s", e.msg);
	} else {
		rc[1] = 99;
		snprintf(msg[1], sizeof(msg[1]), "remount: %s", strerror(errno));
	}
	left[1] = access(tmp, F_OK) == 0;
	if (rc[1] == -1 && strcmp(slurp(path), "old\n") != 0)
		rc[1] = 98;	/* the read-only write changed the file */
	umount2(mnt, MNT_DETACH);

	ck_assert_str_eq(old ? old : "(none)", "old\n");
	free(old);
	ck_assert_int_eq(rc[0], -1);
	snprintf(want[0], sizeof(want[0]), "%s: No space left on device", tmp);
	ck_assert_str_eq(msg[0], want[0]);
	ck_assert_int_eq(left[0], 0);
	ck_assert_int_eq(rc[1], -1);
	snprintf(want[1], sizeof(want[1]), "%s: Read-only file system", tmp);
	ck_assert_str_eq(msg[1], want[1]);
	ck_assert_int_eq(left[1], 0);
}
END_TEST

START_TEST(test_seq_cmp)
{
	/* 56-digit Kinesis numbers differ only far past 64 bits */
	const char *a = "49590338271490256608559692538361571095921575989136588898";
	const char *b = "49590338271490256608559692538361571095921575989136588899";

	ck_assert_int_eq(ck_seq_cmp(a, strlen(a), b, strlen(b)), -1);
	ck_assert_int_eq(ck_seq_cmp(b, strlen(b), a, strlen(a)), 1);
	ck_assert_int_eq(ck_seq_cmp(a, strlen(a), a, strlen(a)), 0);
	/* as numbers, not strings: "9" < "10", "007" == "7" */
	ck_assert_int_eq(ck_seq_cmp("9", 1, "10", 2), -1);
	ck_assert_int_eq(ck_seq_cmp("007", 3, "7", 1), 0);
	ck_assert_int_eq(ck_seq_cmp("0", 1, "000", 3), 0);
	/* 2^128 - 1 against 2^128 */
	ck_assert_int_eq(ck_seq_cmp("340282366920938463463374607431768211455", 39,
	    "340282366920938463463374607431768211456", 39), -1);
	ck_assert(ck_seq_valid("0", 1));
	ck_assert(!ck_seq_valid("", 0));
	ck_assert(!ck_seq_valid("12a", 3));
	ck_assert(!ck_seq_valid("-1", 2));
	ck_assert(!ck_seq_valid("1.5", 3));
}
END_TEST

/* Every pair of an ascending list: 64-bit boundaries, kinesalite's
 * 56-digit numbers (kin-read -e's end mark, window-avg's replay marks). */
START_TEST(test_seq_order)
{
	static const char *const asc[] = {
		"0", "7", "9", "10", "99", "100", "18446744073709551615",
		"18446744073709551616",
		"49680607172844328969737795228592953463818638465381171218",
		"49680607172844328969737795228595371315457867723730583570",
		"49680607174316178152840816355935519795633045022670061618",
	};
	size_t n = sizeof(asc) / sizeof(asc[0]), i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			int c = ck_seq_cmp(asc[i], strlen(asc[i]), asc[j], strlen(asc[j]));

			ck_assert_int_eq(c, i < j ? -1 : i > j ? 1 : 0);
		}
	/* leading zeros do not make a number larger */
	ck_assert_int_eq(ck_seq_cmp("0010", 4, "9", 1), 1);
	ck_assert_int_eq(ck_seq_cmp("0009", 4, "9", 1), 0);
	/* spans, not strings: only n bytes count (a number inside a record) */
	ck_assert_int_eq(ck_seq_cmp("123\"", 3, "123", 3), 0);
	ck_assert_int_eq(ck_seq_cmp("12", 1, "2", 1), -1);
}
END_TEST

START_TEST(test_marks)
{
	struct ck_marks m;
	struct ck_mark *k, *k2;
	char name[32];

	ck_assert_int_eq(ck_marks_init(&m), 0);
	k = ck_marks_get(&m, "shardId-000000000000", 20);
	ck_assert(ck_mark_is_new(k, "1", 1, CK_SUB_WHOLE));
	ck_mark_set(k, "100", 3, CK_SUB_WHOLE);
	ck_assert(!ck_mark_is_new(k, "100", 3, CK_SUB_WHOLE));
	ck_assert(!ck_mark_is_new(k, "99", 2, CK_SUB_WHOLE));
	ck_assert(ck_mark_is_new(k, "101", 3, CK_SUB_WHOLE));
	/* inside a KPL aggregate: user record 2 of "100" counted */
	ck_mark_set(k, "100", 3, 2);
	ck_assert(!ck_mark_is_new(k, "100", 3, 0));
	ck_assert(!ck_mark_is_new(k, "100", 3, 2));
	ck_assert(ck_mark_is_new(k, "100", 3, 3));
	ck_assert(ck_mark_is_new(k, "0100", 4, 3));
	ck_assert(!ck_mark_is_new(k, "99", 2, 7));
	ck_assert(ck_mark_is_new(k, "101", 3, 0));
	ck_mark_set(k, "100", 3, CK_SUB_WHOLE);
	ck_assert(!ck_mark_is_new(k, "100", 3, 1000000));
	/* many shards: marks stay where they are while the table grows */
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "shard-%d", i);
		ck_assert_ptr_nonnull(ck_marks_get(&m, name, strlen(name)));
	}
	k2 = ck_marks_get(&m, "shardId-000000000000", 20);
	ck_assert_ptr_eq(k, k2);
	ck_assert_str_eq(k2->seq, "100");
	ck_assert_int_eq(m.n, 1001);
	ck_marks_free(&m);
}
END_TEST

static void
fill(struct agg_table *t, struct ck_marks *m)
{
	struct agg_row *r;

	ck_assert_int_eq(agg_init(t, 2), 0);
	ck_assert_int_eq(ck_marks_init(m), 0);
	r = agg_get(t, -300000000, "\"EUR\"\x1f", 6);
	r->rows = 4;
	r->batch = 2;
	agg_cell_add(&r->cell[0], 0.1);
	agg_cell_add(&r->cell[0], 0.2);
	agg_cell_add(&r->cell[0], 1e300);
	agg_cell_add(&r->cell[0], 1e300);	/* the sum overflows */
	ck_mark_set(ck_marks_get(m, "shardId-1", 9), "4959000000000000000000000000007", 31, CK_SUB_WHOLE);
	ck_marks_get(m, "unset", 5);	/* no mark yet: not written */
}

/* A mark inside a KPL aggregate survives a save and a load; the file says
 * it in "subSequenceNumbers" (refusals: the table below). */
/* ck_marks_peek finds only what ck_marks_get gives, and after a get the
 * shard it got (its recent[] slot), over many names of two shapes. */
START_TEST(test_marks_peek)
{
	struct ck_marks marks;
	char name[64];
	unsigned x = 12345;

	ck_assert_int_eq(ck_marks_init(&marks), 0);
	for (int i = 0; i < 100000; i++) {
		int len;
		struct ck_mark *want, *peek;

		x = x * 1103515245u + 12345u;
		len = snprintf(name, sizeof(name), "%s%u",
		    x >> 16 & 1 ? "shardId-00000000000" : "s", (x >> 8) % 40);
		peek = ck_marks_peek(&marks, name, (size_t)len);
		want = ck_marks_get(&marks, name, (size_t)len);
		ck_assert_ptr_nonnull(want);
		ck_assert(peek == NULL || peek == want);
		ck_assert_ptr_eq(ck_marks_peek(&marks, name, (size_t)len), want);
	}
	ck_marks_free(&marks);
}
END_TEST

START_TEST(test_state_subseq)
{
	struct agg_table t, t2;
	struct ck_marks m, m2;
	struct st_state s = { "q1", 1, ST_NONE, ST_NONE, &t, &m, NULL };
	struct st_state s2 = { "q1", 0, 0, 0, &t2, &m2, NULL };
	char path[256];
	struct eb e;

	ck_assert_int_eq(agg_init(&t, 1), 0);
	ck_assert_int_eq(ck_marks_init(&m), 0);
	ck_mark_set(ck_marks_get(&m, "a", 1), "77", 2, 3);
	snprintf(path, sizeof(path), "%s/state-sub.json", dir);
	ck_assert_int_eq(st_save(path, &s, &e), 0);
	ck_assert_ptr_nonnull(strstr(slurp(path), "\"shards\":{\"a\":\"77\"},"
	    "\"subSequenceNumbers\":{\"a\":3},\"query\""));
	ck_assert_int_eq(agg_init(&t2, 1), 0);
	ck_assert_int_eq(ck_marks_init(&m2), 0);
	ck_assert_msg(st_load(path, &s2, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(ck_marks_get(&m2, "a", 1)->sub, 3);
	ck_assert(!ck_mark_is_new(ck_marks_get(&m2, "a", 1), "77", 2, 3));
	ck_assert(ck_mark_is_new(ck_marks_get(&m2, "a", 1), "77", 2, 4));
	agg_free(&t);
	agg_free(&t2);
	ck_marks_free(&m);
	ck_marks_free(&m2);
}
END_TEST

START_TEST(test_state_round_trip)
{
	struct agg_table t, t2;
	struct ck_marks m, m2;
	struct st_state s = { "q1", 7, 1700000000000, 1700000600000, &t, &m,
	    NULL };
	struct st_state s2 = { "q1", 0, 0, 0, &t2, &m2, NULL };
	char path[256];
	struct agg_row *r;
	struct eb e;

	fill(&t, &m);
	snprintf(path, sizeof(path), "%s/state.json", dir);
	ck_assert_int_eq(st_save(path, &s, &e), 0);
	ck_assert_int_eq(agg_init(&t2, 2), 0);
	ck_assert_int_eq(ck_marks_init(&m2), 0);
	ck_assert_msg(st_load(path, &s2, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(s2.batch, 7);
	ck_assert_int_eq(s2.wm_ms, 1700000000000);
	ck_assert_int_eq(s2.max_ms, 1700000600000);
	ck_assert_int_eq(m2.n, 1);
	ck_assert_str_eq(ck_marks_get(&m2, "shardId-1", 9)->seq,
	    "4959000000000000000000000000007");
	r = agg_find(&t2, -300000000, "\"EUR\"\x1f", 6);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->rows, 4);
	ck_assert_int_eq(r->batch, 2);
	ck_assert_int_eq(r->cell[0].n, 4);
	ck_assert(agg_cell_sum(&r->cell[0]) == agg_cell_sum(&agg_find(&t,
	    -300000000, "\"EUR\"\x1f", 6)->cell[0]));
	ck_assert(r->cell[0].min == 0.1 && r->cell[0].max == 1e300);
	ck_assert_int_eq(r->cell[1].n, 0);
	/* kin-read's view of it: the fixed members */
	ck_assert_ptr_nonnull(strstr(slurp(path), "{\"format\":\"kinpipe-window-avg-state\","
	    "\"version\":2,\"shards\":{\"shardId-1\":\"4959000000000000000000000000007\"}"));
	agg_free(&t);
	agg_free(&t2);
	ck_marks_free(&m);
	ck_marks_free(&m2);
}
END_TEST

START_TEST(test_state_missing_is_first_run)
{
	struct agg_table t;
	struct ck_marks m;
	struct st_state s = { "q", 0, ST_NONE, ST_NONE, &t, &m, NULL };
	struct eb e;
	char path[256];

	snprintf(path, sizeof(path), "%s/none.json", dir);
	ck_assert_int_eq(agg_init(&t, 1), 0);
	ck_assert_int_eq(ck_marks_init(&m), 0);
	ck_assert_int_eq(st_load(path, &s, &e), 1);
	agg_free(&t);
	ck_marks_free(&m);
}
END_TEST

/* Load text into a fresh state of query q with ncols cells a row, windows
 * on win (NULL: not checked). */
static int
load_fresh(const char *text, size_t len, const char *q, int ncols,
    const struct win_spec *win, struct eb *e)
{
	struct agg_table t;
	struct ck_marks m;
	struct st_state s = { q, 0, ST_NONE, ST_NONE, &t, &m, win };
	int rc;

	ck_assert_int_eq(agg_init(&t, ncols), 0);
	ck_assert_int_eq(ck_marks_init(&m), 0);
	rc = st_load_text(text, len, "f", &s, e);
	agg_free(&t);
	ck_marks_free(&m);
	return rc;
}

/* What a damaged file's refusal says, cause aside. */
#define DAMAGED(why) "f: damaged (" why "): not used. To start over, move " \
	"it aside (mv f f.damaged): the run then starts with no windows and " \
	"no replay marks, and counts again whatever it reads"

static const struct {
	const char *text;
	const char *msg;
} refused[] = {
	{ "", "f: not a window-avg state file: '[' or '{' expected near end of file (at byte 0)" },
	/* ours, cut short; jansson counts the position from 0 */
	{ "{\"format\":\"kinpipe-window-avg-state\",", DAMAGED("not JSON: string or '}' expected near end of file (at byte 37)") },
	{ "[1]", "f: not a window-avg state file: not a JSON object" },
	{ "{\"format\":\"kinpipe-kin-read-checkpoint\",\"version\":1}", "f: not a window-avg state file: \"format\" is not \"kinpipe-window-avg-state\"" },
	{ "{\"format\":\"kinpipe-window-avg-state\",\"version\":3}", "f: unsupported state file version (this window-avg reads versions 1 and 2)" },
	/* version 2 is sealed: without its seal it is damaged */
	{ "{\"format\":\"kinpipe-window-avg-state\",\"version\":2,\"query\":\"q\",\"batch\":1,\"watermark_ms\":null,\"max_event_ms\":null,\"shards\":{},\"rows\":[]}", DAMAGED("no valid \"sha256\" seal at its end") },
	{ "{\"format\":\"kinpipe-window-avg-state\",\"version\":2,\"query\":\"q\",\"batch\":1,\"watermark_ms\":null,\"max_event_ms\":null,\"shards\":{},\"rows\":[],\"sha256\":\"0000000000000000000000000000000000000000000000000000000000000000\"}", DAMAGED("its sha256 does not match its content") },
	{ "{\"format\":\"kinpipe-window-avg-state\",\"version\":1,\"query\":\"other\"}", "f: state file was written for a different query (other), not this one (q)" },
	{ "{\"format\":\"kinpipe-window-avg-state\",\"version\":1,\"query\":\"q\",\"batch\":1,\"watermark_ms\":null,\"max_event_ms\":null,\"shards\":{\"s\":\"12x\"},\"rows\":[]}", DAMAGED("shard 's' has no valid sequenceNumber") },
	{ "{\"format\":\"kinpipe-window-avg-state\",\"version\":1,\"query\":\"q\",\"batch\":1,\"watermark_ms\":null,\"max_event_ms\":null,\"shards\":{},\"subSequenceNumbers\":{\"a\":1},\"rows\":[]}", DAMAGED("shard 'a' has a subSequenceNumber but no sequenceNumber") },
	{ "{\"format\":\"kinpipe-window-avg-state\",\"version\":1,\"query\":\"q\",\"batch\":1,\"watermark_ms\":null,\"max_event_ms\":null,\"shards\":{\"a\":\"7\"},\"subSequenceNumbers\":{\"a\":\"1\"},\"rows\":[]}", DAMAGED("shard 'a' has no valid subSequenceNumber") },
	{ "{\"format\":\"kinpipe-window-avg-state\",\"version\":1,\"query\":\"q\",\"batch\":1,\"watermark_ms\":null,\"max_event_ms\":null,\"shards\":{},\"subSequenceNumbers\":[],\"rows\":[]}", DAMAGED("\"subSequenceNumbers\" is not an object") },
	{ "{\"format\":\"kinpipe-window-avg-state\",\"version\":1,\"query\":\"q\",\"batch\":1,\"watermark_ms\":null,\"max_event_ms\":null,\"shards\":{},\"rows\":[[0,\"k\",1,0]]}", DAMAGED("rows[0]: not [start,key,rows,batch,cells...] with 1 cells") },
	{ "{\"format\":\"kinpipe-window-avg-state\",\"version\":1,\"query\":\"q\",\"batch\":1,\"watermark_ms\":null,\"max_event_ms\":null,\"shards\":{},\"rows\":[[0,\"k\",1,0,[1,2,0,2]]]}", DAMAGED("rows[0]: cell 0 is not [n,sum,comp,min,max]") },
	{ "{\"format\":\"kinpipe-window-avg-state\",\"version\":1,\"query\":\"q\",\"batch\":1,\"watermark_ms\":null,\"max_event_ms\":null,\"shards\":{},\"rows\":[[0,\"k\",1,0,[1,2,0,2,2]],[0,\"k\",1,0,[1,2,0,2,2]]]}", DAMAGED("rows[1]: duplicate window and key") },
	{ "{\"format\":\"kinpipe-window-avg-state\",\"version\":1,\"query\":\"q\",\"batch\":-1}", DAMAGED("bad \"batch\"") },
};

START_TEST(test_state_refused)
{
	struct eb e;

	ck_assert_int_eq(load_fresh(refused[_i].text, strlen(refused[_i].text),
	    "q", 1, NULL, &e), -1);
	ck_assert_str_eq(e.msg, refused[_i].msg);
}
END_TEST

/* Sealed files whose numbers no run could have written: one row each,
 * windows of 10 s sliding by 5 s. Then rows a run could have written,
 * however odd. */
static const struct {
	const char *rows, *why;
} impossible[] = {
	{ "[1000,\"k\",1,0,[1,2,0,2,2]]", "rows[0]: window start 1000 is not on the slide" },
	{ "[0,\"k\",0,0,[0,0,0,0,0]]", "rows[0]: count 0 is not positive" },
	{ "[0,\"k\",1,3,[1,2,0,2,2]]", "rows[0]: changed in batch 3, which is not before the next one (3)" },
	{ "[0,\"k\",1,0,[2,4,0,2,2]]", "rows[0]: cell 0 count out of range" },
	{ "[0,\"k\",1,0,[-1,2,0,2,2]]", "rows[0]: cell 0 count out of range" },
	{ "[0,\"k\",1,0,[0,5,0,0,0]]", "rows[0]: cell 0: values without a count" },
	{ "[0,\"k\",2,0,[2,4,0,3,1]]", "rows[0]: cell 0: minimum above maximum" },
	/* a digit of a sum changed: 1e308 from values in [1, 3] */
	{ "[0,\"k\",2,0,[2,1e308,0,1,3]]", "rows[0]: cell 0: a sum outside count x [min, max]" },
	{ "[0,\"k\",2,0,[2,7,0,1,3]]", "rows[0]: cell 0: a sum outside count x [min, max]" },
	{ "[0,\"k\",2,0,[2,\"Infinity\",0,1,3]]", "rows[0]: cell 0: a sum that is not finite, of finite values that cannot overflow" },
	{ "[0,\"k\",2,0,[2,4,\"NaN\",1,3]]", "rows[0]: cell 0: a sum that is not finite, of finite values that cannot overflow" },
	{ "[0,\"k\",2,0,[2,4,1e10,1,3]]", "rows[0]: cell 0: a compensation larger than the values" },
	{ "", "a watermark without an event time" },
};

static const char *const possible[] = {
	"[-5000000,\"k\",1,0,[1,2,0,2,2]]",
	"[0,\"k\",2,0,[2,4,0,1,3]]",
	"[0,\"k\",2,2,[0,0,0,0,0]]",			/* only nulls */
	/* 1e308 twice overflows; the compensation turns NaN */
	"[0,\"k\",2,0,[2,\"Infinity\",\"NaN\",1e308,1e308]]",
	/* a value of 1e400 is infinite */
	"[0,\"k\",2,0,[2,\"Infinity\",\"NaN\",1,\"Infinity\"]]",
	"[0,\"k\",2,0,[2,0,0,-1e308,1e308]]",
	"[0,\"k\",3,1,[3,0.6000000000000001,-5.551115123125783e-17,0.1,0.3]]",
};

static void
sealed_state(struct sb *out, const char *rows, int wm)
{
	sb_printf(out, "{\"format\":\"kinpipe-window-avg-state\",\"version\":2,"
	    "\"query\":\"q\",\"batch\":3,\"watermark_ms\":%s,\"max_event_ms\":%s,"
	    "\"shards\":{},\"rows\":[%s]", wm ? "5" : "null", wm ? "null" :
	    "1000", rows);
	ck_sum_seal(out, 0);
	ck_assert(!sb_failed(out));
}

START_TEST(test_state_impossible)
{
	struct win_spec win;
	struct sb text = SB_INIT;
	char want[1024];
	struct eb e;

	ck_assert_int_eq(win_spec_init(&win, 10000000, 5000000, 0, &e), 0);
	sealed_state(&text, impossible[_i].rows, *impossible[_i].rows == '\0');
	ck_assert_int_eq(load_fresh(text.buf, text.len, "q", 1, &win, &e), -1);
	snprintf(want, sizeof(want), "f: damaged (%s): not used. To start "
	    "over, move it aside (mv f f.damaged): the run then starts with "
	    "no windows and no replay marks, and counts again whatever it "
	    "reads", impossible[_i].why);
	ck_assert_str_eq(e.msg, want);
	sb_free(&text);
}
END_TEST

START_TEST(test_state_possible)
{
	struct win_spec win;
	struct sb text = SB_INIT;
	struct eb e;

	ck_assert_int_eq(win_spec_init(&win, 10000000, 5000000, 0, &e), 0);
	sealed_state(&text, possible[_i], 0);
	ck_assert_msg(load_fresh(text.buf, text.len, "q", 1, &win, &e) == 0,
	    "%s: %s", possible[_i], e.msg);
	sb_free(&text);
}
END_TEST

/* A file of the version before the seal is read, with a warning: an
 * upgrade keeps its replay marks. */
START_TEST(test_state_version_1)
{
	static const char v1[] = "{\"format\":\"kinpipe-window-avg-state\","
	    "\"version\":1,\"shards\":{\"s\":\"7\"},\"query\":\"q\",\"batch\":1,"
	    "\"watermark_ms\":null,\"max_event_ms\":1000,\"rows\":[[0,\"k\",1,0,"
	    "[1,2,0,2,2]]]}\n";
	struct eb e;

	ck_assert_msg(load_fresh(v1, strlen(v1), "q", 1, NULL, &e) == 0, "%s",
	    e.msg);
}
END_TEST

/* Every single-bit flip of a state file as window-avg writes it: refused,
 * never used. */
START_TEST(test_state_bit_flips)
{
	struct agg_table t;
	struct ck_marks m;
	struct st_state s = { "q1", 7, 1700000000000, 1700000600000, &t, &m,
	    NULL };
	struct sb text = SB_INIT;
	char *flip;
	struct eb e;
	size_t bits;

	fill(&t, &m);
	st_dump(&s, &text);
	ck_assert(!sb_failed(&text));
	ck_assert_int_eq(load_fresh(text.buf, text.len, "q1", 2, NULL, &e), 0);
	bits = text.len * 8;
	flip = malloc(text.len);
	ck_assert_ptr_nonnull(flip);
	for (size_t i = 0; i < bits; i++) {
		memcpy(flip, text.buf, text.len);
		flip[i / 8] ^= (char)(1 << (i % 8));
		ck_assert_msg(load_fresh(flip, text.len, "q1", 2, NULL, &e) == -1,
		    "bit %zu (byte %zu) flipped: accepted", i, i / 8);
	}
	free(flip);
	sb_free(&text);
	agg_free(&t);
	ck_marks_free(&m);
}
END_TEST

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(dir, "/tmp/kp-test-ck.XXXXXX");
}

static Suite *
ck_suite(void)
{
	Suite *s = suite_create("ck");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_write_atomic);
	tcase_add_test(tc, test_write_atomic_not_regular);
	tcase_add_test(tc, test_write_atomic_symlink);
	tcase_add_test(tc, test_sinks_check);
	tcase_add_test(tc, test_sum);
	tcase_add_test(tc, test_write_atomic_parent_is_file);
	tcase_add_test(tc, test_write_atomic_write_fails);
	tcase_add_test(tc, test_write_atomic_full_and_readonly);
	tcase_add_test(tc, test_seq_cmp);
	tcase_add_test(tc, test_seq_order);
	tcase_add_test(tc, test_marks);
	tcase_add_test(tc, test_marks_peek);
	tcase_add_test(tc, test_state_round_trip);
	tcase_add_test(tc, test_state_subseq);
	tcase_add_test(tc, test_state_missing_is_first_run);
	tcase_add_loop_test(tc, test_state_refused, 0,
	    sizeof(refused) / sizeof(refused[0]));
	tcase_add_loop_test(tc, test_state_impossible, 0,
	    sizeof(impossible) / sizeof(impossible[0]));
	tcase_add_loop_test(tc, test_state_possible, 0,
	    sizeof(possible) / sizeof(possible[0]));
	tcase_add_test(tc, test_state_version_1);
	tcase_add_test(tc, test_state_bit_flips);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(ck_suite)
