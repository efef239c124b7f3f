/* test_seal.c - placeholder until the suite lands */
#include "unit.h"
Suite *seal_suite(void)
{
    return suite_create("seal");
}
