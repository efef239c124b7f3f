/* test_pkce.c - placeholder until the suite lands */
#include "unit.h"
Suite *pkce_suite(void)
{
    return suite_create("pkce");
}
