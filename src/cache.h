/* cache.h - see auth_client.h: the cache layer is httpd glue (socache). */
#ifndef AC_CACHE_H
#define AC_CACHE_H
#include "auth_client.h"
#endif
