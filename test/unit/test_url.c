/* test_url.c - placeholder until the suite lands */
#include "unit.h"
Suite *url_suite(void)
{
    return suite_create("url");
}
