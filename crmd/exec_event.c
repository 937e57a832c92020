/*
 * exec_event.c - libvirt's event loop (virEventRegisterImpl) backed by a qb_loop.
 *
 * Why not hand libvirt's calls straight to qb_loop: libvirt calls these hooks
 * from any thread (a worker opening a connection adds its socket watch), while
 * qb_loop is single-threaded.  So every hook only records the wish in tables
 * under a mutex and wakes the loop through an eventfd; the loop thread then
 * reconciles qb_loop with the tables (sync()).  That also gives the deferred
 * free libvirt requires: a removed watch's or timer's free callback runs from
 * sync(), never from inside the remove call.
 *
 * qb_loop registers one callback per fd, libvirt may watch an fd more than once,
 * so the tables are per watch and qb sees the union of events per fd.  A watch
 * added on an fd number that was closed and reused is re-registered (del + add),
 * because epoll silently dropped the old registration when the fd closed.
 *
 * libvirt timeouts: -1 = disabled, 0 = fire on every loop iteration, N = every
 * N ms until changed.  qb timers fire once, so a timer is re-armed after each
 * firing; a 0 ms qb timer added from a dispatch expires at the next iteration,
 * never in the same one, so "every iteration" cannot starve the loop.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <qb/qbloop.h>

#include "exec_int.h"

struct ev_watch {
	int id;
	int fd;
	int events;                  /* VIR_EVENT_HANDLE_* wanted */
	virEventHandleCallback cb;
	void *opaque;
	virFreeCallback ff;
	bool deleted;
};

struct ev_timer {
	int id;
	int timeout_ms;              /* -1 disabled, 0 every iteration, N period */
	virEventTimeoutCallback cb;
	void *opaque;
	virFreeCallback ff;
	bool deleted;
	bool dirty;                  /* period changed since armed */
	bool armed;
	uint32_t gen;                /* counts armings: a stale firing is ignored */
	qb_loop_timer_handle qb;
};

struct ev_fd {
	int fd;
	int32_t events;              /* POLL* registered with qb */
	bool registered;
	bool readd;                  /* a watch was added since registration */
};

struct ev_free {
	virFreeCallback ff;
	void *opaque;
};

static struct {
	pthread_mutex_t lock;
	qb_loop_t *loop;
	unsigned users;
	bool impl_registered;
	int kick_fd;
	bool kicked;
	int next_id;
	struct ev_watch *w;
	size_t nw, cw;
	struct ev_timer *t;
	size_t nt, ct;
	struct ev_fd *f;
	size_t nf, cf;
} ev = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.kick_fd = -1,
	.next_id = 1,
};

static bool grow(void **v, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return true;
	size_t ncap = *cap ? *cap * 2 : 8;
	void *nv = realloc(*v, ncap * size);
	if (!nv)
		return false;
	*v = nv;
	*cap = ncap;
	return true;
}

/* Wakes the loop so it runs sync(); called with the lock held, from any thread. */
static void kick(void)
{
	if (ev.kicked || ev.kick_fd < 0)
		return;
	uint64_t one = 1;
	if (write(ev.kick_fd, &one, sizeof(one)) == sizeof(one))
		ev.kicked = true;
}

static int32_t to_poll(int events)
{
	int32_t p = 0;
	if (events & VIR_EVENT_HANDLE_READABLE)
		p |= POLLIN;
	if (events & VIR_EVENT_HANDLE_WRITABLE)
		p |= POLLOUT;
	return p;
}

static int from_poll(int32_t revents)
{
	int e = 0;
	if (revents & POLLIN)
		e |= VIR_EVENT_HANDLE_READABLE;
	if (revents & POLLOUT)
		e |= VIR_EVENT_HANDLE_WRITABLE;
	if (revents & (POLLERR | POLLNVAL))
		e |= VIR_EVENT_HANDLE_ERROR;
	if (revents & POLLHUP)
		e |= VIR_EVENT_HANDLE_HANGUP;
	return e;
}

static struct ev_watch *watch_find(int id)
{
	for (size_t i = 0; i < ev.nw; i++)
		if (ev.w[i].id == id)
			return &ev.w[i];
	return NULL;
}

static struct ev_timer *timer_find(int id)
{
	for (size_t i = 0; i < ev.nt; i++)
		if (ev.t[i].id == id)
			return &ev.t[i];
	return NULL;
}

static struct ev_fd *fd_find(int fd)
{
	for (size_t i = 0; i < ev.nf; i++)
		if (ev.f[i].fd == fd)
			return &ev.f[i];
	return NULL;
}

/* ---- the hooks libvirt calls, from any thread ---- */

static int hook_add_handle(int fd, int events, virEventHandleCallback cb, void *opaque,
			   virFreeCallback ff)
{
	int id = -1;
	pthread_mutex_lock(&ev.lock);
	if (!ev.loop || fd < 0)
		goto out_unlock;
	struct ev_fd *f = fd_find(fd);
	if (!f) {
		if (!grow((void **)&ev.f, ev.nf, &ev.cf, sizeof(*ev.f)))
			goto out_unlock;
		f = &ev.f[ev.nf++];
		*f = (struct ev_fd){ .fd = fd };
	}
	f->readd = true;
	if (!grow((void **)&ev.w, ev.nw, &ev.cw, sizeof(*ev.w)))
		goto out_unlock;
	id = ev.next_id++;
	ev.w[ev.nw++] = (struct ev_watch){ .id = id, .fd = fd, .events = events, .cb = cb,
					   .opaque = opaque, .ff = ff };
	kick();
out_unlock:
	pthread_mutex_unlock(&ev.lock);
	return id;
}

static void hook_update_handle(int id, int events)
{
	pthread_mutex_lock(&ev.lock);
	struct ev_watch *w = watch_find(id);
	if (w && !w->deleted && w->events != events) {
		w->events = events;
		kick();
	}
	pthread_mutex_unlock(&ev.lock);
}

static int hook_remove_handle(int id)
{
	int rc = -1;
	pthread_mutex_lock(&ev.lock);
	struct ev_watch *w = watch_find(id);
	if (w && !w->deleted) {
		w->deleted = true;
		kick();
		rc = 0;
	}
	pthread_mutex_unlock(&ev.lock);
	return rc;
}

static int hook_add_timeout(int timeout_ms, virEventTimeoutCallback cb, void *opaque,
			    virFreeCallback ff)
{
	int id = -1;
	pthread_mutex_lock(&ev.lock);
	if (!ev.loop || !grow((void **)&ev.t, ev.nt, &ev.ct, sizeof(*ev.t)))
		goto out_unlock;
	id = ev.next_id++;
	ev.t[ev.nt++] = (struct ev_timer){ .id = id, .timeout_ms = timeout_ms, .cb = cb,
					   .opaque = opaque, .ff = ff, .dirty = true };
	kick();
out_unlock:
	pthread_mutex_unlock(&ev.lock);
	return id;
}

static void hook_update_timeout(int id, int timeout_ms)
{
	pthread_mutex_lock(&ev.lock);
	struct ev_timer *t = timer_find(id);
	if (t && !t->deleted) {
		/* Re-arm even when the period is unchanged: libvirt uses an update
		 * to restart the countdown (keepalive). */
		t->timeout_ms = timeout_ms;
		t->dirty = true;
		kick();
	}
	pthread_mutex_unlock(&ev.lock);
}

static int hook_remove_timeout(int id)
{
	int rc = -1;
	pthread_mutex_lock(&ev.lock);
	struct ev_timer *t = timer_find(id);
	if (t && !t->deleted) {
		t->deleted = true;
		kick();
		rc = 0;
	}
	pthread_mutex_unlock(&ev.lock);
	return rc;
}

/* ---- the loop side ---- */

static int32_t on_fd(int32_t fd, int32_t revents, void *data);
static void on_timer(void *data);

/* Reconciles qb_loop with the tables; collects the free callbacks of deleted
 * entries into @ret_frees (caller calls them without the lock).  Lock held. */
static size_t sync_locked(struct ev_free **ret_frees)
{
	struct ev_free *frees = NULL;
	size_t nfree = 0, cfree = 0;

	ev.kicked = false;

	/* watches: drop deleted ones, then the union of events per fd */
	size_t j = 0;
	for (size_t i = 0; i < ev.nw; i++) {
		if (ev.w[i].deleted) {
			if (ev.w[i].ff && grow((void **)&frees, nfree, &cfree, sizeof(*frees)))
				frees[nfree++] = (struct ev_free){ ev.w[i].ff, ev.w[i].opaque };
			continue;
		}
		ev.w[j++] = ev.w[i];
	}
	ev.nw = j;

	j = 0;
	for (size_t i = 0; i < ev.nf; i++) {
		struct ev_fd *f = &ev.f[i];
		int32_t want = 0;
		bool used = false;
		for (size_t k = 0; k < ev.nw; k++) {
			if (ev.w[k].fd == f->fd) {
				want |= to_poll(ev.w[k].events);
				used = true;
			}
		}
		if (f->registered && (want == 0 || f->readd)) {
			qb_loop_poll_del(ev.loop, f->fd);
			f->registered = false;
		}
		if (want && !f->registered) {
			if (qb_loop_poll_add(ev.loop, QB_LOOP_HIGH, f->fd, want,
					     (void *)(intptr_t)f->fd, on_fd) == 0) {
				f->registered = true;
				f->events = want;
			} else {
				/* qb keeps a half-made entry on failure; drop it.  The
				 * watch stays silent, as if the fd never became ready. */
				qb_loop_poll_del(ev.loop, f->fd);
			}
		} else if (want && f->events != want) {
			if (qb_loop_poll_mod(ev.loop, QB_LOOP_HIGH, f->fd, want,
					     (void *)(intptr_t)f->fd, on_fd) == 0)
				f->events = want;
		}
		f->readd = false;
		if (used || f->registered)
			ev.f[j++] = *f;
	}
	ev.nf = j;

	/* timers */
	j = 0;
	for (size_t i = 0; i < ev.nt; i++) {
		struct ev_timer *t = &ev.t[i];
		if (t->armed && (t->deleted || t->dirty)) {
			qb_loop_timer_del(ev.loop, t->qb);
			t->armed = false;
		}
		if (t->deleted) {
			if (t->ff && grow((void **)&frees, nfree, &cfree, sizeof(*frees)))
				frees[nfree++] = (struct ev_free){ t->ff, t->opaque };
			continue;
		}
		t->dirty = false;
		if (!t->armed && t->timeout_ms >= 0) {
			uint64_t ns = (uint64_t)t->timeout_ms * 1000000ULL;
			uint64_t key = ((uint64_t)(uint32_t)t->id << 32) | ++t->gen;
			if (qb_loop_timer_add(ev.loop, QB_LOOP_HIGH, ns, (void *)(uintptr_t)key,
					      on_timer, &t->qb) == 0)
				t->armed = true;
		}
		ev.t[j++] = *t;
	}
	ev.nt = j;

	*ret_frees = frees;
	return nfree;
}

static void sync_now(void)
{
	struct ev_free *frees;
	pthread_mutex_lock(&ev.lock);
	size_t n = ev.loop ? sync_locked(&frees) : 0;
	if (!ev.loop)
		frees = NULL;
	pthread_mutex_unlock(&ev.lock);
	for (size_t i = 0; i < n; i++)
		frees[i].ff(frees[i].opaque);
	free(frees);
}

static int32_t on_fd(int32_t fd, int32_t revents, void *data)
{
	struct call {
		int id;
		virEventHandleCallback cb;
		void *opaque;
		int events;
	} calls[8];
	size_t n = 0;
	int lv = from_poll(revents);

	pthread_mutex_lock(&ev.lock);
	for (size_t i = 0; i < ev.nw && n < 8; i++) {
		struct ev_watch *w = &ev.w[i];
		if (w->deleted || w->fd != fd)
			continue;
		int e = lv & (w->events | VIR_EVENT_HANDLE_ERROR | VIR_EVENT_HANDLE_HANGUP);
		if (e)
			calls[n++] = (struct call){ w->id, w->cb, w->opaque, e };
	}
	pthread_mutex_unlock(&ev.lock);

	for (size_t i = 0; i < n; i++) {
		/* An earlier callback may have removed this watch; its opaque is
		 * still valid (free callbacks wait for sync), but skip it. */
		pthread_mutex_lock(&ev.lock);
		struct ev_watch *w = watch_find(calls[i].id);
		bool live = w && !w->deleted;
		pthread_mutex_unlock(&ev.lock);
		if (live)
			calls[i].cb(calls[i].id, fd, calls[i].events, calls[i].opaque);
	}
	sync_now();
	return 0;
}

static void on_timer(void *data)
{
	uint64_t key = (uint64_t)(uintptr_t)data;
	int id = (int)(uint32_t)(key >> 32);
	uint32_t gen = (uint32_t)key;
	virEventTimeoutCallback cb = NULL;
	void *opaque = NULL;

	pthread_mutex_lock(&ev.lock);
	struct ev_timer *t = timer_find(id);
	if (t && t->armed && t->gen == gen) {
		/* qb forgets a timer once it fired: never del this handle again. */
		t->armed = false;
		/* Changed or removed after it expired but before this dispatch (the
		 * change's kick is in the same iteration): libvirt asked for the new
		 * setting, so this firing does not count. */
		if (!t->deleted && !t->dirty) {
			cb = t->cb;
			opaque = t->opaque;
		}
	}
	pthread_mutex_unlock(&ev.lock);

	if (cb)
		cb(id, opaque);
	sync_now();
}

static int32_t on_kick(int32_t fd, int32_t revents, void *data)
{
	uint64_t v;
	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return 0;
	sync_now();
	return 0;
}

/* Libraries do not print: libvirt errors come back in results instead. */
static void silent_error(void *data, virErrorPtr err)
{
}

int crmd_exec_event_bind(qb_loop_t *loop)
{
	int rc = 0;
	pthread_mutex_lock(&ev.lock);
	if (ev.loop == loop) {
		ev.users++;
		goto out_unlock;
	}
	if (ev.loop) {
		rc = -EBUSY;
		goto out_unlock;
	}
	ev.kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ev.kick_fd < 0) {
		rc = -errno;
		goto out_unlock;
	}
	rc = qb_loop_poll_add(loop, QB_LOOP_HIGH, ev.kick_fd, POLLIN, NULL, on_kick);
	if (rc < 0) {
		qb_loop_poll_del(loop, ev.kick_fd);
		goto close_kick;
	}
	ev.loop = loop;
	ev.users = 1;
	ev.kicked = false;
	/* Timers and watches that libvirt kept across an unbind (none in
	 * practice: unbind waits for the tables to empty) are armed on the new
	 * loop by the next sync. */
	for (size_t i = 0; i < ev.nt; i++)
		ev.t[i].armed = false;
	for (size_t i = 0; i < ev.nf; i++)
		ev.f[i].registered = false;
	if (!ev.impl_registered) {
		virEventRegisterImpl(hook_add_handle, hook_update_handle, hook_remove_handle,
				     hook_add_timeout, hook_update_timeout, hook_remove_timeout);
		virSetErrorFunc(NULL, silent_error);
		ev.impl_registered = true;
	}
	kick();
	goto out_unlock;

close_kick:
	close(ev.kick_fd);
	ev.kick_fd = -1;
out_unlock:
	pthread_mutex_unlock(&ev.lock);
	return rc;
}

void crmd_exec_event_unbind(qb_loop_t *loop)
{
	sync_now();
	pthread_mutex_lock(&ev.lock);
	if (ev.loop != loop || ev.users == 0)
		goto out_unlock;
	if (--ev.users > 0)
		goto out_unlock;
	/* libvirt still uses the loop (another libvirt user in the process):
	 * stay bound, so its watches keep working. */
	if (ev.nw > 0 || ev.nt > 0) {
		ev.users = 0;
		goto out_unlock;
	}
	qb_loop_poll_del(loop, ev.kick_fd);
	close(ev.kick_fd);
	ev.kick_fd = -1;
	ev.loop = NULL;
	free(ev.w);
	free(ev.t);
	free(ev.f);
	ev.w = NULL;
	ev.t = NULL;
	ev.f = NULL;
	ev.nw = ev.cw = ev.nt = ev.ct = ev.nf = ev.cf = 0;
out_unlock:
	pthread_mutex_unlock(&ev.lock);
}
