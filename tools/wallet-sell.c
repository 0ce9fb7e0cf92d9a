/* wallet-sell: sell bitcoin through the wallet API (see wl_main.c). */
#include "time/iv.h"
#include "wallet/wl_main.h"

int
main(int argc, char **argv)
{
	return wl_trade_main(argc, argv, "sell", iv_parse);
}
