/**
 * \file sign.c
 * Detached Ed25519 signatures of list files; format in sign.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "dyndns-guard/err.h"
#include "dyndns-guard/file.h"
#include "dyndns-guard/sign.h"
#include "fail.h"
#include "image.h"

/** an error message, its text all given by the format (fail.h) */
#define fail(err, errlen, code, ...) \
	ddg_fail(err, errlen, code, NULL, DDG_FAIL_NOOFF, __VA_ARGS__)

struct ddg_sign_key {
	/** the key */
	EVP_PKEY *pkey;
};

/** write a PEM file with mode, refusing to overwrite */
static int
write_pem(const char *path, EVP_PKEY *pkey, int priv, char *err,
	size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, priv ? 0600 : 0644);
	FILE *f;
	int ok;
	if(fd < 0)
		return fail(err, errlen, DDG_ERR_IO, "%s: cannot create: %s",
			path, strerror(errno));
	f = fdopen(fd, "w");
	if(!f) {
		close(fd);
		return fail(err, errlen, DDG_ERR_IO, "%s: %s", path,
			strerror(errno));
	}
	ok = priv ? PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL)
		: PEM_write_PUBKEY(f, pkey);
	if(fflush(f) != 0 || fsync(fileno(f)) != 0)
		ok = 0;
	if(fclose(f) != 0)
		ok = 0;
	if(!ok) {
		unlink(path);
		return fail(err, errlen, DDG_ERR_IO, "%s: cannot write the key",
			path);
	}
	return DDG_OK;
}

int
ddg_sign_keygen(const char *basename, char *err, size_t errlen)
{
	char kpath[4096], ppath[4096];
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pkey = NULL;
	int r;
	if(snprintf(kpath, sizeof(kpath), "%s.key", basename) >=
		(int)sizeof(kpath) || snprintf(ppath, sizeof(ppath), "%s.pub",
		basename) >= (int)sizeof(ppath))
		return fail(err, errlen, DDG_ERR_INVAL, "key path too long");
	ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	if(!ctx || EVP_PKEY_keygen_init(ctx) <= 0 ||
		EVP_PKEY_keygen(ctx, &pkey) <= 0) {
		EVP_PKEY_CTX_free(ctx);
		return fail(err, errlen, DDG_ERR_NOMEM,
			"cannot generate an Ed25519 key");
	}
	EVP_PKEY_CTX_free(ctx);
	r = write_pem(kpath, pkey, 1, err, errlen);
	if(r == DDG_OK) {
		r = write_pem(ppath, pkey, 0, err, errlen);
		if(r != DDG_OK)
			unlink(kpath);
	}
	EVP_PKEY_free(pkey);
	return r;
}

/** load a PEM key */
static int
load_key(const char *path, int priv, struct ddg_sign_key **out, char *err,
	size_t errlen)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *pkey;
	struct ddg_sign_key *k;
	if(!f)
		return fail(err, errlen, DDG_ERR_IO, "%s: cannot open: %s",
			path, strerror(errno));
	pkey = priv ? PEM_read_PrivateKey(f, NULL, NULL, NULL)
		: PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if(!pkey)
		return fail(err, errlen, DDG_ERR_INVAL, "%s: not a PEM %s key",
			path, priv ? "private" : "public");
	if(EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(pkey);
		return fail(err, errlen, DDG_ERR_INVAL,
			"%s: not an Ed25519 key", path);
	}
	k = calloc(1, sizeof(*k));
	if(!k) {
		EVP_PKEY_free(pkey);
		return fail(err, errlen, DDG_ERR_NOMEM, "out of memory");
	}
	k->pkey = pkey;
	*out = k;
	return DDG_OK;
}

int
ddg_sign_load_private(const char *path, struct ddg_sign_key **out,
	char *err, size_t errlen)
{
	return load_key(path, 1, out, err, errlen);
}

int
ddg_sign_load_public(const char *path, struct ddg_sign_key **out,
	char *err, size_t errlen)
{
	return load_key(path, 0, out, err, errlen);
}

void
ddg_sign_key_free(struct ddg_sign_key *key)
{
	if(!key)
		return;
	EVP_PKEY_free(key->pkey);
	free(key);
}

int
ddg_sign_key_id(const struct ddg_sign_key *key, char *out)
{
	unsigned char raw[32], md[EVP_MAX_MD_SIZE];
	size_t rawlen = sizeof(raw);
	unsigned int mdlen = 0;
	int i;
	if(!key || EVP_PKEY_get_raw_public_key(key->pkey, raw, &rawlen) <= 0
		|| !EVP_Digest(raw, rawlen, md, &mdlen, EVP_sha256(), NULL))
		return DDG_ERR_INVAL;
	for(i = 0; i < DDG_SIGN_KEYID_LEN / 2; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[DDG_SIGN_KEYID_LEN] = 0;
	return DDG_OK;
}

int
ddg_sign_file(const struct ddg_sign_key *key, const char *path, char *err,
	size_t errlen)
{
	char sigpath[4096], keyid[DDG_SIGN_KEYID_LEN + 1], text[256];
	unsigned char sig[DDG_SIGN_LEN], b64[4 * ((DDG_SIGN_LEN + 2) / 3) + 1];
	size_t siglen = sizeof(sig);
	struct ddg_image img;
	EVP_MD_CTX *ctx;
	int r, ok, n;
	if(snprintf(sigpath, sizeof(sigpath), "%s.sig", path) >=
		(int)sizeof(sigpath))
		return fail(err, errlen, DDG_ERR_INVAL, "path too long");
	if(ddg_sign_key_id(key, keyid) != DDG_OK)
		return fail(err, errlen, DDG_ERR_INVAL, "unusable key");
	/* the bytes are read once into memory of their own: a file changed
	 * while it is signed cannot crash the signer, and what is signed is
	 * one consistent version (or the change is refused) */
	r = ddg_image_read(path, SIZE_MAX, &img, err, errlen);
	if(r != DDG_OK)
		return r;
	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, key->pkey) > 0
		&& EVP_DigestSign(ctx, sig, &siglen, img.base, img.len) > 0
		&& siglen == DDG_SIGN_LEN;
	EVP_MD_CTX_free(ctx);
	ddg_image_free(&img);
	if(!ok)
		return fail(err, errlen, DDG_ERR_INVAL,
			"%s: signing failed (is the key a private key?)", path);
	EVP_EncodeBlock(b64, sig, DDG_SIGN_LEN);
	n = snprintf(text, sizeof(text), "dyndns-guard-signature: 1\n"
		"algorithm: ed25519\nkey-id: %s\nsignature: %s\n", keyid,
		(char *)b64);
	if(n < 0 || (size_t)n >= sizeof(text))
		return fail(err, errlen, DDG_ERR_INVAL, "signature too long");
	return ddg_file_write_atomic(sigpath, text, (size_t)n, 0644,
		DDG_FILE_SYNC, err, errlen);
}

/** value of "key: value" line in text, copied into out */
static int
field(const char *text, const char *key, char *out, size_t outlen)
{
	size_t kl = strlen(key);
	const char *p = text;
	while(p && *p) {
		const char *eol = strchr(p, '\n');
		size_t ll = eol ? (size_t)(eol - p) : strlen(p);
		if(ll > kl + 1 && strncmp(p, key, kl) == 0 && p[kl] == ':') {
			const char *v = p + kl + 1;
			size_t vl;
			while(*v == ' ' || *v == '\t')
				v++;
			vl = ll - (size_t)(v - p);
			while(vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\r'))
				vl--;
			if(vl + 1 > outlen)
				return 0;
			memcpy(out, v, vl);
			out[vl] = 0;
			return 1;
		}
		p = eol ? eol + 1 : NULL;
	}
	return 0;
}

/** whether s is exactly DDG_SIGN_KEYID_LEN lowercase hex digits */
static int
is_key_id(const char *s)
{
	size_t i;
	for(i = 0; i < DDG_SIGN_KEYID_LEN; i++)
		if(!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
			s[i] <= 'f')))
			return 0;
	return s[i] == 0;
}

int
ddg_sign_parse(const char *text, size_t len, const char *name,
	struct ddg_sign_text *out, char *err, size_t errlen)
{
	char t[DDG_SIGN_MAXFILE + 1], v[512];
	unsigned char sig[((sizeof(v) + 3) / 4) * 3];
	unsigned char re[4 * ((DDG_SIGN_LEN + 2) / 3) + 1];
	size_t b64len;
	int dl;
	if(len > DDG_SIGN_MAXFILE)
		return fail(err, errlen, DDG_ERR_SYNTAX,
			"%s: signature file too large", name);
	if(len && memchr(text, 0, len))
		return fail(err, errlen, DDG_ERR_SYNTAX,
			"%s: malformed signature file (NUL byte)", name);
	if(len)
		memcpy(t, text, len);
	t[len] = 0;
	if(!field(t, "dyndns-guard-signature", v, sizeof(v)) ||
		strcmp(v, "1") != 0)
		return fail(err, errlen, DDG_ERR_SYNTAX, "%s: not a "
			"dyndns-guard signature (version 1)", name);
	if(!field(t, "algorithm", v, sizeof(v)) || strcmp(v, "ed25519"))
		return fail(err, errlen, DDG_ERR_SYNTAX,
			"%s: algorithm is not ed25519", name);
	if(!field(t, "key-id", v, sizeof(v)))
		return fail(err, errlen, DDG_ERR_SYNTAX, "%s: no key-id",
			name);
	if(!is_key_id(v))
		return fail(err, errlen, DDG_ERR_SYNTAX, "%s: key-id is not "
			"%d lowercase hex digits", name, DDG_SIGN_KEYID_LEN);
	memcpy(out->key_id, v, DDG_SIGN_KEYID_LEN + 1);
	if(!field(t, "signature", v, sizeof(v)))
		return fail(err, errlen, DDG_ERR_SYNTAX, "%s: no signature "
			"line", name);
	b64len = strlen(v);
	if(b64len != 4 * ((DDG_SIGN_LEN + 2) / 3))
		return fail(err, errlen, DDG_ERR_SYNTAX,
			"%s: signature has the wrong length", name);
	dl = EVP_DecodeBlock(sig, (unsigned char *)v, (int)b64len);
	if(dl < DDG_SIGN_LEN)
		return fail(err, errlen, DDG_ERR_SYNTAX,
			"%s: signature is not base64", name);
	/* EVP_DecodeBlock ignores what the padding stands for and the
	 * unused low bits of the last digit: only the one encoding of the
	 * 64 bytes is a signature, so a file cannot be altered and still
	 * verify */
	EVP_EncodeBlock(re, sig, DDG_SIGN_LEN);
	if(strcmp((const char *)re, v) != 0)
		return fail(err, errlen, DDG_ERR_SYNTAX,
			"%s: signature is not canonical base64", name);
	memcpy(out->sig, sig, DDG_SIGN_LEN);
	return DDG_OK;
}

int
ddg_sign_verify_mem(const struct ddg_sign_key *key, const uint8_t *data,
	size_t len, const char *sigtext, size_t siglen, const char *name,
	char *err, size_t errlen)
{
	char keyid[DDG_SIGN_KEYID_LEN + 1];
	struct ddg_sign_text st;
	EVP_MD_CTX *ctx;
	int r, ok;
	r = ddg_sign_parse(sigtext, siglen, name, &st, err, errlen);
	if(r != DDG_OK)
		return r;
	if(ddg_sign_key_id(key, keyid) != DDG_OK)
		return fail(err, errlen, DDG_ERR_INVAL, "unusable public key");
	if(strcmp(st.key_id, keyid) != 0)
		return fail(err, errlen, DDG_ERR_INVAL, "%s: signed by another "
			"key (key-id %s, expected %s)", name, st.key_id, keyid);
	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key->pkey) > 0
		&& EVP_DigestVerify(ctx, st.sig, DDG_SIGN_LEN, len ? data :
		(const uint8_t *)"", len) == 1;
	EVP_MD_CTX_free(ctx);
	if(!ok)
		return fail(err, errlen, DDG_ERR_CORRUPT, "%s: bad signature: "
			"the list does not match it", name);
	return DDG_OK;
}

int
ddg_sign_verify(const struct ddg_sign_key *key, const uint8_t *data,
	size_t len, const char *sigpath, char *err, size_t errlen)
{
	char text[DDG_SIGN_MAXFILE + 1];
	size_t n;
	FILE *f = fopen(sigpath, "r");
	if(!f)
		return fail(err, errlen, DDG_ERR_IO,
			"%s: no signature: %s", sigpath, strerror(errno));
	n = fread(text, 1, sizeof(text), f);
	fclose(f);
	return ddg_sign_verify_mem(key, data, len, text, n, sigpath, err,
		errlen);
}

enum ddg_sign_verdict
ddg_sign_accept(const struct ddg_sign_key *key, int require,
	const uint8_t *data, size_t len, const char *listpath, char *err,
	size_t errlen)
{
	size_t pl;
	char *sigpath;
	int r;

	if(err && errlen)
		err[0] = 0;
	if(!key) {
		if(!require)
			return DDG_SIGN_UNCHECKED;
		fail(err, errlen, DDG_ERR_INVAL, "require-signature: yes needs "
			"public-key:");
		return DDG_SIGN_REFUSED;
	}
	pl = strlen(listpath);
	sigpath = malloc(pl + 5);
	if(!sigpath) {
		fail(err, errlen, DDG_ERR_NOMEM, "%s.sig: out of memory",
			listpath);
		return DDG_SIGN_REFUSED;
	}
	memcpy(sigpath, listpath, pl);
	memcpy(sigpath + pl, ".sig", 5);
	r = ddg_sign_verify(key, data, len, sigpath, err, errlen);
	free(sigpath);
	if(r == DDG_OK)
		return DDG_SIGN_GOOD;
	/* unsigned is refused only when required; a wrong signature always
	 * is */
	if(r == DDG_ERR_IO && !require)
		return DDG_SIGN_UNSIGNED;
	return DDG_SIGN_REFUSED;
}
