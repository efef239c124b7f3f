/* test_config.c - placeholder until the suite lands */
#include "unit.h"
Suite *config_suite(void)
{
    return suite_create("config");
}
