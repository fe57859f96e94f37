/*
 * fuzz_acpi_aml.c: libFuzzer target for acpi_find_s5() (kernel/drivers/
 * acpi_aml.c), which pulls the \_S5 sleep types out of firmware DSDT AML.
 *
 * Input: with bit 7 of byte 0 clear the whole input is the AML.  With it
 * set, bytes 1..2 pick an offset and byte 3 a shape, and a
 * `Name (_S5_, Package () {...})` encoding (root prefix or not, 1..4
 * PkgLength bytes, element count, Zero/One/Byte/Word/garbage elements,
 * maybe truncated) is inserted at that offset into the rest of the input.
 * The AML is always copied into a heap buffer of exactly its size, so ASan
 * reports any read outside it.
 *
 * Asserts: the return value is 0 or -1; on -1 the outputs are untouched;
 * a second call gives the same result and values.  In the inserted mode,
 * when the inserted name is the first "_S5_" in the buffer and its package
 * is complete and well formed, the call must succeed with exactly the
 * inserted values.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/acpi_aml.h"

#define INSERT 0x80

static void fail(const char *what)
{
	fprintf(stderr, "acpi_find_s5 invariant broken: %s\n", what);
	abort();
}

struct expect {
	int known;       /* the inserted package decides the result */
	uint8_t a, b;
};

/* Encodes the _S5_ package into pkg (at most 32 bytes); returns its length. */
static size_t encode(const uint8_t *in, size_t n, uint8_t *pkg, size_t *name_at, struct expect *e)
{
	uint8_t shape = n > 0 ? in[0] : 0;
	uint8_t v[4] = { n > 1 ? in[1] : 0, n > 2 ? in[2] : 0, n > 3 ? in[3] : 0, n > 4 ? in[4] : 0 };
	size_t len = 0;
	int ok = 1;
	uint8_t val[2] = { 0, 0 };

	pkg[len++] = 0x08;                         /* NameOp */
	if (shape & 1)
		pkg[len++] = '\\';                 /* root prefix */
	*name_at = len;
	memcpy(pkg + len, "_S5_", 4);
	len += 4;
	pkg[len++] = 0x12;                         /* PackageOp */
	unsigned extra = (shape >> 1) & 3;
	pkg[len++] = (uint8_t)(extra << 6 | 6);    /* PkgLength lead byte */
	for (unsigned i = 0; i < extra; i++)
		pkg[len++] = 0;
	unsigned count = (shape >> 3) & 3;         /* 0..3 elements */
	pkg[len++] = (uint8_t)count;
	if (count == 0)
		ok = 0;
	for (unsigned i = 0; i < count && i < 2; i++) {
		switch ((v[i] >> 5) % 5) {
		case 0: pkg[len++] = 0x00; val[i] = 0; break;
		case 1: pkg[len++] = 0x01; val[i] = 1; break;
		case 2: pkg[len++] = 0x0A; pkg[len++] = v[i + 2]; val[i] = v[i + 2]; break;
		case 3: pkg[len++] = 0x0B; pkg[len++] = v[i + 2]; pkg[len++] = 0x12; val[i] = v[i + 2]; break;
		default:
			/* a byte that is no integer encoding */
			pkg[len++] = (v[i + 2] < 2 || v[i + 2] == 0x0A || v[i + 2] == 0x0B) ? 0xFF : v[i + 2];
			ok = 0;
		}
	}
	if (shape & 0x20) {                        /* truncate */
		size_t cut = *name_at + 4 + v[3] % (len - *name_at - 4 + 1);
		if (cut < len) {
			len = cut;
			ok = 0;
		}
	}
	e->known = ok;
	e->a = val[0];
	e->b = count >= 2 ? val[1] : 0;
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *aml;
	size_t len;
	struct expect e = { 0, 0, 0 };
	size_t name_at = 0;

	if (size && (data[0] & INSERT)) {
		uint8_t pkg[32];
		size_t rest = size > 6 ? size - 6 : 0;
		const uint8_t *body = data + 6;
		size_t plen = encode(data + 1, size - 1, pkg, &name_at, &e);
		size_t at = (size > 2 ? data[1] | data[2] << 8 : 0) % (rest + 1);
		len = rest + plen;
		aml = malloc(len);
		if (!aml)
			abort();
		if (at)
			memcpy(aml, body, at);
		memcpy(aml + at, pkg, plen);
		if (rest > at)
			memcpy(aml + at + plen, body + at, rest - at);
		name_at += at;
		/* The inserted package only decides the result if it is the
		 * first "_S5_" anywhere in the buffer. */
		if (e.known)
			for (size_t i = 0; i + 4 <= name_at; i++)
				if (memcmp(aml + i, "_S5_", 4) == 0) {
					e.known = 0;
					break;
				}
	} else {
		len = size;
		aml = malloc(len ? len : 1);
		if (!aml)
			abort();
		if (len)
			memcpy(aml, data, len);
	}

	uint8_t a = 0xA5, b = 0x5A;
	int rc = acpi_find_s5(aml, len, &a, &b);
	if (rc != 0 && rc != -1)
		fail("return value not 0 or -1");
	if (rc == -1 && (a != 0xA5 || b != 0x5A))
		fail("outputs written on failure");

	uint8_t a2 = 0x11, b2 = 0x22;
	int rc2 = acpi_find_s5(aml, len, &a2, &b2);
	if (rc2 != rc || (rc == 0 && (a2 != a || b2 != b)))
		fail("second call differs");

	if (e.known && (rc != 0 || a != e.a || b != e.b)) {
		fprintf(stderr, "expected %d %#x %#x, got %d %#x %#x\n", 0, e.a, e.b, rc, a, b);
		fail("inserted _S5_ package not found");
	}
	free(aml);
	return 0;
}
