/**
 * \file cmd_conf.c
 * dyndns-guard checkconf and dyndns-guard explain: thin commands over the
 * configuration parser (conf.h), the module's list loader with its
 * signature rule (listset.h) and the decision engine (policy.h).
 */
#include "ddg_config.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "dyndns-guard/conf.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/event.h"
#include "dyndns-guard/list.h"
#include "dyndns-guard/listset.h"
#include "dyndns-guard/name.h"
#include "dyndns-guard/policy.h"
#include "dyndns-guard/sign.h"

/** most --list options */
#define MAXLISTS 64

/** The configuration path: the argument, $DYNDNS_GUARD_CONF or the
 * default, by the rule the module uses too (ddg_conf_find_path()). */
static const char *
conf_path(const char *arg)
{
	return ddg_conf_find_path(arg, NULL);
}

/** Exit code for a load error. */
static int
load_exit(int r)
{
	return r == DDG_ERR_IO ? EX_IO : EX_DEFECT;
}

/** checkconf usage */
static void
checkconf_usage(FILE *f)
{
	fprintf(f, "usage: dyndns-guard checkconf [-p] [CONF]\n"
		"  validate a dyndns-guard.conf and open its lists; -p prints\n"
		"  the configuration in canonical form (the OK line then goes\n"
		"  to stderr)\n"
		"  CONF: default $%s, else %s\n", DDG_CONF_ENV,
		ddg_conf_default_path());
}

/** what the list messages of checkconf need */
struct check_arg {
	const char *path;	/**< the configuration */
	int bad;		/**< set on an error */
};

/**
 * ddg_listset_log_fn of checkconf: a list that the module would not load
 * is an error (its defect, or the signature's), an unsigned one accepted
 * without require-signature a warning.
 */
static void
check_msg(void *arg, const struct ddg_listset_msg *msg)
{
	struct check_arg *a = arg;

	switch(msg->what) {
	case DDG_LISTSET_NOT_LOADED:
		if(msg->by_signature)
			fprintf(stderr, "%s: error: list %s: signature: %s\n",
				a->path, msg->path, msg->reason);
		else
			fprintf(stderr, "%s: error: list %s: %s\n", a->path,
				msg->path, msg->reason);
		a->bad = 1;
		break;
	case DDG_LISTSET_UNSIGNED:
		fprintf(stderr, "%s: warning: list %s is not signed: %s\n",
			a->path, msg->path, msg->reason);
		break;
	default:
		break;
	}
}

/**
 * Load a configuration and build its policy, reporting errors.
 * @return EX_OK, or the exit code (load_exit(), EX_DEFECT for a policy
 *	error).
 */
static int
load_conf_policy(const char *path, struct ddg_conf **conf,
	struct ddg_policy **pol)
{
	char err[DDG_ERR_LEN];
	int r = ddg_conf_load(path, conf, err, sizeof(err));
	if(r != DDG_OK) {
		fprintf(stderr, "%s\n", err);
		return load_exit(r);
	}
	r = ddg_policy_new(*conf, pol, err, sizeof(err));
	if(r != DDG_OK) {
		fprintf(stderr, "%s: %s\n", path, err);
		ddg_conf_free(*conf);
		*conf = NULL;
		return EX_DEFECT;
	}
	return EX_OK;
}

int
ddg_cmd_checkconf(int argc, char **argv)
{
	const char *arg = NULL, *path;
	struct ddg_conf *conf = NULL;
	struct ddg_policy *pol = NULL;
	struct ddg_sign_key *key = NULL;
	struct ddg_listset *ls;
	struct check_arg ca;
	char err[DDG_ERR_LEN];
	int print = 0, i, r, bad = 0;

	for(i = 1; i < argc; i++) {
		if(strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") ==
			0) {
			checkconf_usage(stdout);
			return EX_OK;
		} else if(strcmp(argv[i], "-p") == 0 ||
			strcmp(argv[i], "--print") == 0) {
			print = 1;
		} else if(strcmp(argv[i], "--") == 0 && i + 2 == argc) {
			arg = argv[++i];
		} else if(argv[i][0] == '-' && argv[i][1] != 0) {
			fprintf(stderr, "dyndns-guard checkconf: unknown option "
				"'%s'\n", argv[i]);
			checkconf_usage(stderr);
			return EX_USAGE;
		} else if(!arg) {
			arg = argv[i];
		} else {
			checkconf_usage(stderr);
			return EX_USAGE;
		}
	}
	path = conf_path(arg);
	r = load_conf_policy(path, &conf, &pol);
	if(r != 0)
		return r;
	ddg_policy_free(pol);
	if(conf->nlists == 0)
		fprintf(stderr, "%s: warning: no list: configured; only zone: "
			"rules apply\n", path);
	if(!conf->public_key && ddg_sign_accept(NULL,
		conf->require_signature, NULL, 0, NULL, err, sizeof(err)) ==
		DDG_SIGN_REFUSED) {
		fprintf(stderr, "%s: error: %s\n", path, err);
		bad = 1;
	}
	if(conf->public_key && ddg_sign_load_public(conf->public_key, &key,
		err, sizeof(err)) != DDG_OK) {
		fprintf(stderr, "%s: error: public-key: %s\n", path, err);
		bad = 1;
	}
	/* the module's loader; without a usable key (an error above) the
	 * lists are still validated, without the signature rule */
	ca.path = path;
	ca.bad = 0;
	if(bad)
		ls = ddg_listset_load_paths((const char *const *)conf->lists,
			conf->nlists, NULL, 0, &check_msg, &ca);
	else
		ls = ddg_listset_load(conf, key, &check_msg, &ca);
	if(!ls) {
		fprintf(stderr, "%s: error: out of memory\n", path);
		bad = 1;
	}
	ddg_listset_free(ls);
	if(ca.bad)
		bad = 1;
	ddg_sign_key_free(key);
	if(bad) {
		ddg_conf_free(conf);
		return EX_DEFECT;
	}
	if(print) {
		if(ddg_conf_print(conf, stdout) != DDG_OK) {
			ddg_conf_free(conf);
			return EX_IO;
		}
		fprintf(stderr, "%s: configuration OK\n", path);
	} else
		printf("%s: configuration OK\n", path);
	ddg_conf_free(conf);
	return EX_OK;
}

/** ddg_listset_log_fn of explain: a list the module would not load is
 * an error (explain shows the decision with the lists in force) */
static void
explain_msg(void *arg, const struct ddg_listset_msg *msg)
{
	int *bad = arg;

	if(msg->what != DDG_LISTSET_NOT_LOADED)
		return;
	if(msg->by_signature)
		fprintf(stderr, "dyndns-guard explain: list %s: signature: "
			"%s\n", msg->path, msg->reason);
	else
		fprintf(stderr, "dyndns-guard explain: %s\n", msg->reason);
	*bad = 1;
}

/** explain usage */
static void
explain_usage(FILE *f)
{
	fprintf(f, "usage: dyndns-guard explain [-c CONF] [--client IP] "
		"[--list FILE]... NAME\n"
		"  show every step of the decision for a lookup of NAME by the\n"
		"  client IP (default: no client), with the lists of the\n"
		"  configuration or those given with --list\n"
		"  CONF: default $%s, else %s\n", DDG_CONF_ENV,
		ddg_conf_default_path());
}

int
ddg_cmd_explain(int argc, char **argv)
{
	const char *carg = NULL, *client = NULL, *name = NULL, *path;
	const char *lpaths[MAXLISTS];
	const char *const *paths = lpaths;
	struct ddg_list **lists;
	struct ddg_listset *ls = NULL;
	struct ddg_sign_key *key = NULL;
	struct ddg_conf *conf = NULL;
	struct ddg_policy *pol = NULL;
	struct sockaddr_storage ss;
	struct ddg_decision d;
	struct ddg_explain ex;
	uint8_t wire[DDG_NAME_MAXWIRE];
	size_t wl, nl, nargl = 0, k;
	char err[DDG_ERR_LEN], exbuf[16384];
	int i, r, ret = EX_OK, bad = 0;

	for(i = 1; i < argc; i++) {
		const char *a = argv[i];
		if(strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			explain_usage(stdout);
			return EX_OK;
		} else if((strcmp(a, "-c") == 0 || strcmp(a, "--config") ==
			0) && i + 1 < argc) {
			carg = argv[++i];
		} else if(strcmp(a, "--client") == 0 && i + 1 < argc) {
			client = argv[++i];
		} else if(strcmp(a, "--list") == 0 && i + 1 < argc) {
			if(nargl >= MAXLISTS) {
				fprintf(stderr, "dyndns-guard explain: at most "
					"%d --list\n", MAXLISTS);
				return EX_USAGE;
			}
			lpaths[nargl++] = argv[++i];
		} else if(strcmp(a, "--") == 0 && i + 2 == argc) {
			name = argv[++i];
		} else if(a[0] == '-' && a[1] != 0) {
			fprintf(stderr, "dyndns-guard explain: unknown option or "
				"missing argument '%s'\n", a);
			explain_usage(stderr);
			return EX_USAGE;
		} else if(!name) {
			name = a;
		} else {
			explain_usage(stderr);
			return EX_USAGE;
		}
	}
	if(!name) {
		explain_usage(stderr);
		return EX_USAGE;
	}
	if(client && cmd_parse_ip(client, &ss) != 0) {
		fprintf(stderr, "dyndns-guard explain: '%s' is not an IPv4 or "
			"IPv6 address\n", client);
		return EX_USAGE;
	}
	r = ddg_name_from_str(name, wire, &wl);
	if(r != DDG_OK) {
		fprintf(stderr, "dyndns-guard explain: '%s' is not a valid "
			"domain name: %s\n", name, ddg_strerror(r));
		return EX_USAGE;
	}
	path = conf_path(carg);
	r = load_conf_policy(path, &conf, &pol);
	if(r != 0)
		return r;
	if(nargl == 0) {
		paths = (const char *const *)conf->lists;
		nargl = conf->nlists;
	}
	printf("configuration: %s\n", path);
	/* the module's loader and signature rule: a list it would refuse
	 * is not in force, so explain refuses it too */
	if(conf->public_key && ddg_sign_load_public(conf->public_key, &key,
		err, sizeof(err)) != DDG_OK) {
		fprintf(stderr, "dyndns-guard explain: public-key: %s\n", err);
		ret = EX_DEFECT;
		goto out;
	}
	ls = ddg_listset_load_paths(paths, nargl, key,
		conf->require_signature, &explain_msg, &bad);
	if(!ls || bad) {
		if(!ls)
			fprintf(stderr, "dyndns-guard explain: out of memory\n");
		ret = EX_DEFECT;
		goto out;
	}
	lists = ls->lists;
	nl = ls->n;
	for(k = 0; k < nl; k++) {
		struct ddg_list_info info;
		ddg_list_info(lists[k], &info);
		printf("list #%zu: %s (entries: %u, sha256: %.12s)\n", k + 1,
			paths[k], (unsigned)info.entries, info.sha256_hex);
	}
	if(nargl == 0)
		printf("lists: none configured\n");
	ddg_explain_init(&ex, exbuf, sizeof(exbuf));
	r = ddg_policy_decide(pol, (const struct ddg_list *const *)lists, nl,
		client ? (const struct sockaddr *)&ss : NULL, wire, wl, &d,
		&ex);
	fputs(exbuf, stdout);
	if(r < 0) {
		fprintf(stderr, "dyndns-guard explain: %s\n", ddg_strerror(r));
		ret = EX_DEFECT;
		goto out;
	}
	if(d.action == DDG_ACTION_LOG || d.action == DDG_ACTION_BLOCK ||
		d.action == DDG_ACTION_SINKHOLE) {
		struct ddg_event ev;
		char line[DDG_EVENT_LINE_MIN], rs[DDG_EVENT_RULESET_LEN];
		memset(&ev, 0, sizeof(ev));
		clock_gettime(CLOCK_REALTIME, &ev.ts);
		ev.action = d.action;
		ev.client = client ? (const struct sockaddr *)&ss : NULL;
		ev.network = d.network_name;
		ev.qname = wire;
		ev.qtype = 1;
		ev.rcode = d.action == DDG_ACTION_BLOCK ? conf->block_rcode :
			(d.action == DDG_ACTION_SINKHOLE ? 0 : -1);
		ev.zone = wire + d.zone_off;
		ev.category = d.category;
		ev.match = DDG_MATCH_QNAME;
		if(d.list_index >= 0) {
			struct ddg_list_info info;
			ddg_list_info(lists[d.list_index], &info);
			ddg_event_ruleset(paths[d.list_index],
				info.sha256_hex, rs, sizeof(rs));
		} else
			ddg_event_ruleset(path, NULL, rs, sizeof(rs));
		ev.ruleset = rs;
		if(ddg_event_format_text(&ev, line, sizeof(line)) > 0)
			printf("event (for qtype A): %s\n", line);
	}
out:
	ddg_listset_free(ls);
	ddg_sign_key_free(key);
	ddg_policy_free(pol);
	ddg_conf_free(conf);
	return ret;
}
