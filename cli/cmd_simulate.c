/* cmd_simulate.c - `vigil simulate ...`. */
#include "config.h"

#include <stdio.h>

#include "cli.h"

int cli_cmd_simulate(int argc, char **argv)
{
	fprintf(stderr, "vigil simulate: not implemented yet\n");
	return CLI_EXIT_FAILED;
}
