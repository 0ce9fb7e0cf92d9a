#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/ws_keyfile.h"
#include "server/ws_store.h"

/* The directory entry is only durable once the directory is synced. */
static int
sync_dir(const char *path, struct eb *e)
{
	char *copy = strdup(path);
	int fd, rc = 0;

	if (copy == NULL)
		return eb_set(e, "%s: out of memory", path);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0)
		rc = eb_set(e, "%s: cannot sync its directory: %s", path,
		    strerror(errno));
	if (fd >= 0)
		close(fd);
	free(copy);
	return rc;
}

int
ws_keyfile_write(const char *path, const char *key, struct eb *e)
{
	char line[WS_KEY_HEX + 2];
	size_t n = strlen(key), done = 0;
	ssize_t w;
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
	while (done < n) {
		w = write(fd, line + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail;
		done += (size_t)w;
	}
	sodium_memzero(line, sizeof(line));
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	if (sync_dir(path, e) != 0) {
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
