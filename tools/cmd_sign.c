/**
 * \file cmd_sign.c
 * dyndns-guard keygen and sign: Ed25519 key pairs and detached list
 * signatures (FILE.sig), as checked by `verify --public-key` and by the
 * module's public-key: / require-signature: settings.
 */
#include <stdio.h>
#include <string.h>

#include "dyndns-guard/err.h"
#include "dyndns-guard/sign.h"
#include "commands.h"

/** keygen usage */
static int
keygen_usage(FILE *f, int code)
{
	fprintf(f, "usage: dyndns-guard keygen [-o BASENAME]\n"
		"  writes BASENAME.key (private, mode 0600) and BASENAME.pub\n"
		"  (default BASENAME: dyndns-guard); never overwrites a file\n");
	return code;
}

int
ddg_cmd_keygen(int argc, char **argv)
{
	const char *base = "dyndns-guard";
	char err[DDG_ERR_LEN], id[DDG_SIGN_KEYID_LEN + 1], pub[4200];
	struct ddg_sign_key *k = NULL;
	int i;
	for(i = 1; i < argc; i++) {
		if(strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			base = argv[++i];
		else if(strcmp(argv[i], "-h") == 0 ||
			strcmp(argv[i], "--help") == 0)
			return keygen_usage(stdout, EX_OK);
		else
			return keygen_usage(stderr, EX_USAGE);
	}
	if(ddg_sign_keygen(base, err, sizeof(err)) != DDG_OK) {
		fprintf(stderr, "dyndns-guard keygen: %s\n", err);
		return EX_IO;
	}
	snprintf(pub, sizeof(pub), "%s.pub", base);
	if(ddg_sign_load_public(pub, &k, err, sizeof(err)) == DDG_OK &&
		ddg_sign_key_id(k, id) == DDG_OK)
		printf("%s.key and %s.pub written, key-id %s\n", base, base, id);
	ddg_sign_key_free(k);
	return EX_OK;
}

/** sign usage */
static int
sign_usage(FILE *f, int code)
{
	fprintf(f, "usage: dyndns-guard sign --key KEY FILE...\n"
		"  writes the detached Ed25519 signature of each FILE to "
		"FILE.sig\n");
	return code;
}

int
ddg_cmd_sign(int argc, char **argv)
{
	const char *keypath = NULL;
	char err[DDG_ERR_LEN];
	struct ddg_sign_key *k = NULL;
	int i, first = 0, rc = EX_OK;
	for(i = 1; i < argc; i++) {
		if(strcmp(argv[i], "--key") == 0 && i + 1 < argc)
			keypath = argv[++i];
		else if(strncmp(argv[i], "--key=", 6) == 0)
			keypath = argv[i] + 6;
		else if(strcmp(argv[i], "-h") == 0 ||
			strcmp(argv[i], "--help") == 0)
			return sign_usage(stdout, EX_OK);
		else if(argv[i][0] == '-')
			return sign_usage(stderr, EX_USAGE);
		else {
			first = i;
			break;
		}
	}
	if(!keypath || !first)
		return sign_usage(stderr, EX_USAGE);
	if(ddg_sign_load_private(keypath, &k, err, sizeof(err)) != DDG_OK) {
		fprintf(stderr, "dyndns-guard sign: %s\n", err);
		return EX_IO;
	}
	for(i = first; i < argc; i++) {
		if(ddg_sign_file(k, argv[i], err, sizeof(err)) != DDG_OK) {
			fprintf(stderr, "dyndns-guard sign: %s\n", err);
			rc = EX_IO;
			continue;
		}
		printf("%s.sig written\n", argv[i]);
	}
	ddg_sign_key_free(k);
	return rc;
}
