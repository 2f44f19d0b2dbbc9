/**
 * \file cmd_export.c
 * dyndns-guard export: write a compiled list in the blocking format of
 * another resolver (RPZ zone file, Unbound local-zone:, hosts, adblock,
 * dnsmasq), optionally only the zones a configuration's policy gives a
 * chosen action.
 *
 * What is written is exact for the subtree formats: a "decision point" is
 * a list entry or (with a configuration) a zone: rule; the decision for
 * every name is made by its longest decision point (ddg_policy_decide()).
 * A point is written when its selection differs from the one of its
 * parent name: as a block when it is selected, as an exception (RPZ
 * passthru, local-zone transparent, @@, server=/../#) when it is not but
 * the name above it is.  The hosts format can only name exact names: it
 * gets every selected point and no exceptions.
 */
#include "ddg_config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "commands.h"
#include "dyndns-guard/conf.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/file.h"
#include "dyndns-guard/list.h"
#include "dyndns-guard/list_write.h"
#include "dyndns-guard/name.h"
#include "dyndns-guard/policy.h"

/** most --category options */
#define MAXCATS 256

/** default RPZ origin */
#define DEFAULT_ORIGIN "rpz.dyndns-guard."
/** default TTL of the RPZ records */
#define DEFAULT_TTL 60

/** the output formats */
enum xfmt { XF_RPZ, XF_UNBOUND, XF_HOSTS, XF_ADBLOCK, XF_DNSMASQ };

/** format names, in enum order */
static const char *const xfmt_names[] = {
	"rpz", "unbound", "hosts", "adblock", "dnsmasq", NULL
};

/** why a name was not written */
enum skip {
	SK_BYTES = 0,	/**< a byte the format cannot carry */
	SK_LONG,	/**< with the RPZ origin, longer than 255 bytes */
	SK_ROOT,	/**< the root zone */
	SK_MAX
};

/** what export writes, for the closing summary */
struct xstate {
	enum xfmt fmt;			/**< the format */
	FILE *out;			/**< the output (memory stream) */
	uint8_t origin[DDG_NAME_MAXWIRE]; /**< RPZ origin, wire form */
	size_t origin_len;		/**< its length */
	unsigned ttl;			/**< RPZ TTL */
	int quiet;			/**< no warnings */
	uint64_t blocks;		/**< zones written as blocked */
	uint64_t exceptions;		/**< zones written as exceptions */
	uint64_t skipped[SK_MAX];	/**< names not written, per reason */
	uint64_t skipped_blocks;	/**< of those, blocks */
};

/** export usage */
static void
export_usage(FILE *f)
{
	fprintf(f, "usage: dyndns-guard export --format F [--category C]... "
		"[--mode M] [-c CONF]\n"
		"                [--client IP] [--origin NAME] [--ttl N] "
		"[--strict] [-q] [-o OUT] FILE\n"
		"  --format F     rpz, unbound, hosts, adblock or dnsmasq\n"
		"  --category C   only entries of category C (repeatable; "
		"zone-rule selects\n"
		"                 the configuration's zone: rules)\n"
		"  --mode M       only zones whose action under CONF is M "
		"(block, sinkhole\n"
		"                 or log); the default is every entry\n"
		"  -c CONF        the dyndns-guard.conf for --mode (default "
		"$%s or\n"
		"                 %s); its list: lines are not read,\n"
		"                 FILE takes their place; implies --mode block\n"
		"  --client IP    decide as for this client (its client-network:"
		" action);\n"
		"                 default: a client in no client network\n"
		"  --origin NAME  RPZ zone name (default %s)\n"
		"  --ttl N        RPZ record TTL (default %d)\n"
		"  --strict       a name the format cannot carry is fatal: exit 1,"
		" no output\n"
		"  -q             no warnings and no summary\n"
		"  -o OUT         output file, written atomically (default: "
		"standard output)\n", DDG_CONF_ENV, ddg_conf_default_path(),
		DEFAULT_ORIGIN, DEFAULT_TTL);
}

/** Print text for a comment: bytes outside printable ASCII become '?'. */
static void
put_safe(FILE *f, const char *s)
{
	for(; *s; s++) {
		unsigned char c = (unsigned char)*s;
		fputc(c >= 0x20 && c < 0x7f ? c : '?', f);
	}
}

/** Whether a label byte may be written as it is in format fmt. */
static int
byte_ok(enum xfmt fmt, uint8_t c)
{
	if((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
		(c >= 'A' && c <= 'Z'))
		return 1;
	/* hosts(5) names are letters, digits and '-' only */
	return c == '_' && fmt != XF_HOSTS;
}

/**
 * Write a wire name without the root label.  Every byte outside
 * [A-Za-z0-9_-] (for hosts: [A-Za-z0-9-]) is written as \DDD; the text
 * formats can carry no escape, emit() checks their names first.
 */
static void
put_name(FILE *f, enum xfmt fmt, const uint8_t *w)
{
	const uint8_t *p;
	int first = 1;

	for(p = w; *p; p += *p + 1) {
		uint8_t k;
		if(!first)
			fputc('.', f);
		first = 0;
		for(k = 1; k <= *p; k++) {
			if(byte_ok(fmt, p[k]))
				fputc(p[k], f);
			else
				fprintf(f, "\\%03u", p[k]);
		}
	}
}

/** Presentation form of a name for a warning. */
static void
warn_skip(struct xstate *x, const uint8_t *w, int block, const char *why)
{
	char buf[DDG_NAME_MAXSTR];

	if(x->quiet)
		return;
	if(ddg_name_to_str(w, buf, sizeof(buf)) < 0)
		snprintf(buf, sizeof(buf), "(unprintable)");
	fprintf(stderr, "dyndns-guard export: warning: %s %s not written: "
		"%s\n", block ? "blocked zone" : "exception", buf, why);
}

/** Count and report a name that is not written. */
static void
skip(struct xstate *x, const uint8_t *w, int block, enum skip why)
{
	static const char *const reason[SK_MAX] = {
		NULL,
		"longer than 255 bytes under the RPZ origin",
		"the root zone cannot be exported"
	};
	char msg[64];

	x->skipped[why]++;
	if(block)
		x->skipped_blocks++;
	if(why == SK_BYTES) {
		snprintf(msg, sizeof(msg), "a byte the %s format cannot carry",
			xfmt_names[x->fmt]);
		warn_skip(x, w, block, msg);
	} else
		warn_skip(x, w, block, reason[why]);
}

/**
 * Write one decision point: blocked (block = 1) or an exception.
 */
static void
emit(struct xstate *x, const uint8_t *w, size_t wl, int block)
{
	FILE *f = x->out;

	if(w[0] == 0) {
		skip(x, w, block, SK_ROOT);
		return;
	}
	if(x->fmt != XF_RPZ && x->fmt != XF_UNBOUND) {
		/* check before writing the line's start */
		const uint8_t *p;
		for(p = w; *p; p += *p + 1) {
			uint8_t k;
			for(k = 1; k <= *p; k++)
				if(!byte_ok(x->fmt, p[k])) {
					skip(x, w, block, SK_BYTES);
					return;
				}
		}
	}
	switch(x->fmt) {
	case XF_RPZ:
		/* "*." + name without its root label + origin */
		if(2 + wl - 1 + x->origin_len > DDG_NAME_MAXWIRE) {
			skip(x, w, block, SK_LONG);
			return;
		}
		/* owners relative to $ORIGIN */
		put_name(f, x->fmt, w);
		fprintf(f, " CNAME %s\n*.", block ? "." : "rpz-passthru.");
		put_name(f, x->fmt, w);
		fprintf(f, " CNAME %s\n", block ? "." : "rpz-passthru.");
		break;
	case XF_UNBOUND:
		fputs("\tlocal-zone: \"", f);
		put_name(f, x->fmt, w);
		fprintf(f, ".\" %s\n", block ? "always_nxdomain" :
			"transparent");
		break;
	case XF_HOSTS:
		if(!block)
			return;
		fputs("0.0.0.0 ", f);
		put_name(f, x->fmt, w);
		fputc('\n', f);
		break;
	case XF_ADBLOCK:
		fputs(block ? "||" : "@@||", f);
		put_name(f, x->fmt, w);
		fputs("^\n", f);
		break;
	case XF_DNSMASQ:
		fputs(block ? "address=/" : "server=/", f);
		put_name(f, x->fmt, w);
		fputs(block ? "/\n" : "/#\n", f);
		break;
	}
	if(block)
		x->blocks++;
	else
		x->exceptions++;
}

/** what is selected, and how decisions are made */
struct selector {
	const struct ddg_policy *pol;	/**< the policy */
	const struct ddg_list *list;	/**< FILE */
	const struct sockaddr *client;	/**< or NULL */
	enum ddg_action action;		/**< the action selected */
	const char **cats;		/**< selected categories, or none */
	int ncats;			/**< their number */
};

/** Whether the decision for a name is selected. */
static int
selected(const struct selector *s, const uint8_t *w, size_t wl)
{
	struct ddg_decision d;
	const struct ddg_list *const lists[1] = { s->list };
	int i;

	if(ddg_policy_decide(s->pol, lists, 1, s->client, w, wl, &d, NULL)
		!= 1)
		return 0;
	if(d.action != s->action)
		return 0;
	if(s->ncats == 0)
		return 1;
	for(i = 0; i < s->ncats; i++)
		if(d.category && strcmp(d.category, s->cats[i]) == 0)
			return 1;
	return 0;
}

/** Decide a point and write it when its selection differs from its
 * parent's (hosts: when it is selected). */
static void
point(struct xstate *x, const struct selector *s, const uint8_t *w,
	size_t wl)
{
	int sel = selected(s, w, wl), psel = 0;

	if(x->fmt == XF_HOSTS) {
		if(sel)
			emit(x, w, wl, 1);
		return;
	}
	if(w[0] != 0)
		psel = selected(s, w + w[0] + 1, wl - w[0] - 1);
	if(sel != psel)
		emit(x, w, wl, sel);
}

/** Parse a decimal number 0..max; 0 on success. */
static int
parse_num(const char *s, unsigned long max, unsigned *v)
{
	char *end;
	unsigned long x;

	if(!*s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	x = strtoul(s, &end, 10);
	if(errno || *end || x > max)
		return -1;
	*v = (unsigned)x;
	return 0;
}

/** The header comment lines. */
static void
header(struct xstate *x, const char *path, const struct ddg_list_info *info,
	const struct selector *s, const char *confpath, const char *client)
{
	const char *c = x->fmt == XF_RPZ ? ";" : (x->fmt == XF_ADBLOCK ?
		"!" : "#");
	char when[64], now[64];
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	uint64_t t = (uint64_t)time(NULL);
	unsigned long long v;
	char *end;
	int i;

	if(sde && *sde) {
		errno = 0;
		v = strtoull(sde, &end, 10);
		if(!errno && !*end)
			t = v;
	}
	cmd_iso8601(info->created, when, sizeof(when));
	cmd_iso8601(t, now, sizeof(now));
	if(x->fmt == XF_ADBLOCK)
		fprintf(x->out, "[Adblock Plus 2.0]\n");
	fprintf(x->out, "%s dyndns-guard export, format %s: ", c,
		xfmt_names[x->fmt]);
	switch(x->fmt) {
	case XF_RPZ:
		fprintf(x->out, "response policy zone, NXDOMAIN for each zone "
			"and its subdomains\n");
		break;
	case XF_UNBOUND:
		fprintf(x->out, "a server: clause of local-zone: lines\n"
			"%s for unbound.conf include:, NXDOMAIN for each zone "
			"and its subdomains\n", c);
		break;
	case XF_HOSTS:
		fprintf(x->out, "0.0.0.0 for each listed name.\n%s A hosts "
			"file names exact names only: subdomains of these\n%s "
			"zones are NOT blocked (the module blocks them).\n",
			c, c);
		break;
	case XF_ADBLOCK:
		fprintf(x->out, "||zone^ blocks each zone and its "
			"subdomains\n");
		break;
	case XF_DNSMASQ:
		fprintf(x->out, "address=/zone/ answers NXDOMAIN for each "
			"zone and its subdomains\n");
		break;
	}
	fprintf(x->out, "%s list: ", c);
	put_safe(x->out, path);
	fprintf(x->out, "\n%s list sha256: %s\n%s list created: %s (%llu)\n"
		"%s list entries: %u\n", c, info->sha256_hex, c, when,
		(unsigned long long)info->created, c, info->entries);
	fprintf(x->out, "%s selection: ", c);
	if(confpath) {
		fprintf(x->out, "action %s under ", ddg_action_name(s->action));
		put_safe(x->out, confpath);
		fprintf(x->out, " for ");
		if(client) {
			fprintf(x->out, "client ");
			put_safe(x->out, client);
		} else
			fprintf(x->out, "a client in no client-network");
	} else
		fprintf(x->out, "every entry");
	for(i = 0; i < s->ncats; i++)
		fprintf(x->out, "%s%s", i ? ", " : (confpath ? "; categories " :
			" of the categories "), s->cats[i]);
	fprintf(x->out, "\n%s exported: %s by dyndns-guard %s\n", c, now,
		PACKAGE_VERSION);
	if(x->fmt == XF_RPZ) {
		fprintf(x->out, "$TTL %u\n$ORIGIN ", x->ttl);
		put_name(x->out, x->fmt, x->origin);
		/* the serial is the list's creation time (mod 2^32) */
		fprintf(x->out, ".\n@ SOA localhost. "
			"hostmaster.dyndns-guard.invalid. %lu 3600 600 86400 "
			"%u\n@ NS localhost.\n", (unsigned long)(info->created &
			0xffffffffu), x->ttl);
	} else if(x->fmt == XF_UNBOUND)
		fprintf(x->out, "server:\n");
}

/** Whether the list uses a category name. */
static int
list_has_category(const struct ddg_list *l, const char *name)
{
	uint32_t k, n = ddg_list_category_count(l);

	for(k = 0; k < n; k++)
		if(strcmp(ddg_list_category_name(l, (uint16_t)k), name) == 0)
			return 1;
	return 0;
}

int
ddg_cmd_export(int argc, char **argv)
{
	const char *path = NULL, *outpath = NULL, *fmtarg = NULL;
	const char *carg = NULL, *modearg = NULL, *clientarg = NULL;
	const char *originarg = DEFAULT_ORIGIN, *confpath = NULL;
	const char *cats[MAXCATS];
	struct ddg_list *l = NULL;
	struct ddg_list_info info;
	struct ddg_conf *conf = NULL;
	struct ddg_policy *pol = NULL;
	struct sockaddr_storage ss;
	struct selector sel;
	struct xstate x;
	char err[DDG_ERR_LEN], *buf = NULL;
	size_t buflen = 0, k;
	int i, r, strict = 0, ret = EX_OK, ncats = 0, endopt = 0;
	uint32_t e, n;

	memset(&x, 0, sizeof(x));
	memset(&sel, 0, sizeof(sel));
	x.ttl = DEFAULT_TTL;
	for(i = 1; i < argc; i++) {
		const char *a = argv[i];
		int hasv = i + 1 < argc;
		if(endopt || a[0] != '-' || a[1] == 0) {
			if(path) {
				fprintf(stderr, "dyndns-guard export: one FILE "
					"only ('%s')\n", a);
				return EX_USAGE;
			}
			path = a;
		} else if(strcmp(a, "--") == 0) {
			endopt = 1;
		} else if(strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			export_usage(stdout);
			return EX_OK;
		} else if(strcmp(a, "--strict") == 0) {
			strict = 1;
		} else if(strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			x.quiet = 1;
		} else if(strcmp(a, "--format") == 0 && hasv) {
			fmtarg = argv[++i];
		} else if(strcmp(a, "--category") == 0 && hasv) {
			if(ncats >= MAXCATS) {
				fprintf(stderr, "dyndns-guard export: at most "
					"%d --category\n", MAXCATS);
				return EX_USAGE;
			}
			if(!ddg_name_category_ok(argv[i + 1], strlen(argv[i + 1]))) {
				fprintf(stderr, "dyndns-guard export: bad "
					"category '%s' (" DDG_NAME_CATEGORY_RULE ")\n", argv[i + 1]);
				return EX_USAGE;
			}
			cats[ncats++] = argv[++i];
		} else if(strcmp(a, "--mode") == 0 && hasv) {
			modearg = argv[++i];
		} else if((strcmp(a, "-c") == 0 || strcmp(a, "--config") ==
			0) && hasv) {
			carg = argv[++i];
		} else if(strcmp(a, "--client") == 0 && hasv) {
			clientarg = argv[++i];
		} else if(strcmp(a, "--origin") == 0 && hasv) {
			originarg = argv[++i];
		} else if(strcmp(a, "--ttl") == 0 && hasv) {
			if(parse_num(argv[++i], 2147483647ul, &x.ttl) != 0) {
				fprintf(stderr, "dyndns-guard export: bad --ttl "
					"'%s' (0..2147483647)\n", argv[i]);
				return EX_USAGE;
			}
		} else if((strcmp(a, "-o") == 0 || strcmp(a, "--output") ==
			0) && hasv) {
			outpath = argv[++i];
		} else {
			fprintf(stderr, "dyndns-guard export: unknown option or "
				"missing value '%s'\n", a);
			export_usage(stderr);
			return EX_USAGE;
		}
	}
	if(!path || !fmtarg) {
		fprintf(stderr, "dyndns-guard export: %s\n", !fmtarg ?
			"--format is required" : "no FILE");
		export_usage(stderr);
		return EX_USAGE;
	}
	for(k = 0; xfmt_names[k]; k++)
		if(strcmp(fmtarg, xfmt_names[k]) == 0)
			break;
	if(!xfmt_names[k]) {
		fprintf(stderr, "dyndns-guard export: unknown format '%s' (rpz, "
			"unbound, hosts, adblock, dnsmasq)\n", fmtarg);
		return EX_USAGE;
	}
	x.fmt = (enum xfmt)k;
	sel.action = DDG_ACTION_BLOCK;
	if(modearg && (ddg_action_from_str(modearg, &sel.action) != DDG_OK ||
		(sel.action != DDG_ACTION_BLOCK && sel.action !=
		DDG_ACTION_SINKHOLE && sel.action != DDG_ACTION_LOG))) {
		fprintf(stderr, "dyndns-guard export: bad --mode '%s' (block, "
			"sinkhole or log)\n", modearg);
		return EX_USAGE;
	}
	if(clientarg && !modearg && !carg) {
		fprintf(stderr, "dyndns-guard export: --client needs --mode or "
			"-c\n");
		return EX_USAGE;
	}
	if(clientarg && cmd_parse_ip(clientarg, &ss) != 0) {
		fprintf(stderr, "dyndns-guard export: '%s' is not an IPv4 or "
			"IPv6 address\n", clientarg);
		return EX_USAGE;
	}
	{
		uint8_t ow[DDG_NAME_MAXWIRE];
		size_t ol;
		if(ddg_name_from_str(originarg, ow, &ol) != DDG_OK ||
			ow[0] == 0) {
			fprintf(stderr, "dyndns-guard export: bad --origin "
				"'%s' (a domain name other than the root)\n",
				originarg);
			return EX_USAGE;
		}
		ddg_name_tolower(ow);
		memcpy(x.origin, ow, ol);
		x.origin_len = ol;
	}

	/* the policy: the configuration's, or "every entry is blocked" */
	if(modearg || carg) {
		/* the rule the module and checkconf use */
		confpath = ddg_conf_find_path(carg, NULL);
		r = ddg_conf_load(confpath, &conf, err, sizeof(err));
		if(r != DDG_OK) {
			fprintf(stderr, "dyndns-guard export: %s\n", err);
			return r == DDG_ERR_IO ? EX_IO : EX_DEFECT;
		}
	} else {
		conf = ddg_conf_new_default();
		if(!conf) {
			fprintf(stderr, "dyndns-guard export: out of memory\n");
			return EX_IO;
		}
		conf->mode = DDG_ACTION_BLOCK;
	}
	r = ddg_policy_new(conf, &pol, err, sizeof(err));
	if(r != DDG_OK) {
		fprintf(stderr, "dyndns-guard export: %s: %s\n", confpath ?
			confpath : "(default policy)", err);
		ret = r == DDG_ERR_NOMEM ? EX_IO : EX_DEFECT;
		goto out;
	}
	r = ddg_list_open(path, &l, err, sizeof(err));
	if(r != DDG_OK) {
		fprintf(stderr, "dyndns-guard export: %s\n", err);
		ret = r == DDG_ERR_IO ? EX_IO : EX_DEFECT;
		goto out;
	}
	ddg_list_info(l, &info);
	for(i = 0; i < ncats; i++)
		if(!x.quiet && strcmp(cats[i], DDG_CATEGORY_ZONE_RULE) != 0 &&
			!list_has_category(l, cats[i]))
			fprintf(stderr, "dyndns-guard export: warning: category "
				"'%s' is not in %s\n", cats[i], path);
	sel.pol = pol;
	sel.list = l;
	sel.client = clientarg ? (const struct sockaddr *)&ss : NULL;
	sel.cats = cats;
	sel.ncats = ncats;

	x.out = open_memstream(&buf, &buflen);
	if(!x.out) {
		fprintf(stderr, "dyndns-guard export: out of memory\n");
		ret = EX_IO;
		goto out;
	}
	header(&x, path, &info, &sel, confpath, clientarg);
	/* the decision points: every list entry, then the zone: rules that
	 * are not list entries */
	n = ddg_list_count(l);
	for(e = 0; e < n; e++) {
		uint8_t w[DDG_NAME_MAXWIRE];
		int wl;
		if(ddg_list_entry(l, e, w, NULL, NULL) != DDG_OK)
			break;
		ddg_name_tolower(w);
		wl = ddg_name_wire_len(w, sizeof(w));
		if(wl > 0)
			point(&x, &sel, w, (size_t)wl);
	}
	for(k = 0; k < conf->nzones; k++) {
		uint32_t idx;
		if(ddg_list_find(l, conf->zones[k].wire, &idx) == DDG_OK)
			continue;
		point(&x, &sel, conf->zones[k].wire, conf->zones[k].wire_len);
	}
	if(fclose(x.out) != 0) {
		x.out = NULL;
		fprintf(stderr, "dyndns-guard export: out of memory\n");
		ret = EX_IO;
		goto out;
	}
	x.out = NULL;
	{
		uint64_t sk = 0;
		int j;
		for(j = 0; j < SK_MAX; j++)
			sk += x.skipped[j];
		if(sk && strict) {
			fprintf(stderr, "dyndns-guard export: --strict: %llu "
				"name(s) cannot be written in format %s; not "
				"writing %s\n", (unsigned long long)sk,
				xfmt_names[x.fmt], outpath ? outpath :
				"the output");
			ret = EX_DEFECT;
			goto out;
		}
		if(outpath) {
			r = ddg_file_write_atomic(outpath, (const uint8_t *)buf,
				buflen, 0644, DDG_FILE_SYNC, err, sizeof(err));
			if(r != DDG_OK) {
				fprintf(stderr, "dyndns-guard export: %s\n",
					err);
				ret = EX_IO;
				goto out;
			}
		} else if(fwrite(buf, 1, buflen, stdout) != buflen ||
			fflush(stdout) != 0) {
			fprintf(stderr, "dyndns-guard export: write error: %s\n",
				strerror(errno));
			ret = EX_IO;
			goto out;
		}
		if(!x.quiet)
			fprintf(stderr, "dyndns-guard export: %llu zone(s) "
				"blocked, %llu exception(s), %llu not written "
				"(%llu of them blocked zones); format %s, %s\n",
				(unsigned long long)x.blocks,
				(unsigned long long)x.exceptions,
				(unsigned long long)sk,
				(unsigned long long)x.skipped_blocks,
				xfmt_names[x.fmt], outpath ? outpath :
				"standard output");
	}
out:
	if(x.out)
		fclose(x.out);
	free(buf);
	ddg_list_close(l);
	ddg_policy_free(pol);
	ddg_conf_free(conf);
	return ret;
}
