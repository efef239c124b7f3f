/* test_jose.c - placeholder until the suite lands */
#include "unit.h"
Suite *jose_suite(void)
{
    return suite_create("jose");
}
