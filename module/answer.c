/**
 * \file answer.c
 * Answers made by the module: NXDOMAIN with a SOA owned by the matched
 * zone, block-rcode, sinkhole A/AAAA, NODATA with SOA; Extended DNS Error
 * 15 (Blocked).  Built in Unbound's own structures, in the query region,
 * marked insecure (else the validator turns them into SERVFAIL) and never
 * cached.
 */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>

#include "services/cache/dns.h"
#include "sldns/rrdef.h"
#include "util/data/msgreply.h"
#include "util/data/packed_rrset.h"
#include "util/locks.h"
#include "util/log.h"
#include "util/module.h"
#include "util/net_help.h"
#include "util/regional.h"
#include "util/storage/lruhash.h"

#include "dyndns-guard/name.h"
#include "ddg_module.h"
#include "ddgm_metrics.h"

/** owner names of the synthesized SOA */
#define SOA_MNAME "\014dyndns-guard\007invalid"
#define SOA_RNAME "\012hostmaster\014dyndns-guard\007invalid"

/** a single-RR rrset, allocated in the region, Unbound's packed layout */
static struct ub_packed_rrset_key*
make_rrset(struct regional* region, const uint8_t* owner, size_t owner_len,
	uint16_t type, uint16_t dclass, uint32_t ttl, const uint8_t* rdata,
	size_t rdlen)
{
	struct ub_packed_rrset_key* k;
	struct packed_rrset_data* d;
	uint8_t* p;
	k = regional_alloc_zero(region, sizeof(*k));
	if(!k)
		return NULL;
	k->rk.dname = regional_alloc_init(region, owner, owner_len);
	if(!k->rk.dname)
		return NULL;
	k->rk.dname_len = owner_len;
	k->rk.type = htons(type);
	k->rk.rrset_class = htons(dclass);
	k->entry.key = k;
	/* one block: struct, rr_len[1], rr_data[1], rr_ttl[1], rdata */
	d = regional_alloc_zero(region, sizeof(*d) + sizeof(size_t) +
		sizeof(uint8_t*) + sizeof(time_t) + 2 + rdlen);
	if(!d)
		return NULL;
	d->ttl = ttl;
	d->count = 1;
	d->rrsig_count = 0;
	d->trust = rrset_trust_prim_noglue;
	d->security = sec_status_insecure;
	d->rr_len = (size_t*)(d + 1);
	d->rr_data = (uint8_t**)(d->rr_len + 1);
	d->rr_ttl = (time_t*)(d->rr_data + 1);
	p = (uint8_t*)(d->rr_ttl + 1);
	d->rr_len[0] = 2 + rdlen;
	d->rr_ttl[0] = ttl;
	d->rr_data[0] = p;
	p[0] = (uint8_t)(rdlen >> 8);
	p[1] = (uint8_t)(rdlen & 0xff);
	memcpy(p + 2, rdata, rdlen);
	k->entry.data = d;
	return k;
}

/** the SOA rrset of a synthesized negative answer: owner the matched zone,
 * minimum the answer TTL */
static struct ub_packed_rrset_key*
make_soa(struct regional* region, const uint8_t* zone, size_t zone_len,
	uint32_t ttl)
{
	uint8_t rd[sizeof(SOA_MNAME) + sizeof(SOA_RNAME) + 20];
	size_t n = 0;
	uint32_t v[5];
	int i;
	memcpy(rd + n, SOA_MNAME, sizeof(SOA_MNAME)); /* with the root 0 */
	n += sizeof(SOA_MNAME);
	memcpy(rd + n, SOA_RNAME, sizeof(SOA_RNAME));
	n += sizeof(SOA_RNAME);
	v[0] = 1;	/* serial */
	v[1] = 3600;	/* refresh */
	v[2] = 600;	/* retry */
	v[3] = 86400;	/* expire */
	v[4] = ttl;	/* minimum: negative caching TTL */
	for(i = 0; i < 5; i++) {
		rd[n++] = (uint8_t)(v[i] >> 24);
		rd[n++] = (uint8_t)(v[i] >> 16);
		rd[n++] = (uint8_t)(v[i] >> 8);
		rd[n++] = (uint8_t)v[i];
	}
	return make_rrset(region, zone, zone_len, LDNS_RR_TYPE_SOA,
		LDNS_RR_CLASS_IN, ttl, rd, n);
}

/** attach EDE 15 (Blocked) naming the zone */
static void
add_ede(struct ddg_mod* m, struct module_qstate* qstate,
	enum ddg_action action, const uint8_t* zone)
{
	char zs[DDG_NAME_MAXSTR], txt[128];
	const char* what = action == DDG_ACTION_SINKHOLE ?
		"sinkholed by dyndns-guard: " : "blocked by dyndns-guard: ";
	size_t wl, zl;
	if(!m->conf->ede)
		return;
	if(ddg_name_to_str(zone, zs, sizeof(zs)) < 0) {
		zs[0] = '?';
		zs[1] = 0;
	}
	/* keep it short: Unbound drops the EDE text when the answer does
	 * not fit the client's UDP size (the zone: at most 80 bytes).  Built
	 * by hand: snprintf cost 1,600 instructions per blocked answer */
	wl = strlen(what);
	zl = strlen(zs);
	if(zl > 80)
		zl = 80;
	memcpy(txt, what, wl);
	memcpy(txt + wl, zs, zl);
	txt[wl + zl] = 0;
	(void)edns_opt_list_append_ede(&qstate->edns_opts_front_out,
		qstate->region, LDNS_EDE_BLOCKED, txt);
}

/* ddgm_synthesize: see ddg_module.h */
int
ddgm_synthesize(struct ddg_mod* m, struct module_qstate* qstate,
	enum ddg_action action, const uint8_t* zone)
{
	struct query_info* qi = &qstate->qinfo;
	struct dns_msg* msg;
	struct ub_packed_rrset_key* rr = NULL;
	uint32_t ttl = m->conf->answer_ttl;
	int zone_len = ddg_name_wire_len(zone, DDG_NAME_MAXWIRE);
	int rcode = LDNS_RCODE_NOERROR;
	int answer = 0;
	if(zone_len < 0)
		return 0;
	qstate->no_cache_store = 1;
	add_ede(m, qstate, action, zone);
	if(action == DDG_ACTION_BLOCK && m->conf->block_rcode !=
		LDNS_RCODE_NXDOMAIN) {
		/* REFUSED and other rcodes: no message, error_encode */
		qstate->return_msg = NULL;
		qstate->return_rcode = m->conf->block_rcode;
		return 1;
	}
	msg = dns_msg_create(qi->qname, qi->qname_len, qi->qtype, qi->qclass,
		qstate->region, 1);
	if(!msg)
		return 0;
	if(action == DDG_ACTION_BLOCK) {
		rcode = LDNS_RCODE_NXDOMAIN;
	} else if(qi->qtype == LDNS_RR_TYPE_A) {
		rr = make_rrset(qstate->region, qi->qname, qi->qname_len,
			LDNS_RR_TYPE_A, qi->qclass, ttl,
			(uint8_t*)&m->conf->sinkhole_ipv4, 4);
		answer = 1;
	} else if(qi->qtype == LDNS_RR_TYPE_AAAA) {
		rr = make_rrset(qstate->region, qi->qname, qi->qname_len,
			LDNS_RR_TYPE_AAAA, qi->qclass, ttl,
			(uint8_t*)&m->conf->sinkhole_ipv6, 16);
		answer = 1;
	}
	if(!answer)
		rr = make_soa(qstate->region, zone, (size_t)zone_len, ttl);
	if(!rr)
		return 0;
	msg->rep->flags = (uint16_t)(BIT_QR | BIT_RA | rcode);
	msg->rep->qdcount = 1;
	msg->rep->ttl = ttl;
	msg->rep->prefetch_ttl = PREFETCH_TTL_CALC(ttl);
	msg->rep->serve_expired_ttl = ttl;
	msg->rep->security = sec_status_insecure; /* else the validator
		turns it into SERVFAIL */
	msg->rep->rrsets[0] = rr;
	msg->rep->an_numrrsets = answer ? 1 : 0;
	msg->rep->ns_numrrsets = answer ? 0 : 1;
	msg->rep->ar_numrrsets = 0;
	msg->rep->rrset_count = 1;
	qstate->return_msg = msg;
	qstate->return_rcode = LDNS_RCODE_NOERROR; /* rcode is in flags */
	return 1;
}

/** expire the message-cache entries of one question, both CD states */
static void
expire_question(struct module_env* env, uint8_t* qname, size_t qname_len,
	uint16_t qtype, uint16_t qclass)
{
	uint16_t flags[2] = { 0, BIT_CD };
	time_t now = env->now ? *env->now : time(NULL);
	int i;
	for(i = 0; i < 2; i++) {
		struct msgreply_entry* e = msg_cache_lookup(env, qname,
			qname_len, qtype, qclass, flags[i], now, 1);
		struct reply_info* rep;
		if(!e)
			continue;
		rep = (struct reply_info*)e->entry.data;
		if(rep) {
			rep->ttl = now - 1;
			rep->prefetch_ttl = now - 1;
			rep->serve_expired_ttl = now - 1;
		}
		lock_rw_unlock(&e->entry.lock);
	}
}

/* ddgm_expire_query: see ddg_module.h */
void
ddgm_expire_query(struct module_qstate* qstate)
{
	struct query_info* qi = &qstate->qinfo;
	expire_question(qstate->env, qi->qname, qi->qname_len, qi->qtype,
		qi->qclass);
}

/** whether a warning may be written now: at most 10 a second */
static int
warn_ok(struct ddg_mod* m)
{
	int64_t sec = (int64_t)time(NULL);
	int64_t last = atomic_load(&m->warn_sec);
	if(last != sec && atomic_compare_exchange_strong(&m->warn_sec, &last,
		sec))
		atomic_store(&m->warn_count, 0);
	return atomic_fetch_add(&m->warn_count, 1) < 10;
}

/* ddgm_closed_hit: see ddg_module.h */
void
ddgm_closed_hit(struct ddg_mod* m, const struct query_info* qinfo)
{
	ddgm_count_bypass(m);
	atomic_store(&m->npending, DDGM_PENDING + 2);
	if(warn_ok(m)) {
		char qn[DDG_NAME_MAXSTR];
		if(ddg_name_to_str(qinfo->qname, qn, sizeof(qn)) < 0)
			snprintf(qn, sizeof(qn), "?");
		log_warn("dyndns-guard: failing closed, but a cached answer "
			"for %s entered the cache after start and was served; "
			"the cache is expired now", qn);
	}
}

/* ddgm_bypass_seen: see ddg_module.h */
void
ddgm_bypass_seen(struct ddg_mod* m, const struct query_info* qinfo,
	int cached, const struct sockaddr* client, const uint8_t* zone)
{
	int n;
	ddgm_count_bypass(m);
	pthread_mutex_lock(&m->pending_lock);
	n = atomic_load(&m->npending);
	if(n < DDGM_PENDING && qinfo->qname_len <= sizeof(m->pending[0].qname)) {
		struct ddgm_pending* p = &m->pending[n];
		memcpy(p->qname, qinfo->qname, qinfo->qname_len);
		p->qname_len = qinfo->qname_len;
		p->qtype = qinfo->qtype;
		p->qclass = qinfo->qclass;
		atomic_store(&m->npending, n + 1);
	} else if(n <= DDGM_PENDING)
		atomic_store(&m->npending, DDGM_PENDING + 1);
	pthread_mutex_unlock(&m->pending_lock);
	/* rate-limited: an attacker may repeat this */
	if(warn_ok(m)) {
		char qn[DDG_NAME_MAXSTR], zn[DDG_NAME_MAXSTR], addr[64];
		if(ddg_name_to_str(qinfo->qname, qn, sizeof(qn)) < 0)
			snprintf(qn, sizeof(qn), "?");
		if(ddg_name_to_str(zone, zn, sizeof(zn)) < 0)
			snprintf(zn, sizeof(zn), "?");
		addr[0] = 0;
		if(client && client->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in*)
				client)->sin_addr, addr, sizeof(addr));
		else if(client && client->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6*)
				client)->sin6_addr, addr, sizeof(addr));
		log_warn("dyndns-guard: %s answer for %s (blocked by %s) "
			"reached client %s unblocked; it is expired now, the "
			"event says action=log", cached ? "a cached" :
			"an unmodified", qn, zn, addr[0] ? addr : "-");
	}
}

/* ddgm_expire_pending: see ddg_module.h */
void
ddgm_expire_pending(struct ddg_mod* m, struct module_env* env)
{
	struct ddgm_pending p[DDGM_PENDING];
	int i, n;
	if(atomic_load_explicit(&m->npending, memory_order_relaxed) == 0)
		return;
	pthread_mutex_lock(&m->pending_lock);
	n = atomic_load(&m->npending);
	if(n > 0 && n <= DDGM_PENDING)
		memcpy(p, m->pending, (size_t)n * sizeof(p[0]));
	atomic_store(&m->npending, 0);
	pthread_mutex_unlock(&m->pending_lock);
	if(n == DDGM_PENDING + 2) {
		size_t k = ddgm_expire_all(m, time(NULL));
		verbose(VERB_OPS, "dyndns-guard: failing closed: %u cached "
			"answers expired", (unsigned)k);
		return;
	}
	if(n > DDGM_PENDING) {
		struct ddg_listset* ls;
		int slot;
		ls = ddgm_read_enter(m, &slot);
		(void)ddgm_expire_cache(m, ls, time(NULL));
		ddgm_read_leave(m, slot);
		return;
	}
	for(i = 0; i < n; i++)
		expire_question(env, p[i].qname, p[i].qname_len, p[i].qtype,
			p[i].qclass);
}
