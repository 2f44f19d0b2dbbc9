/**
 * \file dyndns_guard.c
 * dyndns-guard: the Unbound glue.  Loaded by Unbound's dynlib module
 * (module-config: "dynlib validator iterator"), it exports exactly the six
 * dynlib entry points and keeps all of its state in the dynlib wrapper's
 * dyn_env.  Everything that is not Unbound-specific lives in the core
 * library (lib/), which has no Unbound headers.
 *
 * Threads: init and deinit run on the main thread while no worker runs;
 * operate, inform_super and clear run on the worker owning the query; the
 * reply callbacks run concurrently on all workers.  Module-wide state is
 * read-only between init and deinit.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "dynlibmod/dynlibmod.h"
#include "services/mesh.h"
#include "util/config_file.h"
#include "util/data/msgreply.h"
#include "util/log.h"
#include "util/module.h"
#include "util/net_help.h"
#include "util/netevent.h"
#include "sldns/wire2str.h"

/** exported entry points: the only symbols the .so makes visible */
#define DDG_EXPORT __attribute__((visibility("default")))

DDG_EXPORT int init(struct module_env* env, int id);
DDG_EXPORT void deinit(struct module_env* env, int id);
DDG_EXPORT void operate(struct module_qstate* qstate, enum module_ev event,
	int id, struct outbound_entry* outbound);
DDG_EXPORT void inform_super(struct module_qstate* qstate, int id,
	struct module_qstate* super);
DDG_EXPORT void clear(struct module_qstate* qstate, int id);
DDG_EXPORT size_t get_mem(struct module_env* env, int id);

/** the reply callback types we register, and delete again in deinit */
static const enum inplace_cb_list_type reply_cb_types[] = {
	inplace_cb_reply,		/* answers from the mesh */
	inplace_cb_reply_cache,		/* cache hits (qstate is NULL) */
	inplace_cb_reply_local,		/* local and auth zone answers */
	inplace_cb_reply_servfail	/* SERVFAIL answers */
};
#define N_REPLY_CB (sizeof(reply_cb_types)/sizeof(reply_cb_types[0]))

/** module-wide state, kept in dynlibmod_env.dyn_env */
struct ddg_mod {
	/** which reply callback types were registered (for deinit) */
	int registered[N_REPLY_CB];
	/** module id */
	int id;
};

/** where an answer came from, for the log */
static const char*
origin_name(enum inplace_cb_list_type t)
{
	switch(t) {
	case inplace_cb_reply: return "resolver";
	case inplace_cb_reply_cache: return "cache";
	case inplace_cb_reply_local: return "local";
	case inplace_cb_reply_servfail: return "servfail";
	default: return "other";
	}
}

/** format the client address of a reply as addr#port */
static void
client_str(struct comm_reply* repinfo, char* buf, size_t len)
{
	struct sockaddr_storage* a;
	socklen_t alen;
	char ip[64];
	int port = 0;
	if(!repinfo) {
		snprintf(buf, len, "-");
		return;
	}
#ifdef DDG_HAVE_CLIENT_ADDR
	a = &repinfo->client_addr;
	alen = repinfo->client_addrlen;
#else
	a = &repinfo->addr;
	alen = repinfo->addrlen;
#endif
	if(a->ss_family == AF_INET && alen >= (socklen_t)sizeof(struct sockaddr_in)) {
		struct sockaddr_in* s = (struct sockaddr_in*)a;
		if(!inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip)))
			snprintf(ip, sizeof(ip), "?");
		port = ntohs(s->sin_port);
	} else if(a->ss_family == AF_INET6 &&
		alen >= (socklen_t)sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6* s = (struct sockaddr_in6*)a;
		if(!inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip)))
			snprintf(ip, sizeof(ip), "?");
		port = ntohs(s->sin6_port);
	} else {
		snprintf(ip, sizeof(ip), "?");
	}
	snprintf(buf, len, "%s#%d", ip, port);
}

/** one reply callback for all types: cbarg is the type (as a pointer-sized
 * integer), since the wrapper frees cbarg on delete, it is a malloced int */
static int
reply_cb(struct query_info* qinfo, struct module_qstate* qstate,
	struct reply_info* rep, int rcode, struct edns_data* edns,
	struct edns_option** opt_list_out, struct comm_reply* repinfo,
	struct regional* region, struct timeval* start_time, int id,
	void* cbarg)
{
	enum inplace_cb_list_type t = *(enum inplace_cb_list_type*)cbarg;
	char client[80], qname[1024], qtype[32];
	(void)qstate; (void)edns; (void)opt_list_out; (void)region;
	(void)start_time; (void)id; (void)rcode; (void)rep;
	if(!qinfo || !repinfo)
		return 1; /* CHAOS answers, internal replies: no client */
	client_str(repinfo, client, sizeof(client));
	if(sldns_wire2str_dname_buf(qinfo->qname, qinfo->qname_len, qname,
		sizeof(qname)) <= 0)
		snprintf(qname, sizeof(qname), "?");
	sldns_wire2str_type_buf(qinfo->qtype, qtype, sizeof(qtype));
	log_info("[dyndns-guard] answer client=%s qname=%s qtype=%s cached=%s "
		"origin=%s", client, qname, qtype,
		t == inplace_cb_reply_cache ? "yes" : "no", origin_name(t));
	return 1;
}

int
init(struct module_env* env, int id)
{
	struct dynlibmod_env* de = (struct dynlibmod_env*)env->modinfo[id];
	struct ddg_mod* m;
	size_t i;
	m = calloc(1, sizeof(*m));
	if(!m) {
		log_err("dyndns-guard: out of memory");
		return 0;
	}
	m->id = id;
	de->dyn_env = m;
	for(i = 0; i < N_REPLY_CB; i++) {
		/* the dynlib wrapper frees cbarg when the callback is deleted */
		enum inplace_cb_list_type* t = malloc(sizeof(*t));
		if(!t) {
			log_err("dyndns-guard: out of memory");
			return 0;
		}
		*t = reply_cb_types[i];
		if(!de->inplace_cb_register_wrapped((void*)&reply_cb,
			reply_cb_types[i], t, env, id)) {
			free(t);
			log_err("dyndns-guard: could not register the %s reply "
				"callback", origin_name(reply_cb_types[i]));
			return 0;
		}
		m->registered[i] = 1;
	}
	log_info("dyndns-guard: module %d started (built against Unbound %s)",
		id, DDG_UNBOUND_VERSION);
	return 1;
}

void
deinit(struct module_env* env, int id)
{
	struct dynlibmod_env* de = (struct dynlibmod_env*)env->modinfo[id];
	struct ddg_mod* m;
	size_t i;
	if(!de || !de->dyn_env)
		return;
	m = (struct ddg_mod*)de->dyn_env;
	/* the callback lists live in the daemon env and survive a reload:
	 * delete ours, or every reply fires twice afterwards */
	for(i = 0; i < N_REPLY_CB; i++) {
		if(m->registered[i])
			de->inplace_cb_delete_wrapped(env, reply_cb_types[i], id);
	}
	free(m);
	de->dyn_env = NULL;
}

void
operate(struct module_qstate* qstate, enum module_ev event, int id,
	struct outbound_entry* outbound)
{
	(void)outbound;
	switch(event) {
	case module_event_new:
	case module_event_pass:
		/* pass treated like new: with dns64 in front of us we get
		 * pass, not new */
		qstate->ext_state[id] = module_wait_module;
		return;
	case module_event_moddone:
		qstate->ext_state[id] = module_finished;
		return;
	default:
		qstate->ext_state[id] = module_error;
		return;
	}
}

void
inform_super(struct module_qstate* qstate, int id,
	struct module_qstate* super)
{
	(void)qstate; (void)id; (void)super;
	/* we start no sub-queries */
}

void
clear(struct module_qstate* qstate, int id)
{
	if(qstate)
		qstate->minfo[id] = NULL; /* region-allocated, freed by Unbound */
}

size_t
get_mem(struct module_env* env, int id)
{
	struct dynlibmod_env* de = (struct dynlibmod_env*)env->modinfo[id];
	if(!de || !de->dyn_env)
		return 0;
	return sizeof(struct ddg_mod);
}
