package io.swarmkeeper.cli;

import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.server.ServerConfig;
import io.swarmkeeper.server.SignalingServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Runs the signaling server: pairs peers and relays their WebRTC signals.")
final class ServerCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8765", description = "Port to listen on, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--max-frame-bytes", defaultValue = "65536",
            description = "Largest WebSocket frame accepted; larger ones close the connection (default: ${DEFAULT-VALUE}).")
    int maxFrameBytes;

    @Option(names = "--ice-server", paramLabel = "URL",
            description = "An ICE server handed to every peer, e.g. stun:stun.example.org:3478. Repeatable. None by default: host candidates only.")
    List<String> iceServers = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<Message.IceServer> ice = iceServers.stream()
                .map(url -> new Message.IceServer(List.of(url), null, null)).toList();
        ServerConfig config = ServerConfig.builder().host(host).port(port).maxFrameBytes(maxFrameBytes).iceServers(ice).build();
        SignalingServer server = new SignalingServer(config).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "server-shutdown"));
        System.out.println("signaling server listening on " + server.url());
        System.out.flush();
        stopped.await();
        return 0;
    }
}
