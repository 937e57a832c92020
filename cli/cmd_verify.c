/* cmd_verify.c - `vigil configure verify -x FILE`. */
#include "config.h"

#include <stdio.h>

#include "cli.h"

int cli_configure_verify(int argc, char **argv)
{
	fprintf(stderr, "vigil configure verify: not implemented yet\n");
	return CLI_EXIT_FAILED;
}
