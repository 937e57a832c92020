/* wire.c - see wire.h.  The format is fixed little-endian so that it never
 * depends on the host; the readers check every bound and are sticky: after the
 * first error every later read fails too, so a decoder checks once at the end. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

/* ---- CRC-32 ---- */

static uint32_t crc_table[256];
static bool crc_ready;

static void crc_init(void)
{
	/* Reflected polynomial 0xEDB88320; the table is built once, on first use.
	 * vigild is single-threaded; a second thread building the same table at the
	 * same time would write the same values. */
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
	crc_ready = true;
}

uint32_t vg_crc32(uint32_t crc, const void *buf, size_t len)
{
	if (!crc_ready)
		crc_init();
	const uint8_t *p = buf;
	crc = ~crc;
	for (size_t i = 0; i < len; i++)
		crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

int vg_cfg_version_cmp(const struct vg_cfg_version *a, const struct vg_cfg_version *b)
{
	if (a->admin_epoch != b->admin_epoch)
		return a->admin_epoch < b->admin_epoch ? -1 : 1;
	if (a->epoch != b->epoch)
		return a->epoch < b->epoch ? -1 : 1;
	if (a->num_updates != b->num_updates)
		return a->num_updates < b->num_updates ? -1 : 1;
	return 0;
}

const char *vg_msg_type_name(uint32_t type)
{
	switch (type) {
	case VG_MSG_SYNC: return "sync";
	case VG_MSG_CONFIG_FULL: return "config-full";
	case VG_MSG_CONFIG_CHANGE: return "config-change";
	case VG_MSG_CONFIG_CONFIRM: return "config-confirm";
	case VG_MSG_STATUS_REPORT: return "status-report";
	case VG_MSG_STATUS_SECTION: return "status-section";
	case VG_MSG_FRAGMENT: return "fragment";
	case VG_MSG_RSC: return "rsc";
	case VG_MSG_FENCE: return "fence";
	}
	return "unknown";
}

/* ---- writer ---- */

struct wbuf {
	uint8_t *p;
	size_t len;
	size_t cap;
	int err;
};

static void w_reserve(struct wbuf *w, size_t more)
{
	if (w->err)
		return;
	if (more > SIZE_MAX / 2 - w->len) {
		w->err = -EOVERFLOW;
		return;
	}
	if (w->len + more <= w->cap)
		return;
	size_t cap = w->cap ? w->cap : 256;
	while (cap < w->len + more)
		cap *= 2;
	uint8_t *grown = realloc(w->p, cap);
	if (!grown) {
		w->err = -ENOMEM;
		return;
	}
	w->p = grown;
	w->cap = cap;
}

static void w_bytes(struct wbuf *w, const void *b, size_t n)
{
	w_reserve(w, n);
	if (w->err || !n)
		return;
	memcpy(w->p + w->len, b, n);
	w->len += n;
}

static void w_u16(struct wbuf *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	w_bytes(w, b, 2);
}

static void w_u32(struct wbuf *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	w_bytes(w, b, 4);
}

static void w_u64(struct wbuf *w, uint64_t v)
{
	w_u32(w, (uint32_t)v);
	w_u32(w, (uint32_t)(v >> 32));
}

static void w_blob(struct wbuf *w, const void *b, size_t n)
{
	if (n > UINT32_MAX) {
		w->err = -EOVERFLOW;
		return;
	}
	w_u32(w, (uint32_t)n);
	w_bytes(w, b, n);
}

static void w_str(struct wbuf *w, const char *s)
{
	w_blob(w, s ? s : "", s ? strlen(s) : 0);
}

static void w_version(struct wbuf *w, const struct vg_cfg_version *v)
{
	w_u32(w, v->admin_epoch);
	w_u32(w, v->epoch);
	w_u32(w, v->num_updates);
}

static void w_members(struct wbuf *w, const struct vg_member *m, size_t n)
{
	if (n > VG_WIRE_MAX_MEMBERS) {
		w->err = -E2BIG;
		return;
	}
	w_u32(w, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		w_u32(w, m[i].nodeid);
		w_u32(w, m[i].pid);
	}
}

/* ---- reader ---- */

struct rbuf {
	const uint8_t *p;
	size_t len;
	size_t off;
	const char *what;       /* the field being read, for the diagnostic */
	bool bad;
	struct vg_diags *diags;
};

static void r_fail(struct rbuf *r, const char *why)
{
	if (r->bad)
		return;
	r->bad = true;
	vg_diags_add(r->diags, VG_DIAG_ERROR, 0, r->what, "%s (at byte %zu of %zu)", why, r->off,
		     r->len);
}

static const uint8_t *r_take(struct rbuf *r, size_t n)
{
	if (r->bad)
		return NULL;
	if (n > r->len - r->off) {
		r_fail(r, "payload truncated");
		return NULL;
	}
	const uint8_t *at = r->p + r->off;
	r->off += n;
	return at;
}

static uint32_t r_u32(struct rbuf *r)
{
	const uint8_t *b = r_take(r, 4);
	if (!b)
		return 0;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t r_u64(struct rbuf *r)
{
	uint64_t lo = r_u32(r);
	uint64_t hi = r_u32(r);
	return lo | hi << 32;
}

/* A length-prefixed byte string copied into a NUL-terminated buffer.  @text
 * refuses embedded NUL bytes (names, values, XML). */
static char *r_str(struct rbuf *r, size_t max, size_t *ret_len)
{
	uint32_t n = r_u32(r);
	if (r->bad)
		return NULL;
	if (n > max) {
		r_fail(r, "string too long");
		return NULL;
	}
	const uint8_t *b = r_take(r, n);
	if (!b)
		return NULL;
	if (memchr(b, '\0', n)) {
		r_fail(r, "string holds a NUL byte");
		return NULL;
	}
	char *s = malloc((size_t)n + 1);
	if (!s) {
		r_fail(r, "out of memory");
		return NULL;
	}
	memcpy(s, b, n);
	s[n] = '\0';
	if (ret_len)
		*ret_len = n;
	return s;
}

static void r_version(struct rbuf *r, struct vg_cfg_version *v)
{
	v->admin_epoch = r_u32(r);
	v->epoch = r_u32(r);
	v->num_updates = r_u32(r);
}

static struct vg_member *r_members(struct rbuf *r, size_t *ret_n)
{
	uint32_t n = r_u32(r);
	*ret_n = 0;
	if (r->bad)
		return NULL;
	if (n > VG_WIRE_MAX_MEMBERS) {
		r_fail(r, "too many members");
		return NULL;
	}
	if ((size_t)n * 8 > r->len - r->off) {
		r_fail(r, "member list truncated");
		return NULL;
	}
	if (!n)
		return NULL;
	struct vg_member *m = calloc(n, sizeof(*m));
	if (!m) {
		r_fail(r, "out of memory");
		return NULL;
	}
	for (uint32_t i = 0; i < n; i++) {
		m[i].nodeid = r_u32(r);
		m[i].pid = r_u32(r);
		if (!m[i].nodeid)
			r_fail(r, "node id 0");
	}
	*ret_n = n;
	return m;
}

/* Ends a decode: the payload must have been consumed exactly. */
static int r_end(struct rbuf *r)
{
	if (!r->bad && r->off != r->len) {
		r->what = "payload";
		r_fail(r, "trailing bytes");
	}
	return r->bad ? -EBADMSG : 0;
}

/* ---- frames ---- */

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

int vg_wire_frame(uint16_t type, uint32_t sender, uint64_t seq, const void *payload,
		  size_t payload_len, void **ret_buf, size_t *ret_len)
{
	if (payload_len > VG_WIRE_MAX_BYTES - VG_WIRE_HEADER_BYTES)
		return -EMSGSIZE;
	struct wbuf w = { 0 };
	w_u32(&w, VG_WIRE_MAGIC);
	w_u16(&w, VG_WIRE_VERSION);
	w_u16(&w, type);
	w_u32(&w, (uint32_t)payload_len);
	w_u32(&w, sender);
	w_u64(&w, seq);
	w_u32(&w, 0); /* checksum, filled below */
	w_u32(&w, 0); /* reserved */
	w_bytes(&w, payload, payload_len);
	if (w.err) {
		free(w.p);
		return w.err;
	}
	put_u32(w.p + 24, vg_crc32(0, w.p, w.len));
	*ret_buf = w.p;
	*ret_len = w.len;
	return 0;
}

int vg_wire_decode(const void *buf, size_t len, struct vg_wire_hdr *ret_hdr,
		   const void **ret_payload, struct vg_diags *diags)
{
	const uint8_t *p = buf;
	if (len < VG_WIRE_HEADER_BYTES) {
		vg_diags_add(diags, VG_DIAG_ERROR, 0, "header", "frame of %zu bytes is shorter than a header",
			     len);
		return -EBADMSG;
	}
	if (get_u32(p) != VG_WIRE_MAGIC) {
		vg_diags_add(diags, VG_DIAG_ERROR, 0, "header", "bad magic 0x%08x", get_u32(p));
		return -EBADMSG;
	}
	struct vg_wire_hdr h = {
		.version = get_u16(p + 4),
		.type = get_u16(p + 6),
		.length = get_u32(p + 8),
		.sender = get_u32(p + 12),
		.seq = (uint64_t)get_u32(p + 16) | (uint64_t)get_u32(p + 20) << 32,
	};
	if (h.version != VG_WIRE_VERSION) {
		vg_diags_add(diags, VG_DIAG_ERROR, 0, "header", "protocol version %u (we speak %u)",
			     h.version, VG_WIRE_VERSION);
		return -EBADMSG;
	}
	if (h.type < 1 || h.type > VG_MSG_TYPE_MAX) {
		vg_diags_add(diags, VG_DIAG_ERROR, 0, "header", "unknown message type %u", h.type);
		return -EBADMSG;
	}
	if (h.length != len - VG_WIRE_HEADER_BYTES) {
		vg_diags_add(diags, VG_DIAG_ERROR, 0, "header",
			     "length field says %u payload bytes, frame has %zu", h.length,
			     len - VG_WIRE_HEADER_BYTES);
		return -EBADMSG;
	}
	if (get_u32(p + 28) != 0) {
		vg_diags_add(diags, VG_DIAG_ERROR, 0, "header", "reserved field is not zero");
		return -EBADMSG;
	}
	if (!h.sender) {
		vg_diags_add(diags, VG_DIAG_ERROR, 0, "header", "sender node id 0");
		return -EBADMSG;
	}
	uint8_t zero[4] = { 0 };
	uint32_t crc = vg_crc32(0, p, 24);
	crc = vg_crc32(crc, zero, 4);
	crc = vg_crc32(crc, p + 28, len - 28);
	if (crc != get_u32(p + 24)) {
		vg_diags_add(diags, VG_DIAG_ERROR, 0, "header", "checksum mismatch (0x%08x, computed 0x%08x)",
			     get_u32(p + 24), crc);
		return -EBADMSG;
	}
	*ret_hdr = h;
	*ret_payload = p + VG_WIRE_HEADER_BYTES;
	return 0;
}

/* Frames what a writer built, or passes its error on. */
static int finish(struct wbuf *w, uint16_t type, uint32_t sender, uint64_t seq, void **ret_buf,
		  size_t *ret_len)
{
	int rc = w->err ? w->err : vg_wire_frame(type, sender, seq, w->p, w->len, ret_buf, ret_len);
	free(w->p);
	return rc;
}

static bool members_valid(struct rbuf *r, const struct vg_member *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (m[i].nodeid == m[j].nodeid && m[i].pid == m[j].pid) {
				r_fail(r, "member listed twice");
				return false;
			}
	return true;
}

/* ---- SYNC ---- */

int vg_msg_sync_encode(const struct vg_msg_sync *m, uint32_t sender, uint64_t seq,
		       void **ret_buf, size_t *ret_len)
{
	struct wbuf w = { 0 };
	w_u32(&w, m->flags);
	w_version(&w, &m->version);
	w_u32(&w, m->config_crc);
	w_u64(&w, m->term);
	w_members(&w, m->view, m->n_view);
	w_members(&w, m->seniority, m->n_seniority);
	return finish(&w, VG_MSG_SYNC, sender, seq, ret_buf, ret_len);
}

int vg_msg_sync_decode(const void *payload, size_t len, struct vg_msg_sync *ret,
		       struct vg_diags *diags)
{
	struct rbuf r = { .p = payload, .len = len, .diags = diags, .what = "sync" };
	struct vg_msg_sync m = { 0 };
	m.flags = r_u32(&r);
	if (!r.bad && (m.flags & ~VG_SYNC_FLAGS_ALL))
		r_fail(&r, "unknown flags");
	r_version(&r, &m.version);
	m.config_crc = r_u32(&r);
	m.term = r_u64(&r);
	r.what = "sync view";
	m.view = r_members(&r, &m.n_view);
	if (!r.bad && !m.n_view)
		r_fail(&r, "empty view");
	members_valid(&r, m.view, m.n_view);
	r.what = "sync seniority";
	m.seniority = r_members(&r, &m.n_seniority);
	members_valid(&r, m.seniority, m.n_seniority);
	int rc = r_end(&r);
	if (rc) {
		vg_msg_sync_clear(&m);
		return rc;
	}
	*ret = m;
	return 0;
}

void vg_msg_sync_clear(struct vg_msg_sync *m)
{
	free(m->view);
	free(m->seniority);
	*m = (struct vg_msg_sync){ 0 };
}

/* ---- CONFIG_FULL ---- */

int vg_msg_config_full_encode(const struct vg_msg_config_full *m, uint32_t sender,
			      uint64_t seq, void **ret_buf, size_t *ret_len)
{
	struct wbuf w = { 0 };
	w_version(&w, &m->version);
	w_members(&w, m->view, m->n_view);
	w_blob(&w, m->xml, m->xml_len);
	return finish(&w, VG_MSG_CONFIG_FULL, sender, seq, ret_buf, ret_len);
}

int vg_msg_config_full_decode(const void *payload, size_t len, struct vg_msg_config_full *ret,
			      struct vg_diags *diags)
{
	struct rbuf r = { .p = payload, .len = len, .diags = diags, .what = "config-full" };
	struct vg_msg_config_full m = { 0 };
	r_version(&r, &m.version);
	r.what = "config-full view";
	m.view = r_members(&r, &m.n_view);
	if (!r.bad && !m.n_view)
		r_fail(&r, "empty view");
	members_valid(&r, m.view, m.n_view);
	r.what = "config-full document";
	m.xml = r_str(&r, VG_WIRE_MAX_BYTES, &m.xml_len);
	if (!r.bad && !m.xml_len)
		r_fail(&r, "empty document");
	int rc = r_end(&r);
	if (rc) {
		vg_msg_config_full_clear(&m);
		return rc;
	}
	*ret = m;
	return 0;
}

void vg_msg_config_full_clear(struct vg_msg_config_full *m)
{
	free(m->view);
	free(m->xml);
	*m = (struct vg_msg_config_full){ 0 };
}

/* ---- CONFIG_CHANGE ---- */

int vg_msg_config_change_encode(const struct vg_msg_config_change *m, uint32_t sender,
				uint64_t seq, void **ret_buf, size_t *ret_len)
{
	struct wbuf w = { 0 };
	w_u64(&w, m->req_id);
	w_u32(&w, m->op);
	w_u32(&w, m->flags);
	w_version(&w, &m->base);
	w_blob(&w, m->xml, m->xml ? m->xml_len : 0);
	w_str(&w, m->name);
	w_str(&w, m->value);
	return finish(&w, VG_MSG_CONFIG_CHANGE, sender, seq, ret_buf, ret_len);
}

int vg_msg_config_change_decode(const void *payload, size_t len,
				struct vg_msg_config_change *ret, struct vg_diags *diags)
{
	struct rbuf r = { .p = payload, .len = len, .diags = diags, .what = "config-change" };
	struct vg_msg_config_change m = { 0 };
	m.req_id = r_u64(&r);
	m.op = r_u32(&r);
	if (!r.bad && (m.op < 1 || m.op > VG_CHANGE_OP_MAX))
		r_fail(&r, "unknown operation");
	m.flags = r_u32(&r);
	if (!r.bad && (m.flags & ~VG_CHANGE_HAS_BASE))
		r_fail(&r, "unknown flags");
	r_version(&r, &m.base);
	r.what = "config-change document";
	m.xml = r_str(&r, VG_WIRE_MAX_BYTES, &m.xml_len);
	r.what = "config-change name";
	m.name = r_str(&r, 4096, NULL);
	r.what = "config-change value";
	m.value = r_str(&r, 65536, NULL);
	r.what = "config-change";
	if (!r.bad) {
		bool has_xml = m.xml_len > 0, has_name = m.name[0] != '\0';
		if (m.op == VG_CHANGE_PROPERTY && (has_xml || !has_name))
			r_fail(&r, "a property change takes a name and no document");
		else if (m.op != VG_CHANGE_PROPERTY && (!has_xml || has_name || m.value[0]))
			r_fail(&r, "a document change takes a document and no name");
	}
	int rc = r_end(&r);
	if (rc) {
		vg_msg_config_change_clear(&m);
		return rc;
	}
	if (m.op == VG_CHANGE_PROPERTY) {
		free(m.xml);
		m.xml = NULL;
	} else {
		free(m.name);
		free(m.value);
		m.name = m.value = NULL;
	}
	*ret = m;
	return 0;
}

void vg_msg_config_change_clear(struct vg_msg_config_change *m)
{
	free(m->xml);
	free(m->name);
	free(m->value);
	*m = (struct vg_msg_config_change){ 0 };
}

/* ---- CONFIG_CONFIRM ---- */

int vg_msg_config_confirm_encode(const struct vg_msg_config_confirm *m, uint32_t sender,
				 uint64_t seq, void **ret_buf, size_t *ret_len)
{
	struct wbuf w = { 0 };
	w_version(&w, &m->version);
	w_u32(&w, m->config_crc);
	w_u64(&w, m->term);
	w_u32(&w, (uint32_t)m->rc);
	return finish(&w, VG_MSG_CONFIG_CONFIRM, sender, seq, ret_buf, ret_len);
}

int vg_msg_config_confirm_decode(const void *payload, size_t len,
				 struct vg_msg_config_confirm *ret, struct vg_diags *diags)
{
	struct rbuf r = { .p = payload, .len = len, .diags = diags, .what = "config-confirm" };
	struct vg_msg_config_confirm m = { 0 };
	r_version(&r, &m.version);
	m.config_crc = r_u32(&r);
	m.term = r_u64(&r);
	m.rc = (int32_t)r_u32(&r);
	if (!r.bad && (m.rc > 0 || m.rc < -4095))
		r_fail(&r, "result is not 0 or -errno");
	int rc = r_end(&r);
	if (rc)
		return rc;
	*ret = m;
	return 0;
}

/* ---- STATUS_REPORT ---- */

int vg_msg_status_report_encode(const struct vg_msg_status_report *m, uint32_t sender,
				uint64_t seq, void **ret_buf, size_t *ret_len)
{
	struct wbuf w = { 0 };
	w_str(&w, m->name);
	w_u32(&w, m->flags);
	return finish(&w, VG_MSG_STATUS_REPORT, sender, seq, ret_buf, ret_len);
}

int vg_msg_status_report_decode(const void *payload, size_t len,
				struct vg_msg_status_report *ret, struct vg_diags *diags)
{
	struct rbuf r = { .p = payload, .len = len, .diags = diags, .what = "status-report" };
	struct vg_msg_status_report m = { 0 };
	m.name = r_str(&r, 255, NULL);
	if (!r.bad && !m.name[0])
		r_fail(&r, "empty node name");
	m.flags = r_u32(&r);
	if (!r.bad && m.flags)
		r_fail(&r, "unknown flags");
	int rc = r_end(&r);
	if (rc) {
		vg_msg_status_report_clear(&m);
		return rc;
	}
	*ret = m;
	return 0;
}

void vg_msg_status_report_clear(struct vg_msg_status_report *m)
{
	free(m->name);
	*m = (struct vg_msg_status_report){ 0 };
}

/* ---- RSC ---- */

int vg_msg_rsc_encode(const struct vg_msg_rsc *m, uint32_t sender, uint64_t seq,
		      void **ret_buf, size_t *ret_len)
{
	struct wbuf w = { 0 };
	w_blob(&w, m->json, m->json_len);
	return finish(&w, VG_MSG_RSC, sender, seq, ret_buf, ret_len);
}

int vg_msg_rsc_decode(const void *payload, size_t len, struct vg_msg_rsc *ret,
		      struct vg_diags *diags)
{
	struct rbuf r = { .p = payload, .len = len, .diags = diags, .what = "rsc" };
	struct vg_msg_rsc m = { 0 };
	m.json = r_str(&r, VG_WIRE_MAX_BYTES, &m.json_len);
	if (!r.bad && !m.json_len)
		r_fail(&r, "empty rsc message");
	int rc = r_end(&r);
	if (rc) {
		vg_msg_rsc_clear(&m);
		return rc;
	}
	*ret = m;
	return 0;
}

void vg_msg_rsc_clear(struct vg_msg_rsc *m)
{
	free(m->json);
	*m = (struct vg_msg_rsc){ 0 };
}

/* ---- FENCE ---- */

int vg_msg_fence_encode(const struct vg_msg_fence *m, uint32_t sender, uint64_t seq,
			void **ret_buf, size_t *ret_len)
{
	struct wbuf w = { 0 };
	w_u32(&w, m->kind);
	w_str(&w, m->target ? m->target : "");
	w_blob(&w, m->json, m->json_len);
	return finish(&w, VG_MSG_FENCE, sender, seq, ret_buf, ret_len);
}

int vg_msg_fence_decode(const void *payload, size_t len, struct vg_msg_fence *ret,
			struct vg_diags *diags)
{
	struct rbuf r = { .p = payload, .len = len, .diags = diags, .what = "fence" };
	struct vg_msg_fence m = { 0 };
	m.kind = r_u32(&r);
	if (!r.bad && (m.kind < 1 || m.kind > VG_FENCE_KIND_MAX))
		r_fail(&r, "unknown fence message kind");
	m.target = r_str(&r, 255, NULL);
	if (!r.bad && m.kind == VG_FENCE_HISTORY && m.target[0])
		r_fail(&r, "a history names no target");
	if (!r.bad && m.kind != VG_FENCE_HISTORY && !m.target[0])
		r_fail(&r, "no target");
	m.json = r_str(&r, VG_WIRE_MAX_BYTES, &m.json_len);
	if (!r.bad && !m.json_len)
		r_fail(&r, "empty fence message");
	int rc = r_end(&r);
	if (rc) {
		vg_msg_fence_clear(&m);
		return rc;
	}
	*ret = m;
	return 0;
}

void vg_msg_fence_clear(struct vg_msg_fence *m)
{
	free(m->target);
	free(m->json);
	*m = (struct vg_msg_fence){ 0 };
}

/* ---- STATUS_SECTION ---- */

int vg_msg_status_section_encode(const struct vg_msg_status_section *m, uint32_t sender,
				 uint64_t seq, void **ret_buf, size_t *ret_len)
{
	struct wbuf w = { 0 };
	w_u32(&w, m->num_updates);
	w_blob(&w, m->xml, m->xml_len);
	return finish(&w, VG_MSG_STATUS_SECTION, sender, seq, ret_buf, ret_len);
}

int vg_msg_status_section_decode(const void *payload, size_t len,
				 struct vg_msg_status_section *ret, struct vg_diags *diags)
{
	struct rbuf r = { .p = payload, .len = len, .diags = diags, .what = "status-section" };
	struct vg_msg_status_section m = { 0 };
	m.num_updates = r_u32(&r);
	m.xml = r_str(&r, VG_WIRE_MAX_BYTES, &m.xml_len);
	if (!r.bad && !m.xml_len)
		r_fail(&r, "empty section");
	int rc = r_end(&r);
	if (rc) {
		vg_msg_status_section_clear(&m);
		return rc;
	}
	*ret = m;
	return 0;
}

void vg_msg_status_section_clear(struct vg_msg_status_section *m)
{
	free(m->xml);
	*m = (struct vg_msg_status_section){ 0 };
}

/* ---- fragments ---- */

int vg_wire_fragment(const void *frame, size_t len, uint32_t sender, uint64_t seq,
		     uint64_t xfer_id, void ***ret_frames, size_t **ret_lens, size_t *ret_n)
{
	if (len > VG_WIRE_MAX_BYTES)
		return -EMSGSIZE;
	size_t piece = VG_WIRE_FRAGMENT_BYTES - 64;
	size_t count = (len + piece - 1) / piece;
	if (!count)
		count = 1;
	void **frames = calloc(count, sizeof(*frames));
	size_t *lens = calloc(count, sizeof(*lens));
	int rc = -ENOMEM;
	if (!frames || !lens)
		goto err_free;
	uint32_t total_crc = vg_crc32(0, frame, len);
	for (size_t i = 0; i < count; i++) {
		size_t off = i * piece;
		size_t n = len - off < piece ? len - off : piece;
		struct wbuf w = { 0 };
		w_u64(&w, xfer_id);
		w_u32(&w, (uint32_t)i);
		w_u32(&w, (uint32_t)count);
		w_u32(&w, (uint32_t)len);
		w_u32(&w, total_crc);
		w_blob(&w, (const uint8_t *)frame + off, n);
		rc = finish(&w, VG_MSG_FRAGMENT, sender, seq, &frames[i], &lens[i]);
		if (rc)
			goto err_free;
	}
	*ret_frames = frames;
	*ret_lens = lens;
	*ret_n = count;
	return 0;

err_free:
	if (frames)
		for (size_t i = 0; i < count; i++)
			free(frames[i]);
	free(frames);
	free(lens);
	return rc;
}

int vg_msg_fragment_decode(const void *payload, size_t len, struct vg_msg_fragment *ret,
			   struct vg_diags *diags)
{
	struct rbuf r = { .p = payload, .len = len, .diags = diags, .what = "fragment" };
	struct vg_msg_fragment m = { 0 };
	m.xfer_id = r_u64(&r);
	m.index = r_u32(&r);
	m.count = r_u32(&r);
	m.total_len = r_u32(&r);
	m.total_crc = r_u32(&r);
	if (!r.bad && (m.count < 1 || m.index >= m.count))
		r_fail(&r, "index out of range");
	if (!r.bad && (m.total_len > VG_WIRE_MAX_BYTES || m.total_len < VG_WIRE_HEADER_BYTES))
		r_fail(&r, "bad total length");
	uint32_t n = r_u32(&r);
	const uint8_t *data = r_take(&r, n);
	if (!r.bad && (n == 0 || n > m.total_len))
		r_fail(&r, "bad piece length");
	int rc = r_end(&r);
	if (rc)
		return rc;
	m.data = data;
	m.data_len = n;
	*ret = m;
	return 0;
}

void vg_reasm_clear(struct vg_reasm *r)
{
	free(r->buf);
	*r = (struct vg_reasm){ 0 };
}

int vg_reasm_feed(struct vg_reasm *r, const struct vg_msg_fragment *f, void **ret_frame,
		  size_t *ret_len, struct vg_diags *diags)
{
	if (f->index == 0) {
		vg_reasm_clear(r);
		r->buf = malloc(f->total_len);
		if (!r->buf)
			return -ENOMEM;
		r->active = true;
		r->xfer_id = f->xfer_id;
		r->count = f->count;
		r->total_len = f->total_len;
		r->total_crc = f->total_crc;
	} else if (!r->active || f->xfer_id != r->xfer_id || f->index != r->next_index ||
		   f->count != r->count || f->total_len != r->total_len ||
		   f->total_crc != r->total_crc) {
		vg_diags_add(diags, VG_DIAG_ERROR, 0, "fragment",
			     "fragment %u/%u of transfer %llu does not continue what we have", f->index,
			     f->count, (unsigned long long)f->xfer_id);
		vg_reasm_clear(r);
		return -EBADMSG;
	}
	if (f->data_len > r->total_len - r->have) {
		vg_diags_add(diags, VG_DIAG_ERROR, 0, "fragment", "pieces exceed the announced length");
		vg_reasm_clear(r);
		return -EBADMSG;
	}
	memcpy(r->buf + r->have, f->data, f->data_len);
	r->have += f->data_len;
	r->next_index = f->index + 1;
	if (r->next_index < r->count)
		return 0;
	if (r->have != r->total_len || vg_crc32(0, r->buf, r->have) != r->total_crc) {
		vg_diags_add(diags, VG_DIAG_ERROR, 0, "fragment",
			     "reassembled transfer %llu has the wrong length or checksum",
			     (unsigned long long)r->xfer_id);
		vg_reasm_clear(r);
		return -EBADMSG;
	}
	*ret_frame = r->buf;
	*ret_len = r->have;
	r->buf = NULL;
	vg_reasm_clear(r);
	return 1;
}
