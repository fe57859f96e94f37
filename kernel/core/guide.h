/* guide.h: what each CPU does once the machine is up (see guide.c). */
#ifndef CORE_GUIDE_H
#define CORE_GUIDE_H

__attribute__((noreturn)) void guide_run(void);      /* the K-Core */
__attribute__((noreturn)) void app_core_idle(void);  /* an App-Core with nothing to run */

#endif
