/*
 * today: the RTC wall clock as `YYYY-MM-DD HH:MM:SS UTC`.
 *
 * hardware.rtc.read gives seconds since 1970-01-01 00:00:00 UTC; the app
 * turns them into a proleptic Gregorian date itself: whole days since the
 * epoch are shifted to start on 0000-03-01, so that the leap day is the
 * last day of a "year" and months have a fixed pattern, then split into
 * 400-year eras (146097 days), years of the era, and day of the year.
 */
#include <stdint.h>

#include "boxlib/calls.h"
#include "boxlib/stdio.h"
#include "boxlib/string.h"

struct civil { int64_t year; unsigned month, day, hour, minute, second; };

/* Seconds since the Unix epoch to a UTC date and time. */
static struct civil civil_from_unix(uint64_t secs)
{
	struct civil c;
	int64_t days = (int64_t)(secs / 86400);
	uint64_t rest = secs % 86400;
	c.hour = (unsigned)(rest / 3600);
	c.minute = (unsigned)(rest / 60 % 60);
	c.second = (unsigned)(rest % 60);

	days += 719468;                       /* days from 0000-03-01 to 1970-01-01 */
	int64_t era = days / 146097;          /* days >= 0 here: secs is unsigned */
	int64_t doe = days - era * 146097;                                   /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;                                    /* March = 0 */
	c.day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	c.month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	c.year = yoe + era * 400 + (c.month <= 2);
	return c;
}

static void usage(void)
{
	printf("usage: today [--help]\n");
	printf("print the RTC wall clock as YYYY-MM-DD HH:MM:SS UTC\n");
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		usage();
		return 0;
	}
	if (argc > 1) {
		printf("unexpected argument '%s' (try today --help)\n", argv[1]);
		return 2;
	}
	uint8_t out[8];
	uint64_t len = 0, secs = 0;
	int32_t st = box_hardware_rtc_read(out, sizeof(out), &len, &secs);
	if (st != BOX_OK) {
		printf("cannot read the RTC: %s\n", box_status_name(st));
		return 1;
	}
	struct civil c = civil_from_unix(secs);
	printf("%04lld-%02u-%02u %02u:%02u:%02u UTC\n", (long long)c.year, c.month, c.day, c.hour,
	       c.minute, c.second);
	return 0;
}
