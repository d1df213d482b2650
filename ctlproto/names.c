/* State, fault, transition and counter names: the one vocabulary of both
 * programs. */
#include "config.h"

#include <string.h>

#include "ctlproto.h"

#define CTL_STATE_NAME_(id, name) [CTL_ST_##id] = name,
static const char *const ctl_states[CTL_ST_MAX] = {CTL_STATES(CTL_STATE_NAME_)};
#undef CTL_STATE_NAME_

#define CTL_FAULT_NAME_(id, name) [CTL_FAULT_##id] = name,
static const char *const ctl_faults[CTL_FAULT_MAX] = {
    CTL_FAULTS(CTL_FAULT_NAME_)};
#undef CTL_FAULT_NAME_

#define CTL_TR_NAME_(id, name) [CTL_TR_##id] = name,
static const char *const ctl_transitions[CTL_TR_MAX] = {
    CTL_TRANSITIONS(CTL_TR_NAME_)};
#undef CTL_TR_NAME_

#define CTL_GC_ENTRY_(id, key, flags, family, help)                            \
	[CTL_GC_##id] = {key, NULL, family, help, flags},
static const struct ctl_counter ctl_group_ctrs[CTL_GC_MAX] = {
    CTL_GROUP_COUNTERS(CTL_GC_ENTRY_)};
#undef CTL_GC_ENTRY_

#define CTL_DC_ENTRY_(id, section, key, flags, family, help)                   \
	[CTL_DC_##id] = {key, section, family, help, flags},
static const struct ctl_counter ctl_daemon_ctrs[CTL_DC_MAX] = {
    CTL_DAEMON_COUNTERS(CTL_DC_ENTRY_)};
#undef CTL_DC_ENTRY_

const char *
ctl_state_name(enum ctl_state s)
{
	return (unsigned)s < CTL_ST_MAX ? ctl_states[s] : "unknown";
}

int
ctl_state_find(const char *name)
{
	int s;

	for (s = 0; s < CTL_ST_MAX; s++)
		if (strcmp(ctl_states[s], name) == 0)
			return s;
	return -1;
}

const char *
ctl_fault_name(enum ctl_fault f)
{
	return (unsigned)f < CTL_FAULT_MAX ? ctl_faults[f] : "";
}

const char *
ctl_transition_name(enum ctl_transition t)
{
	return (unsigned)t < CTL_TR_MAX ? ctl_transitions[t] : "";
}

const struct ctl_counter *
ctl_group_counter(enum ctl_group_ctr c)
{
	return (unsigned)c < CTL_GC_MAX ? &ctl_group_ctrs[c] : NULL;
}

const struct ctl_counter *
ctl_daemon_counter(enum ctl_daemon_ctr c)
{
	return (unsigned)c < CTL_DC_MAX ? &ctl_daemon_ctrs[c] : NULL;
}
