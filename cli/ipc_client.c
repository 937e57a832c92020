/* ipc_client.c - one request to this host's vigild over libqb IPC, with a
 * bounded wait at every step: a missing, refusing or stuck daemon gives a clear
 * message and a distinct exit status, never a hang. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <json-c/json.h>
#include <qb/qbipc_common.h>
#include <qb/qbipcc.h>

#include "cli.h"

#define IPC_NAME "vigil"
#define IPC_MAX_BYTES (16u * 1024u * 1024u)
#define CONNECT_TIMEOUT_MS 5000

int cli_output_parse(const char *s)
{
	if (!strcmp(s, "text"))
		return CLI_OUTPUT_TEXT;
	if (!strcmp(s, "json"))
		return CLI_OUTPUT_JSON;
	if (!strcmp(s, "xml"))
		return CLI_OUTPUT_XML;
	return -1;
}

struct json_object *cli_new_request(const char *op)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "op", json_object_new_string(op));
	return o;
}

/* Connects without waiting forever on a daemon that accepted the socket but
 * does not answer. */
static qb_ipcc_connection_t *connect_bounded(int *ret_errno)
{
	int fd = -1;
	errno = 0;
	qb_ipcc_connection_t *c = qb_ipcc_connect_async(IPC_NAME, IPC_MAX_BYTES, &fd);
	if (!c) {
		*ret_errno = errno ? errno : ECONNREFUSED;
		return NULL;
	}
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n;
	do
		n = poll(&p, 1, CONNECT_TIMEOUT_MS);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		qb_ipcc_disconnect(c);
		*ret_errno = ETIMEDOUT;
		return NULL;
	}
	errno = 0;
	if (qb_ipcc_connect_continue(c) != 0) {
		/* The connection is freed by a failed continue. */
		*ret_errno = errno ? errno : ECONNREFUSED;
		return NULL;
	}
	return c;
}

static int call(const char *req, size_t len, int timeout_ms, char **ret_reply)
{
	int err = 0;
	qb_ipcc_connection_t *c = connect_bounded(&err);
	if (!c)
		return -err;
	struct qb_ipc_request_header h = { .id = 1, .size = (int32_t)(sizeof(h) + len) };
	struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)req, len } };
	char *buf = malloc(IPC_MAX_BYTES);
	if (!buf) {
		qb_ipcc_disconnect(c);
		return -ENOMEM;
	}
	ssize_t n = qb_ipcc_sendv_recv(c, iov, 2, buf, IPC_MAX_BYTES, timeout_ms);
	qb_ipcc_disconnect(c);
	if (n < 0) {
		free(buf);
		return n == -EAGAIN ? -ETIMEDOUT : (int)n;
	}
	struct qb_ipc_response_header *rh = (void *)buf;
	if ((size_t)n < sizeof(*rh) + 1 || rh->size != n || buf[n - 1] != '\0') {
		free(buf);
		return -EBADMSG;
	}
	size_t body = (size_t)n - sizeof(*rh);
	char *reply = malloc(body);
	if (!reply) {
		free(buf);
		return -ENOMEM;
	}
	memcpy(reply, buf + sizeof(*rh), body);
	free(buf);
	*ret_reply = reply;
	return 0;
}

static const char *str_of(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static void print_diagnostics(json_object *reply, const char *source)
{
	json_object *arr;
	if (!json_object_object_get_ex(reply, "diagnostics", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *d = json_object_array_get_idx(arr, i), *line;
		const char *sev = str_of(d, "severity"), *where = str_of(d, "where");
		const char *msg = str_of(d, "message");
		int ln = json_object_object_get_ex(d, "line", &line) ? json_object_get_int(line) : 0;
		if (source)
			fprintf(stderr, "%s:", source);
		if (ln > 0)
			fprintf(stderr, "%d:", ln);
		fprintf(stderr, "%s%s: %s%s%s\n", source || ln > 0 ? " " : "", sev ? sev : "error",
			where ? where : "", where ? ": " : "", msg ? msg : "?");
	}
}

static int exit_for(const char *code)
{
	if (!code)
		return CLI_EXIT_FAILED;
	if (!strcmp(code, "no-quorum"))
		return CLI_EXIT_NO_QUORUM;
	if (!strcmp(code, "invalid"))
		return CLI_EXIT_INVALID;
	if (!strcmp(code, "timeout"))
		return CLI_EXIT_TIMEOUT;
	if (!strcmp(code, "denied"))
		return CLI_EXIT_DENIED;
	return CLI_EXIT_FAILED;
}

int cli_request(json_object *req, int timeout_ms, const char *source, json_object **ret_reply)
{
	const char *text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	char *reply = NULL;
	int rc = text ? call(text, strlen(text), timeout_ms, &reply) : -ENOMEM;
	json_object_put(req);
	switch (rc) {
	case 0:
		break;
	case -ECONNREFUSED:
	case -ENOENT:
	case -ENOTCONN:
	case -ECONNRESET:
	case -EPIPE:
		fprintf(stderr, "vigil: vigild is not running on this host\n");
		return CLI_EXIT_NO_DAEMON;
	case -EACCES:
	case -EPERM:
		fprintf(stderr, "vigil: permission denied: only root and members of group "
			"haclient may talk to vigild\n");
		return CLI_EXIT_DENIED;
	case -ETIMEDOUT:
		fprintf(stderr, "vigil: vigild did not answer in time\n");
		return CLI_EXIT_TIMEOUT;
	default:
		fprintf(stderr, "vigil: cannot talk to vigild: %s\n", strerror(-rc));
		return CLI_EXIT_FAILED;
	}
	json_object *o = json_tokener_parse(reply);
	free(reply);
	json_object *v;
	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "rc", &v)) {
		json_object_put(o);
		fprintf(stderr, "vigil: vigild gave an answer we do not understand\n");
		return CLI_EXIT_FAILED;
	}
	if (json_object_get_int(v) != 0) {
		const char *msg = str_of(o, "message"), *code = str_of(o, "error");
		fprintf(stderr, "vigil: %s\n", msg ? msg : code ? code : "failed");
		print_diagnostics(o, source);
		int ex = exit_for(code);
		json_object_put(o);
		return ex;
	}
	*ret_reply = o;
	return CLI_EXIT_OK;
}
