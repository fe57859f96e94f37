/*
 * rtc.c: wall-clock time from the CMOS real-time clock.
 *
 * The clock keeps running while it is read, so it is read until two
 * consecutive reads agree, each outside an update cycle.  Values may be BCD
 * or binary and the hour 12- or 24-hour, as status register B says.  The
 * century comes from the register the FADT names, else 20xx is assumed.
 * QEMU keeps the RTC in UTC by default, and BoxOS treats it as UTC.
 */
#include "drivers/rtc.h"
#include "drivers/acpi.h"
#include "arch/x86_64/cpu.h"
#include "lib/spinlock.h"

static struct spinlock rtc_lock = SPINLOCK_INIT;

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg | 0x80); /* bit 7: NMIs stay disabled while the index is selected */
	io_wait();
	return inb(0x71);
}

static void read_raw(uint8_t r[7])
{
	while (cmos(0x0A) & 0x80) /* update in progress */
		cpu_relax();
	r[0] = cmos(0x00);
	r[1] = cmos(0x02);
	r[2] = cmos(0x04);
	r[3] = cmos(0x07);
	r[4] = cmos(0x08);
	r[5] = cmos(0x09);
	r[6] = acpi.century_reg ? cmos(acpi.century_reg) : 0;
}

static uint8_t from_bcd(uint8_t v) { return (v & 0x0F) + (v >> 4) * 10; }

int rtc_read(struct rtc_time *t)
{
	uint8_t a[7], b[7];
	int tries = 0;
	spin_lock(&rtc_lock);
	read_raw(a);
	do {
		for (int i = 0; i < 7; i++)
			b[i] = a[i];
		read_raw(a);
	} while (++tries < 16 && __builtin_memcmp(a, b, 7) != 0);
	uint8_t status_b = cmos(0x0B);
	spin_unlock(&rtc_lock);
	if (tries >= 16)
		return -1;

	bool pm = a[2] & 0x80;
	a[2] &= 0x7F;
	if (!(status_b & 0x04))
		for (int i = 0; i < 7; i++)
			a[i] = from_bcd(a[i]);
	if (!(status_b & 0x02)) { /* 12-hour clock: 12 AM is 0, 12 PM is 12 */
		a[2] %= 12;
		if (pm)
			a[2] += 12;
	}
	unsigned century = (a[6] >= 19 && a[6] <= 30) ? a[6] : 20;
	t->second = a[0];
	t->minute = a[1];
	t->hour = a[2];
	t->day = a[3];
	t->month = a[4];
	t->year = (uint16_t)(century * 100 + a[5]);
	return 0;
}

uint64_t rtc_to_unix(const struct rtc_time *t)
{
	/* days from civil date (proleptic Gregorian), shifted so the year starts in March */
	int y = t->year - (t->month <= 2);
	int era = y / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned mp = (t->month + 9) % 12;
	unsigned doy = (153 * mp + 2) / 5 + t->day - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = (int64_t)era * 146097 + doe - 719468;
	return (uint64_t)days * 86400 + t->hour * 3600u + t->minute * 60u + t->second;
}
