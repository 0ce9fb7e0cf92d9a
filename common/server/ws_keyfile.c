#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/ck.h"
#include "base/nd.h"
#include "server/ws_keyfile.h"
#include "server/ws_store.h"

int
ws_keyfile_write(const char *path, const char *key, struct eb *e)
{
	char line[WS_KEY_HEX + 2];
	size_t n = strlen(key);
	int fd;

	if (n != WS_KEY_HEX)
		return eb_set(e, "%s: not an access key", path);
	memcpy(line, key, n);
	line[n++] = '\n';
	/* O_EXCL also refuses a symbolic link, even one that points
	 * nowhere: the key goes nowhere but where it was asked to */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0) {
		sodium_memzero(line, sizeof(line));
		if (errno == EEXIST)
			return eb_set(e, "%s: exists: refused (a key file is"
			    " never overwritten)", path);
		return eb_set(e, "%s: %s", path, strerror(errno));
	}
	/* the umask may have taken bits away; never more than 0600 */
	if (fchmod(fd, 0600) != 0)
		goto fail;
	if (nd_write_all(fd, line, n, NULL) != 0)
		goto fail;
	sodium_memzero(line, sizeof(line));
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	if (ck_fsync_dir_of(path, e) != 0) {
		unlink(path);
		return -1;
	}
	return 0;
fail:
	eb_set(e, "%s: %s", path, strerror(errno));
	sodium_memzero(line, sizeof(line));
	if (fd >= 0)
		close(fd);
	unlink(path);
	return -1;
}

void
ws_keyfile_remove(const char *path)
{
	unlink(path);
}
