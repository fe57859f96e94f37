/* acpi_aml.h: the one piece of AML the kernel reads: the \_S5 sleep type (see acpi_aml.c). */
#ifndef DRIVERS_ACPI_AML_H
#define DRIVERS_ACPI_AML_H

#include <stddef.h>
#include <stdint.h>

/* Find Name(_S5_, Package(){a, b, ...}) in an AML byte stream (the DSDT body).
 * Returns 0 and the SLP_TYPa/b values, or -1 if it is absent or malformed. */
int acpi_find_s5(const uint8_t *aml, size_t len, uint8_t *slp_typ_a, uint8_t *slp_typ_b);

#endif
