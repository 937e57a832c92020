/*
 * core_harness.h - several crmd cores in one process, on a small deterministic
 * model of Corosync: partitions, totally ordered delivery inside a partition,
 * views with reasons, rings with quorum (a majority of powered nodes), timers
 * on a simulated clock and disks whose writes complete as later events.
 *
 * It exists for the unit tests (tests/unit/test_core_*.c); the simulator of
 * issue 7 is the full version of the same idea.
 *
 * Nodes are numbered 1..n (index = node id, names "n1".."nN").  Nothing happens
 * until h_run(), which delivers queued events in order and advances the clock
 * to the next timer when the queue is empty.
 */
#ifndef VIGIL_TEST_CORE_HARNESS_H
#define VIGIL_TEST_CORE_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crmd_core.h"

struct harness;

struct harness *h_new(int n_nodes);
/* Simulated hypervisors (set before booting): @fn gets every hv_submit of
 * every node and must not call back; results go in later with h_handle(). */
typedef int (*h_hv_fn)(void *data, int node, const struct crmd_hv_action *a);
void h_set_hv(struct harness *h, h_hv_fn fn, void *data);
/* Simulated fence devices (set before booting): @fn gets every fence_submit
 * of every node and must not call back; results go in later with h_handle().
 * Unset: the cores cannot fence (env.fence_submit is NULL). */
typedef int (*h_fence_fn)(void *data, int node, const struct crmd_fence_action *a);
void h_set_fence(struct harness *h, h_fence_fn fn, void *data);
/* Hands a local event (a hypervisor's result or event) to node's core. */
void h_handle(struct harness *h, int node, const struct crmd_event *ev);
void h_free(struct harness *h);

/** Powers a node on: Corosync joins its partition, then vigild starts. */
void h_boot(struct harness *h, int node);
/** Powers a node off: everything it had not written is gone. */
void h_power_off(struct harness *h, int node);
/** Starts / kills (no clean leave) / stops (clean leave) vigild only. */
void h_daemon_start(struct harness *h, int node);
void h_daemon_kill(struct harness *h, int node);
void h_daemon_stop(struct harness *h, int node);
/** Puts each powered node into the partition part[node] (index 1..n).
 *  Group messages not yet delivered across the new cut are lost for the far
 *  side; the sender's side still gets them (as Corosync may do). */
void h_partition(struct harness *h, const int *part);
/** Corosync's two_node for a 2-node harness: a lone node is quorate once
 *  both were seen together (wait_for_all), so both sides of a cut are. */
void h_set_two_node(struct harness *h);
/** Asks node's vigild to stop cleanly (CRMD_EV_SHUTDOWN); the test calls
 *  h_daemon_stop() once crmd_core_shutdown_done() says so. */
void h_shutdown(struct harness *h, int node, uint64_t timeout_ms);
/** Delays quorum notifications by @ms after each ring (default 0). */
void h_set_quorum_delay(struct harness *h, uint64_t ms);
/** ... and by @ms more on @node only (quorum reaches members at different
 *  moments). */
void h_set_node_quorum_delay(struct harness *h, int node, uint64_t ms);
/** Makes the node's disk writes take @ms longer (default 0). */
void h_set_write_delay(struct harness *h, int node, uint64_t ms);

/** Delivers until nothing is left (firing timers up to @max_ms ahead). */
void h_run(struct harness *h, uint64_t max_ms);
/** Delivers what is due in the next @ms and moves the clock @ms ahead even
 *  when nothing happens (to let back-off timers come due). */
void h_run_for(struct harness *h, uint64_t ms);
/** Runs @n single steps (events), for interleavings. */
void h_step(struct harness *h, int n);

/** Sends a client request to a node; returns the client id. */
uint64_t h_request(struct harness *h, int node, const char *json);
/** The reply to that client, or NULL while there is none. */
const char *h_reply(struct harness *h, int node, uint64_t client_id);

/** Injects raw bytes into the group from a node's daemon (as if it sent them). */
void h_inject(struct harness *h, int node, const void *buf, size_t len);

/** A process that joins the group on @node without being a vigild (like
 *  tests/tools/vigil-inject): returns its pid. */
uint32_t h_intruder_join(struct harness *h, int node);
/** Sends raw bytes as that process. */
void h_intruder_send(struct harness *h, int node, uint32_t pid, const void *buf, size_t len);
void h_intruder_leave(struct harness *h, int node, uint32_t pid);

/** The model's view: is the node powered, its partition label, is that
 *  partition quorate (a majority of all nodes powered in it). */
bool h_powered(struct harness *h, int node);
int h_part_of(struct harness *h, int node);
bool h_part_quorate(struct harness *h, int part);

struct crmd_core *h_core(struct harness *h, int node);
/** What is on a node's disk (NULL: nothing). */
const char *h_disk(struct harness *h, int node);
/** Overwrites a node's disk (to corrupt it). */
void h_set_disk(struct harness *h, int node, const char *xml);
/** Counts log lines of a node containing @needle. */
int h_log_count(struct harness *h, int node, const char *needle);
/** Prints every node's log (for failing tests). */
void h_dump_logs(struct harness *h);
uint64_t h_now(struct harness *h);

#endif /* VIGIL_TEST_CORE_HARNESS_H */
