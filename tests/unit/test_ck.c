/* ck and st: durable writes, sequence-number order, shard marks, and the
 * window-avg state file (round trip, refusal of foreign or damaged files). */
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

/* The rename is the last step that can fail with the temporary file
 * complete beside the target: it must go too. */
START_TEST(test_write_atomic_rename_fails)
{
	char path[256], tmp[256], want[300];
	struct stat st;
	struct eb e;

	paths("d", path, tmp, sizeof(path));
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(ck_write_atomic(path, "data", 4, &e), -1);
	snprintf(want, sizeof(want), "%s: Is a directory", path);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(access(tmp, F_OK), -1);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
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
 * it in "subSequenceNumbers", and a subSequenceNumber without a sequence
 * number is refused. */
START_TEST(test_state_subseq)
{
	struct agg_table t, t2;
	struct ck_marks m, m2;
	struct st_state s = { "q1", 1, ST_NONE, ST_NONE, &t, &m };
	struct st_state s2 = { "q1", 0, 0, 0, &t2, &m2 };
	const char *bad = "{\"format\":\"kinpipe-window-avg-state\",\"version\":1,"
	    "\"shards\":{},\"subSequenceNumbers\":{\"a\":1},\"query\":\"q1\","
	    "\"batch\":0,\"watermark_ms\":null,\"max_event_ms\":null,\"rows\":[]}";
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
	agg_free(&t2);
	ck_marks_free(&m2);
	ck_assert_int_eq(agg_init(&t2, 1), 0);
	ck_assert_int_eq(ck_marks_init(&m2), 0);
	ck_assert_int_eq(st_load_text(bad, strlen(bad), "x", &s2, &e), -1);
	ck_assert_str_eq(e.msg, "x: damaged state file: shard 'a' has a "
	    "subSequenceNumber but no sequenceNumber");
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
	struct st_state s = { "q1", 7, 1700000000000, 1700000600000, &t, &m };
	struct st_state s2 = { "q1", 0, 0, 0, &t2, &m2 };
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
	    "\"version\":1,\"shards\":{\"shardId-1\":\"4959000000000000000000000000007\"}"));
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
	struct st_state s = { "q", 0, ST_NONE, ST_NONE, &t, &m };
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

static const struct {
	const char *text;
	const char *msg;
} refused[] = {
	{ "", "f: not a window-avg state file: '[' or '{' expected near end of file (at byte 0)" },
	/* a write cut short; jansson counts the position from 0 */
	{ "{\"format\":\"kinpipe-window-avg-state\",", "f: not a window-avg state file: string or '}' expected near end of file (at byte 37)" },
	{ "[1]", "f: not a window-avg state file: not a JSON object" },
	{ "{\"format\":\"kinpipe-kin-read-checkpoint\",\"version\":1}", "f: not a window-avg state file: \"format\" is not \"kinpipe-window-avg-state\"" },
	{ "{\"format\":\"kinpipe-window-avg-state\",\"version\":2}", "f: unsupported state file version (this window-avg reads version 1)" },
	{ "{\"format\":\"kinpipe-window-avg-state\",\"version\":1,\"query\":\"other\"}", "f: state file was written for a different query (other), not this one (q)" },
	{ "{\"format\":\"kinpipe-window-avg-state\",\"version\":1,\"query\":\"q\",\"batch\":1,\"watermark_ms\":null,\"max_event_ms\":null,\"shards\":{\"s\":\"12x\"},\"rows\":[]}", "f: damaged state file: shard 's' has no valid sequenceNumber" },
	{ "{\"format\":\"kinpipe-window-avg-state\",\"version\":1,\"query\":\"q\",\"batch\":1,\"watermark_ms\":null,\"max_event_ms\":null,\"shards\":{},\"rows\":[[0,\"k\",1,0]]}", "f: damaged state file: rows[0]: not [start,key,rows,batch,cells...] with 1 cells" },
	{ "{\"format\":\"kinpipe-window-avg-state\",\"version\":1,\"query\":\"q\",\"batch\":1,\"watermark_ms\":null,\"max_event_ms\":null,\"shards\":{},\"rows\":[[0,\"k\",1,0,[1,2,0,2]]]}", "f: damaged state file: rows[0]: cell 0 is not [n,sum,comp,min,max]" },
	{ "{\"format\":\"kinpipe-window-avg-state\",\"version\":1,\"query\":\"q\",\"batch\":1,\"watermark_ms\":null,\"max_event_ms\":null,\"shards\":{},\"rows\":[[0,\"k\",1,0,[1,2,0,2,2]],[0,\"k\",1,0,[1,2,0,2,2]]]}", "f: damaged state file: rows[1]: duplicate window and key" },
	{ "{\"format\":\"kinpipe-window-avg-state\",\"version\":1,\"query\":\"q\",\"batch\":-1}", "f: damaged state file: bad \"batch\"" },
};

START_TEST(test_state_refused)
{
	struct agg_table t;
	struct ck_marks m;
	struct st_state s = { "q", 0, ST_NONE, ST_NONE, &t, &m };
	struct eb e;

	ck_assert_int_eq(agg_init(&t, 1), 0);
	ck_assert_int_eq(ck_marks_init(&m), 0);
	ck_assert_int_eq(st_load_text(refused[_i].text, strlen(refused[_i].text),
	    "f", &s, &e), -1);
	ck_assert_str_eq(e.msg, refused[_i].msg);
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
	tcase_add_test(tc, test_write_atomic_rename_fails);
	tcase_add_test(tc, test_write_atomic_parent_is_file);
	tcase_add_test(tc, test_write_atomic_write_fails);
	tcase_add_test(tc, test_write_atomic_full_and_readonly);
	tcase_add_test(tc, test_seq_cmp);
	tcase_add_test(tc, test_seq_order);
	tcase_add_test(tc, test_marks);
	tcase_add_test(tc, test_state_round_trip);
	tcase_add_test(tc, test_state_subseq);
	tcase_add_test(tc, test_state_missing_is_first_run);
	tcase_add_loop_test(tc, test_state_refused, 0,
	    sizeof(refused) / sizeof(refused[0]));
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(ck_suite)
