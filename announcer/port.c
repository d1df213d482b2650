/*
 * Ports: one capture/injection handle per interface, shared by the groups
 * on it.  A port exists even while its interface does not (a group waits in
 * fault for it); link notifications open, close and re-flag it.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "vipd.h"

/* Frames handled per wake-up, so a burst of requests cannot starve the
 * heartbeats; the rest wait for the next iteration. */
#define PORT_RX_BUDGET 512

static void
on_frame(const struct frame_info *fi, void *arg)
{
	announce_frame(arg, fi);
}

static void
on_port(struct ev_loop *loop, struct ev_io *io, uint32_t revents, void *arg)
{
	struct port *p = arg;

	(void)loop;
	(void)io;
	(void)revents;
	if (p->l2 == NULL)
		return;
	if (l2_port_dispatch(p->l2, PORT_RX_BUDGET, on_frame, p) == -1)
		log_debug("%s: capture: %s", p->ifname, strerror(errno));
	vipd_el_flush(p->d);
}

static void
port_close(struct port *p)
{
	ev_io_stop(p->d->loop, &p->io);
	l2_port_free(p->l2);
	p->l2 = NULL;
}

/* Open capture and injection; on failure the reason is kept in l2_error. */
static void
port_open(struct port *p)
{
	struct rtnl_link l;

	p->l2_error[0] = '\0';
	if (rtnl_link_get(p->d->nl, p->ifname, &l) == -1) {
		p->present = false;
		return;
	}
	p->present = true;
	p->ifindex = l.ifindex;
	p->oper_up = l.oper_up && l.admin_up;
	p->master = l.master;
	p->l2 = l2_port_new(p->ifname, p->l2_error, sizeof(p->l2_error));
	if (p->l2 == NULL)
		return;
	ev_io_init(&p->io, l2_port_fd(p->l2), on_port, p);
	if (ev_io_start(p->d->loop, &p->io, EPOLLIN) == -1) {
		snprintf(p->l2_error, sizeof(p->l2_error), "epoll: %s",
		         strerror(errno));
		l2_port_free(p->l2);
		p->l2 = NULL;
		return;
	}
	p->filter_dirty = true;
}

struct port *
port_get(struct vipd *d, const char *ifname)
{
	struct port *p, **np;
	size_t i;

	for (i = 0; i < d->nports; i++) {
		if (strcmp(d->ports[i]->ifname, ifname) == 0) {
			d->ports[i]->refs++;
			return d->ports[i];
		}
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	np = realloc(d->ports, (d->nports + 1) * sizeof(*np));
	if (np == NULL) {
		free(p);
		return NULL;
	}
	d->ports = np;
	p->d = d;
	snprintf(p->ifname, sizeof(p->ifname), "%s", ifname);
	p->refs = 1;
	port_open(p);
	d->ports[d->nports++] = p;
	return p;
}

void
port_free(struct port *p)
{
	if (p == NULL)
		return;
	port_close(p);
	free(p);
}

void
port_put(struct port *p)
{
	struct vipd *d = p->d;
	size_t i;

	if (--p->refs > 0) {
		p->filter_dirty = true;
		port_refresh_filter(p);
		return;
	}
	for (i = 0; i < d->nports; i++) {
		if (d->ports[i] == p) {
			d->ports[i] = d->ports[--d->nports];
			break;
		}
	}
	port_free(p);
}

/* Install a kernel filter for the VIPs of every group on this port. */
void
port_refresh_filter(struct port *p)
{
	struct vipd *d = p->d;
	struct net_addr *v;
	size_t i, j, n = 0, cap = 0;
	bool fallback = false;

	if (p->l2 == NULL || !p->filter_dirty)
		return;
	for (i = 0; i < d->ngroups; i++)
		if (d->groups[i] && d->groups[i]->port == p)
			cap += d->groups[i]->nvips;
	if ((v = calloc(cap ? cap : 1, sizeof(*v))) == NULL)
		return;
	for (i = 0; i < d->ngroups; i++) {
		struct vgroup *g = d->groups[i];

		if (g == NULL || g->port != p)
			continue;
		for (j = 0; j < g->nvips; j++)
			v[n++] = g->vips[j].addr;
	}
	if (l2_port_set_vips(p->l2, v, n, &fallback) == -1) {
		log_warn("%s: installing the capture filter", p->ifname);
	} else {
		p->filter_dirty = false;
		if (fallback && !p->filter_fallback)
			log_info(
			    "%s: %zu VIPs exceed the kernel filter's size; "
			    "filtering by frame type only",
			    p->ifname, n);
		p->filter_fallback = fallback;
	}
	free(v);
}

enum group_fault
port_fault(const struct port *p, const char **text)
{
	if (p == NULL || !p->present) {
		*text = "interface not present";
		return GF_NO_INTERFACE;
	}
	if (p->l2 == NULL) {
		*text = p->l2_error;
		return GF_L2;
	}
	if (!p->oper_up) {
		*text = "link down";
		return GF_LINK_DOWN;
	}
	*text = "";
	return GF_NONE;
}

void
port_pin_link(const struct port *p, struct pin_link *out)
{
	const char *text;

	memset(out, 0, sizeof(*out));
	if (p == NULL)
		return;
	out->present = p->present;
	out->up = p->oper_up;
	out->ready = port_fault(p, &text) == GF_NONE;
	out->ifindex = p->ifindex;
	out->master = p->master;
}

void
port_groups_fault(struct port *p)
{
	struct vipd *d = p->d;
	enum group_fault f;
	const char *text;
	size_t i;

	for (i = 0; i < d->ngroups; i++) {
		struct vgroup *g = d->groups[i];

		if (g == NULL || g->port != p)
			continue;
		f = port_fault(p, &text);
		/* Clear only the faults the port causes, not netlink/auth. */
		if (f != GF_NONE || g->fault == GF_NO_INTERFACE ||
		    g->fault == GF_L2 || g->fault == GF_LINK_DOWN)
			group_set_fault(g, f, text);
		if (p->l2 != NULL)
			group_update_election(g);
	}
}

bool
port_link_event(struct port *p, const struct rtnl_link *l, bool deleted)
{
	bool up = l->oper_up && l->admin_up;

	if (strcmp(p->ifname, l->name) != 0 &&
	    !(p->present && p->ifindex == l->ifindex))
		return false;
	if (deleted) {
		if (!p->present || p->ifindex != l->ifindex)
			return false;
		log_warnx("%s: interface removed", p->ifname);
		port_close(p);
		p->present = false;
	} else if (!p->present || p->l2 == NULL) {
		if (strcmp(p->ifname, l->name) != 0)
			return false;
		log_info("%s: interface appeared", p->ifname);
		port_open(p);
		port_refresh_filter(p);
	} else if (strcmp(p->ifname, l->name) != 0) {
		/* Renamed away from the configured name. */
		log_warnx("%s: interface renamed to %s", p->ifname, l->name);
		port_close(p);
		p->present = false;
	} else {
		if (up != p->oper_up)
			log_info("%s: link %s", p->ifname, up ? "up" : "down");
		p->oper_up = up;
		if (memcmp(l->mac, l2_port_mac(p->l2), NET_MAC_LEN) != 0)
			l2_port_refresh(p->l2);
	}
	return true;
}
