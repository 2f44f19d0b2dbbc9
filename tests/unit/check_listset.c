/**
 * \file check_listset.c
 * Unit tests of the list set (lib/listset.c): loading a good, a missing
 * and a corrupt list, the signature rule (required but missing, wrong
 * key, bad signature, good); change detection (an unchanged file gives
 * nothing, a new file renamed into place replaces its list while the
 * others are carried over with their identity and load time, a refused
 * file is not retried until it or its .sig changes, a vanished file is
 * reported once); publication (retirement waits for a reader inside its
 * section; a new publication at the address of an old one hands out new
 * reader slots, not the old instance's); and readers against a publisher
 * swapping and freeing sets, for ThreadSanitizer.
 */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dyndns-guard/conf.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/file.h"
#include "dyndns-guard/list.h"
#include "dyndns-guard/list_write.h"
#include "dyndns-guard/listset.h"
#include "dyndns-guard/name.h"
#include "dyndns-guard/sign.h"

/** size of a path buffer */
#define PL 512

/** the temporary directory of a test */
static char dir[256];

/** a path in dir */
static const char *
tpath(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

static void
tdir_make(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/check_listset.XXXXXX",
		tmp && *tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
tdir_remove(void)
{
	char cmd[PL];

	/* dir is ours, made by mkdtemp */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)system(cmd);
}

/** write a list of the given names (one category) to path by rename */
static void
write_list(const char *path, const char *const *names, size_t n)
{
	struct ddg_lw *lw = ddg_lw_new();
	char err[DDG_ERR_LEN];
	uint8_t *buf = NULL;
	size_t len, i;
	uint16_t c;

	ck_assert_ptr_nonnull(lw);
	ddg_lw_set_created(lw, 1700000000);
	ck_assert_int_eq(ddg_lw_category(lw, "ddns", &c), DDG_OK);
	for(i = 0; i < n; i++) {
		uint8_t w[DDG_NAME_MAXWIRE];
		size_t wl;
		ck_assert_int_eq(ddg_name_from_str(names[i], w, &wl), DDG_OK);
		ck_assert_int_eq(ddg_lw_add(lw, w, c, i), DDG_OK);
	}
	ck_assert_int_eq(ddg_lw_build(lw, NULL, NULL, &buf, &len, NULL), 0);
	ddg_lw_free(lw);
	ck_assert_int_eq(ddg_file_write_atomic(path, buf, len, 0644, 0, err,
		sizeof(err)), DDG_OK);
	free(buf);
}

static const char *const names_a[] = { "duckdns.org", "no-ip.com" };
static const char *const names_b[] = { "duckdns.org", "no-ip.com",
	"dynu.net" };

/** write bytes to path in place (same inode when it exists) */
static void
write_in_place(const char *path, const char *text)
{
	FILE *f = fopen(path, "r+");

	if(!f)
		f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ftruncate(fileno(f), 0), 0);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/** copy the file src over dst in place (dst keeps its inode) */
static void
copy_in_place(const char *src, const char *dst)
{
	static uint8_t buf[1 << 16];
	FILE *f = fopen(src, "rb");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	ck_assert(n > 0 && n < sizeof(buf));
	f = fopen(dst, "r+");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ftruncate(fileno(f), 0), 0);
	ck_assert_uint_eq(fwrite(buf, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

/** a configuration of the given lists */
static struct ddg_conf *
make_conf(const char *const *lists, size_t n, const char *extra)
{
	char text[4096], err[DDG_ERR_LEN];
	struct ddg_conf *c = NULL;
	size_t i, o;

	o = (size_t)snprintf(text, sizeof(text), "dyndns-guard:\n");
	for(i = 0; i < n; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
			"\tlist: \"%s\"\n", lists[i]);
	if(extra)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "%s", extra);
	ck_assert_int_eq(ddg_conf_parse(text, o, NULL, &c, err, sizeof(err)),
		DDG_OK);
	return c;
}

/** the messages seen */
#define MAXMSG 32
static struct {
	enum ddg_listset_level level;
	enum ddg_listset_what what;
	size_t index;
	int by_sig;
	char reason[DDG_ERR_LEN];
	char text[2 * DDG_ERR_LEN];
} msgs[MAXMSG];
static int nmsgs;

/** ddg_listset_log_fn collecting the messages but VALIDATED */
static void
collect(void *arg, const struct ddg_listset_msg *m)
{
	(void)arg;
	if(m->what == DDG_LISTSET_VALIDATED || nmsgs >= MAXMSG)
		return;
	msgs[nmsgs].level = m->level;
	msgs[nmsgs].what = m->what;
	msgs[nmsgs].index = m->index;
	msgs[nmsgs].by_sig = m->by_signature;
	snprintf(msgs[nmsgs].reason, sizeof(msgs[nmsgs].reason), "%s",
		m->reason);
	snprintf(msgs[nmsgs].text, sizeof(msgs[nmsgs].text), "%s", m->text);
	nmsgs++;
}

/** messages of a kind seen */
static int
count(enum ddg_listset_what what)
{
	int i, n = 0;

	for(i = 0; i < nmsgs; i++)
		if(msgs[i].what == what)
			n++;
	return n;
}

/** the last message of a kind, or NULL */
static const char *
last(enum ddg_listset_what what)
{
	int i;

	for(i = nmsgs - 1; i >= 0; i--)
		if(msgs[i].what == what)
			return msgs[i].text;
	return NULL;
}

/* ---------------------------------------------------------------- */
/* loading                                                          */

START_TEST(test_load)
{
	char a[PL], miss[PL], bad[PL];
	const char *lists[3];
	struct ddg_listset *ls;
	struct ddg_conf *c;

	lists[0] = tpath(a, sizeof(a), "a.dgl");
	lists[1] = tpath(miss, sizeof(miss), "missing.dgl");
	lists[2] = tpath(bad, sizeof(bad), "bad.dgl");
	write_list(a, names_a, 2);
	write_in_place(bad, "this is not a list\n");
	c = make_conf(lists, 3, NULL);
	nmsgs = 0;
	ls = ddg_listset_load(c, NULL, collect, NULL);
	ck_assert_ptr_nonnull(ls);
	ck_assert_uint_eq(ls->n, 3);
	ck_assert_uint_eq(ls->ok, 1);
	ck_assert_uint_eq(ls->generation, 1);
	ck_assert_ptr_nonnull(ls->lists[0]);
	ck_assert_ptr_null(ls->lists[1]);
	ck_assert_ptr_null(ls->lists[2]);
	ck_assert_int_eq(ls->ids[0].present, 1);
	ck_assert(ls->loaded[0] > 0);
	ck_assert_ptr_nonnull(strstr(ls->ruleset[0], "a.dgl@"));
	ck_assert_int_eq(count(DDG_LISTSET_LOADED), 1);
	ck_assert_int_eq(count(DDG_LISTSET_NOT_LOADED), 2);
	ck_assert_ptr_nonnull(strstr(msgs[0].text, "a.dgl: 2 entries, 1 "
		"categories, sha256 "));
	ck_assert_int_eq(msgs[0].level, DDG_LISTSET_INFO);
	ck_assert_uint_eq(msgs[1].index, 1);
	ck_assert_int_eq(msgs[1].level, DDG_LISTSET_ERR);
	ck_assert_int_eq(msgs[1].by_sig, 0);
	ck_assert_ptr_nonnull(strstr(msgs[1].text, "list not loaded: "));
	ck_assert_ptr_nonnull(strstr(msgs[1].reason, "missing.dgl"));
	ck_assert_uint_eq(msgs[2].index, 2);
	ck_assert_ptr_nonnull(strstr(msgs[2].reason, "bad.dgl"));
	ck_assert_ptr_nonnull(strstr(msgs[2].reason, "byte offset"));
	ddg_listset_free(ls);
	ddg_conf_free(c);
}
END_TEST

/* The module's start: the lists serve before their suffix filters are
 * checked, then ddg_listset_check_filters() checks each and says so. */
START_TEST(test_load_late)
{
	char a[PL], b[PL];
	const char *lists[2];
	struct ddg_listset *ls;
	struct ddg_conf *c;
	uint8_t w[DDG_NAME_MAXWIRE], u[DDG_NAME_MAXWIRE];
	size_t wl, ul;
	struct ddg_list_match m;

	lists[0] = tpath(a, sizeof(a), "late-a.dgl");
	lists[1] = tpath(b, sizeof(b), "late-b.dgl");
	write_list(a, names_a, 2);
	write_list(b, names_b, 3);
	c = make_conf(lists, 2, NULL);
	ck_assert_int_eq(ddg_name_from_str("x.dynu.net", w, &wl), DDG_OK);
	ck_assert_int_eq(ddg_name_from_str("x.example.net", u, &ul), DDG_OK);
	nmsgs = 0;
	ls = ddg_listset_load_late(c, NULL, collect, NULL);
	ck_assert_ptr_nonnull(ls);
	ck_assert_uint_eq(ls->ok, 2);
	ck_assert_int_eq(count(DDG_LISTSET_LOADED), 2);
	/* serving already: right answers, every name a candidate */
	ck_assert_int_eq(ddg_list_match(ls->lists[1], w, wl, &m), 1);
	ck_assert_int_eq(ddg_list_match(ls->lists[1], u, ul, &m), 0);
	ck_assert_int_eq(ddg_list_may_match(ls->lists[1], u, ul), 1);
	ddg_listset_check_filters(ls, lists, collect, NULL);
	ck_assert_int_eq(count(DDG_LISTSET_FILTER), 2);
	ck_assert_ptr_nonnull(strstr(last(DDG_LISTSET_FILTER),
		"late-b.dgl suffix filter checked in "));
	/* the filters in use: a certain no */
	ck_assert_int_eq(ddg_list_may_match(ls->lists[1], u, ul), 0);
	ck_assert_int_eq(ddg_list_match(ls->lists[1], w, wl, &m), 1);
	ddg_listset_free(ls);
	ddg_conf_free(c);
}
END_TEST

/** key pairs k and k2 in dir; the public halves */
static struct ddg_sign_key *pub1, *pub2;

static void
keys_make(void)
{
	char b[PL], p[PL], err[DDG_ERR_LEN];

	tdir_make();
	ck_assert_int_eq(ddg_sign_keygen(tpath(b, sizeof(b), "k"), err,
		sizeof(err)), DDG_OK);
	ck_assert_int_eq(ddg_sign_keygen(tpath(b, sizeof(b), "k2"), err,
		sizeof(err)), DDG_OK);
	ck_assert_int_eq(ddg_sign_load_public(tpath(p, sizeof(p), "k.pub"),
		&pub1, err, sizeof(err)), DDG_OK);
	ck_assert_int_eq(ddg_sign_load_public(tpath(p, sizeof(p), "k2.pub"),
		&pub2, err, sizeof(err)), DDG_OK);
}

static void
keys_remove(void)
{
	ddg_sign_key_free(pub1);
	ddg_sign_key_free(pub2);
	pub1 = pub2 = NULL;
	tdir_remove();
}

/** sign path with the private key of BASENAME */
static void
sign_with(const char *path, const char *base)
{
	char k[PL], n[64], err[DDG_ERR_LEN];
	struct ddg_sign_key *priv = NULL;

	snprintf(n, sizeof(n), "%s.key", base);
	ck_assert_int_eq(ddg_sign_load_private(tpath(k, sizeof(k), n), &priv,
		err, sizeof(err)), DDG_OK);
	ck_assert_int_eq(ddg_sign_file(priv, path, err, sizeof(err)), DDG_OK);
	ddg_sign_key_free(priv);
}

/** open path by the rule; returns the result code */
static int
open_rule(const char *path, const struct ddg_sign_key *key, int require,
	enum ddg_sign_verdict *v, char *err)
{
	struct ddg_list *l = NULL;
	struct ddg_file_id id;
	int r;

	r = ddg_listset_open(path, key, require, &l, &id, v, err,
		DDG_ERR_LEN);
	if(r == DDG_OK) {
		ck_assert_ptr_nonnull(l);
		ck_assert_int_eq(id.present, 1);
		ddg_list_close(l);
	}
	return r;
}

START_TEST(test_signature)
{
	char a[PL], sig[PL + 8], err[DDG_ERR_LEN];
	enum ddg_sign_verdict v;
	const char *lists[1];
	struct ddg_listset *ls;
	struct ddg_conf *c;

	tpath(a, sizeof(a), "a.dgl");
	snprintf(sig, sizeof(sig), "%s.sig", a);
	write_list(a, names_a, 2);
	/* no key, not required: nothing checked */
	ck_assert_int_eq(open_rule(a, NULL, 0, &v, err), DDG_OK);
	ck_assert_int_eq(v, DDG_SIGN_UNCHECKED);
	/* no key, required: refused by the rule */
	ck_assert_int_eq(open_rule(a, NULL, 1, &v, err), DDG_ERR_INVAL);
	ck_assert_int_eq(v, DDG_SIGN_REFUSED);
	/* a key, no signature: accepted unless required */
	ck_assert_int_eq(open_rule(a, pub1, 0, &v, err), DDG_OK);
	ck_assert_int_eq(v, DDG_SIGN_UNSIGNED);
	ck_assert_ptr_nonnull(strstr(err, "a.dgl.sig"));
	ck_assert_int_eq(open_rule(a, pub1, 1, &v, err), DDG_ERR_INVAL);
	ck_assert_int_eq(v, DDG_SIGN_REFUSED);
	ck_assert_ptr_nonnull(strstr(err, "a.dgl.sig: no signature"));
	/* signed by another key: refused, also when not required */
	sign_with(a, "k2");
	ck_assert_int_eq(open_rule(a, pub1, 0, &v, err), DDG_ERR_INVAL);
	ck_assert_ptr_nonnull(strstr(err, "another key"));
	/* the right key */
	sign_with(a, "k");
	ck_assert_int_eq(open_rule(a, pub1, 1, &v, err), DDG_OK);
	ck_assert_int_eq(v, DDG_SIGN_GOOD);
	/* other bytes than the signed ones: bad signature */
	write_list(a, names_b, 3);
	ck_assert_int_eq(open_rule(a, pub1, 1, &v, err), DDG_ERR_INVAL);
	ck_assert_ptr_nonnull(strstr(err, "bad signature"));
	/* a corrupt list is refused by validation, not by the signature */
	write_in_place(a, "garbage");
	ck_assert_int_eq(open_rule(a, pub1, 1, &v, err), DDG_ERR_CORRUPT);
	ck_assert_int_eq(v, DDG_SIGN_UNCHECKED);

	/* through the loader: refused by the signature (a.dgl.sig is of
	 * names_a), then good */
	write_list(a, names_b, 3);
	lists[0] = a;
	c = make_conf(lists, 1, "\trequire-signature: yes\n");
	nmsgs = 0;
	ls = ddg_listset_load(c, pub1, collect, NULL);
	ck_assert_uint_eq(ls->ok, 0);
	ck_assert_int_eq(count(DDG_LISTSET_NOT_LOADED), 1);
	ck_assert_int_eq(msgs[0].by_sig, 1);
	ck_assert_ptr_nonnull(strstr(msgs[0].text, "list not loaded: "));
	ck_assert_ptr_nonnull(strstr(msgs[0].reason, "a.dgl.sig: bad "
		"signature"));
	ddg_listset_free(ls);
	sign_with(a, "k");
	nmsgs = 0;
	ls = ddg_listset_load(c, pub1, collect, NULL);
	ck_assert_uint_eq(ls->ok, 1);
	ck_assert_ptr_nonnull(strstr(last(DDG_LISTSET_LOADED),
		", signature checked"));
	ddg_listset_free(ls);
	ddg_conf_free(c);
	/* not required, unsigned: loaded, and said so */
	unlink(sig);
	c = make_conf(lists, 1, NULL);
	nmsgs = 0;
	ls = ddg_listset_load(c, pub1, collect, NULL);
	ck_assert_uint_eq(ls->ok, 1);
	ck_assert_int_eq(count(DDG_LISTSET_UNSIGNED), 1);
	ck_assert_ptr_null(strstr(last(DDG_LISTSET_LOADED), "checked"));
	ddg_listset_free(ls);
	ddg_conf_free(c);
}
END_TEST

/* ---------------------------------------------------------------- */
/* change detection                                                 */

/** lists a.dgl and b.dgl in dir, loaded */
static struct ddg_conf *cc;
static struct ddg_listset *cur;
static struct ddg_listset_watch *cw;
static char pa[PL], pb[PL];

static void
check_setup(void)
{
	const char *lists[2];

	tdir_make();
	lists[0] = tpath(pa, sizeof(pa), "a.dgl");
	lists[1] = tpath(pb, sizeof(pb), "b.dgl");
	write_list(pa, names_a, 2);
	write_list(pb, names_a, 2);
	cc = make_conf(lists, 2, "\tfail-mode: closed\n");
	cur = ddg_listset_load(cc, NULL, NULL, NULL);
	ck_assert_uint_eq(cur->ok, 2);
	cw = ddg_listset_watch_new(2);
	ck_assert_ptr_nonnull(cw);
	nmsgs = 0;
}

static void
check_teardown(void)
{
	ddg_listset_free(cur);
	cur = NULL;
	ddg_listset_watch_free(cw);
	ddg_conf_free(cc);
	tdir_remove();
}

/** one check; on a replacement retire cur and make the new set cur */
static int
check_once(void)
{
	struct ddg_listset *ls = (struct ddg_listset *)1;
	int r = ddg_listset_check(cur, cc, NULL, cw, &ls, collect, NULL);

	if(r > 0) {
		ck_assert_ptr_nonnull(ls);
		ddg_listset_retire(cur, ls);
		cur = ls;
	} else
		ck_assert_ptr_null(ls);
	return r;
}

START_TEST(test_check_unchanged)
{
	ck_assert_int_eq(check_once(), 0);
	ck_assert_int_eq(check_once(), 0);
	ck_assert_int_eq(nmsgs, 0);
	ck_assert_uint_eq(cur->generation, 1);
}
END_TEST

START_TEST(test_check_replaced)
{
	struct ddg_listset *ls = NULL;
	struct ddg_list *a0 = cur->lists[0], *b0 = cur->lists[1];
	struct ddg_file_id bid = cur->ids[1];
	time_t bloaded = cur->loaded[1];
	char brs[DDG_EVENT_RULESET_LEN];

	snprintf(brs, sizeof(brs), "%s", cur->ruleset[1]);
	write_list(pa, names_b, 3);
	ck_assert_int_eq(ddg_listset_check(cur, cc, NULL, cw, &ls, collect,
		NULL), 1);
	ck_assert_ptr_nonnull(ls);
	ck_assert_uint_eq(ls->generation, 2);
	ck_assert_uint_eq(ls->ok, 2);
	ck_assert_ptr_ne(ls->lists[0], a0);
	ck_assert_uint_eq(ddg_list_count(ls->lists[0]), 3);
	/* the other list carried over, with its identity and time */
	ck_assert_ptr_eq(ls->lists[1], b0);
	ck_assert_int_eq(ddg_file_id_changed(&ls->ids[1], &bid), 0);
	ck_assert(ls->loaded[1] == bloaded);
	ck_assert_str_eq(ls->ruleset[1], brs);
	ck_assert_int_ne(ddg_file_id_changed(&ls->ids[0], &cur->ids[0]), 0);
	ck_assert_int_eq(count(DDG_LISTSET_REPLACED), 1);
	ck_assert_ptr_nonnull(strstr(last(DDG_LISTSET_REPLACED),
		"a.dgl replaced: 3 entries, sha256 "));
	ck_assert_ptr_null(strstr(last(DDG_LISTSET_REPLACED), "in place"));
	/* the old set, retired, frees only what is not shared */
	ddg_listset_retire(cur, ls);
	cur = ls;
	ck_assert_uint_eq(ddg_list_count(cur->lists[1]), 2);
	ck_assert_int_eq(check_once(), 0);
	/* a valid list written over the same inode: loaded, with the
	 * advice */
	{
		char tmp[PL];
		write_list(tpath(tmp, sizeof(tmp), "c.dgl"), names_b, 3);
		copy_in_place(tmp, pb);
	}
	ck_assert_int_eq(check_once(), 1);
	ck_assert_uint_eq(cur->generation, 3);
	ck_assert_ptr_nonnull(strstr(last(DDG_LISTSET_REPLACED), "b.dgl "
		"replaced: 3 entries, sha256 "));
	ck_assert_ptr_nonnull(strstr(last(DDG_LISTSET_REPLACED),
		"(the file was changed in place: replace it by rename "
		"instead)"));
}
END_TEST

START_TEST(test_check_refused)
{
	char sig[PL + 8];

	snprintf(sig, sizeof(sig), "%s.sig", pa);
	/* a new file renamed into place, corrupt: refused, a serves */
	ck_assert_int_eq(ddg_file_write_atomic(pa, "garbage", 7, 0644, 0,
		NULL, 0), DDG_OK);
	ck_assert_int_eq(check_once(), 0);
	ck_assert_int_eq(count(DDG_LISTSET_REFUSED), 1);
	ck_assert_int_eq(msgs[0].level, DDG_LISTSET_ERR);
	ck_assert_ptr_nonnull(strstr(msgs[0].text, "new list refused: "));
	ck_assert_ptr_nonnull(strstr(msgs[0].text, "a.dgl: "));
	ck_assert_ptr_nonnull(strstr(msgs[0].text, "; the list loaded at "));
	ck_assert_ptr_nonnull(strstr(msgs[0].text, "...) keeps serving from "
		"memory"));
	/* remembered: not tried again */
	ck_assert_int_eq(check_once(), 0);
	ck_assert_int_eq(check_once(), 0);
	ck_assert_int_eq(count(DDG_LISTSET_REFUSED), 1);
	/* its .sig appears: tried again (and refused again) */
	write_in_place(sig, "not a signature\n");
	ck_assert_int_eq(check_once(), 0);
	ck_assert_int_eq(count(DDG_LISTSET_REFUSED), 2);
	ck_assert_int_eq(check_once(), 0);
	ck_assert_int_eq(count(DDG_LISTSET_REFUSED), 2);
	/* the file itself changes, in place: tried, refused as such */
	write_in_place(pa, "other garbage");
	ck_assert_int_eq(check_once(), 0);
	ck_assert_int_eq(count(DDG_LISTSET_REFUSED), 3);
	ck_assert_ptr_nonnull(strstr(last(DDG_LISTSET_REFUSED), "new list "
		"refused"));
	ck_assert_uint_eq(cur->generation, 1);
	ck_assert_uint_eq(cur->ok, 2);
	/* a good one: replaced */
	write_list(pa, names_b, 3);
	ck_assert_int_eq(check_once(), 1);
	ck_assert_uint_eq(cur->generation, 2);
	/* written in place and refused: said so */
	write_in_place(pa, "garbage in place");
	ck_assert_int_eq(check_once(), 0);
	ck_assert_ptr_nonnull(strstr(last(DDG_LISTSET_REFUSED), "a.dgl "
		"changed in place and was refused: "));
	ck_assert_int_eq(count(DDG_LISTSET_REFUSED), 4);
}
END_TEST

START_TEST(test_check_gone)
{
	ck_assert_int_eq(unlink(pa), 0);
	ck_assert_int_eq(check_once(), 0);
	ck_assert_int_eq(check_once(), 0);
	ck_assert_int_eq(count(DDG_LISTSET_GONE), 1);
	ck_assert_ptr_nonnull(strstr(last(DDG_LISTSET_GONE), "a.dgl is gone "
		"(deleted or renamed away); the list loaded at "));
	ck_assert_ptr_nonnull(cur->lists[0]);
	/* back: loaded */
	write_list(pa, names_b, 3);
	ck_assert_int_eq(check_once(), 1);
	ck_assert_uint_eq(ddg_list_count(cur->lists[0]), 3);
	/* gone again: reported again */
	ck_assert_int_eq(unlink(pa), 0);
	ck_assert_int_eq(check_once(), 0);
	ck_assert_int_eq(count(DDG_LISTSET_GONE), 2);
}
END_TEST

START_TEST(test_check_missing_at_start)
{
	/* no list in force at all: the message says what fail-mode does */
	const char *lists[1];
	char m[PL];
	struct ddg_conf *c;
	struct ddg_listset *ls, *nls = NULL;
	struct ddg_listset_watch *w = ddg_listset_watch_new(1);

	lists[0] = tpath(m, sizeof(m), "m.dgl");
	c = make_conf(lists, 1, "\tfail-mode: closed\n");
	ls = ddg_listset_load(c, NULL, NULL, NULL);
	ck_assert_uint_eq(ls->ok, 0);
	ck_assert_int_eq(ddg_listset_check(ls, c, NULL, w, &nls, collect,
		NULL), 0);
	write_in_place(m, "garbage");
	ck_assert_int_eq(ddg_listset_check(ls, c, NULL, w, &nls, collect,
		NULL), 0);
	ck_assert_ptr_nonnull(strstr(last(DDG_LISTSET_REFUSED), "; no list "
		"is in force from it, nor from any other file (fail-mode: "
		"closed: answering SERVFAIL)"));
	write_list(m, names_a, 2);
	ck_assert_int_eq(ddg_listset_check(ls, c, NULL, w, &nls, collect,
		NULL), 1);
	ck_assert_uint_eq(nls->ok, 1);
	ck_assert_uint_eq(nls->generation, 2);
	ddg_listset_retire(ls, nls);
	ddg_listset_free(nls);
	ddg_listset_watch_free(w);
	ddg_conf_free(c);
}
END_TEST

/* ---------------------------------------------------------------- */
/* publication                                                      */

/** a set of no lists, marked by its generation */
static struct ddg_listset *
mark(uint64_t g)
{
	struct ddg_listset *ls = ddg_listset_new(0);

	ck_assert_ptr_nonnull(ls);
	ls->generation = g;
	return ls;
}

/** a reader that enters, says so, and leaves when told */
struct holder {
	struct ddg_listset_pub *p;
	_Atomic int inside;	/**< 1 once inside */
	_Atomic int release;	/**< set to make it leave */
	int slot;		/**< the slot it got */
	uint64_t seen;		/**< generation of the set it saw */
};

static void *
holder_main(void *arg)
{
	struct holder *h = arg;
	struct ddg_listset *ls = ddg_listset_enter(h->p, &h->slot);
	struct timespec t = { 0, 1000000 };

	h->seen = ls->generation;
	atomic_store(&h->inside, 1);
	while(!atomic_load(&h->release))
		nanosleep(&t, NULL);
	h->seen = ls->generation; /* still valid: not freed meanwhile */
	ddg_listset_leave(h->p, h->slot);
	return NULL;
}

/** a publisher in a thread of its own */
struct pubber {
	struct ddg_listset_pub *p;
	struct ddg_listset *ls;	/**< to publish */
	struct ddg_listset *old; /**< what publish returned */
	_Atomic int done;	/**< 1 once publish returned */
};

static void *
pubber_main(void *arg)
{
	struct pubber *u = arg;

	u->old = ddg_listset_publish(u->p, u->ls);
	atomic_store(&u->done, 1);
	return NULL;
}

/** wait until a flag is set (at most 10 s) */
static void
await(_Atomic int *flag)
{
	struct timespec t = { 0, 1000000 };
	int i;

	for(i = 0; i < 10000 && !atomic_load(flag); i++)
		nanosleep(&t, NULL);
	ck_assert_int_eq(atomic_load(flag), 1);
}

/**
 * Publish ls on p from another thread while h is inside; publish must not
 * return before h left.  Frees the old set.
 */
static void
expect_publish_waits(struct ddg_listset_pub *p, struct holder *h,
	pthread_t ht, struct ddg_listset *ls)
{
	struct timespec t = { 0, 100000000 }; /* 100 ms */
	struct pubber u;
	pthread_t pt;

	memset(&u, 0, sizeof(u));
	u.p = p;
	u.ls = ls;
	atomic_init(&u.done, 0);
	ck_assert_int_eq(pthread_create(&pt, NULL, pubber_main, &u), 0);
	nanosleep(&t, NULL);
	ck_assert_msg(atomic_load(&u.done) == 0, "publish returned while a "
		"reader was still inside the old set");
	ck_assert_ptr_eq(ddg_listset_current(p), ls);
	atomic_store(&h->release, 1);
	pthread_join(ht, NULL);
	pthread_join(pt, NULL);
	ck_assert_int_eq(atomic_load(&u.done), 1);
	ddg_listset_free(u.old);
}

START_TEST(test_pub_basic)
{
	struct ddg_listset_pub *p = calloc(1, sizeof(*p));
	struct ddg_listset *ls, *old;
	struct holder h;
	pthread_t ht;
	int slot;

	ck_assert_ptr_nonnull(p);
	ddg_listset_pub_init(p, mark(1));
	ck_assert_uint_ne(p->id, 0);
	ls = ddg_listset_enter(p, &slot);
	ck_assert_uint_eq(ls->generation, 1);
	ddg_listset_leave(p, slot);
	/* no reader inside: publish returns at once */
	old = ddg_listset_publish(p, mark(2));
	ck_assert_uint_eq(old->generation, 1);
	ddg_listset_free(old);
	ls = ddg_listset_enter(p, &slot);
	ck_assert_uint_eq(ls->generation, 2);
	ddg_listset_leave(p, slot);
	/* a reader inside the old set holds retirement back */
	memset(&h, 0, sizeof(h));
	h.p = p;
	ck_assert_int_eq(pthread_create(&ht, NULL, holder_main, &h), 0);
	await(&h.inside);
	ck_assert_uint_eq(h.seen, 2);
	expect_publish_waits(p, &h, ht, mark(3));
	ck_assert_uint_eq(h.seen, 2);
	ls = ddg_listset_enter(p, &slot);
	ck_assert_uint_eq(ls->generation, 3);
	ddg_listset_leave(p, slot);
	ddg_listset_free(ddg_listset_current(p));
	free(p);
}
END_TEST

/** the memory two publications are placed in, one after the other */
static union {
	struct ddg_listset_pub p;
	uint64_t align;
} place;

/**
 * A reload: a new publication at the address of the old one.  A thread
 * that read from the old one must get a slot of the new one, not keep its
 * old number: that number is handed out again by the new instance, and two
 * readers on one slot let a publish free a set still in use.
 */
/* A thread that reads two publications in turn takes a slot at every
 * switch: the count stops at the slots (the rest share the slow path)
 * instead of growing until it wraps to a negative slot. */
START_TEST(test_pub_alternate)
{
	static struct ddg_listset_pub p1, p2;
	int i, slot;

	ddg_listset_pub_init(&p1, mark(1));
	ddg_listset_pub_init(&p2, mark(2));
	for(i = 0; i < 3 * DDG_LISTSET_SLOTS; i++) {
		struct ddg_listset_pub *p = i % 2 ? &p2 : &p1;
		(void)ddg_listset_enter(p, &slot);
		ck_assert_int_ge(slot, 0);
		ck_assert_int_le(slot, DDG_LISTSET_SLOTS);
		ddg_listset_leave(p, slot);
	}
	ck_assert_int_eq(atomic_load(&p1.nslots), DDG_LISTSET_SLOTS);
	ck_assert_int_eq(atomic_load(&p2.nslots), DDG_LISTSET_SLOTS);
	ck_assert_uint_eq(atomic_load(&p1.overflow), 0);
	ddg_listset_free(ddg_listset_current(&p1));
	ddg_listset_free(ddg_listset_current(&p2));
}
END_TEST

START_TEST(test_pub_same_address)
{
	struct ddg_listset_pub *p = &place.p;
	struct ddg_listset *ls;
	struct holder h;
	pthread_t ht;
	uint64_t id1;
	int slot;

	/* the old instance: this thread reads, gets slot 0 */
	ddg_listset_pub_init(p, mark(1));
	id1 = p->id;
	ls = ddg_listset_enter(p, &slot);
	ck_assert_int_eq(slot, 0);
	ddg_listset_leave(p, slot);
	ddg_listset_free(ddg_listset_current(p));
	memset(p, 0xa5, sizeof(*p));

	/* the new instance, at the same address */
	ddg_listset_pub_init(p, mark(10));
	ck_assert_uint_ne(p->id, id1);
	/* a new thread gets its slot 0, and stays inside */
	memset(&h, 0, sizeof(h));
	h.p = p;
	ck_assert_int_eq(pthread_create(&ht, NULL, holder_main, &h), 0);
	await(&h.inside);
	ck_assert_int_eq(h.slot, 0);
	/* this thread must get a slot of its own from the new instance */
	ls = ddg_listset_enter(p, &slot);
	ck_assert_uint_eq(ls->generation, 10);
	ck_assert_msg(slot != h.slot, "a thread kept its slot %d of the "
		"old instance at this address, the slot another reader holds",
		slot);
	ddg_listset_leave(p, slot);
	ck_assert_int_eq(atomic_load(&p->nslots), 2);
	/* and so retirement still waits for the other reader */
	expect_publish_waits(p, &h, ht, mark(11));
	ddg_listset_free(ddg_listset_current(p));
}
END_TEST

/** readers against a publisher: the stress test for ThreadSanitizer */
#define NREADERS 4
#define NSWAPS 300

/** shared state of the stress test */
static struct ddg_listset_pub *spub;
static _Atomic int sstop;
static _Atomic uint64_t sreads;
static const char *slist;

static void *
reader_main(void *arg)
{
	uint64_t last_gen = 0, n = 0;
	uint8_t w[DDG_NAME_MAXWIRE];
	size_t wl;

	(void)arg;
	ck_assert_int_eq(ddg_name_from_str("x.duckdns.org", w, &wl), DDG_OK);
	while(!atomic_load_explicit(&sstop, memory_order_relaxed)) {
		struct ddg_list_match m;
		struct ddg_list_info info;
		struct ddg_listset *ls;
		int slot;

		ls = ddg_listset_enter(spub, &slot);
		/* never an older set than one seen before */
		if(ls->generation < last_gen)
			abort();
		last_gen = ls->generation;
		if(ls->n != 1 || !ls->lists[0])
			abort();
		ddg_list_info(ls->lists[0], &info);
		if(info.entries != 2 || ddg_list_match(ls->lists[0], w, wl,
			&m) != 1 || strcmp(m.category_name, "ddns") != 0)
			abort();
		ddg_listset_leave(spub, slot);
		n++;
	}
	atomic_fetch_add(&sreads, n);
	return NULL;
}

START_TEST(test_pub_stress)
{
	pthread_t rt[NREADERS];
	struct ddg_listset *ls, *old;
	char a[PL];
	int i;

	slist = tpath(a, sizeof(a), "s.dgl");
	write_list(a, names_a, 2);
	spub = calloc(1, sizeof(*spub));
	ck_assert_ptr_nonnull(spub);
	ls = ddg_listset_load_paths(&slist, 1, NULL, 0, NULL, NULL);
	ck_assert_uint_eq(ls->ok, 1);
	ddg_listset_pub_init(spub, ls);
	atomic_store(&sstop, 0);
	atomic_store(&sreads, 0);
	for(i = 0; i < NREADERS; i++)
		ck_assert_int_eq(pthread_create(&rt[i], NULL, reader_main,
			NULL), 0);
	for(i = 0; i < NSWAPS; i++) {
		ls = ddg_listset_load_paths(&slist, 1, NULL, 0, NULL, NULL);
		ck_assert_ptr_nonnull(ls);
		ck_assert_uint_eq(ls->ok, 1);
		ls->generation = (uint64_t)i + 2;
		old = ddg_listset_publish(spub, ls);
		ck_assert_uint_eq(old->generation, (uint64_t)i + 1);
		/* no reader can see old now: free it, lists and all */
		ddg_listset_retire(old, ls);
	}
	atomic_store(&sstop, 1);
	for(i = 0; i < NREADERS; i++)
		pthread_join(rt[i], NULL);
	ck_assert(atomic_load(&sreads) > 0);
	ck_assert_int_eq(atomic_load(&spub->nslots), NREADERS);
	ddg_listset_free(ddg_listset_current(spub));
	free(spub);
}
END_TEST

static Suite *
listset_suite(void)
{
	Suite *s = suite_create("listset");
	TCase *tc;

	tc = tcase_create("load");
	tcase_add_checked_fixture(tc, tdir_make, tdir_remove);
	tcase_add_test(tc, test_load);
	tcase_add_test(tc, test_load_late);
	suite_add_tcase(s, tc);

	tc = tcase_create("signature");
	tcase_add_checked_fixture(tc, keys_make, keys_remove);
	tcase_add_test(tc, test_signature);
	suite_add_tcase(s, tc);

	tc = tcase_create("check");
	tcase_add_checked_fixture(tc, check_setup, check_teardown);
	tcase_add_test(tc, test_check_unchanged);
	tcase_add_test(tc, test_check_replaced);
	tcase_add_test(tc, test_check_refused);
	tcase_add_test(tc, test_check_gone);
	tcase_add_test(tc, test_check_missing_at_start);
	suite_add_tcase(s, tc);

	tc = tcase_create("publication");
	tcase_add_checked_fixture(tc, tdir_make, tdir_remove);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_pub_basic);
	tcase_add_test(tc, test_pub_same_address);
	tcase_add_test(tc, test_pub_alternate);
	tcase_add_test(tc, test_pub_stress);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(listset_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
