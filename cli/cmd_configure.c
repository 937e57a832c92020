/* cmd_configure.c - `vigil configure ...`. */
#include "config.h"

#include <stdio.h>

#include "cli.h"

int cli_cmd_configure(int argc, char **argv)
{
	fprintf(stderr, "vigil configure: not implemented yet\n");
	return CLI_EXIT_FAILED;
}
