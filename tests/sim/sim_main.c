/*
 * sim_main.c - vigil-sim, the command line.
 *
 *   vigil-sim run [--trace] [--verbose] FILE...
 *   vigil-sim random [--nodes N] [--vms K] [--seed S | --seconds T] [--first-seed S]
 *                    [--fault-ms MS] [--trace] [--verbose] [--bug NAME]
 *   vigil-sim selftest [--seconds-per-bug T]
 *
 * Exit status: 0 all good; 1 a violation or a failed expectation; 2 usage.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"

static double wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of this process: throughput on a loaded machine. */
static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: vigil-sim run [--trace] [--verbose] [--tie-daemons] FILE...\n"
		"       vigil-sim random [--nodes N] [--vms K] [--seed S | --seconds T]\n"
		"                        [--first-seed S] [--max-schedules N] [--fault-ms MS]\n"
		"                        [--tie-daemons] [--no-hv-faults]\n"
		"                        [--trace] [--verbose]\n"
		"       vigil-sim selftest [--seconds-per-bug T]\n");
	return 2;
}

/* ---- run ---- */

static int cmd_run(int argc, char **argv)
{
	bool trace = false, verbose = false, tie = false;
	int rc = 0, files = 0;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--trace")) {
			trace = true;
			continue;
		}
		if (!strcmp(argv[i], "--verbose")) {
			trace = verbose = true;
			continue;
		}
		if (!strcmp(argv[i], "--tie-daemons")) {
			tie = true;
			continue;
		}
		files++;
		struct sim_schedule s;
		if (sim_schedule_parse(argv[i], &s, stderr)) {
			rc = 1;
			continue;
		}
		struct sim_opts o = { .n_nodes = s.n_nodes, .n_vms = s.n_vms, .seed = s.seed,
				      .trace = trace ? stdout : NULL, .verbose = verbose,
				      .tie_daemons = tie || s.tie_daemons };
		struct sim_world *w = sim_world_new(&o);
		struct sim_result r;
		sim_world_run(w, &s, s.finally_converge, &r);
		sim_world_free(w);
		bool ok = !r.violations && !r.expect_failed;
		const char *verdict = ok ? "ok" : "FAILED";
		if (s.known_bug[0]) {
			/* Kept forever: passes while the bug reproduces; when it is fixed
			 * it fails, so that the marker is removed and it guards the fix. */
			bool seen = r.violations || r.expect_failed;
			verdict = seen ? "ok, known bug reproduced" :
				  "FAILED: the known bug no longer reproduces (fixed? remove the "
				  "known-bug line)";
			ok = seen;
		}
		printf("%s: %s (%zu commands, %" PRIu64 " events, %" PRIu64 " acknowledged, "
		       "%" PRIu64 " violations, %" PRIu64 " failed expectations)\n", argv[i],
		       verdict, s.n, r.events, r.acked, r.violations, r.expect_failed);
		if (s.known_bug[0])
			printf("  known bug %s\n", s.known_bug);
		if (r.violations)
			printf("  first violation: %s\n", r.first_violation);
		if (!ok)
			rc = 1;
		sim_schedule_clear(&s);
	}
	return files ? rc : usage();
}

/* ---- random ---- */

struct random_opts {
	int nodes, vms;
	bool have_seed;
	uint64_t seed, first_seed;
	double seconds;
	uint64_t fault_ms;
	bool trace, verbose;
	bool tie_daemons;
	bool no_hv_faults;
	bool no_belief_check;
	enum sim_bug bug;
	bool quiet;             /* selftest: no per-seed output */
	uint64_t max_schedules; /* 0: no limit */
};

struct random_total {
	uint64_t schedules, failures, node_failures, violations, events;
	uint64_t hv_calls, fence_calls, policy_inputs;
	uint64_t first_bad_seed;
	char first_violation[512];
	double seconds, cpu_seconds;
};

static void one_seed(const struct random_opts *ro, uint64_t seed, FILE *trace,
		     struct sim_result *r)
{
	struct sim_schedule s;
	sim_schedule_random(&s, seed, ro->nodes, ro->vms, ro->fault_ms,
			    (ro->tie_daemons ? SIM_MENU_TIE_DAEMONS : 0u) |
			    (ro->no_hv_faults ? SIM_MENU_NO_HV_FAULTS : 0u));
	struct sim_opts o = { .n_nodes = ro->nodes, .n_vms = ro->vms, .seed = seed, .bug = ro->bug,
			      .trace = trace, .verbose = ro->verbose, .tie_daemons = ro->tie_daemons,
			      .no_belief_check = ro->no_belief_check };
	if (trace) {
		fprintf(trace, "# seed %" PRIu64 ": the schedule (a scenario file)\n", seed);
		sim_schedule_print(&s, trace);
		fprintf(trace, "# seed %" PRIu64 ": the trace\n", seed);
	}
	struct sim_world *w = sim_world_new(&o);
	sim_world_run(w, &s, true, r);
	sim_world_free(w);
	sim_schedule_clear(&s);
}

static void run_random(const struct random_opts *ro, struct random_total *t)
{
	*t = (struct random_total){ 0 };
	double start = wall_s(), cpu_start = cpu_s();
	uint64_t seed = ro->have_seed ? ro->seed : ro->first_seed;
	int printed = 0;
	for (;;) {
		struct sim_result r;
		one_seed(ro, seed, ro->trace && ro->have_seed ? stdout : NULL, &r);
		t->schedules++;
		t->failures += r.failures_injected;
		t->node_failures += r.node_failures;
		t->events += r.events;
		t->hv_calls += r.hv_calls;
		t->fence_calls += r.fence_calls;
		t->policy_inputs += r.policy_inputs;
		if (r.violations) {
			if (!t->violations) {
				t->first_bad_seed = seed;
				snprintf(t->first_violation, sizeof(t->first_violation), "%s",
					 r.first_violation);
			}
			t->violations += r.violations;
			if (!ro->quiet) {
				printf("VIOLATION seed=%" PRIu64 ": %s\n", seed, r.first_violation);
				printf("  replay: vigil-sim random --nodes %d --vms %d --seed %" PRIu64
				       " --fault-ms %" PRIu64 "%s --trace\n", ro->nodes, ro->vms, seed,
				       ro->fault_ms, ro->tie_daemons ? " --tie-daemons" :
				       ro->no_hv_faults ? " --no-hv-faults" : "");
				if (!ro->have_seed && printed++ < 3) {
					/* Same seed, same run: replay it with the trace on. */
					struct sim_result again;
					one_seed(ro, seed, stdout, &again);
				}
			}
		}
		if (ro->have_seed)
			break;
		if (ro->quiet && t->violations)
			break;
		if (ro->max_schedules && t->schedules >= ro->max_schedules)
			break;
		if (wall_s() - start >= ro->seconds)
			break;
		seed++;
	}
	t->seconds = wall_s() - start;
	t->cpu_seconds = cpu_s() - cpu_start;
}

static int parse_random(int argc, char **argv, struct random_opts *ro)
{
	*ro = (struct random_opts){ .nodes = 3, .seconds = 10, .fault_ms = 30000 };
	ro->first_seed = (uint64_t)time(NULL) * 1000;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--trace")) {
			ro->trace = true;
		} else if (!strcmp(a, "--tie-daemons")) {
			ro->tie_daemons = true;
		} else if (!strcmp(a, "--no-hv-faults")) {
			ro->no_hv_faults = true;
		} else if (!strcmp(a, "--no-belief-check")) {
			ro->no_belief_check = true;
		} else if (!strcmp(a, "--verbose")) {
			ro->trace = ro->verbose = true;
		} else if (!v) {
			return usage();
		} else if (!strcmp(a, "--nodes")) {
			ro->nodes = atoi(v);
			i++;
		} else if (!strcmp(a, "--vms")) {
			ro->vms = atoi(v);
			i++;
		} else if (!strcmp(a, "--seed")) {
			ro->seed = strtoull(v, NULL, 0);
			ro->have_seed = true;
			i++;
		} else if (!strcmp(a, "--first-seed")) {
			ro->first_seed = strtoull(v, NULL, 0);
			i++;
		} else if (!strcmp(a, "--seconds")) {
			ro->seconds = atof(v);
			i++;
		} else if (!strcmp(a, "--max-schedules")) {
			ro->max_schedules = strtoull(v, NULL, 0);
			i++;
		} else if (!strcmp(a, "--fault-ms")) {
			ro->fault_ms = strtoull(v, NULL, 0);
			i++;
		} else if (!strcmp(a, "--bug")) {
			int b = 1;
			while (b < SIM_BUG_COUNT && strcmp(sim_bug_name((enum sim_bug)b), v))
				b++;
			if (b == SIM_BUG_COUNT)
				return usage();
			ro->bug = (enum sim_bug)b;
			i++;
		} else {
			return usage();
		}
	}
	if (ro->nodes < 1 || ro->nodes > SIM_MAX_NODES - 1 || ro->vms < 0 || ro->vms > SIM_MAX_VMS ||
	    ro->seconds <= 0)
		return usage();
	return 0;
}

static int cmd_random(int argc, char **argv)
{
	struct random_opts ro;
	int rc = parse_random(argc, argv, &ro);
	if (rc)
		return rc;
	if (!ro.have_seed)
		printf("random: nodes=%d vms=%d first seed %" PRIu64 ", %.0f s%s\n", ro.nodes, ro.vms,
		       ro.first_seed, ro.seconds, ro.bug ? " (planted bug)" : "");
	struct random_total t;
	run_random(&ro, &t);
	printf("throughput: %.1f simulated node failures checked per wall second, %.1f per CPU "
	       "second (%" PRIu64 " node failures, %" PRIu64 " faults, %" PRIu64 " events in "
	       "%.1f s wall, %.1f s CPU)\n",
	       t.seconds > 0 ? (double)t.node_failures / t.seconds : 0.0,
	       t.cpu_seconds > 0 ? (double)t.node_failures / t.cpu_seconds : 0.0, t.node_failures,
	       t.failures, t.events, t.seconds, t.cpu_seconds);
	if (ro.vms)
		printf("the cores ran %" PRIu64 " policy computations, %" PRIu64 " hypervisor calls "
		       "and %" PRIu64 " fencing attempts\n", t.policy_inputs, t.hv_calls,
		       t.fence_calls);
	printf("schedules=%" PRIu64 " failures_injected=%" PRIu64 " violations=%" PRIu64
	       " seconds=%.1f\n", t.schedules, t.failures, t.violations, t.seconds);
	return t.violations ? 1 : 0;
}

/* ---- selftest: plant each bug, random mode must find it ---- */

static int cmd_selftest(int argc, char **argv)
{
	/* Bounded by schedules, not by the clock, so that a loaded machine finds
	 * the same bugs in the same seeds; the time is only a safety cap. */
	double per_bug = 600;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--seconds-per-bug") && i + 1 < argc)
			per_bug = atof(argv[++i]);
		else
			return usage();
	}
	int missed = 0, runs = 0;
	/* Each planted bug must be found by the check it breaks (@finds is part
	 * of that check's message), not by whatever else fails.  early-persist
	 * twice: the second time without the check that compares the core's
	 * belief with the disk, so the acknowledgement checks must find it. */
	static const struct {
		enum sim_bug bug;
		bool no_belief;
		const char *finds;
	} plan[] = {
		{ SIM_BUG_EARLY_PERSIST, false, "is on its disk" },
		{ SIM_BUG_EARLY_PERSIST, true, "acknowledged" },
		{ SIM_BUG_STALE_QUORUM, false, "quorum" },
		{ SIM_BUG_NO_FENCE_WAIT, false, "runs on two nodes" },
		{ SIM_BUG_FAKE_FENCE, false, "runs on two nodes" },
	};
	for (size_t k = 0; k < sizeof(plan) / sizeof(plan[0]); k++) {
		enum sim_bug b = plan[k].bug;
		runs++;
		struct random_opts ro = { .nodes = 3, .seconds = per_bug, .fault_ms = 20000,
					  .max_schedules = 60,
					  .bug = b, .quiet = true, .first_seed = 1,
					  .tie_daemons = true, .no_belief_check = plan[k].no_belief };
		/* The VM bugs: the cores run the VMs, with every fault but failing
		 * hypervisors (which find open bugs of their own, doc/simulator.md). */
		if (b == SIM_BUG_NO_FENCE_WAIT || b == SIM_BUG_FAKE_FENCE) {
			ro.vms = 4;
			ro.no_hv_faults = true;
		}
		/* With three or more nodes the core no longer trusts quorum alone
		 * (a DC needs a majority of vigilds in its view, which a
		 * partition without quorum cannot have), so a stale "quorate"
		 * does no harm there.  A two-node cluster makes do with one
		 * vigild: there the answer of the quorum binding decides. */
		if (b == SIM_BUG_STALE_QUORUM)
			ro.nodes = 2;
		struct random_total t;
		run_random(&ro, &t);
		if (t.violations && strstr(t.first_violation, plan[k].finds)) {
			printf("selftest: planted bug %s%s found after %" PRIu64 " schedules in %.2f s "
			       "(seed %" PRIu64 "): %s\n", sim_bug_name(b),
			       plan[k].no_belief ? " (without the disk-belief check)" : "", t.schedules,
			       t.seconds, t.first_bad_seed, t.first_violation);
			printf("  replay: vigil-sim random --nodes %d --vms %d --seed %" PRIu64
			       " --fault-ms %" PRIu64 " --tie-daemons%s --bug %s%s --trace\n", ro.nodes,
			       ro.vms, t.first_bad_seed, ro.fault_ms,
			       ro.no_hv_faults ? " --no-hv-faults" : "", sim_bug_name(b),
			       plan[k].no_belief ? " --no-belief-check" : "");
		} else if (b == SIM_BUG_FAKE_FENCE && !t.fence_calls) {
			/* Honest about what cannot be shown yet. */
			printf("selftest: planted bug %s not applicable: the cores never called "
			       "env.fence_submit in %" PRIu64 " schedules (the core does not fence "
			       "yet)\n", sim_bug_name(b), t.schedules);
			runs--;
		} else {
			printf("selftest: planted bug %s NOT found in %" PRIu64 " schedules (%.0f s)%s%s\n",
			       sim_bug_name(b), t.schedules, t.seconds,
			       t.violations ? "; another violation came first: " : "",
			       t.violations ? t.first_violation : "");
			missed++;
		}
	}
	printf("selftest: %d of %d planted-bug runs found their bug\n", runs - missed, runs);
	return missed ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(argv[1], "random"))
		return cmd_random(argc - 2, argv + 2);
	if (!strcmp(argv[1], "selftest"))
		return cmd_selftest(argc - 2, argv + 2);
	return usage();
}
