package shop.usb.pipeline.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP proxy on 127.0.0.1 in front of one server, for network faults in tests: {@link #cut()}
 * resets every connection and refuses new ones, {@link #blackhole()} accepts and holds connections
 * but passes no byte either way (a half-open network), {@link #delay(long)} holds each chunk back,
 * {@link #heal()} makes it pass traffic again.
 */
public final class TcpProxy implements AutoCloseable {

    public enum Mode {
        OPEN,
        CUT,
        BLACKHOLE
    }

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final ExecutorService threads =
            Executors.newCachedThreadPool(
                    r -> {
                        Thread thread = new Thread(r, "tcp-proxy");
                        thread.setDaemon(true);
                        return thread;
                    });
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile Mode mode = Mode.OPEN;
    private volatile long delayMillis;

    private TcpProxy(ServerSocket server, InetSocketAddress target) {
        this.server = server;
        this.target = target;
    }

    public static TcpProxy to(String host, int port) {
        try {
            ServerSocket server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
            TcpProxy proxy = new TcpProxy(server, new InetSocketAddress(host, port));
            proxy.threads.execute(proxy::accept);
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public Mode mode() {
        return mode;
    }

    /** Resets every open connection and refuses new ones until {@link #heal()}. */
    public void cut() {
        mode = Mode.CUT;
        sockets.forEach(TcpProxy::reset);
    }

    /** Keeps connections open but passes nothing, and accepts new ones that pass nothing either. */
    public void blackhole() {
        mode = Mode.BLACKHOLE;
    }

    public void delay(long millis) {
        delayMillis = millis;
    }

    public void heal() {
        delayMillis = 0;
        mode = Mode.OPEN;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (mode == Mode.CUT) {
                    reset(client);
                    continue;
                }
                sockets.add(client);
                threads.execute(() -> connect(client));
            } catch (IOException e) {
                // Closed: the proxy is done.
            }
        }
    }

    private void connect(Socket client) {
        try {
            Socket upstream = new Socket();
            upstream.connect(target, 5_000);
            sockets.add(upstream);
            threads.execute(() -> pump(client, upstream));
            pump(upstream, client);
        } catch (IOException e) {
            reset(client);
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                while (mode == Mode.BLACKHOLE && !from.isClosed()) {
                    pause(50); // held: neither side hears from the other
                }
                if (mode == Mode.CUT) {
                    break;
                }
                if (delayMillis > 0) {
                    pause(delayMillis);
                }
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException e) {
            // One side went away: close the other.
        } finally {
            reset(from);
            reset(to);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis); // the proxy's own pacing, not a test waiting for async work
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (SocketException e) {
            // Already closed.
        } catch (IOException e) {
            // Nothing more to do.
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // Nothing more to do.
        }
        sockets.forEach(TcpProxy::reset);
        threads.shutdownNow();
    }
}
