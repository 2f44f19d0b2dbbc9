/**
 * \file listset.c
 * The list set: loading with the signature rule, change detection and
 * publication with epoch-based retirement; see listset.h.
 */
#include "ddg_config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dyndns-guard/conf.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/event.h"
#include "dyndns-guard/file.h"
#include "dyndns-guard/list.h"
#include "dyndns-guard/listset.h"
#include "dyndns-guard/sign.h"

/* ---------------------------------------------------------------- */
/* messages                                                         */

/** a message to the caller's callback */
static void
note(ddg_listset_log_fn log, void *arg, enum ddg_listset_level level,
	enum ddg_listset_what what, size_t index, const char *path,
	const char *reason, int by_signature, const char *fmt, ...)
{
	struct ddg_listset_msg m;
	char text[2 * DDG_ERR_LEN + 256];
	va_list ap;

	if(!log)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	m.level = level;
	m.what = what;
	m.index = index;
	m.path = path;
	m.reason = reason ? reason : "";
	m.by_signature = by_signature;
	m.text = text;
	log(arg, &m);
}

/** milliseconds from a to b */
static double
ms_since(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1e3 + (b->tv_nsec - a->tv_nsec) / 1e6;
}

/* ---------------------------------------------------------------- */
/* loading                                                          */

/** ddg_listset_open() with the flags of ddg_list_open_flags() */
static int
open_flags(const char *path, unsigned flags, const struct ddg_sign_key *key,
	int require, struct ddg_list **out, struct ddg_file_id *id,
	enum ddg_sign_verdict *verdict, char *err, size_t errlen)
{
	struct ddg_list *l = NULL;
	struct ddg_file_id before;
	enum ddg_sign_verdict v;
	const uint8_t *data;
	struct stat st;
	size_t len;
	int r;

	if(verdict)
		*verdict = DDG_SIGN_UNCHECKED;
	if(errlen)
		err[0] = 0;
	ddg_file_id_get(path, &before);
	if(id)
		*id = before;
	r = ddg_list_open_flags(path, flags, &l, &st, err, errlen);
	if(r != DDG_OK)
		return r;
	/* the signature over the very bytes read, validated and then used
	 * (never a second read of the file, which could give other bytes) */
	data = ddg_list_data(l, &len);
	v = ddg_sign_accept(key, require, data, len, path, err, errlen);
	if(verdict)
		*verdict = v;
	if(v == DDG_SIGN_REFUSED) {
		ddg_list_close(l);
		return DDG_ERR_INVAL;
	}
	/* the file the bytes came from, also if a rename came between the
	 * stat above and the open */
	if(id)
		ddg_file_id_stat(&st, id);
	*out = l;
	return DDG_OK;
}

int
ddg_listset_open(const char *path, const struct ddg_sign_key *key,
	int require, struct ddg_list **out, struct ddg_file_id *id,
	enum ddg_sign_verdict *verdict, char *err, size_t errlen)
{
	return open_flags(path, 0, key, require, out, id, verdict, err,
		errlen);
}

struct ddg_listset *
ddg_listset_new(size_t n)
{
	struct ddg_listset *ls = calloc(1, sizeof(*ls));

	if(!ls)
		return NULL;
	ls->n = n;
	if(n > 0) {
		ls->lists = calloc(n, sizeof(*ls->lists));
		ls->ruleset = calloc(n, sizeof(*ls->ruleset));
		ls->ids = calloc(n, sizeof(*ls->ids));
		ls->loaded = calloc(n, sizeof(*ls->loaded));
		if(!ls->lists || !ls->ruleset || !ls->ids || !ls->loaded) {
			ddg_listset_free(ls);
			return NULL;
		}
	}
	return ls;
}

void
ddg_listset_free(struct ddg_listset *ls)
{
	size_t i;

	if(!ls)
		return;
	for(i = 0; ls->lists && i < ls->n; i++)
		ddg_list_close(ls->lists[i]);
	free(ls->lists);
	free(ls->ruleset);
	free(ls->ids);
	free(ls->loaded);
	free(ls);
}

void
ddg_listset_retire(struct ddg_listset *old, const struct ddg_listset *now)
{
	size_t i;

	if(!old)
		return;
	/* the old set still owns the lists carried over: drop those
	 * references before freeing it */
	for(i = 0; now && old->lists && i < old->n && i < now->n; i++)
		if(old->lists[i] == now->lists[i])
			old->lists[i] = NULL;
	ddg_listset_free(old);
}

/** the event identity of list i, just opened */
static void
set_ruleset(struct ddg_listset *ls, size_t i, const char *path)
{
	struct ddg_list_info info;

	ddg_list_info(ls->lists[i], &info);
	ddg_event_ruleset(path, info.sha256_hex, ls->ruleset[i],
		sizeof(ls->ruleset[i]));
}

/**
 * Open list i of a set being built: ddg_listset_open() with the VALIDATED
 * and UNSIGNED messages.
 * @return the list or NULL (reason in err, by_sig set when the signature
 *	rule refused it).
 */
static struct ddg_list *
open_noted(const char *path, size_t i, unsigned flags,
	const struct ddg_sign_key *key, int require, struct ddg_file_id *id,
	enum ddg_sign_verdict *v, int *by_sig, char *err, size_t errlen,
	ddg_listset_log_fn log, void *arg)
{
	struct ddg_list *l = NULL;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	*by_sig = 0;
	if(open_flags(path, flags, key, require, &l, id, v, err, errlen) !=
		DDG_OK) {
		*by_sig = *v == DDG_SIGN_REFUSED;
		return NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if(*v == DDG_SIGN_UNSIGNED)
		note(log, arg, DDG_LISTSET_VERBOSE, DDG_LISTSET_UNSIGNED, i,
			path, err, 0, "list %s is not signed: %s", path, err);
	note(log, arg, DDG_LISTSET_VERBOSE, DDG_LISTSET_VALIDATED, i, path,
		NULL, 0, "%s validated in %.1f ms", path, ms_since(&t0, &t1));
	return l;
}

/** the words for a signature verdict after a list's checksum */
static const char *
verdict_words(enum ddg_sign_verdict v)
{
	switch(v) {
	case DDG_SIGN_GOOD:
		return ", signature checked";
	case DDG_SIGN_UNSIGNED:
		return ", not signed (require-signature: no)";
	default:
		return "";
	}
}

/** ddg_listset_load_paths() with the flags of ddg_list_open_flags() */
static struct ddg_listset *
load_paths(const char *const *paths, size_t n, unsigned flags,
	const struct ddg_sign_key *key, int require, ddg_listset_log_fn log,
	void *arg)
{
	char err[DDG_ERR_LEN];
	struct ddg_listset *ls = ddg_listset_new(n);
	size_t i;

	if(!ls)
		return NULL;
	ls->generation = 1;
	for(i = 0; i < ls->n; i++) {
		const char *path = paths[i];
		struct ddg_list_info info;
		enum ddg_sign_verdict v;
		int by_sig;

		ls->lists[i] = open_noted(path, i, flags, key, require,
			&ls->ids[i], &v, &by_sig, err, sizeof(err), log, arg);
		if(!ls->lists[i]) {
			note(log, arg, DDG_LISTSET_ERR, DDG_LISTSET_NOT_LOADED,
				i, path, err, by_sig, "list not loaded: %s",
				err);
			continue;
		}
		ls->loaded[i] = time(NULL);
		set_ruleset(ls, i, path);
		ddg_list_info(ls->lists[i], &info);
		note(log, arg, DDG_LISTSET_INFO, DDG_LISTSET_LOADED, i, path,
			NULL, 0, "list %s: %u entries, %u categories, sha256 "
			"%s%s", path, (unsigned)info.entries,
			(unsigned)info.categories, info.sha256_hex,
			verdict_words(v));
		ls->ok++;
	}
	return ls;
}

struct ddg_listset *
ddg_listset_load_paths(const char *const *paths, size_t n,
	const struct ddg_sign_key *key, int require, ddg_listset_log_fn log,
	void *arg)
{
	return load_paths(paths, n, 0, key, require, log, arg);
}

struct ddg_listset *
ddg_listset_load(const struct ddg_conf *conf, const struct ddg_sign_key *key,
	ddg_listset_log_fn log, void *arg)
{
	return load_paths((const char *const *)conf->lists, conf->nlists, 0,
		key, conf->require_signature, log, arg);
}

struct ddg_listset *
ddg_listset_load_late(const struct ddg_conf *conf,
	const struct ddg_sign_key *key, ddg_listset_log_fn log, void *arg)
{
	return load_paths((const char *const *)conf->lists, conf->nlists,
		DDG_LIST_LATE_FILTER, key, conf->require_signature, log, arg);
}

void
ddg_listset_check_filters(const struct ddg_listset *ls,
	const char *const *paths, ddg_listset_log_fn log, void *arg)
{
	char err[DDG_ERR_LEN];
	size_t i;

	for(i = 0; i < ls->n; i++) {
		struct timespec t0, t1;
		const char *path = paths[i];
		int r;
		if(!ls->lists[i])
			continue;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		r = ddg_list_check_filter(ls->lists[i], path, err,
			sizeof(err));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if(r == DDG_ERR_CORRUPT)
			note(log, arg, DDG_LISTSET_ERR, DDG_LISTSET_FILTER, i,
				path, err, 0, "%s; lookups use the filter "
				"rebuilt from the list's entries (compile the "
				"list again)", err);
		else if(r != DDG_OK)
			note(log, arg, DDG_LISTSET_ERR, DDG_LISTSET_FILTER, i,
				path, err, 0, "%s; lookups go on without a "
				"filter (slower)", err);
		else
			note(log, arg, DDG_LISTSET_VERBOSE, DDG_LISTSET_FILTER,
				i, path, NULL, 0, "%s suffix filter checked "
				"in %.1f ms", path, ms_since(&t0, &t1));
	}
}

/* ---------------------------------------------------------------- */
/* change detection                                                 */

struct ddg_listset_watch *
ddg_listset_watch_new(size_t n)
{
	struct ddg_listset_watch *w = calloc(1, sizeof(*w));

	if(!w)
		return NULL;
	w->n = n;
	w->refused = calloc(n ? n : 1, sizeof(*w->refused));
	w->refused_sig = calloc(n ? n : 1, sizeof(*w->refused_sig));
	w->gone = calloc(n ? n : 1, sizeof(*w->gone));
	if(!w->refused || !w->refused_sig || !w->gone) {
		ddg_listset_watch_free(w);
		return NULL;
	}
	return w;
}

void
ddg_listset_watch_free(struct ddg_listset_watch *w)
{
	if(!w)
		return;
	free(w->refused);
	free(w->refused_sig);
	free(w->gone);
	free(w);
}

/**
 * What serves in place of list i of cur after its file changed, in words
 * for the log: the list in memory (read when, which checksum) or, without
 * one, what fail-mode makes of that.
 */
static void
serving(const struct ddg_conf *conf, const struct ddg_listset *cur, size_t i,
	char *buf, size_t len)
{
	if(cur->lists[i]) {
		struct ddg_list_info info;
		struct tm tm;
		char when[32];

		ddg_list_info(cur->lists[i], &info);
		if(!gmtime_r(&cur->loaded[i], &tm) || strftime(when,
			sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
			snprintf(when, sizeof(when), "%lld",
				(long long)cur->loaded[i]);
		snprintf(buf, len, "the list loaded at %s (sha256 %.16s...) "
			"keeps serving from memory", when, info.sha256_hex);
	} else if(cur->ok == 0) {
		snprintf(buf, len, "no list is in force from it, nor from any "
			"other file (fail-mode: %s)",
			conf->fail_mode == DDG_FAIL_CLOSED ?
			"closed: answering SERVFAIL" :
			"open: resolving normally");
	} else {
		snprintf(buf, len, "no list is in force from it");
	}
}

/** a new set for a replacement of cur: the others' identities and load
 * times as they were loaded (the lists themselves follow at the end) */
static struct ddg_listset *
successor(const struct ddg_listset *cur)
{
	struct ddg_listset *ls = ddg_listset_new(cur->n);
	size_t j;

	if(!ls)
		return NULL;
	ls->generation = cur->generation + 1;
	for(j = 0; j < cur->n; j++) {
		ls->ids[j] = cur->ids[j];
		ls->loaded[j] = cur->loaded[j];
		memcpy(ls->ruleset[j], cur->ruleset[j],
			sizeof(ls->ruleset[j]));
	}
	return ls;
}

int
ddg_listset_check(const struct ddg_listset *cur, const struct ddg_conf *conf,
	const struct ddg_sign_key *key, struct ddg_listset_watch *w,
	struct ddg_listset **out, ddg_listset_log_fn log, void *arg)
{
	struct ddg_listset *ls = NULL;
	char err[DDG_ERR_LEN], what[160];
	size_t i;
	int changed = 0;

	*out = NULL;
	for(i = 0; i < cur->n && i < w->n && i < conf->nlists; i++) {
		const char *path = conf->lists[i];
		struct ddg_file_id id, sid;
		struct ddg_list_info info;
		struct timespec t0, t1;
		enum ddg_sign_verdict v;
		char sp[PATH_MAX + 8];
		struct ddg_list *l;
		int in_place, by_sig;

		ddg_file_id_get(path, &id);
		if(!ddg_file_id_changed(&id, &cur->ids[i]))
			continue; /* unchanged */
		if(!id.present) {
			/* report a vanished file once, keep serving */
			if(w->gone[i])
				continue;
			w->gone[i] = 1;
			w->refused[i] = id;
			serving(conf, cur, i, what, sizeof(what));
			note(log, arg, DDG_LISTSET_ERR, DDG_LISTSET_GONE, i,
				path, NULL, 0, "list %s is gone (deleted or "
				"renamed away); %s", path, what);
			continue;
		}
		w->gone[i] = 0;
		/* refused already and neither the list nor its signature
		 * changed since: nothing new to try */
		snprintf(sp, sizeof(sp), "%s.sig", path);
		ddg_file_id_get(sp, &sid);
		if(!ddg_file_id_changed(&id, &w->refused[i]) &&
			!ddg_file_id_changed(&sid, &w->refused_sig[i]))
			continue;
		w->refused_sig[i] = sid;
		/* the same file (inode) as the one loaded, written to in
		 * place, or a new file renamed into place */
		in_place = ddg_file_id_same_file(&cur->ids[i], &id);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		l = open_noted(path, i, 0, key, conf->require_signature, &id, &v,
			&by_sig, err, sizeof(err), log, arg);
		if(!l) {
			w->refused[i] = id;
			serving(conf, cur, i, what, sizeof(what));
			if(in_place)
				note(log, arg, DDG_LISTSET_ERR,
					DDG_LISTSET_REFUSED, i, path, err,
					by_sig, "list %s changed in place and "
					"was refused: %s; %s", path, err,
					what);
			else
				note(log, arg, DDG_LISTSET_ERR,
					DDG_LISTSET_REFUSED, i, path, err,
					by_sig, "new list refused: %s; %s", err,
					what);
			continue;
		}
		memset(&w->refused[i], 0, sizeof(w->refused[i]));
		if(!ls && !(ls = successor(cur))) {
			ddg_list_close(l);
			note(log, arg, DDG_LISTSET_ERR, DDG_LISTSET_NOMEM, i,
				path, NULL, 0, "out of memory replacing %s",
				path);
			return DDG_ERR_NOMEM;
		}
		ls->lists[i] = l;
		ls->ids[i] = id;
		ls->loaded[i] = time(NULL);
		set_ruleset(ls, i, path);
		changed++;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ddg_list_info(l, &info);
		note(log, arg, DDG_LISTSET_INFO, DDG_LISTSET_REPLACED, i, path,
			NULL, 0, "list %s replaced: %u entries, sha256 %s, "
			"loaded and validated in %.1f ms%s", path,
			(unsigned)info.entries, info.sha256_hex,
			ms_since(&t0, &t1), in_place ? " (the file was "
			"changed in place: replace it by rename instead)" :
			"");
	}
	if(!ls)
		return 0;
	/* lists that did not change move over to the new set: they are
	 * immutable, so both sets may point at them until the old set is
	 * retired; ownership passes to the new set */
	for(i = 0; i < cur->n; i++) {
		if(!ls->lists[i]) {
			ls->lists[i] = cur->lists[i];
			ls->ids[i] = cur->ids[i];
			ls->loaded[i] = cur->loaded[i];
		}
		if(ls->lists[i])
			ls->ok++;
	}
	*out = ls;
	return changed;
}

/* ---------------------------------------------------------------- */
/* publication                                                      */

/** instance ids handed out so far in this process */
static _Atomic uint64_t pub_ids = 0;

/** this thread's slot in the publication tls_owner */
static __thread int tls_slot = -1;
/** the instance id of the publication tls_slot was handed out by; not
 * its address: a new publication may be placed where a freed one was
 * (a reload), and must not inherit the slot numbers it hands out again */
static __thread uint64_t tls_owner = 0;

void
ddg_listset_pub_init(struct ddg_listset_pub *p, struct ddg_listset *ls)
{
	int i;

	atomic_init(&p->cur, ls);
	atomic_init(&p->epoch, 1);
	for(i = 0; i < DDG_LISTSET_SLOTS; i++)
		atomic_init(&p->slots[i].epoch, 0);
	atomic_init(&p->nslots, 0);
	atomic_init(&p->overflow, 0);
	p->id = atomic_fetch_add(&pub_ids, 1) + 1;
}

struct ddg_listset *
ddg_listset_enter(struct ddg_listset_pub *p, int *slot)
{
	uint64_t e;

	if(tls_owner != p->id) {
		/* a slot of its own while there are any; the count never
		 * grows past them (a thread that reads two publications in
		 * turn takes a slot at every switch) */
		int n = atomic_load(&p->nslots);
		while(n < DDG_LISTSET_SLOTS && !atomic_compare_exchange_weak(
			&p->nslots, &n, n + 1))
			;
		tls_owner = p->id;
		tls_slot = n < DDG_LISTSET_SLOTS ? n :
			DDG_LISTSET_SLOTS; /* shared slow path */
	}
	*slot = tls_slot;
	e = atomic_load(&p->epoch);
	if(*slot < DDG_LISTSET_SLOTS)
		atomic_store(&p->slots[*slot].epoch, e);
	else
		atomic_fetch_add(&p->overflow, 1);
	/* seq_cst: the slot store is ordered before the load of cur */
	return atomic_load(&p->cur);
}

void
ddg_listset_leave(struct ddg_listset_pub *p, int slot)
{
	if(slot < DDG_LISTSET_SLOTS)
		atomic_store_explicit(&p->slots[slot].epoch, 0,
			memory_order_release);
	else
		atomic_fetch_sub(&p->overflow, 1);
}

struct ddg_listset *
ddg_listset_publish(struct ddg_listset_pub *p, struct ddg_listset *ls)
{
	struct ddg_listset *old = atomic_exchange(&p->cur, ls);
	uint64_t e = atomic_fetch_add(&p->epoch, 1) + 1;
	int i, n = atomic_load(&p->nslots);
	struct timespec pause = { 0, 200000 }; /* 0.2 ms */

	if(n > DDG_LISTSET_SLOTS)
		n = DDG_LISTSET_SLOTS;
	/* a reader that entered before the new epoch may hold old; readers
	 * stay inside for one callback or one operate() call */
	for(i = 0; i < n; i++) {
		for(;;) {
			uint64_t s = atomic_load(&p->slots[i].epoch);
			if(s == 0 || s >= e)
				break;
			nanosleep(&pause, NULL);
		}
	}
	while(atomic_load(&p->overflow) != 0)
		nanosleep(&pause, NULL);
	return old;
}

struct ddg_listset *
ddg_listset_current(struct ddg_listset_pub *p)
{
	return atomic_load(&p->cur);
}
