/* wl_config: where the wallet clients find the API, the user id and the
 * access key. Each setting comes from the first of: a command-line flag,
 * the environment (WALLET_API, WALLET_USER_ID, WALLET_ACCESS_KEY,
 * WALLET_ACCESS_KEY_FILE), the config file (--config, or by default
 * $XDG_CONFIG_HOME/kinpipe/wallet.conf, ~/.config/... without XDG). The
 * key never comes from argv, and a file holding it must not be readable
 * by group or others. */
#ifndef KP_WL_CONFIG_H
#define KP_WL_CONFIG_H

#include "base/eb.h"

struct wl_flags {
	const char *api, *user_id, *config, *key_file;
};

struct wl_config {
	char *api;		/* ends with '/' */
	char *user_id;
	char *access_key;	/* wiped on free */
	const char *config_path;	/* the file read, if any (for messages) */
};

/* Why a configuration could not be loaded (e says more): the user's
 * to fix (missing, unsafe or malformed: a usage error), or not. */
enum {
	WL_CONFIG_OK = 0,
	WL_CONFIG_BAD = -1,	/* what eb_set returns */
	WL_CONFIG_NOMEM = -2
};

/* need_key: the key is required (trades), else not loaded (wallet-info).
 * Returns a WL_CONFIG_* status. */
int wl_config_load(struct wl_config *c, const struct wl_flags *f,
    int need_key, struct eb *e);
void wl_config_free(struct wl_config *c);

/* Read a secret from a file into *out: its first line, which must be
 * non-empty and free of control bytes; refused if group or others may
 * read the file. Returns a WL_CONFIG_* status. */
int wl_read_secret(const char *path, char **out, struct eb *e);

#endif
