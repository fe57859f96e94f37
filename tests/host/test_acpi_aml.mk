HOST_TESTS += acpi_aml
acpi_aml_SRCS := kernel/drivers/acpi_aml.c
