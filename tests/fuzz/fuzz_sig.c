/**
 * \file fuzz_sig.c
 * Fuzz target of the signature file parser (lib/sign.c,
 * ddg_sign_parse() and ddg_sign_verify_mem()): the input is the text of
 * a detached .sig file.  On every input:
 * - parsing succeeds or fails with DDG_ERR_SYNTAX and a message naming
 *   the file, never crashes;
 * - verification with a fixed key over fixed data gives the parser's
 *   error for a malformed file, DDG_ERR_INVAL for another key-id, and
 *   succeeds only for a valid signature file: its key-id is the key's,
 *   its signature line is exactly the canonical base64 of the one valid
 *   signature (a signature file cannot be altered and still verify);
 * - verification over other data, or with another key, always fails.
 * The keys are fixed (below) so that the corpus can hold the valid file;
 * at start-up they are written to a temporary directory, loaded, and the
 * valid signature is made with ddg_sign_file().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dyndns-guard/err.h"
#include "dyndns-guard/sign.h"

/** the fuzz target */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** the fixed private key (made once with openssl genpkey) */
static const char key_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MC4CAQAwBQYDK2VwBCIEIBK5osejxtOGWLCj0G6LnGCHTXMH+cKquMj2TxDIwdJv\n"
	"-----END PRIVATE KEY-----\n";
/** its public key */
static const char pub_pem[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MCowBQYDK2VwAyEAO9qCax7m6J2fTbYWH46rSOtmznR1W45mLu0Cm7d2+GA=\n"
	"-----END PUBLIC KEY-----\n";
/** another public key */
static const char other_pem[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MCowBQYDK2VwAyEAb+3MXJ5MIEg4hwp2UxYyWP6P7D49SFABU56kjYn9Z20=\n"
	"-----END PUBLIC KEY-----\n";
/** the signed data */
static const char signed_data[] = "dyndns-guard fuzz_sig: the signed bytes\n";
/** the same data with one byte changed */
static const char other_data[] = "dyndns-guard fuzz_sig: the signed byteS\n";

/** the keys, loaded once */
static struct ddg_sign_key *pub, *other;
/** the key-id of pub */
static char keyid[DDG_SIGN_KEYID_LEN + 1];
/** the one valid signature, and its canonical base64 */
static uint8_t valid_sig[DDG_SIGN_LEN];
static char valid_b64[4 * ((DDG_SIGN_LEN + 2) / 3) + 1];

/** Write a file in dir; returns its path (static storage of the caller). */
static void
put_file(const char *dir, const char *name, const char *text, char *path,
	size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", dir, name);
	f = fopen(path, "w");
	if(!f || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		abort();
	}
}

/** Load the keys and make the valid signature (once). */
static void
setup(void)
{
	char dir[4096], kp[4200], pp[4200], op[4200], dp[4200], sp[4300];
	char err[DDG_ERR_LEN], text[DDG_SIGN_MAXFILE + 1];
	const char *tmp = getenv("TMPDIR");
	struct ddg_sign_key *priv = NULL;
	struct ddg_sign_text st;
	size_t n;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/fuzz_sig.XXXXXX",
		tmp && *tmp ? tmp : "/tmp");
	if(!mkdtemp(dir)) {
		perror(dir);
		abort();
	}
	put_file(dir, "k.key", key_pem, kp, sizeof(kp));
	put_file(dir, "k.pub", pub_pem, pp, sizeof(pp));
	put_file(dir, "o.pub", other_pem, op, sizeof(op));
	put_file(dir, "data", signed_data, dp, sizeof(dp));
	if(ddg_sign_load_private(kp, &priv, err, sizeof(err)) != DDG_OK ||
		ddg_sign_load_public(pp, &pub, err, sizeof(err)) != DDG_OK ||
		ddg_sign_load_public(op, &other, err, sizeof(err)) != DDG_OK ||
		ddg_sign_key_id(pub, keyid) != DDG_OK ||
		ddg_sign_file(priv, dp, err, sizeof(err)) != DDG_OK) {
		fprintf(stderr, "fuzz_sig: setup: %s\n", err);
		abort();
	}
	snprintf(sp, sizeof(sp), "%s.sig", dp);
	f = fopen(sp, "r");
	if(!f)
		abort();
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	if(ddg_sign_parse(text, n, "valid.sig", &st, err, sizeof(err)) !=
		DDG_OK) {
		fprintf(stderr, "fuzz_sig: setup: %s\n", err);
		abort();
	}
	memcpy(valid_sig, st.sig, DDG_SIGN_LEN);
	{
		const char *s = strstr(text, "\nsignature: ");
		size_t i = 0;
		if(!s)
			abort();
		for(s += 12; *s && *s != '\n' && i + 1 < sizeof(valid_b64);)
			valid_b64[i++] = *s++;
		valid_b64[i] = 0;
	}
	ddg_sign_key_free(priv);
	unlink(kp);
	unlink(pp);
	unlink(op);
	unlink(dp);
	unlink(sp);
	rmdir(dir);
}

/**
 * The value of the first "signature:" line, blanks and CR trimmed as the
 * format says, into out; "" when there is none.
 */
static void
sig_line(const char *t, size_t len, char *out, size_t outlen)
{
	size_t i = 0;

	out[0] = 0;
	while(i < len) {
		size_t e = i, s, v;
		while(e < len && t[e] != '\n')
			e++;
		if(e - i > 10 && memcmp(t + i, "signature:", 10) == 0) {
			s = i + 10;
			while(s < e && (t[s] == ' ' || t[s] == '\t'))
				s++;
			v = e;
			while(v > s && (t[v - 1] == ' ' || t[v - 1] == '\t' ||
				t[v - 1] == '\r'))
				v--;
			if(v - s >= outlen)
				v = s + outlen - 1;
			memcpy(out, t + s, v - s);
			out[v - s] = 0;
			return;
		}
		i = e + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct ddg_sign_text st;
	char err[DDG_ERR_LEN], err2[DDG_ERR_LEN], line[DDG_SIGN_MAXFILE + 1];
	int r, v;

	if(!pub)
		setup();
	memset(err, 0, sizeof(err));
	r = ddg_sign_parse(text, size, "fuzz.sig", &st, err, sizeof(err));
	if(r != DDG_OK) {
		if(r != DDG_ERR_SYNTAX || strncmp(err, "fuzz.sig: ", 10) != 0 ||
			strlen(err) <= 10) {
			fprintf(stderr, "parse: %d '%s'\n", r, err);
			abort();
		}
	} else if(strlen(st.key_id) != DDG_SIGN_KEYID_LEN)
		abort();

	v = ddg_sign_verify_mem(pub, (const uint8_t *)signed_data,
		strlen(signed_data), text, size, "fuzz.sig", err2,
		sizeof(err2));
	if(r != DDG_OK) {
		/* a malformed file fails as the parser said */
		if(v != r || strcmp(err, err2) != 0)
			abort();
	} else if(strcmp(st.key_id, keyid) != 0) {
		if(v != DDG_ERR_INVAL)
			abort();
	} else if(memcmp(st.sig, valid_sig, DDG_SIGN_LEN) != 0) {
		if(v != DDG_ERR_CORRUPT)
			abort();
	} else {
		if(v != DDG_OK) {
			fprintf(stderr, "valid signature refused: %s\n", err2);
			abort();
		}
	}
	if(v == DDG_OK) {
		/* only the canonical text of the valid signature verifies */
		sig_line(text, size, line, sizeof(line));
		if(strcmp(line, valid_b64) != 0) {
			fprintf(stderr, "verified with signature '%s', the "
				"valid one is '%s'\n", line, valid_b64);
			abort();
		}
	}
	/* other data or another key: never */
	if(ddg_sign_verify_mem(pub, (const uint8_t *)other_data,
		strlen(other_data), text, size, "fuzz.sig", err2,
		sizeof(err2)) == DDG_OK ||
		ddg_sign_verify_mem(other, (const uint8_t *)signed_data,
		strlen(signed_data), text, size, "fuzz.sig", err2,
		sizeof(err2)) == DDG_OK ||
		ddg_sign_verify_mem(pub, NULL, 0, text, size, "fuzz.sig", err2,
		sizeof(err2)) == DDG_OK)
		abort();
	return 0;
}
