/* ahci.h: the AHCI (SATA) disk driver (see ahci.c). */
#ifndef DRIVERS_AHCI_H
#define DRIVERS_AHCI_H

/* Take over every AHCI controller PCI found (class 01.06.01), bring up each
 * port with a SATA disk and register the disks (disk.h).  Never fails the
 * boot: a controller or port that does not behave is logged and skipped. */
void ahci_init(void);

#endif
