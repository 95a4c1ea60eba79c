/*
 * bootstrap.c - the namespace bootstrap of hull-init.
 *
 * Linked into the NativeAOT hull-init executable. Its constructor runs before the .NET runtime
 * starts, while the process is still single-threaded, because unshare(CLONE_NEWUSER),
 * setns() into mount/user namespaces and fork() for a new PID namespace are only safe (or only
 * allowed) there. Everything else a container needs is done later in C#, inside the namespaces.
 *
 * Protocol (all integers little-endian, on the stream socket named by $_HULL_INIT_FD):
 *   frame   = u32 type, u32 length, payload[length]
 *   parent -> us:  BOOT_DATA    payload = attributes: u32 attr, u32 length, value[length]
 *                  USERMAP_ACK  the parent has written our uid_map/gid_map
 *   us -> parent:  USERMAP_REQ  we unshared a user namespace; please write our maps
 *                  INIT_PID     u32: host pid of the container init (our forked child)
 *                  ERROR        text: what failed, for the parent's error message
 *
 * The cloned child (PID 1 of a new PID namespace when asked, and hull's child) returns from the
 * constructor and the .NET runtime starts inside the namespaces; hull_boot_fd() hands it the
 * socket. This process (stage 0) reports the child's pid and exits.
 *
 * Cgroups: when hull sends the container's cgroup directories, the init enters them here rather
 * than being moved by hull. Moving another process into a cgroup takes the kernel's global
 * threadgroup lock for writing, which waits for an RCU grace period (5-20 ms, the largest single
 * cost of `hull run`); a thread moving itself (v1 `tasks`, pid 0) or a process cloned straight
 * into its cgroup (clone3 CLONE_INTO_CGROUP, v2) does not.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#define HULL_CLONE_INTO_CGROUP 0x200000000ULL

/* clone3's argument, as far as CLONE_INTO_CGROUP (Linux 5.7): <linux/sched.h>'s struct clone_args. */
struct hull_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

/* Frame types; keep in sync with Process/SyncMessage.cs. */
enum {
	MSG_BOOT_DATA = 1,
	MSG_USERMAP_REQ = 2,
	MSG_USERMAP_ACK = 3,
	MSG_INIT_PID = 4,
	MSG_ERROR = 5,
};

/* BOOT_DATA attributes; keep in sync with Process/BootstrapData.cs. */
enum {
	ATTR_CLONE_FLAGS = 1,  /* u32: namespaces to create (CLONE_NEW*) */
	ATTR_NS_PATH = 2,      /* u32 CLONE_NEW* type, then a NUL-terminated path to setns() into */
	ATTR_TIME_OFFSETS = 3, /* text written to /proc/self/timens_offsets of a new time namespace */
	ATTR_OOM_SCORE_ADJ = 4, /* text written to /proc/self/oom_score_adj while we are still dumpable */
	ATTR_CGROUP_V1 = 5,    /* NUL-terminated v1 cgroup directory: we move ourselves in (tasks, "0") */
	ATTR_CGROUP_V2 = 6,    /* NUL-terminated v2 cgroup directory: the init is cloned into it */
};

#define MAX_BOOT_DATA (64 * 1024)
#define MAX_JOINS 16
#define MAX_CGROUPS 32

static int boot_fd = -1;

/* The socket to the parent, or -1 when hull-init was not started by hull. Read from C#. */
int hull_boot_fd(void)
{
	return boot_fd;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int send_frame(uint32_t type, const void *payload, uint32_t len)
{
	uint32_t head[2] = { type, len };
	if (write_all(boot_fd, head, sizeof(head)) < 0)
		return -1;
	return len == 0 ? 0 : write_all(boot_fd, payload, len);
}

/* Reports why the bootstrap failed (with errno's text) to the parent, then exits. */
__attribute__((noreturn, format(printf, 1, 2))) static void bail(const char *fmt, ...)
{
	int saved = errno;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (saved != 0 && (size_t)n < sizeof(msg))
		n += snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s", strerror(saved));
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	if (send_frame(MSG_ERROR, msg, (uint32_t)n) < 0)
		fprintf(stderr, "hull-init: %s\n", msg);
	_exit(1);
}

static const char *ns_name(uint32_t type)
{
	switch (type) {
	case CLONE_NEWUSER: return "user";
	case CLONE_NEWPID: return "pid";
	case CLONE_NEWNS: return "mount";
	case CLONE_NEWNET: return "network";
	case CLONE_NEWIPC: return "ipc";
	case CLONE_NEWUTS: return "uts";
	case CLONE_NEWCGROUP: return "cgroup";
	case CLONE_NEWTIME: return "time";
	default: return "unknown";
	}
}

struct join {
	uint32_t type;
	const char *path;
	int fd;
};

struct boot_config {
	uint32_t clone_flags;
	struct join joins[MAX_JOINS];
	int njoins;
	const char *time_offsets;
	uint32_t time_offsets_len;
	const char *oom_score_adj;
	uint32_t oom_score_adj_len;
	const char *cgroups_v1[MAX_CGROUPS];
	int ncgroups_v1;
	const char *cgroup_v2;
};

/* A NUL-terminated path attribute, used in place. */
static const char *path_attr(const char *value, uint32_t alen, const char *what)
{
	if (alen < 2 || value[0] != '/' || value[alen - 1] != '\0') {
		errno = 0;
		bail("bootstrap data: bad %s", what);
	}
	return value;
}

static void parse_boot_data(char *data, uint32_t len, struct boot_config *cfg)
{
	uint32_t off = 0;
	while (off + 8 <= len) {
		uint32_t attr, alen;
		memcpy(&attr, data + off, 4);
		memcpy(&alen, data + off + 4, 4);
		off += 8;
		if (alen > len - off) {
			errno = 0;
			bail("bootstrap data is truncated");
		}
		char *value = data + off;
		off += alen;
		switch (attr) {
		case ATTR_CLONE_FLAGS:
			if (alen != 4) {
				errno = 0;
				bail("bootstrap data: bad clone flags");
			}
			memcpy(&cfg->clone_flags, value, 4);
			break;
		case ATTR_NS_PATH:
			/* The parent NUL-terminates the path, so it can be used in place. */
			if (alen < 6 || value[alen - 1] != '\0' || cfg->njoins == MAX_JOINS) {
				errno = 0;
				bail("bootstrap data: bad namespace path");
			}
			memcpy(&cfg->joins[cfg->njoins].type, value, 4);
			cfg->joins[cfg->njoins].path = value + 4;
			cfg->njoins++;
			break;
		case ATTR_TIME_OFFSETS:
			cfg->time_offsets = value;
			cfg->time_offsets_len = alen;
			break;
		case ATTR_OOM_SCORE_ADJ:
			cfg->oom_score_adj = value;
			cfg->oom_score_adj_len = alen;
			break;
		case ATTR_CGROUP_V1:
			if (cfg->ncgroups_v1 == MAX_CGROUPS) {
				errno = 0;
				bail("bootstrap data: too many cgroups");
			}
			cfg->cgroups_v1[cfg->ncgroups_v1++] = path_attr(value, alen, "cgroup path");
			break;
		case ATTR_CGROUP_V2:
			cfg->cgroup_v2 = path_attr(value, alen, "cgroup path");
			break;
		default:
			errno = 0;
			bail("bootstrap data: unknown attribute %u", attr);
		}
	}
}

/*
 * Joins the namespaces given by path. All are opened first (a path may stop resolving once we
 * are in another mount namespace), and the user namespace is joined first because it decides
 * what we may do in the others.
 */
static void join_namespaces(struct boot_config *cfg)
{
	for (int i = 0; i < cfg->njoins; i++) {
		struct join *j = &cfg->joins[i];
		j->fd = open(j->path, O_RDONLY | O_CLOEXEC);
		if (j->fd < 0)
			bail("opening %s namespace %s", ns_name(j->type), j->path);
	}
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < cfg->njoins; i++) {
			struct join *j = &cfg->joins[i];
			if ((pass == 0) != (j->type == CLONE_NEWUSER))
				continue;
			if (setns(j->fd, (int)j->type) < 0)
				bail("joining %s namespace %s", ns_name(j->type), j->path);
			close(j->fd);
		}
	}
}

/* Asks the parent to write our uid/gid maps: an unprivileged process cannot map itself. */
static void sync_user_maps(void)
{
	/*
	 * A non-dumpable process's /proc files belong to the host's root, so an unprivileged parent
	 * could not write our maps. Dumpable just for this exchange: nothing of the container runs yet.
	 */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		bail("prctl(PR_SET_DUMPABLE, 1) for the user namespace maps");
	if (send_frame(MSG_USERMAP_REQ, NULL, 0) < 0)
		bail("asking the parent for user namespace maps");
	uint32_t head[2];
	if (read_all(boot_fd, head, sizeof(head)) < 0 || head[0] != MSG_USERMAP_ACK || head[1] != 0) {
		errno = 0;
		bail("the parent did not write the user namespace maps");
	}
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		bail("prctl(PR_SET_DUMPABLE, 0)");
}

/* Become root of the (new or joined) user namespace, so that the C# init has its capabilities. */
static void become_ns_root(void)
{
	if (setresgid(0, 0, 0) < 0)
		bail("setresgid(0) in the user namespace");
	/* EPERM here means setgroups is denied (unprivileged maps): the groups are already empty. */
	if (setgroups(0, NULL) < 0 && errno != EPERM)
		bail("setgroups(0) in the user namespace");
	if (setresuid(0, 0, 0) < 0)
		bail("setresuid(0) in the user namespace");
}

/*
 * Must run while we are dumpable: a non-dumpable process's /proc/self files belong to the host's
 * root, so an unprivileged hull could not even raise its score. Every later process inherits it.
 */
static void write_oom_score_adj(const struct boot_config *cfg)
{
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		bail("opening /proc/self/oom_score_adj");
	if (write_all(fd, cfg->oom_score_adj, cfg->oom_score_adj_len) < 0) {
		if (errno == EACCES)
			bail("setting process.oomScoreAdj to %.*s: lowering it needs CAP_SYS_RESOURCE, which a non-root user lacks",
			     (int)cfg->oom_score_adj_len, cfg->oom_score_adj);
		bail("setting process.oomScoreAdj to %.*s", (int)cfg->oom_score_adj_len, cfg->oom_score_adj);
	}
	close(fd);
}

static void write_time_offsets(const struct boot_config *cfg)
{
	int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		bail("opening /proc/self/timens_offsets");
	if (write_all(fd, cfg->time_offsets, cfg->time_offsets_len) < 0)
		bail("writing time namespace offsets");
	close(fd);
}

/* Writes "0" (ourselves) to DIR/FILE. */
static void enter_cgroup(const char *dir, const char *file)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		bail("joining cgroup %s", dir);
	}
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write_all(fd, "0", 1) < 0)
		bail("joining cgroup %s", dir);
	close(fd);
}

/*
 * v1: each hierarchy's `tasks` takes a thread, and we are the only one; pid 0 is the writer
 * itself, which the kernel moves without the global lock. Done first, in hull's namespaces and
 * with hull's credentials, so that a new cgroup namespace is rooted here and the init's child
 * inherits every hierarchy.
 */
static void enter_v1_cgroups(const struct boot_config *cfg)
{
	for (int i = 0; i < cfg->ncgroups_v1; i++)
		enter_cgroup(cfg->cgroups_v1[i], "tasks");
}

/*
 * v2: the directory the init is cloned into, opened while its path still resolves (-1: none).
 * The kernel checks CLONE_INTO_CGROUP against the cloner's credentials, which inside a user
 * namespace no longer own the host's cgroup: then we join it ourselves first, the slow way.
 */
static int open_v2_cgroup(const struct boot_config *cfg, int enters_user_ns)
{
	if (cfg->cgroup_v2 == NULL)
		return -1;
	if (enters_user_ns) {
		enter_cgroup(cfg->cgroup_v2, "cgroup.procs");
		return -1;
	}
	int fd = open(cfg->cgroup_v2, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		bail("opening cgroup %s", cfg->cgroup_v2);
	return fd;
}

/*
 * fork() as hull's child (CLONE_PARENT), born in the v2 cgroup when there is one. A kernel without
 * CLONE_INTO_CGROUP (before 5.7) gets the slow way: we join it ourselves, then fork.
 */
static pid_t clone_init(const struct boot_config *cfg, int cgroup_fd)
{
	if (cgroup_fd >= 0) {
		/* clone3 wants no exit_signal with CLONE_PARENT: the child inherits ours, SIGCHLD. */
		struct hull_clone_args args = {
			.flags = CLONE_PARENT | HULL_CLONE_INTO_CGROUP,
			.cgroup = (uint64_t)cgroup_fd,
		};
		pid_t child = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
		if (child >= 0 || (errno != ENOSYS && errno != E2BIG && errno != EINVAL))
			return child;
		enter_cgroup(cfg->cgroup_v2, "cgroup.procs");
	}
	return (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, NULL);
}

/*
 * The init makes a new cgroup namespace itself: only once it is in all its cgroups (v2 at clone)
 * is it rooted at them. Stage 0 still owns the socket, so a failure is reported through it: the
 * errno goes back over a pipe, and stage 0 waits for it before it reports the init's pid.
 */
static void unshare_cgroup_in_child(int report_fd)
{
	if (unshare(CLONE_NEWCGROUP) < 0) {
		int err = errno;
		if (write_all(report_fd, &err, sizeof(err)) < 0)
			_exit(1);
		_exit(1);
	}
	close(report_fd);
}

static void await_child_cgroup(int report_fd)
{
	int err;
	ssize_t n;
	do
		n = read(report_fd, &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	if (n == sizeof(err)) {
		errno = err;
		bail("unsharing the cgroup namespace");
	}
	close(report_fd);
}

__attribute__((constructor)) static void hull_bootstrap(void)
{
	const char *env = getenv("_HULL_INIT_FD");
	if (env == NULL)
		return;
	char *end;
	long fd = strtol(env, &end, 10);
	if (*env == '\0' || *end != '\0' || fd < 3 || fd > 65535) {
		fprintf(stderr, "hull-init: bad _HULL_INIT_FD=%s\n", env);
		_exit(1);
	}
	boot_fd = (int)fd;
	unsetenv("_HULL_INIT_FD");
	/* Exec'd from /proc/self/fd/N, the kernel names us "N": ps would show the waiting init as a number. */
	prctl(PR_SET_NAME, "hull-init", 0, 0, 0);
	/* Above the socket is the fd hull exec'd us from: not ours to keep. */
	close_range((unsigned)boot_fd + 1, ~0U, 0);

	uint32_t head[2];
	if (read_all(boot_fd, head, sizeof(head)) < 0 || head[0] != MSG_BOOT_DATA || head[1] > MAX_BOOT_DATA) {
		errno = 0;
		bail("reading bootstrap data from the parent");
	}
	/* Static, not stack: the forked child keeps nothing from it, and it is read once. */
	static char data[MAX_BOOT_DATA];
	if (read_all(boot_fd, data, head[1]) < 0) {
		errno = 0;
		bail("reading bootstrap data from the parent");
	}
	struct boot_config cfg = { 0 };
	parse_boot_data(data, head[1], &cfg);
	if (cfg.oom_score_adj_len > 0)
		write_oom_score_adj(&cfg);
	int joined_user = 0;
	for (int i = 0; i < cfg.njoins; i++)
		joined_user |= cfg.joins[i].type == CLONE_NEWUSER;
	enter_v1_cgroups(&cfg);
	int cgroup_fd = open_v2_cgroup(&cfg, joined_user || (cfg.clone_flags & CLONE_NEWUSER));

	/*
	 * Nothing in the container may ptrace us or read our memory while we hold host resources.
	 * Until here we were only in hull's namespaces, reading what hull sent (runc's order).
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		bail("prctl(PR_SET_DUMPABLE)");

	join_namespaces(&cfg);

	/*
	 * The user namespace comes first and alone, and is mapped before the others exist, so that
	 * every other namespace is owned by it (unsharing all at once gets some owners wrong).
	 */
	if (cfg.clone_flags & CLONE_NEWUSER) {
		if (unshare(CLONE_NEWUSER) < 0)
			bail("unsharing the user namespace");
		sync_user_maps();
	}
	if ((cfg.clone_flags & CLONE_NEWUSER) || joined_user)
		become_ns_root();

	uint32_t rest = cfg.clone_flags & ~(uint32_t)(CLONE_NEWUSER | CLONE_NEWCGROUP);
	if (rest != 0 && unshare((int)rest) < 0)
		bail("unsharing namespaces (flags 0x%x)", rest);
	/* Offsets can only be set before any process lives in the new time namespace. */
	if ((rest & CLONE_NEWTIME) && cfg.time_offsets_len > 0)
		write_time_offsets(&cfg);

	/*
	 * A new PID (and time) namespace applies to children only, so the init is a new process.
	 * CLONE_PARENT makes it hull's child rather than ours, as runc's init is runc's: `hull run`
	 * waits for it directly and gets its exit status, subreaper or not. A raw clone() with no
	 * new stack behaves as fork(); no other thread exists whose locks could be inherited.
	 */
	int report[2] = { -1, -1 };
	int new_cgroupns = (cfg.clone_flags & CLONE_NEWCGROUP) != 0;
	if (new_cgroupns && pipe2(report, O_CLOEXEC) < 0)
		bail("pipe for the cgroup namespace");
	pid_t child = clone_init(&cfg, cgroup_fd);
	if (child < 0)
		bail("creating the container's init process");
	if (child == 0) {
		/* The container's init: .NET starts now. */
		if (cgroup_fd >= 0)
			close(cgroup_fd);
		if (new_cgroupns) {
			close(report[0]);
			unshare_cgroup_in_child(report[1]);
		}
		return;
	}
	if (new_cgroupns) {
		close(report[1]);
		await_child_cgroup(report[0]);
	}

	uint32_t pid = (uint32_t)child;
	if (send_frame(MSG_INIT_PID, &pid, sizeof(pid)) < 0)
		_exit(1);
	_exit(0);
}
