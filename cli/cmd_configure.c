/* cmd_configure.c - `vigil configure VERB ...`: dispatch to the offline verbs
 * (verify) and the ones that talk to the daemon (show, load, property). */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"

/* A change waits for every member's disk; vigild gives up after 60 s. */
#define CHANGE_TIMEOUT_MS 75000
#define SHOW_TIMEOUT_MS 10000
#define MAX_FILE_BYTES (16u * 1024u * 1024u - 4096u)

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: vigil configure VERB [ARGS]...\n"
		"  verify -x FILE          check a configuration file (offline, no daemon)\n"
		"  show [--xml]            the cluster's configuration\n"
		"  load replace FILE       make FILE the configuration (\"-\": standard input)\n"
		"  load update FILE        add or replace the objects of FILE, by id\n"
		"  property NAME=VALUE     set a cluster property\n"
		"Changes return once every member of the quorate partition has stored them.\n");
}

int cli_cmd_configure(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	const char *verb = argv[1];
	if (!strcmp(verb, "--help") || !strcmp(verb, "-h")) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (!strcmp(verb, "verify"))
		return cli_configure_verify(argc - 1, argv + 1);
	if (!strcmp(verb, "show"))
		return cli_configure_show(argc - 1, argv + 1);
	if (!strcmp(verb, "load"))
		return cli_configure_load(argc - 1, argv + 1);
	if (!strcmp(verb, "property"))
		return cli_configure_property(argc - 1, argv + 1);
	fprintf(stderr, "vigil configure: unknown verb '%s' (see 'vigil configure --help')\n", verb);
	return CLI_EXIT_USAGE;
}

int cli_configure_show(int argc, char **argv)
{
	bool xml = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--xml")) {
			xml = true;
		} else {
			fprintf(stderr, "Usage: vigil configure show [--xml]\n");
			return CLI_EXIT_USAGE;
		}
	}
	json_object *reply = NULL;
	int rc = cli_request(cli_new_request("config-show"), SHOW_TIMEOUT_MS, NULL, &reply);
	if (rc)
		return rc;
	json_object *v;
	const char *doc = json_object_object_get_ex(reply, "xml", &v) ? json_object_get_string(v) : NULL;
	if (!doc) {
		json_object_put(reply);
		fprintf(stderr, "vigil: vigild gave an answer we do not understand\n");
		return CLI_EXIT_FAILED;
	}
	if (xml) {
		fputs(doc, stdout);
	} else if (cli_config_text(doc, strlen(doc), stdout)) {
		json_object_put(reply);
		fprintf(stderr, "vigil: cannot read the configuration vigild sent\n");
		return CLI_EXIT_FAILED;
	}
	json_object_put(reply);
	return CLI_EXIT_OK;
}

static int read_input(const char *path, char **ret_buf, size_t *ret_len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f)
		return -errno;
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	int rc = 0;
	while (buf) {
		if (len + 1 >= cap) {
			if (cap >= MAX_FILE_BYTES) {
				rc = -EFBIG;
				break;
			}
			char *grown = realloc(buf, cap * 2);
			if (!grown) {
				rc = -ENOMEM;
				break;
			}
			buf = grown;
			cap *= 2;
		}
		size_t n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0) {
			if (ferror(f))
				rc = -EIO;
			break;
		}
	}
	if (f != stdin)
		fclose(f);
	if (!buf)
		return -ENOMEM;
	if (rc) {
		free(buf);
		return rc;
	}
	buf[len] = '\0';
	if (memchr(buf, '\0', len)) {
		free(buf);
		return -EINVAL;
	}
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

static int report_done(json_object *reply)
{
	json_object *v;
	const char *msg = json_object_object_get_ex(reply, "message", &v) ?
				  json_object_get_string(v) : NULL;
	if (msg)
		printf("%s\n", msg);
	json_object_put(reply);
	return CLI_EXIT_OK;
}

int cli_configure_load(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "replace") && strcmp(argv[1], "update"))) {
		fprintf(stderr, "Usage: vigil configure load replace|update FILE\n");
		return CLI_EXIT_USAGE;
	}
	char *doc = NULL;
	size_t len = 0;
	int rc = read_input(argv[2], &doc, &len);
	if (rc) {
		fprintf(stderr, "vigil: cannot read %s: %s\n", argv[2],
			rc == -EINVAL ? "it holds a NUL byte" : strerror(-rc));
		return CLI_EXIT_FAILED;
	}
	json_object *req = cli_new_request(strcmp(argv[1], "replace") ? "config-update" :
								  "config-replace");
	json_object_object_add(req, "xml", json_object_new_string_len(doc, (int)len));
	free(doc);
	json_object *reply = NULL;
	rc = cli_request(req, CHANGE_TIMEOUT_MS, strcmp(argv[2], "-") ? argv[2] : "<stdin>", &reply);
	return rc ? rc : report_done(reply);
}

int cli_configure_property(int argc, char **argv)
{
	const char *eq = argc == 2 ? strchr(argv[1], '=') : NULL;
	if (!eq || eq == argv[1]) {
		fprintf(stderr, "Usage: vigil configure property NAME=VALUE\n");
		return CLI_EXIT_USAGE;
	}
	json_object *req = cli_new_request("property");
	json_object_object_add(req, "name",
			       json_object_new_string_len(argv[1], (int)(eq - argv[1])));
	json_object_object_add(req, "value", json_object_new_string(eq + 1));
	json_object *reply = NULL;
	int rc = cli_request(req, CHANGE_TIMEOUT_MS, NULL, &reply);
	return rc ? rc : report_done(reply);
}
