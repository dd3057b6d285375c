#include "api/deadline_server.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <type_traits>
#include <utility>

#include <fcntl.h>
#include <httplib.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace cairn::api {
namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Set when a read of the current request on this thread hit its deadline.
thread_local bool request_timed_out = false;

// The wait of one poll: until `deadline` but at most `cap` (whole ms, at
// least 1 ms before the deadline so a wait never spins at 0).
int WaitMs(SteadyClock::time_point deadline, milliseconds cap) {
  const auto left = std::chrono::ceil<milliseconds>(deadline - SteadyClock::now());
  if (left.count() <= 0) return 0;
  return static_cast<int>(std::min(left, cap).count());
}

// Polls `fd` for `events` for up to `timeout_ms`; true when ready.
bool PollFor(int fd, short events, int timeout_ms) {
  pollfd p{.fd = fd, .events = events, .revents = 0};
  for (;;) {
    int n = ::poll(&p, 1, timeout_ms);
    if (n < 0 && errno == EINTR) continue;
    return n > 0;
  }
}

void AddressOf(const sockaddr_storage& addr, socklen_t len, std::string& ip, int& port) {
  std::array<char, NI_MAXHOST> host{};
  std::array<char, NI_MAXSERV> serv{};
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host.data(), host.size(), serv.data(),
                    serv.size(), NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
    ip = host.data();
    port = std::atoi(serv.data());
  }
}

// The reads and writes of one connection. The reads of each request share
// that request's deadline (StartRequest, from its first byte); every wait is
// also bounded by the per-read / per-write timeout. Subclasses move the bytes
// (plain socket or TLS).
class DeadlineStream : public httplib::Stream {
 public:
  DeadlineStream(int fd, milliseconds read_wait, milliseconds write_wait)
      : fd_(fd), read_wait_(read_wait), write_wait_(write_wait) {}

  // A new request begins (its first byte is here or buffered): reads from now
  // on fail after `deadline`.
  void StartRequest(SteadyClock::time_point deadline) {
    read_deadline_ = deadline;
    request_timed_out = false;
  }
  // True when bytes the connection read ahead wait to be read.
  virtual bool HasBuffered() const = 0;

  bool is_readable() const override { return HasBuffered() || WaitReadable(); }
  bool is_writable() const override { return PollFor(fd_, POLLOUT, static_cast<int>(write_wait_.count())); }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) AddressOf(addr, len, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) AddressOf(addr, len, ip, port);
  }
  int socket() const override { return fd_; }

 protected:
  // Waits until the socket has data, the request's deadline passes (then
  // marks the request timed out) or the per-read timeout passes.
  bool WaitReadable() const {
    const int ms = WaitMs(read_deadline_, read_wait_);
    if (ms > 0 && PollFor(fd_, POLLIN, ms)) return true;
    if (SteadyClock::now() >= read_deadline_) request_timed_out = true;
    return false;
  }
  bool WaitWritable() const { return is_writable(); }

  const int fd_;

 private:
  SteadyClock::time_point read_deadline_ = SteadyClock::now();
  const milliseconds read_wait_;
  const milliseconds write_wait_;
};

// A plain TCP connection. Reads go through a buffer (httplib reads the
// request line and headers one byte at a time); bytes read ahead stay for the
// next request of the connection.
class PlainDeadlineStream final : public DeadlineStream {
 public:
  using DeadlineStream::DeadlineStream;

  bool HasBuffered() const override { return begin_ != end_; }

  ssize_t read(char* ptr, size_t size) override {
    if (begin_ == end_) {
      for (;;) {
        if (!WaitReadable()) return -1;
        ssize_t n = ::recv(fd_, buffer_.data(), buffer_.size(), MSG_DONTWAIT);
        if (n > 0) {
          begin_ = 0;
          end_ = static_cast<size_t>(n);
          break;
        }
        if (n == 0) return 0;  // the client closed
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return -1;
      }
    }
    size = std::min(size, end_ - begin_);
    std::memcpy(ptr, buffer_.data() + begin_, size);
    begin_ += size;
    return static_cast<ssize_t>(size);
  }

  ssize_t write(const char* ptr, size_t size) override {
    for (;;) {
      if (!WaitWritable()) return -1;
      ssize_t n = ::send(fd_, ptr, size, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n >= 0) return n;
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return -1;
    }
  }

 private:
  std::array<char, 4096> buffer_{};
  size_t begin_ = 0;
  size_t end_ = 0;
};

// A TLS connection on a non-blocking socket: when OpenSSL needs the socket,
// the stream waits within the request's bounds.
class TlsDeadlineStream final : public DeadlineStream {
 public:
  TlsDeadlineStream(SSL* ssl, int fd, milliseconds read_wait, milliseconds write_wait)
      : DeadlineStream(fd, read_wait, write_wait), ssl_(ssl) {}

  bool HasBuffered() const override { return SSL_pending(ssl_) > 0 || SSL_has_pending(ssl_) == 1; }

  ssize_t read(char* ptr, size_t size) override {
    const int len = static_cast<int>(std::min<size_t>(size, 1 << 30));
    for (;;) {
      ERR_clear_error();
      int n = SSL_read(ssl_, ptr, len);
      if (n > 0) return n;
      switch (SSL_get_error(ssl_, n)) {
        case SSL_ERROR_WANT_READ:
          if (!WaitReadable()) return -1;
          break;
        case SSL_ERROR_WANT_WRITE:
          if (!WaitWritable()) return -1;
          break;
        case SSL_ERROR_ZERO_RETURN: return 0;
        default: return -1;
      }
    }
  }

  ssize_t write(const char* ptr, size_t size) override {
    const int len = static_cast<int>(std::min<size_t>(size, 1 << 30));
    for (;;) {
      ERR_clear_error();
      int n = SSL_write(ssl_, ptr, len);
      if (n > 0) return n;
      switch (SSL_get_error(ssl_, n)) {
        case SSL_ERROR_WANT_WRITE:
          if (!WaitWritable()) return -1;
          break;
        case SSL_ERROR_WANT_READ:  // renegotiation: the peer must send first
          if (!WaitReadable()) return -1;
          break;
        default: return -1;
      }
    }
  }

  // The TLS handshake, done by `deadline`.
  bool Accept(SteadyClock::time_point deadline) {
    StartRequest(deadline);
    for (;;) {
      ERR_clear_error();
      int n = SSL_accept(ssl_);
      if (n == 1) return true;
      int error = SSL_get_error(ssl_, n);
      if (error == SSL_ERROR_WANT_READ) {
        if (!WaitReadable()) return false;
      } else if (error == SSL_ERROR_WANT_WRITE) {
        if (!WaitWritable()) return false;
      } else {
        return false;
      }
    }
  }

 private:
  SSL* const ssl_;
};

// An httplib server (Base: Server or SSLServer) whose connections are served
// through DeadlineStreams. Overrides httplib's per-connection loop; parsing,
// routing and answering stay httplib's (Server::process_request).
template <typename Base>
class DeadlineServer final : public Base {
 public:
  template <typename... Args>
  explicit DeadlineServer(ConnectionLimits limits, Args&&... args)
      : Base(std::forward<Args>(args)...), limits_(limits) {}

 private:
  bool Running() const { return this->svr_sock_ != INVALID_SOCKET; }
  milliseconds ReadWait() const {
    return milliseconds(this->read_timeout_sec_ * 1000 + this->read_timeout_usec_ / 1000);
  }
  milliseconds WriteWait() const {
    return milliseconds(this->write_timeout_sec_ * 1000 + this->write_timeout_usec_ / 1000);
  }

  // Waits up to keep_alive_timeout for the first byte of the next request;
  // false when none came or the server stops (checked every 50 ms).
  bool AwaitRequest(const DeadlineStream& stream) const {
    if (stream.HasBuffered()) return true;
    const SteadyClock::time_point until = SteadyClock::now() + limits_.keep_alive_timeout;
    while (Running()) {
      const int ms = WaitMs(until, milliseconds(50));
      if (ms == 0) return false;
      if (PollFor(stream.socket(), POLLIN, ms)) return true;
    }
    return false;
  }

  // Serves the requests of one connection, each with its own read deadline
  // from its first byte. Returns whether the last one was answered.
  bool ServeRequests(DeadlineStream& stream) {
    bool ok = false;
    for (size_t left = limits_.keep_alive_max_count; left > 0 && Running(); --left) {
      if (!AwaitRequest(stream)) break;
      stream.StartRequest(SteadyClock::now() + limits_.request_read_timeout);
      bool closed = false;
      ok = this->process_request(stream, left == 1, closed, nullptr);
      // After a timed-out read the rest of that request may still arrive: it
      // must not be taken for the next request.
      if (!ok || closed || request_timed_out) break;
    }
    request_timed_out = false;
    return ok;
  }

  bool ServeTls(int fd) {
    const std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(this->ssl_context()), &SSL_free);
    if (!ssl) return false;
    bool ok = false;
    const int flags = ::fcntl(fd, F_GETFL, 0);
    if (flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 && SSL_set_fd(ssl.get(), fd) == 1) {
      TlsDeadlineStream stream(ssl.get(), fd, ReadWait(), WriteWait());
      if (stream.Accept(SteadyClock::now() + limits_.request_read_timeout)) {
        ok = ServeRequests(stream);
        if (ok) SSL_shutdown(ssl.get());  // one try; the socket is closed next anyway
      }
    }
    request_timed_out = false;
    return ok;
  }

  bool process_and_close_socket(int fd) override {
    bool ok = false;
    if constexpr (std::is_base_of_v<httplib::SSLServer, Base>) {
      ok = ServeTls(fd);
    } else {
      PlainDeadlineStream stream(fd, ReadWait(), WriteWait());
      ok = ServeRequests(stream);
    }
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
    return ok;
  }

  const ConnectionLimits limits_;
};

}  // namespace

std::unique_ptr<httplib::Server> MakeDeadlineServer(ConnectionLimits limits) {
  return std::make_unique<DeadlineServer<httplib::Server>>(limits);
}

std::unique_ptr<httplib::Server> MakeDeadlineTlsServer(ConnectionLimits limits, const std::string& cert_file,
                                                       const std::string& key_file) {
  return std::make_unique<DeadlineServer<httplib::SSLServer>>(limits, cert_file.c_str(), key_file.c_str());
}

bool RequestReadTimedOut() { return request_timed_out; }

}  // namespace cairn::api
