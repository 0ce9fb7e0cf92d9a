/* One main for every Check suite: run it, exit non-zero on any failure. */
#ifndef KP_CHECK_MAIN_H
#define KP_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

#define KP_CHECK_MAIN(suite_fn)						\
	int								\
	main(void)							\
	{								\
		SRunner *sr = srunner_create(suite_fn());		\
		int failed;						\
									\
		srunner_run_all(sr, CK_NORMAL);				\
		failed = srunner_ntests_failed(sr);			\
		srunner_free(sr);					\
		return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;	\
	}

#endif
