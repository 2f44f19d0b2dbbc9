/**
 * \file fuzz_conf.c
 * Fuzz target of the configuration parser: any input must parse or fail
 * with a "FILE:LINE: reason" message, never crash; a configuration that
 * parses must print in canonical form, parse again from that form and
 * print identically; its policy must build and decide a few lookups.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "dyndns-guard/conf.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/name.h"
#include "dyndns-guard/policy.h"

/** the fuzz target */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** Canonical print into a malloc'ed string. */
static char *
print_conf(const struct ddg_conf *c, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if(!f)
		return NULL;
	if(ddg_conf_print(c, f) != DDG_OK) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	return buf;
}

/** Decide a few lookups; every result must be consistent. */
static void
decide_some(const struct ddg_policy *p, const struct ddg_conf *c)
{
	static const char *names[] = { "www.duckdns.org", "a.b.example",
		"x.y.z.no-ip.com", "." };
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct ddg_decision d;
	uint8_t wire[DDG_NAME_MAXWIRE];
	size_t wl, i, z;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x0a010203);
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr.s6_addr[0] = 0x20;
	sin6.sin6_addr.s6_addr[1] = 0x01;
	for(i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if(ddg_name_from_str(names[i], wire, &wl) != DDG_OK)
			abort();
		if(ddg_policy_decide(p, NULL, 0, (struct sockaddr *)&sin,
			wire, wl, &d, NULL) < 0)
			abort();
		if(ddg_policy_decide(p, NULL, 0, (struct sockaddr *)&sin6,
			wire, wl, &d, NULL) < 0)
			abort();
	}
	/* every zone rule decides its own zone */
	for(z = 0; z < c->nzones && z < 64; z++) {
		if(ddg_policy_decide(p, NULL, 0, NULL, c->zones[z].wire,
			c->zones[z].wire_len, &d, NULL) != 1)
			abort();
		if(!d.from_rule || d.action != c->zones[z].action)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ddg_conf *c = NULL, *c2 = NULL;
	struct ddg_policy *p = NULL;
	char err[DDG_ERR_LEN];
	char *a, *b;
	size_t al = 0, bl = 0;
	int r;

	if(size > 65536)
		return 0;
	r = ddg_conf_parse((const char *)data, size, "fuzz.conf", &c, err,
		sizeof(err));
	if(r != DDG_OK) {
		/* a message naming the file and a line */
		if(strncmp(err, "fuzz.conf:", 10) != 0 || c != NULL)
			abort();
		return 0;
	}
	a = print_conf(c, &al);
	if(!a)
		abort();
	r = ddg_conf_parse(a, al, "fuzz.conf", &c2, err, sizeof(err));
	if(r != DDG_OK) {
		fprintf(stderr, "canonical form does not parse: %s\n%s\n",
			err, a);
		abort();
	}
	b = print_conf(c2, &bl);
	if(!b || al != bl || memcmp(a, b, al) != 0) {
		fprintf(stderr, "round trip differs:\n%s\n---\n%s\n", a,
			b ? b : "");
		abort();
	}
	if(ddg_policy_new(c, &p, err, sizeof(err)) != DDG_OK) {
		fprintf(stderr, "policy: %s\n", err);
		abort();
	}
	decide_some(p, c);
	ddg_policy_free(p);
	free(a);
	free(b);
	ddg_conf_free(c);
	ddg_conf_free(c2);
	return 0;
}
