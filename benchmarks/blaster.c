/*
 * A load generator for the echo server: C connections to 127.0.0.1:PORT, each writing 100-byte frames as fast as the
 * socket and its window allow and reading the echoes back, for a fixed time or number of frames. One thread, poll(2).
 *
 * Frames are tagged like our Java sender's (docs/PROTOCOL.md): a random sender id per connection, sequence 1, 2, 3...
 * and a CRC32C, so the server does the same work for them (checksum, duplicate check, seq in the log line). With -u
 * they are untagged like the seed's client's: the text, then NULs. Every echo is compared byte for byte with what was
 * sent, so a fast wrong server cannot score.
 *
 * Usage: blaster -p PORT [-c connections] [-s seconds] [-n max_frames_per_connection] [-w window_frames] [-u]
 *   -c  connections (default 1, at most 64)
 *   -s  seconds of load; the echoes read in that time give frames/s (default 3, at most 600)
 *   -n  frames per connection at most, even before the time is up (default 1000000000)
 *   -w  frames written but not yet echoed per connection, like the sender's maxInFlight (default 10000)
 *   -u  untagged frames, like the seed's client
 *
 * Prints one line, "blaster: C connections, T s, tagged frames: F frames/s, M MB/s in; ...", and exits 0 when every
 * frame written was echoed intact within 10 s of the end, 1 otherwise, 2 on a bad command line.
 *
 * Build: gcc -O2 -o blaster benchmarks/blaster.c
 */
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
#define MAX_CONNECTIONS 64
/* After the load, how long the last echoes may take before the run counts as failed. */
#define DRAIN_SECONDS 10.0

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
  uint64_t received;  /* bytes of echo read and checked */
  uint64_t received_in_window;
  uint64_t limit;     /* bytes to write in all; cut to the end of the frame being written when the time is up */
};

static int tagged = 1;

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

static int open_connection(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  if (fd < 0) {
    perror("blaster: socket");
    return -1;
  }
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
    fprintf(stderr, "blaster: cannot connect to 127.0.0.1:%d: %s\n", port, strerror(errno));
    close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

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

static void usage(void) {
  fprintf(stderr, "usage: blaster -p PORT [-c connections] [-s seconds] [-n max_frames_per_connection]"
                  " [-w window_frames] [-u]\n");
  exit(2);
}

int main(int argc, char **argv) {
  int port = 0;
  int connections = 1;
  double seconds = 3;
  long long max_frames = 1000000000LL;
  long long window = 10000;
  int opt;
  while ((opt = getopt(argc, argv, "p:c:s:n:w:u")) != -1) {
    switch (opt) {
      case 'p': port = atoi(optarg); break;
      case 'c': connections = atoi(optarg); break;
      case 's': seconds = atof(optarg); break;
      case 'n': max_frames = atoll(optarg); break;
      case 'w': window = atoll(optarg); break;
      case 'u': tagged = 0; break;
      default: usage();
    }
  }
  if (port < 1 || port > 65535 || connections < 1 || connections > MAX_CONNECTIONS || !(seconds > 0)
      || seconds > 600 || max_frames < 1 || window < 1 || window > 1000000) {
    usage();
  }
  signal(SIGPIPE, SIG_IGN);
  crc32c_init();
#if defined(__x86_64__)
  if (__builtin_cpu_supports("sse4.2")) {
    crc32c = crc32c_sse42;
  }
#endif

  static struct conn conns[MAX_CONNECTIONS];
  struct pollfd fds[MAX_CONNECTIONS];
  uint64_t window_bytes = (uint64_t)window * FRAME;
  srandom((unsigned)(getpid() ^ (uint64_t)(now_seconds() * 1e6)));
  for (int i = 0; i < connections; i++) {
    struct conn *c = &conns[i];
    /* A new id per run: the server remembers the sequences it saw from each sender id */
    c->sender_id = ((uint64_t)random() << 33) ^ ((uint64_t)random() << 2) ^ (uint64_t)(i + 1);
    c->ring_len = window_bytes + 2ull * CHUNK_FRAMES * FRAME;
    c->ring = malloc(c->ring_len);
    if (c->ring == NULL) {
      fprintf(stderr, "blaster: out of memory\n");
      return 1;
    }
    c->limit = (uint64_t)max_frames * FRAME;
    c->fd = open_connection(port);
    if (c->fd < 0) {
      return 1;
    }
  }

  static unsigned char buf[256 * 1024];
  double start = now_seconds();
  double deadline = start + seconds;
  double window_end = 0;
  int failed = 0;
  int in_window = 1;

  /* Load until the deadline, then stop writing and wait (bounded) for the last echoes. */
  for (;;) {
    double now = now_seconds();
    if (in_window && now >= deadline) {
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
    close(conns[i].fd);
    free(conns[i].ring);
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  double elapsed = (window_end > 0 ? window_end : now_seconds()) - start;
  double fps = in_window_bytes / (double)FRAME / elapsed;
  printf("blaster: %d connection%s, %.2f s, %s frames: %.0f frames/s, %.2f MB/s in; "
         "sent %llu frames, echoed %llu (%llu in the time), %s; cpu %.2f s (%.0f%% of a core)\n",
         connections, connections == 1 ? "" : "s", elapsed, tagged ? "tagged" : "untagged", fps, fps * FRAME / 1e6,
         (unsigned long long)(sent / FRAME), (unsigned long long)(received / FRAME),
         (unsigned long long)(in_window_bytes / FRAME), failed ? "FAILED" : "every echo intact", cpu,
         100 * cpu / (now_seconds() - start));
  return failed ? 1 : 0;
}
