/*
 * acpi_aml.c: read the \_S5 object out of the DSDT's AML without an AML
 * interpreter.
 *
 * Power-off needs SLP_TYPa/b for the S5 state, and firmware declares them as
 * `Name (_S5, Package () { a, b, ... })`.  In AML that is NameOp (0x08),
 * the name "_S5_" (optionally after a root '\' prefix), PackageOp (0x12), a
 * PkgLength, an element count and the elements, each a ZeroOp, OneOp,
 * BytePrefix+byte or a raw small integer.  Every read is bounds-checked: the
 * table comes from firmware and is treated as untrusted bytes.
 * Portable: the host tests compile this file too.
 */
#include "drivers/acpi_aml.h"

static int read_integer(const uint8_t *p, size_t left, uint8_t *value, size_t *used)
{
	if (left < 1)
		return -1;
	switch (p[0]) {
	case 0x00: *value = 0; *used = 1; return 0;           /* ZeroOp */
	case 0x01: *value = 1; *used = 1; return 0;           /* OneOp */
	case 0x0A:                                            /* BytePrefix */
		if (left < 2)
			return -1;
		*value = p[1];
		*used = 2;
		return 0;
	case 0x0B:                                            /* WordPrefix: low byte is enough */
		if (left < 3)
			return -1;
		*value = p[1];
		*used = 3;
		return 0;
	default:
		return -1;
	}
}

int acpi_find_s5(const uint8_t *aml, size_t len, uint8_t *slp_typ_a, uint8_t *slp_typ_b)
{
	/* Positions are indices compared with len, so no pointer ever goes past the end. */
	for (size_t i = 0; i + 4 <= len; i++) {
		const uint8_t *p = aml + i;
		if (p[0] != '_' || p[1] != 'S' || p[2] != '5' || p[3] != '_')
			continue;
		/* must be the operand of NameOp, possibly with a root prefix */
		if (!((i >= 1 && p[-1] == 0x08) || (i >= 2 && p[-1] == '\\' && p[-2] == 0x08)))
			continue;
		size_t q = i + 4;
		if (q >= len || aml[q] != 0x12) /* PackageOp */
			continue;
		q++;
		if (q >= len)
			return -1;
		size_t extra = aml[q] >> 6; /* PkgLength: bits 7:6 count the following bytes */
		if (len - q <= 1 + extra)
			return -1;
		q += 1 + extra;
		unsigned count = aml[q++];
		if (count < 1)
			return -1;
		uint8_t a, b = 0;
		size_t used;
		if (read_integer(aml + q, len - q, &a, &used) < 0)
			return -1;
		q += used;
		if (count >= 2 && read_integer(aml + q, len - q, &b, &used) < 0)
			return -1;
		*slp_typ_a = a;
		*slp_typ_b = b;
		return 0;
	}
	return -1;
}
