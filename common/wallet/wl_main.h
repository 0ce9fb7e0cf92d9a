/* wl_main: the whole of wallet-buy and wallet-sell, which differ only in
 * the side of the order; their tools/ files call this and exit with what
 * it returns. Options and usage errors go through cli (exit 2). */
#ifndef KP_WL_MAIN_H
#define KP_WL_MAIN_H

#include "base/cli.h"

/* duration parses --metrics-interval: the suite's parser (iv_parse), which
 * the wallet layer may not include, handed in by the tool. */
int wl_trade_main(int argc, char **argv, const char *side,
    cli_duration_fn *duration);

#endif
