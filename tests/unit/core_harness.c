/* core_harness.c - see core_harness.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_harness.h"

#define MAX_NODES 16

struct item {
	struct item *next;
	uint64_t at;
	uint64_t seq;
	int node;
	uint32_t pid;           /* the daemon it is for; dropped when that one is gone */
	bool is_timer;
	enum crmd_timer timer;
	bool is_write;          /* completes a write: data goes to disk first */
	char *write_data;
	uint64_t write_term;
	struct crmd_event ev;
	void *mem;
};

struct reply {
	struct reply *next;
	uint64_t client_id;
	char *json;
};

struct hnode {
	struct harness *h;
	int idx;
	bool powered;
	int part;
	uint32_t pid;           /* 0: daemon not running */
	struct crmd_core *core;
	char *disk;
	uint64_t disk_term;     /* the commit term stored with it */
	uint64_t write_delay_ms; /* extra time a write takes (default 0) */
	struct reply *replies;
	char **logs;
	size_t n_logs;
};

struct harness {
	int n;
	struct hnode nodes[MAX_NODES + 1];
	uint64_t now;
	uint64_t seq;
	uint64_t ring_seq;
	uint32_t next_pid;
	uint64_t next_client;
	uint64_t quorum_delay_ms;
	struct item *queue;
	/* Per partition label: the daemons in the group, in join order. */
	struct vg_member procs[MAX_NODES + 1][MAX_NODES];
	size_t n_procs[MAX_NODES + 1];
	uint64_t part_ring[MAX_NODES + 1];
	bool two_node;          /* Corosync's two_node (wait_for_all implied) */
	bool all_seen;          /* wait_for_all: every node was in one partition */
	h_hv_fn hv_fn;          /* the simulated hypervisors; NULL: none */
	void *hv_data;
	uint64_t node_quorum_delay_ms[MAX_NODES + 1];
	h_fence_fn fence_fn;    /* the simulated fence devices; NULL: none */
	void *fence_data;
};

/* ---- queue ---- */

static void item_free(struct item *it)
{
	free(it->mem);
	free(it->write_data);
	free(it);
}

static void enqueue(struct harness *h, struct item *it)
{
	it->seq = ++h->seq;
	struct item **p = &h->queue;
	while (*p && ((*p)->at < it->at || ((*p)->at == it->at && (*p)->seq < it->seq)))
		p = &(*p)->next;
	it->next = *p;
	*p = it;
}

static struct item *new_item(struct harness *h, int node, uint64_t delay)
{
	struct item *it = calloc(1, sizeof(*it));
	it->node = node;
	it->pid = h->nodes[node].pid;
	it->at = h->now + delay;
	return it;
}

static void queue_message(struct harness *h, int node, uint32_t from_node, uint32_t from_pid,
			  const void *buf, size_t len)
{
	struct item *it = new_item(h, node, 0);
	it->mem = malloc(len ? len : 1);
	memcpy(it->mem, buf, len);
	it->ev.type = CRMD_EV_MESSAGE;
	it->ev.message.nodeid = from_node;
	it->ev.message.pid = from_pid;
	it->ev.message.buf = it->mem;
	it->ev.message.len = len;
	enqueue(h, it);
}

static void queue_ring(struct harness *h, int node, uint64_t seq)
{
	struct item *it = new_item(h, node, 0);
	uint32_t *ids = calloc(MAX_NODES, sizeof(*ids));
	size_t n = 0;
	int part = h->nodes[node].part;
	for (int i = 1; i <= h->n; i++)
		if (h->nodes[i].powered && h->nodes[i].part == part)
			ids[n++] = (uint32_t)i;
	it->mem = ids;
	it->ev.type = CRMD_EV_RING;
	it->ev.ring.seq = seq;
	it->ev.ring.nodeids = ids;
	it->ev.ring.n = n;
	enqueue(h, it);
}

static bool part_quorate(struct harness *h, int part)
{
	int powered = 0, up = 0, same = 0, first = 0;
	for (int i = 1; i <= h->n; i++) {
		powered += h->nodes[i].powered && h->nodes[i].part == part;
		if (h->nodes[i].powered) {
			up++;
			first = first ? first : h->nodes[i].part;
			same += h->nodes[i].part == first;
		}
	}
	/* two_node: one vote is enough once both nodes were seen together
	 * (wait_for_all); then both sides of a cut stay quorate. */
	if (h->two_node && h->n == 2) {
		if (up == 2 && same == 2)
			h->all_seen = true;
		return h->all_seen && powered >= 1;
	}
	return powered * 2 > h->n;
}

static void queue_quorum(struct harness *h, int node, uint64_t seq, uint64_t delay)
{
	struct item *it = new_item(h, node, delay);
	it->ev.type = CRMD_EV_QUORUM;
	it->ev.quorum.ring_seq = seq;
	it->ev.quorum.quorate = part_quorate(h, h->nodes[node].part);
	enqueue(h, it);
}

static void queue_view(struct harness *h, int node, const struct vg_member *members, size_t n,
		       const struct crmd_change *left, size_t n_left,
		       const struct crmd_change *joined, size_t n_joined)
{
	struct item *it = new_item(h, node, 0);
	size_t a = n * sizeof(*members), b = n_left * sizeof(*left), c = n_joined * sizeof(*joined);
	uint8_t *mem = malloc(a + b + c + 1);
	if (a)
		memcpy(mem, members, a);
	if (b)
		memcpy(mem + a, left, b);
	if (c)
		memcpy(mem + a + b, joined, c);
	it->mem = mem;
	it->ev.type = CRMD_EV_VIEW;
	it->ev.view.members = (const struct vg_member *)(void *)mem;
	it->ev.view.n = n;
	it->ev.view.left = (const struct crmd_change *)(void *)(mem + a);
	it->ev.view.n_left = n_left;
	it->ev.view.joined = (const struct crmd_change *)(void *)(mem + a + b);
	it->ev.view.n_joined = n_joined;
	enqueue(h, it);
}

/* ---- environment ---- */

static uint64_t env_now(void *ctx)
{
	struct hnode *n = ctx;
	return n->h->now;
}

static void env_timer_cancel(void *ctx, enum crmd_timer t)
{
	struct hnode *n = ctx;
	struct harness *h = n->h;
	for (struct item **p = &h->queue; *p;) {
		struct item *it = *p;
		if (it->is_timer && it->node == n->idx && it->timer == t) {
			*p = it->next;
			item_free(it);
		} else {
			p = &it->next;
		}
	}
}

static void env_timer_arm(void *ctx, enum crmd_timer t, uint64_t delay_ms)
{
	struct hnode *n = ctx;
	env_timer_cancel(ctx, t);
	struct item *it = new_item(n->h, n->idx, delay_ms);
	it->is_timer = true;
	it->timer = t;
	it->ev.type = CRMD_EV_TIMER;
	it->ev.timer.timer = t;
	enqueue(n->h, it);
}

static int env_send(void *ctx, const void *frame, size_t len)
{
	struct hnode *n = ctx;
	struct harness *h = n->h;
	int part = n->part;
	for (size_t i = 0; i < h->n_procs[part]; i++) {
		const struct vg_member *m = &h->procs[part][i];
		queue_message(h, (int)m->nodeid, (uint32_t)n->idx, n->pid, frame, len);
	}
	return 0;
}

static void env_persist(void *ctx, uint64_t write_id, const char *xml, size_t len,
			uint64_t term)
{
	struct hnode *n = ctx;
	struct item *it = new_item(n->h, n->idx, 1 + n->write_delay_ms);
	it->is_write = true;
	it->write_data = strndup(xml, len);
	it->write_term = term;
	it->ev.type = CRMD_EV_PERSISTED;
	it->ev.persisted.write_id = write_id;
	it->ev.persisted.rc = 0;
	enqueue(n->h, it);
}

static void env_reply(void *ctx, uint64_t client_id, const char *json)
{
	struct hnode *n = ctx;
	struct reply *r = calloc(1, sizeof(*r));
	r->client_id = client_id;
	r->json = strdup(json);
	r->next = n->replies;
	n->replies = r;
}

static int env_hv_submit(void *ctx, const struct crmd_hv_action *a)
{
	struct hnode *n = ctx;
	return n->h->hv_fn(n->h->hv_data, (int)(n - n->h->nodes), a);
}

static int env_fence_submit(void *ctx, const struct crmd_fence_action *a)
{
	struct hnode *n = ctx;
	return n->h->fence_fn(n->h->fence_data, (int)(n - n->h->nodes), a);
}

void h_set_fence(struct harness *h, h_fence_fn fn, void *data)
{
	h->fence_fn = fn;
	h->fence_data = data;
}

void h_set_hv(struct harness *h, h_hv_fn fn, void *data)
{
	h->hv_fn = fn;
	h->hv_data = data;
}

void h_handle(struct harness *h, int node, const struct crmd_event *ev)
{
	if (h->nodes[node].core)
		crmd_core_handle(h->nodes[node].core, ev);
}

static void env_log(void *ctx, int level, const char *msg)
{
	struct hnode *n = ctx;
	n->logs = realloc(n->logs, (n->n_logs + 1) * sizeof(*n->logs));
	if (asprintf(&n->logs[n->n_logs], "[%llu] %s", (unsigned long long)n->h->now, msg) >= 0)
		n->n_logs++;
}

/* ---- membership model ---- */

static void new_ring(struct harness *h, int part)
{
	h->ring_seq += 4;
	h->part_ring[part] = h->ring_seq;
}

/* Tells every daemon of @part about the ring (after any view). */
static void announce_ring(struct harness *h, int part)
{
	for (size_t i = 0; i < h->n_procs[part]; i++) {
		int node = (int)h->procs[part][i].nodeid;
		queue_ring(h, node, h->part_ring[part]);
		queue_quorum(h, node, h->part_ring[part],
			     h->quorum_delay_ms + h->node_quorum_delay_ms[node]);
	}
}

static void remove_proc(struct harness *h, int part, int node, uint32_t pid)
{
	for (size_t i = 0; i < h->n_procs[part]; i++)
		if ((int)h->procs[part][i].nodeid == node && h->procs[part][i].pid == pid) {
			memmove(&h->procs[part][i], &h->procs[part][i + 1],
				(h->n_procs[part] - i - 1) * sizeof(struct vg_member));
			h->n_procs[part]--;
			return;
		}
}

static void daemon_gone(struct harness *h, int node, enum crmd_reason reason)
{
	struct hnode *n = &h->nodes[node];
	if (!n->pid)
		return;
	struct vg_member me = { (uint32_t)node, n->pid };
	crmd_core_free(n->core);
	n->core = NULL;
	n->pid = 0;
	int part = n->part;
	remove_proc(h, part, node, me.pid);
	struct crmd_change l = { me, reason };
	for (size_t i = 0; i < h->n_procs[part]; i++)
		queue_view(h, (int)h->procs[part][i].nodeid, h->procs[part], h->n_procs[part], &l, 1,
			   NULL, 0);
}

struct harness *h_new(int n_nodes)
{
	struct harness *h = calloc(1, sizeof(*h));
	h->n = n_nodes;
	h->next_pid = 1000;
	h->ring_seq = 8;
	for (int i = 1; i <= n_nodes; i++) {
		h->nodes[i].h = h;
		h->nodes[i].idx = i;
		h->nodes[i].part = 1;
	}
	return h;
}

void h_set_two_node(struct harness *h)
{
	h->two_node = true;
}

void h_shutdown(struct harness *h, int node, uint64_t timeout_ms)
{
	struct crmd_event ev = { .type = CRMD_EV_SHUTDOWN };
	ev.shutdown.timeout_ms = timeout_ms;
	if (h->nodes[node].core)
		crmd_core_handle(h->nodes[node].core, &ev);
}

void h_set_write_delay(struct harness *h, int node, uint64_t ms)
{
	h->nodes[node].write_delay_ms = ms;
}

void h_set_quorum_delay(struct harness *h, uint64_t ms)
{
	h->quorum_delay_ms = ms;
}

void h_set_node_quorum_delay(struct harness *h, int node, uint64_t ms)
{
	h->node_quorum_delay_ms[node] = ms;
}

void h_daemon_start(struct harness *h, int node)
{
	struct hnode *n = &h->nodes[node];
	if (n->pid || !n->powered)
		return;
	static const char *names[] = { "", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9",
				       "n10", "n11", "n12", "n13", "n14", "n15", "n16" };
	struct crmd_node_name nl[MAX_NODES];
	for (int i = 1; i <= h->n; i++)
		nl[i - 1] = (struct crmd_node_name){ (uint32_t)i, names[i] };
	n->pid = ++h->next_pid;
	struct crmd_env env = {
		.ctx = n, .now_ms = env_now, .timer_arm = env_timer_arm,
		.timer_cancel = env_timer_cancel, .group_send = env_send, .persist = env_persist,
		.reply = env_reply, .log = env_log,
		.hv_submit = h->hv_fn ? env_hv_submit : NULL,
		.fence_submit = h->fence_fn ? env_fence_submit : NULL,
	};
	struct crmd_core_config cfg = {
		.local_nodeid = (uint32_t)node, .local_pid = n->pid, .cluster_name = "test",
		.nodes = nl, .n_nodes = (size_t)h->n,
	};
	if (crmd_core_new(&env, &cfg, &n->core)) {
		fprintf(stderr, "crmd_core_new failed\n");
		abort();
	}
	struct crmd_event start = { .type = CRMD_EV_START };
	start.start.xml = n->disk;
	start.start.len = n->disk ? strlen(n->disk) : 0;
	start.start.term = n->disk ? n->disk_term : 0;
	crmd_core_handle(n->core, &start);

	int part = n->part;
	struct vg_member me = { (uint32_t)node, n->pid };
	h->procs[part][h->n_procs[part]++] = me;
	struct crmd_change j = { me, CRMD_REASON_JOIN };
	/* As Corosync does it: quorum first (trackstart), then the view, then the
	 * initial ring. */
	queue_quorum(h, node, h->part_ring[part], 0);
	for (size_t i = 0; i < h->n_procs[part]; i++)
		queue_view(h, (int)h->procs[part][i].nodeid, h->procs[part], h->n_procs[part], NULL, 0,
			   &j, 1);
	queue_ring(h, node, h->part_ring[part]);
}

void h_boot(struct harness *h, int node)
{
	struct hnode *n = &h->nodes[node];
	if (n->powered)
		return;
	n->powered = true;
	new_ring(h, n->part);
	announce_ring(h, n->part);
	h_daemon_start(h, node);
}

void h_daemon_kill(struct harness *h, int node)
{
	daemon_gone(h, node, CRMD_REASON_PROCDOWN);
}

void h_daemon_stop(struct harness *h, int node)
{
	daemon_gone(h, node, CRMD_REASON_LEAVE);
}

void h_power_off(struct harness *h, int node)
{
	struct hnode *n = &h->nodes[node];
	if (!n->powered)
		return;
	daemon_gone(h, node, CRMD_REASON_NODEDOWN);
	n->powered = false;
	/* Writes not completed are lost with the power. */
	for (struct item **p = &h->queue; *p;) {
		struct item *it = *p;
		if (it->node == node) {
			*p = it->next;
			item_free(it);
		} else {
			p = &it->next;
		}
	}
	new_ring(h, n->part);
	announce_ring(h, n->part);
}

void h_partition(struct harness *h, const int *part)
{
	/* Old group lists, per node's old partition. */
	struct vg_member old[MAX_NODES + 1][MAX_NODES];
	size_t n_old[MAX_NODES + 1];
	int old_part[MAX_NODES + 1];
	memcpy(old, h->procs, sizeof(old));
	memcpy(n_old, h->n_procs, sizeof(n_old));
	for (int i = 1; i <= h->n; i++) {
		old_part[i] = h->nodes[i].part;
		h->nodes[i].part = part[i];
	}
	/* New lists: every daemon, ordered by pid (join order). */
	memset(h->n_procs, 0, sizeof(h->n_procs));
	for (uint32_t pid = 1; pid <= h->next_pid; pid++)
		for (int i = 1; i <= h->n; i++)
			if (h->nodes[i].pid == pid) {
				int p = h->nodes[i].part;
				h->procs[p][h->n_procs[p]++] = (struct vg_member){ (uint32_t)i, pid };
			}
	/* Messages not yet delivered across the new cut are lost for the other
	 * side: the sender's side still delivers them (a cut-off member can deliver
	 * what nobody else will). */
	for (struct item **p = &h->queue; *p;) {
		struct item *it = *p;
		if (it->ev.type == CRMD_EV_MESSAGE && !it->is_timer && !it->is_write &&
		    h->nodes[it->ev.message.nodeid].part != h->nodes[it->node].part) {
			*p = it->next;
			item_free(it);
		} else {
			p = &it->next;
		}
	}
	bool changed[MAX_NODES + 1] = { false };
	for (int i = 1; i <= h->n; i++)
		if (h->nodes[i].powered && old_part[i] != part[i])
			changed[part[i]] = changed[old_part[i]] = true;
	for (int p = 0; p <= MAX_NODES; p++)
		if (changed[p])
			new_ring(h, p);
	for (int i = 1; i <= h->n; i++) {
		struct hnode *n = &h->nodes[i];
		if (!n->pid || !changed[n->part])
			continue;
		int op = old_part[i], np = n->part;
		struct crmd_change left[MAX_NODES], joined[MAX_NODES];
		size_t nl = 0, nj = 0;
		for (size_t k = 0; k < n_old[op]; k++) {
			bool stays = false;
			for (size_t m = 0; m < h->n_procs[np]; m++)
				stays |= !memcmp(&old[op][k], &h->procs[np][m], sizeof(struct vg_member));
			if (!stays)
				left[nl++] = (struct crmd_change){ old[op][k], CRMD_REASON_NODEDOWN };
		}
		for (size_t m = 0; m < h->n_procs[np]; m++) {
			bool was = false;
			for (size_t k = 0; k < n_old[op]; k++)
				was |= !memcmp(&old[op][k], &h->procs[np][m], sizeof(struct vg_member));
			if (!was)
				joined[nj++] = (struct crmd_change){ h->procs[np][m], CRMD_REASON_NODEUP };
		}
		if (nl || nj)
			queue_view(h, i, h->procs[np], h->n_procs[np], left, nl, joined, nj);
	}
	for (int p = 0; p <= MAX_NODES; p++)
		if (changed[p])
			announce_ring(h, p);
}

/* ---- running ---- */

static bool step_one(struct harness *h, uint64_t limit)
{
	struct item *it = h->queue;
	if (!it || it->at > limit)
		return false;
	h->queue = it->next;
	if (it->at > h->now)
		h->now = it->at;
	struct hnode *n = &h->nodes[it->node];
	if (n->pid && n->pid == it->pid && n->core) {
		if (it->is_write) {
			free(n->disk);
			n->disk = it->write_data;
			n->disk_term = it->write_term;
			it->write_data = NULL;
		}
		crmd_core_handle(n->core, &it->ev);
	}
	item_free(it);
	return true;
}

void h_run(struct harness *h, uint64_t max_ms)
{
	uint64_t limit = h->now + max_ms;
	for (int guard = 0; guard < 1000000 && step_one(h, limit); guard++)
		;
}

void h_run_for(struct harness *h, uint64_t ms)
{
	uint64_t end = h->now + ms;
	for (int guard = 0; guard < 1000000 && step_one(h, end); guard++)
		;
	if (h->now < end)
		h->now = end;
}

void h_step(struct harness *h, int n)
{
	for (int i = 0; i < n && step_one(h, UINT64_MAX); i++)
		;
}

uint64_t h_request(struct harness *h, int node, const char *json)
{
	uint64_t id = ++h->next_client;
	struct crmd_event ev = { .type = CRMD_EV_REQUEST };
	ev.request.client_id = id;
	ev.request.json = json;
	ev.request.len = strlen(json);
	if (h->nodes[node].core)
		crmd_core_handle(h->nodes[node].core, &ev);
	return id;
}

const char *h_reply(struct harness *h, int node, uint64_t client_id)
{
	for (struct reply *r = h->nodes[node].replies; r; r = r->next)
		if (r->client_id == client_id)
			return r->json;
	return NULL;
}

void h_inject(struct harness *h, int node, const void *buf, size_t len)
{
	env_send(&h->nodes[node], buf, len);
}

uint32_t h_intruder_join(struct harness *h, int node)
{
	int part = h->nodes[node].part;
	struct vg_member me = { (uint32_t)node, ++h->next_pid };
	h->procs[part][h->n_procs[part]++] = me;
	struct crmd_change j = { me, CRMD_REASON_JOIN };
	for (size_t i = 0; i < h->n_procs[part]; i++)
		queue_view(h, (int)h->procs[part][i].nodeid, h->procs[part], h->n_procs[part], NULL, 0,
			   &j, 1);
	return me.pid;
}

void h_intruder_send(struct harness *h, int node, uint32_t pid, const void *buf, size_t len)
{
	int part = h->nodes[node].part;
	for (size_t i = 0; i < h->n_procs[part]; i++)
		queue_message(h, (int)h->procs[part][i].nodeid, (uint32_t)node, pid, buf, len);
}

void h_intruder_leave(struct harness *h, int node, uint32_t pid)
{
	int part = h->nodes[node].part;
	for (size_t i = 0; i < h->n_procs[part]; i++)
		if ((int)h->procs[part][i].nodeid == node && h->procs[part][i].pid == pid) {
			memmove(&h->procs[part][i], &h->procs[part][i + 1],
				(h->n_procs[part] - i - 1) * sizeof(struct vg_member));
			h->n_procs[part]--;
			break;
		}
	struct crmd_change l = { { (uint32_t)node, pid }, CRMD_REASON_LEAVE };
	for (size_t i = 0; i < h->n_procs[part]; i++)
		queue_view(h, (int)h->procs[part][i].nodeid, h->procs[part], h->n_procs[part], &l, 1,
			   NULL, 0);
}

bool h_powered(struct harness *h, int node)
{
	return h->nodes[node].powered;
}

int h_part_of(struct harness *h, int node)
{
	return h->nodes[node].part;
}

bool h_part_quorate(struct harness *h, int part)
{
	return part_quorate(h, part);
}

struct crmd_core *h_core(struct harness *h, int node)
{
	return h->nodes[node].core;
}

const char *h_disk(struct harness *h, int node)
{
	return h->nodes[node].disk;
}

void h_set_disk(struct harness *h, int node, const char *xml)
{
	free(h->nodes[node].disk);
	h->nodes[node].disk = xml ? strdup(xml) : NULL;
}

int h_log_count(struct harness *h, int node, const char *needle)
{
	int c = 0;
	for (size_t i = 0; i < h->nodes[node].n_logs; i++)
		c += strstr(h->nodes[node].logs[i], needle) != NULL;
	return c;
}

void h_dump_logs(struct harness *h)
{
	for (int i = 1; i <= h->n; i++)
		for (size_t k = 0; k < h->nodes[i].n_logs; k++)
			fprintf(stderr, "n%d %s\n", i, h->nodes[i].logs[k]);
}

uint64_t h_now(struct harness *h)
{
	return h->now;
}

void h_free(struct harness *h)
{
	if (!h)
		return;
	if (getenv("HARNESS_DUMP"))
		h_dump_logs(h);
	while (h->queue) {
		struct item *it = h->queue;
		h->queue = it->next;
		item_free(it);
	}
	for (int i = 1; i <= h->n; i++) {
		struct hnode *n = &h->nodes[i];
		crmd_core_free(n->core);
		free(n->disk);
		while (n->replies) {
			struct reply *r = n->replies;
			n->replies = r->next;
			free(r->json);
			free(r);
		}
		for (size_t k = 0; k < n->n_logs; k++)
			free(n->logs[k]);
		free(n->logs);
	}
	free(h);
}
