/**
 * \file listset.c
 * The lists in force: loading and validation, publication by atomic
 * pointer swap with epoch-based reclamation, the watcher thread that
 * replaces a list renamed into place, and expiry of the message-cache
 * entries a new list blocks.  See ddg_module.h for the scheme.
 */
#include "config.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "services/cache/dns.h"
#include "services/cache/rrset.h"
#include "util/data/msgreply.h"
#include "util/data/packed_rrset.h"
#include "util/log.h"
#include "util/module.h"
#include "util/storage/slabhash.h"
#include "util/locks.h"
#include "sldns/rrdef.h"

#include "dyndns-guard/chain.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/name.h"
#include "dyndns-guard/sign.h"
#include "ddg_module.h"

/* ---------------------------------------------------------------- */
/* readers                                                          */

/** this thread's slot, and the module it belongs to */
static __thread int tls_slot = -1;
/** the module instance tls_slot was handed out by */
static __thread struct ddg_mod* tls_owner = NULL;

struct ddgm_listset*
ddgm_read_enter(struct ddg_mod* m, int* slot)
{
	uint64_t e;
	if(tls_owner != m) {
		tls_owner = m;
		tls_slot = atomic_fetch_add(&m->nslots, 1);
		if(tls_slot >= DDGM_SLOTS)
			tls_slot = DDGM_SLOTS; /* shared slow path */
	}
	*slot = tls_slot;
	e = atomic_load(&m->epoch);
	if(*slot < DDGM_SLOTS)
		atomic_store(&m->slots[*slot].epoch, e);
	else
		atomic_fetch_add(&m->overflow, 1);
	/* seq_cst: the slot store is ordered before the load of cur */
	return atomic_load(&m->cur);
}

void
ddgm_read_leave(struct ddg_mod* m, int slot)
{
	if(slot < DDGM_SLOTS)
		atomic_store_explicit(&m->slots[slot].epoch, 0,
			memory_order_release);
	else
		atomic_fetch_sub(&m->overflow, 1);
}

/**
 * Publish a new list set and wait until no reader can still see the old
 * one; return the old one (for the caller to free).
 */
static struct ddgm_listset*
publish(struct ddg_mod* m, struct ddgm_listset* ls)
{
	struct ddgm_listset* old = atomic_exchange(&m->cur, ls);
	uint64_t e = atomic_fetch_add(&m->epoch, 1) + 1;
	int i, n = atomic_load(&m->nslots);
	struct timespec pause = { 0, 200000 }; /* 0.2 ms */
	if(n > DDGM_SLOTS)
		n = DDGM_SLOTS;
	/* a reader that entered before the new epoch may hold old; readers
	 * stay inside for one callback or one operate() call */
	for(i = 0; i < n; i++) {
		for(;;) {
			uint64_t s = atomic_load(&m->slots[i].epoch);
			if(s == 0 || s >= e)
				break;
			nanosleep(&pause, NULL);
		}
	}
	while(atomic_load(&m->overflow) != 0)
		nanosleep(&pause, NULL);
	return old;
}

/* ---------------------------------------------------------------- */
/* loading                                                          */

void
ddgm_listset_free(struct ddgm_listset* ls)
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

int
ddgm_pubkey_load(struct ddg_mod* m)
{
	char err[DDG_ERR_LEN];
	struct ddg_sign_key* k = NULL;
	if(!m->conf->public_key) {
		/* the signature rule, asked before any list is opened */
		if(ddg_sign_accept(NULL, m->conf->require_signature, NULL, 0,
			NULL, err, sizeof(err)) == DDG_SIGN_REFUSED) {
			log_err("dyndns-guard: %s: %s", m->conf_path, err);
			return 0;
		}
		return 1;
	}
	if(ddg_sign_load_public(m->conf->public_key, &k, err, sizeof(err))
		!= DDG_OK) {
		log_err("dyndns-guard: public-key: %s", err);
		return 0;
	}
	m->pubkey = k;
	return 1;
}

/** the identity of a file from its stat() */
static void
stat_id(const struct stat* st, struct ddgm_file_id* id)
{
	memset(id, 0, sizeof(*id));
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->size = st->st_size;
	id->mtime = st->st_mtim;
	id->present = 1;
}

/** the identity of a file, or present = 0 */
static void
file_id(const char* path, struct ddgm_file_id* id)
{
	struct stat st;
	memset(id, 0, sizeof(*id));
	if(stat(path, &st) != 0)
		return;
	stat_id(&st, id);
}

/** whether two identities differ */
static int
id_changed(const struct ddgm_file_id* a, const struct ddgm_file_id* b)
{
	return a->present != b->present || a->dev != b->dev ||
		a->ino != b->ino || a->size != b->size ||
		a->mtime.tv_sec != b->mtime.tv_sec ||
		a->mtime.tv_nsec != b->mtime.tv_nsec;
}

/**
 * Open, validate and (when configured) check the signature of one list.
 * The list is read once into memory of its own; the signature is checked
 * over exactly those bytes, the ones validated and then used (never a
 * second read of the file, which could give other bytes).
 * @param id: set to the identity of the file the list was read from, or on
 *	failure to the file's identity before the attempt.
 * @param flags: for ddg_list_open_flags().
 * @return the list, or NULL with the reason in err.
 */
static struct ddg_list*
open_one(struct ddg_mod* m, const char* path, struct ddgm_file_id* id,
	unsigned flags, char* err, size_t errlen)
{
	struct ddg_list* l = NULL;
	struct timespec t0, t1;
	struct stat st;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	file_id(path, id);
	if(ddg_list_open_flags(path, flags, &l, &st, err, errlen) != DDG_OK)
		return NULL;
	if(m->pubkey) {
		const uint8_t* data;
		size_t len;
		data = ddg_list_data(l, &len);
		if(ddg_sign_accept((const struct ddg_sign_key*)m->pubkey,
			m->conf->require_signature, data, len, path, err,
			errlen) == DDG_SIGN_REFUSED) {
			ddg_list_close(l);
			return NULL;
		}
	}
	/* the file the bytes came from, also if a rename came between the
	 * stat above and the open */
	stat_id(&st, id);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	verbose(VERB_OPS, "dyndns-guard: %s validated in %.1f ms", path,
		(t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	return l;
}

/** the event identity of an opened list */
static void
set_ruleset(struct ddgm_listset* ls, size_t i, const char* path)
{
	struct ddg_list_info info;
	ddg_list_info(ls->lists[i], &info);
	ddg_event_ruleset(path, info.sha256_hex, ls->ruleset[i],
		sizeof(ls->ruleset[i]));
}

/** an empty list set for n lists */
static struct ddgm_listset*
listset_new(size_t n)
{
	struct ddgm_listset* ls = calloc(1, sizeof(*ls));
	if(!ls)
		return NULL;
	ls->n = n;
	if(n > 0) {
		ls->lists = calloc(n, sizeof(*ls->lists));
		ls->ruleset = calloc(n, sizeof(*ls->ruleset));
		ls->ids = calloc(n, sizeof(*ls->ids));
		ls->loaded = calloc(n, sizeof(*ls->loaded));
		if(!ls->lists || !ls->ruleset || !ls->ids || !ls->loaded) {
			ddgm_listset_free(ls);
			return NULL;
		}
	}
	return ls;
}

struct ddgm_listset*
ddgm_listset_load(struct ddg_mod* m)
{
	char err[DDG_ERR_LEN];
	struct ddgm_listset* ls = listset_new(m->conf->nlists);
	size_t i;
	if(!ls)
		return NULL;
	ls->generation = 1;
	for(i = 0; i < ls->n; i++) {
		const char* path = m->conf->lists[i];
		struct ddg_list_info info;
		/* at start the suffix filter is checked by the watcher, after
		 * the list is in force (ddgm_filters_check()) */
		ls->lists[i] = open_one(m, path, &ls->ids[i],
			DDG_LIST_LATE_FILTER, err, sizeof(err));
		if(!ls->lists[i]) {
			log_err("dyndns-guard: list not loaded: %s", err);
			continue;
		}
		ls->loaded[i] = time(NULL);
		set_ruleset(ls, i, path);
		ddg_list_info(ls->lists[i], &info);
		log_info("dyndns-guard: list %s: %u entries, %u categories, "
			"sha256 %s%s", path, (unsigned)info.entries,
			(unsigned)info.categories, info.sha256_hex,
			m->pubkey ? ", signature checked" : "");
		ls->ok++;
	}
	return ls;
}

/* ---------------------------------------------------------------- */
/* message-cache expiry                                             */

/** traversal state */
struct expire_arg {
	struct ddg_mod* m;
	struct ddgm_listset* ls;
	time_t expired;
	/** 1: every message expires */
	int all;
	/** messages expired */
	size_t count;
	/** RRsets expired */
	size_t rrsets;
};

/** ddg_chain_decide_fn over the policy, for no client */
static int
expire_decide(void* arg, const uint8_t* name, size_t len,
	struct ddg_decision* d)
{
	struct expire_arg* a = (struct expire_arg*)arg;
	return ddg_policy_decide(a->m->policy,
		(const struct ddg_list* const*)a->ls->lists, a->ls->n, NULL,
		name, len, d, NULL);
}

/** whether a name's data must no longer come from the cache */
static int
must_expire(struct expire_arg* a, const uint8_t* name, size_t len)
{
	if(ddg_name_wire_len(name, len) <= 0)
		return 0;
	return ddg_chain_blocked_somewhere(expire_decide, a, name, len);
}

/** whether an RRset (key and data locked by the caller) holds data of a
 * name that must not come from the cache: its owner, or the target of a
 * CNAME or DNAME */
static int
rrset_must_expire(struct expire_arg* a, struct ub_packed_rrset_key* rk)
{
	struct packed_rrset_data* d;
	uint16_t t;
	if(!rk->rk.dname)
		return 0;
	if(must_expire(a, rk->rk.dname, rk->rk.dname_len))
		return 1;
	t = ntohs(rk->rk.type);
	d = (struct packed_rrset_data*)rk->entry.data;
	if((t == LDNS_RR_TYPE_CNAME || t == LDNS_RR_TYPE_DNAME) && d &&
		d->count >= 1 && d->rr_len[0] > 2)
		return must_expire(a, d->rr_data[0] + 2, d->rr_len[0] - 2);
	return 0;
}

/** slabhash_traverse callback over the message cache; the entry is
 * write-locked */
static void
expire_entry(struct lruhash_entry* e, void* arg)
{
	struct expire_arg* a = (struct expire_arg*)arg;
	struct msgreply_entry* k = (struct msgreply_entry*)e->key;
	struct reply_info* rep = (struct reply_info*)e->data;
	int hit = 0;
	size_t i;
	if(!rep || (rep->ttl <= a->expired &&
		rep->serve_expired_ttl <= a->expired))
		return;
	hit = a->all || must_expire(a, k->key.qname, k->key.qname_len);
	/* every RRset of the answer, in any section; rrset keys are
	 * recycled by the rrset cache, so read one only under its lock and
	 * with a matching id, in Unbound's lock order (message, then
	 * rrset) */
	for(i = 0; !hit && i < rep->rrset_count; i++) {
		struct ub_packed_rrset_key* rk = rep->ref[i].key;
		if(!rk)
			continue;
		lock_rw_rdlock(&rk->entry.lock);
		if(rk->id == rep->ref[i].id && rk->id != 0)
			hit = rrset_must_expire(a, rk);
		lock_rw_unlock(&rk->entry.lock);
	}
	if(hit) {
		rep->ttl = a->expired;
		rep->prefetch_ttl = a->expired;
		rep->serve_expired_ttl = a->expired;
		a->count++;
	}
}

/** slabhash_traverse callback over the RRset cache; the entry is
 * write-locked.  Expired as unbound-control flush_zone does. */
static void
expire_rrset(struct lruhash_entry* e, void* arg)
{
	struct expire_arg* a = (struct expire_arg*)arg;
	struct ub_packed_rrset_key* rk = (struct ub_packed_rrset_key*)e->key;
	struct packed_rrset_data* d = (struct packed_rrset_data*)e->data;
	size_t i;
	if(!d || d->ttl <= a->expired || !rrset_must_expire(a, rk))
		return;
	d->ttl = a->expired;
	for(i = 0; i < d->count + d->rrsig_count; i++)
		d->rr_ttl[i] = a->expired;
	a->rrsets++;
}

size_t
ddgm_expire_cache(struct ddg_mod* m, struct ddgm_listset* ls, time_t now)
{
	struct expire_arg a;
	if(!m->env || !m->env->msg_cache)
		return 0;
	memset(&a, 0, sizeof(a));
	a.m = m;
	a.ls = ls;
	a.expired = now - 3; /* as flush_zone does */
	slabhash_traverse(m->env->msg_cache, 1, &expire_entry, &a);
	if(m->env->rrset_cache)
		slabhash_traverse(&m->env->rrset_cache->table, 1,
			&expire_rrset, &a);
	return a.count + a.rrsets;
}

size_t
ddgm_expire_all(struct ddg_mod* m, time_t now)
{
	struct expire_arg a;
	if(!m->env || !m->env->msg_cache)
		return 0;
	memset(&a, 0, sizeof(a));
	a.m = m;
	a.all = 1;
	a.expired = now - 3;
	slabhash_traverse(m->env->msg_cache, 1, &expire_entry, &a);
	return a.count;
}

/* ---------------------------------------------------------------- */
/* the watcher                                                      */

/**
 * What serves in place of list i of cur after its file changed, in words
 * for the log: the list in memory (read when, which checksum) or, without
 * one, what fail-mode makes of that.
 */
static void
serving(struct ddg_mod* m, struct ddgm_listset* cur, size_t i, char* buf,
	size_t len)
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
			m->conf->fail_mode == DDG_FAIL_CLOSED ?
			"closed: answering SERVFAIL" :
			"open: resolving normally");
	} else {
		snprintf(buf, len, "no list is in force from it");
	}
}

/**
 * One check: replace the lists whose file changed.  A list that fails
 * keeps its predecessor serving: that is the copy in memory, read and
 * validated when it was loaded, whatever happened to its file since.
 */
static void
check_lists(struct ddg_mod* m, struct ddgm_file_id* refused,
	struct ddgm_file_id* refused_sig)
{
	struct ddgm_listset* cur = atomic_load(&m->cur);
	struct ddgm_listset* ls = NULL;
	struct timespec t0, t1;
	char err[DDG_ERR_LEN], what[160];
	size_t i, changed = 0;
	for(i = 0; i < cur->n; i++) {
		const char* path = m->conf->lists[i];
		struct ddgm_file_id id;
		struct ddg_list* l;
		int in_place;
		file_id(path, &id);
		if(!id_changed(&id, &cur->ids[i]))
			continue; /* unchanged */
		if(!id.present) {
			/* report a vanished file once, keep serving */
			if(!id_changed(&id, &refused[i]))
				continue;
			refused[i] = id;
			serving(m, cur, i, what, sizeof(what));
			log_err("dyndns-guard: list %s is gone (deleted or "
				"renamed away); %s", path, what);
			continue;
		}
		{
			/* refused already and neither the list nor its
			 * signature changed since: nothing new to try */
			char sp[PATH_MAX + 8];
			struct ddgm_file_id sid;
			snprintf(sp, sizeof(sp), "%s.sig", path);
			file_id(sp, &sid);
			if(!id_changed(&id, &refused[i]) &&
				!id_changed(&sid, &refused_sig[i]))
				continue;
			refused_sig[i] = sid;
		}
		/* the same file (inode) as the one loaded, written to in
		 * place, or a new file renamed into place */
		in_place = cur->ids[i].present && id.dev == cur->ids[i].dev &&
			id.ino == cur->ids[i].ino;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		l = open_one(m, path, &id, 0, err, sizeof(err));
		if(!l) {
			refused[i] = id;
			atomic_fetch_add(&m->refusals, 1);
			serving(m, cur, i, what, sizeof(what));
			if(in_place)
				log_err("dyndns-guard: list %s changed in place "
					"and was refused: %s; %s", path, err,
					what);
			else
				log_err("dyndns-guard: new list refused: %s; %s",
					err, what);
			continue;
		}
		memset(&refused[i], 0, sizeof(refused[i]));
		if(!ls) {
			size_t j;
			ls = listset_new(cur->n);
			if(!ls) {
				ddg_list_close(l);
				log_err("dyndns-guard: out of memory replacing "
					"%s", path);
				return;
			}
			ls->generation = cur->generation + 1;
			/* the others are carried over below, with the
			 * identity and time they were loaded with */
			for(j = 0; j < cur->n; j++) {
				ls->ids[j] = cur->ids[j];
				ls->loaded[j] = cur->loaded[j];
				memcpy(ls->ruleset[j], cur->ruleset[j],
					sizeof(ls->ruleset[j]));
			}
		}
		ls->lists[i] = l;
		ls->ids[i] = id;
		ls->loaded[i] = time(NULL);
		set_ruleset(ls, i, path);
		changed++;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		{
			struct ddg_list_info info;
			ddg_list_info(l, &info);
			log_info("dyndns-guard: list %s replaced: %u entries, "
				"sha256 %s, loaded and validated in %.1f ms%s",
				path, (unsigned)info.entries, info.sha256_hex,
				(t1.tv_sec - t0.tv_sec) * 1e3 +
				(t1.tv_nsec - t0.tv_nsec) / 1e6, in_place ?
				" (the file was changed in place: replace it "
				"by rename instead)" : "");
		}
	}
	if(!ls)
		return;
	/* lists that did not change move over to the new set: they are
	 * immutable, so both sets may point at them until the old set is
	 * retired; ownership passes to the new set */
	for(i = 0; i < cur->n; i++) {
		if(!ls->lists[i]) {
			ls->lists[i] = cur->lists[i];
			ls->ids[i] = cur->ids[i];
			ls->loaded[i] = cur->loaded[i];
		}
	}
	for(i = 0; i < ls->n; i++)
		if(ls->lists[i])
			ls->ok++;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cur = publish(m, ls);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* the old set still owns lists that were carried over: drop those
	 * references before freeing it */
	for(i = 0; i < cur->n; i++)
		if(cur->lists[i] == ls->lists[i])
			cur->lists[i] = NULL;
	ddgm_listset_free(cur);
	atomic_fetch_add(&m->replacements, 1);
	{
		size_t n = ddgm_expire_cache(m, ls, time(NULL));
		struct timespec t2;
		clock_gettime(CLOCK_MONOTONIC, &t2);
		log_info("dyndns-guard: list set %llu in force (%u changed); "
			"old lists released after %.1f ms; %u cached "
			"answers expired in %.1f ms",
			(unsigned long long)ls->generation, (unsigned)changed,
			(t1.tv_sec - t0.tv_sec) * 1e3 +
			(t1.tv_nsec - t0.tv_nsec) / 1e6, (unsigned)n,
			(t2.tv_sec - t1.tv_sec) * 1e3 +
			(t2.tv_nsec - t1.tv_nsec) / 1e6);
	}
}

void
ddgm_note_logfile(struct ddg_mod* m)
{
	if(m->conf->log_file)
		file_id(m->conf->log_file, &m->log_id);
}

/** reopen the event file when it was renamed or removed (logrotate) */
static void
check_logfile(struct ddg_mod* m)
{
	struct ddgm_file_id id;
	if(!m->evlog || !m->conf->log_file)
		return;
	file_id(m->conf->log_file, &id);
	if(id.present && id.dev == m->log_id.dev && id.ino == m->log_id.ino)
		return;
	ddg_evlog_reopen(m->evlog);
	/* the writer thread reopens it; note the new one next time */
	if(id.present)
		m->log_id = id;
	else
		memset(&m->log_id, 0, sizeof(m->log_id));
	verbose(VERB_OPS, "dyndns-guard: event file %s reopened",
		m->conf->log_file);
}

/** reopen Unbound's log file, which the text writer appends to, when it
 * was renamed or removed */
static void
check_textfile(struct ddg_mod* m)
{
	struct ddgm_file_id id;
	if(!m->textlog || !m->text_path)
		return;
	file_id(m->text_path, &id);
	if(id.present && id.dev == m->text_id.dev &&
		id.ino == m->text_id.ino)
		return;
	ddg_evlog_reopen(m->textlog);
	if(id.present)
		m->text_id = id;
	else
		memset(&m->text_id, 0, sizeof(m->text_id));
}

void
ddgm_note_textfile(struct ddg_mod* m)
{
	if(m->text_path)
		file_id(m->text_path, &m->text_id);
}

/** whether a configured list is not in force (missing or refused) */
static int
missing_lists(struct ddg_mod* m)
{
	struct ddgm_listset* cur = atomic_load(&m->cur);
	return cur->ok < cur->n;
}

/**
 * The filter check thread: check and put to use the suffix filters of the
 * lists loaded at start (DDG_LIST_LATE_FILTER); until then their lookups
 * search the list for every suffix.  It runs at the lowest priority, so
 * that the workers answer first on a busy core, and the watcher joins it
 * before it replaces (and retires) any list.
 */
static void*
filters_main(void* arg)
{
	struct ddg_mod* m = (struct ddg_mod*)arg;
	struct ddgm_listset* cur = atomic_load(&m->cur);
	char err[DDG_ERR_LEN];
	sigset_t all;
	size_t i;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
#ifdef SYS_gettid
	/* Linux: the nice value of this thread alone */
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
#endif
	for(i = 0; i < cur->n; i++) {
		struct timespec t0, t1;
		int r;
		if(!cur->lists[i])
			continue;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		r = ddg_list_check_filter(cur->lists[i], m->conf->lists[i],
			err, sizeof(err));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if(r == DDG_ERR_CORRUPT)
			log_err("dyndns-guard: %s; lookups use the filter "
				"rebuilt from the list's entries (compile the "
				"list again)", err);
		else if(r != DDG_OK)
			log_err("dyndns-guard: %s; lookups go on without a "
				"filter (slower)", err);
		else
			verbose(VERB_OPS, "dyndns-guard: %s suffix filter "
				"checked in %.1f ms", m->conf->lists[i],
				(t1.tv_sec - t0.tv_sec) * 1e3 +
				(t1.tv_nsec - t0.tv_nsec) / 1e6);
	}
	return NULL;
}

/** join the filter check thread, if it was started */
static void
filters_join(struct ddg_mod* m)
{
	if(!m->filters_running)
		return;
	pthread_join(m->filters, NULL);
	m->filters_running = 0;
}

/** the watcher thread */
static void*
watcher_main(void* arg)
{
	struct ddg_mod* m = (struct ddg_mod*)arg;
	struct ddgm_file_id* refused;
	struct ddgm_file_id* refused_sig;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	refused = calloc(m->conf->nlists ? m->conf->nlists : 1,
		sizeof(*refused));
	refused_sig = calloc(m->conf->nlists ? m->conf->nlists : 1,
		sizeof(*refused_sig));
	if(!refused || !refused_sig) {
		free(refused);
		free(refused_sig);
		log_err("dyndns-guard: out of memory: list watcher stopped");
		return NULL;
	}
	pthread_mutex_lock(&m->stop_lock);
	while(!m->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		/* with reload-check: 0 the watcher only runs until every
		 * list could be loaded, trying each second */
		until.tv_sec += m->conf->reload_check ? m->conf->reload_check
			: 1;
		while(!m->stop && pthread_cond_timedwait(&m->stop_cond,
			&m->stop_lock, &until) != ETIMEDOUT)
			;
		if(m->stop)
			break;
		pthread_mutex_unlock(&m->stop_lock);
		/* no list is replaced before its filter check ended */
		filters_join(m);
		check_lists(m, refused, refused_sig);
		check_logfile(m);
		check_textfile(m);
		/* also when no query misses the cache */
		ddgm_expire_pending(m, m->env);
		pthread_mutex_lock(&m->stop_lock);
		if(m->conf->reload_check == 0 && !missing_lists(m)) {
			log_info("dyndns-guard: every list is loaded; "
				"reload-check: 0, so no further checks");
			break;
		}
	}
	pthread_mutex_unlock(&m->stop_lock);
	free(refused);
	free(refused_sig);
	return NULL;
}

int
ddgm_watcher_start(struct ddg_mod* m)
{
	int r;
	pthread_mutex_init(&m->stop_lock, NULL);
	pthread_cond_init(&m->stop_cond, NULL);
	m->stop = 0;
	m->filters_running = 0;
	if(atomic_load(&m->cur)->ok > 0) {
		sigset_t all, old;
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		r = pthread_create(&m->filters, NULL, &filters_main, m);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if(r != 0) {
			/* the lists serve without their filters: slower */
			log_err("dyndns-guard: cannot start the filter check: "
				"%s; lookups go on without the suffix filter",
				strerror(r));
		} else
			m->filters_running = 1;
	}
	if(m->conf->nlists == 0 && !m->conf->log_file)
		return 1;
	if(m->conf->reload_check == 0 && !missing_lists(m))
		return 1; /* nothing to watch; a missing list is retried */
	if(m->conf->reload_check == 0)
		log_warn("dyndns-guard: reload-check: 0, but a list is not "
			"loaded: trying it every second until it is");
	r = pthread_create(&m->watcher, NULL, &watcher_main, m);
	if(r != 0) {
		log_err("dyndns-guard: cannot start the list watcher: %s",
			strerror(r));
		return 0;
	}
	m->watcher_running = 1;
	return 1;
}

void
ddgm_watcher_stop(struct ddg_mod* m)
{
	if(!m->watcher_running) {
		filters_join(m);
		return;
	}
	pthread_mutex_lock(&m->stop_lock);
	m->stop = 1;
	pthread_cond_signal(&m->stop_cond);
	pthread_mutex_unlock(&m->stop_lock);
	pthread_join(m->watcher, NULL);
	m->watcher_running = 0;
	filters_join(m);
}
