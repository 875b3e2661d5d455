package io.swarmkeeper.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain TCP load balancer on loopback for the cluster tests, as an operator's would be: each
 * new connection goes to the next backend in turn, skipping one that refuses; bytes pass both
 * ways untouched (WebSockets included). Knows nothing of the protocol.
 */
public final class TcpBalancer implements AutoCloseable {
    private final ServerSocket listening;
    private final List<InetSocketAddress> backends;
    private final AtomicInteger next = new AtomicInteger();

    private TcpBalancer(ServerSocket listening, List<InetSocketAddress> backends) {
        this.listening = listening;
        this.backends = backends;
    }

    public static TcpBalancer start(List<Integer> backendPorts) throws IOException {
        ServerSocket listening = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        TcpBalancer balancer = new TcpBalancer(listening, backendPorts.stream()
                .map(p -> new InetSocketAddress(InetAddress.getLoopbackAddress(), p)).toList());
        Thread acceptor = new Thread(balancer::accept, "balancer-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return balancer;
    }

    public int port() {
        return listening.getLocalPort();
    }

    private void accept() {
        while (!listening.isClosed()) {
            try {
                Socket client = listening.accept();
                Socket backend = connectToOne();
                if (backend == null) {
                    client.close();
                    continue;
                }
                pump(client, backend);
                pump(backend, client);
            } catch (IOException e) {
                // closed, or one connection failed: go on
            }
        }
    }

    private Socket connectToOne() {
        for (int tried = 0; tried < backends.size(); tried++) {
            InetSocketAddress target = backends.get(Math.floorMod(next.getAndIncrement(), backends.size()));
            try {
                Socket s = new Socket();
                s.connect(target, 500);
                return s;
            } catch (IOException refused) {
                // next one
            }
        }
        return null;
    }

    private static void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // one side went
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }, "balancer-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        listening.close();
    }
}
