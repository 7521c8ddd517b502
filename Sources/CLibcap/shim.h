#ifndef CLIBCAP_SHIM_H
#define CLIBCAP_SHIM_H
#include <sys/capability.h>
#endif
