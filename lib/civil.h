/**
 * \file civil.h
 * Internal: proleptic Gregorian dates and days since 1970-01-01, the one
 * home of the date arithmetic of events (event.c writes the time of an
 * event, evparse.c reads it back).  H. Hinnant's algorithms, exact for
 * every int64 day count a timestamp gives.  Not part of the public API.
 */
#ifndef DDG_LIB_CIVIL_H
#define DDG_LIB_CIVIL_H

#include <stdint.h>

/** days since 1970-01-01 of a date (month 1..12, day 1..31) */
static inline int64_t
ddg_days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/** the date of a day count since 1970-01-01 */
static inline void
ddg_civil_from_days(int64_t days, int64_t *y, int64_t *m, int64_t *d)
{
	int64_t era, doe, yoe, doy, mp;

	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	*y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	if(*m <= 2)
		(*y)++;
}

#endif /* DDG_LIB_CIVIL_H */
