/* rtc.h: the CMOS real-time clock (see rtc.c). */
#ifndef DRIVERS_RTC_H
#define DRIVERS_RTC_H

#include <stdint.h>

struct rtc_time { uint16_t year; uint8_t month, day, hour, minute, second; };

int rtc_read(struct rtc_time *t);          /* 0, or -1 if the clock never settled */
uint64_t rtc_to_unix(const struct rtc_time *t);

#endif
