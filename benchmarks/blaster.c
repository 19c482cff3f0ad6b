/*
 * A load generator for the echo server: connections to 127.0.0.1:PORT that load it in one of six ways. One thread,
 * poll(2) (the ping mode with one connection uses one blocking socket).
 *
 *   echo     (default) each connection writes 100-byte frames as fast as the socket and its window allow and reads
 *            the echoes back, for a fixed time or number of frames: frames/s.
 *   ping     one connection, one frame at a time: writes a frame, waits for its echo (60 s at most), records the
 *            round-trip time, optionally waits until the next interval: RTT percentiles of a well-behaved client,
 *            and with -i also "paced" ones that count the frames a stall kept it from sending. With -c above 1
 *            (and no -i), each connection has one frame in flight at a time, all at once: the percentiles are of
 *            every connection's round trips together.
 *   garbage  each connection writes -g MB of random bytes and reads and discards whatever comes back: what the server
 *            does with bytes that are not our frames, and whether it closes the connection.
 *   noread   each connection writes frames as fast as the socket takes them and never reads an echo; the connections
 *            stall once the server stops reading them, and are held open until -s or SIGTERM: memory per such peer.
 *   idle     opens -c connections, stopping at the first failure, and holds them open without writing until -s or
 *            SIGTERM: how many connections one address gets, and memory per idle connection.
 *   claim    one connection speaks for another client's sender: -n frames (default 50) with sender id -k and
 *            sequence numbers from -q, marked resent, then one with seq 2^62, their text "claimed"; reads the echoes
 *            and closes: what it takes to hide that client's frames from the log.
 *
 * Frames are tagged like our Java sender's (docs/PROTOCOL.md): a random sender id per connection, sequence 1, 2, 3...
 * and a CRC32C, so the server does the same work for them (checksum, duplicate check, seq in the log line). With -u
 * they are untagged like the seed's client's: the text, then NULs. Every echo is compared byte for byte with what was
 * sent, so a fast wrong server cannot score.
 *
 * Usage: blaster -p PORT [-m mode] [-c connections] [-s seconds] [-n max_frames_per_connection] [-w window_frames]
 *                [-u] [-a source_address] [-i ping_interval_us] [-g garbage_mb]
 *   -m  echo (default), ping, garbage, noread, idle or claim, as above
 *   -c  connections (default 1, at most 20000)
 *   -s  seconds of load, or of holding in noread and idle (default 3, at most 600); SIGTERM or SIGINT ends it sooner
 *   -n  echo: frames per connection at most, even before the time is up (default 1000000000)
 *   -w  echo: frames written but not yet echoed per connection, like the sender's maxInFlight (default 10000)
 *   -u  untagged frames, like the seed's client
 *   -a  the local address to connect from (default: the kernel's choice, 127.0.0.1), e.g. 127.0.0.2
 *   -i  ping: microseconds from one frame's send to the next one's, at least the round trip (default 0: at once)
 *   -g  garbage: megabytes (10^6 bytes) of random bytes per connection (default 50)
 *   -k  claim: the sender id, in hex as the logs show it
 *   -q  claim: the first sequence number (default 1)
 *
 * Prints one line at the end, "blaster: ..." (noread and idle also print one when their connections are in place),
 * with the blaster's own CPU time, and exits 0 when every echo came back intact (echo, ping) or the run went as
 * asked (garbage, noread, idle: ends caused by the server are reported, not failures), 1 otherwise, 2 on a bad
 * command line.
 *
 * Build: gcc -O2 -o blaster benchmarks/blaster.c
 */
/* POLLRDHUP */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME 100
#define TRAILER (FRAME - 32)
#define CHECKSUM (FRAME - 4)
/* Frames made at a time, just under 64 KiB: one write() can move them all. */
#define CHUNK_FRAMES 655
#define MAX_CONNECTIONS 20000
/* After the load, how long the last echoes may take before the run counts as failed. */
#define DRAIN_SECONDS 10.0
/* ping: a round trip may take this long (a stalled server) before it counts as failed. */
#define PING_TIMEOUT_SECONDS 60
/* garbage: the run ends this long after the last byte came back, once everything is written. */
#define QUIET_SECONDS 2.0
/* noread: no connection wrote anything for this long: they have all stalled. */
#define STALL_SECONDS 1.0

/*
 * One connection. Its frames are made into a ring ahead of writing and stay there until echoed, so that each echo
 * is checked against the bytes sent. Byte n of the stream is ring[n % ring_len]; made - received <= ring_len.
 */
struct conn {
  int fd;
  uint64_t sender_id;
  unsigned char *ring;
  uint64_t ring_len;
  uint64_t made;      /* bytes of frames made */
  uint64_t sent;      /* bytes written */
  uint64_t received;  /* bytes of echo read and checked (garbage: read and discarded) */
  uint64_t received_in_window;
  uint64_t limit;     /* bytes to write in all; cut to the end of the frame being written when the time is up */
  const char *ended;  /* NULL while open; else how the server ended it ("closed", "reset") */
  uint64_t sent_at_end;
};

/* The command line. */
struct options {
  const char *mode;
  int port;
  int connections;
  double seconds;
  long long max_frames;
  long long window;
  const char *source;
  long long interval_us;
  double garbage_mb;
  uint64_t claimed_sender;
  long long first_sequence;
};

static int tagged = 1;
static volatile sig_atomic_t stop_requested;

/* ---- CRC32C (Castagnoli), as java.util.zip.CRC32C computes it */

static uint32_t crc_table[256];

static void crc32c_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) {
      c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    }
    crc_table[i] = c;
  }
}

static uint32_t crc32c_table(const unsigned char *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  while (n--) {
    c = crc_table[(c ^ *p++) & 0xFF] ^ (c >> 8);
  }
  return c ^ 0xFFFFFFFFu;
}

#if defined(__x86_64__)
/* The SSE4.2 instruction does in a few cycles what the table does in a hundred: the blaster must stay cheap. */
__attribute__((target("sse4.2"))) static uint32_t crc32c_sse42(const unsigned char *p, size_t n) {
  uint64_t c = 0xFFFFFFFFu;
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t word;
    memcpy(&word, p, 8);
    c = __builtin_ia32_crc32di(c, word);
  }
  uint32_t c32 = (uint32_t)c;
  while (n--) {
    c32 = __builtin_ia32_crc32qi(c32, *p++);
  }
  return c32 ^ 0xFFFFFFFFu;
}
#endif

static uint32_t (*crc32c)(const unsigned char *, size_t) = crc32c_table;

static void put_be64(unsigned char *p, uint64_t v) {
  for (int i = 7; i >= 0; i--, v >>= 8) {
    p[i] = (unsigned char)v;
  }
}

static void put_be32(unsigned char *p, uint32_t v) {
  for (int i = 3; i >= 0; i--, v >>= 8) {
    p[i] = (unsigned char)v;
  }
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t epoch_micros(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static double cpu_seconds(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* The end of every result line: the blaster's own CPU, so that a reader sees when the generator is the limit. */
static void print_cpu(double start) {
  double cpu = cpu_seconds();
  printf("; cpu %.2f s (%.0f%% of a core)\n", cpu, 100 * cpu / (now_seconds() - start));
  fflush(stdout);
}

static void on_stop_signal(int signal) {
  (void)signal;
  stop_requested = 1;
}

/* SIGTERM and SIGINT end the run early, with its result line; without SA_RESTART they wake poll() at once. */
static void catch_stop_signals(void) {
  struct sigaction action;
  memset(&action, 0, sizeof(action));
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, NULL);
  sigaction(SIGINT, &action, NULL);
  signal(SIGPIPE, SIG_IGN);
}

/* ---- frames */

/* Makes frames into the ring up to byte `upto` (a frame boundary) of the stream. */
static void make_frames(struct conn *c, uint64_t upto) {
  static const char text[] = "This Msg From Client";
  uint64_t sent_at = epoch_micros();
  for (; c->made < upto; c->made += FRAME) {
    unsigned char *frame = c->ring + c->made % c->ring_len;
    memset(frame, 0, FRAME);
    memcpy(frame, text, sizeof(text) - 1);
    if (!tagged) {
      continue;
    }
    unsigned char *t = frame + TRAILER;
    t[0] = 'E';
    t[1] = 'P';
    t[2] = 1;
    put_be64(t + 4, c->sender_id);
    put_be64(t + 12, c->made / FRAME + 1);
    put_be64(t + 20, sent_at);
    put_be32(frame + CHECKSUM, crc32c(frame, CHECKSUM));
  }
}

/* ---- connections */

/*
 * Connects to 127.0.0.1:port from `source` (NULL: any local address). Returns the socket, blocking or not, or -errno;
 * a connect that the server's full backlog holds up gives up after 5 s.
 */
static int connect_to(int port, const char *source, int blocking) {
  int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  if (fd < 0) {
    return -errno;
  }
  int one = 1;
  struct timeval timeout = {5, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  if (source != NULL) {
    struct sockaddr_in local;
    memset(&local, 0, sizeof(local));
    local.sin_family = AF_INET;
    inet_pton(AF_INET, source, &local.sin_addr);
    /* The port is chosen at connect(), per destination: thousands of connections do not run out of ports */
    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0) {
      int error = errno;
      close(fd);
      return -error;
    }
  }
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
    /* A blocking connect that timed out says EINPROGRESS */
    int error = errno == EINPROGRESS ? ETIMEDOUT : errno;
    close(fd);
    return -error;
  }
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (!blocking) {
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  return fd;
}

/* Opens the connections of an echo, garbage or noread run, each with a ring of ring_len bytes; exits on a failure. */
static struct conn *open_all(const struct options *o, uint64_t ring_len) {
  struct conn *conns = calloc((size_t)o->connections, sizeof(*conns));
  if (conns == NULL) {
    fprintf(stderr, "blaster: out of memory\n");
    exit(1);
  }
  for (int i = 0; i < o->connections; i++) {
    struct conn *c = &conns[i];
    /* A new id per run: the server remembers the sequences it saw from each sender id */
    c->sender_id = ((uint64_t)random() << 33) ^ ((uint64_t)random() << 2) ^ (uint64_t)(i + 1);
    c->ring_len = ring_len;
    c->ring = malloc(ring_len);
    if (c->ring == NULL) {
      fprintf(stderr, "blaster: out of memory\n");
      exit(1);
    }
    c->fd = connect_to(o->port, o->source, 0);
    if (c->fd < 0) {
      fprintf(stderr, "blaster: cannot connect to 127.0.0.1:%d%s%s (connection %d): %s\n", o->port,
              o->source ? " from " : "", o->source ? o->source : "", i + 1, strerror(-c->fd));
      exit(1);
    }
  }
  return conns;
}

static void close_all(struct conn *conns, int n) {
  for (int i = 0; i < n; i++) {
    if (conns[i].fd >= 0) {
      close(conns[i].fd);
    }
    free(conns[i].ring);
  }
  free(conns);
}

/* Records that the server ended connection c, by an end of stream or an error, and closes our side. */
static void ended_by_server(struct conn *c, int error) {
  c->ended = error == 0 ? "closed" : (error == ECONNRESET || error == EPIPE ? "reset" : strerror(error));
  c->sent_at_end = c->sent;
  close(c->fd);
  c->fd = -1;
}

/* ---- echo: frames/s */

/* Writes what the window, the limit and the socket allow; returns -1 on a broken connection. */
static int write_some(struct conn *c, uint64_t window_bytes) {
  for (int rounds = 0; rounds < 16; rounds++) {
    uint64_t room = window_bytes - (c->sent - c->received);
    if (c->sent + room > c->limit) {
      room = c->limit - c->sent;
    }
    if (room == 0) {
      return 0;
    }
    /* Frames are made one chunk ahead at most, which keeps them within the ring */
    if (c->made - c->sent < room && c->made < c->limit) {
      uint64_t upto = c->sent + (uint64_t)CHUNK_FRAMES * FRAME;
      make_frames(c, upto < c->limit ? upto : c->limit);
    }
    uint64_t off = c->sent % c->ring_len;
    uint64_t len = c->made - c->sent;
    if (len > room) {
      len = room;
    }
    if (len > c->ring_len - off) {
      len = c->ring_len - off;
    }
    ssize_t n = write(c->fd, c->ring + off, (size_t)len);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        return 0;
      }
      fprintf(stderr, "blaster: write: %s\n", strerror(errno));
      return -1;
    }
    c->sent += (uint64_t)n;
  }
  return 0;
}

/* Reads the echoes that arrived and checks them; returns -1 on an error, an end of stream or a wrong byte. */
static int read_some(struct conn *c, unsigned char *buf, size_t cap) {
  for (int rounds = 0; rounds < 16; rounds++) {
    ssize_t n = read(c->fd, buf, cap);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        return 0;
      }
      fprintf(stderr, "blaster: read: %s\n", strerror(errno));
      return -1;
    }
    if (n == 0) {
      fprintf(stderr, "blaster: the server closed a connection after %llu echoed bytes\n",
              (unsigned long long)c->received);
      return -1;
    }
    if (c->received + (uint64_t)n > c->sent) {
      fprintf(stderr, "blaster: more bytes echoed than sent\n");
      return -1;
    }
    for (ssize_t i = 0; i < n;) {
      uint64_t off = (c->received + (uint64_t)i) % c->ring_len;
      uint64_t len = c->ring_len - off;
      if (len > (uint64_t)(n - i)) {
        len = (uint64_t)(n - i);
      }
      if (memcmp(buf + i, c->ring + off, (size_t)len) != 0) {
        fprintf(stderr, "blaster: an echo differs from what was sent, near byte %llu\n",
                (unsigned long long)(c->received + (uint64_t)i));
        return -1;
      }
      i += (ssize_t)len;
    }
    c->received += (uint64_t)n;
  }
  return 0;
}

static int run_echo(const struct options *o) {
  uint64_t window_bytes = (uint64_t)o->window * FRAME;
  int connections = o->connections;
  struct conn *conns = open_all(o, window_bytes + 2ull * CHUNK_FRAMES * FRAME);
  struct pollfd *fds = calloc((size_t)connections, sizeof(*fds));
  for (int i = 0; i < connections; i++) {
    conns[i].limit = (uint64_t)o->max_frames * FRAME;
  }

  static unsigned char buf[256 * 1024];
  double start = now_seconds();
  double deadline = start + o->seconds;
  double window_end = 0;
  int failed = 0;
  int in_window = 1;

  /* Load until the deadline, then stop writing and wait (bounded) for the last echoes. */
  for (;;) {
    double now = now_seconds();
    if (in_window && (now >= deadline || stop_requested)) {
      in_window = 0;
      window_end = now;
      for (int i = 0; i < connections; i++) {
        struct conn *c = &conns[i];
        c->received_in_window = c->received;
        /* A write may have ended inside a frame: finish that frame, or it would never be echoed */
        uint64_t frame_end = (c->sent + FRAME - 1) / FRAME * FRAME;
        if (frame_end < c->limit) {
          c->limit = frame_end;
        }
      }
    }
    int outstanding = 0;
    int writing = 0;
    for (int i = 0; i < connections; i++) {
      struct conn *c = &conns[i];
      int more = c->sent < c->limit;
      fds[i].fd = c->fd;
      fds[i].events = POLLIN;
      if (more && c->sent - c->received < window_bytes) {
        fds[i].events |= POLLOUT;
      }
      outstanding |= c->received < c->sent;
      writing |= more;
    }
    if (!writing && !outstanding) {
      if (in_window) {
        /* Every connection reached -n before the time was up */
        in_window = 0;
        window_end = now;
        for (int i = 0; i < connections; i++) {
          conns[i].received_in_window = conns[i].received;
        }
      }
      break;
    }
    if (!in_window && now - window_end > DRAIN_SECONDS) {
      fprintf(stderr, "blaster: echoes still missing %.0f s after the load stopped\n", DRAIN_SECONDS);
      failed = 1;
      break;
    }
    int ready = poll(fds, (nfds_t)connections, 100);
    if (ready < 0 && errno != EINTR) {
      perror("blaster: poll");
      failed = 1;
      break;
    }
    for (int i = 0; i < connections && ready > 0 && !failed; i++) {
      struct conn *c = &conns[i];
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) && read_some(c, buf, sizeof(buf)) < 0) {
        failed = 1;
      }
      if (!failed && (fds[i].revents & POLLOUT) && write_some(c, window_bytes) < 0) {
        failed = 1;
      }
    }
    if (failed) {
      break;
    }
  }

  uint64_t sent = 0, received = 0, in_window_bytes = 0;
  for (int i = 0; i < connections; i++) {
    sent += conns[i].sent;
    received += conns[i].received;
    in_window_bytes += conns[i].received_in_window;
  }
  close_all(conns, connections);
  free(fds);
  double elapsed = (window_end > 0 ? window_end : now_seconds()) - start;
  double fps = in_window_bytes / (double)FRAME / elapsed;
  printf("blaster: %d connection%s%s%s, %.2f s, %s frames: %.0f frames/s, %.2f MB/s in; "
         "sent %llu frames, echoed %llu (%llu in the time), %s",
         connections, connections == 1 ? "" : "s", o->source ? " from " : "", o->source ? o->source : "", elapsed,
         tagged ? "tagged" : "untagged", fps, fps * FRAME / 1e6, (unsigned long long)(sent / FRAME),
         (unsigned long long)(received / FRAME), (unsigned long long)(in_window_bytes / FRAME),
         failed ? "FAILED" : "every echo intact");
  print_cpu(start);
  return failed ? 1 : 0;
}

/* ---- ping: round-trip times of one frame at a time */

/* Moves all n bytes through a blocking socket; a signal does not cut a round trip short. Returns -1 on failure. */
static int transfer_all(int fd, unsigned char *p, size_t n, int writing) {
  while (n > 0) {
    ssize_t done = writing ? write(fd, p, n) : read(fd, p, n);
    if (done < 0 && errno == EINTR) {
      continue;
    }
    if (done <= 0) {
      if (done == 0) {
        fprintf(stderr, "blaster: ping: the server closed the connection\n");
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        fprintf(stderr, "blaster: ping: no echo within %d s\n", PING_TIMEOUT_SECONDS);
      } else {
        fprintf(stderr, "blaster: ping: %s: %s\n", writing ? "write" : "read", strerror(errno));
      }
      return -1;
    }
    p += done;
    n -= (size_t)done;
  }
  return 0;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* The q-quantile of n sorted values, nearest rank. */
static double quantile(const double *sorted, size_t n, double q) {
  size_t rank = (size_t)(q * (double)n + 0.999999);
  return sorted[rank < 1 ? 0 : (rank > n ? n - 1 : rank - 1)];
}

/* "N round trips, RTT p50 ... max ..., " of n sorted round-trip times. */
static void print_round_trips(const double *sorted, size_t n) {
  printf("%zu round trips, ", n);
  if (n > 0) {
    printf("RTT p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms, ", 1e3 * quantile(sorted, n, 0.50),
           1e3 * quantile(sorted, n, 0.99), 1e3 * quantile(sorted, n, 0.999), 1e3 * sorted[n - 1]);
  } else {
    printf("no RTT, ");
  }
}

/*
 * The round trips a client sending one frame every `interval` would have seen: each measured one, plus, for a round
 * trip longer than the interval, the frames that would have been sent while it lasted (r - interval, r - 2 interval,
 * ...; HdrHistogram's "expected interval" correction). Without it a 10 s stall is one sample among thousands. NULL
 * when there is no pace.
 */
static double *paced_round_trips(const double *rtt, size_t n, double interval, size_t *count) {
  if (!(interval > 0)) {
    return NULL;
  }
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    total += 1 + (rtt[i] > interval ? (size_t)((rtt[i] - interval) / interval) : 0);
  }
  double *paced = malloc((total > 0 ? total : 1) * sizeof(*paced));
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    paced[k++] = rtt[i];
    for (double missed = rtt[i] - interval; missed >= interval && k < total; missed -= interval) {
      paced[k++] = missed;
    }
  }
  *count = k;
  return paced;
}

static void sleep_until(double when) {
  struct timespec ts;
  ts.tv_sec = (time_t)when;
  ts.tv_nsec = (long)((when - (double)ts.tv_sec) * 1e9);
  /* A stop signal wakes it early: the loop then ends */
  clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static int run_ping(const struct options *o) {
  int fd = connect_to(o->port, o->source, 1);
  if (fd < 0) {
    fprintf(stderr, "blaster: cannot connect to 127.0.0.1:%d: %s\n", o->port, strerror(-fd));
    return 1;
  }
  struct timeval timeout = {PING_TIMEOUT_SECONDS, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  struct sockaddr_in local;
  socklen_t local_len = sizeof(local);
  getsockname(fd, (struct sockaddr *)&local, &local_len);
  char local_text[INET_ADDRSTRLEN] = "?";
  inet_ntop(AF_INET, &local.sin_addr, local_text, sizeof(local_text));

  /* A ring of one frame: make_frames() numbers each new frame */
  struct conn c;
  memset(&c, 0, sizeof(c));
  c.sender_id = ((uint64_t)random() << 33) ^ ((uint64_t)random() << 2);
  c.ring_len = FRAME;
  unsigned char frame[FRAME], echo[FRAME];
  c.ring = frame;

  size_t n = 0, cap = 1 << 16;
  double *rtt = malloc(cap * sizeof(*rtt));
  double start = now_seconds();
  double deadline = start + o->seconds;
  double next = start;
  double interval = (double)o->interval_us / 1e6;
  int failed = 0;
  while (!stop_requested && !failed) {
    if (interval > 0 && next > now_seconds()) {
      sleep_until(next);
    }
    double sent_at = now_seconds();
    if (stop_requested || sent_at >= deadline) {
      break;
    }
    make_frames(&c, c.made + FRAME);
    if (transfer_all(fd, frame, FRAME, 1) < 0 || transfer_all(fd, echo, FRAME, 0) < 0) {
      failed = 1;
      break;
    }
    double echoed_at = now_seconds();
    if (memcmp(frame, echo, FRAME) != 0) {
      fprintf(stderr, "blaster: ping: an echo differs from what was sent (round trip %zu)\n", n + 1);
      failed = 1;
      break;
    }
    if (n == cap) {
      cap *= 2;
      rtt = realloc(rtt, cap * sizeof(*rtt));
    }
    rtt[n++] = echoed_at - sent_at;
    /* A late echo delays the next frame; the frames missed meanwhile are not sent in a burst afterwards */
    next += interval;
    if (next < echoed_at) {
      next = echoed_at;
    }
  }
  double elapsed = now_seconds() - start;
  close(fd);
  size_t paced_n = 0;
  double *paced = paced_round_trips(rtt, n, interval, &paced_n);
  qsort(rtt, n, sizeof(*rtt), compare_doubles);
  printf("blaster: ping from %s:%d, %.2f s, %s frames, one at a time", local_text, ntohs(local.sin_port), elapsed,
         tagged ? "tagged" : "untagged");
  if (o->interval_us > 0) {
    printf(", one every %lld us at most", o->interval_us);
  }
  printf(": ");
  print_round_trips(rtt, n);
  if (paced != NULL && paced_n > 0) {
    qsort(paced, paced_n, sizeof(*paced), compare_doubles);
    printf("paced RTT p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms (%zu round trips at the pace), ",
           1e3 * quantile(paced, paced_n, 0.50), 1e3 * quantile(paced, paced_n, 0.99),
           1e3 * quantile(paced, paced_n, 0.999), paced_n);
  }
  printf("%s", failed ? "FAILED" : "every echo intact");
  print_cpu(start);
  free(rtt);
  free(paced);
  return failed ? 1 : 0;
}

/*
 * ping with several connections: each has one frame in flight at a time and writes the next as soon as the echo is
 * in, all of them at once through poll(2); every connection's round trips go into one set of percentiles.
 */
static int run_ping_many(const struct options *o) {
  int n_conns = o->connections;
  struct conn *conns = open_all(o, FRAME);
  double *sent_at = calloc((size_t)n_conns, sizeof(*sent_at));
  unsigned char *echoes = malloc((size_t)n_conns * FRAME);
  struct pollfd *fds = calloc((size_t)n_conns, sizeof(*fds));
  size_t n = 0, cap = 1 << 16;
  double *rtt = malloc(cap * sizeof(*rtt));
  if (sent_at == NULL || echoes == NULL || fds == NULL || rtt == NULL) {
    fprintf(stderr, "blaster: out of memory\n");
    return 1;
  }
  const char *failure = NULL;
  double start = now_seconds();
  double deadline = start + o->seconds;
  for (int i = 0; i < n_conns && failure == NULL; i++) {
    struct conn *c = &conns[i];
    fds[i].fd = c->fd;
    fds[i].events = POLLIN;
    make_frames(c, FRAME);
    sent_at[i] = now_seconds();
    /* 100 bytes into an empty socket buffer: a non-blocking write takes them whole */
    if (write(c->fd, c->ring, FRAME) != FRAME) {
      failure = "a write did not take a whole frame";
    }
  }
  int in_flight = failure == NULL ? n_conns : 0;
  while (in_flight > 0 && failure == NULL) {
    double left = deadline + PING_TIMEOUT_SECONDS - now_seconds();
    if (left <= 0) {
      failure = "no echo within the time allowed";
      break;
    }
    int ready = poll(fds, (nfds_t)n_conns, (int)(left * 1000) + 1);
    if (ready < 0 && errno != EINTR) {
      failure = strerror(errno);
    }
    for (int i = 0; i < n_conns && ready > 0 && failure == NULL; i++) {
      if (fds[i].revents == 0) {
        continue;
      }
      struct conn *c = &conns[i];
      unsigned char *echo = echoes + (size_t)i * FRAME;
      ssize_t got = read(c->fd, echo + c->received, FRAME - c->received);
      if (got < 0 && (errno == EAGAIN || errno == EINTR)) {
        continue;
      }
      if (got <= 0) {
        failure = got == 0 ? "the server closed a connection" : strerror(errno);
        break;
      }
      c->received += (uint64_t)got;
      if (c->received < FRAME) {
        continue;
      }
      double echoed_at = now_seconds();
      c->received = 0;
      if (memcmp(c->ring, echo, FRAME) != 0) {
        failure = "an echo differs from what was sent";
        break;
      }
      if (n == cap) {
        cap *= 2;
        rtt = realloc(rtt, cap * sizeof(*rtt));
      }
      rtt[n++] = echoed_at - sent_at[i];
      if (stop_requested || echoed_at >= deadline) {
        /* This connection is done: no more frames on it */
        fds[i].fd = -1;
        in_flight--;
        continue;
      }
      make_frames(c, c->made + FRAME);
      sent_at[i] = now_seconds();
      if (write(c->fd, c->ring, FRAME) != FRAME) {
        failure = "a write did not take a whole frame";
      }
    }
  }
  double elapsed = now_seconds() - start;
  qsort(rtt, n, sizeof(*rtt), compare_doubles);
  printf("blaster: ping over %d connections, %.2f s, %s frames, one in flight per connection: ", n_conns, elapsed,
         tagged ? "tagged" : "untagged");
  print_round_trips(rtt, n);
  printf("%s%s", failure ? "FAILED: " : "every echo intact", failure ? failure : "");
  print_cpu(start);
  close_all(conns, n_conns);
  free(sent_at);
  free(echoes);
  free(fds);
  free(rtt);
  return failure ? 1 : 0;
}

/* ---- garbage: random bytes */

/* xorshift64*: cheap random bytes, a new stream per run. */
static uint64_t random_state;

static void fill_random(unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i += 8) {
    random_state ^= random_state >> 12;
    random_state ^= random_state << 25;
    random_state ^= random_state >> 27;
    uint64_t word = random_state * 0x2545F4914F6CDD1Dull;
    memcpy(p + i, &word, n - i < 8 ? n - i : 8);
  }
}

/* Reports how the connections of a garbage or noread run ended: "open 1, closed 0, reset 0; first end after ...". */
static void print_ends(const struct conn *conns, int n) {
  int open = 0, closed = 0, reset = 0, other = 0;
  uint64_t first_end = UINT64_MAX;
  for (int i = 0; i < n; i++) {
    const struct conn *c = &conns[i];
    if (c->ended == NULL) {
      open++;
      continue;
    }
    if (strcmp(c->ended, "closed") == 0) {
      closed++;
    } else if (strcmp(c->ended, "reset") == 0) {
      reset++;
    } else {
      other++;
    }
    if (c->sent_at_end < first_end) {
      first_end = c->sent_at_end;
    }
  }
  printf("; open at the end %d, closed by the server %d, reset %d", open, closed, reset);
  if (other > 0) {
    printf(", other errors %d", other);
  }
  if (first_end != UINT64_MAX) {
    printf(" (the first after %llu bytes written)", (unsigned long long)first_end);
  }
}

static int run_garbage(const struct options *o) {
  int connections = o->connections;
  struct conn *conns = open_all(o, 64 * 1024);
  struct pollfd *fds = calloc((size_t)connections, sizeof(*fds));
  uint64_t limit = (uint64_t)(o->garbage_mb * 1e6);
  for (int i = 0; i < connections; i++) {
    conns[i].limit = limit;
  }
  random_state = conns[0].sender_id | 1;

  static unsigned char buf[256 * 1024];
  double start = now_seconds();
  double written_at = 0;
  double last_read = start;
  for (;;) {
    double now = now_seconds();
    int writing = 0;
    for (int i = 0; i < connections; i++) {
      struct conn *c = &conns[i];
      if (stop_requested) {
        c->limit = c->sent;
      }
      fds[i].fd = c->fd;
      fds[i].events = POLLIN;
      if (c->fd >= 0 && c->sent < c->limit) {
        fds[i].events |= POLLOUT;
        writing = 1;
      }
    }
    if (!writing) {
      if (written_at == 0) {
        written_at = now;
      }
      /* Everything is written: wait until the echoes stop coming, or the server closes */
      int open = 0;
      for (int i = 0; i < connections; i++) {
        open |= conns[i].fd >= 0;
      }
      if (!open || now - last_read > QUIET_SECONDS || now - written_at > DRAIN_SECONDS) {
        break;
      }
    }
    if (poll(fds, (nfds_t)connections, 100) < 0 && errno != EINTR) {
      perror("blaster: poll");
      break;
    }
    for (int i = 0; i < connections; i++) {
      struct conn *c = &conns[i];
      if (c->fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
        ssize_t n = read(c->fd, buf, sizeof(buf));
        if (n > 0) {
          c->received += (uint64_t)n;
          last_read = now_seconds();
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
          ended_by_server(c, n == 0 ? 0 : errno);
        }
      }
      if (c->fd >= 0 && (fds[i].revents & POLLOUT)) {
        uint64_t len = c->limit - c->sent < c->ring_len ? c->limit - c->sent : c->ring_len;
        fill_random(c->ring, (size_t)len);
        ssize_t n = write(c->fd, c->ring, (size_t)len);
        if (n > 0) {
          c->sent += (uint64_t)n;
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
          ended_by_server(c, errno);
        }
      }
    }
  }
  uint64_t sent = 0, received = 0;
  for (int i = 0; i < connections; i++) {
    sent += conns[i].sent;
    received += conns[i].received;
  }
  /* The socket buffers take megabytes at once: the server is through when the echoes stop, not when writing ends */
  double elapsed = (written_at > 0 ? written_at : now_seconds()) - start;
  double through = (last_read > written_at ? last_read : written_at) - start;
  printf("blaster: garbage from %s, %d connection%s: wrote %llu bytes of random bytes in %.2f s, "
         "read %llu bytes back, the last after %.2f s (%.2f MB/s)",
         o->source ? o->source : "127.0.0.1", connections, connections == 1 ? "" : "s", (unsigned long long)sent,
         elapsed, (unsigned long long)received, through, sent / 1e6 / through);
  print_ends(conns, connections);
  print_cpu(start);
  close_all(conns, connections);
  free(fds);
  return 0;
}

/* ---- noread: peers that never read their echoes */

static void count_frames_written(const struct conn *conns, int n, uint64_t *total, uint64_t *least, uint64_t *most) {
  *total = 0;
  *least = UINT64_MAX;
  *most = 0;
  for (int i = 0; i < n; i++) {
    uint64_t frames = conns[i].sent / FRAME;
    *total += frames;
    *least = frames < *least ? frames : *least;
    *most = frames > *most ? frames : *most;
  }
}

static int run_noread(const struct options *o) {
  int connections = o->connections;
  /* Nothing is read back, so nothing is kept: the ring holds the chunk being written */
  struct conn *conns = open_all(o, (uint64_t)CHUNK_FRAMES * FRAME);
  struct pollfd *fds = calloc((size_t)connections, sizeof(*fds));
  double start = now_seconds();
  double deadline = start + o->seconds;
  double last_progress = start;
  int stalled = 0;
  uint64_t total, least, most;
  while (!stop_requested && now_seconds() < deadline) {
    for (int i = 0; i < connections; i++) {
      fds[i].fd = conns[i].fd;
      /* POLLRDHUP: the server closed the connection, which an unread echo would otherwise hide */
      fds[i].events = POLLOUT | POLLRDHUP;
    }
    if (poll(fds, (nfds_t)connections, 100) < 0 && errno != EINTR) {
      perror("blaster: poll");
      break;
    }
    double now = now_seconds();
    for (int i = 0; i < connections; i++) {
      struct conn *c = &conns[i];
      if (c->fd < 0) {
        continue;
      }
      if (fds[i].revents & (POLLRDHUP | POLLHUP | POLLERR)) {
        int error = 0;
        socklen_t len = sizeof(error);
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &len);
        ended_by_server(c, error);
        continue;
      }
      if (!(fds[i].revents & POLLOUT)) {
        continue;
      }
      if (c->sent == c->made) {
        make_frames(c, c->made + c->ring_len);
      }
      uint64_t off = c->sent % c->ring_len;
      ssize_t n = write(c->fd, c->ring + off, (size_t)(c->made - c->sent));
      if (n > 0) {
        c->sent += (uint64_t)n;
        last_progress = now;
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        ended_by_server(c, errno);
      }
    }
    if (!stalled && now - last_progress >= STALL_SECONDS) {
      stalled = 1;
      count_frames_written(conns, connections, &total, &least, &most);
      printf("blaster: never-read from %s, %d connections stalled after %.2f s: %llu frames written "
             "(per connection min %llu, max %llu)\n",
             o->source ? o->source : "127.0.0.1", connections, last_progress - start, (unsigned long long)total,
             (unsigned long long)least, (unsigned long long)most);
      fflush(stdout);
    }
  }
  count_frames_written(conns, connections, &total, &least, &most);
  printf("blaster: never-read from %s, %d connections, %.2f s: wrote %llu frames, %.2f MB (per connection min %llu, "
         "max %llu), %s",
         o->source ? o->source : "127.0.0.1", connections, now_seconds() - start, (unsigned long long)total,
         total * FRAME / 1e6, (unsigned long long)least, (unsigned long long)most,
         stalled ? "stalled" : "still writing");
  print_ends(conns, connections);
  print_cpu(start);
  close_all(conns, connections);
  free(fds);
  return 0;
}

/* ---- idle: connections that say nothing */

static int run_idle(const struct options *o) {
  int wanted = o->connections;
  struct pollfd *fds = calloc((size_t)wanted, sizeof(*fds));
  double start = now_seconds();
  int opened = 0;
  int failure = 0;
  for (; opened < wanted && !stop_requested; opened++) {
    int fd = connect_to(o->port, o->source, 0);
    if (fd < 0) {
      failure = -fd;
      break;
    }
    fds[opened].fd = fd;
    fds[opened].events = POLLIN | POLLRDHUP;
  }
  const char *from = o->source ? o->source : "127.0.0.1";
  printf("blaster: idle from %s: %d of %d connections open after %.2f s", from, opened, wanted, now_seconds() - start);
  if (failure) {
    printf("; connection %d failed: %s", opened + 1, strerror(failure));
  }
  printf("\n");
  fflush(stdout);

  /* Hold them; a connection the server closes shows as readable */
  double held_from = now_seconds();
  double deadline = start + o->seconds;
  double first_close = -1;
  int closed = 0;
  static unsigned char buf[4096];
  while (!stop_requested && now_seconds() < deadline && closed < opened) {
    if (poll(fds, (nfds_t)opened, 100) < 0 && errno != EINTR) {
      perror("blaster: poll");
      break;
    }
    for (int i = 0; i < opened; i++) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLRDHUP | POLLHUP | POLLERR))) {
        continue;
      }
      ssize_t n = read(fds[i].fd, buf, sizeof(buf));
      if (n <= 0 && !(n < 0 && (errno == EAGAIN || errno == EINTR))) {
        close(fds[i].fd);
        fds[i].fd = -1;
        if (closed++ == 0) {
          first_close = now_seconds() - held_from;
        }
      }
    }
  }
  printf("blaster: idle from %s: opened %d of %d connections, held %.2f s; closed by the server %d", from, opened,
         wanted, now_seconds() - held_from, closed);
  if (closed > 0) {
    printf(" (the first after %.2f s)", first_close);
  }
  print_cpu(start);
  for (int i = 0; i < opened; i++) {
    if (fds[i].fd >= 0) {
      close(fds[i].fd);
    }
  }
  free(fds);
  return 0;
}

/* ---- claim */

static int run_claim(const struct options *o) {
  static const char text[] = "claimed";
  long long frames = o->max_frames == 1000000000LL ? 50 : o->max_frames;
  size_t length = (size_t)(frames + 1) * FRAME;
  unsigned char *bytes = calloc(1, length);
  unsigned char *echo = malloc(length);
  if (bytes == NULL || echo == NULL) {
    fprintf(stderr, "blaster: out of memory\n");
    return 1;
  }
  uint64_t sent_at = epoch_micros();
  for (long long i = 0; i <= frames; i++) {
    unsigned char *frame = bytes + i * FRAME;
    memcpy(frame, text, sizeof(text) - 1);
    unsigned char *t = frame + TRAILER;
    t[0] = 'E';
    t[1] = 'P';
    t[2] = 1;
    /* Marked resent: the one kind of frame a server may take for a repeat */
    t[3] = 1;
    put_be64(t + 4, o->claimed_sender);
    put_be64(t + 12, i < frames ? (uint64_t)(o->first_sequence + i) : (uint64_t)1 << 62);
    put_be64(t + 20, sent_at);
    put_be32(frame + CHECKSUM, crc32c(frame, CHECKSUM));
  }
  double start = now_seconds();
  int fd = connect_to(o->port, o->source, 1);
  if (fd < 0) {
    fprintf(stderr, "blaster: cannot connect to 127.0.0.1:%d: %s\n", o->port, strerror(-fd));
    return 1;
  }
  struct timeval timeout = {10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  int failed = write(fd, bytes, length) != (ssize_t)length;
  size_t got = 0;
  while (!failed && got < length) {
    ssize_t n = read(fd, echo + got, length - got);
    failed = n <= 0;
    got += n > 0 ? (size_t)n : 0;
  }
  close(fd);
  printf("blaster: claim from %s: sender %016llx, seq %lld..%lld and 2^62, %s", o->source != NULL ? o->source
         : "127.0.0.1", (unsigned long long)o->claimed_sender, o->first_sequence, o->first_sequence + frames - 1,
         failed ? "FAILED: not every echo came back" : "every echo back");
  print_cpu(start);
  free(bytes);
  free(echo);
  return failed;
}

/* ---- main */

__attribute__((noreturn)) static void usage(void) {
  fprintf(stderr, "usage: blaster -p PORT [-m echo|ping|garbage|noread|idle|claim] [-c connections] [-s seconds]"
                  " [-n max_frames_per_connection] [-w window_frames] [-u] [-a source_address]"
                  " [-i ping_interval_us] [-g garbage_mb] [-k sender_id_hex] [-q first_sequence]\n");
  exit(2);
}

/* Many connections need as many descriptors: take the hard limit if the soft one is too low. */
static void allow_descriptors(int connections) {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < (rlim_t)connections + 16) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

int main(int argc, char **argv) {
  struct options o = {"echo", 0, 1, 3, 1000000000LL, 10000, NULL, 0, 50, 0, 1};
  int opt;
  while ((opt = getopt(argc, argv, "p:m:c:s:n:w:ua:i:g:k:q:")) != -1) {
    switch (opt) {
      case 'p': o.port = atoi(optarg); break;
      case 'm': o.mode = optarg; break;
      case 'c': o.connections = atoi(optarg); break;
      case 's': o.seconds = atof(optarg); break;
      case 'n': o.max_frames = atoll(optarg); break;
      case 'w': o.window = atoll(optarg); break;
      case 'u': tagged = 0; break;
      case 'a': o.source = optarg; break;
      case 'i': o.interval_us = atoll(optarg); break;
      case 'g': o.garbage_mb = atof(optarg); break;
      case 'k': o.claimed_sender = strtoull(optarg, NULL, 16); break;
      case 'q': o.first_sequence = atoll(optarg); break;
      default: usage();
    }
  }
  struct in_addr parsed;
  if (o.port < 1 || o.port > 65535 || o.connections < 1 || o.connections > MAX_CONNECTIONS || !(o.seconds > 0)
      || o.seconds > 600 || o.max_frames < 1 || o.window < 1 || o.window > 1000000 || o.interval_us < 0
      || o.interval_us > 10000000 || !(o.garbage_mb > 0) || o.garbage_mb > 100000
      || (o.source != NULL && inet_pton(AF_INET, o.source, &parsed) != 1)) {
    usage();
  }
  catch_stop_signals();
  allow_descriptors(o.connections);
  crc32c_init();
#if defined(__x86_64__)
  if (__builtin_cpu_supports("sse4.2")) {
    crc32c = crc32c_sse42;
  }
#endif
  srandom((unsigned)(getpid() ^ (uint64_t)(now_seconds() * 1e6)));

  if (strcmp(o.mode, "echo") == 0) {
    return run_echo(&o);
  }
  if (strcmp(o.mode, "ping") == 0) {
    if (o.connections > 1 && o.interval_us > 0) {
      fprintf(stderr, "blaster: ping: -i paces one connection only; with -c %d leave it out\n", o.connections);
      return 2;
    }
    return o.connections > 1 ? run_ping_many(&o) : run_ping(&o);
  }
  if (strcmp(o.mode, "garbage") == 0) {
    return run_garbage(&o);
  }
  if (strcmp(o.mode, "noread") == 0) {
    return run_noread(&o);
  }
  if (strcmp(o.mode, "idle") == 0) {
    return run_idle(&o);
  }
  if (strcmp(o.mode, "claim") == 0) {
    return run_claim(&o);
  }
  usage();
}
