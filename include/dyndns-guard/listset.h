/**
 * \file listset.h
 * The list set: the lists of a configuration as loaded and in force, the
 * one loader of the module, `checkconf` and `explain` (open, validate,
 * the signature rule over the very bytes read), change detection for the
 * module's watcher, and publication to reader threads by atomic pointer
 * swap with epoch-based retirement.
 *
 * Loading.  ddg_listset_open() reads a list file once into memory of its
 * own (ddg_list_open_stat()), validates it and applies the signature rule
 * (ddg_sign_accept()) to exactly those bytes; the file identity stored is
 * that of the file the bytes came from.  ddg_listset_load() does that for
 * every list of a configuration; a list that fails is reported and left
 * NULL.
 *
 * Change detection.  ddg_listset_check() compares each list's file with
 * the identity it was loaded from and loads the changed ones into a new
 * set; unchanged lists are carried over (the same struct ddg_list, with
 * their identity and load time).  A refused file is remembered (struct
 * ddg_listset_watch) and not tried again until it or its .sig changes;
 * a vanished file is reported once.  What happened is told through a
 * callback (struct ddg_listset_msg), so the caller logs it its way.
 *
 * Publication.  A struct ddg_listset_pub holds the set in force.  Readers
 * bracket each use with ddg_listset_enter() / ddg_listset_leave(): two
 * stores to a cache line private to the thread (its reader slot), no
 * lock, no system call, no allocation.  The one writer publishes a new
 * set with ddg_listset_publish(), which swaps the pointer, advances the
 * epoch and waits until every reader that could still see the old set
 * has left; the old set can then be freed (ddg_listset_retire()).  A
 * thread's slot is remembered in thread-local storage keyed by the
 * publication's instance id, a process-wide counter never reused: a new
 * publication at the address of a freed one (a reload) hands out new
 * slots, never the stale numbers of its predecessor.
 */
#ifndef DDG_LISTSET_H
#define DDG_LISTSET_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "dyndns-guard/event.h"
#include "dyndns-guard/file.h"
#include "dyndns-guard/sign.h"

struct ddg_conf;
struct ddg_list;

/** the lists of a configuration, immutable once published */
struct ddg_listset {
	/** n entries; NULL where a list is not usable */
	struct ddg_list **lists;
	/** list identities for events (ddg_event_ruleset()), one per list */
	char (*ruleset)[DDG_EVENT_RULESET_LEN];
	/** file identity each list was loaded from */
	struct ddg_file_id *ids;
	/** when each list was read and validated (time(NULL)); its bytes
	 * are a copy in memory, independent of the file since */
	time_t *loaded;
	/** number of entries in lists (the configuration's lists) */
	size_t n;
	/** number of usable lists */
	size_t ok;
	/** generation: 1 for a set loaded by ddg_listset_load(), +1 per
	 * replacement */
	uint64_t generation;
};

/** severity of a message, for the caller's logger */
enum ddg_listset_level {
	DDG_LISTSET_ERR = 0,	/**< an error: a list not in force */
	DDG_LISTSET_INFO,	/**< a list loaded or replaced */
	DDG_LISTSET_VERBOSE	/**< detail (timing, an unsigned list) */
};

/** what a message is about */
enum ddg_listset_what {
	/** loaded at start: "list P: N entries, N categories, sha256 H..." */
	DDG_LISTSET_LOADED = 0,
	/** not loaded at start: "list not loaded: REASON" */
	DDG_LISTSET_NOT_LOADED,
	/** accepted without a signature (a key, no LIST.sig,
	 * require-signature off): "list P is not signed: REASON" */
	DDG_LISTSET_UNSIGNED,
	/** opened and validated: "P validated in T ms" */
	DDG_LISTSET_VALIDATED,
	/** a changed file loaded: "list P replaced: ..." */
	DDG_LISTSET_REPLACED,
	/** a changed file refused: "new list refused: REASON; SERVING" or
	 * "list P changed in place and was refused: REASON; SERVING" */
	DDG_LISTSET_REFUSED,
	/** the file vanished: "list P is gone (deleted or renamed away);
	 * SERVING" */
	DDG_LISTSET_GONE,
	/** out of memory for the new set: "out of memory replacing P" */
	DDG_LISTSET_NOMEM,
	/** the late suffix filter check (ddg_listset_check_filters()):
	 * "P suffix filter checked in T ms", or its defect */
	DDG_LISTSET_FILTER
};

/** one message of the loader or of change detection */
struct ddg_listset_msg {
	/** its severity */
	enum ddg_listset_level level;
	/** what it is about */
	enum ddg_listset_what what;
	/** the list's index in the set */
	size_t index;
	/** the list file */
	const char *path;
	/** the defect ("<path>: ..." or "<path>.sig: ...") for NOT_LOADED,
	 * UNSIGNED and REFUSED, else "" */
	const char *reason;
	/** 1 when the signature rule refused it (the list itself is valid) */
	int by_signature;
	/** the whole line, without a program prefix */
	const char *text;
};

/**
 * Receives the messages of ddg_listset_load() and ddg_listset_check().
 * @param arg: the caller's argument.
 * @param msg: the message; valid during the call only.
 */
typedef void (*ddg_listset_log_fn)(void *arg,
	const struct ddg_listset_msg *msg);

/**
 * Open one list by the module's rule: read once, validate, and apply the
 * signature rule (ddg_sign_accept()) over exactly the bytes read.
 * @param path: the list file.
 * @param key: the public key, or NULL (then require must be 0 for the
 *	list to be accepted: require-signature needs a key).
 * @param require: require-signature: yes.
 * @param out: set to the list on success.
 * @param id: if not NULL, set to the identity of the file the bytes came
 *	from, or on failure to the file's identity before the attempt.
 * @param verdict: if not NULL, set to the signature verdict
 *	(DDG_SIGN_UNCHECKED when the file could not be opened).
 * @param err: on failure the reason ("<path>: ..." or "<path>.sig: ...");
 *	with DDG_SIGN_UNSIGNED on success, why it is unsigned; else "".
 * @param errlen: its size (DDG_ERR_LEN).
 * @return DDG_OK, an error of ddg_list_open(), or DDG_ERR_INVAL when the
 *	signature rule refused the list (verdict DDG_SIGN_REFUSED).
 */
int ddg_listset_open(const char *path, const struct ddg_sign_key *key,
	int require, struct ddg_list **out, struct ddg_file_id *id,
	enum ddg_sign_verdict *verdict, char *err, size_t errlen);

/**
 * An empty list set of n lists (all NULL, generation 0).
 * @return it, or NULL when out of memory.
 */
struct ddg_listset *ddg_listset_new(size_t n);

/**
 * Load lists given by path into a new set (generation 1), each by
 * ddg_listset_open(); one message per list (LOADED or NOT_LOADED, and
 * VALIDATED, UNSIGNED where they apply).
 * @param paths: the list files.
 * @param n: their number.
 * @param key: the public key, or NULL.
 * @param require: require-signature: yes.
 * @param log: receives the messages, or NULL.
 * @param arg: for log.
 * @return the set (lists that failed are NULL), or NULL when out of
 *	memory.
 */
struct ddg_listset *ddg_listset_load_paths(const char *const *paths,
	size_t n, const struct ddg_sign_key *key, int require,
	ddg_listset_log_fn log, void *arg);

/**
 * Load the lists of a configuration (ddg_listset_load_paths() with its
 * list: files and require-signature:).
 * @param conf: the configuration.
 * @param key: its public-key: loaded, or NULL.
 * @param log: receives the messages, or NULL.
 * @param arg: for log.
 * @return the set, or NULL when out of memory.
 */
struct ddg_listset *ddg_listset_load(const struct ddg_conf *conf,
	const struct ddg_sign_key *key, ddg_listset_log_fn log, void *arg);

/**
 * ddg_listset_load(), the lists opened with DDG_LIST_LATE_FILTER (list.h):
 * they serve once all but their suffix filters is validated, which
 * ddg_listset_check_filters() checks afterwards.  The module's start.
 * @param conf: the configuration.
 * @param key: its public-key: loaded, or NULL.
 * @param log: receives the messages, or NULL.
 * @param arg: for log.
 * @return the set, or NULL when out of memory.
 */
struct ddg_listset *ddg_listset_load_late(const struct ddg_conf *conf,
	const struct ddg_sign_key *key, ddg_listset_log_fn log, void *arg);

/**
 * Check and put to use the suffix filters of a set's lists
 * (ddg_list_check_filter()), one FILTER message each: VERBOSE "P suffix
 * filter checked in T ms", or ERR when the filter differs (the rebuilt one
 * serves) or memory ran out (the list goes on without).  Lookups may run
 * meanwhile; the set must not be freed during the call.
 * @param ls: the set.
 * @param paths: its list files, for the messages.
 * @param log: receives the messages, or NULL.
 * @param arg: for log.
 */
void ddg_listset_check_filters(const struct ddg_listset *ls,
	const char *const *paths, ddg_listset_log_fn log, void *arg);

/**
 * Free a list set and its lists.  Accepts NULL.
 */
void ddg_listset_free(struct ddg_listset *ls);

/**
 * Free a retired set but the lists it shares with its successor (the
 * lists ddg_listset_check() carried over).  Accepts NULL.
 * @param old: the retired set (no reader may still see it).
 * @param now: the set that replaced it.
 */
void ddg_listset_retire(struct ddg_listset *old,
	const struct ddg_listset *now);

/** the memory of change detection: what was refused, or seen gone */
struct ddg_listset_watch {
	/** number of lists */
	size_t n;
	/** per list: the identity of the file last refused or seen gone
	 * (present = 0 and all 0: none) */
	struct ddg_file_id *refused;
	/** per list: the identity of its .sig at that attempt */
	struct ddg_file_id *refused_sig;
	/** per list: 1 when its file was reported gone (and is still) */
	unsigned char *gone;
};

/**
 * A new, empty memory of change detection for n lists.
 * @return it, or NULL when out of memory.
 */
struct ddg_listset_watch *ddg_listset_watch_new(size_t n);

/**
 * Free a memory of change detection.  Accepts NULL.
 */
void ddg_listset_watch_free(struct ddg_listset_watch *w);

/**
 * One check for changed list files: each file whose identity differs from
 * the one its list was loaded from is opened (ddg_listset_open()); one
 * that passes goes into a new set, the others are carried over with their
 * identity and load time.  A file that fails is remembered in w and not
 * tried again until it or its .sig changes; a vanished file is reported
 * once.  Refusals and a vanished file keep the list in cur serving; the
 * message says what serves.
 * @param cur: the set in force (not changed).
 * @param conf: the configuration cur was loaded from (its lists and
 *	fail-mode: for the messages).
 * @param key: the public key, or NULL.
 * @param w: the memory of refusals, for cur->n lists.
 * @param out: set to the new set (generation cur's + 1, sharing the
 *	unchanged lists with cur: publish it, then ddg_listset_retire(cur,
 *	*out)), or NULL when nothing was replaced.
 * @param log: receives the messages (REPLACED, REFUSED, GONE, NOMEM,
 *	VALIDATED, UNSIGNED), or NULL.
 * @param arg: for log.
 * @return the number of lists replaced (0: *out is NULL), or
 *	DDG_ERR_NOMEM (*out NULL; a replaced file is tried again next time).
 */
int ddg_listset_check(const struct ddg_listset *cur,
	const struct ddg_conf *conf, const struct ddg_sign_key *key,
	struct ddg_listset_watch *w, struct ddg_listset **out,
	ddg_listset_log_fn log, void *arg);

/** reader slots (threads that may read at the same time); threads beyond
 * these share one slower counter */
#define DDG_LISTSET_SLOTS 128

/** one reader slot, padded to a cache line of its own */
struct ddg_listset_slot {
	/** epoch the reader entered in, 0 when outside */
	_Atomic uint64_t epoch;
	/** padding to 64 bytes */
	char pad[64 - sizeof(uint64_t)];
};

/** the publication of a list set to reader threads */
struct ddg_listset_pub {
	/** the set in force */
	_Atomic(struct ddg_listset *) cur;
	/** global epoch, starts at 1 */
	_Atomic uint64_t epoch;
	/** this publication's instance id: the thread-local slot memo is
	 * keyed by it (never reused in the process, never 0); read by
	 * every enter, next to cur and epoch */
	uint64_t id;
	/** padding: the first slot, written by its reader, starts 64 bytes
	 * after cur, so never on the cache line of cur, epoch and id */
	char pad[64 - 2 * sizeof(uint64_t) - sizeof(void *)];
	/** reader slots */
	struct ddg_listset_slot slots[DDG_LISTSET_SLOTS];
	/** slots handed out so far */
	_Atomic int nslots;
	/** readers inside without a slot of their own */
	_Atomic uint64_t overflow;
};

/**
 * Initialise a publication with its first set, and give it a new
 * instance id.  Before any reader uses it; not thread-safe with them.
 * @param p: the publication (its memory may be that of a freed one).
 * @param ls: the first set, or NULL.
 */
void ddg_listset_pub_init(struct ddg_listset_pub *p, struct ddg_listset *ls);

/**
 * Enter a read-side section: the set returned stays valid until
 * ddg_listset_leave().  Sections do not nest on one publication.
 * @param p: the publication.
 * @param slot: set to this thread's slot, for ddg_listset_leave().
 * @return the set in force.
 */
struct ddg_listset *ddg_listset_enter(struct ddg_listset_pub *p, int *slot);

/**
 * Leave the read-side section entered by ddg_listset_enter().
 * @param p: the publication.
 * @param slot: the slot ddg_listset_enter() gave.
 */
void ddg_listset_leave(struct ddg_listset_pub *p, int slot);

/**
 * Publish a new set and wait until no reader can still see the old one.
 * One writer at a time; never from inside a read-side section.
 * @param p: the publication.
 * @param ls: the new set.
 * @return the old set, for the caller to retire.
 */
struct ddg_listset *ddg_listset_publish(struct ddg_listset_pub *p,
	struct ddg_listset *ls);

/**
 * The set in force, for the writer (or when no reader runs).
 */
struct ddg_listset *ddg_listset_current(struct ddg_listset_pub *p);

#endif /* DDG_LISTSET_H */
