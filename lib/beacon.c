/**
 * \file beacon.c
 * Interval statistics of (client, name) pairs and the beacon test.  See
 * beacon.h.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dyndns-guard/beacon.h"

void
ddg_beacon_defaults(struct ddg_beacon_params *p)
{
	p->min_count = 10;
	p->max_jitter = 0.15;
	p->min_interval = 5.0;
}

/** next value of the pair's generator (xorshift64*) */
static uint64_t
next_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

void
ddg_beacon_add(struct ddg_beacon *b, int64_t t_ms, uint64_t seed)
{
	int64_t d;
	double x, delta;
	uint32_t v;

	if(b->arrivals == 0) {
		b->first_ms = b->last_ms = t_ms;
		b->arrivals = 1;
		b->rng = seed | 1;
		return;
	}
	d = t_ms - b->last_ms;
	if(d < DDG_BEACON_FOLD_MS) {
		if(d <= -DDG_BEACON_FOLD_MS)
			b->out_of_order++;
		return; /* the same lookup (A and AAAA, a retry) */
	}
	b->last_ms = t_ms;
	b->arrivals++;
	v = d > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)d;
	/* Welford */
	x = (double)d / 1000.0;
	b->n++;
	delta = x - b->mean;
	b->mean += delta / (double)b->n;
	b->m2 += delta * (x - b->mean);
	/* algorithm R */
	if(b->n <= DDG_BEACON_RESERVOIR)
		b->res[b->n - 1] = v;
	else {
		uint64_t j = next_rand(&b->rng) % b->n;
		if(j < DDG_BEACON_RESERVOIR)
			b->res[j] = v;
	}
}

/** qsort order of uint32_t */
static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/** median of n sorted values */
static double
median_sorted(const uint32_t *v, size_t n)
{
	if(n == 0)
		return 0;
	if(n % 2)
		return v[n / 2];
	return ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2.0;
}

void
ddg_beacon_summarize(const struct ddg_beacon *b,
	struct ddg_beacon_summary *s)
{
	uint32_t v[DDG_BEACON_RESERVOIR], dev[DDG_BEACON_RESERVOIR];
	size_t n = b->n < DDG_BEACON_RESERVOIR ? (size_t)b->n :
		DDG_BEACON_RESERVOIR, i;
	double med;

	memset(s, 0, sizeof(*s));
	s->arrivals = b->arrivals;
	s->intervals = b->n;
	if(n == 0)
		return;
	memcpy(v, b->res, n * sizeof(uint32_t));
	qsort(v, n, sizeof(uint32_t), cmp_u32);
	med = median_sorted(v, n);
	for(i = 0; i < n; i++) {
		double dd = fabs((double)v[i] - med);
		dev[i] = dd > (double)UINT32_MAX ? UINT32_MAX :
			(uint32_t)(dd + 0.5);
	}
	qsort(dev, n, sizeof(uint32_t), cmp_u32);
	s->median = med / 1000.0;
	s->mad = median_sorted(dev, n) / 1000.0;
	s->jitter = s->median > 0 ? 1.4826 * s->mad / s->median : 0;
	s->mean = b->mean;
	s->cv = (b->n > 1 && b->mean > 0) ?
		sqrt(b->m2 / (double)(b->n - 1)) / b->mean : 0;
}

int
ddg_beacon_regular(const struct ddg_beacon_summary *s,
	const struct ddg_beacon_params *p)
{
	if(s->arrivals < p->min_count || s->intervals < 2)
		return 0;
	if(s->median < p->min_interval)
		return 0;
	return s->jitter <= p->max_jitter;
}
