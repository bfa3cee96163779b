/* SPDX-License-Identifier: MIT */
/* Stand-in for gw_uapi.c while that file does not exist: no UAPI socket. */
#include <errno.h>
#include <stddef.h>

#include "gw_device.h"

struct gw_uapi *gw_uapi_open(struct gw_device *dev, const char *name)
{
	(void)dev;
	(void)name;
	errno = ENOSYS;
	return NULL;
}

void gw_uapi_poll(struct gw_uapi *uapi)
{
	(void)uapi;
}

void gw_uapi_close(struct gw_uapi *uapi)
{
	(void)uapi;
}
