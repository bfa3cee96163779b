/* SPDX-License-Identifier: MIT */
/* rte_log to the journal with priorities (gw_journal.h). */
#include "gw_journal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <rte_log.h>

/* $JOURNAL_STREAM is "DEVICE:INODE" of the journal's stream socket. */
static bool stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	uintmax_t dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%ju:%ju", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (uintmax_t)st.st_dev == dev && (uintmax_t)st.st_ino == ino;
}

static void write_all(struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(STDERR_FILENO, iov, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return; /* nowhere left to report it */
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
}

/* One rte_log message, possibly several lines: "<N>" before each. */
static ssize_t journal_write(void *cookie, const char *buf, size_t size)
{
	/* RTE_LOG_EMERG (1) .. RTE_LOG_DEBUG (8): syslog's 0 .. 7 */
	int level = rte_log_cur_msg_loglevel();
	char prefix[3] = { '<', '6', '>' };
	size_t off = 0;

	(void)cookie;
	if (level >= (int)RTE_LOG_EMERG && level <= (int)RTE_LOG_DEBUG)
		prefix[1] = (char)('0' + level - 1);
	while (off < size) {
		const char *nl = memchr(buf + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - (buf + off)) + 1 : size - off;
		struct iovec iov[2] = {
			{ .iov_base = prefix, .iov_len = sizeof(prefix) },
			{ .iov_base = (void *)(buf + off), .iov_len = len },
		};

		write_all(iov, 2);
		off += len;
	}
	return (ssize_t)size;
}

bool gw_journal_init(void)
{
	cookie_io_functions_t fns = { .write = journal_write };
	FILE *f;

	if (!stderr_is_journal())
		return false;
	f = fopencookie(NULL, "w", fns);
	if (!f)
		return false;
	/* a message is written when rte_log flushes it, whole */
	return rte_openlog_stream(f) == 0;
}
