/**
 * \file beacon.h
 * Beacon detection: does one client look one name up at a regular
 * interval?  Per (client, name) pair a struct ddg_beacon keeps, in a fixed
 * size whatever the number of lookups:
 * - the number of arrivals (lookups less than DDG_BEACON_FOLD_MS after
 *   the previous one are folded into it: an A and an AAAA query, a retry),
 * - the running mean and variance of the intervals between arrivals
 *   (Welford), for the coefficient of variation,
 * - a uniform reservoir sample of DDG_BEACON_RESERVOIR intervals (Vitter's
 *   algorithm R with a generator seeded per pair, so the result does not
 *   depend on anything but the input), for the median and the median
 *   absolute deviation (MAD).
 * The test uses the robust jitter 1.4826 * MAD / median: a beacon every
 * 60 s with +-3 s of jitter has a jitter of about 0.04, lookups at random
 * (Poisson) times about 1; a few missed or extra beats move the median and
 * MAD little, while they inflate the coefficient of variation.
 */
#ifndef DDG_BEACON_H
#define DDG_BEACON_H

#include <stddef.h>
#include <stdint.h>

/** intervals sampled per pair */
#define DDG_BEACON_RESERVOIR 32
/** lookups closer than this to the previous one count as one arrival */
#define DDG_BEACON_FOLD_MS 1000

/** the interval statistics of one pair; all zero is an empty one */
struct ddg_beacon {
	/** time of the first arrival, ms */
	int64_t first_ms;
	/** time of the latest arrival, ms */
	int64_t last_ms;
	/** arrivals (lookups after folding) */
	uint64_t arrivals;
	/** intervals seen (arrivals - 1, less those out of order) */
	uint64_t n;
	/** running mean of the intervals, seconds */
	double mean;
	/** running sum of squared deviations (Welford), seconds^2 */
	double m2;
	/** the generator state of the reservoir */
	uint64_t rng;
	/** lookups earlier than the latest arrival by more than the fold
	 * time (input not in time order): not used as intervals */
	uint32_t out_of_order;
	/** sampled intervals, ms (the first min(n, RESERVOIR) used) */
	uint32_t res[DDG_BEACON_RESERVOIR];
};

/** the detector's thresholds */
struct ddg_beacon_params {
	/** fewest arrivals of a beacon */
	uint64_t min_count;
	/** largest robust jitter (1.4826 * MAD / median) */
	double max_jitter;
	/** shortest median interval, seconds */
	double min_interval;
};

/** what the statistics of a pair say */
struct ddg_beacon_summary {
	/** arrivals */
	uint64_t arrivals;
	/** intervals */
	uint64_t intervals;
	/** median interval of the sample, seconds */
	double median;
	/** median absolute deviation of the sample, seconds */
	double mad;
	/** 1.4826 * mad / median (0 when median is 0) */
	double jitter;
	/** mean interval, seconds */
	double mean;
	/** standard deviation / mean of all intervals */
	double cv;
};

/**
 * Fill in the default thresholds: at least 10 arrivals, jitter at most
 * 0.15, median interval at least 5 s.
 * @param p: the thresholds.
 */
void ddg_beacon_defaults(struct ddg_beacon_params *p);

/**
 * Add one lookup of the pair.
 * @param b: the pair's statistics.
 * @param t_ms: the time of the lookup.
 * @param seed: a per-pair value (e.g. a hash of the pair) that seeds the
 *	reservoir's generator on the first lookup.
 */
void ddg_beacon_add(struct ddg_beacon *b, int64_t t_ms, uint64_t seed);

/**
 * Summarize a pair's statistics.
 * @param b: the statistics.
 * @param s: filled in.
 */
void ddg_beacon_summarize(const struct ddg_beacon *b,
	struct ddg_beacon_summary *s);

/**
 * Whether a summary is that of a beacon under the thresholds.
 * @param s: the summary.
 * @param p: the thresholds.
 * @return 1 or 0.
 */
int ddg_beacon_regular(const struct ddg_beacon_summary *s,
	const struct ddg_beacon_params *p);

#endif /* DDG_BEACON_H */
