/* wa_opt: window-avg's command line: getopt_long, then Spark's
 * UnsupportedOperationChecker rules and our own on the combination. */
#ifndef KP_WA_OPT_H
#define KP_WA_OPT_H

#include "base/eb.h"
#include "window/wa.h"

extern const char wa_opt_usage_line[];
extern const char wa_opt_help_text[];

enum { WA_OPT_RUN, WA_OPT_HELP, WA_OPT_VERSION, WA_OPT_BAD_OPTION };

/* Parse argv into o (zeroed); returns WA_OPT_RUN, WA_OPT_HELP or
 * WA_OPT_VERSION, or -1 with e saying what is wrong (a usage error).
 * WA_OPT_BAD_OPTION is getopt's refusal of an option: the tool reports it
 * with cli_bad_option(argv), every tool's one message for it, before
 * anything else moves getopt's optind and optopt. Strings in o point
 * into argv, which may be modified; the operands (the input files) are
 * left in argv[optind..argc). */
int wa_opt_parse(struct wa_opts *o, int argc, char **argv, struct eb *e);
/* Check the combination and complete o (window spec, state query);
 * -1 with e set on a usage error. */
int wa_opt_validate(struct wa_opts *o, struct eb *e);
void wa_opt_free(struct wa_opts *o);

#endif
