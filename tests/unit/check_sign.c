/**
 * \file check_sign.c
 * Unit tests of detached signatures (lib/sign.c): a signature file made by
 * ddg_sign_file() parses and verifies, from memory and from the file;
 * every malformed, foreign or altered file fails with its own code, also
 * one whose base64 is not the canonical encoding of the signature; and
 * the acceptance rule ddg_sign_accept() in each of its cases.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dyndns-guard/err.h"
#include "dyndns-guard/sign.h"

/** the signed bytes */
static const char data[] = "some list bytes\n";

/** a temporary directory with a key pair, the data and its signature */
static char dir[256], datapath[300], sigpath[300];
static struct ddg_sign_key *pub;
/** the signature file's text and its signature line's value */
static char sigtext[DDG_SIGN_MAXFILE + 1], b64[128];
static size_t siglen;

static void
setup(void)
{
	char base[300], keypath[300], pubpath[300], err[DDG_ERR_LEN];
	struct ddg_sign_key *priv = NULL;
	const char *tmp = getenv("TMPDIR"), *s;
	FILE *f;
	size_t i = 0;

	snprintf(dir, sizeof(dir), "%s/check_sign.XXXXXX",
		tmp && *tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(base, sizeof(base), "%s/k", dir);
	snprintf(keypath, sizeof(keypath), "%s/k.key", dir);
	snprintf(pubpath, sizeof(pubpath), "%s/k.pub", dir);
	snprintf(datapath, sizeof(datapath), "%s/list.dgl", dir);
	snprintf(sigpath, sizeof(sigpath), "%s/list.dgl.sig", dir);
	ck_assert_int_eq(ddg_sign_keygen(base, err, sizeof(err)), DDG_OK);
	ck_assert_int_eq(ddg_sign_load_private(keypath, &priv, err,
		sizeof(err)), DDG_OK);
	ck_assert_int_eq(ddg_sign_load_public(pubpath, &pub, err,
		sizeof(err)), DDG_OK);
	f = fopen(datapath, "w");
	ck_assert_ptr_nonnull(f);
	fputs(data, f);
	fclose(f);
	ck_assert_int_eq(ddg_sign_file(priv, datapath, err, sizeof(err)),
		DDG_OK);
	ddg_sign_key_free(priv);
	f = fopen(sigpath, "r");
	ck_assert_ptr_nonnull(f);
	siglen = fread(sigtext, 1, sizeof(sigtext) - 1, f);
	fclose(f);
	sigtext[siglen] = 0;
	s = strstr(sigtext, "\nsignature: ");
	ck_assert_ptr_nonnull(s);
	for(s += 12; *s && *s != '\n'; s++)
		b64[i++] = *s;
	b64[i] = 0;
	ck_assert_uint_eq(i, 88);
}

static void
teardown(void)
{
	char p[320];
	ddg_sign_key_free(pub);
	pub = NULL;
	snprintf(p, sizeof(p), "%s/k.key", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/k.pub", dir);
	unlink(p);
	unlink(datapath);
	unlink(sigpath);
	rmdir(dir);
}

/** Verify data against sigtext with the signature line's value
 * replaced by val; returns the code, err filled. */
static int
verify_with(const char *val, char *err, size_t errlen)
{
	char t[DDG_SIGN_MAXFILE + 1];
	const char *p = strstr(sigtext, b64);
	size_t pre = (size_t)(p - sigtext);

	ck_assert_ptr_nonnull(p);
	snprintf(t, sizeof(t), "%.*s%s%s", (int)pre, sigtext, val,
		p + strlen(b64));
	return ddg_sign_verify_mem(pub, (const uint8_t *)data, strlen(data),
		t, strlen(t), "x.sig", err, errlen);
}

START_TEST(valid_parses_and_verifies)
{
	struct ddg_sign_text st;
	char err[DDG_ERR_LEN], id[DDG_SIGN_KEYID_LEN + 1];

	ck_assert_int_eq(ddg_sign_parse(sigtext, siglen, "x.sig", &st, err,
		sizeof(err)), DDG_OK);
	ck_assert_int_eq(ddg_sign_key_id(pub, id), DDG_OK);
	ck_assert_str_eq(st.key_id, id);
	ck_assert_int_eq(ddg_sign_verify_mem(pub, (const uint8_t *)data,
		strlen(data), sigtext, siglen, "x.sig", err, sizeof(err)),
		DDG_OK);
	ck_assert_int_eq(ddg_sign_verify(pub, (const uint8_t *)data,
		strlen(data), sigpath, err, sizeof(err)), DDG_OK);
	ck_assert_int_eq(verify_with(b64, err, sizeof(err)), DDG_OK);
}
END_TEST

START_TEST(noncanonical_base64_refused)
{
	/* the same 64 signature bytes in another base64 spelling: the two
	 * bytes the padding stands for given as data ("AA"), or unused low
	 * bits of the last digit set; the old parser accepted both */
	char v[128], err[DDG_ERR_LEN];
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789+/";
	const char *d;

	ck_assert_str_eq(b64 + 86, "==");
	snprintf(v, sizeof(v), "%.86sAA", b64);
	ck_assert_int_eq(verify_with(v, err, sizeof(err)), DDG_ERR_SYNTAX);
	ck_assert_msg(strstr(err, "x.sig: ") == err &&
		strstr(err, "base64") != NULL, "%s", err);
	snprintf(v, sizeof(v), "%.86s=A", b64);
	ck_assert_int_eq(verify_with(v, err, sizeof(err)), DDG_ERR_SYNTAX);
	d = strchr(digits, b64[85]);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq((d - digits) & 15, 0);
	snprintf(v, sizeof(v), "%.85s%c==", b64, digits[(d - digits) + 1]);
	ck_assert_int_eq(verify_with(v, err, sizeof(err)), DDG_ERR_SYNTAX);
	ck_assert_msg(strstr(err, "base64") != NULL, "%s", err);
}
END_TEST

START_TEST(malformed_foreign_altered)
{
	char t[DDG_SIGN_MAXFILE + 8], v[128], err[DDG_ERR_LEN];
	struct ddg_sign_text st;
	const char *id;

	/* a NUL byte */
	memcpy(t, sigtext, siglen);
	t[3] = 0;
	ck_assert_int_eq(ddg_sign_parse(t, siglen, "x.sig", &st, err,
		sizeof(err)), DDG_ERR_SYNTAX);
	ck_assert_str_eq(err, "x.sig: malformed signature file (NUL byte)");
	/* too large */
	memset(t, '#', sizeof(t));
	ck_assert_int_eq(ddg_sign_parse(t, DDG_SIGN_MAXFILE + 1, "x.sig", &st,
		err, sizeof(err)), DDG_ERR_SYNTAX);
	ck_assert_str_eq(err, "x.sig: signature file too large");
	/* empty */
	ck_assert_int_eq(ddg_sign_parse("", 0, "x.sig", &st, err,
		sizeof(err)), DDG_ERR_SYNTAX);
	/* a malformed key-id */
	id = strstr(sigtext, "key-id: ");
	ck_assert_ptr_nonnull(id);
	snprintf(t, sizeof(t), "%.*skey-id: 0123%s", (int)(id - sigtext),
		sigtext, id + 8 + DDG_SIGN_KEYID_LEN);
	ck_assert_int_eq(ddg_sign_parse(t, strlen(t), "x.sig", &st, err,
		sizeof(err)), DDG_ERR_SYNTAX);
	/* another key */
	snprintf(t, sizeof(t), "%.*skey-id: 0123456789abcdef%s",
		(int)(id - sigtext), sigtext, id + 8 + DDG_SIGN_KEYID_LEN);
	ck_assert_int_eq(ddg_sign_verify_mem(pub, (const uint8_t *)data,
		strlen(data), t, strlen(t), "x.sig", err, sizeof(err)),
		DDG_ERR_INVAL);
	ck_assert_msg(strstr(err, "signed by another key") != NULL, "%s",
		err);
	/* another signature (first digit changed), other data */
	snprintf(v, sizeof(v), "%c%s", b64[0] == 'A' ? 'B' : 'A', b64 + 1);
	ck_assert_int_eq(verify_with(v, err, sizeof(err)), DDG_ERR_CORRUPT);
	ck_assert_int_eq(ddg_sign_verify_mem(pub, (const uint8_t *)"x", 1,
		sigtext, siglen, "x.sig", err, sizeof(err)), DDG_ERR_CORRUPT);
	/* not base64, wrong length */
	memset(v, '*', 88);
	v[88] = 0;
	ck_assert_int_eq(verify_with(v, err, sizeof(err)), DDG_ERR_SYNTAX);
	ck_assert_int_eq(verify_with("AAAA", err, sizeof(err)),
		DDG_ERR_SYNTAX);
	/* no file */
	snprintf(t, sizeof(t), "%s/none.sig", dir);
	ck_assert_int_eq(ddg_sign_verify(pub, (const uint8_t *)data,
		strlen(data), t, err, sizeof(err)), DDG_ERR_IO);
}
END_TEST

START_TEST(accept_rule)
{
	const uint8_t *d = (const uint8_t *)data;
	char err[DDG_ERR_LEN], other[320];
	FILE *f;

	/* no key: nothing checked, unless a signature is required */
	ck_assert_int_eq(ddg_sign_accept(NULL, 0, NULL, 0, NULL, err,
		sizeof(err)), DDG_SIGN_UNCHECKED);
	ck_assert_int_eq(ddg_sign_accept(NULL, 1, NULL, 0, NULL, err,
		sizeof(err)), DDG_SIGN_REFUSED);
	ck_assert_str_eq(err, "require-signature: yes needs public-key:");
	/* a good signature, required or not */
	ck_assert_int_eq(ddg_sign_accept(pub, 0, d, strlen(data), datapath,
		err, sizeof(err)), DDG_SIGN_GOOD);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(ddg_sign_accept(pub, 1, d, strlen(data), datapath,
		err, sizeof(err)), DDG_SIGN_GOOD);
	/* other bytes: refused even when not required */
	ck_assert_int_eq(ddg_sign_accept(pub, 0, d, strlen(data) - 1,
		datapath, err, sizeof(err)), DDG_SIGN_REFUSED);
	ck_assert_ptr_nonnull(strstr(err, "bad signature"));
	/* a malformed .sig: refused even when not required */
	snprintf(other, sizeof(other), "%s/other.dgl", dir);
	snprintf(err, sizeof(err), "%s.sig", other);
	f = fopen(err, "w");
	ck_assert_ptr_nonnull(f);
	fputs("dyndns-guard-signature: 1\n", f);
	fclose(f);
	ck_assert_int_eq(ddg_sign_accept(pub, 0, d, strlen(data), other,
		err, sizeof(err)), DDG_SIGN_REFUSED);
	snprintf(err, sizeof(err), "%s.sig", other);
	unlink(err);
	/* no .sig: accepted with the reason unless required */
	ck_assert_int_eq(ddg_sign_accept(pub, 0, d, strlen(data), other,
		err, sizeof(err)), DDG_SIGN_UNSIGNED);
	ck_assert_ptr_nonnull(strstr(err, "other.dgl.sig: no signature"));
	ck_assert_int_eq(ddg_sign_accept(pub, 1, d, strlen(data), other,
		err, sizeof(err)), DDG_SIGN_REFUSED);
	ck_assert_ptr_nonnull(strstr(err, "other.dgl.sig: no signature"));
}
END_TEST

static Suite *
sign_suite(void)
{
	Suite *s = suite_create("sign");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, valid_parses_and_verifies);
	tcase_add_test(tc, noncanonical_base64_refused);
	tcase_add_test(tc, malformed_foreign_altered);
	tcase_add_test(tc, accept_rule);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sign_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
