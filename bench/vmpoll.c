#include "config.h"

/* vmpoll.c - the failover benchmark's clock on a survivor: asks libvirt for
 * one domain's state every 100 ms and prints when it first runs.
 *
 * bench/failover starts one vmpoll per survivor (inside the survivor's
 * namespaces, so qemu:///system is that node's libvirtd) just before it
 * powers a node off.  Spawning virsh ten times a second costs 80 ms of CPU
 * per call idle and several hundred under load, enough to slow the failover
 * being measured; one process keeping one connection costs almost nothing.
 *
 * Output on stdout, one line per change of what libvirt says, the first
 * observation included:  "<CLOCK_REALTIME ms> <state>", where state is
 * absent (no such domain), noconn (libvirtd does not answer), or libvirt's
 * state: running, paused, shut-off, ...  A fresh QEMU shows paused before
 * running; the benchmark reads that as "QEMU launched".
 * Exit 0 once the domain runs, 1 on timeout ("<ms> timeout"), 2 on usage
 * errors. */

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#define VMPOLL_DEFAULT_URI "qemu:///system"
#define VMPOLL_DEFAULT_INTERVAL_MS 100
#define VMPOLL_DEFAULT_TIMEOUT_MS 120000

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: vmpoll [--uri URI] [--interval-ms MS] [--timeout-ms MS] DOMAIN\n"
		"Print \"<ms> <state>\" (CLOCK_REALTIME) whenever libvirt's state of DOMAIN\n"
		"changes, and exit 0 as soon as it is running (1 on timeout).\n"
		"  --uri URI         libvirt URI (default " VMPOLL_DEFAULT_URI ")\n"
		"  --interval-ms MS  polling period, 1..60000 (default 100)\n"
		"  --timeout-ms MS   give up after MS, 1..86400000 (default 120000)\n");
}

/* Parse a decimal in [min, max]; -EINVAL otherwise. */
static int parse_ms(const char *s, long min, long max, long *ret_ms)
{
	char *end;
	long v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*ret_ms = v;
	return 0;
}

static long long realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *state_name(int state)
{
	switch (state) {
	case VIR_DOMAIN_NOSTATE: return "nostate";
	case VIR_DOMAIN_RUNNING: return "running";
	case VIR_DOMAIN_BLOCKED: return "blocked";
	case VIR_DOMAIN_PAUSED: return "paused";
	case VIR_DOMAIN_SHUTDOWN: return "shutdown";
	case VIR_DOMAIN_SHUTOFF: return "shut-off";
	case VIR_DOMAIN_CRASHED: return "crashed";
	case VIR_DOMAIN_PMSUSPENDED: return "pmsuspended";
	default: return "unknown";
	}
}

/* "Domain not found" is the normal answer until the failover happens: keep
 * libvirt from printing every error on stderr. */
static void quiet_errors(void *opaque, virErrorPtr err)
{
}

/* One look at the domain: its state's name, "absent" or "noconn".  Drops the
 * connection when it broke, so that the next look reconnects. */
static const char *look(virConnectPtr *conn, const char *uri, const char *name)
{
	virDomainPtr dom;
	int state, reason;
	const char *what;

	if (!*conn) {
		*conn = virConnectOpen(uri);
		if (!*conn)
			return "noconn";
	}
	dom = virDomainLookupByName(*conn, name);
	if (!dom) {
		if (virGetLastErrorCode() == VIR_ERR_NO_DOMAIN)
			return "absent";
		goto drop_conn;
	}
	if (virDomainGetState(dom, &state, &reason, 0) < 0) {
		/* Gone between the lookup and the question. */
		what = virGetLastErrorCode() == VIR_ERR_NO_DOMAIN ? "absent" : NULL;
		virDomainFree(dom);
		if (what)
			return what;
		goto drop_conn;
	}
	virDomainFree(dom);
	return state_name(state);

drop_conn:
	if (virConnectIsAlive(*conn) == 1)
		return "error";
	virConnectClose(*conn);
	*conn = NULL;
	return "noconn";
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "uri", required_argument, NULL, 'u' },
		{ "interval-ms", required_argument, NULL, 'i' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *uri = VMPOLL_DEFAULT_URI, *name, *last = NULL, *now;
	long interval_ms = VMPOLL_DEFAULT_INTERVAL_MS, timeout_ms = VMPOLL_DEFAULT_TIMEOUT_MS;
	virConnectPtr conn = NULL;
	long long deadline_ms, next_ms;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			uri = optarg;
			break;
		case 'i':
			if (parse_ms(optarg, 1, 60000, &interval_ms) < 0) {
				fprintf(stderr, "vmpoll: --interval-ms: not a number in 1..60000: '%s'\n", optarg);
				return 2;
			}
			break;
		case 't':
			if (parse_ms(optarg, 1, 86400000, &timeout_ms) < 0) {
				fprintf(stderr, "vmpoll: --timeout-ms: not a number in 1..86400000: '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || !*argv[optind]) {
		fprintf(stderr, "vmpoll: exactly one DOMAIN expected\n");
		usage(stderr);
		return 2;
	}
	name = argv[optind];

	/* Line-buffered even into a pipe or file: the reader acts on each line. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	virSetErrorFunc(NULL, quiet_errors);

	next_ms = monotonic_ms();
	deadline_ms = next_ms + timeout_ms;
	for (;;) {
		now = look(&conn, uri, name);
		if (!last || strcmp(now, last)) {
			printf("%lld %s\n", realtime_ms(), now);
			last = now;
		}
		if (!strcmp(now, "running")) {
			rc = 0;
			break;
		}
		/* Absolute deadlines: a slow call does not stretch the period. */
		next_ms += interval_ms;
		if (next_ms > deadline_ms) {
			printf("%lld timeout\n", realtime_ms());
			rc = 1;
			break;
		}
		struct timespec ts = { .tv_sec = next_ms / 1000, .tv_nsec = (next_ms % 1000) * 1000000 };
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
	}
	if (conn)
		virConnectClose(conn);
	return rc;
}
