/* test_fen_plan.c - the pure fencing planner: host lists, maps, checks,
 * topology levels (target, pattern, attribute), delays, cluster options. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fen_cib_build.h"
#include "fen_plan.h"

static const struct fen_cluster_opts opts = {
	.enabled = true, .action = "reboot", .timeout_ms = 60000, .max_attempts = 10,
};

static struct fen_plan *plan_for(const struct vg_cib *cib, const char *target,
				 const char *action, struct vg_diags *d)
{
	struct fen_plan *p = NULL;
	assert_int_equal(fen_plan_build(cib, target, action, &opts, &p, d), 0);
	assert_non_null(p);
	return p;
}

static const char *param(const struct fen_device *dev, const char *name)
{
	for (size_t i = 0; i < dev->n_params; i++)
		if (strcmp(dev->params[i].name, name) == 0)
			return dev->params[i].value;
	return NULL;
}

static bool diags_mention(const struct vg_diags *d, const char *needle)
{
	for (size_t i = 0; i < d->n; i++)
		if (strstr(d->v[i].message, needle))
			return true;
	return false;
}

static void test_host_list(void **state)
{
	struct vg_resource res[] = {
		STONITH("f1", "fence_x", NV("pcmk_host_list", "n1 n2,n3;n4\tn5"), NV("ip", "10.0.0.1")),
	};
	struct vg_cib cib = { .resources = res, .n_resources = ARRAY_N(res) };
	const char *yes[] = { "n1", "n2", "n3", "n4", "n5", "N1" };
	for (size_t i = 0; i < ARRAY_N(yes); i++) {
		struct vg_diags d = { 0 };
		struct fen_plan *p = plan_for(&cib, yes[i], "reboot", &d);
		assert_int_equal(p->n_levels, 1);
		assert_false(p->from_topology);
		const struct fen_device *dev = &p->levels[0].devices[0];
		assert_string_equal(dev->id, "f1");
		assert_string_equal(dev->agent, "fence_x");
		assert_int_equal(dev->check, FEN_CHECK_STATIC_LIST);
		assert_string_equal(dev->port, yes[i]);
		assert_string_equal(dev->host_arg, "port");
		assert_string_equal(dev->action, "reboot");
		/* pcmk_* attributes are ours, never the agent's. */
		assert_int_equal(dev->n_params, 1);
		assert_string_equal(param(dev, "ip"), "10.0.0.1");
		assert_int_equal(d.n, 0);
		fen_plan_free(p);
	}
	assert_true(fen_device_lists_target(&res[0], "n3"));
	assert_true(fen_device_lists_target(&res[0], "N5"));
	assert_false(fen_device_lists_target(&res[0], "n6"));
	/* Not a prefix, not a substring: only whole names. */
	const char *no[] = { "n", "n6", "n1 ", "2" };
	for (size_t i = 0; i < ARRAY_N(no); i++) {
		struct vg_diags d = { 0 };
		struct fen_plan *p = plan_for(&cib, no[i], "reboot", &d);
		assert_int_equal(p->n_levels, 0);
		assert_true(diags_mention(&d, "no fence device"));
		fen_plan_free(p);
		vg_diags_clear(&d);
	}
}

static void test_host_map(void **state)
{
	char *port = NULL;
	const char *map = "n1:p1;n2=p2 n3:plug\\:3\tn4:2,3;;n5:";
	assert_int_equal(fen_host_map_lookup(map, "n1", &port), 0);
	assert_string_equal(port, "p1");
	free(port);
	assert_int_equal(fen_host_map_lookup(map, "n2", &port), 0);
	assert_string_equal(port, "p2");
	free(port);
	assert_int_equal(fen_host_map_lookup(map, "n3", &port), 0);
	assert_string_equal(port, "plug:3");
	free(port);
	assert_int_equal(fen_host_map_lookup(map, "n4", &port), 0);
	assert_string_equal(port, "2,3");
	free(port);
	assert_int_equal(fen_host_map_lookup(map, "N2", &port), 0);
	assert_string_equal(port, "p2");
	free(port);
	assert_int_equal(fen_host_map_lookup(map, "n9", &port), -ENOENT);
	assert_int_equal(fen_host_map_lookup(map, "p1", &port), -ENOENT);

	struct vg_resource res[] = {
		STONITH("f1", "fence_x", NV("pcmk_host_map", "n1:p1;n2:p2"),
			NV("pcmk_host_argument", "plug")),
		STONITH("f2", "fence_y", NV("pcmk_host_list", "n1"), NV("pcmk_host_argument", "none")),
		/* An explicit port wins over the map; "dynamic" does not. */
		STONITH("f3", "fence_z", NV("pcmk_host_map", "n1:p1"), NV("port", "outlet9")),
		STONITH("f4", "fence_z", NV("pcmk_host_map", "n1:p1"), NV("port", "dynamic")),
	};
	struct vg_cib cib = { .resources = res, .n_resources = ARRAY_N(res) };
	struct vg_diags d = { 0 };
	struct fen_plan *p = plan_for(&cib, "n1", "off", &d);
	assert_int_equal(p->n_levels, 4);
	assert_string_equal(p->levels[0].devices[0].port, "p1");
	assert_string_equal(p->levels[0].devices[0].host_arg, "plug");
	assert_string_equal(p->levels[0].devices[0].action, "off");
	assert_null(p->levels[1].devices[0].host_arg);
	assert_string_equal(p->levels[2].devices[0].port, "outlet9");
	assert_string_equal(p->levels[3].devices[0].port, "p1");
	fen_plan_free(p);
	p = plan_for(&cib, "n2", "off", &d);
	assert_int_equal(p->n_levels, 1);
	assert_string_equal(p->levels[0].devices[0].id, "f1");
	assert_string_equal(p->levels[0].devices[0].port, "p2");
	fen_plan_free(p);
	assert_int_equal(d.n, 0);
}

static void test_host_check(void **state)
{
	struct vg_resource res[] = {
		STONITH("dyn", "fence_a", NV("ip", "a")),
		STONITH("dyn2", "fence_b", NV("pcmk_host_check", "dynamic-list"),
			NV("pcmk_host_list", "other")),
		STONITH("st", "fence_c", NV("pcmk_host_check", "status")),
		STONITH("none", "fence_d", NV("pcmk_host_check", "none")),
		STONITH("bad", "fence_e", NV("pcmk_host_check", "sometimes")),
		STONITH("list", "fence_f", NV("pcmk_host_check", "static-list"),
			NV("pcmk_host_list", "other")),
		STONITH("sneaky", "../bin/sh", NV("pcmk_host_check", "none")),
	};
	struct vg_cib cib = { .resources = res, .n_resources = ARRAY_N(res) };
	struct vg_diags d = { 0 };
	struct fen_plan *p = plan_for(&cib, "n1", "reboot", &d);
	assert_int_equal(p->n_levels, 4);
	assert_string_equal(p->levels[0].devices[0].id, "dyn");
	assert_int_equal(p->levels[0].devices[0].check, FEN_CHECK_DYNAMIC_LIST);
	assert_true(p->levels[0].devices[0].check_defaulted);
	/* An explicit dynamic-list ignores the static list. */
	assert_string_equal(p->levels[1].devices[0].id, "dyn2");
	assert_int_equal(p->levels[1].devices[0].check, FEN_CHECK_DYNAMIC_LIST);
	assert_false(p->levels[1].devices[0].check_defaulted);
	assert_int_equal(p->levels[2].devices[0].check, FEN_CHECK_STATUS);
	assert_int_equal(p->levels[3].devices[0].check, FEN_CHECK_NONE);
	assert_string_equal(fen_check_name(FEN_CHECK_DYNAMIC_LIST), "dynamic-list");
	/* The bad check mode and the agent name with a slash are errors. */
	assert_int_equal(d.n_errors, 2);
	assert_true(diags_mention(&d, "sometimes"));
	assert_true(diags_mention(&d, "not a program name"));
	fen_plan_free(p);
	vg_diags_clear(&d);
}

static void test_device_attributes(void **state)
{
	struct vg_nvset meta_hi[] = { NVSET(NV("priority", "10")) };
	struct vg_nvset meta_off[] = { NVSET(NV("target-role", "Stopped")) };
	struct vg_nvset two_sets[] = {
		NVSET(NV("pcmk_host_check", "none"), NV("login", "first"),
		      NV("pcmk_reboot_action", "off"), NV("pcmk_reboot_timeout", "90s"),
		      NV("pcmk_delay_base", "2s"), NV("pcmk_delay_max", "5s")),
		NVSET(NV("login", "second"), NV("passwd", "x")),
	};
	struct vg_resource res[] = {
		{ .id = S("low"), .cls = S("stonith"), .type = S("fence_low"),
		  .instance = { .v = two_sets, .n = 2 } },
		{ .id = S("vm"), .cls = S("ocf"), .provider = S("heartbeat"), .type = S("VirtualDomain") },
		{ .id = S("off"), .cls = S("stonith"), .type = S("fence_off"),
		  .instance = NVSETS(NV("pcmk_host_check", "none")), .meta = { .v = meta_off, .n = 1 } },
		{ .id = S("hi"), .cls = S("stonith"), .type = S("fence_hi"),
		  .instance = NVSETS(NV("pcmk_host_check", "none")), .meta = { .v = meta_hi, .n = 1 } },
	};
	struct vg_cib cib = { .resources = res, .n_resources = ARRAY_N(res) };
	struct vg_diags d = { 0 };
	struct fen_plan *p = plan_for(&cib, "n1", "reboot", &d);
	assert_int_equal(d.n, 0);
	assert_int_equal(p->n_levels, 2);
	assert_string_equal(p->levels[0].devices[0].id, "hi");
	assert_int_equal(p->levels[0].devices[0].priority, 10);
	assert_int_equal(p->levels[0].devices[0].timeout_ms, 60000);
	assert_int_equal(p->levels[0].index, 0);
	const struct fen_device *low = &p->levels[1].devices[0];
	assert_string_equal(low->id, "low");
	assert_string_equal(low->action, "off");
	assert_int_equal(low->timeout_ms, 90000);
	assert_int_equal(low->delay_base_ms, 2000);
	assert_int_equal(low->delay_max_ms, 5000);
	assert_int_equal(low->n_params, 2);
	assert_string_equal(low->params[0].name, "login");
	assert_string_equal(low->params[0].value, "first");
	assert_string_equal(low->params[1].name, "passwd");
	fen_plan_free(p);

	/* pcmk_reboot_* do not apply to "off". */
	p = plan_for(&cib, "n1", "off", &d);
	assert_string_equal(p->levels[1].devices[0].action, "off");
	assert_int_equal(p->levels[1].devices[0].timeout_ms, 60000);
	fen_plan_free(p);

	assert_int_equal(fen_plan_build(&cib, "n1", "dance", &opts, &p, &d), -EINVAL);
	assert_int_equal(fen_plan_build(&cib, "", "off", &opts, &p, &d), -EINVAL);
}

static struct vg_resource topo_res[] = {
	STONITH("ipmi1", "fence_ipmilan", NV("pcmk_host_list", "node1")),
	STONITH("ipmi2", "fence_ipmilan", NV("pcmk_host_list", "node2")),
	STONITH("pdu_a", "fence_apc", NV("pcmk_host_map", "node1:1;node2:2;rack3n1:7")),
	STONITH("pdu_b", "fence_apc", NV("pcmk_host_map", "node1:11;node2:12;rack3n1:17")),
	STONITH("sbd", "fence_sbd", NV("pcmk_host_check", "none")),
};

static void test_topology_target(void **state)
{
	/* Out of index order in the document, and one level per other node. */
	struct vg_fencing_level lv[] = {
		LEVEL_T("l2", 2, "node1", "pdu_a,pdu_b"),
		LEVEL_T("l9", 9, "node1", "sbd"),
		LEVEL_T("l1", 1, "node1", "ipmi1"),
		LEVEL_T("m1", 1, "node2", "ipmi2"),
		LEVEL_P("p1", 1, "node[0-9]", "sbd"),
	};
	struct vg_cib cib = { .resources = topo_res, .n_resources = ARRAY_N(topo_res),
			      .has_fencing_topology = true, .fencing_levels = lv,
			      .n_fencing_levels = ARRAY_N(lv) };
	struct vg_diags d = { 0 };
	struct fen_plan *p = plan_for(&cib, "node1", "reboot", &d);
	assert_int_equal(d.n, 0);
	assert_true(p->from_topology);
	assert_int_equal(p->n_levels, 3);
	assert_int_equal(p->levels[0].index, 1);
	assert_string_equal(p->levels[0].id, "l1");
	assert_int_equal(p->levels[0].n_devices, 1);
	assert_string_equal(p->levels[0].devices[0].id, "ipmi1");
	assert_false(p->levels[0].remapped_reboot);
	assert_string_equal(p->levels[0].devices[0].action, "reboot");
	assert_null(p->levels[0].devices[0].on_action);
	/* Two devices: reboot becomes all off, then all on. */
	assert_true(p->levels[1].remapped_reboot);
	assert_string_equal(p->levels[1].devices[0].action, "off");
	assert_string_equal(p->levels[1].devices[1].action, "off");
	assert_string_equal(p->levels[1].devices[0].on_action, "on");
	assert_int_equal(p->levels[1].index, 2);
	assert_int_equal(p->levels[1].n_devices, 2);
	assert_string_equal(p->levels[1].devices[0].id, "pdu_a");
	assert_string_equal(p->levels[1].devices[0].port, "1");
	assert_string_equal(p->levels[1].devices[1].id, "pdu_b");
	assert_string_equal(p->levels[1].devices[1].port, "11");
	assert_int_equal(p->levels[2].index, 9);
	assert_string_equal(p->levels[2].devices[0].id, "sbd");
	fen_plan_free(p);

	/* No remapping for off. */
	p = plan_for(&cib, "node1", "off", &d);
	assert_false(p->levels[1].remapped_reboot);
	assert_null(p->levels[1].devices[0].on_action);
	fen_plan_free(p);

	/* The exact target wins over a matching pattern. */
	p = plan_for(&cib, "node2", "reboot", &d);
	assert_int_equal(p->n_levels, 1);
	assert_string_equal(p->levels[0].devices[0].id, "ipmi2");
	fen_plan_free(p);

	/* Only the pattern matches node3. */
	p = plan_for(&cib, "node3", "reboot", &d);
	assert_true(p->from_topology);
	assert_int_equal(p->n_levels, 1);
	assert_string_equal(p->levels[0].id, "p1");
	assert_string_equal(p->levels[0].devices[0].id, "sbd");
	fen_plan_free(p);

	/* No topology for this one: every capable device, document order. */
	p = plan_for(&cib, "rack3n1", "reboot", &d);
	assert_false(p->from_topology);
	assert_int_equal(p->n_levels, 3);
	assert_string_equal(p->levels[0].devices[0].id, "pdu_a");
	assert_string_equal(p->levels[0].devices[0].port, "7");
	assert_string_equal(p->levels[1].devices[0].id, "pdu_b");
	assert_string_equal(p->levels[2].devices[0].id, "sbd");
	fen_plan_free(p);
	assert_int_equal(d.n, 0);
}

static void test_topology_pattern_and_attribute(void **state)
{
	struct vg_nvset rack[] = { NVSET(NV("rack", "r3")) };
	struct vg_nvset rack_transient[] = { NVSET(NV("rack", "r4")) };
	struct vg_node nodes[] = {
		{ .id = S("1"), .uname = S("rack3n1"), .attrs = { .v = rack, .n = 1 } },
	};
	struct vg_node_state states[] = {
		{ .id = S("2"), .uname = S("rack4n1"), .transient = { .v = rack_transient, .n = 1 } },
	};
	struct vg_fencing_level lv[] = {
		LEVEL_P("bad", 1, "rack[", "sbd"),
		LEVEL_A("a2", 2, "rack", "r3", "sbd"),
		LEVEL_A("a1", 1, "rack", "r3", "pdu_a"),
		LEVEL_A("b1", 1, "rack", "r4", "sbd"),
		LEVEL_P("p1", 1, "^rack3", "sbd"),
	};
	struct vg_cib cib = { .resources = topo_res, .n_resources = ARRAY_N(topo_res),
			      .nodes = nodes, .n_nodes = ARRAY_N(nodes),
			      .node_states = states, .n_node_states = ARRAY_N(states),
			      .has_fencing_topology = true, .fencing_levels = lv,
			      .n_fencing_levels = ARRAY_N(lv) };
	struct vg_diags d = { 0 };
	/* The attribute levels come first in the document: they apply, by index. */
	struct fen_plan *p = plan_for(&cib, "rack3n1", "reboot", &d);
	assert_true(p->from_topology);
	assert_int_equal(p->n_levels, 2);
	assert_string_equal(p->levels[0].id, "a1");
	assert_string_equal(p->levels[0].devices[0].id, "pdu_a");
	assert_string_equal(p->levels[0].devices[0].port, "7");
	assert_string_equal(p->levels[1].id, "a2");
	assert_true(diags_mention(&d, "not a valid regular expression"));
	fen_plan_free(p);
	vg_diags_clear(&d);

	/* A transient attribute from the status section counts too. */
	p = plan_for(&cib, "rack4n1", "reboot", &d);
	assert_int_equal(p->n_levels, 1);
	assert_string_equal(p->levels[0].id, "b1");
	fen_plan_free(p);
	vg_diags_clear(&d);

	/* Unanchored pattern semantics: "^rack3" matches rack3n2 (no attribute). */
	p = plan_for(&cib, "rack3n2", "reboot", &d);
	assert_int_equal(p->n_levels, 1);
	assert_string_equal(p->levels[0].id, "p1");
	fen_plan_free(p);
	vg_diags_clear(&d);
}

static void test_topology_unusable_levels(void **state)
{
	struct vg_nvset stopped[] = { NVSET(NV("target-role", "Stopped")) };
	struct vg_resource res[] = {
		STONITH("ipmi2", "fence_ipmilan", NV("pcmk_host_list", "node2")),
		STONITH("sbd", "fence_sbd", NV("pcmk_host_check", "none")),
		{ .id = S("dis"), .cls = S("stonith"), .type = S("fence_x"),
		  .instance = NVSETS(NV("pcmk_host_check", "none")), .meta = { .v = stopped, .n = 1 } },
	};
	struct vg_fencing_level lv[] = {
		LEVEL_T("l1", 1, "node1", "ipmi2"),      /* cannot fence node1 */
		LEVEL_T("l2", 2, "node1", "sbd,ghost"),  /* ghost does not exist */
		LEVEL_T("l3", 3, "node1", "dis"),        /* disabled */
		LEVEL_T("l4", 4, "node1", " sbd , "),
		LEVEL_T("l4b", 4, "node1", "ipmi2"),     /* index used twice */
	};
	struct vg_cib cib = { .resources = res, .n_resources = ARRAY_N(res),
			      .has_fencing_topology = true, .fencing_levels = lv,
			      .n_fencing_levels = ARRAY_N(lv) };
	struct vg_diags d = { 0 };
	struct fen_plan *p = plan_for(&cib, "node1", "reboot", &d);
	assert_int_equal(p->n_levels, 1);
	assert_string_equal(p->levels[0].id, "l4");
	assert_int_equal(p->levels[0].n_devices, 1);
	assert_true(diags_mention(&d, "cannot fence 'node1'"));
	assert_true(diags_mention(&d, "'ghost' is not a stonith primitive"));
	assert_true(diags_mention(&d, "disabled"));
	assert_true(diags_mention(&d, "used twice"));
	assert_int_equal(d.n_errors, 1);
	fen_plan_free(p);
	vg_diags_clear(&d);
}

static void test_delays(void **state)
{
	assert_int_equal(fen_delay_pick_ms(0, 0, 12345), 0);
	assert_int_equal(fen_delay_pick_ms(2000, 0, 12345), 2000);
	assert_int_equal(fen_delay_pick_ms(2000, 1000, 12345), 2000);
	assert_int_equal(fen_delay_pick_ms(0, 5000, 12345), 2345);
	assert_int_equal(fen_delay_pick_ms(1000, 5000, 4000), 1000);
	assert_int_equal(fen_delay_pick_ms(1000, 5000, 3999), 4999);

	/* pcmk_delay_base as a per-node map. */
	struct vg_resource res[] = {
		STONITH("f", "fence_x", NV("pcmk_host_check", "none"),
			NV("pcmk_delay_base", "n1:5s;n2:500ms"), NV("pcmk_delay_max", "10s")),
		STONITH("bad", "fence_x", NV("pcmk_host_check", "none"), NV("pcmk_delay_max", "soon")),
	};
	struct vg_cib cib = { .resources = res, .n_resources = ARRAY_N(res) };
	struct vg_diags d = { 0 };
	struct fen_plan *p = plan_for(&cib, "n1", "reboot", &d);
	assert_int_equal(p->n_levels, 1);
	assert_int_equal(p->levels[0].devices[0].delay_base_ms, 5000);
	assert_int_equal(p->levels[0].devices[0].delay_max_ms, 10000);
	fen_plan_free(p);
	assert_int_equal(d.n_errors, 1);
	vg_diags_clear(&d);
	p = plan_for(&cib, "n2", "reboot", &d);
	assert_int_equal(p->levels[0].devices[0].delay_base_ms, 500);
	fen_plan_free(p);
	vg_diags_clear(&d);
	p = plan_for(&cib, "n3", "reboot", &d);
	assert_int_equal(p->levels[0].devices[0].delay_base_ms, 0);
	fen_plan_free(p);
	vg_diags_clear(&d);
}

static void test_priority_delay(void **state)
{
	/* Two nodes, split: we (n2) are online, n1 is lost. */
	struct fen_prio_node two[] = {
		{ "n1", true, false }, { "n2", true, true },
	};
	struct fen_prio_rsc rsc_n1_high[] = { { "n1", 10 }, { "n2", 5 } };
	struct fen_prio_rsc rsc_n1_low[] = { { "n1", 1 }, { "n2", 5 }, { "n2", 1 } };
	struct fen_prio_rsc rsc_equal[] = { { "n1", 3 }, { "n2", 3 } };
	struct fen_prio_rsc rsc_n1_sum[] = { { "n1", 3 }, { "n1", 3 }, { "n2", 5 } };

	assert_int_equal(fen_priority_delay_ms(two, 2, rsc_n1_high, 2, "n1", 15000), 15000);
	assert_int_equal(fen_priority_delay_ms(two, 2, rsc_n1_low, 3, "n1", 15000), 0);
	assert_int_equal(fen_priority_delay_ms(two, 2, rsc_equal, 2, "n1", 15000), 0);
	assert_int_equal(fen_priority_delay_ms(two, 2, rsc_n1_sum, 3, "n1", 15000), 15000);
	assert_int_equal(fen_priority_delay_ms(two, 2, rsc_n1_high, 2, "n1", 0), 0);
	/* A target in our own partition is never delayed. */
	assert_int_equal(fen_priority_delay_ms(two, 2, rsc_n1_low, 3, "n2", 15000), 0);
	assert_int_equal(fen_priority_delay_ms(two, 2, rsc_n1_high, 2, "nX", 15000), 0);

	/* Three nodes, we hold two of them: we have the majority, no delay. */
	struct fen_prio_node three[] = {
		{ "n1", true, false }, { "n2", true, true }, { "n3", true, true },
	};
	assert_int_equal(fen_priority_delay_ms(three, 3, rsc_n1_high, 2, "n1", 15000), 0);
	/* Remote nodes do not count as members. */
	struct fen_prio_node with_remote[] = {
		{ "n1", true, false }, { "n2", true, true }, { "r1", false, true },
	};
	assert_int_equal(fen_priority_delay_ms(with_remote, 3, rsc_n1_high, 2, "n1", 15000), 15000);
	assert_int_equal(fen_priority_delay_ms(with_remote, 3, rsc_n1_high, 2, "r1", 15000), 0);
}

static void test_cluster_opts(void **state)
{
	struct vg_cib empty = { 0 };
	struct fen_cluster_opts o;
	struct vg_diags d = { 0 };
	assert_int_equal(fen_cluster_opts_read(&empty, &o, &d), 0);
	assert_true(o.enabled);
	assert_string_equal(o.action, "reboot");
	assert_int_equal(o.timeout_ms, 60000);
	assert_int_equal(o.max_attempts, 10);
	assert_int_equal(o.priority_delay_ms, 0);

	struct vg_cib cib = { .crm_config = NVSETS(NV("stonith-enabled", "false"),
						   NV("stonith-action", "poweroff"),
						   NV("stonith-timeout", "PT1M30S"),
						   NV("stonith-max-attempts", "3"),
						   NV("priority-fencing-delay", "20s")) };
	assert_int_equal(fen_cluster_opts_read(&cib, &o, &d), 0);
	assert_false(o.enabled);
	assert_string_equal(o.action, "off");
	assert_int_equal(o.timeout_ms, 90000);
	assert_int_equal(o.max_attempts, 3);
	assert_int_equal(o.priority_delay_ms, 20000);
	assert_int_equal(d.n, 0);

	struct vg_cib bad = { .crm_config = NVSETS(NV("stonith-enabled", "perhaps"),
						   NV("stonith-action", "explode"),
						   NV("stonith-timeout", "0"),
						   NV("stonith-max-attempts", "-1"),
						   NV("priority-fencing-delay", "x")) };
	assert_int_equal(fen_cluster_opts_read(&bad, &o, &d), -EINVAL);
	assert_int_equal(d.n_errors, 5);
	assert_true(o.enabled);
	assert_string_equal(o.action, "reboot");
	assert_int_equal(o.timeout_ms, 60000);
	assert_int_equal(o.max_attempts, 10);
	vg_diags_clear(&d);
}

static void test_list_output(void **state)
{
	const char *out = "1,node1\n2,\n web3 , alias3 \r\nplain\n";
	assert_true(fen_list_output_has(out, "1", "zzz"));
	assert_true(fen_list_output_has(out, "zzz", "node1"));
	assert_true(fen_list_output_has(out, "2", NULL));
	assert_true(fen_list_output_has(out, "web3", NULL));
	assert_true(fen_list_output_has(out, NULL, "alias3"));
	assert_true(fen_list_output_has(out, "plain", NULL));
	assert_true(fen_list_output_has(out, "WEB3", NULL));
	assert_false(fen_list_output_has(out, "node", NULL));
	assert_false(fen_list_output_has(out, "3", "alias"));
	assert_false(fen_list_output_has("", "1", "1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_list),
		cmocka_unit_test(test_host_map),
		cmocka_unit_test(test_host_check),
		cmocka_unit_test(test_device_attributes),
		cmocka_unit_test(test_topology_target),
		cmocka_unit_test(test_topology_pattern_and_attribute),
		cmocka_unit_test(test_topology_unusable_levels),
		cmocka_unit_test(test_delays),
		cmocka_unit_test(test_priority_delay),
		cmocka_unit_test(test_cluster_opts),
		cmocka_unit_test(test_list_output),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
