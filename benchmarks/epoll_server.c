/*
 * A plain C echo server to compare ours with (benchmarks/compare.sh): one thread, epoll (level-triggered), non-blocking
 * sockets on 127.0.0.1. Each readable connection is read once into a 256 KiB buffer and everything read is written
 * straight back. When the socket takes only part of it, the rest waits in that connection's own buffer and the
 * connection is watched for EPOLLOUT instead of EPOLLIN: it is not read again until its echoes are all written, so a
 * peer that does not read cannot make the server hold more than one read's worth for it.
 *
 * It knows nothing of frames beyond their size: it counts frames as bytes / 100 and does no decoding, checksum or
 * duplicate check. That makes it the floor of what an echo over TCP costs on this machine, not a server that does
 * our work.
 *
 * Usage: epoll_server [-p PORT] [-i STATS_INTERVAL_MS]
 *   -p  the port on 127.0.0.1 (default 0: the kernel chooses one)
 *   -i  milliseconds between two stats lines (default 500)
 *
 * Prints "Echo server listening on 127.0.0.1:PORT (...)" once listening, then every interval
 * "Stats: C connections open, A accepted; in N frames (R/s), B bytes; out N frames (R/s), B bytes", and at SIGTERM or
 * SIGINT "Final stats: ..." before exiting 0. Exits 1 when it cannot listen, 2 on a bad command line.
 *
 * Build: gcc -O2 -o epoll_server benchmarks/epoll_server.c
 */
/* accept4 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME 100
#define READ_BUFFER (256 * 1024)
#define MAX_EVENTS 256

/* One connection: its socket, and the echo bytes the socket has not taken yet. */
struct conn {
  int fd;
  unsigned char *pending;
  size_t pending_from;
  size_t pending_to;
};

struct counters {
  uint64_t bytes_in;
  uint64_t bytes_out;
  uint64_t accepted;
  int open;
};

static volatile sig_atomic_t stop_requested;

static void request_stop(int signal_number) {
  (void)signal_number;
  stop_requested = 1;
}

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void print_stats(const char *label, const struct counters *now, const struct counters *before, double seconds) {
  printf("%s: %d connections open, %llu accepted; in %llu frames (%.1f/s), %llu bytes; out %llu frames (%.1f/s), "
         "%llu bytes\n",
         label, now->open, (unsigned long long)now->accepted, (unsigned long long)(now->bytes_in / FRAME),
         (now->bytes_in / FRAME - before->bytes_in / FRAME) / seconds, (unsigned long long)now->bytes_in,
         (unsigned long long)(now->bytes_out / FRAME), (now->bytes_out / FRAME - before->bytes_out / FRAME) / seconds,
         (unsigned long long)now->bytes_out);
  fflush(stdout);
}

static int listen_on(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof(address)) < 0 || listen(fd, 1024) < 0) {
    fprintf(stderr, "epoll_server: cannot listen on 127.0.0.1:%d: %s\n", port, strerror(errno));
    exit(1);
  }
  return fd;
}

static void watch(int epoll, int op, struct conn *c, uint32_t events) {
  struct epoll_event event = {.events = events, .data.ptr = c};
  epoll_ctl(epoll, op, c->fd, &event);
}

static void close_conn(struct conn *c, struct counters *counters) {
  /* Closing the descriptor also removes it from the epoll set */
  close(c->fd);
  free(c->pending);
  free(c);
  counters->open--;
}

static void accept_all(int epoll, int listener, struct counters *counters) {
  int one = 1;
  for (;;) {
    int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      return;
    }
    /* As Vert.x and the Netty server do */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    struct conn *c = calloc(1, sizeof(*c));
    c->fd = fd;
    watch(epoll, EPOLL_CTL_ADD, c, EPOLLIN);
    counters->accepted++;
    counters->open++;
  }
}

/* Writes bytes [from, to) of p; returns how many the socket took, or -1 when the connection failed. */
static ssize_t write_some(int fd, const unsigned char *p, size_t from, size_t to) {
  ssize_t n = write(fd, p + from, to - from);
  if (n < 0) {
    return errno == EAGAIN || errno == EINTR ? 0 : -1;
  }
  return n;
}

/* Reads once and echoes what came; keeps what the socket did not take. Returns 0, or -1 when the connection ended. */
static int on_readable(int epoll, struct conn *c, unsigned char *buffer, struct counters *counters) {
  ssize_t n = read(c->fd, buffer, READ_BUFFER);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
    return -1;
  }
  if (n < 0) {
    return 0;
  }
  counters->bytes_in += (uint64_t)n;
  ssize_t written = write_some(c->fd, buffer, 0, (size_t)n);
  if (written < 0) {
    return -1;
  }
  counters->bytes_out += (uint64_t)written;
  if (written < n) {
    /* The socket is full: keep the rest and stop reading until it is written */
    if (c->pending == NULL) {
      c->pending = malloc(READ_BUFFER);
    }
    memcpy(c->pending, buffer + written, (size_t)(n - written));
    c->pending_from = 0;
    c->pending_to = (size_t)(n - written);
    watch(epoll, EPOLL_CTL_MOD, c, EPOLLOUT);
  }
  return 0;
}

/* Writes what is pending; reads again once it is all written. Returns 0, or -1 when the connection failed. */
static int on_writable(int epoll, struct conn *c, struct counters *counters) {
  ssize_t written = write_some(c->fd, c->pending, c->pending_from, c->pending_to);
  if (written < 0) {
    return -1;
  }
  counters->bytes_out += (uint64_t)written;
  c->pending_from += (size_t)written;
  if (c->pending_from == c->pending_to) {
    watch(epoll, EPOLL_CTL_MOD, c, EPOLLIN);
  }
  return 0;
}

int main(int argc, char **argv) {
  int port = 0;
  int interval_ms = 500;
  int opt;
  while ((opt = getopt(argc, argv, "p:i:")) != -1) {
    switch (opt) {
      case 'p': port = atoi(optarg); break;
      case 'i': interval_ms = atoi(optarg); break;
      default:
        fprintf(stderr, "usage: epoll_server [-p PORT] [-i STATS_INTERVAL_MS]\n");
        return 2;
    }
  }
  if (port < 0 || port > 65535 || interval_ms < 10) {
    fprintf(stderr, "usage: epoll_server [-p PORT] [-i STATS_INTERVAL_MS]\n");
    return 2;
  }
  struct sigaction stop = {.sa_handler = request_stop};
  sigaction(SIGTERM, &stop, NULL);
  sigaction(SIGINT, &stop, NULL);
  signal(SIGPIPE, SIG_IGN);

  int listener = listen_on(port);
  struct sockaddr_in bound;
  socklen_t length = sizeof(bound);
  getsockname(listener, (struct sockaddr *)&bound, &length);
  int epoll = epoll_create1(EPOLL_CLOEXEC);
  /* The listener is told apart from the connections by a NULL pointer */
  struct epoll_event listening = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &listening);
  printf("Echo server listening on 127.0.0.1:%d (C, epoll, one thread, %d-byte frames counted, echo on)\n",
         ntohs(bound.sin_port), FRAME);
  fflush(stdout);

  static unsigned char buffer[READ_BUFFER];
  struct epoll_event events[MAX_EVENTS];
  struct counters counters = {0}, at_last_stats = {0};
  double started = now_seconds();
  double last_stats = started;
  while (!stop_requested) {
    double now = now_seconds();
    if (now - last_stats >= interval_ms / 1e3) {
      print_stats("Stats", &counters, &at_last_stats, now - last_stats);
      at_last_stats = counters;
      last_stats = now;
    }
    int timeout = (int)((last_stats + interval_ms / 1e3 - now) * 1e3) + 1;
    int ready = epoll_wait(epoll, events, MAX_EVENTS, timeout);
    for (int i = 0; i < ready; i++) {
      struct conn *c = events[i].data.ptr;
      if (c == NULL) {
        accept_all(epoll, listener, &counters);
        continue;
      }
      /* A connection is watched for one of the two at a time: writing while it has echoes pending, else reading */
      int failed = c->pending_from < c->pending_to ? on_writable(epoll, c, &counters)
                                                   : on_readable(epoll, c, buffer, &counters);
      if (failed) {
        close_conn(c, &counters);
      }
    }
  }
  struct counters zero = {0};
  print_stats("Final stats", &counters, &zero, now_seconds() - started);
  return 0;
}
