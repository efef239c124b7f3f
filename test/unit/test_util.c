/* test_util.c - placeholder until the suite lands */
#include "unit.h"
Suite *util_suite(void)
{
    return suite_create("util");
}
