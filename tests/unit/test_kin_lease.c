/* kin_lease_plan: KCL's taker decisions on hand-made tables, each
 * expected value worked out from the rule (share = active leases over
 * live workers, rounded up; expired first; steal one from the most
 * loaded only while it is above the share), and ddb's error classes. */
#include <check.h>
#include <string.h>

#include "check_main.h"
#include "ddb/ddb.h"
#include "kinesis/kin_lease.h"

#define L(o, x, el) { o, x, el }

START_TEST(share_reached)
{
	/* six leases, three workers, two each: nothing to do */
	struct kin_lease_view v[] = { L("a", 0, 1), L("a", 0, 1), L("b", 0, 1),
	    L("b", 0, 1), L("me", 0, 1), L("me", 0, 1) };
	int steal;

	ck_assert_int_eq(kin_lease_plan(v, 6, "me", 0, &steal), -1);
}
END_TEST

START_TEST(expired_first)
{
	/* a dead worker's two leases: two live workers, share 3; me has 2 */
	struct kin_lease_view v[] = { L("a", 0, 1), L("a", 0, 1), L("a", 0, 1),
	    L("me", 0, 1), L("me", 0, 1), L("dead", 1, 1) };
	int steal;

	ck_assert_int_eq(kin_lease_plan(v, 6, "me", 0, &steal), 5);
	ck_assert_int_eq(steal, 0);
	/* nobody's lease is expired too, and the pick rotates among them */
	v[0].owner = NULL;
	v[0].expired = 1;
	ck_assert_int_eq(kin_lease_plan(v, 6, "me", 0, &steal), 0);
	ck_assert_int_eq(kin_lease_plan(v, 6, "me", 1, &steal), 5);
	ck_assert_int_eq(kin_lease_plan(v, 6, "me", 2, &steal), 0);
}
END_TEST

START_TEST(steal_one_from_most_loaded)
{
	/* a new worker: 3 + 3, share of 6 over 3 is 2, needs 2; a is above
	 * the share by one: one of a's is stolen, never two at a time */
	struct kin_lease_view v[] = { L("b", 0, 1), L("a", 0, 1), L("b", 0, 1),
	    L("a", 0, 1), L("b", 0, 1), L("a", 0, 1) };
	int steal;
	long i = kin_lease_plan(v, 6, "me", 0, &steal);

	ck_assert_int_eq(steal, 1);
	ck_assert_int_eq(i, 1);	/* a: most loaded, ties by name */
	ck_assert_int_eq(kin_lease_plan(v, 6, "me", 4, &steal), 3);
}
END_TEST

START_TEST(no_steal_at_share)
{
	/* seven leases over three workers: share 3; 3/2/2 is balanced */
	struct kin_lease_view v[] = { L("a", 0, 1), L("a", 0, 1), L("a", 0, 1),
	    L("b", 0, 1), L("b", 0, 1), L("me", 0, 1), L("me", 0, 1) };
	int steal;

	ck_assert_int_eq(kin_lease_plan(v, 7, "me", 0, &steal), -1);
	/* needing two while the most loaded is at the share: steal one */
	v[5].owner = v[6].owner = "b";
	v[3].owner = v[4].owner = "c";
	/* a 3, b 2, c 2, me 0: four workers, share 2 (7/4 rounded up) */
	ck_assert_int_eq(kin_lease_plan(v, 7, "me", 0, &steal), 0);
	ck_assert_int_eq(steal, 1);
}
END_TEST

START_TEST(ineligible_ignored)
{
	/* SHARD_END and children of unfinished parents count for nothing */
	struct kin_lease_view v[] = { L("a", 0, 1), L(NULL, 1, 0), L(NULL, 1, 0),
	    L("me", 0, 1) };
	int steal;

	ck_assert_int_eq(kin_lease_plan(v, 4, "me", 0, &steal), -1);
	ck_assert_int_eq(kin_lease_plan(v, 0, "me", 0, &steal), -1);
}
END_TEST

START_TEST(ddb_classes)
{
	int retry;

	ck_assert_int_eq(ddb_classify(400, "ConditionalCheckFailedException",
	    &retry), DDB_CONDITION);
	ck_assert_int_eq(retry, 0);
	ck_assert_int_eq(ddb_classify(400, "ProvisionedThroughputExceededException",
	    &retry), DDB_FAIL);
	ck_assert_int_eq(retry, 1);
	ck_assert_int_eq(ddb_classify(400, "ThrottlingException", &retry), DDB_FAIL);
	ck_assert_int_eq(retry, 1);
	ck_assert_int_eq(ddb_classify(503, "", &retry), DDB_FAIL);
	ck_assert_int_eq(retry, 1);
	ck_assert_int_eq(ddb_classify(400, "ResourceNotFoundException", &retry),
	    DDB_NOTFOUND);
	ck_assert_int_eq(ddb_classify(400, "ResourceInUseException", &retry),
	    DDB_INUSE);
	ck_assert_int_eq(ddb_classify(400, "UnrecognizedClientException", &retry),
	    DDB_AUTH);
	/* the errors common to every service, and a bare 403 */
	ck_assert_int_eq(ddb_classify(400, "SignatureDoesNotMatch", &retry),
	    DDB_AUTH);
	ck_assert_int_eq(ddb_classify(403, "", &retry), DDB_AUTH);
	ck_assert_int_eq(ddb_classify(400, "KMSAccessDeniedException", &retry),
	    DDB_FAIL);
	ck_assert_int_eq(ddb_classify(400, "ValidationException", &retry), DDB_FAIL);
	ck_assert_int_eq(retry, 0);
}
END_TEST

static Suite *
lease_suite(void)
{
	Suite *s = suite_create("kin_lease");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, share_reached);
	tcase_add_test(tc, expired_first);
	tcase_add_test(tc, steal_one_from_most_loaded);
	tcase_add_test(tc, no_steal_at_share);
	tcase_add_test(tc, ineligible_ignored);
	tcase_add_test(tc, ddb_classes);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(lease_suite)
