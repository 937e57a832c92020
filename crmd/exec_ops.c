/*
 * exec_ops.c - the libvirt side of each action; runs on a worker thread.
 *
 * Every function here may block for as long as libvirt does.  They write the
 * job's result fields and nothing else; the loop thread reports them.  Time
 * spent inside libvirt is summed per job (libvirt_ns) so the executor's own
 * overhead can be measured as the rest.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "exec_int.h"

/* Domain XML larger than this is not a domain XML. */
#define XML_MAX_BYTES (4 * 1024 * 1024)

/* Runs a libvirt call and charges its duration to the job. */
#define VIRT(job, call)                                                  \
	({                                                               \
		uint64_t t0_ = crmd_exec_now_ns();                       \
		__typeof__(call) r_ = (call);                            \
		(job)->libvirt_ns += crmd_exec_now_ns() - t0_;           \
		r_;                                                      \
	})

static void set_message(struct crmd_exec_job *job, const char *fmt, va_list ap, const char *tail)
{
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	free(job->message);
	job->message = NULL;
	if (msg && tail) {
		char *full = NULL;
		if (asprintf(&full, "%s: %s", msg, tail) >= 0) {
			free(msg);
			msg = full;
		}
	}
	job->message = msg;   /* NULL on ENOMEM: the reporter substitutes a fixed text */
}

void crmd_exec_job_fail(struct crmd_exec_job *job, int rc, const char *fmt, ...)
{
	va_list ap;
	job->rc = rc;
	va_start(ap, fmt);
	set_message(job, fmt, ap, NULL);
	va_end(ap);
}

void crmd_exec_job_fail_virt(struct crmd_exec_job *job, const char *fmt, ...)
{
	va_list ap;
	job->rc = crmd_exec_virt_errno();
	va_start(ap, fmt);
	set_message(job, fmt, ap, virGetLastErrorMessage());
	va_end(ap);
}

void crmd_exec_job_note(struct crmd_exec_job *job, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_message(job, fmt, ap, NULL);
	va_end(ap);
}

int crmd_exec_virt_errno(void)
{
	switch (virGetLastErrorCode()) {
	case VIR_ERR_NO_DOMAIN:
		return -ENOENT;
	case VIR_ERR_XML_ERROR:
	case VIR_ERR_XML_DETAIL:
	case VIR_ERR_INVALID_ARG:
	case VIR_ERR_CONFIG_UNSUPPORTED:
	case VIR_ERR_OPERATION_INVALID:
		return -EINVAL;
	case VIR_ERR_NO_SUPPORT:
	case VIR_ERR_ARGUMENT_UNSUPPORTED:
	case VIR_ERR_OPERATION_UNSUPPORTED:
		return -EOPNOTSUPP;
	case VIR_ERR_OPERATION_TIMEOUT:
	case VIR_ERR_AGENT_UNRESPONSIVE:
		return -ETIMEDOUT;
	case VIR_ERR_NO_CONNECT:
	case VIR_ERR_INVALID_CONN:
	case VIR_ERR_RPC:
		return -ENOTCONN;
	case VIR_ERR_OPERATION_DENIED:
	case VIR_ERR_AUTH_FAILED:
	case VIR_ERR_AUTH_UNAVAILABLE:
		return -EACCES;
	case VIR_ERR_OPERATION_ABORTED:
		return -ECANCELED;
	default:
		return -EIO;
	}
}

enum crmd_exec_state crmd_exec_state_from_virt(int state, int reason, const char **ret_reason)
{
	const char *r = "unknown";
	enum crmd_exec_state s = CRMD_EXEC_STATE_UNKNOWN;

	switch (state) {
	case VIR_DOMAIN_RUNNING:
	case VIR_DOMAIN_BLOCKED:
		s = CRMD_EXEC_STATE_RUNNING;
		switch (reason) {
		case VIR_DOMAIN_RUNNING_BOOTED: r = "booted"; break;
		case VIR_DOMAIN_RUNNING_MIGRATED: r = "migrated"; break;
		case VIR_DOMAIN_RUNNING_RESTORED: r = "restored"; break;
		case VIR_DOMAIN_RUNNING_FROM_SNAPSHOT: r = "from snapshot"; break;
		case VIR_DOMAIN_RUNNING_UNPAUSED: r = "unpaused"; break;
		case VIR_DOMAIN_RUNNING_MIGRATION_CANCELED: r = "migration canceled"; break;
		case VIR_DOMAIN_RUNNING_SAVE_CANCELED: r = "save canceled"; break;
		case VIR_DOMAIN_RUNNING_WAKEUP: r = "wakeup"; break;
		case VIR_DOMAIN_RUNNING_CRASHED: r = "crashed"; break;
		case VIR_DOMAIN_RUNNING_POSTCOPY: r = "post-copy"; break;
		case VIR_DOMAIN_RUNNING_POSTCOPY_FAILED: r = "post-copy failed"; break;
		default: break;
		}
		break;
	case VIR_DOMAIN_PAUSED:
		s = CRMD_EXEC_STATE_PAUSED;
		switch (reason) {
		case VIR_DOMAIN_PAUSED_USER: r = "user"; break;
		case VIR_DOMAIN_PAUSED_MIGRATION:
			r = "migration";
			s = CRMD_EXEC_STATE_MIGRATING;
			break;
		case VIR_DOMAIN_PAUSED_POSTCOPY:
			r = "post-copy";
			s = CRMD_EXEC_STATE_MIGRATING;
			break;
		case VIR_DOMAIN_PAUSED_SAVE: r = "save"; break;
		case VIR_DOMAIN_PAUSED_DUMP: r = "dump"; break;
		case VIR_DOMAIN_PAUSED_IOERROR: r = "ioerror"; break;
		case VIR_DOMAIN_PAUSED_WATCHDOG: r = "watchdog"; break;
		case VIR_DOMAIN_PAUSED_FROM_SNAPSHOT: r = "from snapshot"; break;
		case VIR_DOMAIN_PAUSED_SHUTTING_DOWN: r = "shutting down"; break;
		case VIR_DOMAIN_PAUSED_SNAPSHOT: r = "snapshot"; break;
		case VIR_DOMAIN_PAUSED_CRASHED:
			r = "crashed";
			s = CRMD_EXEC_STATE_CRASHED;
			break;
		case VIR_DOMAIN_PAUSED_STARTING_UP:
			r = "starting up";
			s = CRMD_EXEC_STATE_STARTING;
			break;
		case VIR_DOMAIN_PAUSED_POSTCOPY_FAILED: r = "post-copy failed"; break;
		default: break;
		}
		break;
	case VIR_DOMAIN_SHUTDOWN:
		s = CRMD_EXEC_STATE_RUNNING;
		r = "shutting down";
		break;
	case VIR_DOMAIN_SHUTOFF:
		s = CRMD_EXEC_STATE_STOPPED;
		switch (reason) {
		case VIR_DOMAIN_SHUTOFF_SHUTDOWN: r = "shutdown"; break;
		case VIR_DOMAIN_SHUTOFF_DESTROYED: r = "destroyed"; break;
		case VIR_DOMAIN_SHUTOFF_CRASHED:
			r = "crashed";
			s = CRMD_EXEC_STATE_CRASHED;
			break;
		case VIR_DOMAIN_SHUTOFF_MIGRATED: r = "migrated"; break;
		case VIR_DOMAIN_SHUTOFF_SAVED: r = "saved"; break;
		case VIR_DOMAIN_SHUTOFF_FAILED: r = "failed"; break;
		case VIR_DOMAIN_SHUTOFF_FROM_SNAPSHOT: r = "from snapshot"; break;
		case VIR_DOMAIN_SHUTOFF_DAEMON: r = "daemon"; break;
		default: break;
		}
		break;
	case VIR_DOMAIN_CRASHED:
		s = CRMD_EXEC_STATE_CRASHED;
		r = "crashed";
		break;
	case VIR_DOMAIN_PMSUSPENDED:
		s = CRMD_EXEC_STATE_PAUSED;
		r = "pmsuspended";
		break;
	default:
		break;
	}
	*ret_reason = r;
	return s;
}

void crmd_exec_event_names(int event, int detail, const char **ret_event,
			   const char **ret_detail, enum crmd_exec_state *ret_state)
{
	const char *e = "unknown", *d = "unknown";
	enum crmd_exec_state s = CRMD_EXEC_STATE_UNKNOWN;

	switch (event) {
	case VIR_DOMAIN_EVENT_DEFINED:
		e = "defined";
		switch (detail) {
		case VIR_DOMAIN_EVENT_DEFINED_ADDED: d = "added"; break;
		case VIR_DOMAIN_EVENT_DEFINED_UPDATED: d = "updated"; break;
		case VIR_DOMAIN_EVENT_DEFINED_RENAMED: d = "renamed"; break;
		case VIR_DOMAIN_EVENT_DEFINED_FROM_SNAPSHOT: d = "from snapshot"; break;
		default: break;
		}
		break;
	case VIR_DOMAIN_EVENT_UNDEFINED:
		e = "undefined";
		switch (detail) {
		case VIR_DOMAIN_EVENT_UNDEFINED_REMOVED: d = "removed"; break;
		case VIR_DOMAIN_EVENT_UNDEFINED_RENAMED: d = "renamed"; break;
		default: break;
		}
		break;
	case VIR_DOMAIN_EVENT_STARTED:
		e = "started";
		s = CRMD_EXEC_STATE_RUNNING;
		switch (detail) {
		case VIR_DOMAIN_EVENT_STARTED_BOOTED: d = "booted"; break;
		case VIR_DOMAIN_EVENT_STARTED_MIGRATED:
			/* the destination of a live migration: QEMU is up, waiting
			 * for the memory; it runs at "resumed(migrated)" */
			d = "migrated";
			s = CRMD_EXEC_STATE_MIGRATING;
			break;
		case VIR_DOMAIN_EVENT_STARTED_RESTORED: d = "restored"; break;
		case VIR_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT: d = "from snapshot"; break;
		case VIR_DOMAIN_EVENT_STARTED_WAKEUP: d = "wakeup"; break;
		default: break;
		}
		break;
	case VIR_DOMAIN_EVENT_SUSPENDED:
		e = "suspended";
		s = CRMD_EXEC_STATE_PAUSED;
		switch (detail) {
		case VIR_DOMAIN_EVENT_SUSPENDED_PAUSED: d = "paused"; break;
		case VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED:
			d = "migrated";
			s = CRMD_EXEC_STATE_MIGRATING;
			break;
		case VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY:
			d = "post-copy";
			s = CRMD_EXEC_STATE_MIGRATING;
			break;
		case VIR_DOMAIN_EVENT_SUSPENDED_IOERROR: d = "ioerror"; break;
		case VIR_DOMAIN_EVENT_SUSPENDED_WATCHDOG: d = "watchdog"; break;
		case VIR_DOMAIN_EVENT_SUSPENDED_RESTORED: d = "restored"; break;
		case VIR_DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT: d = "from snapshot"; break;
		case VIR_DOMAIN_EVENT_SUSPENDED_API_ERROR: d = "api error"; break;
		case VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED: d = "post-copy failed"; break;
		default: break;
		}
		break;
	case VIR_DOMAIN_EVENT_RESUMED:
		e = "resumed";
		s = CRMD_EXEC_STATE_RUNNING;
		switch (detail) {
		case VIR_DOMAIN_EVENT_RESUMED_UNPAUSED: d = "unpaused"; break;
		case VIR_DOMAIN_EVENT_RESUMED_MIGRATED: d = "migrated"; break;
		case VIR_DOMAIN_EVENT_RESUMED_FROM_SNAPSHOT: d = "from snapshot"; break;
		case VIR_DOMAIN_EVENT_RESUMED_POSTCOPY: d = "post-copy"; break;
		case VIR_DOMAIN_EVENT_RESUMED_POSTCOPY_FAILED: d = "post-copy failed"; break;
		default: break;
		}
		break;
	case VIR_DOMAIN_EVENT_STOPPED:
		e = "stopped";
		s = CRMD_EXEC_STATE_STOPPED;
		switch (detail) {
		case VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN: d = "shutdown"; break;
		case VIR_DOMAIN_EVENT_STOPPED_DESTROYED: d = "destroyed"; break;
		case VIR_DOMAIN_EVENT_STOPPED_CRASHED:
			d = "crashed";
			s = CRMD_EXEC_STATE_CRASHED;
			break;
		case VIR_DOMAIN_EVENT_STOPPED_FAILED:
			/* the emulator died under us: a kill -9 of QEMU */
			d = "failed";
			s = CRMD_EXEC_STATE_CRASHED;
			break;
		case VIR_DOMAIN_EVENT_STOPPED_MIGRATED: d = "migrated"; break;
		case VIR_DOMAIN_EVENT_STOPPED_SAVED: d = "saved"; break;
		case VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT: d = "from snapshot"; break;
		default: break;
		}
		break;
	case VIR_DOMAIN_EVENT_SHUTDOWN:
		/* the guest is going down; "stopped" follows */
		e = "shutdown";
		switch (detail) {
		case VIR_DOMAIN_EVENT_SHUTDOWN_FINISHED: d = "finished"; break;
		case VIR_DOMAIN_EVENT_SHUTDOWN_GUEST: d = "guest"; break;
		case VIR_DOMAIN_EVENT_SHUTDOWN_HOST: d = "host"; break;
		default: break;
		}
		break;
	case VIR_DOMAIN_EVENT_PMSUSPENDED:
		e = "pmsuspended";
		s = CRMD_EXEC_STATE_PAUSED;
		d = detail == VIR_DOMAIN_EVENT_PMSUSPENDED_DISK ? "disk" : "memory";
		break;
	case VIR_DOMAIN_EVENT_CRASHED:
		e = "crashed";
		s = CRMD_EXEC_STATE_CRASHED;
		d = detail == VIR_DOMAIN_EVENT_CRASHED_CRASHLOADED ? "crashloaded" : "panicked";
		break;
	default:
		break;
	}
	*ret_event = e;
	*ret_detail = d;
	*ret_state = s;
}

/* Looks @job's domain up; NULL with the job's state set to ABSENT when it is not
 * here, NULL with a failure recorded on any other error. */
static virDomainPtr lookup(struct crmd_exec_job *job, virConnectPtr conn, bool *ret_absent)
{
	virDomainPtr dom = VIRT(job, virDomainLookupByName(conn, job->rsc_id));
	*ret_absent = false;
	if (dom)
		return dom;
	if (virGetLastErrorCode() == VIR_ERR_NO_DOMAIN) {
		*ret_absent = true;
		job->state = CRMD_EXEC_STATE_ABSENT;
		job->reason = "";
		virResetLastError();
		return NULL;
	}
	crmd_exec_job_fail_virt(job, "cannot look up domain '%s'", job->rsc_id);
	return NULL;
}

/* Records the domain's current state in the job; false on failure (recorded).
 * A domain that vanished meanwhile (transient, or undefined) is ABSENT. */
static bool observe(struct crmd_exec_job *job, virDomainPtr dom)
{
	int state, reason;
	if (VIRT(job, virDomainGetState(dom, &state, &reason, 0)) < 0) {
		if (virGetLastErrorCode() == VIR_ERR_NO_DOMAIN) {
			virResetLastError();
			job->state = CRMD_EXEC_STATE_ABSENT;
			job->reason = "";
			return true;
		}
		crmd_exec_job_fail_virt(job, "cannot get the state of '%s'", job->rsc_id);
		return false;
	}
	job->state = crmd_exec_state_from_virt(state, reason, &job->reason);
	return true;
}

static bool is_down(enum crmd_exec_state s)
{
	return s == CRMD_EXEC_STATE_ABSENT || s == CRMD_EXEC_STATE_STOPPED ||
	       s == CRMD_EXEC_STATE_CRASHED;
}

/* Reads and parses the domain XML and checks that it names the resource's
 * domain, so a wrong file never defines (and overwrites) another domain. */
static xmlDocPtr read_domain_xml(struct crmd_exec_job *job)
{
	xmlDocPtr doc = NULL;
	char *xml = NULL;
	FILE *f = fopen(job->config, "re");
	if (!f) {
		crmd_exec_job_fail(job, -errno, "cannot read domain XML '%s' of '%s': %s",
				   job->config, job->rsc_id, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > XML_MAX_BYTES) {
		crmd_exec_job_fail(job, -EINVAL, "domain XML '%s' of '%s' is not a regular "
				   "file of at most %d bytes", job->config, job->rsc_id,
				   XML_MAX_BYTES);
		goto close_file;
	}
	xml = calloc(1, (size_t)st.st_size + 1);
	if (!xml) {
		crmd_exec_job_fail(job, -ENOMEM, "out of memory");
		goto close_file;
	}
	size_t len = fread(xml, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		crmd_exec_job_fail(job, -EIO, "cannot read domain XML '%s' of '%s'",
				   job->config, job->rsc_id);
		goto free_xml;
	}
	doc = xmlReadMemory(xml, (int)len, job->config, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		const xmlError *err = xmlGetLastError();
		crmd_exec_job_fail(job, -EINVAL, "domain XML '%s' of '%s' is not well-formed%s%s",
				   job->config, job->rsc_id, err && err->message ? ": " : "",
				   err && err->message ? err->message : "");
		/* libxml2's message ends with a newline */
		size_t ml = job->message ? strlen(job->message) : 0;
		if (ml && job->message[ml - 1] == '\n')
			job->message[ml - 1] = '\0';
		goto free_xml;
	}
	xmlNodePtr root = xmlDocGetRootElement(doc);
	xmlChar *name = NULL;
	if (root && xmlStrcmp(root->name, BAD_CAST "domain") == 0) {
		for (xmlNodePtr n = root->children; n; n = n->next) {
			if (n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, BAD_CAST "name") == 0) {
				name = xmlNodeGetContent(n);
				break;
			}
		}
	}
	if (!root || xmlStrcmp(root->name, BAD_CAST "domain") != 0) {
		crmd_exec_job_fail(job, -EINVAL, "domain XML '%s' of '%s' has no <domain> root",
				   job->config, job->rsc_id);
	} else if (!name) {
		crmd_exec_job_fail(job, -EINVAL, "domain XML '%s' of '%s' has no <name>",
				   job->config, job->rsc_id);
	} else if (strcmp((const char *)name, job->rsc_id) != 0) {
		crmd_exec_job_fail(job, -EINVAL, "domain XML '%s' names the domain '%s', but "
				   "the resource is '%s' (they must be equal)",
				   job->config, (const char *)name, job->rsc_id);
	}
	xmlFree(name);
	if (job->rc != 0) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
free_xml:
	free(xml);
close_file:
	fclose(f);
	return doc;
}

static bool has_child(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr n = parent->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, BAD_CAST name) == 0)
			return true;
	return false;
}

/* The XML text to define.  An XML without <uuid> gets the UUID of the domain
 * already defined under that name: otherwise libvirt invents a new one and
 * refuses the second define ("already exists with uuid ..."). */
static char *domain_xml_text(struct crmd_exec_job *job, virConnectPtr conn, xmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	if (!has_child(root, "uuid")) {
		virDomainPtr old = VIRT(job, virDomainLookupByName(conn, job->rsc_id));
		char uuid[VIR_UUID_STRING_BUFLEN];
		if (old && virDomainGetUUIDString(old, uuid) == 0)
			xmlNewTextChild(root, NULL, BAD_CAST "uuid", BAD_CAST uuid);
		if (old)
			virDomainFree(old);
		virResetLastError();
	}
	xmlChar *buf = NULL;
	int len = 0;
	xmlDocDumpMemory(doc, &buf, &len);
	char *text = buf ? strdup((const char *)buf) : NULL;
	xmlFree(buf);
	if (!text)
		crmd_exec_job_fail(job, -ENOMEM, "out of memory");
	return text;
}

static void op_start(struct crmd_exec_job *job, virConnectPtr conn)
{
	xmlDocPtr doc = read_domain_xml(job);
	if (!doc)
		return;
	char *xml = domain_xml_text(job, conn, doc);
	xmlFreeDoc(doc);
	if (!xml)
		return;
	virDomainPtr dom = VIRT(job, virDomainDefineXML(conn, xml));
	if (!dom) {
		crmd_exec_job_fail_virt(job, "cannot define '%s' from '%s'", job->rsc_id,
					job->config);
		goto free_xml;
	}
	if (!observe(job, dom))
		goto free_dom;
	if (job->state == CRMD_EXEC_STATE_RUNNING) {
		crmd_exec_job_note(job, "'%s' was already running", job->rsc_id);
		goto free_dom;
	}
	if (!is_down(job->state)) {
		crmd_exec_job_fail(job, -EBUSY, "'%s' is %s (%s), not starting it", job->rsc_id,
				   crmd_exec_state_name(job->state), job->reason);
		goto free_dom;
	}
	if (VIRT(job, virDomainCreate(dom)) < 0) {
		crmd_exec_job_fail_virt(job, "cannot start '%s'", job->rsc_id);
		observe(job, dom);
		goto free_dom;
	}
	if (!observe(job, dom))
		goto free_dom;
	if (job->state != CRMD_EXEC_STATE_RUNNING) {
		crmd_exec_job_fail(job, -EIO, "'%s' is %s (%s) right after its start",
				   job->rsc_id, crmd_exec_state_name(job->state), job->reason);
		goto free_dom;
	}
	crmd_exec_job_note(job, "'%s' started", job->rsc_id);
free_dom:
	virDomainFree(dom);
free_xml:
	free(xml);
}

static void op_stop(struct crmd_exec_job *job, virConnectPtr conn)
{
	bool absent;
	virDomainPtr dom = lookup(job, conn, &absent);
	if (!dom) {
		if (absent)
			crmd_exec_job_note(job, "'%s' is not defined here: stopped", job->rsc_id);
		return;
	}
	if (!observe(job, dom))
		goto free_dom;
	if (is_down(job->state)) {
		crmd_exec_job_note(job, "'%s' was not running", job->rsc_id);
		goto free_dom;
	}

	uint32_t grace_ms = job->shutdown_timeout_ms;
	if (grace_ms == 0 || grace_ms >= job->timeout_ms) {
		uint32_t reserve = job->timeout_ms / 4;
		if (reserve > 5000)
			reserve = 5000;
		grace_ms = job->timeout_ms - reserve;
	}
	uint64_t t0 = crmd_exec_now_ns();
	uint64_t until = job->submit_ns + (uint64_t)grace_ms * 1000000ULL;
	/* A paused domain cannot act on the ACPI request: destroy it at once. */
	bool graceful = job->state == CRMD_EXEC_STATE_RUNNING &&
			VIRT(job, virDomainShutdown(dom)) == 0;
	if (!graceful)
		virResetLastError();
	while (graceful) {
		if (!observe(job, dom))
			goto free_dom;
		if (is_down(job->state)) {
			crmd_exec_job_note(job, "'%s' shut down in %llu ms", job->rsc_id,
					   (unsigned long long)(crmd_exec_now_ns() - t0) / 1000000ULL);
			goto free_dom;
		}
		uint64_t now = crmd_exec_now_ns();
		if (now >= until)
			break;
		/* Woken by the STOPPED event; the slice bounds a missed one. */
		uint64_t slice = now + 250 * 1000000ULL;
		if (!crmd_exec_wait_change(job->ex, slice < until ? slice : until)) {
			crmd_exec_job_fail(job, -ECANCELED, "executor stopping");
			goto free_dom;
		}
	}
	if (VIRT(job, virDomainDestroy(dom)) < 0) {
		int code = virGetLastErrorCode();
		/* It went down by itself between our look and the destroy. */
		if (code == VIR_ERR_OPERATION_INVALID || code == VIR_ERR_NO_DOMAIN) {
			virResetLastError();
		} else {
			crmd_exec_job_fail_virt(job, "cannot destroy '%s'", job->rsc_id);
			observe(job, dom);
			goto free_dom;
		}
	}
	if (!observe(job, dom))
		goto free_dom;
	if (!is_down(job->state)) {
		crmd_exec_job_fail(job, -EIO, "'%s' is still %s (%s) after destroy", job->rsc_id,
				   crmd_exec_state_name(job->state), job->reason);
		goto free_dom;
	}
	if (graceful)
		crmd_exec_job_note(job, "'%s' did not shut down within %u ms: destroyed",
				   job->rsc_id, grace_ms);
	else
		crmd_exec_job_note(job, "'%s' destroyed (it could not shut down gracefully)",
				   job->rsc_id);
free_dom:
	virDomainFree(dom);
}

static void op_migrate(struct crmd_exec_job *job, virConnectPtr conn)
{
	bool absent;
	virDomainPtr dom = lookup(job, conn, &absent);
	if (!dom) {
		if (absent)
			crmd_exec_job_fail(job, -ENOENT, "'%s' is not here, cannot migrate it",
					   job->rsc_id);
		return;
	}
	if (!observe(job, dom))
		goto free_dom;
	if (job->state != CRMD_EXEC_STATE_RUNNING) {
		crmd_exec_job_fail(job, -EINVAL, "'%s' is %s (%s), only a running domain "
				   "migrates live", job->rsc_id, crmd_exec_state_name(job->state),
				   job->reason);
		goto free_dom;
	}
	virTypedParameterPtr params = NULL;
	int n = 0, max = 0;
	if (job->migrate_data &&
	    virTypedParamsAddString(&params, &n, &max, VIR_MIGRATE_PARAM_URI,
				    job->migrate_data) < 0) {
		crmd_exec_job_fail_virt(job, "bad migration data URI '%s'", job->migrate_data);
		goto free_dom;
	}
	unsigned flags = VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_PERSIST_DEST |
			 VIR_MIGRATE_UNDEFINE_SOURCE;
	if (VIRT(job, virDomainMigrateToURI3(dom, job->migrate_to, params, (unsigned)n,
					     flags)) < 0) {
		crmd_exec_job_fail_virt(job, "cannot migrate '%s' to %s", job->rsc_id,
					job->migrate_to);
		observe(job, dom);
		goto free_params;
	}
	observe(job, dom);
	crmd_exec_job_note(job, "'%s' migrated to %s", job->rsc_id, job->migrate_to);
free_params:
	virTypedParamsFree(params, n);
free_dom:
	virDomainFree(dom);
}

static void op_monitor(struct crmd_exec_job *job, virConnectPtr conn)
{
	bool absent;
	virDomainPtr dom = lookup(job, conn, &absent);
	if (!dom)
		return;
	observe(job, dom);
	virDomainFree(dom);
}

static int domain_cmp(const void *a, const void *b)
{
	const struct crmd_exec_domain *x = a, *y = b;
	return strcmp(x->name, y->name);
}

static void op_probe(struct crmd_exec_job *job, virConnectPtr conn)
{
	virDomainPtr *doms = NULL;
	int n = VIRT(job, virConnectListAllDomains(conn, &doms, 0));
	if (n < 0) {
		crmd_exec_job_fail_virt(job, "cannot list the domains");
		return;
	}
	job->domains = calloc((size_t)n + 1, sizeof(*job->domains));
	if (!job->domains) {
		crmd_exec_job_fail(job, -ENOMEM, "out of memory");
		goto free_doms;
	}
	for (int i = 0; i < n; i++) {
		int state, reason;
		struct crmd_exec_domain *d = &job->domains[job->n_domains];
		if (VIRT(job, virDomainGetState(doms[i], &state, &reason, 0)) < 0) {
			/* gone between the list and the look: not here any more */
			virResetLastError();
			continue;
		}
		d->name = strdup(virDomainGetName(doms[i]));
		if (!d->name) {
			crmd_exec_job_fail(job, -ENOMEM, "out of memory");
			goto free_doms;
		}
		d->state = crmd_exec_state_from_virt(state, reason, &d->reason);
		d->persistent = VIRT(job, virDomainIsPersistent(doms[i])) == 1;
		job->n_domains++;
	}
	qsort(job->domains, job->n_domains, sizeof(*job->domains), domain_cmp);
	crmd_exec_job_note(job, "%zu domains", job->n_domains);
free_doms:
	for (int i = 0; i < n; i++)
		virDomainFree(doms[i]);
	free(doms);
}

/* A migration that timed out must not complete later behind the cluster's back:
 * abort it, and libvirt resumes the domain on the source. */
static void op_abort(struct crmd_exec_job *job, virConnectPtr conn)
{
	bool absent;
	virDomainPtr dom = lookup(job, conn, &absent);
	if (!dom)
		return;
	if (VIRT(job, virDomainAbortJob(dom)) < 0)
		crmd_exec_job_fail_virt(job, "cannot abort the migration of '%s'", job->rsc_id);
	virDomainFree(dom);
}

void crmd_exec_ops_run(struct crmd_exec_job *job, virConnectPtr conn)
{
	job->state = CRMD_EXEC_STATE_UNKNOWN;
	job->reason = "";
	if (!conn) {
		crmd_exec_job_fail(job, -ENOTCONN, "hypervisor %s is not connected",
				   job->ex->uri);
		return;
	}
	switch (job->op) {
	case CRMD_EXEC_START:
		op_start(job, conn);
		break;
	case CRMD_EXEC_STOP:
		op_stop(job, conn);
		break;
	case CRMD_EXEC_MIGRATE:
		op_migrate(job, conn);
		break;
	case CRMD_EXEC_MONITOR:
		op_monitor(job, conn);
		break;
	case CRMD_EXEC_PROBE:
		op_probe(job, conn);
		break;
	case CRMD_EXEC_OP_ABORT:
		op_abort(job, conn);
		break;
	default:
		crmd_exec_job_fail(job, -EINVAL, "unknown operation %d", job->op);
		break;
	}
	virResetLastError();
}
