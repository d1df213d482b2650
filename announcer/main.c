/* vipd: placeholder entry point until the daemon lands. */
#include "config.h"

#include <stdio.h>

#include "net.h"

int
main(void)
{
	printf("vipd %s\n", PACKAGE_VERSION);
	return 0;
}
