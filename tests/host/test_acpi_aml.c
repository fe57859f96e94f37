/*
 * test_acpi_aml.c: finding \_S5 in DSDT AML (kernel/drivers/acpi_aml.c):
 * the encodings firmware uses, and every truncation and random corruption
 * of them without reading out of bounds (ASan watches).
 */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "drivers/acpi_aml.h"

/* Name (_S5, Package (0x04) { 0x05, 0x07, Zero, Zero }) with a 1-byte PkgLength */
static const uint8_t s5_bytes[] = {0x10, 0x20, 0x08, '_', 'S', '5', '_', 0x12, 0x0A, 0x04,
				   0x0A, 0x05, 0x0A, 0x07, 0x00, 0x00};
/* QEMU q35 style: Name (\_S5, Package { Zero, Zero, Zero, Zero }) */
static const uint8_t s5_root[] = {0x08, '\\', '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00};
/* OneOp values and a 2-byte PkgLength */
static const uint8_t s5_one[] = {0x08, '_', 'S', '5', '_', 0x12, 0x40, 0x00, 0x02, 0x01, 0x01};

static void test_encodings(void)
{
	uint8_t a = 99, b = 99;
	CHECK(acpi_find_s5(s5_bytes, sizeof(s5_bytes), &a, &b) == 0);
	CHECK_EQ(a, 5);
	CHECK_EQ(b, 7);
	CHECK(acpi_find_s5(s5_root, sizeof(s5_root), &a, &b) == 0);
	CHECK_EQ(a, 0);
	CHECK_EQ(b, 0);
	CHECK(acpi_find_s5(s5_one, sizeof(s5_one), &a, &b) == 0);
	CHECK_EQ(a, 1);
	CHECK_EQ(b, 1);
}

static void test_rejects(void)
{
	uint8_t a, b;
	/* _S5_ mentioned but not as a Name: e.g. inside a method call */
	static const uint8_t not_name[] = {0x70, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0, 0, 0, 0};
	CHECK(acpi_find_s5(not_name, sizeof(not_name), &a, &b) == -1);
	static const uint8_t not_package[] = {0x08, '_', 'S', '5', '_', 0x0A, 0x05};
	CHECK(acpi_find_s5(not_package, sizeof(not_package), &a, &b) == -1);
	static const uint8_t bad_element[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x70, 0x00};
	CHECK(acpi_find_s5(bad_element, sizeof(bad_element), &a, &b) == -1);
	CHECK(acpi_find_s5(s5_bytes, 0, &a, &b) == -1);
	/* every truncation of a valid stream: never a read past the end */
	for (size_t len = 0; len < sizeof(s5_bytes) - 2; len++) {
		uint8_t *copy = malloc(len ? len : 1);
		memcpy(copy, s5_bytes, len);
		CHECK(acpi_find_s5(copy, len, &a, &b) == -1);
		free(copy);
	}
}

static void test_random_corruption(void)
{
	srand(1234);
	unsigned survived = 0;
	for (int i = 0; i < 20000; i++) {
		size_t len = 1 + (size_t)rand() % sizeof(s5_bytes);
		uint8_t *buf = malloc(len);
		memcpy(buf, s5_bytes, len);
		for (int flips = rand() % 4; flips >= 0; flips--)
			buf[rand() % len] = (uint8_t)rand();
		uint8_t a, b;
		if (acpi_find_s5(buf, len, &a, &b) == 0)
			survived++;
		free(buf);
	}
	CHECK(survived < 20000); /* some corruptions must be rejected */
}

int main(void)
{
	test_encodings();
	test_rejects();
	test_random_corruption();
	return check_report();
}
