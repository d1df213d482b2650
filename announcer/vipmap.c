/*
 * VIP -> group lookup for the responder: an open-addressing hash table with
 * linear probing, sized to at most half full, so a captured frame costs one
 * hash and (almost always) one probe whatever the VIP count.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vipd.h"

struct vm_slot {
	struct net_addr addr; /* family 0 = empty; tombstone below */
	bool tomb;
	struct vgroup *g;
	size_t idx;
};

struct vipmap {
	struct vm_slot *slots;
	size_t cap;    /* power of two */
	size_t used;   /* live entries */
	size_t filled; /* live + tombstones */
};

static uint64_t
vm_hash(const struct net_addr *a)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i, n = net_addr_len(a);

	for (i = 0; i < n; i++) {
		h ^= a->a[i];
		h *= 1099511628211ULL;
	}
	h ^= (uint64_t)a->family;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

struct vipmap *
vipmap_new(void)
{
	struct vipmap *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->cap = 64;
	if ((m->slots = calloc(m->cap, sizeof(*m->slots))) == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

void
vipmap_free(struct vipmap *m)
{
	if (m == NULL)
		return;
	free(m->slots);
	free(m);
}

static struct vm_slot *
vm_lookup(const struct vipmap *m, const struct net_addr *a)
{
	size_t mask = m->cap - 1, i = (size_t)vm_hash(a) & mask, n;

	for (n = 0; n < m->cap; n++, i = (i + 1) & mask) {
		struct vm_slot *s = &m->slots[i];

		if (s->addr.family == 0 && !s->tomb)
			return NULL;
		if (!s->tomb && net_addr_eq(&s->addr, a))
			return s;
	}
	return NULL;
}

static int
vm_grow(struct vipmap *m)
{
	struct vm_slot *old = m->slots;
	size_t oldcap = m->cap, i, cap = m->cap;

	while ((m->used + 1) * 2 > cap)
		cap *= 2;
	if (cap == oldcap)
		cap = oldcap; /* only tombstones to clear: rehash in place */
	if ((m->slots = calloc(cap, sizeof(*m->slots))) == NULL) {
		m->slots = old;
		return -1;
	}
	m->cap = cap;
	m->used = m->filled = 0;
	for (i = 0; i < oldcap; i++)
		if (old[i].addr.family != 0 && !old[i].tomb)
			vipmap_add(m, &old[i].addr, old[i].g, old[i].idx);
	free(old);
	return 0;
}

int
vipmap_add(struct vipmap *m, const struct net_addr *a, struct vgroup *g,
           size_t idx)
{
	size_t mask, i;
	struct vm_slot *s;

	if ((s = vm_lookup(m, a)) != NULL) {
		errno = EEXIST;
		return -1;
	}
	if ((m->filled + 1) * 2 > m->cap && vm_grow(m) == -1)
		return -1;
	mask = m->cap - 1;
	i = (size_t)vm_hash(a) & mask;
	while (m->slots[i].addr.family != 0 && !m->slots[i].tomb)
		i = (i + 1) & mask;
	s = &m->slots[i];
	if (!s->tomb)
		m->filled++;
	s->addr = *a;
	s->tomb = false;
	s->g = g;
	s->idx = idx;
	m->used++;
	return 0;
}

void
vipmap_del(struct vipmap *m, const struct net_addr *a)
{
	struct vm_slot *s = vm_lookup(m, a);

	if (s == NULL)
		return;
	s->tomb = true;
	s->g = NULL;
	m->used--;
}

struct vgroup *
vipmap_find(const struct vipmap *m, const struct net_addr *a, size_t *idx)
{
	struct vm_slot *s = vm_lookup(m, a);

	if (s == NULL)
		return NULL;
	if (idx)
		*idx = s->idx;
	return s->g;
}
