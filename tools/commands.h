/**
 * \file commands.h
 * Subcommands of the dyndns-guard command.  Each takes the arguments after
 * the subcommand name (argv[0] is the subcommand) and returns the exit code,
 * one of enum ddg_exit.
 */
#ifndef DDG_TOOLS_COMMANDS_H
#define DDG_TOOLS_COMMANDS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/** the exit codes of the dyndns-guard command, named once here (the usage
 * text prints them from these; man/dyndns-guard.1, EXIT STATUS, lists the
 * same) */
enum ddg_exit {
	/** success */
	EX_OK = 0,
	/** a defect was found: an invalid list, a bad configuration, a bad
	 * signature, rejected input with --strict */
	EX_DEFECT = 1,
	/** usage error */
	EX_USAGE = 2,
	/** I/O error */
	EX_IO = 3
};

/** compile text lists into a .dgl file */
int ddg_cmd_compile(int argc, char **argv);
/** validate a .dgl file and print its description */
int ddg_cmd_verify(int argc, char **argv);
/** look names up in a .dgl file */
int ddg_cmd_lookup(int argc, char **argv);
/** print the entries of a .dgl file, in a form compile reads back */
int ddg_cmd_dump(int argc, char **argv);
/** write a .dgl file as an RPZ zone, Unbound, hosts, adblock or dnsmasq
 * blocklist */
int ddg_cmd_export(int argc, char **argv);
/** print statistics of a .dgl file */
int ddg_cmd_stats(int argc, char **argv);
/** validate a dyndns-guard.conf */
int ddg_cmd_checkconf(int argc, char **argv);
/** show the decision for a client and a name, step by step */
int ddg_cmd_explain(int argc, char **argv);

/** review events: per zone, client, network; would-block, beacons */
int ddg_cmd_report(int argc, char **argv);

/** generate an Ed25519 key pair for list signatures */
int ddg_cmd_keygen(int argc, char **argv);
/** write detached signatures of list files */
int ddg_cmd_sign(int argc, char **argv);

/* helpers shared by the subcommands (cmd_util.c) */

/** a time as ISO 8601 UTC ("2024-01-31T12:00:00Z"), or "(out of range)" */
void cmd_iso8601(uint64_t t, char *buf, size_t len);
/** parse an IPv4 or IPv6 address into ss; 0, or -1 when it is neither */
int cmd_parse_ip(const char *s, struct sockaddr_storage *ss);

#endif /* DDG_TOOLS_COMMANDS_H */
