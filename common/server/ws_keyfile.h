/* ws_keyfile: a new wallet's access key written to a file of its own,
 * private from the first byte: created with mode 0600, never over an
 * existing file (nor through a symbolic link), synced to disk with its
 * directory before the wallet is created, so that a wallet never exists
 * whose key was lost. */
#ifndef KP_WS_KEYFILE_H
#define KP_WS_KEYFILE_H

#include "base/eb.h"

/* Write key and a newline to path, a file that must not exist yet. On
 * failure nothing is left behind. */
int ws_keyfile_write(const char *path, const char *key, struct eb *e);
/* Take back a key file whose wallet could not be created. */
void ws_keyfile_remove(const char *path);

#endif
