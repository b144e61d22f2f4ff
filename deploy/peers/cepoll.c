/*
 * cepoll.c is the lecture's server as one thread and epoll, in C: the
 * yardstick for socketlab's -model eventloop (deploy/peers/compare.sh builds
 * it with gcc at run time; it is not part of the lab).
 *
 *   gcc -O2 -o cepoll deploy/peers/cepoll.c && ./cepoll 127.0.0.1 8003 [backlog]
 *
 * It does what socketlab's event loop does for each call, no less, so that
 * the two compare fairly: greet, read once (at most 1000 bytes), print a log
 * line ("call from ip:port: said \"...\" (n bytes), echoed it (0.12ms)"),
 * echo, and hang up: a plain close when nothing waits unread (the one read
 * was short and a peek finds nothing), else a half-close (FIN) and a drain of
 * what the caller still sends, for at most 2s and 4 MiB, then the close. A
 * caller silent for 30s is hung up on. The deadlines are two lists in
 * deadline order (each has a fixed timeout), as in the Go loop; the log is
 * buffered and written at most every 10ms, as socketlab's call log is.
 *
 * Unlike socketlab it does not wait for a caller who does not read its echo:
 * a short write closes the call (loopback benchmarks never see one).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_READ 1000
#define MAX_DRAIN (4 << 20)
#define IDLE_NS (30LL * 1000000000)
#define DRAIN_NS (2LL * 1000000000)
#define FLUSH_NS (10LL * 1000000)
#define ACCEPT_BATCH 64
#define MAX_EVENTS 256

enum phase { FREE, GREETED, DRAINING };
enum { NO_LIST, IDLE, DRAIN };

struct call {
	unsigned char phase, list;
	int prev, next;
	int64_t start, deadline;
	int64_t drained;
	struct sockaddr_in from;
};

static struct call *calls;
static int ncalls;
static int head[3] = {-1, -1, -1}, tail[3] = {-1, -1, -1};
static char buf[64 << 10];
static char out[64 << 10];
static size_t outlen;

static int64_t now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void unlink_call(int fd) {
	struct call *c = &calls[fd];
	if (c->list == NO_LIST)
		return;
	if (c->prev >= 0)
		calls[c->prev].next = c->next;
	else
		head[c->list] = c->next;
	if (c->next >= 0)
		calls[c->next].prev = c->prev;
	else
		tail[c->list] = c->prev;
	c->list = NO_LIST;
	c->prev = c->next = -1;
}

static void push(int fd, int list, int64_t deadline) {
	struct call *c = &calls[fd];
	unlink_call(fd);
	c->list = list;
	c->deadline = deadline;
	c->next = -1;
	c->prev = tail[list];
	if (tail[list] >= 0)
		calls[tail[list]].next = fd;
	else
		head[list] = fd;
	tail[list] = fd;
}

static void flush_log(void) {
	size_t off = 0;
	while (off < outlen) {
		ssize_t n = write(1, out + off, outlen - off);
		if (n <= 0)
			break;
		off += n;
	}
	outlen = 0;
}

/* log_call appends the call's line to the log, quoting what was said. */
static void log_call(struct call *c, const char *said, int n, int64_t took) {
	if (outlen + 512 > sizeof out)
		flush_log();
	char *p = out + outlen;
	char ip[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &c->from.sin_addr, ip, sizeof ip);
	p += sprintf(p, "call from %s:%d: said \"", ip, ntohs(c->from.sin_port));
	int shown = n < 80 ? n : 80;
	for (int i = 0; i < shown; i++) {
		unsigned char b = said[i];
		if (b == '\n') {
			*p++ = '\\';
			*p++ = 'n';
		} else if (b == '\r') {
			*p++ = '\\';
			*p++ = 'r';
		} else if (b == '"' || b == '\\') {
			*p++ = '\\';
			*p++ = b;
		} else if (b < 0x20 || b >= 0x7f) {
			p += sprintf(p, "\\x%02x", b);
		} else {
			*p++ = b;
		}
	}
	p += sprintf(p, "\"%s (%d bytes), echoed it (%.2fms)\n", shown < n ? "…" : "", n, took / 1e6);
	outlen = p - out;
}

static void end_call(int fd) {
	unlink_call(fd);
	calls[fd].phase = FREE;
	close(fd);
}

static void drain_some(int fd) {
	struct call *c = &calls[fd];
	while (c->drained < MAX_DRAIN) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0)
			break;
		c->drained += n;
	}
	end_call(fd);
}

static void hear(int fd) {
	struct call *c = &calls[fd];
	ssize_t n = read(fd, buf, MAX_READ);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0) { /* hung up (or reset) before speaking */
		end_call(fd);
		return;
	}
	if (write(fd, buf, n) != n) {
		end_call(fd);
		return;
	}
	unlink_call(fd);
	log_call(c, buf, n, now_ns() - c->start);
	char one;
	if (n < MAX_READ && recv(fd, &one, 1, MSG_PEEK | MSG_DONTWAIT) < 0 && errno == EAGAIN) {
		end_call(fd);
		return;
	}
	c->phase = DRAINING;
	if (shutdown(fd, SHUT_WR) != 0) {
		end_call(fd);
		return;
	}
	push(fd, DRAIN, now_ns() + DRAIN_NS);
	drain_some(fd);
}

static void accept_some(int lfd, int ep) {
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		struct sockaddr_in from;
		socklen_t len = sizeof from;
		int fd = accept4(lfd, (struct sockaddr *)&from, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return; /* EAGAIN, or out of files: the next readiness tries again */
		}
		if (fd >= ncalls) {
			int n = fd * 2;
			calls = realloc(calls, n * sizeof *calls);
			memset(calls + ncalls, 0, (n - ncalls) * sizeof *calls);
			ncalls = n;
		}
		struct call *c = &calls[fd];
		memset(c, 0, sizeof *c);
		c->prev = c->next = -1;
		c->from = from;
		c->start = now_ns();
		if (write(fd, "hello\n", 6) != 6) {
			close(fd);
			continue;
		}
		struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.fd = fd};
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
			close(fd);
			continue;
		}
		c->phase = GREETED;
		push(fd, IDLE, c->start + IDLE_NS);
	}
}

int main(int argc, char **argv) {
	const char *host = argc > 1 ? argv[1] : "127.0.0.1";
	int port = argc > 2 ? atoi(argv[2]) : 8003;
	int backlog = argc > 3 ? atoi(argv[3]) : 128;
	signal(SIGPIPE, SIG_IGN);
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in at = {.sin_family = AF_INET, .sin_port = htons(port)};
	if (inet_pton(AF_INET, host, &at.sin_addr) != 1 || bind(lfd, (struct sockaddr *)&at, sizeof at) != 0 || listen(lfd, backlog) != 0) {
		perror("cepoll: listen");
		return 1;
	}
	ncalls = 1024;
	calls = calloc(ncalls, sizeof *calls);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	printf("cepoll server listening at %s:%d\n", host, port);
	fflush(stdout);
	struct epoll_event events[MAX_EVENTS];
	int64_t flushed = now_ns();
	int timeout = -1;
	for (;;) {
		int n = epoll_wait(ep, events, MAX_EVENTS, timeout);
		for (int i = 0; i < n; i++) {
			int fd = events[i].data.fd;
			if (fd == lfd)
				accept_some(lfd, ep);
			else if (calls[fd].phase == GREETED)
				hear(fd);
			else if (calls[fd].phase == DRAINING)
				drain_some(fd);
		}
		int64_t now = now_ns();
		for (int list = IDLE; list <= DRAIN; list++)
			while (head[list] >= 0 && calls[head[list]].deadline <= now)
				end_call(head[list]);
		int64_t next = -1;
		for (int list = IDLE; list <= DRAIN; list++)
			if (head[list] >= 0 && (next < 0 || calls[head[list]].deadline - now < next))
				next = calls[head[list]].deadline - now;
		if (outlen > 0) {
			if (now - flushed >= FLUSH_NS) {
				flush_log();
				flushed = now;
			} else if (next < 0 || FLUSH_NS - (now - flushed) < next) {
				next = FLUSH_NS - (now - flushed);
			}
		}
		if (outlen == 0 && next < 0)
			flushed = now; /* idle: the next line waits its 10ms from here */
		timeout = next < 0 ? -1 : (int)((next + 999999) / 1000000);
	}
}
