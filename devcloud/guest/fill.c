/*
 * cairn-fill: the devcloud guest's data writer, and the host's way to know what it wrote.
 *
 * The data for a key is a pseudo-random byte stream: splitmix64 seeded with the
 * 64-bit FNV-1a hash of the key, each output word stored little-endian. The same
 * key and length give the same bytes on the guest and on the host.
 *
 *   cairn-fill gen KEY SIZE                   write the stream to stdout (host: expected data)
 *   cairn-fill write DEVICE KEY SIZE [OFFSET] write the stream at OFFSET (default 0) of
 *                                             DEVICE, then fsync
 *
 * SIZE and OFFSET are bytes, or a number with a K, M or G suffix (powers of 1024).
 * Built static at devcloud set-up time and put in the guest's initramfs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t parse_size(const char *s) {
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  switch (*end) {
    case 'k': case 'K': v <<= 10; break;
    case 'm': case 'M': v <<= 20; break;
    case 'g': case 'G': v <<= 30; break;
    case '\0': break;
    default: fprintf(stderr, "cairn-fill: bad size %s\n", s); exit(2);
  }
  return v;
}

static uint64_t fnv1a64(const char *s) {
  uint64_t h = 14695981039346656037ULL;
  for (; *s; ++s) { h ^= (unsigned char)*s; h *= 1099511628211ULL; }
  return h;
}

static uint64_t splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

static int write_all(int fd, const unsigned char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) { if (errno == EINTR) continue; return -1; }
    p += w; n -= (size_t)w;
  }
  return 0;
}

int main(int argc, char **argv) {
  int fd;
  const char *key;
  uint64_t size;
  if (argc == 4 && strcmp(argv[1], "gen") == 0) {
    fd = 1; key = argv[2]; size = parse_size(argv[3]);
  } else if ((argc == 5 || argc == 6) && strcmp(argv[1], "write") == 0) {
    fd = open(argv[2], O_WRONLY);
    if (fd < 0) { perror(argv[2]); return 1; }
    key = argv[3]; size = parse_size(argv[4]);
    uint64_t offset = argc == 6 ? parse_size(argv[5]) : 0;
    if (lseek(fd, (off_t)offset, SEEK_SET) < 0) { perror("cairn-fill: lseek"); return 1; }
  } else {
    fprintf(stderr, "usage: cairn-fill gen KEY SIZE | cairn-fill write DEVICE KEY SIZE [OFFSET]\n");
    return 2;
  }
  uint64_t state = fnv1a64(key);
  static unsigned char buf[1 << 16];
  while (size > 0) {
    size_t n = size < sizeof buf ? (size_t)size : sizeof buf;
    for (size_t i = 0; i < n; i += 8) {
      uint64_t v = splitmix64(&state);
      for (int b = 0; b < 8; ++b) buf[i + b] = (unsigned char)(v >> (8 * b));
    }
    if (write_all(fd, buf, n) < 0) { perror("cairn-fill: write"); return 1; }
    size -= n;
  }
  if (fd != 1 && fsync(fd) < 0) { perror("cairn-fill: fsync"); return 1; }
  return 0;
}
