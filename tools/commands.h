/**
 * \file commands.h
 * Subcommands of the dyndns-guard command.  Each takes the arguments after
 * the subcommand name (argv[0] is the subcommand) and returns the exit code.
 * Exit codes: 0 success, 1 a defect was found (invalid list, bad config,
 * rejected input with --strict), 2 usage error, 3 I/O error.
 */
#ifndef DDG_TOOLS_COMMANDS_H
#define DDG_TOOLS_COMMANDS_H

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

#endif /* DDG_TOOLS_COMMANDS_H */
