package io.swarmkeeper.origin;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP(S) GET whose body is pushed into a {@link Sink} as it arrives, within limits: a
 * connect timeout, a deadline for the whole download (redirects, headers and body, so a server
 * that trickles or stalls cannot hold it forever), and a size limit checked against
 * {@code Content-Length} and again on every received buffer (an endless body is cut there);
 * when the resource's size is known (a manifest's {@code size}), the limit is that size.
 *
 * <p>Every URL, redirects included, must be http or https, and its host's addresses must pass
 * the {@link AddressPolicy}. The connection goes to exactly the addresses that were checked:
 * this class speaks HTTP/1.1 over its own socket (TLS with SNI and host name verification for
 * https) because the JDK's HTTP client resolves host names again by itself. Redirects are
 * followed as browsers do except from https to http, at most 5 hops, each checked like the
 * first, and, when a redirect rule is given, only to URLs it accepts.
 */
public final class HttpDownload {
    /** Where the body goes. Called on the caller's thread, one call at a time. */
    public interface Sink {
        void write(byte[] bytes, int off, int len) throws IOException;
    }

    /** The server answered with a status other than 200. */
    public static final class StatusException extends IOException {
        private final int status;

        StatusException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** What was downloaded. */
    public record Result(String mediaType, long bytes) {}

    /** Redirects followed at most. */
    static final int MAX_REDIRECTS = 5;
    /** Status line and headers (or a chunked body's trailers) together, at most. */
    static final int MAX_HEAD_BYTES = 64 * 1024;
    private static final int MAX_LINE_BYTES = 8 * 1024;
    private static final int BUFFER_BYTES = 64 * 1024;

    private final Duration connectTimeout;
    private final Duration deadline;
    private final long maxBytes;
    /** When not null, each redirect target must pass this test too. */
    private final Predicate<URI> redirectsAllowed;
    private final AddressPolicy addresses;
    private final SSLSocketFactory tls;

    /** A download from public addresses only, following redirects to any http(s) URL. */
    public HttpDownload(Duration connectTimeout, Duration deadline, long maxBytes) {
        this(connectTimeout, deadline, maxBytes, null, AddressPolicy.PUBLIC_ONLY);
    }

    /**
     * @param redirectsAllowed null: redirects followed to any http(s) URL (never https → http);
     *        otherwise each redirect target must pass this test too
     */
    public HttpDownload(Duration connectTimeout, Duration deadline, long maxBytes, Predicate<URI> redirectsAllowed) {
        this(connectTimeout, deadline, maxBytes, redirectsAllowed, AddressPolicy.PUBLIC_ONLY);
    }

    /** A download that connects only to addresses {@code addresses} accepts. */
    public HttpDownload(Duration connectTimeout, Duration deadline, long maxBytes, Predicate<URI> redirectsAllowed,
                        AddressPolicy addresses) {
        this(connectTimeout, deadline, maxBytes, redirectsAllowed, addresses, null);
    }

    /** With {@code tls} as the source of TLS sockets (null: the JVM's default trust); tests use it. */
    HttpDownload(Duration connectTimeout, Duration deadline, long maxBytes, Predicate<URI> redirectsAllowed,
                 AddressPolicy addresses, SSLSocketFactory tls) {
        this.connectTimeout = connectTimeout;
        this.deadline = deadline;
        this.maxBytes = maxBytes;
        this.redirectsAllowed = redirectsAllowed;
        this.addresses = addresses;
        this.tls = tls;
    }

    /** Downloads {@code url} into {@code sink}; {@code what} names it in messages ("origin", "manifest"). */
    public Result get(URI url, Sink sink, String what) throws IOException {
        return get(url, sink, what, -1);
    }

    /**
     * Downloads {@code url} into {@code sink}. When {@code knownSize} is 0 or more, the body must
     * be exactly that long: a {@code Content-Length} that says otherwise is refused before any
     * byte is read, and a body that goes on is cut at the first byte past it.
     */
    public Result get(URI url, Sink sink, String what, long knownSize) throws IOException {
        long endAt = System.nanoTime() + deadline.toNanos();
        URI at = url;
        for (int hop = 0; ; hop++) {
            try (Exchange exchange = open(at, what, endAt)) {
                Head head = exchange.head;
                String location = head.first("location");
                if (isRedirect(head.status) && location != null) {
                    URI next;
                    try {
                        next = at.resolve(location.strip());
                    } catch (IllegalArgumentException e) {
                        throw new IOException(what + " " + url + " redirects to a malformed location", e);
                    }
                    if (hop >= MAX_REDIRECTS) {
                        throw new IOException(what + " " + url + ": more than " + MAX_REDIRECTS + " redirects");
                    }
                    String scheme = schemeOf(next);
                    if ((!scheme.equals("http") && !scheme.equals("https"))
                            || (schemeOf(at).equals("https") && !scheme.equals("https"))
                            || (redirectsAllowed != null && !redirectsAllowed.test(next))) {
                        throw new IOException(what + " " + url + " redirects to " + next + ", which is not an accepted place");
                    }
                    at = next;
                    continue;
                }
                if (head.status != 200) {
                    throw new StatusException(head.status, what + " answered HTTP " + head.status + " for " + at);
                }
                return new Result(head.first("content-type"), exchange.copyBody(sink, knownSize));
            }
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static String schemeOf(URI url) {
        return url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** Checks the URL and its addresses, connects to one of them, sends the request and reads the head. */
    private Exchange open(URI url, String what, long endAt) throws IOException {
        String scheme = schemeOf(url);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IOException(what + " URL must be http or https: " + url);
        }
        if (url.getRawUserInfo() != null) {
            throw new IOException(what + " URL " + url + " has user information (user@), which is not supported");
        }
        List<InetAddress> checked = addresses.addressesOf(url, what);
        String host = AddressPolicy.hostOf(url);
        int port = url.getPort() >= 0 ? url.getPort() : scheme.equals("https") ? 443 : 80;
        Exchange exchange = new Exchange(url, what, endAt);
        try {
            exchange.connect(checked, host, port, scheme.equals("https"));
            exchange.send(requestHead(url, port, scheme));
            exchange.head = exchange.readHead();
            return exchange;
        } catch (IOException | RuntimeException e) {
            exchange.close();
            throw e;
        }
    }

    private static byte[] requestHead(URI url, int port, String scheme) {
        String target = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            target += "?" + url.getRawQuery();
        }
        boolean defaultPort = port == (scheme.equals("https") ? 443 : 80);
        String request = "GET " + target + " HTTP/1.1\r\n"
                + "Host: " + url.getHost() + (defaultPort ? "" : ":" + port) + "\r\n"
                + "User-Agent: Swarmkeeper\r\n"
                + "Accept: */*\r\n"
                + "Accept-Encoding: identity\r\n" // the bytes as the hash names them, not a compressed form
                + "Connection: close\r\n"
                + "\r\n";
        return request.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A response's status and headers (names in lower case). */
    private record Head(int status, Map<String, List<String>> headers) {
        String first(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    /**
     * Closes sockets whose exchange outlived its deadline: a socket timeout bounds each read, but
     * TLS makes several reads per record, and a server sending a byte just inside each timeout
     * could otherwise hold an exchange for ever.
     */
    private static final java.util.concurrent.ScheduledExecutorService DEADLINES =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "origin-deadlines");
                t.setDaemon(true);
                return t;
            });

    /** One connection, one request, one response; reads and writes within the deadline. */
    private final class Exchange implements AutoCloseable {
        private final URI url;
        private final String what;
        private final long endAt;
        private volatile Socket socket;
        private volatile boolean expired;
        private final java.util.concurrent.ScheduledFuture<?> watchdog;
        private InputStream in;
        private final byte[] buffer = new byte[BUFFER_BYTES];
        /** The buffer holds unread bytes from {@code next} to {@code end}. */
        private int next;
        private int end;
        private long received;
        /** Body bytes handed to the sink so far. */
        private long bodyBytes;
        Head head;

        Exchange(URI url, String what, long endAt) {
            this.url = url;
            this.what = what;
            this.endAt = endAt;
            this.watchdog = DEADLINES.schedule(() -> {
                expired = true;
                close();
            }, Math.max(1, endAt - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
        }

        /** Tries the checked addresses in turn; each attempt within the connect timeout and the deadline. */
        void connect(List<InetAddress> candidates, String host, int port, boolean secure) throws IOException {
            List<String> failures = new ArrayList<>();
            for (InetAddress address : candidates) {
                long left = millisLeft();
                if (left <= 0) {
                    break;
                }
                if (port < 1 || port > 65535) {
                    throw new IOException(what + " " + url + ": port " + port + " is not a TCP port");
                }
                // A channel's socket, so that interrupting the thread stops a blocked read.
                Socket plain = SocketChannel.open().socket();
                try {
                    plain.connect(new InetSocketAddress(address, port), (int) Math.min(connectTimeout.toMillis(), left));
                    socket = plain;
                    if (expired) {
                        close(); // the watchdog ran while this socket was being made
                        throw deadlinePassed();
                    }
                    break;
                } catch (ClosedByInterruptException e) {
                    plain.close();
                    throw interrupted(e);
                } catch (SocketTimeoutException e) {
                    plain.close();
                    failures.add(address.getHostAddress() + ": no answer within " + describe(connectTimeout));
                } catch (IOException e) {
                    plain.close();
                    if (expired) {
                        throw deadlinePassed();
                    }
                    failures.add(address.getHostAddress() + ": " + e.getMessage());
                } catch (RuntimeException e) {
                    plain.close(); // never leave a channel behind (they have no cleaner)
                    failures.add(address.getHostAddress() + ": " + e);
                }
            }
            if (socket == null) {
                throw new IOException(what + " " + url + ": cannot connect (" + (failures.isEmpty()
                        ? "no time left within " + describe(deadline) : String.join("; ", failures)) + ")");
            }
            socket.setTcpNoDelay(true);
            if (secure) {
                SSLSocketFactory factory = tls != null ? tls : (SSLSocketFactory) SSLSocketFactory.getDefault();
                SSLSocket ssl = (SSLSocket) factory.createSocket(socket, host, port, true);
                SSLParameters parameters = ssl.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
                String sniName = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
                if (!sniName.contains(":") && !sniName.matches("[0-9.]+")) {
                    parameters.setServerNames(List.of(new SNIHostName(sniName)));
                }
                ssl.setSSLParameters(parameters);
                socket = ssl;
                try {
                    socket.setSoTimeout(timeoutMillis());
                    ssl.startHandshake();
                } catch (SocketTimeoutException e) {
                    throw deadlinePassed();
                } catch (ClosedByInterruptException e) {
                    throw interrupted(e);
                } catch (SSLException e) {
                    if (expired) {
                        throw deadlinePassed();
                    }
                    throw new IOException(what + " " + url + ": TLS failed: " + e.getMessage(), e);
                } catch (IOException e) {
                    throw expired ? deadlinePassed() : e; // closed by the watchdog
                }
            }
            in = socket.getInputStream();
        }

        void send(byte[] request) throws IOException {
            try {
                OutputStream out = socket.getOutputStream();
                out.write(request);
                out.flush();
            } catch (ClosedByInterruptException e) {
                throw interrupted(e);
            }
        }

        /** The status line and headers; informational (1xx) answers are skipped. */
        Head readHead() throws IOException {
            int budget = MAX_HEAD_BYTES;
            while (true) {
                String statusLine = readLine(budget, "status line");
                budget -= statusLine.length() + 2;
                String[] parts = statusLine.split(" ", 3);
                if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].matches("[0-9]{3}")) {
                    throw new IOException(what + " " + url + " did not answer in HTTP/1.1: " + abbreviate(statusLine));
                }
                int status = Integer.parseInt(parts[1]);
                Map<String, List<String>> headers = new HashMap<>();
                String last = null;
                while (true) {
                    String line = readLine(budget, "headers");
                    budget -= line.length() + 2;
                    if (line.isEmpty()) {
                        break;
                    }
                    if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && last != null) { // obsolete folding
                        List<String> values = headers.get(last);
                        values.set(values.size() - 1, values.get(values.size() - 1) + " " + line.strip());
                        continue;
                    }
                    int colon = line.indexOf(':');
                    if (colon <= 0) {
                        throw new IOException(what + " " + url + " sent a malformed header: " + abbreviate(line));
                    }
                    last = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                    headers.computeIfAbsent(last, k -> new ArrayList<>()).add(line.substring(colon + 1).strip());
                }
                if (status >= 100 && status < 200 && status != 101) {
                    continue; // 100 Continue, 103 Early Hints: the answer follows
                }
                return new Head(status, headers);
            }
        }

        /** Copies a 200 answer's body into {@code sink}; returns its length. */
        long copyBody(Sink sink, long knownSize) throws IOException {
            long limit = knownSize >= 0 ? Math.min(maxBytes, knownSize) : maxBytes;
            String transfer = String.join(",", head.headers.getOrDefault("transfer-encoding", List.of()))
                    .toLowerCase(Locale.ROOT).strip();
            boolean chunked = transfer.endsWith("chunked");
            long declared = transfer.isEmpty() ? contentLength() : -1;
            if (declared > maxBytes) {
                throw new IOException(what + " " + url + " is " + declared + " bytes, over the limit of " + maxBytes);
            }
            if (declared >= 0 && knownSize >= 0 && declared != knownSize) {
                throw new IOException(what + " " + url + " is " + declared + " bytes (Content-Length), but its known size is "
                        + knownSize + " bytes");
            }
            Body body = new Body(sink, limit, knownSize);
            if (chunked) {
                body.copyChunks();
            } else if (declared >= 0) {
                body.copy(declared);
                if (bodyBytes < declared) {
                    throw new IOException(what + " " + url + " closed the connection after " + bodyBytes + " of "
                            + declared + " bytes");
                }
            } else {
                body.copy(Long.MAX_VALUE); // until the server closes the connection
            }
            if (knownSize >= 0 && bodyBytes != knownSize) {
                throw new IOException(what + " " + url + " ended after " + bodyBytes + " bytes; its known size is "
                        + knownSize + " bytes");
            }
            return bodyBytes;
        }

        private long contentLength() throws IOException {
            List<String> values = head.headers.get("content-length");
            if (values == null) {
                return -1;
            }
            long length = -1;
            for (String value : values) {
                for (String one : value.split(",")) {
                    String v = one.strip();
                    if (!v.matches("[0-9]{1,18}") || (length >= 0 && Long.parseLong(v) != length)) {
                        throw new IOException(what + " " + url + " sent an invalid Content-Length: " + abbreviate(value));
                    }
                    length = Long.parseLong(v);
                }
            }
            return length;
        }

        /** Body bytes into the sink, counted against the limit before the sink sees them. */
        private final class Body {
            private final Sink sink;
            private final long limit;
            private final long knownSize;

            Body(Sink sink, long limit, long knownSize) {
                this.sink = sink;
                this.limit = limit;
                this.knownSize = knownSize;
            }

            /** Copies up to {@code length} bytes, fewer when the connection ends first. */
            void copy(long length) throws IOException {
                long left = length;
                while (left > 0) {
                    long want = Math.min(left, BUFFER_BYTES);
                    long room = limit - bodyBytes;
                    if (room < want) {
                        want = room + 1; // one byte past the limit is enough to know the body exceeds it
                    }
                    int n = fill();
                    if (n < 0) {
                        return;
                    }
                    int take = (int) Math.min(n, want);
                    if (bodyBytes + take > limit) {
                        throw overLimit();
                    }
                    sink.write(buffer, next, take);
                    next += take;
                    bodyBytes += take;
                    left -= take;
                }
            }

            void copyChunks() throws IOException {
                int budget = MAX_HEAD_BYTES;
                while (true) {
                    String line = readLine(MAX_LINE_BYTES, "chunk size");
                    int semicolon = line.indexOf(';');
                    String hex = (semicolon >= 0 ? line.substring(0, semicolon) : line).strip();
                    if (!hex.matches("[0-9a-fA-F]{1,15}")) {
                        throw new IOException(what + " " + url + " sent a malformed chunk size: " + abbreviate(line));
                    }
                    long size = Long.parseLong(hex, 16);
                    if (size == 0) {
                        while (true) { // trailers, up to the empty line
                            String trailer = readLine(budget, "trailers");
                            budget -= trailer.length() + 2;
                            if (trailer.isEmpty()) {
                                return;
                            }
                        }
                    }
                    if (bodyBytes + size > limit) {
                        throw overLimit(); // announced: no need to read it
                    }
                    long before = bodyBytes;
                    copy(size);
                    if (bodyBytes - before < size) {
                        throw new IOException(what + " " + url + " closed the connection in the middle of a chunk ("
                                + bodyBytes + " bytes received)");
                    }
                    if (!readLine(MAX_LINE_BYTES, "chunk end").isEmpty()) {
                        throw new IOException(what + " " + url + " sent a chunk longer than it announced");
                    }
                }
            }

            private IOException overLimit() {
                if (knownSize >= 0 && knownSize <= maxBytes) {
                    return new IOException(what + " " + url + " sent more than its known size of " + knownSize + " bytes");
                }
                return new IOException(what + " " + url + " exceeds the limit of " + maxBytes + " bytes");
            }
        }

        /** Makes sure the buffer holds at least one byte; returns how many, or -1 at the end of the stream. */
        private int fill() throws IOException {
            if (next < end) {
                return end - next;
            }
            try {
                socket.setSoTimeout(timeoutMillis());
                int n = in.read(buffer, 0, buffer.length);
                if (n < 0) {
                    return -1;
                }
                next = 0;
                end = n;
                received += n;
                return n;
            } catch (SocketTimeoutException e) {
                throw deadlinePassed();
            } catch (ClosedByInterruptException e) {
                throw interrupted(e);
            } catch (IOException e) {
                throw expired ? deadlinePassed() : e; // closed by the watchdog
            }
        }

        /** A line of the head or of chunk framing, without its CRLF (a bare LF is accepted too). */
        private String readLine(int max, String part) throws IOException {
            StringBuilder line = new StringBuilder();
            while (true) {
                if (fill() < 0) {
                    throw new IOException(what + " " + url + " closed the connection in its " + part + " ("
                            + received + " bytes received)");
                }
                byte b = buffer[next++];
                if (b == '\n') {
                    int end = line.length();
                    if (end > 0 && line.charAt(end - 1) == '\r') {
                        line.setLength(end - 1);
                    }
                    return line.toString();
                }
                line.append((char) (b & 0xff));
                if (line.length() > Math.min(max, MAX_LINE_BYTES)) {
                    throw new IOException(what + " " + url + " sent " + part + " that are too long");
                }
            }
        }

        private long millisLeft() {
            return (endAt - System.nanoTime()) / 1_000_000;
        }

        /** What is left of the deadline, as a socket timeout (0 would mean none: at least 1 ms). */
        private int timeoutMillis() throws IOException {
            long left = millisLeft();
            if (left <= 0) {
                throw deadlinePassed();
            }
            return (int) Math.min(left, Integer.MAX_VALUE);
        }

        private IOException deadlinePassed() {
            return new IOException(what + " " + url + " did not deliver within " + describe(deadline) + " ("
                    + bodyBytes + " bytes received)");
        }

        private IOException interrupted(ClosedByInterruptException e) {
            Thread.currentThread().interrupt();
            return new IOException("interrupted while fetching " + url, e);
        }

        @Override
        public void close() {
            watchdog.cancel(false);
            Socket socket = this.socket;
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // nothing more to read from it
                }
            }
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 100 ? text : text.substring(0, 100) + "…";
    }
}
