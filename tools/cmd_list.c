/**
 * \file cmd_list.c
 * The list subcommands: compile, verify, lookup, dump, stats.  Thin shells
 * over the core (compile.h, list.h, list_write.h).
 */
#include "ddg_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "dyndns-guard/compile.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/file.h"
#include "dyndns-guard/list.h"
#include "dyndns-guard/list_write.h"
#include "dyndns-guard/name.h"
#include "dyndns-guard/sign.h"

/** exit code of a core error */
static int
exit_of(int r)
{
	switch(r) {
	case DDG_OK: return EX_OK;
	case DDG_ERR_IO: return EX_IO;
	case DDG_ERR_NOMEM: return EX_IO;
	case DDG_ERR_INVAL: return EX_USAGE;
	default: return EX_DEFECT;
	}
}

/** parse a decimal uint64 */
static int
parse_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if(!s || !*s || *s == '-' || *s == '+')
		return 0;
	errno = 0;
	x = strtoull(s, &end, 10);
	if(errno || *end)
		return 0;
	*v = x;
	return 1;
}

/** the value of an option "--opt VAL" or "--opt=VAL"; advances *i */
static const char *
optval(int argc, char **argv, int *i, const char *opt, int *missing)
{
	size_t l = strlen(opt);

	*missing = 0;
	if(strncmp(argv[*i], opt, l) != 0)
		return NULL;
	if(argv[*i][l] == '=')
		return argv[*i] + l + 1;
	if(argv[*i][l] != 0)
		return NULL;
	if(*i + 1 >= argc) {
		*missing = 1;
		return NULL;
	}
	(*i)++;
	return argv[*i];
}

/** compile messages to stderr */
static void
compile_msg(void *arg, const char *file, uint64_t line, int is_warning,
	const char *msg)
{
	int *quiet = arg;

	if(*quiet && is_warning)
		return;
	if(line)
		fprintf(stderr, "%s:%llu: %s%s\n", file,
			(unsigned long long)line, is_warning ? "warning: " : "",
			msg);
	else
		fprintf(stderr, "%s: %s%s\n", file, is_warning ?
			"warning: " : "", msg);
}

/** compile usage */
static void
compile_usage(FILE *f)
{
	fprintf(f, "usage: dyndns-guard compile [-o OUT] [--format F] "
		"[--column N] [--category C]\n"
		"                [--strict] [--created EPOCH] [-q] INPUT...\n"
		"  -o OUT          output file (default dyndns.dgl), written "
		"atomically\n"
		"  --format F      auto (default), plain, hosts, adblock, rpz, "
		"dnsmasq, csv, dump;\n"
		"                  applies to the inputs that follow it\n"
		"  --column N      CSV column holding the name (1-based, "
		"default 1)\n"
		"  --category C    category of the inputs that follow (default "
		"%s)\n"
		"  --strict        any rejected line is fatal: exit 1, no "
		"output\n"
		"  --created EPOCH creation time (default: a dump's #@created, "
		"else\n"
		"                  $SOURCE_DATE_EPOCH, else now)\n"
		"  -q              no warnings and no summary\n"
		"  INPUT           a file, or - for standard input\n",
		DDG_DEFAULT_CATEGORY);
}

int
ddg_cmd_compile(int argc, char **argv)
{
	const char *out = "dyndns.dgl", *cat = NULL, *v;
	enum ddg_fmt fmt = DDG_FMT_AUTO;
	unsigned column = 1;
	int strict = 0, quiet = 0, i, missing, r, ninputs = 0, endopt = 0;
	uint64_t created = 0, t;
	int created_set = 0;
	struct ddg_compile *c;
	char err[DDG_ERR_LEN];
	uint8_t *img = NULL;
	size_t imglen = 0;
	struct ddg_lw_stats st;

	/* first pass: global options and usage errors */
	for(i = 1; i < argc; i++) {
		if(endopt || argv[i][0] != '-' || strcmp(argv[i], "-") == 0) {
			ninputs++;
			continue;
		}
		if((strcmp(argv[i], "-o") == 0 ||
			strcmp(argv[i], "--output") == 0 ||
			strcmp(argv[i], "--format") == 0 ||
			strcmp(argv[i], "--column") == 0 ||
			strcmp(argv[i], "--category") == 0 ||
			strcmp(argv[i], "--created") == 0) && i + 1 >= argc) {
			fprintf(stderr, "dyndns-guard compile: option %s needs "
				"a value\n", argv[i]);
			return EX_USAGE;
		}
		if(strcmp(argv[i], "--") == 0) {
			endopt = 1;
		} else if(strcmp(argv[i], "--help") == 0 ||
			strcmp(argv[i], "-h") == 0) {
			compile_usage(stdout);
			return EX_OK;
		} else if(strcmp(argv[i], "--strict") == 0) {
			strict = 1;
		} else if(strcmp(argv[i], "-q") == 0 ||
			strcmp(argv[i], "--quiet") == 0) {
			quiet = 1;
		} else if((v = optval(argc, argv, &i, "-o", &missing)) ||
			(v = optval(argc, argv, &i, "--output", &missing))) {
			out = v;
		} else if((v = optval(argc, argv, &i, "--created",
			&missing))) {
			if(!parse_u64(v, &created)) {
				fprintf(stderr, "dyndns-guard compile: bad "
					"--created '%s' (seconds since the "
					"epoch)\n", v);
				return EX_USAGE;
			}
			created_set = 1;
		} else if((v = optval(argc, argv, &i, "--format",
			&missing))) {
			if(ddg_compile_fmt_parse(v, &fmt) != DDG_OK) {
				fprintf(stderr, "dyndns-guard compile: unknown "
					"format '%s'\n", v);
				return EX_USAGE;
			}
		} else if((v = optval(argc, argv, &i, "--column",
			&missing))) {
			if(!parse_u64(v, &t) || t == 0 || t > 65535) {
				fprintf(stderr, "dyndns-guard compile: bad "
					"--column '%s'\n", v);
				return EX_USAGE;
			}
		} else if((v = optval(argc, argv, &i, "--category",
			&missing))) {
			if(!ddg_name_category_ok(v, strlen(v))) {
				fprintf(stderr, "dyndns-guard compile: bad "
					"category '%s' (" DDG_NAME_CATEGORY_RULE ")\n", v);
				return EX_USAGE;
			}
		} else {
			fprintf(stderr, "dyndns-guard compile: unknown "
				"option '%s'\n", argv[i]);
			compile_usage(stderr);
			return EX_USAGE;
		}
	}
	if(ninputs == 0) {
		fprintf(stderr, "dyndns-guard compile: no input\n");
		compile_usage(stderr);
		return EX_USAGE;
	}
	c = ddg_compile_new();
	if(!c) {
		fprintf(stderr, "dyndns-guard compile: out of memory\n");
		return EX_IO;
	}
	ddg_compile_set_msg(c, compile_msg, &quiet);
	if(created_set)
		ddg_compile_set_created(c, created);
	/* second pass: inputs with the options in force before each */
	fmt = DDG_FMT_AUTO;
	endopt = 0;
	for(i = 1; i < argc; i++) {
		if(endopt || argv[i][0] != '-' || strcmp(argv[i], "-") == 0) {
			r = ddg_compile_add_file(c, argv[i], fmt,
				column, cat, err,
				sizeof(err));
			if(r != DDG_OK) {
				fprintf(stderr, "dyndns-guard compile: %s\n",
					err);
				ddg_compile_free(c);
				return exit_of(r);
			}
			continue;
		}
		if(strcmp(argv[i], "--") == 0)
			endopt = 1;
		else if((v = optval(argc, argv, &i, "--format", &missing)))
			(void)ddg_compile_fmt_parse(v, &fmt);
		else if((v = optval(argc, argv, &i, "--column", &missing))) {
			(void)parse_u64(v, &t);
			column = (unsigned)t;
		} else if((v = optval(argc, argv, &i, "--category", &missing)))
			cat = v;
		else if((v = optval(argc, argv, &i, "-o", &missing)) ||
			(v = optval(argc, argv, &i, "--output", &missing)) ||
			(v = optval(argc, argv, &i, "--created", &missing)))
			continue;
	}
	if(ddg_compile_rejects(c, DDG_REJ_MAX) > 0) {
		int k;
		fprintf(stderr, "dyndns-guard compile: %llu line(s) rejected:",
			(unsigned long long)ddg_compile_rejects(c,
			DDG_REJ_MAX));
		for(k = 0; k < DDG_REJ_MAX; k++) {
			uint64_t nr = ddg_compile_rejects(c,
				(enum ddg_reject)k);
			if(nr)
				fprintf(stderr, " %llu %s;",
					(unsigned long long)nr,
					ddg_compile_reject_name(
					(enum ddg_reject)k));
		}
		fprintf(stderr, "\n");
		if(strict) {
			fprintf(stderr, "dyndns-guard compile: --strict: not "
				"writing %s\n", out);
			ddg_compile_free(c);
			return EX_DEFECT;
		}
	}
	{
		const char *sde = getenv("SOURCE_DATE_EPOCH");
		uint64_t def = (uint64_t)time(NULL);
		if(sde && *sde) {
			if(!parse_u64(sde, &def)) {
				fprintf(stderr, "dyndns-guard compile: bad "
					"SOURCE_DATE_EPOCH '%s'\n", sde);
				ddg_compile_free(c);
				return EX_USAGE;
			}
		}
		r = ddg_compile_finish(c, def, &img, &imglen, &st);
	}
	if(r != DDG_OK) {
		fprintf(stderr, "dyndns-guard compile: %s\n", ddg_strerror(r));
		ddg_compile_free(c);
		return exit_of(r);
	}
	if(strict && st.conflicts > 0) {
		fprintf(stderr, "dyndns-guard compile: --strict: %llu name(s) "
			"with conflicting categories; not writing %s\n",
			(unsigned long long)st.conflicts, out);
		free(img);
		ddg_compile_free(c);
		return EX_DEFECT;
	}
	r = ddg_file_write_atomic(out, img, imglen, 0644, DDG_FILE_SYNC, err,
		sizeof(err));
	if(r != DDG_OK) {
		fprintf(stderr, "dyndns-guard compile: %s\n", err);
		free(img);
		ddg_compile_free(c);
		return EX_IO;
	}
	if(!quiet)
		fprintf(stderr, "dyndns-guard compile: %llu name(s) read, "
			"%llu duplicate(s), %llu conflict(s), %llu covered by "
			"a shorter entry; wrote %llu entries in %u "
			"categor%s to %s (%zu bytes)\n",
			(unsigned long long)ddg_compile_accepted(c),
			(unsigned long long)st.duplicates,
			(unsigned long long)st.conflicts,
			(unsigned long long)st.covered,
			(unsigned long long)st.written, st.categories,
			st.categories == 1 ? "y" : "ies", out, imglen);
	free(img);
	ddg_compile_free(c);
	return EX_OK;
}

/** open a list for a subcommand, reporting errors; returns exit code */
static int
open_list(const char *cmd, const char *path, struct ddg_list **l)
{
	char err[DDG_ERR_LEN];
	int r = ddg_list_open(path, l, err, sizeof(err));

	if(r != DDG_OK) {
		fprintf(stderr, "dyndns-guard %s: %s\n", cmd, err);
		return r == DDG_ERR_IO ? EX_IO : EX_DEFECT;
	}
	return EX_OK;
}

/** whether argv holds --help; prints usage */
static int
want_help(int argc, char **argv, const char *synopsis)
{
	int i;

	for(i = 1; i < argc; i++) {
		if(strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") ==
			0) {
			printf("usage: dyndns-guard %s\n", synopsis);
			return 1;
		}
	}
	return 0;
}

int
ddg_cmd_verify(int argc, char **argv)
{
	struct ddg_list *l;
	struct ddg_list_info info;
	char when[64];
	const char *s, *path = NULL, *pubkey = NULL;
	int r, i;
	uint32_t k;

	if(want_help(argc, argv, "verify [--public-key KEY] FILE"))
		return EX_OK;
	for(i = 1; i < argc; i++) {
		if(strcmp(argv[i], "--public-key") == 0 && i + 1 < argc)
			pubkey = argv[++i];
		else if(strncmp(argv[i], "--public-key=", 13) == 0)
			pubkey = argv[i] + 13;
		else if(argv[i][0] == '-' || path) {
			path = NULL;
			break;
		} else
			path = argv[i];
	}
	if(!path || i < argc) {
		fprintf(stderr, "usage: dyndns-guard verify [--public-key KEY] "
			"FILE\n");
		return EX_USAGE;
	}
	if((r = open_list("verify", path, &l)) != EX_OK)
		return r;
	ddg_list_info(l, &info);
	cmd_iso8601(info.created, when, sizeof(when));
	printf("file: %s\n", path);
	printf("version: %u\n", info.version);
	printf("entries: %u\n", info.entries);
	printf("categories: %u", info.categories);
	for(k = 0; k < info.categories; k++)
		printf("%s%s", k ? ", " : " (",
			ddg_list_category_name(l, (uint16_t)k));
	printf("%s\n", info.categories ? ")" : "");
	printf("size: %llu\n", (unsigned long long)info.file_size);
	printf("sha256: %s\n", info.sha256_hex);
	printf("created: %s (%llu)\n", when,
		(unsigned long long)info.created);
	printf("sources:\n");
	for(s = info.sources; *s; ) {
		const char *nl = strchr(s, '\n');
		int len = nl ? (int)(nl - s) : (int)strlen(s);
		printf("  %.*s\n", len, s);
		s += len + (nl ? 1 : 0);
	}
	if(pubkey) {
		struct ddg_sign_key *key = NULL;
		char err[DDG_ERR_LEN], sig[4200], id[DDG_SIGN_KEYID_LEN + 1];
		const uint8_t *data;
		size_t dlen;
		r = ddg_sign_load_public(pubkey, &key, err, sizeof(err));
		if(r != DDG_OK) {
			fprintf(stderr, "dyndns-guard verify: %s\n", err);
			ddg_list_close(l);
			return r == DDG_ERR_IO ? EX_IO : EX_USAGE;
		}
		snprintf(sig, sizeof(sig), "%s.sig", path);
		data = ddg_list_data(l, &dlen);
		/* the module's rule, with a signature required */
		if(ddg_sign_accept(key, 1, data, dlen, path, err, sizeof(err))
			!= DDG_SIGN_GOOD) {
			fprintf(stderr, "dyndns-guard verify: %s\n", err);
			printf("status: BAD SIGNATURE\n");
			ddg_sign_key_free(key);
			ddg_list_close(l);
			return EX_DEFECT;
		}
		if(ddg_sign_key_id(key, id) != DDG_OK)
			id[0] = 0;
		printf("signature: OK (%s, key-id %s)\n", sig, id);
		ddg_sign_key_free(key);
	}
	printf("status: OK\n");
	ddg_list_close(l);
	return EX_OK;
}

/** print a wire name without the trailing dot (root stays ".") */
static void
print_zone(FILE *f, const uint8_t *wire)
{
	char buf[DDG_NAME_MAXSTR];
	int n = ddg_name_to_str(wire, buf, sizeof(buf));

	if(n > 1 && buf[n - 1] == '.')
		buf[n - 1] = 0;
	fputs(buf, f);
}

int
ddg_cmd_lookup(int argc, char **argv)
{
	struct ddg_list *l;
	int r, i, rc = EX_OK;

	if(want_help(argc, argv, "lookup FILE NAME..."))
		return EX_OK;
	if(argc < 3) {
		fprintf(stderr, "usage: dyndns-guard lookup FILE NAME...\n");
		return EX_USAGE;
	}
	if((r = open_list("lookup", argv[1], &l)) != EX_OK)
		return r;
	for(i = 2; i < argc; i++) {
		uint8_t wire[DDG_NAME_MAXWIRE];
		size_t wl;
		struct ddg_list_match m;
		if(ddg_name_from_str(argv[i], wire, &wl) != DDG_OK) {
			printf("%s invalid name\n", argv[i]);
			rc = EX_DEFECT;
			continue;
		}
		r = ddg_list_match(l, wire, wl, &m);
		if(r == 1) {
			printf("%s zone=", argv[i]);
			print_zone(stdout, wire + m.zone_off);
			printf(" category=%s\n", m.category_name);
		} else {
			printf("%s no match\n", argv[i]);
		}
	}
	ddg_list_close(l);
	return rc;
}

/** print a name for the dump form: every byte outside [a-z0-9_-] that is
 * not a label separator is escaped as \DDD, so compile reads it back */
static void
print_dump_name(FILE *f, const uint8_t *w)
{
	int first = 1;

	while(*w) {
		uint8_t len = *w++, k;
		if(!first)
			fputc('.', f);
		first = 0;
		for(k = 0; k < len; k++) {
			uint8_t ch = w[k];
			if((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
				ch == '-' || ch == '_' || (ch >= 'A' &&
				ch <= 'Z'))
				fputc(ch, f);
			else
				fprintf(f, "\\%03u", ch);
		}
		w += len;
	}
}

int
ddg_cmd_dump(int argc, char **argv)
{
	struct ddg_list *l;
	struct ddg_list_info info;
	char when[64];
	const char *s;
	uint32_t i, n;
	int r;

	if(want_help(argc, argv, "dump FILE"))
		return EX_OK;
	if(argc != 2) {
		fprintf(stderr, "usage: dyndns-guard dump FILE\n");
		return EX_USAGE;
	}
	if((r = open_list("dump", argv[1], &l)) != EX_OK)
		return r;
	ddg_list_info(l, &info);
	cmd_iso8601(info.created, when, sizeof(when));
	printf("%s\n", DDG_DUMP_HEADER);
	printf("# format version %u, %u entries, %u categories, created %s, "
		"sha256 %s\n", info.version, info.entries, info.categories,
		when, info.sha256_hex);
	printf("# lines: NAME<TAB>CATEGORY; 'dyndns-guard compile' reads "
		"this back\n");
	printf("#@created: %llu\n", (unsigned long long)info.created);
	for(s = info.sources; *s; ) {
		const char *nl = strchr(s, '\n');
		int len = nl ? (int)(nl - s) : (int)strlen(s);
		printf("#@source: %.*s\n", len, s);
		s += len + (nl ? 1 : 0);
	}
	n = ddg_list_count(l);
	for(i = 0; i < n; i++) {
		uint8_t wire[DDG_NAME_MAXWIRE];
		uint16_t cat;
		if(ddg_list_entry(l, i, wire, &cat, NULL) != DDG_OK)
			break;
		print_dump_name(stdout, wire);
		printf("\t%s\n", ddg_list_category_name(l, cat));
	}
	ddg_list_close(l);
	if(fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "dyndns-guard dump: write error: %s\n",
			strerror(errno));
		return EX_IO;
	}
	return EX_OK;
}

int
ddg_cmd_stats(int argc, char **argv)
{
	struct ddg_list *l;
	struct ddg_list_info info;
	uint64_t *percat, depth[128], keybytes = 0, withparent = 0;
	uint32_t i, n, ncat;
	int r, maxchain = 0, d;
	char when[64];

	if(want_help(argc, argv, "stats FILE"))
		return EX_OK;
	if(argc != 2) {
		fprintf(stderr, "usage: dyndns-guard stats FILE\n");
		return EX_USAGE;
	}
	if((r = open_list("stats", argv[1], &l)) != EX_OK)
		return r;
	ddg_list_info(l, &info);
	n = ddg_list_count(l);
	ncat = ddg_list_category_count(l);
	percat = calloc(ncat + 1, sizeof(*percat));
	if(!percat) {
		ddg_list_close(l);
		return EX_IO;
	}
	memset(depth, 0, sizeof(depth));
	for(i = 0; i < n; i++) {
		uint8_t wire[DDG_NAME_MAXWIRE];
		uint16_t cat;
		uint32_t par, p;
		uint8_t k[DDG_NAME_MAXKEY];
		size_t kl;
		int chain = 0;
		if(ddg_list_entry(l, i, wire, &cat, &par) != DDG_OK)
			break;
		(void)ddg_list_entry_key(l, i, k, &kl);
		keybytes += kl;
		percat[cat]++;
		d = ddg_name_label_count(wire);
		depth[d < 127 ? d : 127]++;
		if(par != UINT32_MAX)
			withparent++;
		for(p = par; p != UINT32_MAX; chain++)
			(void)ddg_list_entry(l, p, NULL, NULL, &p);
		if(chain > maxchain)
			maxchain = chain;
	}
	cmd_iso8601(info.created, when, sizeof(when));
	printf("file: %s\n", argv[1]);
	printf("size: %llu bytes (%.1f per entry)\n",
		(unsigned long long)info.file_size, n ? (double)info.file_size /
		n : 0.0);
	printf("created: %s\n", when);
	printf("sha256: %s\n", info.sha256_hex);
	printf("entries: %u\n", n);
	printf("key bytes: %llu (average %.1f)\n",
		(unsigned long long)keybytes, n ? (double)keybytes / n : 0.0);
	printf("entries inside another entry: %llu (longest parent chain "
		"%d)\n", (unsigned long long)withparent, maxchain);
	printf("categories: %u\n", ncat);
	for(i = 0; i < ncat; i++)
		printf("  %-24s %llu\n", ddg_list_category_name(l,
			(uint16_t)i), (unsigned long long)percat[i]);
	printf("labels:\n");
	for(d = 0; d < 128; d++)
		if(depth[d])
			printf("  %3d %llu\n", d, (unsigned long long)depth[d]);
	free(percat);
	ddg_list_close(l);
	return EX_OK;
}
