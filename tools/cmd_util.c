/**
 * \file cmd_util.c
 * Small helpers shared by the subcommands; see commands.h.
 */
#include "ddg_config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "commands.h"

void
cmd_iso8601(uint64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if(!gmtime_r(&tt, &tm) || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ",
		&tm) == 0)
		snprintf(buf, len, "(out of range)");
}

int
cmd_parse_ip(const char *s, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if(inet_pton(AF_INET, s, &((struct sockaddr_in *)ss)->sin_addr) ==
		1) {
		ss->ss_family = AF_INET;
		return 0;
	}
	if(inet_pton(AF_INET6, s, &((struct sockaddr_in6 *)ss)->sin6_addr) ==
		1) {
		ss->ss_family = AF_INET6;
		return 0;
	}
	return -1;
}
