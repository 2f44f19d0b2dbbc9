/**
 * \file dyndns-guard.c
 * The dyndns-guard command: subcommand dispatch.  Exit codes: enum
 * ddg_exit (commands.h).
 */
#include "ddg_config.h"

#include <stdio.h>
#include <string.h>

#include "commands.h"

/** one subcommand */
struct subcmd {
	const char *name;		/**< as typed */
	int (*fn)(int, char **);	/**< implementation */
	const char *synopsis;		/**< arguments, for usage */
	const char *purpose;		/**< one line */
};

static const struct subcmd cmds[] = {
	{ "compile", ddg_cmd_compile, "[-o OUT] [--format F] [--column N] "
		"[--category C] [--strict] [--created EPOCH] INPUT...",
		"compile text lists into a .dgl file" },
	{ "verify", ddg_cmd_verify, "[--public-key KEY] FILE",
		"validate a .dgl file and describe it" },
	{ "lookup", ddg_cmd_lookup, "FILE NAME...",
		"the matching zone and category of each name" },
	{ "dump", ddg_cmd_dump, "FILE",
		"the entries as text that compile reads back" },
	{ "export", ddg_cmd_export, "--format rpz|unbound|hosts|adblock|"
		"dnsmasq [--category C]... [--mode M] [-c CONF] [-o OUT] FILE",
		"the list as a blocklist for other resolvers" },
	{ "stats", ddg_cmd_stats, "FILE",
		"counts per category and label depth, sizes" },
	{ "keygen", ddg_cmd_keygen, "[-o BASENAME]",
		"write an Ed25519 key pair BASENAME.key / BASENAME.pub" },
	{ "sign", ddg_cmd_sign, "--key KEY FILE...",
		"write the detached signature FILE.sig" },
	{ "checkconf", ddg_cmd_checkconf, "[CONF]",
		"validate a dyndns-guard.conf" },
	{ "explain", ddg_cmd_explain, "[-c CONF] [--client IP] NAME",
		"the decision for a client and a name, and why" },
	{ "report", ddg_cmd_report, "[--since T] [--until T] [--top N] "
		"[--json] [--html FILE] [--baseline LOG]... [LOG...]",
		"review events: zones, clients, would-block, beacons" },
	{ NULL, NULL, NULL, NULL }
};

/** print usage to f */
static void
usage(FILE *f)
{
	int i;

	fprintf(f, "usage: dyndns-guard [--help | --version] COMMAND "
		"[ARGS...]\n\ncommands:\n");
	for(i = 0; cmds[i].name; i++)
		fprintf(f, "  %s %s\n      %s\n", cmds[i].name,
			cmds[i].synopsis, cmds[i].purpose);
	fprintf(f, "\n'dyndns-guard COMMAND --help' describes a command.\n"
		"exit status: %d success, %d defect found, %d usage error, "
		"%d I/O error\n", EX_OK, EX_DEFECT, EX_USAGE, EX_IO);
}

int
main(int argc, char **argv)
{
	int i;

	if(argc < 2) {
		usage(stderr);
		return EX_USAGE;
	}
	if(strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
		strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EX_OK;
	}
	if(strcmp(argv[1], "--version") == 0 ||
		strcmp(argv[1], "version") == 0) {
		printf("dyndns-guard %s\n", PACKAGE_VERSION);
		return EX_OK;
	}
	for(i = 0; cmds[i].name; i++)
		if(strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "dyndns-guard: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EX_USAGE;
}
