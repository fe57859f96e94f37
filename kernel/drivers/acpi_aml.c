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

static int read_integer(const uint8_t *p, const uint8_t *end, uint8_t *value, const uint8_t **next)
{
	if (p >= end)
		return -1;
	switch (*p) {
	case 0x00: *value = 0; *next = p + 1; return 0;       /* ZeroOp */
	case 0x01: *value = 1; *next = p + 1; return 0;       /* OneOp */
	case 0x0A:                                            /* BytePrefix */
		if (p + 1 >= end)
			return -1;
		*value = p[1];
		*next = p + 2;
		return 0;
	case 0x0B:                                            /* WordPrefix: low byte is enough */
		if (p + 2 >= end)
			return -1;
		*value = p[1];
		*next = p + 3;
		return 0;
	default:
		return -1;
	}
}

int acpi_find_s5(const uint8_t *aml, size_t len, uint8_t *slp_typ_a, uint8_t *slp_typ_b)
{
	const uint8_t *end = aml + len;
	for (const uint8_t *p = aml; p + 4 <= end; p++) {
		if (p[0] != '_' || p[1] != 'S' || p[2] != '5' || p[3] != '_')
			continue;
		/* must be the operand of NameOp, possibly with a root prefix */
		if (!((p >= aml + 1 && p[-1] == 0x08) || (p >= aml + 2 && p[-1] == '\\' && p[-2] == 0x08)))
			continue;
		const uint8_t *q = p + 4;
		if (q >= end || *q != 0x12) /* PackageOp */
			continue;
		q++;
		if (q >= end)
			return -1;
		unsigned extra = *q >> 6; /* PkgLength: bits 7:6 count the following bytes */
		q += 1 + extra;
		if (q >= end)
			return -1;
		unsigned count = *q++;
		if (count < 1)
			return -1;
		uint8_t a, b = 0;
		if (read_integer(q, end, &a, &q) < 0)
			return -1;
		if (count >= 2 && read_integer(q, end, &b, &q) < 0)
			return -1;
		*slp_typ_a = a;
		*slp_typ_b = b;
		return 0;
	}
	return -1;
}
