/* wl_main: the whole of wallet-buy and wallet-sell, which differ only in
 * the side of the order; their tools/ files call this and exit with what
 * it returns. Options and usage errors go through cli (exit 2). */
#ifndef KP_WL_MAIN_H
#define KP_WL_MAIN_H

int wl_trade_main(int argc, char **argv, const char *side);

#endif
