/* test_claims.c - placeholder until the suite lands */
#include "unit.h"
Suite *claims_suite(void)
{
    return suite_create("claims");
}
