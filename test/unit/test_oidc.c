/* test_oidc.c - placeholder until the suite lands */
#include "unit.h"
Suite *oidc_suite(void)
{
    return suite_create("oidc");
}
