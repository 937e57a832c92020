/*
 * cli.h - the verbs of `vigil`, one function per verb group.
 *
 * Each verb takes the arguments after its own name (argv[0] is the verb) and
 * returns the process exit status.  Verbs print to stdout (results) and stderr
 * (errors); they never log.
 */
#ifndef VIGIL_CLI_H
#define VIGIL_CLI_H

/* Exit statuses, stable and documented in doc/vigil.8.md. */
enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILED = 1,        /* the request was understood but failed or was refused */
	CLI_EXIT_USAGE = 2,         /* bad command line */
	CLI_EXIT_NO_DAEMON = 3,     /* vigild is not running on this host */
	CLI_EXIT_NO_QUORUM = 4,     /* the change needs a quorate partition */
	CLI_EXIT_DENIED = 5,        /* permission denied */
	CLI_EXIT_INVALID = 6,       /* the configuration (given or resulting) is invalid */
	CLI_EXIT_TIMEOUT = 7,       /* --wait ran out of time */
};

/* `vigil configure verify|show|load|property ...` */
int cli_cmd_configure(int argc, char **argv);

/* `vigil configure verify -x FILE` (cmd_verify.c) */
int cli_configure_verify(int argc, char **argv);

/* `vigil simulate -x FILE ...` */
int cli_cmd_simulate(int argc, char **argv);

#endif /* VIGIL_CLI_H */
