/*
 * cli.h - the verbs of `vigil`, one function per verb group.
 *
 * Each verb takes the arguments after its own name (argv[0] is the verb) and
 * returns the process exit status.  Verbs print to stdout (results) and stderr
 * (errors); they never log.
 */
#ifndef VIGIL_CLI_H
#define VIGIL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit statuses, stable and documented in doc/vigil.md. */
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

/* `vigil status [--output-as text|json|xml]` (cmd_status.c) */
int cli_cmd_status(int argc, char **argv);

/* `vigil fence history|list` (cmd_fence.c) */
int cli_cmd_fence(int argc, char **argv);
/* `vigil node fence NODE [--wait]`, `vigil node confirm NODE [--yes]`
 * (cmd_fence.c); argv[0] is the verb. */
int cli_node_fence(int argc, char **argv);
int cli_node_confirm(int argc, char **argv);

/* `vigil node list|standby|online` (cmd_node.c) */
int cli_cmd_node(int argc, char **argv);

/* `vigil resource list|locate|start|stop|move|migrate|clear` (cmd_resource.c) */
int cli_cmd_resource(int argc, char **argv);
/* `vigil node standby|online [NODE] [--wait [--timeout S]]` (cmd_resource.c);
 * argv[0] is the verb. */
int cli_node_standby(int argc, char **argv, bool on);
/* `vigil node maintenance on|off [NODE]` (in cmd_resource.c). */
int cli_node_maintenance(int argc, char **argv);

/* `vigil configure show|load|property` (cmd_configure.c) */
int cli_configure_show(int argc, char **argv);
int cli_configure_load(int argc, char **argv);
int cli_configure_property(int argc, char **argv);

/* ---- talking to vigild (ipc_client.c) ---- */

struct json_object;

enum cli_output { CLI_OUTPUT_TEXT, CLI_OUTPUT_JSON, CLI_OUTPUT_XML };

/** Parses "text", "json" or "xml"; -1 otherwise. */
int cli_output_parse(const char *s);

/** Sends one request (a JSON object, consumed) to this host's vigild and waits
 *  up to @timeout_ms for the answer.  On success returns CLI_EXIT_OK with the
 *  answer in *ret_reply (the caller puts it).  On failure prints why on stderr
 *  and returns the exit status: CLI_EXIT_NO_DAEMON ("vigild is not running on
 *  this host"), CLI_EXIT_DENIED ("permission denied"), CLI_EXIT_TIMEOUT, or
 *  the status that matches the daemon's error code (no-quorum, invalid, ...),
 *  with its diagnostics printed as they are.  @source names the input file in
 *  diagnostics (NULL: none). */
int cli_request(struct json_object *req, int timeout_ms, const char *source,
		struct json_object **ret_reply);

/** A new request object {"version": 1, "op": @op}. */
struct json_object *cli_new_request(const char *op);

/** The daemon's status answer (cmd_status.c; shared with `vigil node`). */
int cli_status_fetch(struct json_object **ret_status);

/** Writes a configuration document in crmsh-like text (cfg_text.c). */
int cli_config_text(const char *xml, size_t len, FILE *out);

#endif /* VIGIL_CLI_H */
